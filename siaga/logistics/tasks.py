"""Periodic logistics work, run by the Huey consumer (``siaga worker``). Crontabs are in UTC.

- ``daily_aid_proposals`` (22:00 UTC = 05:00 WIB): an aid request and delivery task for every
  household with an active home isolation.
- ``flag_undelivered_aid`` (hourly): isolating households with no delivery for over 24 hours.
"""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from siaga.logistics import services


@db_periodic_task(crontab(hour="22", minute="0"))
def daily_aid_proposals() -> int:
    return services.propose_isolation_aid(day=timezone.localdate())


@db_periodic_task(crontab(minute="20"))
def flag_undelivered_aid() -> int:
    return services.flag_undelivered(now=timezone.now())
