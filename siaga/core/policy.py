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

from siaga.core import codes
from siaga.core.roles import HOUSEHOLD_SCOPED_ROLES, Perm, Role, role_has

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
    for membership in _memberships(user):
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


_MEMBERSHIPS_ATTR = "_siaga_memberships_cache"


def _memberships(user: Any) -> list[Any]:
    """The user's memberships, loaded once per user object (one query for all permissions)."""
    cached = user.__dict__.get(_MEMBERSHIPS_ATTR)
    if cached is None:
        cached = list(user.memberships.select_related("territory", "resident"))
        user.__dict__[_MEMBERSHIPS_ATTR] = cached
    return cached


def home_rw_keys(user: Any) -> set[int]:
    """The RWs a user lives in (a warga's resident) or serves at RW/RT level; memberships above
    an RW add none. For showing someone the public figures of their own RW."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    keys = {rw for _resident, _rt, rw in residence_places(user)}
    for membership in _memberships(user):
        territory = membership.territory
        if territory is not None and territory.level >= codes.LEVEL_RW:
            keys.add(codes.ancestor_key(territory.id, codes.LEVEL_RW))
    return keys


def forget(user: Any) -> None:
    """Drop the cached scopes of ``user`` (after its memberships change)."""
    user.__dict__.pop(_CACHE_ATTR, None)
    user.__dict__.pop(_MEMBERSHIPS_ATTR, None)


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


def is_global(user: Any, perm: Perm) -> bool:
    """Does ``user`` hold ``perm`` everywhere (an admin's or superuser's reach)?"""
    return scope_for(user, perm).everywhere


def reaches_any_territory(user: Any, perm: Perm) -> bool:
    """Does ``user`` hold ``perm`` on some territory subtree (not only on their own household)?"""
    reach = scope_for(user, perm)
    return reach.everywhere or bool(reach.ranges)


def require_somewhere(user: Any, perm: Perm) -> None:
    """Http404 unless ``user`` holds ``perm`` on at least one territory (e.g. a create page)."""
    if scope_for(user, perm).empty:
        raise Http404("not found")


def require(user: Any, perm: Perm, obj: models.Model) -> None:
    if not can_act_on(user, perm, obj):
        raise Http404("not found")


# ---- community data (co-commissioning and co-design) ---------------------------------------
# Needs, proposals, budget rounds, plans and meetings are *community* data: they carry no
# personal data and are meant to be read by the whole kampung that decides on them. Their read
# scope is wider than the registry's: every member (a warga too, whose registry scope is only
# their household) reads the community data of the whole kelurahan around their place, because
# RW- and kelurahan-level rounds and meetings concern them. Memberships above a kelurahan reach
# their own subtree. Use these functions ONLY for community data, never for personal data.

_KELURAHAN_LEVEL = codes.LEVEL_KELURAHAN
_RW_LEVEL = codes.LEVEL_RW
_span = codes.span_for_level
ancestor_key = codes.ancestor_key


def residence_places(user: Any) -> list[tuple[int, int, int]]:
    """(resident id, RT key, RW key) for each resident a warga account stands for."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    places = []
    for membership in _memberships(user):
        if membership.role in HOUSEHOLD_SCOPED_ROLES and membership.resident is not None:
            rt_key = membership.resident.rt_id
            places.append((membership.resident_id, rt_key, ancestor_key(rt_key, _RW_LEVEL)))
    return places


def community_scope(user: Any) -> Scope:
    """The territories whose community data ``user`` may read (cached per user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cache: dict[Any, Scope] = user.__dict__.setdefault(_CACHE_ATTR, {})
    if "community" in cache:
        return cache["community"]
    if user.is_superuser:
        cache["community"] = Scope(everywhere=True)
        return cache["community"]
    ranges: list[tuple[int, int]] = []
    everywhere = False
    span = _span(_KELURAHAN_LEVEL)
    for membership in _memberships(user):
        if not role_has(membership.role, Perm.COMMUNITY_VIEW):
            continue
        if membership.role in HOUSEHOLD_SCOPED_ROLES:
            key = membership.resident.rt_id if membership.resident is not None else None
            level = codes.LEVEL_RT
        elif membership.territory is None:
            everywhere = everywhere or membership.role == Role.ADMIN
            continue
        else:
            key, level = membership.territory.id, membership.territory.level
        if key is None:
            continue
        if level >= _KELURAHAN_LEVEL:
            low = ancestor_key(key, _KELURAHAN_LEVEL)
            ranges.append((low, low + span - 1))
        else:
            ranges.append(membership.territory.bounds)
    result = Scope(everywhere=everywhere, ranges=() if everywhere else _merge(ranges))
    cache["community"] = result
    return result


def scope_community(queryset: QuerySet[M], user: Any) -> QuerySet[M]:
    """Only the community-data rows of ``queryset`` that ``user`` may read."""
    reach = community_scope(user)
    if reach.everywhere:
        return queryset
    if reach.empty:
        return queryset.none()
    field_name = queryset.model.scope_territory_field  # type: ignore[attr-defined]
    condition = Q(pk__in=[])
    for bounds in reach.ranges:
        condition |= in_subtree(field_name, bounds)
    return queryset.filter(condition)


def get_community_or_404(queryset: QuerySet[M], user: Any, **lookup: Any) -> M:
    try:
        return scope_community(queryset, user).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("not found") from exc


def can_read_community(user: Any, obj: models.Model) -> bool:
    key = getattr(obj, type(obj).scope_territory_field)  # type: ignore[attr-defined]
    return community_scope(user).covers_key(key)
