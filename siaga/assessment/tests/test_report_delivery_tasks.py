"""A delivery recorded by a volunteer closes the request's delivery task in their name at the
delivery's time, so the Laporan Kinerja Relawan counts the task beside the delivery (it showed
"Penyaluran bantuan 0" beside 1,575 deliveries: the task was closed by nobody)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from siaga.assessment import report as rpt
from siaga.logistics import services as logistics
from siaga.logistics.tests.conftest import make_lumbung
from siaga.volunteers import services as volunteers
from siaga.volunteers.models import Task


def test_a_delivery_recorded_by_a_volunteer_counts_as_their_delivery_task(world: Any) -> None:
    relawan = world.users["relawan.rw006"]
    profile = volunteers.register_volunteer(
        actor=world.users["root"], rw=world.t["rw006"], name="Relawan Antar", user=relawan
    )
    lumbung = make_lumbung(world)
    day = timezone.localdate() - dt.timedelta(days=1)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))
    aid = logistics.request_aid(actor=relawan, household=world.households["rt003"], for_day=day)
    logistics.deliver(
        actor=relawan, request=aid, posko=lumbung.posko, received_by="Siti", delivered_at=at
    )

    task = Task.objects.get(kind="delivery", source_key=f"aid:{aid.pk}")
    assert task.state == "selesai" and task.closed_at == at
    assert (task.taken_by, task.closed_by, task.assignee) == (relawan, relawan, profile)

    access = rpt.report_access(world.users["pengurus.rw006"], world.t["rw006"])
    figures = rpt.volunteer_report(access, rpt.Period(day, day)).total.current
    assert figures.tasks_by_kind.get("delivery") == 1
    assert figures.tasks_on_time == figures.tasks_with_due == 1
