"""`siaga demo`: a ready-to-try Kampung Siaga with synthetic Semarang Utara, then serve it."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from siaga.demo import base as demo
from siaga.demo.assessment import build_assessment_demo
from siaga.demo.assessment_report import build_report_demo
from siaga.demo.commissioning import build_commissioning_demo
from siaga.demo.console import number
from siaga.demo.health import PUSKESMAS_NAME, build_health_demo
from siaga.demo.indicators import build_indicators_demo
from siaga.demo.logistics import build_logistics_demo
from siaga.demo.shift_planner import build_shift_planner_demo
from siaga.demo.volunteers import build_volunteers_demo


class Command(BaseCommand):
    help = _(
        "Prepare a demonstration (Kota Semarang codes, a SYNTHETIC population of Kecamatan "
        "Semarang Utara, demo accounts) and serve it. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help=_("Prepare the demo without serving it.")
        )
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to serve on."))
        parser.add_argument("--port", type=int, default=8000, help=_("Port to serve on."))
        parser.add_argument(
            "--seed", type=int, default=demo.SEED, help=_("Seed of the synthetic population.")
        )
        parser.add_argument(
            "--residents",
            type=int,
            default=demo.RESIDENTS,
            help=_("Number of synthetic residents (census 2020: 117,605)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                _("The demo adds made-up people and shared-password accounts: not in production.")
            )
        if not options["no_serve"] and "serve" not in get_commands():
            raise CommandError(_("The serve command is not available; use --no-serve."))
        started = time.perf_counter()
        out = self.stdout
        bar: tqdm | None = None
        steps = {
            "migrate": _("Migrating the database…"),
            "codes": _("Loading the territory codes of Kota Semarang (%(code)s)…")
            % {"code": demo.KOTA},
            "synth": _(
                "Generating a SYNTHETIC population of Kecamatan Semarang Utara: %(n)s made-up "
                "residents…"
            )
            % {"n": number(options["residents"])},
            "accounts": _("Creating the demo accounts…"),
        }

        def on_step(name: str) -> None:
            nonlocal bar
            out.write(steps[name])
            if name == "synth" and options["verbosity"]:
                bar = tqdm(total=options["residents"], unit=" " + _("residents"), file=sys.stderr)
            elif bar is not None:
                bar.close()
                bar = None

        try:
            result = demo.prepare(
                residents=options["residents"],
                seed=options["seed"],
                progress=lambda n: bar.update(n) if bar is not None else None,
                on_step=on_step,
            )
        finally:
            if bar is not None:
                bar.close()

        self._phase_demos(options["seed"])

        if result.skipped_reason == "already":
            out.write(_("The synthetic population is already there: nothing generated."))
        elif result.skipped_reason == "real":
            out.write(
                self.style.WARNING(
                    _(
                        "Semarang Utara already holds residents that the demo did not make: "
                        "no synthetic population added."
                    )
                )
            )
        out.write(
            self.style.WARNING(
                _(
                    "SYNTHETIC DATA: the %(residents)s residents and %(households)s households of "
                    "Kecamatan Semarang Utara are made up (names, NIK, No. KK, health). The "
                    "territory names and codes are real; per-kelurahan figures and RW/RT are not."
                )
                % {
                    "residents": number(result.residents),
                    "households": number(result.households),
                }
            )
        )
        out.write(
            _("Demo ready in %(seconds)s s.")
            % {"seconds": number(time.perf_counter() - started, 1)}
        )
        if options["verbosity"] >= 2:
            out.write(
                _("Steps: %(steps)s")
                % {
                    "steps": ", ".join(
                        _("%(step)s %(seconds)s s") % {"step": step, "seconds": number(sec, 1)}
                        for step, sec in result.timings.items()
                    )
                }
            )
        url = f"http://{options['host']}:{options['port']}/"
        out.write("")
        out.write(_("Open %(url)s and log in as one of:") % {"url": url})
        for username, role, where in result.accounts:
            out.write(f"  {username:<24} {role:<12} {where}")
        out.write(_("Password for every demo account: %(password)s") % {"password": demo.PASSWORD})
        out.write(
            _(
                "%(puskesmas)s serves %(area)s: an illustrative working area (wilayah kerja "
                "ilustratif); a deployment sets the real ones (siaga puskesmas)."
            )
            % {"puskesmas": PUSKESMAS_NAME, "area": "Bandarharjo, Panggung Lor"}
        )
        if options["no_serve"]:
            return
        self._serve(options["host"], options["port"])

    def _phase_demos(self, seed: int) -> None:
        """The co-production phases' demo content, in dependency order; each is idempotent."""
        builders: list[tuple[str, Any]] = [
            (_("health wave (cases, monitoring, referrals, zones)"), build_health_demo),
            (_("volunteers, teams, shifts and tasks"), build_volunteers_demo),
            (_("shift planner: skills, confirmation, one-off shifts"), build_shift_planner_demo),
            (_("lumbung pangan, aid, donations and loans"), build_logistics_demo),
            (_("needs, budget rounds, plans and meetings"), build_commissioning_demo),
            (_("feedback and complaints"), build_assessment_demo),
            (_("volunteer report narrative"), build_report_demo),
            # Last: the indicator aggregates are computed from everything above.
            (_("program indicators"), build_indicators_demo),
        ]
        for label, build in builders:
            started = time.perf_counter()
            outcome = build(seed=seed)
            if isinstance(outcome, str):  # builders that report their own one-line summary
                self.stdout.write(
                    _("Demo content: %(what)s — %(summary)s (%(seconds)s s)")
                    % {
                        "what": label,
                        "summary": outcome,
                        "seconds": number(time.perf_counter() - started, 1),
                    }
                )
                continue
            skipped = getattr(outcome, "skipped_reason", "")
            self.stdout.write(
                _("Demo content: %(what)s — %(state)s (%(seconds)s s)")
                % {
                    "what": label,
                    "state": _("already there") if skipped else _("added"),
                    "seconds": number(time.perf_counter() - started, 1),
                }
            )

    def _serve(self, host: str, port: int) -> None:
        worker = subprocess.Popen([sys.executable, "-m", "siaga.cli", "worker"])
        self.stdout.write(_("Background worker started (pid %(pid)s).") % {"pid": worker.pid})
        try:
            call_command("serve", host=host, port=port)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
