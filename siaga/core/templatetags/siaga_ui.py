"""Small template helpers for the web UI. Access questions go to core.policy, nowhere else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from siaga.core import codes, policy
from siaga.core.roles import ROLE_PRECEDENCE, Perm

register = template.Library()

_ROLES_ATTR = "_siaga_role_names"


@register.simple_tag
def can(user: Any, perm: str, obj: Any) -> bool:
    """May ``user`` use ``perm`` (e.g. "registry.change") on ``obj``?"""
    return obj is not None and policy.can_act_on(user, Perm(perm), obj)


@register.simple_tag
def has_scope(user: Any, perm: str) -> bool:
    """Does ``user`` hold ``perm`` anywhere at all (for showing a menu entry)?"""
    return not policy.scope_for(user, Perm(perm)).empty


@register.simple_tag
def user_roles(user: Any) -> list[str]:
    """The distinct roles the user holds, most senior first (one query, cached on the user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = user.__dict__.get(_ROLES_ATTR)
    if cached is None:
        held = set(user.memberships.values_list("role", flat=True))
        order = {role: index for index, role in enumerate(ROLE_PRECEDENCE)}
        cached = sorted(held, key=lambda role: order.get(role, len(order)))
        user.__dict__[_ROLES_ATTR] = cached
    return list(cached)


@register.filter
def lookup(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """``{{ labels|lookup:value }}``: the mapping's entry for ``key``, else ``key`` itself."""
    if not mapping:
        return key
    return mapping.get(key, key)


@register.filter
def rt_label(code: str | None) -> str:
    """A short label for an RT/RW code: "RT 003 / RW 006" (no database query)."""
    if not code:
        return ""
    parts = str(code).split(".")
    if len(parts) == codes.LEVEL_RT:
        return f"RT {parts[codes.LEVEL_RT - 1]} / RW {parts[codes.LEVEL_RW - 1]}"
    if len(parts) == codes.LEVEL_RW:
        return f"RW {parts[codes.LEVEL_RW - 1]}"
    return str(code)
