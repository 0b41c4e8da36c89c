"""The contribution ledger: every meaningful community act with its phase and actor group."""

from __future__ import annotations

from typing import Any

from django.db import models

from siaga.core.models import ActorGroup, Contribution, Phase
from siaga.core.roles import ROLE_ACTOR_GROUP, ROLE_PRECEDENCE


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
    return Contribution.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        person_key=person_key or (f"user:{actor.pk}" if actor is not None else "anonymous"),
        actor_group=actor_group or actor_group_for(actor, territory_id),
        phase=phase,
        kind=kind,
        territory_id=territory_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )
