"""Periodic volunteer work, run by the Huey consumer (``siaga worker``). Crontabs are in UTC.
(The monitoring tasks are made by health: ``siaga.health.tasks.monitoring_tasks``.)

- ``shift_gap_tasks`` (hourly): a task for every under-staffed shift of the coming week.
- ``escalate_tasks`` (every 10 minutes): overdue open tasks go once to the RW's pengurus.
"""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from siaga.volunteers import services


@db_periodic_task(crontab(minute="5"))
def shift_gap_tasks() -> int:
    return services.ensure_shift_gap_tasks(today=timezone.localdate(), days=7)


@db_periodic_task(crontab(minute="*/10"))
def escalate_tasks() -> int:
    return services.escalate_overdue_tasks(now=timezone.now())
