"""Typed environment readers that fail loudly, naming the variable at fault."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlparse


class ConfigError(Exception):
    """A setting from the environment cannot be used; the message names the variable."""


TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigError(
        f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off"
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ConfigError(f"{name}={value!r} must be one of: {', '.join(choices)}")
    return value


def env_url(name: str, schemes: tuple[str, ...]) -> str | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes:
        raise ConfigError(
            f"{name}={raw!r}: unsupported scheme {parsed.scheme!r}; expected one of {', '.join(schemes)}"
        )
    return raw


def data_dir() -> Path:
    path = Path(os.environ.get("SIAGA_DATA_DIR", "var")).resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"SIAGA_DATA_DIR={str(path)!r} cannot be created: {exc}") from exc
    return path


def secret_key(directory: Path, production: bool) -> str:
    """SECRET_KEY from the environment; outside production a generated one kept in the data dir."""
    value = os.environ.get("SECRET_KEY", "").strip()
    if value:
        if production and len(value) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        return value
    if production:
        raise ConfigError("SECRET_KEY is required when SIAGA_ENV=production")
    key_file = directory / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    value = secrets.token_urlsafe(50)
    key_file.write_text(value)
    key_file.chmod(0o600)
    return value
