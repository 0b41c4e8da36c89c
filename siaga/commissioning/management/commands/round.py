"""``siaga round close ROUND_ID`` and ``siaga round results ROUND_ID [--format json]``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siaga.accounts.models import User
from siaga.commissioning import selectors, services
from siaga.commissioning.models import Round
from siaga.core.errors import ValidationFailed
from siaga.core.management.base import SiagaCommand, validation_message


class Command(SiagaCommand):
    help = gettext_lazy(  # type: ignore[assignment]
        "Close a participatory budget round, or print its results."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        close = sub.add_parser(
            "close", help=_("End voting, count the votes and fund greedily in rank order.")
        )
        close.add_argument("round_id", type=int, metavar="ROUND_ID")
        close.add_argument(
            "--as",
            dest="username",
            default="",
            help=_("Act as this facilitator (default: the console acts as the system)."),
        )
        results = sub.add_parser("results", help=_("Print the ranked results of a closed round."))
        results.add_argument("round_id", type=int, metavar="ROUND_ID")
        results.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        round_ = Round.objects.select_related("territory").filter(pk=options["round_id"]).first()
        if round_ is None:
            raise CommandError(_("No budget round %(id)d.") % {"id": options["round_id"]})
        if options["action"] == "close":
            actor = self._actor(options["username"])
            try:
                services.close_round(actor=actor, round=round_)
            except ValidationFailed as exc:
                raise CommandError(validation_message(exc)) from None
            self.stdout.write(_("Round %(id)d is closed.") % {"id": round_.pk})
            self._print_text(round_)
            return
        if round_.closed_at is None:
            raise CommandError(_("Totals are published when the round closes."))
        if options["format"] == "json":
            self.stdout.write(json.dumps(_as_json(round_), indent=2, ensure_ascii=False))
        else:
            self._print_text(round_)

    def _actor(self, username: str) -> Any:
        if not username:
            return None  # the console acts as the system
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No user %(username)s.") % {"username": username})
        return user

    def _print_text(self, round_: Round) -> None:
        rows = selectors.results(round_)
        self.stdout.write(
            f"{round_.title} · {round_.territory.display_name} · "
            + _("envelope %(amount)s") % {"amount": services.rupiah(round_.envelope_amount)}
        )
        for row in rows:
            self.stdout.write(
                f"{row.rank:>3}. {row.proposal.title} · {row.votes} · "
                f"{services.rupiah(row.amount)} · {row.get_outcome_display()}"
            )
            self.stdout.write(f"     {services.explain(row)}")
        funded = sum(r.amount for r in rows if r.funded)
        self.stdout.write(
            _("Funded %(funded)s of %(envelope)s.")
            % {
                "funded": services.rupiah(funded),
                "envelope": services.rupiah(round_.envelope_amount),
            }
        )


def _as_json(round_: Round) -> dict[str, Any]:
    rows = selectors.results(round_)
    return {
        "round": round_.pk,
        "title": round_.title,
        "territory": round_.territory.code,
        "envelope_amount": round_.envelope_amount,
        "closed_at": round_.closed_at.isoformat() if round_.closed_at else None,
        "funded_total": sum(r.amount for r in rows if r.funded),
        "results": [
            {
                "rank": r.rank,
                "proposal": r.proposal_id,
                "title": r.proposal.title,
                "votes": r.votes,
                "amount": r.amount,
                "outcome": r.outcome,
                "remaining_before": r.remaining_before,
                "remaining_after": r.remaining_after,
                "explanation": services.explain(r),
            }
            for r in rows
        ],
    }
