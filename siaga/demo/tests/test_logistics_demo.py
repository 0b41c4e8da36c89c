"""The volunteers and logistics demos: consistent ledger, tasks in every state, idempotent."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.utils import timezone

from siaga.assessment import report as rpt
from siaga.core.models import Contribution
from siaga.demo.logistics import build_logistics_demo
from siaga.demo.volunteers import build_volunteers_demo, history_start
from siaga.logistics.models import (
    Equipment,
    KitchenDay,
    PackageTemplate,
    StockBalance,
    StockMovement,
)
from siaga.logistics.tests.conftest import make_case
from siaga.volunteers.models import Posko, Shift, ShiftTemplate, Task, Volunteer


def test_demos_are_consistent_and_idempotent(world: Any) -> None:
    make_case(world, "rt003")
    today = timezone.localdate()
    volunteers = build_volunteers_demo(seed=1, today=today)
    logistics = build_logistics_demo(seed=1, today=today)
    assert volunteers.counts["shifts"] and logistics.counts["deliveries"] >= 3
    assert {"baru", "diambil", "selesai", "batal"} <= set(
        Task.objects.values_list("state", flat=True)
    )
    assert Shift.objects.exists()
    for balance in StockBalance.objects.all():
        ledger = StockMovement.objects.filter(item=balance.item, posko=balance.posko).aggregate(
            s=Sum("delta")
        )["s"]
        assert balance.quantity == ledger and balance.quantity >= 0
    before = (Task.objects.count(), StockMovement.objects.count())
    assert build_volunteers_demo(seed=1, today=today).skipped_reason == "already"
    assert build_logistics_demo(seed=1, today=today).skipped_reason == "already"
    assert (Task.objects.count(), StockMovement.objects.count()) == before


def test_demos_include_templates_kitchen_packages_equipment_and_transfers(world: Any) -> None:
    make_case(world, "rt003")
    today = timezone.localdate()
    build_volunteers_demo(seed=2, today=today)
    build_logistics_demo(seed=2, today=today)
    rw = world.t["rw006"]
    # Shift templates at the posko and at the entry post; the posko's piket is on the roster.
    with_templates = set(ShiftTemplate.objects.filter(rw=rw).values_list("posko__kind", flat=True))
    assert with_templates == {"posko", "entry_post"}
    piket = ShiftTemplate.objects.get(rw=rw, name="piket")
    assert Shift.objects.filter(template=piket).exists()
    assert not Shift.objects.filter(template=piket, day__week_day=1).exists()  # no Sundays
    assert KitchenDay.objects.filter(rw=rw).count() == 14
    assert set(PackageTemplate.objects.filter(rw=rw).values_list("name", flat=True)) == {
        "Sembako harian isoman",
        "Paket lansia",
    }
    assert set(Equipment.objects.filter(rw=rw).values_list("kind", flat=True)) == {
        "oximeter",
        "thermometer",
    }
    kitchen = Posko.objects.get(rw=rw, kind="kitchen")
    assert StockBalance.objects.get(posko=kitchen, item__name="Beras").quantity == 5
    kinds = set(StockMovement.objects.filter(rw=rw).values_list("kind", flat=True))
    assert {"transfer_out", "transfer_in", "kitchen", "aid"} <= kinds


def test_demo_work_fills_a_whole_month_of_the_volunteer_report(world: Any) -> None:
    """Shifts, tasks and deliveries reach back to the start of the previous month and are
    credited to volunteers with accounts, so last month's Laporan Kinerja Relawan has content."""
    import datetime as dt

    make_case(world, "rt003", days_ago=3)
    today = timezone.localdate()
    build_volunteers_demo(seed=3, today=today)
    build_logistics_demo(seed=3, today=today)
    rw = world.t["rw006"]
    since = history_start(today)
    assert Shift.objects.filter(rw=rw, day=since).exists()
    field = Volunteer.objects.filter(rw=rw, user__isnull=False)
    assert 1 <= field.count() <= 3
    assert field.filter(user__memberships__territory=rw, user__memberships__role="relawan").exists()
    access = rpt.report_access(world.users["pengurus.rw006"], rw)
    last_month = rpt.volunteer_report(access, rpt.last_month(today)).total.current
    assert last_month.shifts_served > 0 and last_month.hours > 0
    assert last_month.tasks_done > 0 and last_month.tasks_with_due == last_month.tasks_done
    recent = rpt.volunteer_report(
        access, rpt.Period(today - dt.timedelta(days=3), today)
    ).total.current
    assert recent.deliveries > 0


def test_demo_co_delivery_acts_reach_the_contribution_ledger_once(world: Any) -> None:
    """The demos bulk-create their records and write, with them, the ledger rows the services
    would have written (volunteers, residents' self-reports, government), never twice."""
    make_case(world, "rt003", days_ago=3)  # through the service: its contribution exists
    today = timezone.localdate()
    build_volunteers_demo(seed=4, today=today)
    build_logistics_demo(seed=4, today=today)
    acts = Contribution.objects.filter(phase="co_delivery")
    kinds = set(acts.values_list("kind", flat=True))
    assert {"volunteers.check_in", "tasks.complete", "logistics.delivery"} <= kinds
    # The small records went through the services, which wrote their own entries.
    assert {"volunteers.team", "volunteers.register", "logistics.item", "logistics.loan"} <= kinds
    assert acts.filter(kind="case_reported").count() == 1  # the service's, not a second one
    check_ins = acts.filter(kind="volunteers.check_in")
    assert set(check_ins.values_list("actor_group", flat=True)) == {"volunteer"}
    assert check_ins.filter(actor__isnull=True, person_key__startswith="resident:").exists()
    assert acts.filter(kind="logistics.delivery", actor__isnull=False).exists()
    # One entry per act and object, each pointing at its record.
    pairs = list(acts.exclude(object_id="").values_list("kind", "object_id"))
    assert len(pairs) == len(set(pairs))
    count = acts.count()
    assert build_volunteers_demo(seed=4, today=today).skipped_reason == "already"
    assert build_logistics_demo(seed=4, today=today).skipped_reason == "already"
    assert acts.count() == count


def test_demo_monitoring_checks_are_the_volunteers_done_monitoring_tasks(world: Any) -> None:
    """Each check a volunteer recorded in the demo wave is a done monitoring task of theirs, as
    the rule makes it: the volunteer report shows as many monitoring tasks as checks."""
    from siaga.demo.health import build_health_demo

    today = timezone.localdate()
    build_health_demo(seed=7, today=today)
    build_volunteers_demo(seed=7, today=today)
    build_logistics_demo(seed=7, today=today)
    access = rpt.report_access(world.users["admin"], world.t["33.74.02"])
    period = rpt.Period(history_start(today), today)
    figures = rpt.volunteer_report(access, period).total.current
    assert figures.monitoring > 0
    assert figures.tasks_by_kind.get("monitoring", 0) == figures.monitoring
    monitoring_tasks = Task.objects.filter(kind="monitoring")
    assert not monitoring_tasks.filter(state="selesai", closed_at__isnull=True).exists()
    assert monitoring_tasks.filter(assignee__isnull=False).count() >= figures.monitoring


def test_demo_deliveries_are_the_volunteers_done_delivery_tasks(world: Any) -> None:
    """Each past delivery of the demo is its courier's done delivery task, as ``deliver`` makes
    it: the report showed "Penyaluran bantuan 0" beside every delivery."""
    from siaga.demo.health import build_health_demo

    today = timezone.localdate()
    build_health_demo(seed=8, today=today)
    build_volunteers_demo(seed=8, today=today)
    build_logistics_demo(seed=8, today=today)
    access = rpt.report_access(world.users["admin"], world.t["33.74.02"])
    period = rpt.Period(history_start(today), today)
    figures = rpt.volunteer_report(access, period).total.current
    assert figures.deliveries > 0
    assert figures.tasks_by_kind.get("delivery", 0) == figures.deliveries
    tasks = Task.objects.filter(kind="delivery", state="selesai")
    assert not tasks.filter(closed_at__isnull=True).exists()
    assert tasks.filter(taken_by__isnull=False).count() >= figures.deliveries
