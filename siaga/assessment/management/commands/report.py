"""``siaga report relawan --territory CODE --from YYYY-MM-DD --to YYYY-MM-DD --format pdf|xlsx
--out FILE [--lang id|en] [--user USERNAME]``: the Laporan Kinerja Relawan as a file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from siaga.assessment import report as rpt
from siaga.assessment.report.pdf import build_pdf
from siaga.assessment.report.services import record_report_access
from siaga.assessment.report.xlsx import build_xlsx
from siaga.core.management.base import SiagaCommand
from siaga.registry.management.cli import UNUSABLE, acting_user

FORMATS = ("pdf", "xlsx")


class Command(SiagaCommand):
    help = _(
        "Write a report to a file. `report relawan`: the Laporan Kinerja Relawan (volunteer "
        "performance report) of a territory for a period, as PDF or XLSX, as far as the acting "
        "user may see it; recorded in the audit trail. Acts as --user (default: the only active "
        "superuser)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("kind", choices=["relawan"])
        parser.add_argument("--territory", metavar="CODE", required=True)
        parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", required=True)
        parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", required=True)
        parser.add_argument("--format", choices=FORMATS, default=None)
        parser.add_argument("--out", metavar="FILE", required=True)
        parser.add_argument("--lang", choices=("id", "en"), default="id")
        parser.add_argument(
            "--user", "--as", dest="user", metavar="USERNAME", help=_("The acting user.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = acting_user(options["user"])
        out = Path(options["out"])
        fmt = options["format"] or ("xlsx" if out.suffix.lower() == ".xlsx" else "pdf")
        try:
            period = rpt.parse_period(options["start"], options["end"])
            access = rpt.report_access(actor, options["territory"])
        except rpt.ReportRefused as exc:
            raise CommandError(exc.message, returncode=UNUSABLE) from None
        except Http404:
            raise CommandError(
                _("Unknown territory %(code)s, or outside your area.")
                % {"code": options["territory"]},
                returncode=UNUSABLE,
            ) from None
        report = rpt.volunteer_report(access, period)
        body = (
            build_pdf(report, options["lang"])
            if fmt == "pdf"
            else build_xlsx(report, options["lang"])
        )
        try:
            out.write_bytes(body)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(reason)s") % {"path": out, "reason": exc.strerror},
                returncode=UNUSABLE,
            ) from None
        record_report_access(actor=actor, access=access, period=period, fmt=fmt)
        self.stdout.write(
            _("%(count)d volunteers, %(start)s to %(end)s, written to %(path)s")
            % {
                "count": len(report.volunteers),
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "path": out,
            }
        )
