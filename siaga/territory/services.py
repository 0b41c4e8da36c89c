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

from siaga.accounts.roles import Perm
from siaga.core import audit, policy
from siaga.core.models import AuditAction
from siaga.territory import codes
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
    input nor in the database is refused (nothing is written).
    """
    source = iter_code_list() if rows is None else rows
    wanted: dict[str, str] = {}
    prefix_parsed = codes.parse_code(prefix) if prefix else None
    all_rows = dict(source) if prefix_parsed else None
    for code, name in all_rows.items() if all_rows is not None else source:
        try:
            parsed = codes.parse_code(code)
        except codes.CodeError as exc:
            raise TerritoryError(str(exc)) from exc
        if prefix_parsed and not (
            parsed.code == prefix_parsed.code or parsed.code.startswith(prefix_parsed.code + ".")
        ):
            continue
        if not name:
            raise TerritoryError(_("%(code)s has no name") % {"code": code})
        wanted[parsed.code] = name
    if prefix_parsed and all_rows is not None:
        if prefix_parsed.code not in wanted:
            raise TerritoryError(_("No code %(code)s in the list") % {"code": prefix_parsed.code})
        for ancestor in prefix_parsed.ancestor_codes():
            if ancestor in all_rows:
                wanted[ancestor] = all_rows[ancestor]

    parsed_rows = sorted(
        (codes.parse_code(code) for code in wanted), key=lambda p: (p.level, p.key)
    )
    existing = (
        dict(
            Territory.objects.filter(id__in=[p.key for p in parsed_rows]).values_list("id", "name")
        )
        if len(parsed_rows) <= 20000
        else dict(Territory.objects.values_list("id", "name"))
    )
    known_keys = set(existing)
    missing_parents = []
    for parsed in parsed_rows:
        parent = parsed.parent_code
        if parent and parent not in wanted:
            parent_key = codes.parse_code(parent).key
            if (
                parent_key not in known_keys
                and not Territory.objects.filter(id=parent_key).exists()
            ):
                missing_parents.append(parsed.code)
            else:
                known_keys.add(parent_key)
    if missing_parents:
        raise TerritoryError(
            _("These codes have no parent in the file or the database: %(codes)s")
            % {"codes": ", ".join(missing_parents[:10])}
        )

    result = LoadResult(0, 0, 0)
    batch: list[Territory] = []
    with transaction.atomic():
        for parsed in parsed_rows:
            name = wanted[parsed.code]
            old = existing.get(parsed.key)
            if old is None:
                result.created += 1
            elif old != name:
                result.updated += 1
            else:
                result.unchanged += 1
                continue
            parent = parsed.parent_code
            batch.append(
                Territory(
                    id=parsed.key,
                    code=parsed.code,
                    name=name,
                    level=parsed.level,
                    parent_id=codes.parse_code(parent).key if parent else None,
                )
            )
            if len(batch) >= batch_size:
                _upsert(batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            _upsert(batch)
            if progress:
                progress(len(batch))
    return result


def _upsert(batch: list[Territory]) -> None:
    # One multi-row statement per batch: INSERT … ON CONFLICT (id) DO UPDATE (SQLite and PG).
    table = Territory._meta.db_table
    now = timezone.now()
    rows = [(t.id, t.code, t.name, t.level, t.parent_id, now) for t in batch]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (id, code, name, level, parent_id, created_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            rows,
        )


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
