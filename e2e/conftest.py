"""Browser journeys: the demo served by gunicorn, driven by Playwright in Debian's Chromium.

The session prepares a small demo (its own data directory, SQLite), serves it on a free local
port, and opens one Chromium (``/usr/bin/chromium`` or ``$CHROMIUM``: no browser download). Each
test gets a phone-sized page (390×844) that records console errors and 4xx/5xx responses; call
``checked(page)`` on every page a journey visits. Screenshots go to ``$E2E_ARTIFACTS``
(default ``var/e2e``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "candi-hebat-2021"
RESIDENTS = int(os.environ.get("E2E_RESIDENTS", "4000"))
PHONE = {"width": 390, "height": 844}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.exit("Chromium is missing: apt-get install chromium (no browser download here)", 2)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _siaga(env: dict[str, str], *args: str, **kwargs: Any) -> Any:
    return subprocess.run([sys.executable, "-m", "siaga.cli", *args], cwd=ROOT, env=env, **kwargs)


@pytest.fixture(scope="session")
def artefacts() -> Path:
    folder = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "var" / "e2e"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    # E2E_DATA_DIR keeps the prepared demo between runs (the demo reuses what it finds).
    keep = os.environ.get("E2E_DATA_DIR")
    data_dir = keep or tempfile.mkdtemp(prefix="siaga-e2e-")
    env = {**os.environ, "SIAGA_DATA_DIR": data_dir, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)  # the journeys run on the zero-setup SQLite demo
    _siaga(env, "demo", "--no-serve", "--residents", str(RESIDENTS), "-v", "0", check=True)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "siaga.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/akun/masuk/", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the demo server did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class Watch:
    """What went wrong on the pages of one test: console errors and failed responses."""

    def __init__(self) -> None:
        self.console: list[str] = []
        self.failed: list[str] = []

    def take(self) -> tuple[list[str], list[str]]:
        console, failed = self.console, self.failed
        self.console, self.failed = [], []
        return console, failed


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, base_url=server, locale="id-ID")
    page = context.new_page()
    watch = Watch()
    page.on("console", lambda m: watch.console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.console.append(str(e)))
    page.on(
        "response",
        lambda r: watch.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.watch = watch
    yield page
    context.close()
