"""`siaga synth`: add a synthetic population under a territory (demonstrations, load tests)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from siaga.registry.synth import SynthError, synthesize, territory_for


class Command(BaseCommand):
    help = _(
        "Add N synthetic (made-up) residents, with households, RW and RT, under a kelurahan "
        "or a higher territory."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--residents", type=int, required=True, help=_("Number of residents to add.")
        )
        parser.add_argument(
            "--prefix",
            required=True,
            help=_("Territory code, kelurahan or higher (e.g. 33.74 or 33.74.02.1006)."),
        )
        parser.add_argument(
            "--seed", type=int, default=2021, help=_("Random seed (same seed, same data).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            under = territory_for(options["prefix"])
        except SynthError as exc:
            raise CommandError(str(exc)) from None
        total = options["residents"]
        if total < 1:
            raise CommandError(_("The number of residents must be at least 1."))
        self.stdout.write(
            _("Adding %(n)s SYNTHETIC residents under %(code)s %(name)s (seed %(seed)s)…")
            % {"n": f"{total:,}", "code": under.code, "name": under.name, "seed": options["seed"]}
        )
        with tqdm(
            total=total,
            unit=" residents",
            unit_scale=True,
            file=sys.stderr,
            disable=options["verbosity"] == 0,
        ) as bar:
            try:
                stats = synthesize(
                    under=under, residents=total, seed=options["seed"], progress=bar.update
                )
            except SynthError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Added %(residents)s residents in %(households)s households "
                    "(%(rw)s new RW, %(rt)s new RT) in %(seconds).1f s: %(rate)s residents/s, "
                    "%(rows)s rows/s."
                )
                % {
                    "residents": f"{stats.residents:,}",
                    "households": f"{stats.households:,}",
                    "rw": stats.rw_created,
                    "rt": stats.rt_created,
                    "seconds": stats.seconds,
                    "rate": f"{stats.residents_per_second:,.0f}",
                    "rows": f"{stats.rows_per_second:,.0f}",
                }
            )
        )
