"""Aid rules: daily proposals for isolating households, the 24-hour undelivered flag, the
oximeter selector for home-isolation eligibility, and the public transparency page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from siaga.core.models import Notification
from siaga.logistics import selectors, services
from siaga.logistics.models import AidRequest
from siaga.volunteers.models import Task

from .conftest import make_case


def test_daily_proposal_once_per_isolating_household(world: Any, lumbung: Any) -> None:
    make_case(world, "rt003")
    today = timezone.localdate()
    assert services.propose_isolation_aid(day=today) == 1
    assert services.propose_isolation_aid(day=today) == 0
    request = AidRequest.objects.get()
    assert (request.household, request.source) == (world.households["rt003"], "isolation")
    assert Task.objects.filter(kind="delivery", object_id=request.pk).count() == 1


def test_household_without_delivery_for_24_hours_is_flagged(world: Any, lumbung: Any) -> None:
    case = make_case(world, "rt003")
    started = case.created_at
    relawan = world.users["relawan.rw006"]
    assert selectors.undelivered_households(now=started + dt.timedelta(hours=23)) == []
    late = started + dt.timedelta(hours=25)
    rows = selectors.undelivered_households(now=late)
    assert [r["household"] for r in rows] == [world.households["rt003"]]
    assert services.flag_undelivered(now=late) == 1
    assert services.flag_undelivered(now=late) == 0  # once
    task = Task.objects.get(kind="undelivered")
    assert task.priority == 4
    assert Notification.objects.filter(
        kind="aid_undelivered", recipient=world.users["pengurus.rw006"]
    ).exists()
    # A delivery resets the clock and closes the flag.
    aid = services.request_aid(actor=relawan, household=world.households["rt003"])
    services.deliver(
        actor=relawan,
        request=aid,
        posko=lumbung.posko,
        received_by="Siti",
        delivered_at=late,
    )
    task.refresh_from_db()
    assert task.state == "selesai"
    assert selectors.undelivered_households(now=late + dt.timedelta(hours=23)) == []
    assert len(selectors.undelivered_households(now=late + dt.timedelta(hours=25))) == 1


def test_ended_isolation_is_not_flagged(world: Any, lumbung: Any) -> None:
    case = make_case(world, "rt003")
    case.outcome = "selesai"
    case.save(update_fields=["outcome"])
    assert selectors.undelivered_households(now=timezone.now() + dt.timedelta(days=2)) == []


def test_household_has_oximeter_while_lent(world: Any) -> None:
    root = world.users["root"]
    household = world.households["rt003"]
    device = services.add_equipment(actor=root, rw=world.t["rw006"], kind="oximeter", label="OX-1")
    day = dt.date(2021, 7, 1)
    assert not selectors.household_has_oximeter(household.pk, on=day)
    loan = services.lend(
        actor=world.users["relawan.rw006"],
        equipment=device,
        household=household,
        lent_on=day,
        due_on=day + dt.timedelta(days=14),
    )
    assert selectors.household_has_oximeter(household.pk, on=day)
    assert not selectors.household_has_oximeter(household.pk, on=day - dt.timedelta(days=1))
    services.close_loan(actor=root, loan=loan, on=day + dt.timedelta(days=10))
    assert selectors.household_has_oximeter(household.pk, on=day + dt.timedelta(days=9))
    assert not selectors.household_has_oximeter(household.pk, on=day + dt.timedelta(days=10))


def test_transparency_page_is_public_and_names_no_recipient(
    client: Any, world: Any, lumbung: Any
) -> None:
    relawan = world.users["relawan.rw006"]
    services.record_donation(
        actor=relawan,
        rw=world.t["rw006"],
        kind="cash",
        received_on=timezone.localdate(),
        donor_name="Toko Makmur",
        amount=750_000,
        method="transfer",
    )
    aid = services.request_aid(actor=relawan, household=world.households["rt003"])
    services.deliver(actor=relawan, request=aid, posko=lumbung.posko, received_by="Siti Penerima")
    data = selectors.transparency(world.t["rw006"])
    assert data["cash_received"] == 750_000
    assert data["households_per_week"][-1]["households"] == 1
    assert data["stock_by_category"]["pangan"]["Beras"]["out"] == 2
    response = client.get("/transparansi/33.74.02.1006.006/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "750" in html
    for name in ("Siti", "Budi", world.households["rt003"].kk):
        assert name not in html
    assert client.get("/transparansi/33.74.02.1006/").status_code == 404
