"""Building budget rounds for tests through the services (no hand-made rows)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from siaga.commissioning import services
from siaga.commissioning.models import Need, Proposal, Round
from siaga.territory.models import Territory


def today() -> dt.date:
    return timezone.localdate()


def voting_round(world: Any, *, envelope: int = 30_000_000, place: str = "33.74.02.1006") -> Round:
    """A round of Panggung Lor (or ``place``) whose voting is open today."""
    t = today()
    return services.create_round(
        actor=world.users["lurah.panggunglor"]
        if place.startswith("33.74.02.1006")
        else world.users["admin"],
        territory=world.t[place] if place in world.t else _by_code(place),
        data={
            "title": "Dana Kelurahan 2021",
            "envelope_source": "Dana Kelurahan",
            "envelope_amount": envelope,
            "proposals_until": t - dt.timedelta(days=10),
            "assessment_until": t - dt.timedelta(days=5),
            "voting_from": t - dt.timedelta(days=1),
            "voting_until": t + dt.timedelta(days=5),
        },
    )


def _by_code(code: str) -> Any:
    return Territory.objects.get(code=code)


def proposal(
    world: Any,
    round_: Round,
    title: str,
    amount: int,
    *,
    place: str = "rw006",
    feasible: bool = True,
    needs: list[Need] | None = None,
) -> Proposal:
    """A proposal submitted in the proposals phase and assessed before voting."""
    t = today()
    created = services.submit_proposal(
        actor=world.users["lurah.panggunglor"],
        territory=world.t[place],
        round=round_,
        needs=needs or [],
        data={
            "title": title,
            "items": [{"description": title, "quantity": 1, "unit_cost": amount}],
        },
        today=t - dt.timedelta(days=12),
    )
    services.assess_proposal(
        actor=world.users["lurah.panggunglor"],
        proposal=created,
        feasible=feasible,
        reason="checked on site",
        today=t - dt.timedelta(days=7),
    )
    return Proposal.objects.select_related("assessment").get(pk=created.pk)
