"""Periodic refresh of the indicator aggregates, run by the Huey consumer. Crontabs are in UTC.

- ``refresh_today`` (hourly, at minute 40): today and yesterday (late records, closing clocks).
- ``refresh_nightly`` (18:30 UTC = 01:30 WIB): the last 14 days, so late entries, resolved
  complaints and acknowledged referrals reach the figures of the days they belong to.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from siaga.indicators import services

NIGHTLY_DAYS = 14


@db_periodic_task(crontab(minute="40"))
def refresh_today() -> int:
    today = timezone.localdate()
    run = services.refresh(day_from=today - dt.timedelta(days=1), day_to=today, trigger="hourly")
    return run.rows


@db_periodic_task(crontab(hour="18", minute="30"))
def refresh_nightly() -> int:
    today = timezone.localdate()
    run = services.refresh(
        day_from=today - dt.timedelta(days=NIGHTLY_DAYS), day_to=today, trigger="nightly"
    )
    return run.rows
