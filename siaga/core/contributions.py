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

# (user pk, territory key) → actor group: a memo for bulk writers (see ``contribution_for``).
GroupMemo = dict[tuple[Any, int], str]


def actor_group_for(user: Any, territory_key: int) -> str:
    """The group a user acts for at a territory: their highest-precedence covering role."""
    roles = set()
    for membership in user.memberships.select_related("territory"):
        territory = membership.territory
        if territory is None or territory.contains(territory_key):
            roles.add(membership.role)
    for role in ROLE_PRECEDENCE:
        if role in roles:
            return ROLE_ACTOR_GROUP[role]
    return ActorGroup.GOVERNMENT if user.is_superuser else ActorGroup.RESIDENT


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
    groups: GroupMemo | None = None,
) -> Contribution:
    """The unsaved ledger row of one act: the actor when signed in, the person (``user:<pk>``
    unless given), the actor group (from the actor's roles at the territory unless given), the
    object acted on. ``at`` backdates the act (default: now); ``groups`` memoizes the actor
    group per (actor, territory) for callers building many rows."""
    if not actor_group:
        if groups is not None and actor is not None:
            key = (actor.pk, territory_id)
            if key not in groups:
                groups[key] = actor_group_for(actor, territory_id)
            actor_group = groups[key]
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
