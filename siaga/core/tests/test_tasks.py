"""Background tasks (Huey, immediate mode in tests) and `siaga worker`."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from huey.contrib.djhuey import HUEY

from siaga.core import tasks
from siaga.core.tests.cli_helpers import run_siaga, siaga_env


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    cache.delete(tasks.HEARTBEAT_KEY)
    with translation.override("en"):
        yield
    cache.delete(tasks.HEARTBEAT_KEY)


def test_tests_run_huey_in_immediate_mode() -> None:
    assert HUEY.immediate


def test_heartbeat_records_when_the_worker_last_ran() -> None:
    assert tasks.last_worker_run() is None
    before = timezone.now()
    tasks.heartbeat()
    last = tasks.last_worker_run()
    assert last is not None and before <= last <= timezone.now()
    assert cache.get("worker:last_run") == last


@pytest.mark.django_db
def test_purge_expired_sessions_keeps_live_ones() -> None:
    live = SessionStore()
    live["n"] = 1
    live.create()
    expired = SessionStore()
    expired["n"] = 2
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - dt.timedelta(days=1)
    )
    tasks.purge_expired_sessions()
    assert set(Session.objects.values_list("session_key", flat=True)) == {live.session_key}


def test_periodic_schedule() -> None:
    heartbeat = tasks.heartbeat.task_class()
    purge = tasks.purge_expired_sessions.task_class()
    at = dt.datetime(2026, 1, 5, 19, 0)  # Huey crontabs are in UTC: 02:00 WIB
    assert heartbeat.validate_datetime(at)
    assert heartbeat.validate_datetime(at.replace(minute=7))
    assert purge.validate_datetime(at)
    assert not purge.validate_datetime(at.replace(hour=3))
    assert not purge.validate_datetime(at.replace(minute=1))


def check() -> str:
    out = io.StringIO()
    call_command("worker", "--check", stdout=out)
    return out.getvalue()


def test_check_reports_a_recent_heartbeat() -> None:
    tasks.heartbeat()
    assert "running" in check()


def test_check_fails_without_or_with_a_stale_heartbeat() -> None:
    with pytest.raises(CommandError, match="not run"):
        check()
    cache.set(tasks.HEARTBEAT_KEY, timezone.now() - dt.timedelta(minutes=10), timeout=None)
    with pytest.raises(CommandError, match="10 minutes ago"):
        check()


def test_worker_process_runs_the_heartbeat(tmp_path: Path) -> None:
    # The real consumer on a SQLite queue in a fresh data dir; periodic tasks run at start.
    assert run_siaga(tmp_path, "worker", "--check").returncode == 1
    process = subprocess.Popen(
        [sys.executable, "-m", "siaga.cli", "worker"],
        env=siaga_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker_cache: Any = FileBasedCache(str(tmp_path / "cache"), {})
    try:
        deadline = time.monotonic() + 60
        while worker_cache.get(tasks.HEARTBEAT_KEY) is None and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            time.sleep(0.2)
        assert isinstance(worker_cache.get(tasks.HEARTBEAT_KEY), dt.datetime)
    finally:
        process.terminate()
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
    result = run_siaga(tmp_path, "worker", "--check")
    assert result.returncode == 0, result.stderr
