"""``siaga territory load [FILE.csv] [--prefix CODE]``: load official territory codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from siaga.core.management.base import SiagaCommand
from siaga.territory.reference import ATTRIBUTION, iter_code_list
from siaga.territory.services import TerritoryError, load_codes, read_code_file


class Command(SiagaCommand):
    help = gettext_lazy("Manage the territory tree (provinsi … kelurahan/desa, RW, RT).")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        load = sub.add_parser(
            "load",
            help=_("Load territory codes (idempotent: safe to run again)."),
            description=_(
                "Load the official national code list shipped with Kampung Siaga, or a code,name "
                "CSV file. Existing codes are renamed when the name changed; nothing is deleted."
            ),
        )
        load.add_argument(
            "file",
            nargs="?",
            type=Path,
            metavar="FILE.csv",
            help=_("A code,name CSV file (header optional); default: the packaged national list."),
        )
        load.add_argument(
            "--prefix",
            metavar="CODE",
            help=_("Only load this code's subtree and its ancestors, e.g. 33.74 (Kota Semarang)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self.load(options["file"], options["prefix"])

    def load(self, file: Path | None, prefix: str | None) -> None:
        try:
            rows = list(iter_code_list()) if file is None else read_code_file(file)
            with tqdm(
                total=None if prefix else len(rows),
                unit=_("codes"),
                file=self.stderr._out,
                disable=not self.stderr.isatty(),
                leave=False,
            ) as bar:
                result = load_codes(rows, prefix=prefix, progress=bar.update)
        except TerritoryError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Territories: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )
        if file is None:
            self.stdout.write(ATTRIBUTION)
