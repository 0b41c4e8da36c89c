"""``siaga puskesmas create|area|staff|list``: puskesmas, their working area and their staff.

A thin wrapper over ``health.services.puskesmas``: staff get (and lose) the ``puskesmas`` role
on each kelurahan of the working area, as on the web and through the API.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siaga.accounts.models import User
from siaga.core.errors import ValidationFailed
from siaga.core.management.base import SiagaCommand, validation_message
from siaga.health import services
from siaga.health.models import Puskesmas
from siaga.territory.models import Territory


class Command(SiagaCommand):
    help = gettext_lazy(  # type: ignore[assignment]
        "Register a puskesmas, set its working area (kelurahan) and staff, or list them."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        create = sub.add_parser("create", help=_("Register a puskesmas."))
        create.add_argument("name")
        create.add_argument(
            "--location", required=True, metavar="CODE", help=_("Where it stands (code).")
        )
        create.add_argument(
            "--area",
            required=True,
            nargs="+",
            metavar="CODE",
            help=_("Kelurahan codes of the working area."),
        )
        create.add_argument("--staff", nargs="*", default=[], metavar="USERNAME")
        area = sub.add_parser("area", help=_("Replace the working area of a puskesmas."))
        area.add_argument("name")
        area.add_argument("codes", nargs="+", metavar="CODE")
        staff = sub.add_parser("staff", help=_("Replace the staff of a puskesmas."))
        staff.add_argument("name")
        staff.add_argument("usernames", nargs="*", metavar="USERNAME")
        listing = sub.add_parser("list", help=_("List puskesmas with their area and staff."))
        listing.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list(options["format"])
            return
        try:
            if action == "create":
                puskesmas = services.create_puskesmas(
                    actor=None,
                    name=options["name"],
                    location=_territories([options["location"]])[0],
                    area=_territories(options["area"]),
                    staff=_users(options["staff"]),
                )
                self.stdout.write(_("Registered %(name)s.") % {"name": puskesmas.name})
            elif action == "area":
                services.set_working_area(
                    actor=None,
                    puskesmas=_puskesmas(options["name"]),
                    area=_territories(options["codes"]),
                )
                self.stdout.write(_("Working area saved."))
            else:
                services.set_staff(
                    actor=None,
                    puskesmas=_puskesmas(options["name"]),
                    staff=_users(options["usernames"]),
                )
                self.stdout.write(_("Staff saved."))
        except ValidationFailed as exc:
            raise CommandError(validation_message(exc)) from None

    def _list(self, format_: str) -> None:
        rows = [
            {
                "name": p.name,
                "location": p.territory.code,
                "area": sorted(r.kelurahan.code for r in p.area_rows.all()),
                "staff": sorted(u.username for u in p.staff.all()),
            }
            for p in Puskesmas.objects.select_related("territory")
            .prefetch_related("area_rows__kelurahan", "staff")
            .order_by("name")
        ]
        if format_ == "json":
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        for row in rows:
            self.stdout.write(
                f"{row['name']} · {row['location']} · "
                + _("area: %(codes)s") % {"codes": ", ".join(row["area"]) or "—"}
                + " · "
                + _("staff: %(names)s") % {"names": ", ".join(row["staff"]) or "—"}
            )


def _territories(codes: list[str]) -> list[Territory]:
    found = {t.code: t for t in Territory.objects.filter(code__in=codes)}
    for code in codes:
        if code not in found:
            raise CommandError(_("Unknown territory code %(code)s.") % {"code": code})
    return [found[c] for c in dict.fromkeys(codes)]


def _users(names: list[str]) -> list[User]:
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    unknown = sorted(set(names) - set(found))
    if unknown:
        raise CommandError(_("Unknown users: %(names)s") % {"names": ", ".join(unknown)})
    return list(found.values())


def _puskesmas(name: str) -> Puskesmas:
    puskesmas = Puskesmas.objects.filter(name__iexact=name.strip()).first()
    if puskesmas is None:
        raise CommandError(_("No puskesmas named %(name)s.") % {"name": name})
    return puskesmas
