"""Importing residents (and their households) from a spreadsheet, all or nothing.

The engine for the CLI and the web wizard::

    source = open_source(path, name="data rt3.xlsx")          # size, type, zip-bomb checks
    job = ResidentImport(actor=user, source=source, territory=rt, create_missing=False)
    job.mapping.as_dict(); job.preview()                      # show the detected columns
    job = job.with_mapping({"phone": "WA"})                   # the user corrects the mapping
    summary = job.validate()                                  # dry run: counts and row errors
    result = job.run()                                        # validate again, then write

Validation streams the file once: each row is parsed on its own (registry.identity and
registry.rules decide what is valid), then checked against the database in chunks (existing
NIK and No. KK, scope, RT). Only compact per-row state is kept (NIK → row, KK → row); accepted
rows are spilled to a temporary file. The write phase replays that file inside ONE transaction
with bulk inserts/updates and bulk audit entries, so an import is committed whole or not at all,
and running the same file again finds every row unchanged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator
import pickle
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

from django.db import connection, transaction
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core import audit, bulk, codes, policy
from siaga.core.models import AuditAction
from siaga.core.roles import Perm
from siaga.registry.importing import parsing
from siaga.registry.importing.compact import FirstRows
from siaga.registry.importing.headers import FIELDS_BY_KEY, ColumnMapping, find_header_row
from siaga.registry.importing.parsing import EXCEL_EPOCH, CellError
from siaga.registry.importing.readers import ImportRefused, Source
from siaga.registry.models import DomicileStatus, Household, Relation, Resident
from siaga.territory.models import Level, Territory
from siaga.territory.services import TerritoryError, create_child

CHUNK_ROWS = 2000
PREVIEW_ROWS = 10
Progress = Callable[[str, int], Any]  # (phase "validate" | "write", rows done)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class ImportResult:
    import_id: str
    filename: str
    territory: str
    dry_run: bool
    mapping: ColumnMapping
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    households_created: int = 0
    households_updated: int = 0
    territories_created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The CLI's JSON document."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
        }

    def reasons_by_row(self) -> dict[int, str]:
        """Each rejected row with its reasons in one sentence (the report's "alasan")."""
        reasons: dict[int, list[str]] = {}
        for error in self.errors:
            text = f"{error.column}: {error.message}" if error.column else error.message
            reasons.setdefault(error.row, []).append(text)
        return {row: " · ".join(texts) for row, texts in reasons.items()}


class _Bad(Exception):
    """One problem with one field of a row (collected, never shown as an exception)."""

    def __init__(self, key: str, message: str, value: Any = None) -> None:
        super().__init__(message)
        self.key = key
        self.message = message
        self.value = value


class Row(NamedTuple):
    """One parsed row: None means "not in the file" (an update leaves that field alone)."""

    row: int
    nik: str
    kk: str
    name: str
    sex: str | None
    birth_place: str | None
    birth_date: dt.date | None
    phone: str | None
    relation: str | None
    status: str | None
    address: str | None
    rt: int | None  # territory key of the RT, when the row names one


# --- where a row's RT is ---------------------------------------------------------------------


class _Places:
    """Turns the RT/RW/kelurahan cells of a row into an RT key under the import territory."""

    def __init__(self, territory: Territory, create_missing: bool) -> None:
        self.territory = territory
        self.create_missing = create_missing
        self.known: dict[str, int | None] = {}
        self.to_create: set[str] = set()
        parsed = codes.parse_code(territory.code)
        self.kelurahan_name = ""
        self.kelurahan_by_name: dict[str, list[str]] = {}
        if territory.level >= Level.KELURAHAN:
            kelurahan_code = ".".join(parsed.parts[:4])
            kelurahan = Territory.objects.filter(code=kelurahan_code).first()
            self.kelurahan_name = parsing.place_key(kelurahan.name) if kelurahan else ""
        else:
            for code, name in Territory.objects.filter(
                policy.in_subtree("id", territory.bounds), level=Level.KELURAHAN
            ).values_list("code", "name"):
                self.kelurahan_by_name.setdefault(parsing.place_key(name), []).append(code)

    def rt_key(self, rt: int | None, rw: int | None, kelurahan: str) -> int | None:
        territory, level = self.territory, self.territory.level
        if (
            kelurahan
            and level >= Level.KELURAHAN
            and parsing.place_key(kelurahan) != self.kelurahan_name
        ):
            raise _Bad(
                "kelurahan",
                _("This kelurahan is not the one chosen for this import (%(place)s).")
                % {"place": territory.display_name},
            )
        if level == Level.RT:
            number = territory.number
            if rt is not None and rt != number:
                raise _Bad(
                    "rt",
                    _("This import is for RT %(number)03d only.") % {"number": number},
                )
            parent_number = int(territory.code.split(".")[4])
            if rw is not None and rw != parent_number:
                raise _Bad(
                    "rw",
                    _("This import is for RW %(number)03d only.") % {"number": parent_number},
                )
            return territory.id
        if rt is None:
            if rw is not None and level < Level.RW:
                raise _Bad("rt", _("The RT is missing."))
            return None
        if level == Level.RW:
            number = territory.number
            if rw is not None and rw != number:
                raise _Bad("rw", _("This import is for RW %(number)03d only.") % {"number": number})
            code = f"{territory.code}.{rt:03d}"
        else:
            if rw is None:
                raise _Bad("rw", _("The RW is missing."))
            if level == Level.KELURAHAN:
                base = territory.code
            else:
                if not kelurahan:
                    raise _Bad(
                        "kelurahan",
                        _("Name the kelurahan/desa: this import covers %(place)s.")
                        % {"place": territory.display_name},
                    )
                matches = self.kelurahan_by_name.get(parsing.place_key(kelurahan), [])
                if len(matches) != 1:
                    raise _Bad(
                        "kelurahan",
                        _("No single kelurahan/desa of this name in %(place)s.")
                        % {"place": territory.display_name}
                        if matches
                        else _("There is no kelurahan/desa of this name in %(place)s.")
                        % {"place": territory.display_name},
                    )
                base = matches[0]
            code = f"{base}.{rw:03d}.{rt:03d}"
        return self._lookup(code, rt, rw)

    def _lookup(self, code: str, rt: int, rw: int | None) -> int:
        if code not in self.known:
            found = Territory.objects.filter(code=code, level=Level.RT).values_list("id", flat=True)
            self.known[code] = next(iter(found), None)
        key = self.known[code]
        if key is not None:
            return key
        if not self.create_missing:
            raise _Bad(
                "rt",
                _(
                    "RT %(rt)03d / RW %(rw)s does not exist yet. Check the number, or allow "
                    "creating missing RT/RW."
                )
                % {"rt": rt, "rw": code.split(".")[4]},
            )
        self.to_create.add(code)
        return codes.parse_code(code).key


# --- the import ------------------------------------------------------------------------------


class ResidentImport:
    """One import of a residents spreadsheet by one actor into one territory."""

    def __init__(
        self,
        *,
        actor: Any,
        source: Source,
        territory: Territory | str | None = None,
        mapping: Mapping[str, int | str | None] | None = None,
        create_missing: bool = False,
        import_id: str | None = None,
    ) -> None:
        self.actor = actor
        self.source = source
        self.territory = resolve_territory(actor, territory)
        self.create_missing = create_missing
        if create_missing and not policy.can_act_on(actor, Perm.TERRITORY_CREATE, self.territory):
            raise ImportRefused(_("You may not create RT/RW in this territory."))
        self.import_id = import_id or uuid.uuid4().hex[:12]
        self.detected = find_header_row(source.rows())
        self.mapping = self.detected.with_override(mapping) if mapping else self.detected
        self._override = dict(mapping or {})
        missing = self.mapping.missing_required()
        if missing:
            raise ImportRefused(
                _(
                    "No column for %(columns)s was found. The first row must name the columns, "
                    "for example NIK and Nama (download the template)."
                )
                % {"columns": ", ".join(missing)}
            )

    def with_mapping(self, override: Mapping[str, int | str | None]) -> ResidentImport:
        return ResidentImport(
            actor=self.actor,
            source=self.source,
            territory=self.territory,
            mapping={**self._override, **override},
            create_missing=self.create_missing,
            import_id=self.import_id,
        )

    def preview(self, limit: int = PREVIEW_ROWS) -> list[tuple[int, list[str]]]:
        """The first data rows as text, for showing under the detected mapping."""
        rows = []
        for number, values in self._data_rows():
            rows.append((number, [parsing.display(v) for v in values]))
            if len(rows) >= limit:
                break
        return rows

    def validate(self, progress: Progress | None = None) -> ImportResult:
        """Check every row without writing anything (the wizard's summary, --dry-run)."""
        result, spill, _state = self._check(dry_run=True, progress=progress)
        spill.close()
        return result

    def run(self, progress: Progress | None = None) -> ImportResult:
        """Validate, then write every accepted row in one transaction and audit it."""
        result, spill, state = self._check(dry_run=False, progress=progress)
        try:
            with transaction.atomic(), _large_page_cache():
                self._write(result, spill, state, progress)
        finally:
            spill.close()
        return result

    # --- phase 1: validation ------------------------------------------------------------------

    def _data_rows(self) -> Iterator[tuple[int, list[Any]]]:
        header_row = self.mapping.header_row
        for number, values in self.source.rows():
            if number <= header_row:
                continue
            if _blank(values):
                continue
            yield number, values

    def _check(
        self, *, dry_run: bool, progress: Progress | None
    ) -> tuple[ImportResult, IO[bytes], _State]:
        result = ImportResult(
            import_id=self.import_id,
            filename=self.source.name,
            territory=self.territory.code,
            dry_run=dry_run,
            mapping=self.mapping,
        )
        state = _State(self, result)
        spill = tempfile.TemporaryFile(prefix="siaga-import-")  # noqa: SIM115
        chunk: list[Row] = []
        try:
            for number, values in self._data_rows():
                result.rows += 1
                row = state.parse(number, values)
                if row is not None:
                    chunk.append(row)
                if len(chunk) >= CHUNK_ROWS:
                    state.check_chunk(chunk, spill)
                    chunk = []
                    if progress:
                        progress("validate", result.rows)
            if chunk:
                state.check_chunk(chunk, spill)
        except BaseException:
            spill.close()
            raise
        if progress:
            progress("validate", result.rows)
        result.territories_created = sorted(state.places.to_create)
        result.errors.sort(key=lambda e: e.row)
        spill.seek(0)
        return result, spill, state

    # --- phase 2: writing ---------------------------------------------------------------------

    def _write(
        self, result: ImportResult, spill: IO[bytes], state: _State, progress: Progress | None
    ) -> None:
        expected = (result.created, result.updated, result.unchanged)
        state.drop_parsing_state()  # the write phase's peak memory is not the sum of both
        self._create_territories(result.territories_created)
        writer = _Writer(state)
        done = 0
        while True:
            try:
                chunk: list[Row] = pickle.load(spill)  # noqa: S301 (our own temporary file)
            except EOFError:
                break
            writer.write_chunk(chunk)
            done += len(chunk)
            if progress:
                progress("write", done)
        if (writer.created, writer.updated, writer.unchanged) != expected:
            raise _changed_meanwhile()
        result.households_created = writer.households_created
        result.households_updated = writer.households_updated
        audit.record(
            actor=self.actor,
            action=AuditAction.IMPORT,
            object_type="registry.import",
            object_id=self.import_id,
            territory_id=self.territory.id,
            summary=f"{self.source.name}"[:255],
            changes={
                "file": self.source.name,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": result.rejected,
                "households_created": result.households_created,
                "territories_created": result.territories_created,
            },
        )

    def _create_territories(self, rt_codes: list[str]) -> None:
        for code in rt_codes:
            parsed = codes.parse_code(code)
            rw_code = parsed.parent_code or ""
            try:
                rw = Territory.objects.filter(code=rw_code).first()
                if rw is None:
                    kelurahan = Territory.objects.get(code=codes.parse_code(rw_code).parent_code)
                    rw = create_child(
                        actor=self.actor, parent=kelurahan, number=int(rw_code.split(".")[-1])
                    )
                create_child(actor=self.actor, parent=rw, number=int(parsed.parts[-1]))
            except (TerritoryError, Territory.DoesNotExist) as exc:
                raise ImportRefused(
                    _("RT %(code)s cannot be created: %(error)s") % {"code": code, "error": exc}
                ) from None


def resolve_territory(actor: Any, territory: Territory | str | None) -> Territory:
    """The import territory: the one named, or the user's only area; within their scope."""
    if territory is None:
        scope = policy.scope_for(actor, Perm.REGISTRY_CHANGE)
        candidates = [] if scope.everywhere else [low for low, _high in scope.ranges]
        if len(candidates) != 1:
            raise ImportRefused(_("Choose the territory (kelurahan, RW or RT) to import into."))
        found = Territory.objects.filter(id=candidates[0]).first()
        if found is None:
            raise ImportRefused(_("Choose the territory (kelurahan, RW or RT) to import into."))
        territory = found
    elif isinstance(territory, str):
        found = Territory.objects.filter(code=territory.strip()).first()
        if found is None:
            raise ImportRefused(_("Unknown territory, or outside your area."))
        territory = found
    if not policy.can_act_on(actor, Perm.REGISTRY_CHANGE, territory):
        raise ImportRefused(_("Unknown territory, or outside your area."))
    if territory.level < Level.KECAMATAN:
        raise ImportRefused(
            _("Import into a kecamatan, kelurahan, RW or RT, not a whole city or province.")
        )
    return territory


# --- per-row and per-chunk checks (shared by validation and writing) ------------------------


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
