"""Registry background work, run by the Huey consumer (``siaga worker``). Crontabs are in UTC.

- ``validate_import`` / ``run_import``: the web import wizard's checking and writing phases
  (registry.import_jobs keeps the job's state and progress).
- ``purge_import_uploads`` (hourly): delete uploaded spreadsheets left for more than a day.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from siaga.registry import import_jobs


@db_task()
def validate_import(import_id: str) -> None:
    import_jobs.validate(import_id)


@db_task()
def run_import(import_id: str) -> None:
    import_jobs.execute(import_id)


@db_periodic_task(crontab(minute="23"))
def purge_import_uploads() -> int:
    return import_jobs.purge_uploads()
