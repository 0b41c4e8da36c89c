"""``siaga import residents FILE``: import residents (and households) from a CSV or XLSX file.

Exit status 0 when the import ran (even with rejected rows), 2 when the file cannot be used at
all (unreadable, refused, no NIK/name columns, territory outside the user's area).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from siaga.core.management.base import SiagaCommand
from siaga.registry.importing import ImportRefused, ImportResult, ResidentImport, open_source
from siaga.registry.importing.report import write_report
from siaga.registry.management.cli import UNUSABLE, acting_user


class Command(SiagaCommand):
    help = _(
        "Import residents and their households from a CSV or XLSX file into a territory. "
        "Rows are checked first; then every accepted row is written in one transaction (all or "
        "nothing) and audited. The import acts as --user (default: the only active superuser, "
        "recorded as such in the audit trail). Exit status 0 when the import ran, even with "
        "rejected rows; 2 when the file cannot be used."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("kind", choices=["residents"], help=_("What the file holds."))
        parser.add_argument("file", metavar="FILE", help=_("A .csv or .xlsx file."))
        parser.add_argument(
            "--territory",
            metavar="CODE",
            help=_(
                "Territory code (kecamatan, kelurahan, RW or RT) the rows belong to; "
                "default: the user's only area."
            ),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check the file and report; write nothing.")
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--report",
            metavar="OUT",
            help=_("Write the rejected rows with an 'alasan' column to OUT (.xlsx or .csv)."),
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help=_("Create RT and RW that the file names but that do not exist yet."),
        )
        parser.add_argument("--user", metavar="USERNAME", help=_("The acting user."))
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=_("Correct the detected columns, e.g. --map phone='No WA' or --map phone=."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["format"] == "json"
        try:
            result, job = self._run(options)
        except (ImportRefused, CommandError) as exc:
            message = exc.message if isinstance(exc, ImportRefused) else str(exc)
            if as_json:
                self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
            raise CommandError(message, returncode=UNUSABLE) from None
        if options["report"]:
            write_report(job.source, result, options["report"])
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self._print(result, options)

    def _run(self, options: dict[str, Any]) -> tuple[ImportResult, ResidentImport]:
        actor = acting_user(options["user"])
        source = open_source(options["file"])
        mapping: dict[str, str | None] = {}
        for item in options["map"]:
            field, sep, column = item.partition("=")
            if not sep:
                raise CommandError(_("Write --map as FIELD=COLUMN."), returncode=UNUSABLE)
            mapping[field.strip()] = column.strip() or None
        job = ResidentImport(
            actor=actor,
            source=source,
            territory=options["territory"],
            mapping=mapping or None,
            create_missing=options["create_missing"],
        )
        progress = self._progress() if options["format"] == "text" else None
        result = job.validate(progress) if options["dry_run"] else job.run(progress)
        return result, job

    def _progress(self) -> Any:
        if not sys.stderr.isatty():
            return None
        from tqdm import tqdm

        bars: dict[str, Any] = {}

        def progress(phase: str, done: int) -> None:
            bar = bars.get(phase)
            if bar is None:
                for other in bars.values():
                    other.close()
                label = _("checking") if phase == "validate" else _("writing")
                bar = bars[phase] = tqdm(desc=label, unit=" rows", file=sys.stderr, leave=False)
            bar.update(done - bar.n)

        return progress

    def _print(self, result: ImportResult, options: dict[str, Any]) -> None:
        write = self.stdout.write
        columns = ", ".join(
            f"{key}={result.mapping.headers[index]}"
            for key, index in sorted(result.mapping.columns.items(), key=lambda kv: kv[1])
        )
        write(_("Columns: %(columns)s") % {"columns": columns})
        if result.mapping.ignored:
            write(
                _("Ignored columns: %(columns)s") % {"columns": ", ".join(result.mapping.ignored)}
            )
        title = _("Checked (nothing written)") if result.dry_run else _("Imported")
        write(
            _(
                "%(title)s %(file)s into %(territory)s: %(created)d created, %(updated)d "
                "updated, %(unchanged)d unchanged, %(rejected)d rejected."
            )
            % {
                "title": title,
                "file": result.filename,
                "territory": result.territory,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": result.rejected,
            }
        )
        if result.households_created or result.households_updated:
            write(
                _("Households: %(created)d created, %(updated)d updated.")
                % {"created": result.households_created, "updated": result.households_updated}
            )
        if result.territories_created:
            write(_("RT created: %(codes)s") % {"codes": ", ".join(result.territories_created)})
        for error in result.errors[:50]:
            value = f" '{error.value}'" if error.value else ""
            write(f"  {_('row')} {error.row} [{error.column}]{value}: {error.message}")
        if len(result.errors) > 50:
            write(
                _("… and %(count)d more; use --report OUT.xlsx for the full list.")
                % {"count": len(result.errors) - 50}
            )
        if options["report"]:
            write(_("Rejected rows written to %(path)s") % {"path": options["report"]})
