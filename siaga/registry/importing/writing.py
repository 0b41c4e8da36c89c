"""The write phase: replays the accepted rows inside one transaction with bulk inserts,
updates and audit entries."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core import audit, bulk
from siaga.core.models import AuditAction
from siaga.registry.importing.checks import (
    _IMPORTED,
    _STORED,
    Existing,
    ExistingHousehold,
    _address_change,
    _Known,
    _load_known,
    _Plan,
    _State,
)
from siaga.registry.importing.readers import ImportRefused
from siaga.registry.importing.results import Row
from siaga.registry.models import Household, Relation, Resident

_SNAPSHOT_FIELDS = (
    "nik",
    "name",
    "sex",
    "birth_date",
    "birth_place",
    "phone",
    "household",
    "relation",
    "rt",
    "status",
)
# A created resident's audit entry lists every field, as registry.services does.
_CREATE_DEFAULTS = {"comorbidities": [], "hamil": False, "disabilitas": False}


_CREATE_DEFAULT_CHANGES = audit.diff({}, _CREATE_DEFAULTS)
_PLAIN = frozenset({type(None), bool, int, float, str})


def _created_changes(values: dict[str, Any]) -> dict[str, Any]:
    """``audit.diff({}, {**values, **_CREATE_DEFAULTS})`` without its general comparison loop:
    every field that is not None, dates as text."""
    changes = {
        key: [None, value if type(value) in _PLAIN else str(value)]
        for key, value in values.items()
        if value is not None
    }
    changes.update(_CREATE_DEFAULT_CHANGES)
    return changes


SQLITE_WRITE_CACHE_KIB = 65536


@contextlib.contextmanager
def _large_page_cache() -> Iterator[None]:
    """SQLite: a 64 MiB page cache while the import writes, then the connection's own again.

    The resident and audit tables carry a dozen indexes between them; with SQLite's default
    2 MiB cache each batch rereads and rewrites index pages it has just evicted (the write phase
    ran about twice as long). The cache is a bound, not a per-row cost: memory stays flat.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def _existing_snapshot(resident: Existing) -> dict[str, Any]:
    values = resident._asdict()
    values["household"] = values.pop("household_id")
    values["rt"] = values.pop("rt_id")
    return {f: values[f] for f in _SNAPSHOT_FIELDS}


class _Writer:
    """Replays the accepted rows in batches of plain SQL, re-planning each against the database.

    Rows are written with multi-row INSERT … RETURNING id and executemany UPDATE (the ORM's
    bulk_create/bulk_update cost more in Python than the database spends), audit entries with
    core.audit.bulk_record.
    """

    def __init__(self, state: _State) -> None:
        self.state = state
        self.actor = state.actor
        job = state.job
        self.created = self.updated = self.unchanged = 0
        self.households_created = self.households_updated = 0
        self.households_seen: set[int] = set()
        user = self.actor if getattr(self.actor, "is_authenticated", False) else None
        self.actor_id = user.pk if user else None
        self.actor_name = user.get_username() if user else ""
        self.tag = f"import {job.import_id}: {job.source.name}"
        self.ops = connection.ops
        self.resident_table = connection.ops.quote_name(Resident._meta.db_table)
        self.household_table = connection.ops.quote_name(Household._meta.db_table)

    def _entry(
        self,
        action: str,
        object_type: str,
        pk: int,
        territory: int,
        name: str,
        changes: dict[str, Any],
    ) -> audit.AuditRow:
        return audit.AuditRow(
            self.actor_id,
            self.actor_name,
            action,
            object_type,
            str(pk),
            territory,
            f"{name} ({self.tag})"[:255],
            changes,
            self.now,
        )

    def write_chunk(self, rows: list[Row]) -> None:
        self.now = timezone.now()
        self.stamp = self.ops.adapt_datetimefield_value(self.now)
        known = _load_known(rows, self.actor)
        plans: list[_Plan] = []
        for row in rows:
            plan = self.state.plan(row, known)
            if plan is None:
                raise _changed_meanwhile()
            plans.append(plan)
        entries: list[audit.AuditRow] = []
        self._households(plans, known, entries)

        creates: list[dict[str, Any]] = []
        updates: list[tuple[Existing, dict[str, Any]]] = []
        unchanged_heads: dict[int, int] = {}
        for plan in plans:
            values = plan.values
            if plan.kk_new:
                values = {**values, "household": known.households[plan.row.kk].id}
            resident = plan.resident
            if resident is None:
                creates.append(values)
            elif _differs(resident, values):
                updates.append((resident, values))
            else:
                self.unchanged += 1
                if values["relation"] == Relation.KEPALA and values["household"]:
                    unchanged_heads.setdefault(values["household"], resident.id)
        heads: dict[int, int] = {}
        if creates:
            ids = self._insert_residents(creates)
            for pk, values in zip(ids, creates, strict=True):
                entries.append(
                    self._entry(
                        AuditAction.CREATE,
                        "registry.resident",
                        pk,
                        values["rt"],
                        values["name"],
                        _created_changes(values),
                    )
                )
                if values["relation"] == Relation.KEPALA and values["household"]:
                    heads.setdefault(values["household"], pk)
            self.created += len(creates)
        if updates:
            self._update_residents(updates)
            for resident, values in updates:
                entries.append(
                    self._entry(
                        AuditAction.UPDATE,
                        "registry.resident",
                        resident.id,
                        values["rt"],
                        values["name"],
                        audit.diff(_existing_snapshot(resident), values),
                    )
                )
                if values["relation"] == Relation.KEPALA and values["household"]:
                    heads.setdefault(values["household"], resident.id)
            self.updated += len(updates)
        self._heads({**unchanged_heads, **heads})
        if entries:
            audit.bulk_record(entries)

    def _insert_residents(self, creates: list[dict[str, Any]]) -> list[int]:
        if connection.vendor == "postgresql":
            return _copy_with_ids(
                Resident._meta.db_table,
                (
                    "nik",
                    "name",
                    "sex",
                    "birth_date",
                    "birth_place",
                    "phone",
                    "household_id",
                    "relation",
                    "rt_id",
                    "status",
                    "comorbidities",
                    "hamil",
                    "disabilitas",
                    "created_at",
                    "updated_at",
                ),
                [
                    (
                        v["nik"],
                        v["name"],
                        v["sex"],
                        v["birth_date"],
                        v["birth_place"],
                        v["phone"],
                        v["household"],
                        v["relation"],
                        v["rt"],
                        v["status"],
                        "[]",
                        False,
                        False,
                        self.now,
                        self.now,
                    )
                    for v in creates
                ],
            )
        adapt_date = self.ops.adapt_datefield_value
        columns = (
            "nik, name, sex, birth_date, birth_place, phone, household_id, relation, rt_id, "
            "status, comorbidities, hamil, disabilitas, created_at, updated_at"
        )
        one = "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '[]', %s, %s, %s, %s)"
        ids: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(creates), _INSERT_BATCH):
                batch = creates[start : start + _INSERT_BATCH]
                params: list[Any] = []
                for v in batch:
                    params += (
                        v["nik"],
                        v["name"],
                        v["sex"],
                        adapt_date(v["birth_date"]),
                        v["birth_place"],
                        v["phone"],
                        v["household"],
                        v["relation"],
                        v["rt"],
                        v["status"],
                        False,
                        False,
                        self.stamp,
                        self.stamp,
                    )
                cursor.execute(
                    f"INSERT INTO {self.resident_table} ({columns}) VALUES "  # noqa: S608
                    + ", ".join([one] * len(batch))
                    + " RETURNING id",
                    params,
                )
                ids += [pk for (pk,) in cursor.fetchall()]
        return ids

    def _update_residents(self, updates: list[tuple[Existing, dict[str, Any]]]) -> None:
        adapt_date = self.ops.adapt_datefield_value
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {self.resident_table} SET name = %s, sex = %s, "  # noqa: S608
                "birth_date = %s, birth_place = %s, phone = %s, household_id = %s, "
                "relation = %s, rt_id = %s, status = %s, updated_at = %s WHERE id = %s",
                [
                    (
                        v["name"],
                        v["sex"],
                        adapt_date(v["birth_date"]),
                        v["birth_place"],
                        v["phone"],
                        v["household"],
                        v["relation"],
                        v["rt"],
                        v["status"],
                        self.stamp,
                        resident.id,
                    )
                    for resident, v in updates
                ],
            )

    def _households(self, plans: list[_Plan], known: _Known, entries: list[audit.AuditRow]) -> None:
        """Create the new households and apply address changes (first row of each KK decides)."""
        created: list[tuple[str, int, str]] = []
        changed: list[tuple[ExistingHousehold, str]] = []
        for plan in plans:
            kk = plan.row.kk
            if not kk or int(kk) in self.households_seen:
                continue
            self.households_seen.add(int(kk))
            if plan.household is None:
                created.append((kk, plan.values["rt"], plan.row.address or ""))
            elif _address_change(plan):
                changed.append((plan.household, plan.row.address or ""))
        if created:
            ids = self._insert_households(created)
            for pk, (kk, rt, address) in zip(ids, created, strict=True):
                known.households[kk] = ExistingHousehold(pk, kk, rt, address, True)
                after = {"kk": kk, "rt": rt, "address": address, "head": None}
                entries.append(
                    self._entry(
                        AuditAction.CREATE,
                        "registry.household",
                        pk,
                        rt,
                        f"KK {kk}",
                        audit.diff({}, after),
                    )
                )
            self.households_created += len(created)
        if changed:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {self.household_table} SET address = %s, "  # noqa: S608
                    "updated_at = %s WHERE id = %s",
                    [(address, self.stamp, household.id) for household, address in changed],
                )
            for household, address in changed:
                entries.append(
                    self._entry(
                        AuditAction.UPDATE,
                        "registry.household",
                        household.id,
                        household.rt_id,
                        f"KK {household.kk}",
                        {"address": [household.address, address]},
                    )
                )
            self.households_updated += len(changed)

    def _insert_households(self, created: list[tuple[str, int, str]]) -> list[int]:
        if connection.vendor == "postgresql":
            return _copy_with_ids(
                Household._meta.db_table,
                ("kk", "rt_id", "address", "created_at", "updated_at"),
                [(kk, rt, address, self.now, self.now) for kk, rt, address in created],
            )
        ids: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(created), _INSERT_BATCH):
                batch = created[start : start + _INSERT_BATCH]
                params: list[Any] = []
                for kk, rt, address in batch:
                    params += (kk, rt, address, self.stamp, self.stamp)
                cursor.execute(
                    f"INSERT INTO {self.household_table} "  # noqa: S608
                    "(kk, rt_id, address, head_id, created_at, updated_at) VALUES "
                    + ", ".join(["(%s, %s, %s, NULL, %s, %s)"] * len(batch))
                    + " RETURNING id",
                    params,
                )
                ids += [pk for (pk,) in cursor.fetchall()]
        return ids

    def _heads(self, heads: dict[int, int]) -> None:
        """As registry.services: a kepala becomes the head of a household that has none."""
        if not heads:
            return
        pairs = list(heads.items())
        table = self.household_table
        with connection.cursor() as cursor:
            # one statement per batch: (VALUES …) names its columns column1, column2 on both DBs
            for start in range(0, len(pairs), _INSERT_BATCH * 4):
                batch = pairs[start : start + _INSERT_BATCH * 4]
                cursor.execute(
                    f"UPDATE {table} SET head_id = v.column2 FROM (VALUES "  # noqa: S608
                    + ", ".join(["(%s, %s)"] * len(batch))
                    + f") AS v WHERE {table}.id = v.column1 AND {table}.head_id IS NULL",
                    [value for pair in batch for value in pair],
                )


_INSERT_BATCH = 500


def _copy_with_ids(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[int]:
    """PostgreSQL: ids from the sequence, then COPY (binding thousands of parameters into a
    multi-row INSERT costs several times what COPY does)."""
    ids = bulk.allocate_ids(table, len(rows))
    bulk.insert_rows(
        table, ("id", *columns), [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
    )
    return ids


def _differs(resident: Existing, values: dict[str, Any]) -> bool:
    return (
        values["household"] != resident.household_id
        or values["rt"] != resident.rt_id
        or _IMPORTED(values) != _STORED(resident)
    )


def _changed_meanwhile() -> ImportRefused:
    return ImportRefused(
        _("The registry changed while the file was being checked. Run the import again.")
    )
