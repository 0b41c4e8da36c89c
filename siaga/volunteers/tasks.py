"""Periodic volunteer work, run by the Huey consumer (``siaga worker``). Crontabs are in UTC.

- ``monitoring_tasks`` (every 30 minutes): one task per due monitoring slot of today.
- ``shift_gap_tasks`` (hourly): a task for every under-staffed shift of the coming week.
- ``escalate_tasks`` (every 10 minutes): overdue open tasks go once to the RW's pengurus.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from siaga.volunteers import services


def monitoring_for_now(now: dt.datetime) -> int:
    return services.ensure_monitoring_tasks(day=timezone.localtime(now).date(), now=now)


@db_periodic_task(crontab(minute="*/30"))
def monitoring_tasks() -> int:
    return monitoring_for_now(timezone.now())


@db_periodic_task(crontab(minute="5"))
def shift_gap_tasks() -> int:
    return services.ensure_shift_gap_tasks(today=timezone.localdate(), days=7)


@db_periodic_task(crontab(minute="*/10"))
def escalate_tasks() -> int:
    return services.escalate_overdue_tasks(now=timezone.now())
