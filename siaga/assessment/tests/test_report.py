"""Laporan Kinerja Relawan: the figures on a small world, the previous period, rollups, the
narrative service and the bounded number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from siaga.accounts.models import User
from siaga.accounts.services import add_membership
from siaga.assessment import report as rpt
from siaga.assessment.models import Feedback, ReportNarrative
from siaga.assessment.report.services import save_narrative
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditEntry, Contribution
from siaga.core.roles import Role
from siaga.health.models import Case, Monitoring, Protocol, Referral
from siaga.logistics.models import AidRequest, Delivery, PackageTemplate
from siaga.volunteers.models import Posko, Shift, ShiftAssignment, Task, Team, Volunteer

PERIOD = rpt.Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


OCT = dt.date(2026, 10, 5)
SEP = dt.date(2026, 9, 10)


@dataclass
class ReportWorld:
    world: Any
    ani: Volunteer  # RW 006, account relawan.rw006, team Kesehatan
    bayu: Volunteer  # RW 006, no account, team Kesehatan
    citra: Volunteer  # RW 007, account citra
    dedi: Volunteer  # RW 006, inactive and idle: left out
    team: Team


def make_report_world(world: Any) -> ReportWorld:
    root = world.users["root"]
    rw006, rw007 = world.t["rw006"], world.t["rw007"]
    relawan = world.users["relawan.rw006"]
    citra_user = User.objects.create_user("citra", password="citra-pass-123")
    add_membership(actor=root, user=citra_user, role=Role.RELAWAN, territory=rw007)
    ani = Volunteer.objects.create(rw=rw006, user=relawan, name="Ani", status="active")
    bayu = Volunteer.objects.create(rw=rw006, name="Bayu", status="active")
    citra = Volunteer.objects.create(rw=rw007, user=citra_user, name="Citra", status="active")
    dedi = Volunteer.objects.create(rw=rw006, name="Dedi", status="inactive")
    team = Team.objects.create(rw=rw006, name="Tim Kesehatan", kind="kesehatan")
    team.members.add(ani, bayu)

    posko = Posko.objects.create(rw=rw006, name="Posko 006", kind="posko")
    posko7 = Posko.objects.create(rw=rw007, name="Posko 007", kind="posko")

    def shift(p: Posko, day: dt.date, start: int, end: int) -> Shift:
        return Shift.objects.create(
            posko=p, rw=p.rw, name="pagi", day=day, starts_at=at(day, start), ends_at=at(day, end)
        )

    s1 = shift(posko, OCT, 8, 14)
    ShiftAssignment.objects.create(
        shift=s1, volunteer=ani, checked_in_at=at(OCT, 8), checked_out_at=at(OCT, 14)
    )
    ShiftAssignment.objects.create(shift=s1, volunteer=bayu)  # assigned, never came
    s2 = shift(posko, OCT + dt.timedelta(days=1), 14, 20)
    ShiftAssignment.objects.create(
        shift=s2,
        volunteer=bayu,
        checked_in_at=at(OCT + dt.timedelta(days=1), 14),
        checked_out_at=at(OCT + dt.timedelta(days=1), 17, 30),
    )
    s_sep = shift(posko, SEP, 8, 12)
    ShiftAssignment.objects.create(
        shift=s_sep, volunteer=ani, checked_in_at=at(SEP, 8), checked_out_at=at(SEP, 12)
    )
    s7 = shift(posko7, OCT, 8, 12)
    ShiftAssignment.objects.create(
        shift=s7, volunteer=citra, checked_in_at=at(OCT, 8), checked_out_at=at(OCT, 10)
    )

    def task(kind: str, *, closed: dt.datetime, due: dt.datetime | None = None, **kw: Any) -> Task:
        return Task.objects.create(
            territory=kw.pop("territory", world.t["rt003"]),
            kind=kind,
            title=f"{kind} task",
            state="selesai",
            due_at=due,
            closed_at=closed,
            **kw,
        )

    task("monitoring", closed=at(OCT, 10), due=at(OCT, 12), assignee=ani)  # on time
    task("delivery", closed=at(OCT, 18), due=at(OCT, 12), assignee=ani)  # late
    task("manual", closed=at(OCT, 9), team=team, taken_by=relawan)  # credited to Ani
    task("manual", closed=at(SEP, 9), assignee=bayu)  # previous period
    Task.objects.create(territory=world.t["rt003"], kind="manual", title="open", assignee=ani)

    protocol = Protocol.objects.order_by("id").first()
    assert protocol is not None
    household = world.households["rt003"]
    resident = world.residents["rt003"]
    case = Case.objects.create(
        rt=world.t["rt003"],
        household=household,
        resident=resident,
        category="konfirmasi",
        specimen_on=OCT,
        isolation_place="isoman",
        protocol=protocol,
        isolation_ends_on=OCT + dt.timedelta(days=10),
    )

    def monitor(method: str, when: dt.datetime, recorder: Any = relawan) -> None:
        Monitoring.objects.create(
            rt=case.rt,
            household=household,
            case=case,
            taken_at=when,
            day=when.date(),
            slot="pagi",
            method=method,
            recorder=recorder,
            triage="normal",
            protocol=protocol,
        )

    monitor("kunjungan", at(OCT, 9))
    monitor("telepon", at(OCT, 17))
    monitor("mandiri", at(OCT, 18))  # a self-report is not the volunteer's work
    monitor("kunjungan", at(SEP, 9))

    template = PackageTemplate.objects.create(rw=rw006, name="Paket")
    for day in (OCT, OCT + dt.timedelta(days=2)):
        request = AidRequest.objects.create(
            household=household,
            rt=household.rt,
            template=template,
            for_day=day,
            source="warga",
            state="dikirim",
        )
        Delivery.objects.create(
            request=request,
            household=household,
            rt=household.rt,
            posko=posko,
            delivered_by=relawan,
            delivered_at=at(day, 11),
            received_by="Siti",
        )
    # A delivery in RW 007 by Citra's account: a different household.
    h7 = world.households["rw007rt001"]
    r7 = AidRequest.objects.create(
        household=h7, rt=h7.rt, template=template, for_day=OCT, source="warga", state="dikirim"
    )
    Delivery.objects.create(
        request=r7,
        household=h7,
        rt=h7.rt,
        posko=posko7,
        delivered_by=citra_user,
        delivered_at=at(OCT, 12),
        received_by="Budi",
    )

    Referral.objects.create(
        rt=case.rt,
        household=household,
        resident=resident,
        case=case,
        level="rujuk",
        state="selesai",
        outcome="isoman",
        created_at=at(OCT, 8),
        acknowledge_by=at(OCT, 12),
        acknowledged_at=at(OCT, 10),
        acknowledged_by=relawan,
        completed_at=at(OCT, 15),
        completed_by=relawan,
    )
    for rating, when in ((5, at(OCT, 12)), (3, at(OCT, 13)), (2, at(SEP, 12))):
        Feedback.objects.create(
            rt=world.t["rt003"],
            household=None,
            anonymous=True,
            service="delivery",
            volunteer=ani,
            rating=rating,
            created_at=when,
        )
    return ReportWorld(world=world, ani=ani, bayu=bayu, citra=citra, dedi=dedi, team=team)


@pytest.fixture
def rw(world: Any) -> ReportWorld:
    return make_report_world(world)


def full_report(user: Any, code: str, period: rpt.Period = PERIOD) -> rpt.VolunteerReport:
    return rpt.volunteer_report(rpt.report_access(user, code), period)


def test_period_previous_has_same_length_just_before() -> None:
    previous = PERIOD.previous()
    assert previous == rpt.Period(dt.date(2026, 8, 31), dt.date(2026, 9, 30))
    assert previous.days == PERIOD.days == 31


def test_parse_period_refuses_bad_input() -> None:
    with pytest.raises(rpt.ReportRefused, match="YYYY-MM-DD"):
        rpt.parse_period("2026-13-01", "2026-10-31")
    with pytest.raises(rpt.ReportRefused, match="after it ends"):
        rpt.parse_period("2026-10-31", "2026-10-01")
    with pytest.raises(rpt.ReportRefused, match="at most"):
        rpt.parse_period("2024-01-01", "2026-10-01")
    assert rpt.parse_period("2026-10-01", "2026-10-31") == PERIOD


def test_figures_per_volunteer(rw: ReportWorld) -> None:
    report = full_report(rw.world.users["lurah.panggunglor"], "33.74.02.1006")
    rows = {row.name: row for row in report.volunteers}
    assert set(rows) == {"Ani", "Bayu", "Citra"}  # Dedi: inactive with no work
    ani = rows["Ani"].current
    assert (ani.shifts, ani.shifts_served, ani.hours) == (1, 1, 6.0)
    assert ani.tasks_done == 3
    assert ani.tasks_by_kind == {"monitoring": 1, "delivery": 1, "manual": 1}
    assert (ani.tasks_with_due, ani.tasks_on_time, ani.on_time_rate) == (2, 1, 50.0)
    assert (ani.monitoring, ani.visits) == (2, 1)
    assert (ani.deliveries, ani.households) == (2, 1)
    assert (ani.referrals_acknowledged, ani.referrals_completed) == (1, 1)
    assert ani.response_hours == 2.0
    assert (ani.feedback_count, ani.rating) == (2, 4.0)
    assert rows["Ani"].teams == ["Tim Kesehatan"]

    bayu = rows["Bayu"].current
    assert (bayu.shifts, bayu.shifts_served, bayu.hours) == (2, 1, 3.5)
    assert bayu.tasks_done == 0 and bayu.on_time_rate is None and bayu.rating is None
    citra = rows["Citra"].current
    assert (citra.hours, citra.deliveries, citra.households) == (2.0, 1, 1)


def test_previous_period_comparison(rw: ReportWorld) -> None:
    report = full_report(rw.world.users["pengurus.rw006"], "33.74.02.1006.006")
    rows = {row.name: row for row in report.volunteers}
    assert set(rows) == {"Ani", "Bayu"}
    ani = rows["Ani"]
    assert (ani.previous.hours, ani.previous.monitoring, ani.previous.rating) == (4.0, 1, 2.0)
    assert ani.hours_change == 2.0
    assert rows["Bayu"].previous.tasks_done == 1 and rows["Bayu"].tasks_change == -1
    comparison = {r["key"]: r for r in report.comparison()}
    assert comparison["hours"]["current"] == 9.5
    assert comparison["hours"]["previous"] == 4.0
    assert comparison["hours"]["change"] == 5.5
    assert comparison["tasks_done"]["change"] == 2  # 3 now, 1 before
    assert report.previous_period == rpt.Period(dt.date(2026, 8, 31), dt.date(2026, 9, 30))


def test_rollups_per_team_rw_kelurahan(rw: ReportWorld) -> None:
    report = full_report(rw.world.users["fasilitator.kota"], "33.74")
    assert [r.label for r in report.rws] == ["RW 006", "RW 007"]
    rw006, rw007 = report.rws
    assert (rw006.volunteers, rw006.current.hours, rw007.current.hours) == (2, 9.5, 2.0)
    assert [(k.label, k.volunteers) for k in report.kelurahan] == [("Panggung Lor", 3)]
    (team,) = report.teams
    assert team.label == "Tim Kesehatan (RW 006)" and team.volunteers == 2
    assert team.current.hours == 9.5
    # Households are counted once across volunteers: the RW 006 household and the RW 007 one.
    assert report.total.current.households == 2
    assert report.total.current.tasks_done == 3
    assert report.place == "Kota Semarang"
    assert rpt.report_as_dict(report)["total"]["current"]["hours"] == 11.5


def test_place_name_goes_up_to_the_city(rw: ReportWorld) -> None:
    report = full_report(rw.world.users["admin"], "33.74.02.1006.006")
    assert report.place == "RW 006, Panggung Lor, Semarang Utara, Kota Semarang"


def test_relawan_sees_only_own_row(rw: ReportWorld) -> None:
    access = rpt.report_access(rw.world.users["relawan.rw006"], "33.74.02.1006.006")
    assert access.own_only and access.volunteer_ids == {rw.ani.pk}
    report = rpt.volunteer_report(access, PERIOD)
    assert [row.name for row in report.volunteers] == ["Ani"]
    assert report.total.volunteers == 1 and report.total.current.hours == 6.0


def test_access_refusals(rw: ReportWorld) -> None:
    users = rw.world.users
    with pytest.raises(Http404):
        rpt.report_access(users["pengurus.rw006"], "33.74.02.1006.007")
    with pytest.raises(Http404):
        rpt.report_access(users["warga.rt003"], "33.74.02.1006.006")
    with pytest.raises(Http404):
        rpt.report_access(users["admin"], "99.99")
    with pytest.raises(rpt.ReportRefused, match="not an RT"):
        rpt.report_access(users["pengurus.rt003"], "33.74.02.1006.006.003")


def test_queries_do_not_grow_with_volunteers(
    rw: ReportWorld, django_assert_max_num_queries: Any
) -> None:
    user = rw.world.users["admin"]
    access = rpt.report_access(user, "33.74")
    with django_assert_max_num_queries(26) as small:
        rpt.volunteer_report(access, PERIOD)
    rw006 = rw.world.t["rw006"]
    for i in range(30):
        extra = User.objects.create_user(f"v{i}", password="x-pass-12345")
        volunteer = Volunteer.objects.create(rw=rw006, user=extra, name=f"V{i}", status="active")
        rw.team.members.add(volunteer)
        Feedback.objects.create(
            rt=rw.world.t["rt003"], anonymous=True, service="other", volunteer=volunteer, rating=4
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        bigger = rpt.volunteer_report(access, PERIOD)
    assert len(bigger.volunteers) == 33


def test_narrative_saved_audited_and_recorded(rw: ReportWorld) -> None:
    world = rw.world
    pengurus = world.users["pengurus.rw006"]
    narrative = save_narrative(
        actor=pengurus, territory=world.t["rw006"], period=PERIOD, text="  Bulan yang baik.  "
    )
    assert narrative is not None and narrative.text == "Bulan yang baik."
    again = save_narrative(
        actor=pengurus, territory=world.t["rw006"], period=PERIOD, text="Lebih baik."
    )
    assert again is not None and again.pk == narrative.pk
    assert ReportNarrative.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="assessment.reportnarrative").count() == 2
    assert Contribution.objects.filter(kind="report_narrative", phase="co_assessment").count() == 2
    report = full_report(pengurus, "33.74.02.1006.006")
    assert report.narrative == "Lebih baik."
    save_narrative(
        actor=pengurus,
        territory=world.t["rw006"],
        period=PERIOD,
        text="Rajin.",
        volunteer=rw.ani,
    )
    rows = {r.name: r for r in full_report(pengurus, "33.74.02.1006.006").volunteers}
    assert rows["Ani"].narrative == "Rajin." and rows["Bayu"].narrative == ""
    assert (
        save_narrative(actor=pengurus, territory=world.t["rw006"], period=PERIOD, text="") is None
    )
    assert ReportNarrative.objects.filter(volunteer__isnull=True).count() == 0


def test_narrative_refusals_change_nothing(rw: ReportWorld) -> None:
    world = rw.world
    with pytest.raises(Http404):
        save_narrative(
            actor=world.users["relawan.rw006"], territory=world.t["rw006"], period=PERIOD, text="x"
        )
    with pytest.raises(Http404):
        save_narrative(
            actor=world.users["pengurus.rw006"], territory=world.t["rw007"], period=PERIOD, text="x"
        )
    with pytest.raises(ValidationFailed):
        save_narrative(
            actor=world.users["pengurus.rw006"],
            territory=world.t["rw006"],
            period=PERIOD,
            text="x",
            volunteer=rw.citra,
        )
    with pytest.raises(ValidationFailed):
        save_narrative(
            actor=world.users["pengurus.rw006"],
            territory=world.t["rw006"],
            period=PERIOD,
            text="x" * 6000,
        )
    assert ReportNarrative.objects.count() == 0
    assert not Contribution.objects.filter(kind="report_narrative").exists()
