"""Per-row and per-chunk checks, shared by validation and writing: the database's view of
the rows' NIK and No. KK, and the state kept while streaming the file."""

from __future__ import annotations

import datetime as dt
import json
import operator
import pickle
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from django.db import connection
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core import codes, policy
from siaga.core.roles import Perm
from siaga.registry.importing import parsing
from siaga.registry.importing.compact import FirstRows
from siaga.registry.importing.headers import FIELDS_BY_KEY
from siaga.registry.importing.parsing import EXCEL_EPOCH, CellError
from siaga.registry.importing.places import _Places
from siaga.registry.importing.results import ImportResult, Row, RowError, _Bad
from siaga.registry.models import DomicileStatus, Household, Relation, Resident
from siaga.territory.models import Level

if TYPE_CHECKING:
    from siaga.registry.importing.service import ResidentImport


class Existing(NamedTuple):
    """A resident already in the registry, as the import compares it (no model instance)."""

    id: int
    nik: str
    name: str
    sex: str
    birth_date: dt.date | None
    birth_place: str
    phone: str
    household_id: int | None
    relation: str
    rt_id: int
    status: str
    household_rt_id: int | None
    in_scope: bool


class ExistingHousehold(NamedTuple):
    id: int
    kk: str
    rt_id: int
    address: str
    in_scope: bool


class _Known(NamedTuple):
    """What the database holds for the rows of one chunk."""

    residents: dict[str, Existing]  # by NIK
    unnamed: dict[tuple[Any, ...], Existing]  # residents without NIK, by (rt, name, birth date)
    households: dict[str, ExistingHousehold]  # by No. KK


_EXISTING_FIELDS = (
    "id",
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
    "household__rt_id",
)


def _with_scope(qs: QuerySet[Any], actor: Any) -> QuerySet[Any]:
    """Annotate ``in_scope``: may the actor change the row? (The policy's own condition.)"""
    condition = policy.scope_q(qs.model, actor, Perm.REGISTRY_CHANGE)
    if condition is None:
        return qs.annotate(in_scope=Value(True, output_field=BooleanField()))
    if policy.scope_for(actor, Perm.REGISTRY_CHANGE).empty:
        return qs.annotate(in_scope=Value(False, output_field=BooleanField()))
    return qs.annotate(
        in_scope=Case(
            When(condition, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _any_of(values: Iterable[str]) -> RawSQL:
    """A one-parameter subquery listing ``values``, for ``field__in=``.

    A 2,000-value IN list cost the ORM (and psycopg's query splitting) far more than the query
    itself; a JSON array unpacked by the database is one parameter on SQLite and PostgreSQL.
    """
    encoded = json.dumps(list(values))
    if connection.vendor == "postgresql":
        return RawSQL("SELECT jsonb_array_elements_text(%s::jsonb)", (encoded,))
    return RawSQL("SELECT value FROM json_each(%s)", (encoded,))


def _load_known(rows: list[Row], actor: Any) -> _Known:
    niks = [r.nik for r in rows if r.nik]
    residents: dict[str, Existing] = {}
    if niks:
        # exclude(nik="") repeats the partial unique index's condition so that SQLite uses it
        qs = _with_scope(
            Resident.objects.filter(nik__in=_any_of(niks)).exclude(nik="").order_by(), actor
        )
        for values in qs.values_list(*_EXISTING_FIELDS, "in_scope"):
            existing = Existing(*values)
            residents[existing.nik] = existing
    unnamed: dict[tuple[Any, ...], Existing] = {}
    names = {r.name for r in rows if not r.nik}
    if names:
        qs = _with_scope(Resident.objects.filter(nik="", name__in=_any_of(names)), actor)
        for values in qs.order_by("id").values_list(*_EXISTING_FIELDS, "in_scope"):
            existing = Existing(*values)
            key = _unnamed_key(existing.rt_id, existing.name, existing.birth_date)
            unnamed.setdefault(key, existing)
    kks = {r.kk for r in rows if r.kk}
    households: dict[str, ExistingHousehold] = {}
    if kks:
        qs = _with_scope(Household.objects.filter(kk__in=_any_of(kks)).order_by(), actor)
        for values in qs.values_list("id", "kk", "rt_id", "address", "in_scope"):
            household = ExistingHousehold(*values)
            households[household.kk] = household
    return _Known(residents, unnamed, households)


def _unnamed_key(rt: int | None, name: str, birth_date: dt.date | None) -> tuple[Any, ...]:
    return (rt, name.casefold(), birth_date)


class _Plan(NamedTuple):
    """What one accepted row does: create (resident None) or change a resident."""

    row: Row
    resident: Existing | None
    values: dict[str, Any]  # the resident's imported fields after the import
    household: ExistingHousehold | None  # None with row.kk: a household still to create

    @property
    def kk_new(self) -> bool:
        return bool(self.row.kk) and self.household is None


class _State:
    """Validation state for one import: duplicates, households seen, errors and counts."""

    def __init__(self, job: ResidentImport, result: ImportResult) -> None:
        self.job = job
        self.actor = job.actor
        self.result = result
        self.mapping = job.mapping
        self.columns = job.mapping.columns
        self.places = _Places(job.territory, job.create_missing)
        self.today = timezone.localdate()
        self.seen_nik = FirstRows()  # NIK as a number -> its first row, compactly
        self.seen_unnamed: dict[tuple[Any, ...], int] = {}
        # first well-formed row of each No. KK: (row, RT key); a new household takes its RT
        self.seen_kk: dict[int, tuple[int, int | None]] = {}  # keys: the KK as a number
        self.households_planned: set[int] = set()
        self.rt_keys: dict[tuple[Any, ...], int] = {}
        self.parsers = self._parsers()

    def drop_parsing_state(self) -> None:
        """Free what only parsing needs (duplicate maps, memos); planning keeps ``seen_kk``."""
        self.seen_nik = FirstRows()
        self.seen_unnamed = {}
        self.households_planned = set()
        self.rt_keys = {}
        for _key, _slot, _index, _parser, memo in self.parsers:
            if memo is not None:
                memo.clear()

    def error(self, row: int, key: str, message: str, values: list[Any]) -> None:
        index = self.columns.get(key)
        raw = values[index] if index is not None and index < len(values) else None
        column = self.mapping.header_of(key) if key in FIELDS_BY_KEY else ""
        self.result.errors.append(RowError(row, column, parsing.display(raw), message))

    def _parsers(
        self,
    ) -> list[tuple[str, int, int, Callable[[Any], Any], dict[str, Any] | None]]:
        """(field, slot, column index, parser, memo) for every mapped field, in _FIELD_ORDER.

        ``memo`` (columns whose values repeat from row to row) remembers the parsed value of
        each distinct text cell; refusals are not remembered.
        """
        today = self.today
        source = self.job.source

        def birth_date(value: Any) -> Any:
            return parsing.parse_date(value, today=today, epoch=source.epoch or EXCEL_EPOCH)

        def place_and_date(value: Any) -> Any:
            return parsing.parse_place_and_date(
                value, today=today, epoch=source.epoch or EXCEL_EPOCH
            )

        nik = parsing.nik_parser(today)

        available: list[tuple[str, Callable[[Any], Any]]] = [
            ("nik", nik),
            ("kk", parsing.parse_kk),
            ("name", parsing.parse_name),
            ("sex", parsing.parse_sex),
            ("birth_place_date", place_and_date),
            ("birth_place", _birth_place),
            ("birth_date", birth_date),
            ("phone", parsing.parse_phone),
            ("relation", parsing.parse_relation),
            ("status", parsing.parse_status),
            ("address", _address),
            ("rt_rw", parsing.parse_rt_rw),
            ("rt", _rt_number),
            ("rw", _rw_number),
            ("kelurahan", _kelurahan),
        ]
        assert tuple(key for key, _parser in available) == _FIELD_ORDER
        return [
            (key, slot, self.columns[key], parser, {} if key in _REPEATED else None)
            for slot, (key, parser) in enumerate(available)
            if key in self.columns
        ]

    # one row, no database
    def parse(self, number: int, values: list[Any]) -> Row | None:
        columns = self.columns
        problems = 0
        got: list[Any] = [None] * len(_FIELD_ORDER)  # parsed values by _FIELD_ORDER position
        width = len(values)
        for key, slot, index, parser, memo in self.parsers:
            raw = values[index] if index < width else None
            if memo is not None and type(raw) is str:
                parsed = memo.get(raw, _MISSING)
                if parsed is not _MISSING:
                    got[slot] = parsed
                    continue
            # empty cells mean "not given"; only the name is required on every row
            if (raw is None or raw == "" or (type(raw) is str and raw.isspace())) and key != "name":
                continue
            try:
                parsed = parser(raw)
            except CellError as exc:
                problems += 1
                self.error(number, key, str(exc), values)
                continue
            got[slot] = parsed
            if memo is not None and type(raw) is str:
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[raw] = parsed

        (
            nik_value,
            kk,
            name,
            sex,
            place_date,
            birth_place,
            birth_date,
            phone,
            relation,
            status,
            address,
            rt_rw,
            rt,
            rw,
            kelurahan,
        ) = got
        nik = "" if nik_value is None else nik_value
        kk = kk or ""
        sex = sex or None
        if place_date:
            birth_place = birth_place or place_date[0] or None
            birth_date = birth_date or place_date[1]
        else:
            birth_place = birth_place or None
        phone = phone or None
        relation = relation or None
        status = status or None
        address = address or None
        if rt_rw:
            rt = rt or rt_rw[0]
            rw = rw or rt_rw[1]
        kelurahan = kelurahan or ""
        if "nik" in columns and nik_value is None and _has(values, columns["nik"]):
            nik = None  # the NIK cell was refused above
        rt_key = None
        place = (rt, rw, kelurahan)
        cached = self.rt_keys.get(place)
        if cached is not None:
            rt_key = cached
        else:
            try:
                rt_key = self.places.rt_key(rt, rw, kelurahan)
            except _Bad as bad:
                problems += 1
                key = bad.key
                if key not in columns and "rt_rw" in columns and key in ("rt", "rw"):
                    key = "rt_rw"
                self.error(number, key, bad.message, values)
            else:
                if rt_key is not None:
                    self.rt_keys[place] = rt_key

        # duplicates inside the file are reported with both row numbers
        if nik:
            first = self.seen_nik.setdefault(int(nik), number)
            if first != number:
                problems += 1
                self.error(
                    number,
                    "nik",
                    _("The same NIK is on row %(first)d; only row %(first)d is imported.")
                    % {"first": first},
                    values,
                )
        elif name and nik == "":
            unnamed = (kk, rt_key, name.casefold(), birth_date)
            first = self.seen_unnamed.setdefault(unnamed, number)
            if first != number:
                problems += 1
                self.error(
                    number,
                    "name",
                    _(
                        "The same person without NIK (name, birth date, KK) is on row %(first)d; "
                        "only row %(first)d is imported."
                    )
                    % {"first": first},
                    values,
                )
        if kk and not problems:
            first_kk = self.seen_kk.setdefault(int(kk), (number, rt_key))
            if rt_key is not None and first_kk[1] is not None and first_kk[1] != rt_key:
                problems += 1
                self.error(
                    number,
                    "rt" if "rt" in columns else "kk",
                    _("No. KK %(kk)s is in another RT on row %(first)d.")
                    % {"kk": kk, "first": first_kk[0]},
                    values,
                )
        if problems:
            self.result.rejected += 1
            return None
        assert nik is not None and name is not None
        return Row(
            number,
            nik,
            kk,
            name,
            sex,
            birth_place,
            birth_date,
            phone,
            relation,
            status,
            address,
            rt_key,
        )

    # one chunk, against the database
    def check_chunk(self, rows: list[Row], spill: IO[bytes]) -> None:
        known = _load_known(rows, self.actor)
        accepted = []
        result = self.result
        for row in rows:
            plan = self.plan(row, known)
            if plan is None:
                result.rejected += 1
                continue
            accepted.append(row)
            if plan.resident is None:
                result.created += 1
            elif _changed(plan):
                result.updated += 1
            else:
                result.unchanged += 1
            if row.kk and int(row.kk) not in self.households_planned:
                self.households_planned.add(int(row.kk))
                if plan.household is None:
                    result.households_created += 1
                elif _address_change(plan):
                    result.households_updated += 1
        if accepted:
            pickle.dump(accepted, spill, protocol=pickle.HIGHEST_PROTOCOL)

    def plan(self, row: Row, known: _Known) -> _Plan | None:
        """What the row does given the database; None (and an error) if it is refused."""
        try:
            return self._plan(row, known)
        except _Bad as bad:
            column = self.mapping.header_of(bad.key) if bad.key in FIELDS_BY_KEY else ""
            self.result.errors.append(RowError(row.row, column, bad.value or "", bad.message))
            return None

    def _plan(self, row: Row, known: _Known) -> _Plan:
        household: ExistingHousehold | None = None
        household_rt: int | None = None
        if row.kk:
            household = known.households.get(row.kk)
            if household is not None:
                if not household.in_scope:
                    raise _Bad(
                        "kk",
                        _(
                            "This No. KK belongs to a household outside your area; ask the "
                            "fasilitator of that area."
                        ),
                        row.kk,
                    )
                household_rt = household.rt_id
            else:
                first_rt = self.seen_kk[int(row.kk)][1]
                household_rt = first_rt if first_rt is not None else row.rt
                if household_rt is None:
                    raise _Bad("rt", _("The RT is missing; it is needed for a new household."))
            if row.rt is not None and row.rt != household_rt:
                raise _Bad("rt", _("The RT must be the household's RT."), _rt_label(row.rt))

        if row.nik:
            resident = known.residents.get(row.nik)
        else:
            rt_for_key = household_rt if household_rt is not None else row.rt
            resident = known.unnamed.get(_unnamed_key(rt_for_key, row.name, row.birth_date))
        if resident is not None and not resident.in_scope:
            raise _Bad(
                "nik",
                _(
                    "This NIK is registered in an area outside yours; ask the fasilitator of that "
                    "area to move the resident."
                ),
                row.nik,
            )

        if resident is None:
            if not row.sex:
                raise _Bad("sex", _("Choose L (male) or P (female)."))
            rt = household_rt if household_rt is not None else row.rt
            if rt is None:
                raise _Bad("rt", _("The RT is missing."))
            values = {
                "nik": row.nik,
                "name": row.name,
                "sex": row.sex,
                "birth_date": row.birth_date,
                "birth_place": row.birth_place or "",
                "phone": row.phone or "",
                "household": household.id if household is not None else None,
                "relation": row.relation or Relation.LAINNYA.value,
                "rt": rt,
                "status": row.status or DomicileStatus.TETAP.value,
            }
            return _Plan(row, None, values, household)
        values = {
            "nik": resident.nik,
            "name": row.name,
            "sex": row.sex or resident.sex,
            "birth_date": row.birth_date or resident.birth_date,
            "birth_place": row.birth_place or resident.birth_place,
            "phone": row.phone or resident.phone,
            "household": resident.household_id,
            "relation": row.relation or resident.relation,
            "rt": resident.rt_id,
            "status": row.status or resident.status,
        }
        if row.kk:
            values["household"] = household.id if household is not None else None
            values["rt"] = household_rt
        elif resident.household_id is not None:
            if row.rt is not None and row.rt != resident.household_rt_id:
                raise _Bad("rt", _("The RT must be the household's RT."), _rt_label(row.rt))
        elif row.rt is not None:
            values["rt"] = row.rt
        return _Plan(row, resident, values, household)


# Columns whose values repeat from row to row (a household's KK and address, RT numbers, places,
# birth dates, L/P, relations): each distinct text is parsed once.
_REPEATED = frozenset(
    {
        "kk",
        "sex",
        "birth_place_date",
        "birth_place",
        "birth_date",
        "relation",
        "status",
        "address",
        "rt_rw",
        "rt",
        "rw",
        "kelurahan",
    }
)
_MEMO_LIMIT = 20_000  # distinct values kept per column: memory stays flat on long files


_MISSING = object()
_FIELD_ORDER = (
    "nik",
    "kk",
    "name",
    "sex",
    "birth_place_date",
    "birth_place",
    "birth_date",
    "phone",
    "relation",
    "status",
    "address",
    "rt_rw",
    "rt",
    "rw",
    "kelurahan",
)


def _blank(values: list[Any]) -> bool:
    for value in values:
        if value is None or value == "" or (type(value) is str and value.isspace()):
            continue
        return False
    return True


def _birth_place(value: Any) -> str:
    return parsing.display(value).strip()[:100]


def _address(value: Any) -> str:
    return parsing.parse_text(value, 255)


def _kelurahan(value: Any) -> str:
    return parsing.parse_text(value, 150)


def _rt_number(value: Any) -> int | None:
    return parsing.parse_number(value, "RT")


def _rw_number(value: Any) -> int | None:
    return parsing.parse_number(value, "RW")


def _has(values: list[Any], index: int) -> bool:
    return index < len(values) and not parsing.is_empty(values[index])


def _rt_label(key: int) -> str:
    return codes.code_from_key(key, Level.RT)


_COMPARED = ("name", "sex", "birth_date", "birth_place", "phone", "relation", "status")
# the compared fields as one tuple each side: one C-level comparison per row
_IMPORTED = operator.itemgetter(*_COMPARED)
_STORED = operator.attrgetter(*_COMPARED)


def _changed(plan: _Plan) -> bool:
    resident = plan.resident
    assert resident is not None
    if plan.kk_new or plan.values["household"] != resident.household_id:
        return True
    if plan.values["rt"] != resident.rt_id:
        return True
    return _IMPORTED(plan.values) != _STORED(resident)


def _address_change(plan: _Plan) -> bool:
    household = plan.household
    address = plan.row.address
    return household is not None and bool(address) and address != household.address
