"""Small template helpers for the web UI. Access questions go to core.policy, nowhere else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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


# The main menu: (label, URL name, the app whose pages it marks current, URL-name prefix, the
# permission that opens it, whether a territory reach is needed). An entry shows only when the
# user holds the permission where the page would show them something: a warga, whose registry,
# health and logistics reach is their own household, finds that household on their home page.
_NAV: tuple[tuple[Any, str, str, str, Perm | None, bool], ...] = (
    (_("Home"), "home", "", "home", None, False),
    (_("Health"), "health:worklist", "health", "", Perm.HEALTH_VIEW, True),
    (_("Volunteers"), "volunteers:my_tasks", "volunteers", "", Perm.VOLUNTEER_VIEW, True),
    (_("Households"), "registry:households", "registry", "household", Perm.REGISTRY_VIEW, True),
    (_("Residents"), "registry:residents", "registry", "resident", Perm.REGISTRY_VIEW, True),
    (_("Logistics"), "logistics:stock", "logistics", "", Perm.LOGISTICS_VIEW, True),
    (
        _("Needs & proposals"),
        "commissioning:needs",
        "commissioning",
        "",
        Perm.COMMUNITY_VIEW,
        False,
    ),
    (_("Plans & meetings"), "planning:plans", "planning", "", Perm.COMMUNITY_VIEW, False),
    (_("Feedback & complaints"), "assessment:home", "assessment", "", Perm.COMPLAINT_FILE, False),
    (_("Indicators"), "indicators:dashboard", "indicators", "", Perm.INDICATOR_VIEW, True),
    (_("Territory"), "territory:index", "territory", "", Perm.TERRITORY_VIEW, True),
    (_("Audit"), "core:audit", "core", "", Perm.AUDIT_VIEW, True),
)


@register.simple_tag(takes_context=True)
def main_nav(context: Any) -> list[dict[str, Any]]:
    """The menu entries this user can open (never one that answers 404), the current one marked."""
    request = context.get("request")
    user = context.get("user")
    match = getattr(request, "resolver_match", None)
    app = getattr(match, "app_name", "") or ""
    name = getattr(match, "url_name", "") or ""
    entries = []
    for label, url_name, entry_app, prefix, perm, needs_territory in _NAV:
        if perm is not None:
            reach = policy.scope_for(user, perm)
            if reach.empty or (needs_territory and not (reach.everywhere or reach.ranges)):
                continue
        current = app == entry_app and name.startswith(prefix) if entry_app else name == prefix
        entries.append({"label": label, "url": reverse(url_name), "current": current})
    return entries


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
