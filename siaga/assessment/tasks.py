"""Periodic co-assessment work, run by the Huey consumer (``siaga worker``).

- ``escalate_overdue_complaints`` (every 15 minutes): complaints the RW pengurus did not answer
  within three days go to the kelurahan (idempotent; see ``services.escalate_overdue``).
"""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from siaga.assessment import services


@db_periodic_task(crontab(minute="*/15"))
def escalate_overdue_complaints() -> int:
    return services.escalate_overdue(now=timezone.now())
