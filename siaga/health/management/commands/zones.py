"""``siaga zones --territory CODE [--date YYYY-MM-DD] [--format table|csv|json]``: RT zones.

With ``--store-from DATE`` the zones of every day from DATE to ``--date`` are computed and kept
(missing days only; add ``--recompute`` to replace stored days, which is audited).
Counts and colours only: no names.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siaga.core.management.base import SiagaCommand
from siaga.health import zoning
from siaga.territory.models import Territory


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("Enter a date as YYYY-MM-DD: %(value)s") % {"value": value}) from None


class Command(SiagaCommand):
    help = gettext_lazy("Show (or compute and keep) the PPKM Mikro zone of every RT.")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--territory", required=True, metavar="CODE", help=_("Territory code, e.g. 33.74.02.")
        )
        parser.add_argument("--date", metavar="YYYY-MM-DD", help=_("The day (default: today)."))
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
        parser.add_argument(
            "--store-from",
            metavar="YYYY-MM-DD",
            help=_("Compute and keep every day from this date to --date."),
        )
        parser.add_argument(
            "--recompute", action="store_true", help=_("Replace stored days (audited).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        territory = Territory.objects.filter(code=options["territory"]).first()
        if territory is None:
            raise CommandError(
                _("Unknown territory code %(code)s.") % {"code": options["territory"]}
            )
        today = timezone.localdate()
        day = _date(options["date"]) if options["date"] else today
        if day > today:
            raise CommandError(_("The date cannot be in the future."))
        if options["store_from"]:
            start = _date(options["store_from"])
            stats = zoning.store_days(
                start,
                min(day, today - dt.timedelta(days=1)),
                territory,
                recompute=options["recompute"],
            )
            self.stderr.write(
                _("%(days)d days, %(rows)d rows written, %(changed)d RT-days changed zone.")
                % {"days": stats.days, "rows": stats.rows_written, "changed": stats.changed}
            )
            return
        rows = zoning.zones_on(day, territory)
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(
                json.dumps([{"code": r.code, "houses": r.houses, "zone": r.zone} for r in rows])
            )
        elif fmt == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(["code", "houses", "zone"])
            for r in rows:
                writer.writerow([r.code, r.houses, r.zone])
        else:
            width = max([len(r.code) for r in rows] + [4])
            self.stdout.write(f"{'RT':<{width}}  {_('houses'):>6}  {_('zone')}")
            for r in rows:
                self.stdout.write(f"{r.code:<{width}}  {r.houses:>6}  {r.zone}")
            counts = zoning.summary(rows)
            self.stdout.write(
                "  ".join(f"{zone}: {n}" for zone, n in counts.items()) + f"  ({day.isoformat()})"
            )
