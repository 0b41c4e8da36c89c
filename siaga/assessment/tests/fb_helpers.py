"""Builders for the feedback and complaint tests (plain functions on top of the ``world``
fixture, so the report tests' fixtures and these never collide)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from siaga.health import services as health_services
from siaga.health.models import Case, Referral
from siaga.logistics.models import AidRequest, Delivery, PackageTemplate
from siaga.planning.models import Meeting
from siaga.volunteers.models import Posko, Volunteer, VolunteerStatus

# The same people as siaga/api/tests/helpers.USERS.
USERS = (
    "admin",
    "fasilitator.kota",
    "fasilitator.utara",
    "lurah.panggunglor",
    "puskesmas.bandarharjo",
    "pengurus.rw006",
    "pengurus.rt003",
    "relawan.rw006",
    "warga.rt003",
)
# Who covers RT 003 of RW 006 (Panggung Lor) with a territory membership.
COVER_RT003 = frozenset(
    {
        "admin",
        "fasilitator.kota",
        "fasilitator.utara",
        "lurah.panggunglor",
        "pengurus.rw006",
        "pengurus.rt003",
        "relawan.rw006",
    }
)
# Who handles complaints there (pengurus, fasilitator, admin).
HANDLERS_RT003 = COVER_RT003 - {"relawan.rw006"}


@dataclass
class Services:
    delivery: Delivery
    case: Case
    referral: Referral
    meeting: Meeting
    volunteer: Volunteer


def make_delivery(world: Any, place: str = "rt003", *, by: str = "relawan.rw006") -> Delivery:
    rw = world.t["rw006"] if place in ("rt003", "rt004") else world.t[place].parent
    household = world.households[place]
    posko, _ = Posko.objects.get_or_create(rw=rw, name="Posko", defaults={"kind": "posko"})
    template, _ = PackageTemplate.objects.get_or_create(rw=rw, name="Sembako harian")
    request = AidRequest.objects.create(
        household=household,
        rt_id=household.rt_id,
        template=template,
        for_day=timezone.localdate(),
        source="warga",
    )
    return Delivery.objects.create(
        request=request,
        household=household,
        rt_id=household.rt_id,
        posko=posko,
        delivered_by=world.users[by],
        delivered_at=timezone.now() - dt.timedelta(days=1),
        received_by="Siti",
    )


def make_case(world: Any, place: str = "rt003", *, ended: bool = True) -> Case:
    today = timezone.localdate()
    case = health_services.create_case(
        actor=world.users["root"],
        data={
            "resident": world.residents[place].pk,
            "category": "konfirmasi",
            "specimen_on": today - dt.timedelta(days=12),
            "confirmed_on": today - dt.timedelta(days=12),
            "onset_on": None,
            "isolation_place": "isoman",
        },
    )
    if ended:
        Case.objects.filter(pk=case.pk).update(
            outcome="selesai", ended_on=today - dt.timedelta(days=1)
        )
        case.refresh_from_db()
    return case


def make_referral(world: Any, place: str = "rt003", *, state: str = "selesai") -> Referral:
    now = timezone.now()
    resident = world.residents[place]
    return Referral.objects.create(
        rt_id=resident.rt_id,
        household_id=resident.household_id,
        resident=resident,
        level="rujuk",
        state=state,
        acknowledge_by=now - dt.timedelta(days=2),
        acknowledged_at=now - dt.timedelta(days=2) if state != "dibuat" else None,
        completed_at=now - dt.timedelta(days=1) if state == "selesai" else None,
        outcome="isoman" if state == "selesai" else "",
    )


def make_meeting(world: Any, where: str = "rw006", *, status: str = "held") -> Meeting:
    return Meeting.objects.create(
        territory=world.t[where],
        kind="musyawarah_rw",
        title=f"Musyawarah {where}",
        starts_at=timezone.now() - dt.timedelta(days=3),
        status=status,
    )


def make_volunteer(world: Any, user: str = "relawan.rw006", rw: str = "rw006") -> Volunteer:
    volunteer, _ = Volunteer.objects.get_or_create(
        rw=world.t[rw],
        user=world.users[user],
        defaults={"name": f"Relawan {user}", "status": VolunteerStatus.ACTIVE},
    )
    return volunteer


def make_services(world: Any, place: str = "rt003") -> Services:
    volunteer = make_volunteer(world)
    return Services(
        delivery=make_delivery(world, place),
        case=make_case(world, place),
        referral=make_referral(world, place),
        meeting=make_meeting(world),
        volunteer=volunteer,
    )


def login(client: Any, world: Any, name: str) -> Any:
    """Sign ``name`` in with English pages (messages are asserted in English)."""
    user = world.users[name]
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    return user
