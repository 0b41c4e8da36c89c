"""The contribution ledger: every meaningful community act with its phase and actor group.

One rule for every writer: ``contribution_for`` builds the (unsaved) ledger row of an act;
``record_contribution`` saves one (the services, one act at a time) and
``bulk_record_contributions`` saves many in one go (bulk builders such as the demo's, which make
thousands of records at once but must tag them exactly as the services do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models

from siaga.core.models import ActorGroup, Contribution, Phase
from siaga.core.roles import ROLE_ACTOR_GROUP, ROLE_PRECEDENCE


def _group_at(memberships: Iterable[Any], superuser: bool, territory_key: int) -> str:
    roles = set()
    for membership in memberships:
        territory = membership.territory
        if territory is None or territory.contains(territory_key):
            roles.add(membership.role)
    for role in ROLE_PRECEDENCE:
        if role in roles:
            return ROLE_ACTOR_GROUP[role]
    return ActorGroup.GOVERNMENT if superuser else ActorGroup.RESIDENT


def actor_group_for(user: Any, territory_key: int) -> str:
    """The group a user acts for at a territory: their highest-precedence covering role."""
    return _group_at(user.memberships.select_related("territory"), user.is_superuser, territory_key)


class ActorGroups:
    """``actor_group_for`` for writers of many rows: each user's memberships are read once."""

    def __init__(self) -> None:
        self._memberships: dict[Any, list[Any]] = {}
        self._groups: dict[tuple[Any, int], str] = {}

    def __call__(self, user: Any, territory_key: int) -> str:
        key = (user.pk, territory_key)
        if key not in self._groups:
            if user.pk not in self._memberships:
                self._memberships[user.pk] = list(user.memberships.select_related("territory"))
            held = self._memberships[user.pk]
            self._groups[key] = _group_at(held, user.is_superuser, territory_key)
        return self._groups[key]


def contribution_for(
    *,
    actor: Any,
    phase: Phase,
    kind: str,
    territory_id: int,
    obj: models.Model | None = None,
    actor_group: ActorGroup | str | None = None,
    person_key: str = "",
    at: dt.datetime | None = None,
    groups: ActorGroups | None = None,
) -> Contribution:
    """The unsaved ledger row of one act: the actor when signed in, the person (``user:<pk>``
    unless given), the actor group (from the actor's roles at the territory unless given), the
    object acted on. ``at`` backdates the act (default: now); ``groups`` (an ``ActorGroups``)
    reads each actor's roles once, for callers building many rows."""
    if not actor_group:
        if groups is not None and actor is not None:
            actor_group = groups(actor, territory_id)
        else:
            actor_group = actor_group_for(actor, territory_id)
    row = Contribution(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        person_key=person_key or (f"user:{actor.pk}" if actor is not None else "anonymous"),
        actor_group=actor_group,
        phase=phase,
        kind=kind,
        territory_id=territory_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )
    if at is not None:
        row.at = at
    return row


def record_contribution(
    *,
    actor: Any,
    phase: Phase,
    kind: str,
    territory_id: int,
    obj: models.Model | None = None,
    actor_group: ActorGroup | str | None = None,
    person_key: str = "",
) -> Contribution:
    row = contribution_for(
        actor=actor,
        phase=phase,
        kind=kind,
        territory_id=territory_id,
        obj=obj,
        actor_group=actor_group,
        person_key=person_key,
    )
    row.save(force_insert=True)
    return row


def bulk_record_contributions(
    rows: Iterable[Contribution], *, batch_size: int = 5000
) -> list[Contribution]:
    """Save many rows built by ``contribution_for`` at once (no per-row query)."""
    return Contribution.objects.bulk_create(list(rows), batch_size=batch_size)
