"""Writing the audit trail. Call inside the same transaction as the write it records."""

from __future__ import annotations

from typing import Any

from django.db import models

from siaga.core.context import current_interface
from siaga.core.models import AuditEntry


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    territory_id: int | None = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        summary = summary or str(obj)[:255]
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        territory_id=territory_id,
        summary=summary[:255],
        interface=current_interface(),
        changes=changes or {},
    )


def bulk_record(entries: list[AuditEntry]) -> None:
    """Insert many prepared entries at once (imports, generators); the interface is filled in."""
    interface = current_interface()
    for entry in entries:
        entry.interface = interface
    AuditEntry.objects.bulk_create(entries, batch_size=2000)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Changed fields as {field: [old, new]}, JSON-safe."""
    changed: dict[str, Any] = {}
    for key, new in after.items():
        old = before.get(key)
        if old != new:
            changed[key] = [_jsonable(old), _jsonable(new)]
    return changed


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)
