"""Logistics fixtures on top of the shared ``world``: a posko of RW 006 with a stocked item."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from siaga.api.tests.helpers import Api
from siaga.health import services as health_services
from siaga.logistics import services
from siaga.logistics.models import PackageTemplate, StockItem
from siaga.volunteers import services as volunteer_services
from siaga.volunteers.models import Posko, Team


@dataclass
class Lumbung:
    posko: Posko
    beras: StockItem
    telur: StockItem
    package: PackageTemplate
    team: Team


def make_lumbung(world: Any, *, beras: int = 20, telur: int = 60) -> Lumbung:
    root = world.users["root"]
    rw = world.t["rw006"]
    posko = volunteer_services.create_posko(actor=root, rw=rw, name="Posko RW 006")
    team = volunteer_services.create_team(actor=root, rw=rw, name="Lumbung", kind="logistik")
    rice = services.create_stock_item(actor=root, rw=rw, name="Beras", unit="kg", category="pangan")
    eggs = services.create_stock_item(
        actor=root, rw=rw, name="Telur", unit="butir", category="pangan"
    )
    if beras:
        services.move_stock(actor=root, item=rice, posko=posko, kind="government", quantity=beras)
    if telur:
        services.move_stock(actor=root, item=eggs, posko=posko, kind="purchase", quantity=telur)
    package = services.create_package_template(
        actor=root,
        rw=rw,
        name="Sembako harian",
        lines=[(rice, 2), (eggs, 10)],
        for_isolation=True,
    )
    return Lumbung(posko, rice, eggs, package, team)


def make_case(world: Any, place: str = "rt003", *, days_ago: int = 3) -> Any:
    today = timezone.localdate()
    return health_services.create_case(
        actor=world.users["root"],
        data={
            "resident": world.residents[place].pk,
            "category": "konfirmasi",
            "specimen_on": today - dt.timedelta(days=days_ago),
            "confirmed_on": today - dt.timedelta(days=days_ago),
            "onset_on": None,
            "isolation_place": "isoman",
        },
    )


@pytest.fixture
def lumbung(world: Any) -> Lumbung:
    return make_lumbung(world)


@pytest.fixture
def api(client: Any, world: Any) -> Api:
    return Api(client, world)


@pytest.fixture(autouse=True)
def _english() -> Any:
    # Messages are asserted in English; the API activates the caller's language, do not leak it.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def world(shared_world: Any) -> Any:
    """The world is built once per module (see ``shared_world`` in conftest.py): building it for
    every test took longer than most of the tests themselves. Transactional tests take
    ``fresh_world`` instead (the database is flushed after them)."""
    return shared_world
