"""The one territory access policy.

Every view, API endpoint, export, command and service asks this module three questions:
which territories may this user act on for this permission (``scope_for``), may they act on this
object (``get_or_404`` / ``can_act_on``), and which rows of a queryset may they see (``scope``).

A membership grants its role's permissions on its territory and the whole subtree below it.
A warga membership reaches only the member's own household. Anything out of scope is reported
as *not found*: callers raise 404, never 403, so the existence of an object is not revealed.

A model opts in by naming its scoping columns:
- ``scope_territory_field``: an FK column holding a territory key (e.g. ``"rt_id"``);
- ``scope_household_field`` / ``scope_resident_field``: for household-scoped roles (warga).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from siaga.accounts.roles import HOUSEHOLD_SCOPED_ROLES, Perm, Role, role_has

M = TypeVar("M", bound=models.Model)

_CACHE_ATTR = "_siaga_scope_cache"


@dataclass(frozen=True)
class Scope:
    everywhere: bool = False
    ranges: tuple[tuple[int, int], ...] = ()
    households: frozenset[int] = field(default_factory=frozenset)
    residents: frozenset[int] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (self.everywhere or self.ranges or self.households or self.residents)

    def covers_key(self, key: int) -> bool:
        return self.everywhere or any(low <= key <= high for low, high in self.ranges)


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return tuple(merged)


def in_subtree(field: str, bounds: tuple[int, int]) -> Q:
    """Rows whose territory-key column ``field`` lies in the subtree with these key bounds."""
    low, high = bounds
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def scope_for(user: Any, perm: Perm) -> Scope:
    """The territories and households ``user`` may reach with ``perm`` (cached per user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cache: dict[Perm, Scope] = user.__dict__.setdefault(_CACHE_ATTR, {})
    if perm in cache:
        return cache[perm]
    if user.is_superuser:
        cache[perm] = Scope(everywhere=True)
        return cache[perm]
    ranges: list[tuple[int, int]] = []
    households: set[int] = set()
    residents: set[int] = set()
    everywhere = False
    memberships = user.memberships.select_related("territory", "resident")
    for membership in memberships:
        if not role_has(membership.role, perm):
            continue
        if membership.role in HOUSEHOLD_SCOPED_ROLES:
            if membership.resident is not None:
                residents.add(membership.resident_id)
                if membership.resident.household_id:
                    households.add(membership.resident.household_id)
            continue
        if membership.territory is None:
            everywhere = membership.role == Role.ADMIN or everywhere
            continue
        ranges.append(membership.territory.bounds)
    scope = Scope(
        everywhere=everywhere,
        ranges=() if everywhere else _merge(ranges),
        households=frozenset(households),
        residents=frozenset(residents),
    )
    cache[perm] = scope
    return scope


def forget(user: Any) -> None:
    """Drop the cached scopes of ``user`` (after its memberships change)."""
    user.__dict__.pop(_CACHE_ATTR, None)


def scope_q(model: type[models.Model], user: Any, perm: Perm) -> Q | None:
    """A Q selecting the rows of ``model`` within reach; None means everything."""
    scope = scope_for(user, perm)
    if scope.everywhere:
        return None
    condition = Q(pk__in=[])
    territory_field = getattr(model, "scope_territory_field", None)
    if territory_field:
        for bounds in scope.ranges:
            condition |= in_subtree(territory_field, bounds)
    household_field = getattr(model, "scope_household_field", None)
    if household_field and scope.households:
        condition |= Q(**{f"{household_field}__in": sorted(scope.households)})
    resident_field = getattr(model, "scope_resident_field", None)
    if resident_field and scope.residents:
        condition |= Q(**{f"{resident_field}__in": sorted(scope.residents)})
    return condition


def scope(queryset: QuerySet[M], user: Any, perm: Perm) -> QuerySet[M]:
    """Only the rows of ``queryset`` that ``user`` may reach with ``perm``."""
    condition = scope_q(queryset.model, user, perm)
    if condition is None:
        return queryset
    scope_ = scope_for(user, perm)
    if scope_.empty:
        return queryset.none()
    return queryset.filter(condition)


def get_or_404(queryset: QuerySet[M], user: Any, perm: Perm, **lookup: Any) -> M:
    """The object matching ``lookup`` if ``user`` may reach it with ``perm``; else Http404."""
    try:
        return scope(queryset, user, perm).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("not found") from exc


def can_act_on(user: Any, perm: Perm, obj: models.Model) -> bool:
    """May ``user`` use ``perm`` on this (already loaded) object?"""
    scope_ = scope_for(user, perm)
    if scope_.everywhere:
        return True
    model = type(obj)
    territory_field = getattr(model, "scope_territory_field", None)
    if territory_field:
        key = getattr(obj, territory_field)
        if key is not None and scope_.covers_key(key):
            return True
    household_field = getattr(model, "scope_household_field", None)
    if household_field and getattr(obj, household_field) in scope_.households:
        return True
    resident_field = getattr(model, "scope_resident_field", None)
    return bool(resident_field and getattr(obj, resident_field) in scope_.residents)


def covers_territory(user: Any, perm: Perm, territory_key: int) -> bool:
    return scope_for(user, perm).covers_key(territory_key)


def require(user: Any, perm: Perm, obj: models.Model) -> None:
    if not can_act_on(user, perm, obj):
        raise Http404("not found")
