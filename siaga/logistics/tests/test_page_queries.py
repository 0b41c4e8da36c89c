"""Query counts of the co-delivery list pages (volunteers and logistics): a fixed budget, and the
same count with more rows on the page (no N+1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from siaga.health.models import Case
from siaga.logistics import services
from siaga.logistics.tests.conftest import make_case, make_lumbung
from siaga.volunteers import services as volunteer_services
from siaga.volunteers.models import Shift

# page → the most queries it may run (session, user, memberships and policy included)
BUDGETS = {
    "/relawan/": 7,
    "/relawan/tugas/": 10,  # + one query per kind of task subject (names in the title)
    "/relawan/jadwal/": 9,  # + the gaps of the whole range (issue 12: the roster pages)
    "/relawan/daftar/": 11,
    "/relawan/posko/": 9,
    "/logistik/": 11,
    "/logistik/bantuan/": 10,
    "/logistik/keuangan/": 10,  # + the public figures of the user's RW (issue 12)
    "/logistik/pinjaman/": 8,
    "/logistik/paket/": 11,
    "/logistik/dapur/": 8,
}


def _add_rows(world: Any, lumbung: Any, n: int, offset: int) -> None:
    """``n`` more rows on every list page: tasks, shifts, movements, aid, money, loans…"""
    root = world.users["root"]
    rw = world.t["rw006"]
    today = timezone.localdate()
    relawan = volunteer_services.volunteer_of(world.users["relawan.rw006"], rw.pk)
    for i in range(offset, offset + n):
        place = world.t["rt003"] if i % 2 else world.t["rt004"]
        task = volunteer_services.create_task(
            actor=root, territory=place, title=f"Tugas {i}", team=lumbung.team
        )
        if i % 3 == 0:
            volunteer_services.take_task(actor=world.users["relawan.rw006"], task=task)
        volunteer_services.create_task(
            actor=root, territory=place, title=f"Tugas saya {i}", assignee=relawan
        )
        posko = volunteer_services.create_posko(
            actor=root, rw=rw, name=f"Pos {i}", kind="entry_post"
        )
        volunteer_services.create_shift_template(
            actor=root, posko=posko, name="pagi", starts=dt.time(6), ends=dt.time(14)
        )
        volunteer_services.generate_roster(actor=root, posko=posko, start=today, days=2)
        shift = Shift.objects.filter(posko=posko).order_by("day").last()
        assert shift is not None
        volunteer_services.sign_up(actor=world.users["relawan.rw006"], shift=shift)
        item = services.create_stock_item(
            actor=root, rw=rw, name=f"Barang {i}", unit="pak", category="pangan"
        )
        services.move_stock(actor=root, item=item, posko=posko, kind="purchase", quantity=5)
        services.move_stock(
            actor=world.users["relawan.rw006"], item=item, posko=posko, kind="aid", quantity=1
        )
        services.create_package_template(actor=root, rw=rw, name=f"Paket {i}", lines=[(item, 1)])
        household = world.households["rt003" if i % 2 else "rt004"]
        aid = services.request_aid(actor=root, household=household, note=str(i))
        if i % 2:
            services.deliver(actor=root, request=aid, posko=lumbung.posko, received_by=f"Bu {i}")
        services.record_donation(
            actor=root,
            rw=rw,
            kind="cash",
            received_on=today,
            donor_name=f"Donatur {i}",
            amount=100_000,
            method="tunai",
        )
        services.record_spending(
            actor=root, rw=rw, amount=50_000, purpose=f"Beli {i}", category="pangan", spent_on=today
        )
        device = services.add_equipment(actor=root, rw=rw, kind="oximeter", label=f"OX-{i}")
        services.lend(
            actor=root, equipment=device, household=household, lent_on=today, due_on=today
        )
        services.record_kitchen_day(
            actor=root, rw=rw, day=today - dt.timedelta(days=i), meals=10 + i
        )
        volunteer_services.register_volunteer(actor=root, rw=rw, name=f"Relawan {i}")


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


@pytest.fixture
def filled(world: Any) -> Any:
    lumbung = make_lumbung(world)
    volunteer_services.register_volunteer(
        actor=world.users["root"],
        rw=world.t["rw006"],
        name="Relawan RW 006",
        user=world.users["relawan.rw006"],
        teams=[lumbung.team],
    )
    # Isolating households waiting for aid over 24 hours: the aid page lists them with their RT.

    for place in ("rt003", "rt004"):
        case = make_case(world, place)
        Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - dt.timedelta(hours=30))
    return lumbung


@pytest.mark.parametrize("url", sorted(BUDGETS))
def test_list_pages_have_a_fixed_query_budget(
    client: Any, world: Any, filled: Any, url: str, django_assert_max_num_queries: Any
) -> None:
    client.force_login(world.users["pengurus.rw006"])
    _add_rows(world, filled, 2, 0)
    few = _count(client, url)
    _add_rows(world, filled, 4, 2)
    many = _count(client, url)
    assert many == few, f"{url}: {few} queries with fewer rows, {many} with more (N+1)"
    with django_assert_max_num_queries(BUDGETS[url]):
        client.get(url)
    if url == "/logistik/bantuan/":
        assert len(client.get(url).context["undelivered"]) >= 1


def test_my_tasks_page_for_a_volunteer_is_fixed(
    client: Any, world: Any, filled: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(world.users["relawan.rw006"])
    _add_rows(world, filled, 2, 0)
    few = _count(client, "/relawan/")
    _add_rows(world, filled, 3, 2)
    assert _count(client, "/relawan/") == few
    with django_assert_max_num_queries(BUDGETS["/relawan/"]):
        page = client.get("/relawan/")
    assert len(page.context["tasks"]) >= 5
