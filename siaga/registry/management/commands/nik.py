"""``siaga nik NIK...``: check and decode NIKs (region, birth date, sex) without storing anything.

The region digits name where a person was *first* registered, under the code list of that time;
codes move when regions split, so region names are shown as "probably" (ksch.md §3).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from siaga.core.management.base import SiagaCommand
from siaga.registry.identity import IdentityError, decode_nik
from siaga.registry.models import Sex
from siaga.territory.reference import region_names


def describe(value: str) -> dict[str, Any]:
    """A JSON-ready description of one NIK: decoded fields, or why it is invalid."""
    try:
        info = decode_nik(value)
    except IdentityError as exc:
        return {"input": value, "valid": False, "error": str(exc)}
    names = region_names()
    return {
        "input": value,
        "valid": True,
        "nik": info.nik,
        "region_code": info.kecamatan_code,
        # Region of first registration, under the code list of that time: probable, not certain.
        "region_probable": True,
        "kecamatan": names.get(info.kecamatan_code),
        "kabupaten": names.get(info.kabupaten_code),
        "province": names.get(info.province_code),
        "birth_date": info.birth_date.isoformat(),
        "sex": info.sex,
        "serial": info.serial,
    }


class Command(SiagaCommand):
    help = gettext_lazy(  # type: ignore[assignment]
        "Check NIKs and decode them: region of first registration (probable), birth date, sex. "
        "Exits with status 1 if any NIK is invalid."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("niks", nargs="+", metavar="NIK", help=_("16-digit NIK"))
        parser.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help=_("Output format (default: text)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = [describe(value) for value in options["niks"]]
        if options["format"] == "json":
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
        else:
            for result in results:
                self.stdout.write(self.as_text(result))
        invalid = sum(1 for result in results if not result["valid"])
        if invalid:
            raise CommandError(
                ngettext(
                    "%(count)d of %(total)d NIK is invalid.",
                    "%(count)d of %(total)d NIKs are invalid.",
                    len(results),
                )
                % {"count": invalid, "total": len(results)}
            )

    def as_text(self, result: dict[str, Any]) -> str:
        if not result["valid"]:
            return _("%(input)s: INVALID: %(error)s") % result
        names = [result[key] for key in ("kecamatan", "kabupaten", "province") if result[key]]
        region = ", ".join(names)
        if len(names) < 3:
            region += " " + _(
                "(some of these codes are not in today's list: codes move when regions split)"
            )
        birth = dt.date.fromisoformat(result["birth_date"]).strftime("%d-%m-%Y")
        lines = [
            _("%(nik)s: valid") % result,
            "  "
            + _("Region of first registration, probably: %(code)s %(names)s")
            % {"code": result["region_code"], "names": region},
            "  " + _("Birth date: %(date)s") % {"date": birth},
            "  " + _("Sex: %(sex)s") % {"sex": Sex(result["sex"]).label},
        ]
        return "\n".join(lines)
