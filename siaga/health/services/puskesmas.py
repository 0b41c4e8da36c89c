"""Puskesmas and referral destinations as organisations, and the onward referral.

A puskesmas's working area (wilayah kerja) is a set of kelurahan. Its staff reach that area
through memberships of role ``puskesmas`` on each kelurahan, which this module keeps in step
with the staff list and the working area (ADR 11): the one access policy keeps deciding, and
nothing else creates or removes a ``puskesmas`` membership.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.accounts.models import Membership, User
from siaga.core import audit, policy
from siaga.core.errors import ErrorCollector, ValidationFailed
from siaga.core.models import AuditAction
from siaga.core.notifications import notify
from siaga.core.roles import Perm, Role
from siaga.health.models import (
    Destination,
    DestinationKind,
    OnwardReferral,
    OnwardState,
    Puskesmas,
    PuskesmasArea,
    Referral,
    ReferralOutcome,
    ReferralState,
)
from siaga.health.services._common import _contribute, _link
from siaga.health.services.alerts import rw_team
from siaga.health.services.referrals import acknowledge_referral, complete_referral
from siaga.territory.models import Level, Territory

# ---------------------------------------------------------------- memberships of the staff


def sync_staff_memberships(user: User, *, actor: User | None) -> None:
    """Give ``user`` the puskesmas role on exactly the kelurahan of the puskesmas they staff."""
    wanted = set(
        PuskesmasArea.objects.filter(puskesmas__staff=user).values_list("kelurahan_id", flat=True)
    )
    held: dict[int, Membership] = {}
    for row in Membership.objects.filter(user=user, role=Role.PUSKESMAS):
        if row.territory_id is not None:
            held[row.territory_id] = row
    for key in sorted(wanted - set(held)):
        membership = Membership.objects.create(user=user, territory_id=key, role=Role.PUSKESMAS)
        audit.record(
            actor=actor,
            action=AuditAction.GRANT,
            obj=membership,
            territory_id=key,
            summary=f"{user.get_username()} puskesmas@{key}",
        )
    for key in sorted(set(held) - wanted):
        membership = held[key]
        audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=membership,
            territory_id=key,
            summary=f"{user.get_username()} puskesmas@{key}",
        )
        membership.delete()
    policy.forget(user)


def _sync_all(users: Sequence[User], actor: User | None) -> None:
    for user in users:
        sync_staff_memberships(user, actor=actor)


# ---------------------------------------------------------------- puskesmas
# ``actor=None`` is the console acting as the system (``siaga puskesmas``): no reach to check.


def _covers(actor: User | None, key: int) -> bool:
    return actor is None or policy.covers_territory(actor, Perm.PUSKESMAS_MANAGE, key)


def _require(actor: User | None, obj: Puskesmas | Destination | None = None) -> None:
    if actor is None:
        return
    if obj is None:
        policy.require_somewhere(actor, Perm.PUSKESMAS_MANAGE)
    else:
        policy.require(actor, Perm.PUSKESMAS_MANAGE, obj)


def _unique_name(
    model: type[Puskesmas] | type[Destination],
    name: str,
    errors: ErrorCollector,
    *,
    taken: str,
    of: Puskesmas | Destination | None = None,
) -> str:
    """The trimmed name, with an error when it is empty or another row already has it."""
    name = name.strip()
    others = model.objects.filter(name__iexact=name)
    if of is not None:
        others = others.exclude(pk=of.pk)
    if not name:
        errors.add("name", _("This field is required."))
    elif others.exists():
        errors.add("name", taken)
    return name


def _check_place(
    actor: User | None, territory: Territory | None, field: str, errors: ErrorCollector
) -> None:
    if territory is None:
        errors.add(field, _("This field is required."))
    elif not _covers(actor, territory.pk):
        errors.add(field, _("Unknown territory, or outside your area."))


def _check_area(
    actor: User | None,
    area: Sequence[Territory],
    errors: ErrorCollector,
    *,
    puskesmas: Puskesmas | None,
) -> list[Territory]:
    cleaned: dict[int, Territory] = {}
    for kelurahan in area:
        if kelurahan.level != Level.KELURAHAN:
            errors.add("area", _("%(name)s is not a kelurahan.") % {"name": kelurahan.name})
        elif not _covers(actor, kelurahan.pk):
            errors.add("area", _("Unknown territory, or outside your area."))
        else:
            cleaned[kelurahan.pk] = kelurahan
    if not area:
        errors.add("area", _("Name at least one kelurahan."))
    taken = (
        PuskesmasArea.objects.filter(kelurahan_id__in=list(cleaned))
        .exclude(puskesmas=puskesmas)
        .select_related("puskesmas", "kelurahan")
    )
    for row in taken:
        errors.add(
            "area",
            _("%(kelurahan)s is already in the working area of %(puskesmas)s.")
            % {"kelurahan": row.kelurahan.name, "puskesmas": row.puskesmas.name},
        )
    return list(cleaned.values())


def _check_staff(staff: Sequence[User], errors: ErrorCollector) -> list[User]:
    for user in staff:
        if not user.is_active:
            errors.add("staff", _("%(user)s is not active.") % {"user": user.get_username()})
    return list({u.pk: u for u in staff}.values())


def _codes(rows: Any) -> list[str]:
    return sorted(t.code for t in rows)


@transaction.atomic
def create_puskesmas(
    *,
    actor: User | None,
    name: str,
    location: Territory | None,
    area: Sequence[Territory],
    staff: Sequence[User] = (),
) -> Puskesmas:
    """A puskesmas standing at ``location``, serving the kelurahan of ``area``."""
    _require(actor)
    errors = ErrorCollector()
    name = _unique_name(Puskesmas, name, errors, taken=_("A puskesmas with this name exists."))
    _check_place(actor, location, "location", errors)
    kelurahan = _check_area(actor, area, errors, puskesmas=None)
    people = _check_staff(staff, errors)
    errors.raise_if_any()
    assert location is not None  # checked above
    puskesmas = Puskesmas.objects.create(name=name, territory=location)
    PuskesmasArea.objects.bulk_create(
        [PuskesmasArea(puskesmas=puskesmas, kelurahan=k) for k in kelurahan]
    )
    puskesmas.staff.set(people)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=puskesmas,
        territory_id=location.pk,
        changes={
            "area": [None, _codes(kelurahan)],
            "staff": [None, sorted(u.get_username() for u in people)],
        },
    )
    _sync_all(people, actor)
    return puskesmas


@transaction.atomic
def update_puskesmas(
    *,
    actor: User | None,
    puskesmas: Puskesmas,
    name: str | None = None,
    location: Territory | None = None,
) -> dict[str, Any]:
    """Rename or move a puskesmas (its working area and staff have their own services)."""
    _require(actor, puskesmas)
    errors = ErrorCollector()
    changes: dict[str, Any] = {}
    if name is not None:
        name = _unique_name(
            Puskesmas, name, errors, taken=_("A puskesmas with this name exists."), of=puskesmas
        )
        changes["name"] = name
    if location is not None:
        _check_place(actor, location, "location", errors)
        changes["territory"] = location
    errors.raise_if_any()
    return audit.audited_update(
        actor=actor, obj=puskesmas, changes=changes, territory_id=puskesmas.territory_id
    )


@transaction.atomic
def set_working_area(
    *, actor: User | None, puskesmas: Puskesmas, area: Sequence[Territory]
) -> dict[str, Any]:
    """Replace the working area; the staff's memberships follow. Kelurahan outside the actor's
    reach that are already in the area stay (they cannot be changed from here)."""
    _require(actor, puskesmas)
    errors = ErrorCollector()
    kelurahan = _check_area(actor, area, errors, puskesmas=puskesmas)
    errors.raise_if_any()
    rows = list(PuskesmasArea.objects.filter(puskesmas=puskesmas).select_related("kelurahan"))
    before = {r.kelurahan_id: r for r in rows}
    wanted = {k.pk for k in kelurahan}
    out_of_reach = {key for key in before if not _covers(actor, key)}
    removed = [before[key] for key in before if key not in wanted and key not in out_of_reach]
    added = [k for k in kelurahan if k.pk not in before]
    if not removed and not added:
        return {}
    PuskesmasArea.objects.filter(pk__in=[r.pk for r in removed]).delete()
    try:
        with transaction.atomic():
            PuskesmasArea.objects.bulk_create(
                [PuskesmasArea(puskesmas=puskesmas, kelurahan=k) for k in added]
            )
    except IntegrityError:
        raise ValidationFailed.single(
            "area", _("A kelurahan is already in another puskesmas's working area.")
        ) from None
    changes = {
        "area": [
            _codes(r.kelurahan for r in rows),
            _codes([*(r.kelurahan for r in rows if r not in removed), *added]),
        ]
    }
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=puskesmas,
        territory_id=puskesmas.territory_id,
        changes=changes,
    )
    _sync_all(list(puskesmas.staff.all()), actor)
    return changes


@transaction.atomic
def set_staff(*, actor: User | None, puskesmas: Puskesmas, staff: Sequence[User]) -> dict[str, Any]:
    """Replace the staff list; who joins gets the puskesmas role on the working area, who
    leaves loses it."""
    _require(actor, puskesmas)
    errors = ErrorCollector()
    people = _check_staff(staff, errors)
    errors.raise_if_any()
    before = list(puskesmas.staff.all())
    if {u.pk for u in before} == {u.pk for u in people}:
        return {}
    puskesmas.staff.set(people)
    changes = {
        "staff": [
            sorted(u.get_username() for u in before),
            sorted(u.get_username() for u in people),
        ]
    }
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=puskesmas,
        territory_id=puskesmas.territory_id,
        changes=changes,
    )
    _sync_all(list({u.pk: u for u in [*before, *people]}.values()), actor)
    return changes


# ---------------------------------------------------------------- destinations


@transaction.atomic
def create_destination(
    *,
    actor: User | None,
    name: str,
    kind: str,
    location: Territory | None,
    address: str = "",
    phone: str = "",
) -> Destination:
    _require(actor)
    errors = ErrorCollector()
    name = _unique_name(Destination, name, errors, taken=_("A destination with this name exists."))
    if kind not in DestinationKind.values:
        errors.add(
            "kind", _("Choose one of: %(values)s") % {"values": ", ".join(DestinationKind.values)}
        )
    _check_place(actor, location, "location", errors)
    errors.raise_if_any()
    assert location is not None  # checked above
    destination = Destination.objects.create(
        name=name, kind=kind, territory=location, address=address[:255], phone=phone[:30]
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=destination, territory_id=location.pk)
    return destination


@transaction.atomic
def update_destination(
    *,
    actor: User | None,
    destination: Destination,
    name: str | None = None,
    address: str | None = None,
    phone: str | None = None,
    active: bool | None = None,
) -> dict[str, Any]:
    _require(actor, destination)
    errors = ErrorCollector()
    changes: dict[str, Any] = {}
    if name is not None:
        name = _unique_name(
            Destination,
            name,
            errors,
            taken=_("A destination with this name exists."),
            of=destination,
        )
        changes["name"] = name
    if address is not None:
        changes["address"] = address[:255]
    if phone is not None:
        changes["phone"] = phone[:30]
    if active is not None:
        changes["active"] = active
    errors.raise_if_any()
    return audit.audited_update(
        actor=actor, obj=destination, changes=changes, territory_id=destination.territory_id
    )


# ---------------------------------------------------------------- onward referral

_OUTCOME_OF = {
    DestinationKind.RUMAH_SAKIT: ReferralOutcome.RAWAT_INAP,
    DestinationKind.ISOLASI_TERPUSAT: ReferralOutcome.TERPUSAT,
}


@transaction.atomic
def refer_onward(
    *,
    actor: User,
    referral: Referral,
    destination: Destination | None,
    note: str = "",
    now: dt.datetime | None = None,
) -> OnwardReferral:
    """Send the referred resident on to a hospital or the isolation centre (a new referral is
    acknowledged on the way); the RW health team is told where the resident goes."""
    now = now or timezone.now()
    policy.require(actor, Perm.HEALTH_MANAGE, referral)
    errors = ErrorCollector()
    if destination is None or not destination.active:
        errors.add("destination", _("Choose a destination that receives referrals."))
    if referral.state == ReferralState.SELESAI:
        errors.add("state", _("This referral is already completed."))
    elif OnwardReferral.objects.filter(referral=referral, state=OnwardState.DIKIRIM).exists():
        errors.add("state", _("This resident is already on the way to a destination."))
    errors.raise_if_any()
    assert destination is not None  # checked above
    if referral.state == ReferralState.DIBUAT:
        acknowledge_referral(actor=actor, referral=referral, now=now)
    onward = OnwardReferral.objects.create(
        referral=referral,
        rt_id=referral.rt_id,
        household_id=referral.household_id,
        destination=destination,
        note=note[:255],
        created_at=now,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=onward,
        territory_id=onward.rt_id,
        summary=f"referral #{referral.pk} → {destination.name}"[:255],
    )
    _contribute(actor, "referral_onward", onward)
    notify(
        recipients=rw_team(referral.rt_id),
        kind="referral_onward",
        title=_("Referral #%(id)s: sent on to %(destination)s")
        % {"id": referral.pk, "destination": destination.name},
        link=_link("referral", referral.pk),
        territory_id=referral.rt_id,
    )
    return onward


@transaction.atomic
def close_onward(
    *,
    actor: User,
    onward: OnwardReferral,
    state: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> OnwardReferral:
    """dikirim → diterima (admitted: the referral completes with the matching outcome) or
    ditolak (refused: the referral stays open for another destination)."""
    now = now or timezone.now()
    policy.require(actor, Perm.HEALTH_MANAGE, onward)
    errors = ErrorCollector()
    if state not in (OnwardState.DITERIMA, OnwardState.DITOLAK):
        errors.add("state", _("Choose diterima or ditolak."))
    if onward.state != OnwardState.DIKIRIM:
        errors.add("state", _("This onward referral is already closed."))
    errors.raise_if_any()
    audit.audited_update(
        actor=actor,
        obj=onward,
        changes={
            "state": state,
            "closed_at": now,
            "closed_by": actor,
            "note": (note or onward.note)[:255],
        },
        fields=["state", "note"],
        also_save=["closed_at", "closed_by"],
        territory_id=onward.rt_id,
    )
    if state == OnwardState.DITERIMA:
        referral = onward.referral
        if referral.state != ReferralState.SELESAI:
            complete_referral(
                actor=actor,
                referral=referral,
                outcome=_OUTCOME_OF[DestinationKind(onward.destination.kind)],
                now=now,
            )
    return onward
