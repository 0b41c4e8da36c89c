"""Periodic health work, run by the Huey consumer (``siaga worker``). Crontabs are in UTC.

- ``escalate_referrals`` (every 5 minutes): unacknowledged darurat/rujuk referrals past their
  deadline go to the kelurahan facilitators.
- ``flag_missed_monitoring`` (every 15 minutes): slots whose deadline passed without a record are
  flagged once to the RW health team.
- ``monitoring_tasks`` (every 30 minutes): one volunteers' task per due monitoring slot of today.
- ``nightly_zones`` (17:30 UTC = 00:30 WIB): keep yesterday's zone of every RT.

Each task calls a service with an explicit ``now``, which the tests call directly.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from siaga.health import services, zoning


@db_periodic_task(crontab(minute="*/5"))
def escalate_referrals() -> int:
    return services.escalate_overdue_referrals(now=timezone.now())


@db_periodic_task(crontab(minute="*/15"))
def flag_missed_monitoring() -> int:
    return services.flag_missed_slots(now=timezone.now())


def monitoring_for_now(now: dt.datetime) -> int:
    return services.ensure_monitoring_tasks(day=timezone.localtime(now).date(), now=now)


@db_periodic_task(crontab(minute="*/30"))
def monitoring_tasks() -> int:
    return monitoring_for_now(timezone.now())


def zones_for_yesterday(now: dt.datetime) -> int:
    yesterday = timezone.localtime(now).date() - dt.timedelta(days=1)
    return zoning.store_days(yesterday, yesterday).rows_written


@db_periodic_task(crontab(hour="17", minute="30"))
def nightly_zones() -> int:
    return zones_for_yesterday(timezone.now())
