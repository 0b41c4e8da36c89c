"""`siaga serve`: gunicorn with the project's WSGI app (never Django's development server)."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from siaga.core import gunicorn_app
from siaga.core.management.commands import serve
from siaga.core.tests.cli_helpers import siaga_env


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run the command without starting gunicorn: record its options and other calls."""
    seen: dict[str, Any] = {"commands": []}

    def fake_run(self: gunicorn_app.SiagaServer) -> None:
        seen["options"] = self.options
        seen["cfg_bind"] = self.cfg.bind if self.cfg else None

    monkeypatch.setattr(gunicorn_app.SiagaServer, "run", fake_run)
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: seen["commands"].append(a))
    return seen


def test_options_reach_gunicorn(captured: dict[str, Any], db: Any) -> None:
    out = io.StringIO()
    call_command("serve", "--host", "10.0.0.5", "--port", "8123", "--workers", "3", stdout=out)
    assert captured["options"]["bind"] == "10.0.0.5:8123"
    assert captured["cfg_bind"] == ["10.0.0.5:8123"]
    assert captured["options"]["workers"] == 3
    assert "http://10.0.0.5:8123/" in out.getvalue()
    assert captured["commands"] == []  # no collectstatic outside production


def test_default_workers_follow_the_cores_with_a_cap(
    captured: dict[str, Any], monkeypatch: pytest.MonkeyPatch, db: Any
) -> None:
    monkeypatch.setattr(gunicorn_app.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert gunicorn_app.default_workers() == 5
    monkeypatch.setattr(gunicorn_app.os, "sched_getaffinity", lambda pid: set(range(64)))
    assert gunicorn_app.default_workers() == gunicorn_app.MAX_DEFAULT_WORKERS
    call_command("serve", stdout=io.StringIO())
    assert captured["options"]["workers"] == gunicorn_app.MAX_DEFAULT_WORKERS
    assert captured["options"]["bind"] == "127.0.0.1:8000"


def test_ipv6_host_is_bracketed() -> None:
    assert gunicorn_app.bind_address("::1", 8000) == "[::1]:8000"


def test_production_collects_static_files_first(captured: dict[str, Any], db: Any) -> None:
    with override_settings(PRODUCTION=True):
        call_command("serve", "--workers", "1", stdout=io.StringIO())
    assert captured["commands"] == [("collectstatic",)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serves_http_with_gunicorn(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "siaga.cli", "serve", "--port", str(port), "--workers", "1"],
        env=siaga_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        answer: tuple[int, str, bytes] | None = None
        while answer is None and time.monotonic() < deadline and process.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/v1/openapi.json"
                with urllib.request.urlopen(url, timeout=5) as response:
                    answer = (response.status, response.headers["Server"], response.read())
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        assert answer is not None, "the server did not answer"
        status, server, body = answer
        assert status == 200
        assert server.startswith("gunicorn")
        assert b'"openapi"' in body
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert f"http://127.0.0.1:{port}/" in output
