"""Services: cases, monitoring with triage and referral, escalation, missed slots, contacts,
zoning history. Time is passed in explicitly (``now``/``today``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditEntry, Contribution, Notification
from siaga.health import selectors, services, zoning
from siaga.health.models import (
    Case,
    Contact,
    MissedSlot,
    Protocol,
    ProtocolKind,
    Referral,
    ZoneDay,
)
from siaga.registry.models import Household, Resident

from .conftest import make_case


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_case_end_and_protocol_are_recorded(world: Any) -> None:
    case = make_case(world, days_ago=2)
    assert case.isolation_ends_on == case.specimen_on + dt.timedelta(days=10)
    assert case.protocol.name == "KMK 4641/2021"
    assert AuditEntry.objects.filter(object_type="health.case", action="create").count() == 1
    assert Contribution.objects.filter(kind="case_reported", phase="co_delivery").count() == 1


def test_past_case_uses_the_protocol_of_its_own_date(world: Any) -> None:
    case = services.create_case(
        actor=world.users["root"],
        data={
            "resident": world.residents["rt004"].pk,
            "category": "konfirmasi",
            "specimen_on": dt.date(2021, 1, 5),
            "confirmed_on": dt.date(2021, 1, 6),
            "onset_on": None,
            "isolation_place": "isoman",
        },
    )
    assert case.protocol.name == "KMK 413/2020"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"specimen_on": dt.date.today() + dt.timedelta(days=3)}, "specimen_on"),
        ({"confirmed_on": dt.date.today() - dt.timedelta(days=10)}, "confirmed_on"),
        ({"category": "positif"}, "category"),
        ({"confirmed_on": None}, "confirmed_on"),
    ],
)
def test_invalid_case_dates_are_refused(world: Any, change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_case(world, days_ago=3, **change)
    assert field in exc.value.errors
    assert not Case.objects.exists()


def test_home_isolation_check_records_unmet_conditions(world: Any) -> None:
    siti = Resident.objects.get(name="Siti rt004")  # born 1950, diabetes
    case = services.create_case(
        actor=world.users["pengurus.rw006"],
        data={
            "resident": siti.pk,
            "category": "konfirmasi",
            "specimen_on": timezone.localdate(),
            "confirmed_on": timezone.localdate(),
            "onset_on": None,
            "isolation_place": "isoman",
            "separate_room": True,
            "own_oximeter": False,
        },
    )
    assert case.eligibility_unmet == ["age", "comorbidity", "own_oximeter"]
    assert case.place_chosen_by == world.users["pengurus.rw006"]


def test_monitoring_fever_moves_the_planned_end(world: Any) -> None:
    case = make_case(world, days_ago=8)
    record, referral = services.record_monitoring(
        actor=world.users["relawan.rw006"],
        case=case,
        data={"method": "kunjungan", "temperature_c": 38.2, "spo2": 97, "symptoms": ["batuk"]},
    )
    case.refresh_from_db()
    assert record.triage == "waspada" and referral is None
    assert case.isolation_ends_on == timezone.localdate() + dt.timedelta(days=13)
    assert [r["code"] for r in case.end_reasons] == ["symptomatic"]


def test_darurat_opens_a_referral_and_alerts_the_rw_team_and_puskesmas(world: Any) -> None:
    case = make_case(world)
    puskesmas_user = world.users["lurah.panggunglor"]
    now = timezone.now()
    record, referral = services.record_monitoring(
        actor=world.users["relawan.rw006"],
        case=case,
        data={"method": "telepon", "spo2": 91},
        now=now,
    )
    assert record.triage == "darurat" and referral is not None
    assert referral.acknowledge_by == now + dt.timedelta(hours=1)
    alerted = set(
        Notification.objects.filter(kind="referral_darurat").values_list(
            "recipient__username", flat=True
        )
    )
    assert alerted == {"pengurus.rw006", "pengurus.rt003", "relawan.rw006", puskesmas_user.username}
    bodies = " ".join(Notification.objects.values_list("body", flat=True))
    assert "Siti" not in bodies and "Budi" not in bodies
    # a second danger sign does not open a second referral
    _r2, again = services.record_monitoring(
        actor=world.users["relawan.rw006"], case=case, data={"spo2": 90}, now=now
    )
    assert again == referral and Referral.objects.count() == 1


def test_rujuk_referral_escalates_after_24_hours_only(world: Any) -> None:
    case = make_case(world)
    staff = world.users["puskesmas.bandarharjo"]
    puskesmas = services.create_puskesmas(
        actor=world.users["root"],
        name="Puskesmas Bandarharjo",
        location=world.t["33.74.02.1001"],
        area=[world.t["33.74.02.1001"], world.t["33.74.02.1006"]],
        staff=[staff],
    )
    now = timezone.now()
    _rec, referral = services.record_monitoring(
        actor=world.users["relawan.rw006"], case=case, data={"spo2": 94}, now=now
    )
    assert referral is not None and referral.level == "rujuk" and referral.puskesmas == puskesmas
    assert Notification.objects.filter(recipient=staff, kind="referral_rujuk").exists()
    assert services.escalate_overdue_referrals(now=now + dt.timedelta(hours=23, minutes=59)) == 0
    assert services.escalate_overdue_referrals(now=now + dt.timedelta(hours=24)) == 1
    assert services.escalate_overdue_referrals(now=now + dt.timedelta(hours=30)) == 0  # once
    escalated = set(
        Notification.objects.filter(kind="referral_escalated").values_list(
            "recipient__username", flat=True
        )
    )
    assert escalated == {"lurah.panggunglor"}


def test_darurat_escalates_after_one_hour_unless_acknowledged(world: Any) -> None:
    now = timezone.now()
    first = make_case(world)
    _r, ref1 = services.record_monitoring(
        actor=world.users["relawan.rw006"], case=first, data={"spo2": 90}, now=now
    )
    second = make_case(world, "rt004")
    _r, ref2 = services.record_monitoring(
        actor=world.users["relawan.rw006"], case=second, data={"respiratory_rate": 32}, now=now
    )
    assert ref1 is not None and ref2 is not None
    services.acknowledge_referral(
        actor=world.users["lurah.panggunglor"], referral=ref2, now=now + dt.timedelta(minutes=30)
    )
    assert services.escalate_overdue_referrals(now=now + dt.timedelta(minutes=59)) == 0
    assert services.escalate_overdue_referrals(now=now + dt.timedelta(minutes=61)) == 1
    ref1.refresh_from_db()
    ref2.refresh_from_db()
    assert ref1.escalated_at is not None and ref2.escalated_at is None


def test_referral_states_and_case_move(world: Any) -> None:
    case = make_case(world)
    _r, referral = services.record_monitoring(
        actor=world.users["relawan.rw006"], case=case, data={"spo2": 93}
    )
    assert referral is not None
    with pytest.raises(ValidationFailed):
        services.complete_referral(
            actor=world.users["lurah.panggunglor"], referral=referral, outcome=""
        )
    manager = world.users["lurah.panggunglor"]
    services.acknowledge_referral(actor=manager, referral=referral)
    with pytest.raises(ValidationFailed):
        services.acknowledge_referral(actor=manager, referral=referral)
    services.complete_referral(actor=manager, referral=referral, outcome="terpusat")
    referral.refresh_from_db()
    case.refresh_from_db()
    assert referral.state == "selesai" and referral.acknowledged_at and referral.completed_at
    assert case.isolation_place == "terpusat"


def test_relawan_cannot_acknowledge(world: Any) -> None:
    from django.http import Http404

    case = make_case(world)
    _r, referral = services.record_monitoring(
        actor=world.users["relawan.rw006"], case=case, data={"spo2": 93}
    )
    assert referral is not None
    with pytest.raises(Http404):
        services.acknowledge_referral(actor=world.users["relawan.rw006"], referral=referral)


def test_missed_slots_are_flagged_once_to_the_rw_team(world: Any) -> None:
    case = make_case(world)
    other = make_case(world, "rt004")
    today = timezone.localdate()
    services.record_monitoring(
        actor=world.users["relawan.rw006"],
        case=other,
        data={"spo2": 98},
        now=at(today, 8),
    )
    assert services.flag_missed_slots(now=at(today, 11, 59)) == 0
    assert services.flag_missed_slots(now=at(today, 12, 1)) == 1
    assert services.flag_missed_slots(now=at(today, 13)) == 0
    assert MissedSlot.objects.get().case == case
    note = Notification.objects.get(
        kind="monitoring_missed", recipient=world.users["relawan.rw006"]
    )
    assert "1" in note.title


def test_end_of_isolation_is_a_recorded_act(world: Any) -> None:
    case = make_case(world, days_ago=3)
    manager = world.users["lurah.panggunglor"]
    with pytest.raises(ValidationFailed):
        services.end_isolation(actor=manager, case=case, outcome="selesai")
    later = case.isolation_ends_on
    services.end_isolation(actor=manager, case=case, outcome="selesai", ended_on=later, today=later)
    case.refresh_from_db()
    assert case.outcome == "selesai" and case.ended_by == manager


def test_extension_needs_a_note_and_a_manager(world: Any) -> None:
    case = make_case(world)
    later = case.isolation_ends_on + dt.timedelta(days=4)
    with pytest.raises(ValidationFailed) as exc:
        services.update_case(
            actor=world.users["relawan.rw006"],
            case=case,
            data={"extended_until": later, "extension_note": "x"},
        )
    assert "extended_until" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.update_case(
            actor=world.users["lurah.panggunglor"], case=case, data={"extended_until": later}
        )
    assert "extension_note" in exc.value.errors
    services.update_case(
        actor=world.users["lurah.panggunglor"],
        case=case,
        data={"extended_until": later, "extension_note": "still coughing"},
    )
    case.refresh_from_db()
    assert case.isolation_ends_on == later and case.end_reasons[-1]["code"] == "extended"


def test_positive_contact_becomes_a_case_in_one_step(world: Any) -> None:
    case = make_case(world, days_ago=4)
    today = timezone.localdate()
    contact = services.create_contact(
        actor=world.users["pengurus.rw006"],
        data={
            "case": case.pk,
            "resident": Resident.objects.get(name="Siti rt003").pk,
            "last_exposure_on": today - dt.timedelta(days=4),
        },
    )
    assert contact.quarantine_ends_on == today + dt.timedelta(days=10)
    contact = services.update_contact(
        actor=world.users["pengurus.rw006"],
        contact=contact,
        data={"exit_test_result": "positif", "exit_test_on": today},
    )
    assert contact.status == "kasus" and contact.became_case is not None
    assert contact.became_case.category == "konfirmasi" and contact.became_case.specimen_on == today


def test_negative_exit_test_shortens_quarantine(world: Any) -> None:
    case = make_case(world, days_ago=6)
    today = timezone.localdate()
    contact = services.create_contact(
        actor=world.users["pengurus.rw006"],
        data={
            "case": case.pk,
            "nik": Resident.objects.get(name="Siti rt003").nik,
            "last_exposure_on": today - dt.timedelta(days=5),
        },
    )
    contact = services.update_contact(
        actor=world.users["pengurus.rw006"],
        contact=contact,
        data={"exit_test_result": "negatif", "exit_test_on": today, "status": "selesai"},
    )
    assert contact.quarantine_ends_on == today and contact.status == "selesai"


def test_newcomer_quarantine_follows_the_protocol(world: Any) -> None:
    today = timezone.localdate()
    newcomer = services.create_newcomer(
        actor=world.users["pengurus.rt003"],
        data={
            "name": "Agus",
            "nik": "",
            "arrived_on": today,
            "origin_code": "31.71",
            "household": world.households["rt003"].pk,
        },
    )
    assert newcomer.quarantine_required and newcomer.quarantine_ends_on == today + dt.timedelta(
        days=5
    )
    tested = services.update_newcomer(
        actor=world.users["pengurus.rt003"],
        newcomer=newcomer,
        data={"test_result": "negatif", "tested_on": today},
    )
    assert not tested.quarantine_required
    with pytest.raises(ValidationFailed) as exc:
        services.create_newcomer(
            actor=world.users["pengurus.rt003"],
            data={
                "name": "X",
                "arrived_on": today,
                "origin_code": "99.99.99.9999.001",
                "household": world.households["rt004"].pk,
            },
        )
    assert {"origin_code", "household"} <= set(exc.value.errors)


def test_vaccination_doses_and_outreach(world: Any) -> None:
    siti = Resident.objects.get(name="Siti rt003")
    user = world.users["pengurus.rw006"]
    before = {r.name for r in selectors.outreach(user)}
    assert {"Siti rt003", "Siti rt004"} <= before and "Budi rt003" not in before
    for dose in (1, 2):
        services.record_vaccination(
            actor=user,
            data={
                "resident": siti.pk,
                "given_on": timezone.localdate(),
                "vaccine": "sinovac",
                "dose": dose,
            },
        )
    with pytest.raises(ValidationFailed):
        services.record_vaccination(
            actor=user,
            data={
                "resident": siti.pk,
                "given_on": timezone.localdate(),
                "vaccine": "sinovac",
                "dose": 2,
            },
        )
    assert "Siti rt003" not in {r.name for r in selectors.outreach(user)}


# ---------------------------------------------------------------- zoning


def _confirmed(world: Any, household: Household, day: dt.date, n: int = 1) -> None:
    for i in range(n):
        resident = Resident.objects.create(
            name=f"R{household.pk}-{i}-{day}", sex="L", household=household, rt=household.rt
        )
        Case.objects.create(
            resident=resident,
            rt=household.rt,
            household=household,
            category="konfirmasi",
            specimen_on=day,
            confirmed_on=day,
            isolation_place="isoman",
            isolation_ends_on=day + dt.timedelta(days=10),
            protocol=Protocol.objects.get(name="KMK 4641/2021"),
        )


def test_zones_count_distinct_houses_in_the_seven_day_window_for_every_rt(world: Any) -> None:
    day = dt.date(2021, 7, 10)
    rt = world.t["rt003"]
    households = [world.households["rt003"]] + [
        Household.objects.create(kk=f"33740215080{i:05d}", rt=rt) for i in range(4)
    ]
    _confirmed(world, households[0], day, n=3)  # three cases, one house
    _confirmed(world, households[1], day - dt.timedelta(days=6))  # edge of the window
    _confirmed(world, households[2], day - dt.timedelta(days=7))  # outside
    _confirmed(world, households[3], day + dt.timedelta(days=1))  # after D
    _confirmed(world, households[4], day)
    Case.objects.filter(household=households[4]).update(category="suspek")  # not konfirmasi
    rows = {r.code: r for r in zoning.compute_day(day, world.t["33.74.02.1006"])}
    assert rows["33.74.02.1006.006.003"].houses == 2
    assert rows["33.74.02.1006.006.003"].zone == "kuning"
    assert (
        rows["33.74.02.1006.006.004"].houses == 0 and rows["33.74.02.1006.006.004"].zone == "hijau"
    )
    assert set(rows) == {"33.74.02.1006.006.003", "33.74.02.1006.006.004", "33.74.02.1006.007.001"}


def test_zones_use_the_zoning_protocol_of_each_day_and_history_is_kept(world: Any) -> None:
    rt = world.t["rt003"]
    houses = [Household.objects.create(kk=f"33740215081{i:05d}", rt=rt) for i in range(4)]
    for h in houses:
        _confirmed(world, h, dt.date(2021, 6, 20))
    before, after = dt.date(2021, 6, 21), dt.date(2021, 6, 22)
    zoning.store_days(before, after, world.t["rw006"])
    stored = {(z.day, z.rt_id): z for z in ZoneDay.objects.select_related("protocol")}
    assert (
        stored[(before, rt.pk)].zone == "kuning"
        and stored[(before, rt.pk)].protocol.name == "Inmendagri 3/2021"
    )
    assert stored[(after, rt.pk)].zone == "oranye" and stored[
        (after, rt.pk)
    ].protocol.name.startswith("Juni 2021")
    assert ZoneDay.objects.count() == 4  # both RTs of RW 006, both days
    # a late-entered case does not silently rewrite the stored history …
    _confirmed(world, Household.objects.create(kk="3374021508299999", rt=rt), dt.date(2021, 6, 21))
    zoning.store_days(before, after, world.t["rw006"])
    assert ZoneDay.objects.get(day=after, rt=rt).houses == 4
    # … an explicit recompute does, and says so in the audit trail
    stats = zoning.store_days(
        before, after, world.t["rw006"], recompute=True, actor=world.users["admin"]
    )
    assert ZoneDay.objects.get(day=after, rt=rt).houses == 5
    assert stats.changed == 0  # still oranye / kuning
    assert AuditEntry.objects.filter(object_type="health.zoneday").exists()


def test_used_protocol_cannot_be_edited_in_place(world: Any) -> None:
    make_case(world)
    protocol = Protocol.objects.get(name="KMK 4641/2021")
    with pytest.raises(ValidationFailed):
        services.update_protocol(
            actor=world.users["admin"], protocol=protocol, params=protocol.params
        )
    new = services.create_protocol(
        actor=world.users["admin"],
        kind=ProtocolKind.ISOLATION,
        name="Test 2030",
        effective_from=dt.date(2030, 1, 1),
        params=protocol.params,
    )
    assert new.pk
    with pytest.raises(ValidationFailed):
        services.create_protocol(
            actor=world.users["lurah.panggunglor"],
            kind=ProtocolKind.ISOLATION,
            name="x",
            effective_from=dt.date(2031, 1, 1),
            params=protocol.params,
        )
    assert Contact.objects.count() == 0
