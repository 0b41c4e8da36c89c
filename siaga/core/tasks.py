"""Periodic background work, run by ``siaga worker`` (the Huey consumer).

- ``heartbeat`` (every minute) records when the worker last ran, so the web and ``siaga worker
  --check`` can tell whether background work is happening at all.
- ``purge_expired_sessions`` (daily) deletes expired login sessions, as ``clearsessions`` does.

Huey evaluates crontabs in UTC (its default): 19:00 UTC is 02:00 in Semarang (WIB, UTC+7).
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, periodic_task

HEARTBEAT_KEY = "worker:last_run"


@periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    """Record that the worker is alive (kept without expiry: a stale time is the signal)."""
    cache.set(HEARTBEAT_KEY, timezone.now(), timeout=None)


def last_worker_run() -> dt.datetime | None:
    """When the worker last recorded its heartbeat; None if it never did (or the cache was lost)."""
    value = cache.get(HEARTBEAT_KEY)
    return value if isinstance(value, dt.datetime) else None


@db_periodic_task(crontab(hour="19", minute="0"))
def purge_expired_sessions() -> None:
    """Delete expired sessions from the session store (what ``manage.py clearsessions`` does)."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
