"""``siaga indicators refresh [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--territory CODE]``.

Recomputes the indicator aggregates of the days (default: today) for every territory, or for
one subtree and its ancestors, and prints progress per month of days.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siaga.core.management.base import SiagaCommand
from siaga.indicators import services
from siaga.territory.models import Territory


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("Enter a date as YYYY-MM-DD: %(value)s") % {"value": value}) from None


class Command(SiagaCommand):
    help = gettext_lazy("Program indicators: refresh the aggregates the dashboards read.")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        refresh = sub.add_parser(
            "refresh",
            help=_("Recompute the indicator aggregates of a range of days (default: today)."),
        )
        refresh.add_argument("--from", dest="day_from", metavar="YYYY-MM-DD")
        refresh.add_argument("--to", dest="day_to", metavar="YYYY-MM-DD")
        refresh.add_argument(
            "--territory", metavar="CODE", help=_("Only this territory's subtree, e.g. 33.74.02.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        day_to = _date(options["day_to"]) if options["day_to"] else today
        day_from = _date(options["day_from"]) if options["day_from"] else day_to
        if day_to < day_from:
            raise CommandError(_("--to is before --from."))
        territory = None
        if options["territory"]:
            territory = Territory.objects.filter(code=options["territory"].strip()).first()
            if territory is None:
                raise CommandError(
                    _("Unknown territory code %(code)s.") % {"code": options["territory"]}
                )
        total_days = (day_to - day_from).days + 1
        done = 0
        started = time.monotonic()

        def progress(chunk_from: dt.date, chunk_to: dt.date, rows: int) -> None:
            nonlocal done
            done += (chunk_to - chunk_from).days + 1
            self.stderr.write(
                _("%(from)s … %(to)s: %(rows)d rows (%(done)d/%(total)d days)")
                % {
                    "from": chunk_from,
                    "to": chunk_to,
                    "rows": rows,
                    "done": done,
                    "total": total_days,
                }
            )

        run = services.refresh(
            day_from=day_from, day_to=day_to, territory=territory, trigger="cli", progress=progress
        )
        self.stdout.write(
            _("Refreshed %(days)d days: %(rows)d rows in %(seconds).1f s.")
            % {"days": total_days, "rows": run.rows, "seconds": time.monotonic() - started}
        )
