"""A monitoring check recorded by a volunteer closes that slot's task in their name, so the
Laporan Kinerja Relawan counts the task beside the check (it counted 0 tasks beside thousands of
checks: the rule closed every recorded slot in its own name)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from siaga.assessment import report as rpt
from siaga.health import services as health_services
from siaga.health.tests.conftest import make_case
from siaga.volunteers import services as volunteers
from siaga.volunteers.models import Task

VITALS = {"temperature_c": "36.8", "spo2": 98, "respiratory_rate": 18}


def test_a_recorded_slot_is_a_done_monitoring_task_of_the_volunteer(world: Any) -> None:
    relawan, warga = world.users["relawan.rw006"], world.users["warga.rt003"]
    profile = volunteers.register_volunteer(
        actor=world.users["root"], rw=world.t["rw006"], name="Relawan Sehat", user=relawan
    )
    case = make_case(world, "rt003", days_ago=3)
    day = timezone.localdate() - dt.timedelta(days=1)
    pagi = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 10)))
    sore = timezone.make_aware(dt.datetime.combine(day, dt.time(17, 5)))
    check, _ = health_services.record_monitoring(
        actor=relawan, case=case, data={**VITALS, "method": "kunjungan", "taken_at": pagi}
    )
    health_services.record_monitoring(
        actor=warga, case=case, data={**VITALS, "method": "mandiri", "taken_at": sore}
    )

    assert health_services.ensure_monitoring_tasks(day=day) == 2

    done = Task.objects.get(kind="monitoring", source_key__endswith=f"{day:%Y-%m-%d}:pagi")
    assert done.state == "selesai" and done.closed_at == check.taken_at
    assert (done.taken_by, done.closed_by, done.assignee) == (relawan, relawan, profile)
    # A self-report is nobody's task work: the rule closes that slot in its own name.
    own = Task.objects.get(kind="monitoring", source_key__endswith=f"{day:%Y-%m-%d}:sore")
    assert own.state == "selesai" and own.taken_by is None and own.assignee is None

    access = rpt.report_access(world.users["pengurus.rw006"], world.t["rw006"])
    figures = rpt.volunteer_report(access, rpt.Period(day, day)).total.current
    assert figures.monitoring == 1
    assert figures.tasks_by_kind.get("monitoring") == 1
    assert figures.tasks_on_time == figures.tasks_with_due == 1
