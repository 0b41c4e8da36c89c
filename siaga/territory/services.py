"""Writes to the territory tree."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core import audit, codes, policy
from siaga.core.models import AuditAction
from siaga.core.roles import Perm
from siaga.territory.models import Level, Territory
from siaga.territory.reference import iter_code_list


class TerritoryError(ValueError):
    """A territory operation that cannot be done; str() is user-facing."""


@dataclass
class LoadResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def read_code_file(path: Path) -> list[tuple[str, str]]:
    """Rows of a ``code,name`` CSV (header optional)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TerritoryError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip():
            continue
        if number == 1 and row[0].strip().lower() == "code":
            continue
        if len(row) < 2:
            raise TerritoryError(_("Line %(line)d: expected code,name") % {"line": number})
        rows.append((row[0].strip(), row[1].strip()))
    return rows


def load_codes(
    rows: Iterable[tuple[str, str]] | None = None,
    *,
    prefix: str | None = None,
    progress: Callable[[int], Any] | None = None,
    batch_size: int = 5000,
) -> LoadResult:
    """Idempotent upsert of (code, name) rows; the national list when ``rows`` is None.

    With ``prefix``, only codes under it load, with their ancestors. Rows are validated and
    ordered by level so that parents exist before children; a row whose parent is neither in the
    input nor in the database is refused (nothing is written). ``progress`` is called with the
    number of rows handled (written or unchanged) since its previous call.
    """
    plan = _plan(iter_code_list() if rows is None else rows, prefix)
    result = LoadResult(0, 0, 0)
    with transaction.atomic():
        # Read inside the transaction (SQLite: IMMEDIATE) so the counts match what is written.
        keys = [row[1] for row in plan]
        existing = (
            dict(Territory.objects.filter(id__in=keys).values_list("id", "name"))
            if len(keys) <= 20000
            else dict(Territory.objects.values_list("id", "name"))
        )
        _check_parents(plan, existing)
        now = connection.ops.adapt_datetimefield_value(timezone.now())  # adapted once
        batch: list[tuple[int, str, str, int, int | None, Any]] = []
        handled = 0
        for level, key, code, name, parent_key in plan:
            handled += 1
            old = existing.get(key)
            if old is None:
                result.created += 1
                batch.append((key, code, name, level, parent_key, now))
            elif old != name:
                result.updated += 1
                batch.append((key, code, name, level, parent_key, now))
            else:
                result.unchanged += 1
            if len(batch) >= batch_size:
                _upsert(batch)
                batch = []
            if progress and handled >= batch_size:
                progress(handled)
                handled = 0
        if batch:
            _upsert(batch)
        if progress and handled:
            progress(handled)
    return result


# (level, key, code, name, parent key): one planned row, each code parsed exactly once.
_PlannedRow = tuple[int, int, str, str, int | None]


def _plan(source: Iterable[tuple[str, str]], prefix: str | None) -> list[_PlannedRow]:
    """Validate the rows and keep those to load (a prefix's subtree and its ancestors), sorted."""
    under: str | None = None
    ancestors: set[str] = set()
    if prefix:
        try:
            prefix_parsed = codes.parse_code(prefix)
        except codes.CodeError as exc:
            raise TerritoryError(str(exc)) from exc
        under = prefix_parsed.code
        ancestors = set(prefix_parsed.ancestor_codes())
    wanted: dict[str, tuple[codes.ParsedCode, str]] = {}
    ancestor_rows: dict[str, tuple[codes.ParsedCode, str]] = {}
    for code, name in source:
        try:
            parsed = codes.parse_code(code)
        except codes.CodeError as exc:
            raise TerritoryError(str(exc)) from exc
        if under and not (parsed.code == under or parsed.code.startswith(under + ".")):
            if parsed.code in ancestors:
                ancestor_rows[parsed.code] = (parsed, name)
            continue
        if not name:
            raise TerritoryError(_("%(code)s has no name") % {"code": code})
        wanted[parsed.code] = (parsed, name)
    if under:
        if under not in wanted:
            raise TerritoryError(_("No code %(code)s in the list") % {"code": under})
        wanted.update(ancestor_rows)
    plan: list[_PlannedRow] = []
    for parsed, name in wanted.values():
        level, key = parsed.level, parsed.key
        # The parent's key is this key with its last part zeroed.
        parent_key = codes.ancestor_key(key, level - 1) if level > codes.LEVEL_PROVINSI else None
        plan.append((level, key, parsed.code, name, parent_key))
    plan.sort()
    return plan


def _check_parents(plan: list[_PlannedRow], existing: dict[int, str]) -> None:
    """Refuse rows whose parent is neither planned nor already stored (one query per 5000)."""
    planned = {row[1] for row in plan}
    outside = {row[4] for row in plan if row[4] is not None} - planned - set(existing)
    found: set[int] = set()
    pending = sorted(outside)
    for start in range(0, len(pending), 5000):
        chunk = pending[start : start + 5000]
        found.update(Territory.objects.filter(id__in=chunk).values_list("id", flat=True))
    missing = outside - found
    if missing:
        orphans = [row[2] for row in plan if row[4] in missing]
        raise TerritoryError(
            _("These codes have no parent in the file or the database: %(codes)s")
            % {"codes": ", ".join(orphans[:10])}
        )


def _upsert(batch: list[tuple[int, str, str, int, int | None, Any]]) -> None:
    # INSERT … VALUES (…), (…), … ON CONFLICT (id) DO UPDATE (SQLite and PG): many rows per
    # statement, within the backend's parameter limit (a row per statement is slow on PG).
    per_statement = (connection.features.max_query_params or 6000) // 6
    table = Territory._meta.db_table

    def sql(count: int) -> str:
        values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * count)
        return (
            f"INSERT INTO {table} (id, code, name, level, parent_id, created_at) "  # noqa: S608
            f"VALUES {values} ON CONFLICT (id) DO UPDATE SET name = excluded.name"
        )

    chunks = [batch[i : i + per_statement] for i in range(0, len(batch), per_statement)]
    full = [chunk for chunk in chunks if len(chunk) == per_statement]
    with connection.cursor() as cursor:
        if full:
            cursor.executemany(
                sql(per_statement), [[v for row in chunk for v in row] for chunk in full]
            )
        for chunk in chunks:
            if len(chunk) < per_statement:
                cursor.execute(sql(len(chunk)), [v for row in chunk for v in row])


def create_child(*, actor: Any, parent: Territory, number: int, name: str = "") -> Territory:
    """Create RW ``number`` under a kelurahan, or RT ``number`` under an RW."""
    if parent.level not in (Level.KELURAHAN, Level.RW):
        raise TerritoryError(_("RW can be created under a kelurahan, RT under an RW."))
    if not policy.can_act_on(actor, Perm.TERRITORY_CREATE, parent):
        raise TerritoryError(_("You may not create territories here."))
    try:
        code = codes.child_code(parent.code, number)
    except codes.CodeError:
        raise TerritoryError(_("The number must be between 1 and 999.")) from None
    parsed = codes.parse_code(code)
    label = "RW" if parsed.level == Level.RW else "RT"
    try:
        with transaction.atomic():
            territory = Territory.objects.create(
                id=parsed.key,
                code=code,
                name=name or f"{label} {number:03d}",
                level=parsed.level,
                parent=parent,
            )
            audit.record(
                actor=actor, action=AuditAction.CREATE, obj=territory, territory_id=territory.id
            )
    except IntegrityError:
        raise TerritoryError(
            _("%(label)s %(number)03d already exists here.") % {"label": label, "number": number}
        ) from None
    return territory
