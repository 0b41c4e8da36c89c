"""Writing the audit trail. Call inside the same transaction as the write it records."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from django.db import connection, models

from siaga.core.context import current_interface
from siaga.core.models import AuditAction, AuditEntry


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
        if not summary and type(obj).__str__ is not models.Model.__str__:
            summary = str(obj)[:255]  # not Django's "Delivery object (10209)": it says nothing
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


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` of ``obj``; a foreign key by its id (``rt`` → ``rt_id``)."""
    meta = obj._meta
    values: dict[str, Any] = {}
    for name in fields:
        field = meta.get_field(name)
        values[name] = getattr(obj, field.attname if isinstance(field, models.Field) else name)
    return values


def apply_changes(
    obj: models.Model, changes: Mapping[str, Any], fields: Iterable[str] | None = None
) -> dict[str, Any]:
    """Set ``changes`` on ``obj`` (not saved) and answer what changed among ``fields`` (default:
    the changed names) as ``diff`` does: {field: [old, new]}."""
    watched = tuple(changes) if fields is None else tuple(fields)
    before = snapshot(obj, watched)
    for name, value in changes.items():
        setattr(obj, name, value)
    return diff(before, snapshot(obj, watched))


def audited_update(
    *,
    actor: Any,
    obj: models.Model,
    changes: Mapping[str, Any],
    fields: Iterable[str] | None = None,
    territory_id: int | None = None,
    summary: str = "",
    also_save: Iterable[str] = (),
    save: Callable[[list[str]], object] | None = None,
) -> dict[str, Any]:
    """Change a row and audit the change: the one way services write an UPDATE entry.

    Snapshots ``fields`` (default: the names in ``changes``), sets ``changes``, and, when
    something among ``fields`` changed, saves with ``update_fields`` (the changed fields and
    ``also_save``, e.g. an ``auto_now`` column) and records the diff. Nothing changed: no save,
    no entry. ``save(update_fields)`` replaces ``obj.save`` (e.g. to turn an IntegrityError into
    a ValidationFailed). Returns the diff, {field: [old, new]}. Call inside the transaction of
    the write.
    """
    watched = tuple(changes) if fields is None else tuple(fields)
    with tracked_update(
        actor=actor,
        obj=obj,
        fields=watched,
        territory_id=territory_id,
        summary=summary,
        also_save=also_save,
        save=save,
    ) as changed:
        for name, value in changes.items():
            setattr(obj, name, value)
    return changed


@contextlib.contextmanager
def tracked_update(
    *,
    actor: Any,
    obj: models.Model,
    fields: Iterable[str],
    territory_id: int | None = None,
    summary: str = "",
    also_save: Iterable[str] = (),
    save: Callable[[list[str]], object] | None = None,
) -> Iterator[dict[str, Any]]:
    """``audited_update`` for changes that a service works out step by step (derived fields,
    rules): snapshot ``fields`` on entry; on a clean exit save what changed among them (with
    ``also_save``) and record the diff, which fills the yielded dict. Nothing changed: no save,
    no entry. An exception inside leaves the row unsaved and nothing recorded."""
    watched = tuple(fields)
    before = snapshot(obj, watched)
    changed: dict[str, Any] = {}
    yield changed
    changed.update(diff(before, snapshot(obj, watched)))
    if not changed:
        return
    update_fields = [*changed, *also_save]
    if save is None:
        obj.save(update_fields=update_fields)
    else:
        save(update_fields)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=obj,
        territory_id=territory_id,
        summary=summary,
        changes=changed,
    )


class AuditRow(NamedTuple):
    """A prepared audit entry without a model instance (bulk writers build many of these)."""

    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    territory_id: int | None
    summary: str
    changes: dict[str, Any]
    at: dt.datetime


_BULK_COLUMNS = (
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "summary",
    "territory_id",
    "interface",
    "changes",
)


def max_query_params() -> int:
    """How many parameters one statement may carry on this database (SQLite's real limit)."""
    if connection.vendor == "sqlite":
        import sqlite3

        raw = connection.connection
        if raw is not None and hasattr(raw, "getlimit"):
            return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        return 999
    if connection.vendor == "postgresql":
        return 65535
    return connection.features.max_query_params or 2000


def bulk_record(entries: Sequence[AuditEntry | AuditRow]) -> None:
    """Insert many prepared entries at once (imports, generators); the interface is filled in.

    One multi-row INSERT per batch (the ORM's bulk_create spent far more time preparing each
    value than the database spent writing it). AuditEntry instances get their primary keys.
    """
    if not entries:
        return
    interface = current_interface()
    connection.ensure_connection()
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    json_mark = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    one = "(" + "%s, " * (len(_BULK_COLUMNS) - 1) + json_mark + ")"
    head = f"INSERT INTO {table} ({', '.join(_BULK_COLUMNS)}) VALUES "  # noqa: S608
    returning = connection.features.can_return_rows_from_bulk_insert
    batch = max(1, min(5000, max_query_params() // len(_BULK_COLUMNS)))
    dumps = json.dumps
    last_at: Any = object()
    last_adapted: Any = None
    if connection.vendor == "postgresql" and not any(isinstance(e, AuditEntry) for e in entries):
        _copy_rows(entries, interface)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(entries), batch):
            chunk = entries[start : start + batch]
            params: list[Any] = []
            for e in chunk:
                if e.at is not last_at:  # entries of one batch usually share one time
                    last_at, last_adapted = e.at, adapt(e.at)
                params += (
                    last_adapted,
                    e.actor_id,
                    e.actor_name,
                    e.action,
                    e.object_type,
                    str(e.object_id),
                    e.summary,
                    e.territory_id,
                    interface,
                    dumps(e.changes if e.changes is not None else {}),
                )
            sql = head + ", ".join([one] * len(chunk))
            models_in_chunk = [e for e in chunk if isinstance(e, AuditEntry)]
            if returning and models_in_chunk:
                cursor.execute(sql + " RETURNING id", params)
                for entry, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    if isinstance(entry, AuditEntry):
                        entry.pk = pk
            else:
                cursor.execute(sql, params)
            for entry in models_in_chunk:
                entry.interface = interface
                entry._state.adding = False
                entry._state.db = connection.alias


def _copy_rows(entries: Sequence[AuditEntry | AuditRow], interface: str) -> None:
    """PostgreSQL: COPY the rows (binding thousands of parameters costs more than the writing)."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    dumps = json.dumps
    with connection.cursor() as cursor:
        sql = f"COPY {table} ({', '.join(_BULK_COLUMNS)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            for e in entries:
                write(
                    (
                        e.at,
                        e.actor_id,
                        e.actor_name,
                        e.action,
                        e.object_type,
                        str(e.object_id),
                        e.summary,
                        e.territory_id,
                        interface,
                        dumps(e.changes if e.changes is not None else {}),
                    )
                )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Changed fields as {field: [old, new]}, JSON-safe."""
    changed: dict[str, Any] = {}
    get = before.get
    for key, new in after.items():
        old = get(key)
        if old != new:
            changed[key] = [
                old if type(old) in _PLAIN else _jsonable(old),
                new if type(new) in _PLAIN else _jsonable(new),
            ]
    return changed


_PLAIN = frozenset({type(None), bool, int, float, str})


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)
