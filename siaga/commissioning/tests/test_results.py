"""Ranking and greedy funding with the skip rule; decisions; the `siaga round` commands."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from siaga.commissioning import services
from siaga.commissioning.models import Assessment, Outcome, RoundResult
from siaga.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_greedy_allocation_skips_what_does_not_fit_and_tries_the_next() -> None:
    steps = services.allocate(30, [(1, 90, 20), (2, 50, 15), (3, 40, 10), (4, 10, 1), (5, 0, 1)])
    assert [(s.proposal_id, s.outcome) for s in steps] == [
        (1, Outcome.FUNDED),
        (2, Outcome.SKIPPED),  # 15 > 10 left: skipped, the next one is tried
        (3, Outcome.FUNDED),  # 10 fits exactly
        (4, Outcome.SKIPPED),  # nothing left
        (5, Outcome.NO_VOTES),
    ]
    assert [(s.remaining_before, s.remaining_after) for s in steps[:3]] == [
        (30, 10),
        (10, 10),
        (10, 0),
    ]


def _vote(world, ballot, votes: dict[str, Any]) -> None:
    for place, proposal in votes.items():
        services.record_vote(
            actor=world.users["pengurus.rw006"]
            if place in ("rt003", "rt004")
            else world.users["admin"],
            round=ballot.round,
            proposal=proposal,
            nik=world.residents[place].nik,
        )


def test_close_ranks_funds_and_explains(world, ballot) -> None:
    # Envelope 30 M: isolation (20 M, 2 votes), handwash (4 M, 1 vote), lumbung (8 M, 0 votes).
    _vote(world, ballot, {"rt003": ballot.isolation, "rt004": ballot.isolation})
    _vote(world, ballot, {"rw007rt001": ballot.handwash})
    results = services.close_round(actor=world.users["lurah.panggunglor"], round=ballot.round)
    ranked = [(r.proposal_id, r.votes, r.outcome) for r in results]
    assert ranked == [
        (ballot.isolation.pk, 2, Outcome.FUNDED),
        (ballot.handwash.pk, 1, Outcome.FUNDED),
        (ballot.lumbung.pk, 0, Outcome.NO_VOTES),
    ]
    text = services.explain(results[0])
    assert "Rp 20.000.000" in text and "Rp 10.000.000 left" in text
    with pytest.raises(ValidationFailed, match="already closed"):
        services.close_round(actor=world.users["lurah.panggunglor"], round=ballot.round)


def test_assessed_cost_correction_drives_the_skip(world, ballot) -> None:
    # The correction makes lumbung too expensive after isolation: it is skipped, handwash funded.

    Assessment.objects.filter(proposal=ballot.lumbung).update(corrected_amount=12_000_000)
    _vote(world, ballot, {"rt003": ballot.isolation, "rt004": ballot.lumbung})
    _vote(world, ballot, {"rw007rt001": ballot.lumbung})
    services.close_round(actor=world.users["lurah.panggunglor"], round=ballot.round)
    # lumbung 2 votes (12 M) then isolation 1 vote (20 M > 18 M left: skipped), then handwash.
    outcomes = dict(RoundResult.objects.values_list("proposal", "outcome"))
    assert outcomes == {
        ballot.lumbung.pk: Outcome.FUNDED,
        ballot.isolation.pk: Outcome.SKIPPED,
        ballot.handwash.pk: Outcome.NO_VOTES,
    }
    skipped = RoundResult.objects.get(proposal=ballot.isolation)
    assert "skipped" in services.explain(skipped)


def test_round_commands(world, ballot) -> None:
    _vote(world, ballot, {"rt003": ballot.isolation})
    with pytest.raises(CommandError, match="published when the round closes"):
        call_command("round", "results", str(ballot.round.pk), stdout=io.StringIO())
    out = io.StringIO()
    call_command("round", "close", str(ballot.round.pk), stdout=out)
    assert "is closed" in out.getvalue()
    assert "Ruang isolasi RW 006" in out.getvalue()
    out = io.StringIO()
    call_command("round", "results", str(ballot.round.pk), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["funded_total"] == 20_000_000
    assert [r["outcome"] for r in data["results"]] == ["funded", "no_votes", "no_votes"]
    with pytest.raises(CommandError, match="already closed"):
        call_command("round", "close", str(ballot.round.pk), stdout=io.StringIO())
    with pytest.raises(CommandError, match="No budget round"):
        call_command("round", "close", "999999", stdout=io.StringIO())
