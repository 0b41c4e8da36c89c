"""``siaga export residents|households --territory CODE --format csv|xlsx --out FILE``."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from siaga.core.management.base import SiagaCommand
from siaga.registry.exporting import FORMATS, KINDS, ExportRefused, export
from siaga.registry.management.cli import UNUSABLE, acting_user


class Command(SiagaCommand):
    help = _(
        "Export the residents or households of a territory to CSV or XLSX, as far as the user "
        "may see them; recorded in the audit trail. Acts as --user (default: the only active "
        "superuser)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("--territory", metavar="CODE", required=True)
        parser.add_argument("--format", choices=FORMATS, default=None)
        parser.add_argument("--out", metavar="FILE", required=True)
        parser.add_argument("--user", metavar="USERNAME", help=_("The acting user."))

    def handle(self, *args: Any, **options: Any) -> None:
        actor = acting_user(options["user"])
        out = options["out"]
        fmt = options["format"] or ("csv" if out.lower().endswith(".csv") else "xlsx")
        try:
            count = export(
                actor=actor, kind=options["kind"], territory=options["territory"], fmt=fmt, out=out
            )
        except Http404:
            raise CommandError(
                _("Unknown territory, or outside your area."), returncode=UNUSABLE
            ) from None
        except ExportRefused as exc:
            raise CommandError(str(exc), returncode=UNUSABLE) from None
        self.stdout.write(_("%(count)d rows written to %(path)s") % {"count": count, "path": out})
