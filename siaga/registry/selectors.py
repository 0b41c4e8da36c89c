"""Reads of the registry, always through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from siaga.core import audit, policy
from siaga.core.models import AuditAction
from siaga.core.policy import in_subtree
from siaga.core.roles import Perm
from siaga.registry.identity import clean_digits
from siaga.registry.models import Household, Resident, ResidentQuerySet, Vulnerability
from siaga.territory.models import Territory


def residents(
    user: Any,
    *,
    territory: Territory | None = None,
    q: str = "",
    status: str = "",
    vulnerable: str = "",
) -> ResidentQuerySet:
    qs = policy.scope(Resident.objects.select_related("rt", "household"), user, Perm.REGISTRY_VIEW)
    assert isinstance(qs, ResidentQuerySet)
    if territory is not None:
        qs = qs.filter(in_subtree("rt_id", territory.bounds))
    q = q.strip()
    if q:
        digits = clean_digits(q)
        if digits.isdigit() and len(digits) >= 4:
            qs = qs.filter(Q(nik__startswith=digits) | Q(household__kk__startswith=digits))
        else:
            qs = qs.filter(name__icontains=q)
    if status:
        qs = qs.filter(status=status)
    if vulnerable:
        qs = qs.vulnerable(vulnerable) if vulnerable in Vulnerability.values else qs.none()
    return qs.order_by("name", "id")


def households(
    user: Any, *, territory: Territory | None = None, q: str = ""
) -> QuerySet[Household]:
    qs = policy.scope(Household.objects.select_related("rt", "head"), user, Perm.REGISTRY_VIEW)
    if territory is not None:
        qs = qs.filter(in_subtree("rt_id", territory.bounds))
    q = q.strip()
    if q:
        digits = clean_digits(q)
        if digits.isdigit() and len(digits) >= 4:
            qs = qs.filter(kk__startswith=digits)
        else:
            qs = qs.filter(Q(address__icontains=q) | Q(head__name__icontains=q))
    return qs.order_by("rt_id", "address", "id")


def resident_for_view(user: Any, pk: Any, *, perm: Perm = Perm.REGISTRY_VIEW) -> Resident:
    """A resident's record for display (also in an edit form); the view is audited."""
    resident = policy.get_or_404(
        Resident.objects.select_related("rt", "household"), user, perm, pk=pk
    )
    audit.record(actor=user, action=AuditAction.VIEW, obj=resident, territory_id=resident.rt_id)
    return resident


def household_for_view(user: Any, pk: Any) -> Household:
    return policy.get_or_404(
        Household.objects.select_related("rt", "head"), user, Perm.REGISTRY_VIEW, pk=pk
    )


def resident_for_change(user: Any, pk: Any) -> Resident:
    return policy.get_or_404(
        Resident.objects.select_related("rt", "household"), user, Perm.REGISTRY_CHANGE, pk=pk
    )


def household_for_change(user: Any, pk: Any) -> Household:
    return policy.get_or_404(
        Household.objects.select_related("rt"), user, Perm.REGISTRY_CHANGE, pk=pk
    )


def members(household: Household) -> QuerySet[Resident]:
    return household.members.select_related("rt").order_by("birth_date", "id")
