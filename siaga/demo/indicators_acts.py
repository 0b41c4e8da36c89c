"""Demo: the co-delivery acts of the demo's records, written into the contribution ledger.

The health, volunteers and logistics demos bulk-create their records without going through the
services, so the contributions those services record for each act (see ``_contribute`` in
``health.services`` and ``contribute`` in ``volunteers.services``) are written here, once, with
the same phase, kinds and object types: cases reported and referrals handled by the puskesmas,
monitoring checks by volunteers (self-reports by the isolating resident), deliveries, spending
approved by the pengurus, shift check-ins and tasks done. Without them the co-production matrix of the demo would show an empty
co-delivery row. Idempotent: an audit entry marks a finished run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from siaga.accounts.models import Membership
from siaga.core.models import ActorGroup, AuditAction, AuditEntry, Contribution, Phase
from siaga.core.roles import ROLE_ACTOR_GROUP, ROLE_PRECEDENCE
from siaga.health.models import Case, Method, Monitoring, Referral
from siaga.logistics.models import Delivery, Spending
from siaga.territory.models import Territory
from siaga.volunteers.models import ShiftAssignment, Task, TaskState

KECAMATAN = "33.74.02"
MARKER_TYPE, MARKER_ID = "indicators.demo", "co_delivery_acts"

# (when, actor user id or None, person key when there is no user, territory id, kind, object)
Act = tuple[dt.datetime | None, int | None, str, int, str, str, int]


def _groups() -> dict[int, str]:
    """Each user's actor group, from their highest-precedence role (demo users hold one)."""
    roles: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(role)
    return {
        user_id: next(ROLE_ACTOR_GROUP[r] for r in ROLE_PRECEDENCE if r in held)
        for user_id, held in roles.items()
    }


def _acts(low: int, high: int) -> Iterator[Act]:
    in_area = {"rt_id__gte": low, "rt_id__lte": high}
    at: dt.datetime | None
    user_id: int | None
    for pk, at, user_id, rt_id in Case.objects.filter(
        created_by__isnull=False, **in_area
    ).values_list("pk", "created_at", "created_by_id", "rt_id"):
        yield at, user_id, "", rt_id, "case_reported", "health.case", pk
    referrals = Referral.objects.filter(**in_area)
    for pk, at, user_id, rt_id in referrals.filter(acknowledged_by__isnull=False).values_list(
        "pk", "acknowledged_at", "acknowledged_by_id", "rt_id"
    ):
        yield at, user_id, "", rt_id, "referral_acknowledged", "health.referral", pk
    for pk, at, user_id, rt_id in referrals.filter(completed_by__isnull=False).values_list(
        "pk", "completed_at", "completed_by_id", "rt_id"
    ):
        yield at, user_id, "", rt_id, "referral_completed", "health.referral", pk
    # A check without a recorder is the isolating resident's own report (mandiri).
    for pk, at, user_id, resident_id, rt_id, method in Monitoring.objects.filter(
        case__isnull=False, **in_area
    ).values_list("pk", "taken_at", "recorder_id", "case__resident_id", "rt_id", "method"):
        if user_id is None and method != Method.MANDIRI:
            continue  # a visit or call with nobody recorded: no one to credit
        person = "" if user_id else f"resident:{resident_id}"
        yield at, user_id, person, rt_id, "monitoring", "health.monitoring", pk
    for pk, at, user_id, rt_id in Delivery.objects.filter(
        delivered_by__isnull=False, **in_area
    ).values_list("pk", "delivered_at", "delivered_by_id", "rt_id"):
        yield at, user_id, "", rt_id, "logistics.delivery", "logistics.delivery", pk
    for pk, at, user_id, rw_id in Spending.objects.filter(
        approved_by__isnull=False, rw_id__gte=low, rw_id__lte=high
    ).values_list("pk", "approved_at", "approved_by_id", "rw_id"):
        yield at, user_id, "", rw_id, "logistics.spending_approval", "logistics.spending", pk
    for pk, at, user_id, resident_id, rw_id in ShiftAssignment.objects.filter(
        checked_in_at__isnull=False, shift__rw_id__gte=low, shift__rw_id__lte=high
    ).values_list(
        "pk", "checked_in_at", "volunteer__user_id", "volunteer__resident_id", "shift__rw_id"
    ):
        person = "" if user_id else f"resident:{resident_id}"
        yield at, user_id, person, rw_id, "volunteers.check_in", "volunteers.shiftassignment", pk
    for pk, at, user_id, resident_id, territory_id in Task.objects.filter(
        state=TaskState.SELESAI,
        assignee__isnull=False,
        territory_id__gte=low,
        territory_id__lte=high,
    ).values_list("pk", "closed_at", "assignee__user_id", "assignee__resident_id", "territory_id"):
        person = "" if user_id else f"resident:{resident_id}"
        yield at, user_id, person, territory_id, "tasks.complete", "volunteers.task", pk


@transaction.atomic
def build_codelivery_acts() -> str:
    """Write the demo records' co-delivery contributions (once); a one-line summary."""
    kecamatan = Territory.objects.filter(code=KECAMATAN).first()
    if kecamatan is None:
        return "co-delivery acts: no Semarang Utara, nothing written"
    if AuditEntry.objects.filter(object_type=MARKER_TYPE, object_id=MARKER_ID).exists():
        return "co-delivery acts: already there"
    low, high = kecamatan.bounds
    groups = _groups()
    # Acts that went through the services already have their contribution.
    recorded = set(
        Contribution.objects.filter(
            phase=Phase.CO_DELIVERY, territory_id__gte=low, territory_id__lte=high
        ).values_list("kind", "object_id")
    )
    rows: list[Any] = []
    for at, user_id, person, territory_id, kind, object_type, pk in _acts(low, high):
        if (kind, str(pk)) in recorded:
            continue
        if at is None or (user_id is None and not person.removeprefix("resident:").isdigit()):
            continue  # nobody to credit (a volunteer without account or resident record)
        group: str
        if user_id is None:
            volunteer = object_type.startswith("volunteers.")
            group = ActorGroup.VOLUNTEER if volunteer else ActorGroup.RESIDENT
        else:
            group = groups.get(user_id, ActorGroup.RESIDENT)
        rows.append(
            Contribution(
                at=at,
                actor_id=user_id,
                person_key=f"user:{user_id}" if user_id else person,
                actor_group=group,
                phase=Phase.CO_DELIVERY,
                kind=kind,
                territory_id=territory_id,
                object_type=object_type,
                object_id=str(pk),
            )
        )
    Contribution.objects.bulk_create(rows, batch_size=5000)
    AuditEntry.objects.create(
        action=AuditAction.CREATE,
        object_type=MARKER_TYPE,
        object_id=MARKER_ID,
        territory_id=kecamatan.pk,
        summary=f"synthetic co-delivery contributions: {len(rows)}",
    )
    return f"co-delivery acts: {len(rows)} contributions from the demo's records"
