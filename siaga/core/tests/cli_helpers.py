"""Running the real `siaga` console entry point in a subprocess, for exit status and stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Generous bound: a cold Django start on a slow CI machine; a hung command fails, not blocks.
TIMEOUT_SECONDS = 60


def siaga_env(data_dir: Path) -> dict[str, str]:
    """An environment for a fresh SQLite instance in ``data_dir`` (never the test database)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(SIAGA_DATA_DIR=str(data_dir), SIAGA_ENV="development", PYTHONUNBUFFERED="1")
    return env


def run_siaga(
    data_dir: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "siaga.cli", *args],
        env=siaga_env(data_dir),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
