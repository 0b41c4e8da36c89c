"""The home page as sections of the day's work, built per role.

A *section builder* is one function ``(HomeContext) -> Section | None`` registered for the roles
whose home shows it (``@section(Role.RELAWAN, ...)``). Giving a new role a home is one registration
per section: ``@section("puskesmas")`` on a builder, or ``register("puskesmas", builder)`` for an
existing one. A user with several roles sees the sections of each, once, in role precedence
order; alert sections come first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils import timezone

from siaga.core.roles import ROLE_PRECEDENCE, Role


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    post: bool = False  # a one-tap action that changes something (check-in): a small POST form


@dataclass
class Item:
    label: str
    url: str
    detail: str = ""
    badges: list[tuple[str, str]] = field(default_factory=list)  # (text, tone)
    action: Link | None = None
    secondary: Link | None = None


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    empty: str = ""
    actions: list[Link] = field(default_factory=list)
    alert: bool = False
    tiles: bool = False  # render the actions as large buttons (quick actions)


@dataclass
class HomeContext:
    user: Any
    roles: tuple[str, ...]
    now: dt.datetime = field(default_factory=timezone.now)
    cache: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value several sections read (the monitoring worklist), computed once per page."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


Builder = Callable[[HomeContext], Section | None]

BUILDERS: dict[str, list[Builder]] = {}


def register(role: str, *builders: Builder) -> None:
    """Show these sections on the home of ``role`` (in this order, after those already there)."""
    listed = BUILDERS.setdefault(str(role), [])
    listed.extend(b for b in builders if b not in listed)


def section(*roles: str) -> Callable[[Builder], Builder]:
    """Decorator: register the builder for each of ``roles``."""

    def decorate(builder: Builder) -> Builder:
        for role in roles:
            register(role, builder)
        return builder

    return decorate


def held_roles(user: Any) -> tuple[str, ...]:
    """The user's roles, most senior first; a superuser without membership counts as admin."""
    held = set(user.memberships.values_list("role", flat=True))
    if user.is_superuser:
        held.add(Role.ADMIN)
    order = {str(role): index for index, role in enumerate(ROLE_PRECEDENCE)}
    return tuple(sorted(held, key=lambda role: order.get(role, len(order))))


def sections_for(ctx: HomeContext) -> list[Section]:
    """Every section of every role the user holds, each builder once; alerts first."""
    seen: set[Builder] = set()
    built: list[Section] = []
    for role in ctx.roles:
        for builder in BUILDERS.get(role, []):
            if builder in seen:
                continue
            seen.add(builder)
            result = builder(ctx)
            if result is not None:
                built.append(result)
    return sorted(built, key=lambda s: not s.alert)
