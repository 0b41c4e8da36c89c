"""Work that health makes for the volunteers: one task per due monitoring slot.

Health makes work for the volunteers, never the other way round (docs/adr/0009).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.health import protocols as rules
from siaga.health import selectors
from siaga.health.models import Case, Contact, Method, Monitoring, ProtocolKind
from siaga.volunteers.models import OPEN_TASK_STATES, Priority, TaskKind
from siaga.volunteers.services import close_rule_task, ensure_task


def ensure_monitoring_tasks(*, day: dt.date, now: dt.datetime | None = None) -> int:
    """One volunteers' task per due monitoring slot (pagi, sore) of every isolating case and
    quarantined contact on ``day``; slots already recorded close their task, credited to the
    volunteer who recorded the check at its time (the volunteer report counts it). Returns tasks
    created.

    Health makes work for the volunteers, never the other way round (docs/adr/0009)."""
    now = now or timezone.now()
    params = rules.triage_params(rules.in_force(ProtocolKind.TRIAGE, day))
    tz = timezone.get_current_timezone()
    deadlines = {
        "pagi": timezone.make_aware(dt.datetime.combine(day, params.pagi_until), tz),
        "sore": timezone.make_aware(dt.datetime.combine(day, params.sore_until), tz),
    }
    cases, contacts = selectors.monitored_subjects(Case.objects.all(), Contact.objects.all(), day)
    # Who recorded each slot first (a self-report is nobody's task work) and when.
    done: dict[tuple[Any, Any, str], tuple[Any, dt.datetime]] = {}
    for record in (
        Monitoring.objects.filter(day=day).select_related("recorder").order_by("taken_at", "pk")
    ):
        by = record.recorder if record.method != Method.MANDIRI else None
        done.setdefault((record.case_id, record.contact_id, record.slot), (by, record.taken_at))
    created = 0
    with transaction.atomic():
        for kind, subjects in (("case", cases), ("contact", contacts)):
            for subject in subjects:
                for slot, due in deadlines.items():
                    key = (subject.pk, None) if kind == "case" else (None, subject.pk)
                    recorded = done.get((*key, slot))
                    task, new = ensure_task(
                        source_key=selectors.monitoring_task_key(kind, subject.pk, day, slot),
                        territory_id=subject.rt_id,
                        kind=TaskKind.MONITORING,
                        title=_("Monitoring %(slot)s: %(kind)s #%(id)s")
                        % {"slot": slot, "kind": kind, "id": subject.pk},
                        due_at=due,
                        priority=Priority.HIGH,
                        team_kind="kesehatan",
                        subject=subject,
                    )
                    created += int(new)
                    if recorded and task.state in OPEN_TASK_STATES:
                        close_rule_task(task, done_by=recorded[0], at=recorded[1])
    return created
