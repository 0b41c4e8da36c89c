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

import pickle
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from siaga.core import audit, codes, policy
from siaga.core.models import AuditAction
from siaga.core.roles import Perm
from siaga.registry.importing import parsing
from siaga.registry.importing.checks import _blank, _State
from siaga.registry.importing.headers import find_header_row
from siaga.registry.importing.readers import ImportRefused, Source
from siaga.registry.importing.results import ImportResult, Row
from siaga.registry.importing.writing import _changed_meanwhile, _large_page_cache, _Writer
from siaga.territory.models import Level, Territory
from siaga.territory.services import TerritoryError, create_child

CHUNK_ROWS = 2000
PREVIEW_ROWS = 10
Progress = Callable[[str, int], Any]  # (phase "validate" | "write", rows done)


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
