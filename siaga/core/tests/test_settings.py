"""Start-up configuration: bad environment values stop start-up with a message naming them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from siaga.env import ConfigError, env_bool, env_list, secret_key


def run_siaga(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "SIAGA_ENV"}}
    base.update({"SIAGA_DATA_DIR": str(tmp_path)}, **env)
    return subprocess.run(
        [sys.executable, "-m", "siaga.cli", *args],
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DEBUG", "maybe"), ("DATABASE_URL", "mysql://x/y"), ("SIAGA_ENV", "staging")],
)
def test_bad_values_stop_startup_naming_the_variable(tmp_path, variable, value) -> None:
    result = run_siaga(tmp_path, "check", **{variable: value})
    assert result.returncode == 2
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_production_requires_secret_key_and_hosts(tmp_path) -> None:
    result = run_siaga(tmp_path, "check", SIAGA_ENV="production", ALLOWED_HOSTS="siaga.example")
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr
    result = run_siaga(tmp_path, "check", SIAGA_ENV="production", SECRET_KEY="x" * 50)
    assert result.returncode == 2
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_deploy_check_is_clean(tmp_path) -> None:
    result = run_siaga(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SIAGA_ENV="production",
        SECRET_KEY="k" * 20 + "Zq9-" * 10,
        ALLOWED_HOSTS="siaga.example",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(tmp_path, production=False)
    assert len(first) > 40
    assert secret_key(tmp_path, production=False) == first


def test_env_helpers(monkeypatch) -> None:
    monkeypatch.setenv("X_BOOL", "yes")
    assert env_bool("X_BOOL", default=False) is True
    monkeypatch.setenv("X_BOOL", "perhaps")
    with pytest.raises(ConfigError, match="X_BOOL"):
        env_bool("X_BOOL", default=False)
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
