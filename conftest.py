"""Shared fixtures: a small territory tree with people in it, and one user per role and place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from siaga.accounts.models import User
from siaga.accounts.services import add_membership, create_token
from siaga.core.roles import Role
from siaga.registry.models import Household, Resident
from siaga.territory.services import create_child, load_codes

CODES = [
    ("33", "Jawa Tengah"),
    ("33.74", "Kota Semarang"),
    ("33.74.02", "Semarang Utara"),
    ("33.74.02.1001", "Bandarharjo"),
    ("33.74.02.1006", "Panggung Lor"),
    ("33.74.03", "Semarang Timur"),
    ("33.74.03.1001", "Kemijen"),
]


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    """Service and console messages in English, so tests read the source strings.

    Pages still follow the request (LocaleMiddleware): Indonesian unless a test asks for English.
    """
    from django.utils import translation

    with translation.override("en"):
        yield


@dataclass
class World:
    """The fixture world. ``t`` maps short names to territories, ``users`` roles to users."""

    t: dict[str, Any] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)
    residents: dict[str, Resident] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def _nik(serial: int, female: bool = False, day: int = 17, prefix: str = "337402") -> str:
    return f"{prefix}{day + (40 if female else 0):02d}0885{serial:04d}"


def build_world() -> World:
    """Build the world's rows through the services (territories, households, users, tokens)."""
    from siaga.territory.models import Territory

    w = World()
    load_codes(CODES)
    root = User.objects.create_superuser("root", password="root-pass-123")
    for code in [c for c, _ in CODES]:
        w.t[code] = Territory.objects.get(code=code)
    w.t["rw006"] = create_child(actor=root, parent=w.t["33.74.02.1006"], number=6)
    w.t["rt003"] = create_child(actor=root, parent=w.t["rw006"], number=3)
    w.t["rt004"] = create_child(actor=root, parent=w.t["rw006"], number=4)
    w.t["rw007"] = create_child(actor=root, parent=w.t["33.74.02.1006"], number=7)
    w.t["rw007rt001"] = create_child(actor=root, parent=w.t["rw007"], number=1)
    w.t["bandar_rw001"] = create_child(actor=root, parent=w.t["33.74.02.1001"], number=1)
    w.t["bandar_rt001"] = create_child(actor=root, parent=w.t["bandar_rw001"], number=1)
    w.t["timur_rw001"] = create_child(actor=root, parent=w.t["33.74.03.1001"], number=1)
    w.t["timur_rt001"] = create_child(actor=root, parent=w.t["timur_rw001"], number=1)

    serial = 1
    for place in ("rt003", "rt004", "rw007rt001", "bandar_rt001", "timur_rt001"):
        household = Household.objects.create(
            kk=f"3374021508{serial:02d}0{serial:03d}", rt=w.t[place], address=f"Jl. {place} 1"
        )
        head = Resident.objects.create(
            nik=_nik(serial),
            name=f"Budi {place}",
            sex="L",
            birth_date=dt.date(1985, 8, 17),
            household=household,
            relation="kepala",
            rt=w.t[place],
        )
        serial += 1
        Resident.objects.create(
            nik=_nik(serial, female=True),
            name=f"Siti {place}",
            sex="P",
            birth_date=dt.date(1950, 8, 17),
            household=household,
            relation="istri",
            rt=w.t[place],
            comorbidities=["diabetes"],
        )
        serial += 1
        household.head = head
        household.save()
        w.households[place] = household
        w.residents[place] = head

    def user(name: str, role: str, place: str | None, resident: Resident | None = None) -> None:
        u = User.objects.create_user(name, password="demo-pass-123")
        add_membership(
            actor=root,
            user=u,
            role=role,
            territory=w.t[place] if place else None,
            resident_nik=resident.nik if resident else None,
        )
        w.users[name] = u
        w.tokens[name] = create_token(actor=root, user=u)[1]

    user("admin", Role.ADMIN, None)
    user("fasilitator.kota", Role.FASILITATOR, "33.74")
    user("fasilitator.utara", Role.FASILITATOR, "33.74.02")
    user("lurah.panggunglor", Role.FASILITATOR, "33.74.02.1006")
    user("puskesmas.bandarharjo", Role.FASILITATOR, "33.74.02.1001")
    user("pengurus.rw006", Role.PENGURUS, "rw006")
    user("pengurus.rt003", Role.PENGURUS, "rt003")
    user("relawan.rw006", Role.RELAWAN, "rw006")
    user("warga.rt003", Role.WARGA, "rt003", resident=w.residents["rt003"])
    w.users["root"] = root
    return w


@pytest.fixture
def fresh_world(db: Any) -> World:
    """A world built for this test alone (transactional tests, or tests that need one)."""
    return build_world()


@dataclass(frozen=True)
class _WorldKeys:
    """What a shared world's rows are called: primary keys, and the tokens (not stored raw)."""

    t: dict[str, int]
    households: dict[str, int]
    residents: dict[str, int]
    users: dict[str, int]
    tokens: dict[str, str]

    @classmethod
    def of(cls, w: World) -> _WorldKeys:
        return cls(
            t={k: v.pk for k, v in w.t.items()},
            households={k: v.pk for k, v in w.households.items()},
            residents={k: v.pk for k, v in w.residents.items()},
            users={k: v.pk for k, v in w.users.items()},
            tokens=dict(w.tokens),
        )

    def load(self) -> World:
        """Fresh model instances (nothing a previous test cached on them), four queries."""
        from siaga.territory.models import Territory

        def fetch(model: Any, keys: dict[str, int]) -> dict[str, Any]:
            rows = model.objects.in_bulk(keys.values())
            return {name: rows[pk] for name, pk in keys.items()}

        return World(
            t=fetch(Territory, self.t),
            households=fetch(Household, self.households),
            residents=fetch(Resident, self.residents),
            users=fetch(User, self.users),
            tokens=dict(self.tokens),
        )


@pytest.fixture(scope="module")
def _shared_world_rows(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The world's rows, built once per test module inside a transaction that is rolled back
    when the module ends (Django's ``setUpTestData``): each test's own transaction is then a
    savepoint, so whatever a test writes is undone before the next one, and the world is not.

    Not for transactional tests (``django_db(transaction=True)``), which flush the database:
    a module with one overrides ``world`` with ``fresh_world``.
    """
    from django.db import transaction
    from django.utils import translation

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with translation.override("en"):
                keys = _WorldKeys.of(build_world())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield keys
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def shared_world(request: Any, _shared_world_rows: _WorldKeys, db: Any) -> World:
    """The module's world with fresh instances for this test; the rows are built once per module.

    An app opts in by defining ``world`` as this in its tests/conftest.py: worth it where
    building the world dominates the tests' time.
    """
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    ):
        pytest.fail(
            "A transactional test cannot share the module's world (it would run inside the "
            "world's transaction): take the fresh_world fixture instead."
        )
    return _shared_world_rows.load()


@pytest.fixture
def world(db: Any) -> World:
    """The fixture world, built for each test (apps may share it per module: ``shared_world``)."""
    return build_world()
