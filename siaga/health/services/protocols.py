"""Protocols (isolation days, triage thresholds) as versioned records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from siaga.core import audit, policy
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditAction
from siaga.core.roles import Perm
from siaga.health import protocols as rules
from siaga.health.models import Case, Contact, Monitoring, Newcomer, Protocol, ZoneDay


@transaction.atomic
def create_protocol(
    *,
    actor: Any,
    kind: str,
    name: str,
    effective_from: dt.date,
    params: dict[str, Any],
    source: str = "",
) -> Protocol:
    if not policy.is_global(actor, Perm.HEALTH_PROTOCOL):
        raise ValidationFailed.single("__all__", _("Only an administrator may publish protocols."))
    rules.validate_params(kind, params)
    if Protocol.objects.filter(
        Q(kind=kind) & (Q(name=name) | Q(effective_from=effective_from))
    ).exists():
        raise ValidationFailed.single(
            "name", _("A protocol of this kind with this name or date exists.")
        )
    protocol = Protocol.objects.create(
        kind=kind, name=name, effective_from=effective_from, params=params, source=source
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=protocol, changes={"params": params})
    return protocol


def protocol_in_use(protocol: Protocol) -> bool:
    models: tuple[Any, ...] = (Case, Contact, Monitoring, Newcomer, ZoneDay)
    return any(model.objects.filter(protocol=protocol).exists() for model in models)


@transaction.atomic
def update_protocol(
    *, actor: Any, protocol: Protocol, params: dict[str, Any], source: str | None = None
) -> Protocol:
    """Change an unused protocol's parameters. A used one is refused: results already computed
    under it must keep meaning what they meant, so publish a new version instead."""
    if not policy.is_global(actor, Perm.HEALTH_PROTOCOL):
        raise ValidationFailed.single("__all__", _("Only an administrator may change protocols."))
    rules.validate_params(protocol.kind, params)
    if protocol_in_use(protocol):
        raise ValidationFailed.single(
            "params",
            _(
                "This protocol has been used for recorded results; publish a new version with its own date instead."
            ),
        )
    changes: dict[str, Any] = {"params": params}
    if source is not None:
        changes["source"] = source
    audit.audited_update(actor=actor, obj=protocol, changes=changes)
    return protocol
