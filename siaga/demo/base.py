"""Assembling the demonstration: Kota Semarang's codes, a synthetic Semarang Utara, demo accounts.

Used by ``siaga demo``. Every step is idempotent: a second run finds what the first made and
adds nothing. The population is synthetic (made up by ``registry.synth``); the summary audit
entry it writes (object_id ``demo``) is the marker a rerun looks for.

This module sits above the domain apps (it wires territory, registry and accounts together for
one interface, the command), so it imports them; domain code never imports it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.management import call_command
from django.db import transaction
from django.db.models import F

from siaga.accounts.models import Membership, User
from siaga.accounts.services import add_membership, create_user
from siaga.core import codes
from siaga.core.models import AuditAction, AuditEntry
from siaga.core.roles import Role
from siaga.registry.models import Household, Resident
from siaga.registry.synth import AUDIT_OBJECT_TYPE, SynthStats, synthesize
from siaga.territory.models import Level, Territory
from siaga.territory.services import load_codes

KOTA = "33.74"
KECAMATAN = "33.74.02"  # Semarang Utara: 117,605 people at the 2020 census
PANGGUNG_LOR = "33.74.02.1006"
BANDARHARJO = "33.74.02.1001"
RW006 = f"{PANGGUNG_LOR}.006"
RT003 = f"{RW006}.003"
RESIDENTS = 117_600
SEED = 2021
MARKER = "demo"
# One shared password for every demo account, printed by the command. Demo data only.
PASSWORD = "candi-hebat-2021"  # noqa: S105

# (username, role, territory code); the warga account is linked to a resident of RT 003.
ACCOUNTS: tuple[tuple[str, str, str | None], ...] = (
    ("admin", Role.ADMIN, None),
    ("fasilitator.kota", Role.FASILITATOR, KOTA),
    ("fasilitator.utara", Role.FASILITATOR, KECAMATAN),
    ("lurah.panggunglor", Role.FASILITATOR, PANGGUNG_LOR),
    # Staff of Puskesmas Bandarharjo (siaga.demo.health gives the role on its working area too).
    ("puskesmas.bandarharjo", Role.PUSKESMAS, BANDARHARJO),
    ("pengurus.rw006", Role.PENGURUS, RW006),
    ("pengurus.rt003", Role.PENGURUS, RT003),
    ("relawan.rw006", Role.RELAWAN, RW006),
    ("warga.rt003", Role.WARGA, RT003),
)


@dataclass
class DemoResult:
    generated: SynthStats | None = None
    skipped_reason: str = ""
    residents: int = 0
    households: int = 0
    accounts_created: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, where
    timings: dict[str, float] = field(default_factory=dict)


def _ensure_child(parent: Territory, number: int) -> Territory:
    code = codes.child_code(parent.code, number)
    level = Level.RW if parent.level == Level.KELURAHAN else Level.RT
    territory, _created = Territory.objects.get_or_create(
        id=codes.parse_code(code).key,
        defaults={
            "code": code,
            "name": f"{'RW' if level == Level.RW else 'RT'} {number:03d}",
            "level": level,
            "parent": parent,
        },
    )
    return territory


def demo_marker(kecamatan: Territory) -> AuditEntry | None:
    return (
        AuditEntry.objects.filter(
            action=AuditAction.IMPORT,
            object_type=AUDIT_OBJECT_TYPE,
            object_id=MARKER,
            territory_id=kecamatan.id,
        )
        .order_by("id")
        .first()
    )


def prepare(
    *,
    residents: int = RESIDENTS,
    seed: int = SEED,
    migrate: bool = True,
    progress: Callable[[int], Any] | None = None,
    on_step: Callable[[str], Any] | None = None,
) -> DemoResult:
    """Make the demo ready: schema, codes, synthetic people, accounts. Safe to run again."""
    result = DemoResult()

    def step(message: str) -> float:
        if on_step:
            on_step(message)
        return time.perf_counter()

    if migrate:
        started = step("migrate")
        call_command("migrate", verbosity=0, interactive=False)
        result.timings["migrate"] = time.perf_counter() - started

    started = step("codes")
    load_codes(prefix=KOTA)
    result.timings["codes"] = time.perf_counter() - started

    kecamatan = Territory.objects.get(code=KECAMATAN)
    # RW 006 / RT 003 of Panggung Lor first, so that the generator fills them too.
    with transaction.atomic():
        rw006 = _ensure_child(Territory.objects.get(code=PANGGUNG_LOR), 6)
        _ensure_child(rw006, 3)

    low, high = kecamatan.bounds
    if demo_marker(kecamatan) is not None:
        result.skipped_reason = "already"
    elif Resident.objects.filter(rt_id__gte=low, rt_id__lte=high).exists():
        result.skipped_reason = "real"
    else:
        started = step("synth")
        result.generated = synthesize(
            under=kecamatan, residents=residents, seed=seed, progress=progress, marker=MARKER
        )
        result.timings["synth"] = time.perf_counter() - started

    started = step("accounts")
    result.accounts_created = _ensure_accounts(result)
    result.timings["accounts"] = time.perf_counter() - started
    result.residents = Resident.objects.filter(rt_id__gte=low, rt_id__lte=high).count()
    result.households = Household.objects.filter(rt_id__gte=low, rt_id__lte=high).count()
    return result


def warga_resident() -> Resident | None:
    """The head of the first household of RT 003 who has a NIK (the warga demo account)."""
    rt = Territory.objects.filter(code=RT003).first()
    if rt is None:
        return None
    return (
        Resident.objects.filter(rt=rt, relation="kepala", household__head_id=F("id"))
        .exclude(nik="")
        .order_by("household_id", "id")
        .first()
    )


def _ensure_accounts(result: DemoResult) -> list[str]:
    created = []
    # One password hash for all the accounts: a PBKDF2 hash costs about half a second, and
    # these accounts share their password anyway. Users are otherwise made as create_user
    # makes them, and every role goes through add_membership (validation, audit).
    password_hash = ""
    for username, role, code in ACCOUNTS:
        territory = Territory.objects.get(code=code) if code else None
        resident = warga_resident() if role == Role.WARGA else None
        if role == Role.WARGA and resident is None:
            continue  # no resident to link to (RT 003 is empty)
        nik = resident.nik if resident else None
        user = User.objects.filter(username=username).first()
        if user is None:
            if not password_hash:
                user = create_user(
                    actor=None,
                    username=username,
                    password=PASSWORD,
                    role=role,
                    territory_code=code,
                    resident_nik=nik,
                    check_password=False,
                )
                password_hash = user.password
            else:
                with transaction.atomic():
                    user = User.objects.create(
                        username=username, password=password_hash, is_staff=role == Role.ADMIN
                    )
                    add_membership(
                        actor=None, user=user, role=role, territory=territory, resident_nik=nik
                    )
            created.append(username)
        elif not Membership.objects.filter(user=user, role=role, territory=territory).exists():
            add_membership(actor=None, user=user, role=role, territory=territory, resident_nik=nik)
        where = code or "*"
        if resident is not None:
            where = f"{code} ({resident.name})"
        result.accounts.append((username, role, where))
    return created


def coordinator(territory_key: int) -> User | None:
    """The demo account that acts for a place in the services (volunteers, stock, newcomers…):
    the pengurus of its RW (or of the RT itself), else the facilitator of the smallest territory
    above it (the kecamatan's, for most of Semarang Utara), else an admin."""
    from siaga.volunteers.services import pengurus_of

    pengurus = pengurus_of(territory_key)
    if pengurus:
        return min(pengurus, key=lambda u: u.pk)
    above = [
        m
        for m in Membership.objects.filter(
            role=Role.FASILITATOR, territory__isnull=False, user__is_active=True
        ).select_related("user", "territory")
        if m.territory is not None and m.territory.contains(territory_key)
    ]
    if not above:
        admin = Membership.objects.filter(role=Role.ADMIN, user__is_active=True).order_by("user_id")
        return next((m.user for m in admin.select_related("user")), None)
    return max(above, key=lambda m: (len(m.territory.code) if m.territory else 0, -m.user_id)).user
