"""One vote per resident, changing a vote, secret ballots (concurrency: test_voting_parallel.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from siaga.commissioning import services
from siaga.commissioning.models import Vote
from siaga.commissioning.tests.helpers import proposal
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditEntry, Contribution

pytestmark = pytest.mark.django_db


def auth(world: Any, name: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[name]}"}


def test_a_voter_can_change_their_vote_while_voting_is_open(world, ballot) -> None:
    warga = world.users["warga.rt003"]
    services.cast_vote(actor=warga, round=ballot.round, proposal=ballot.isolation)
    vote = services.cast_vote(actor=warga, round=ballot.round, proposal=ballot.lumbung)
    assert vote.changed_at is not None
    assert list(Vote.objects.values_list("proposal", flat=True)) == [ballot.lumbung.pk]
    # One act in the ledger, tagged as the resident's, naming the round and never the proposal.
    entry = Contribution.objects.get(kind="vote.cast")
    assert (entry.phase, entry.actor_group) == ("co_commissioning", "resident")
    assert entry.person_key == f"resident:{world.residents['rt003'].pk}"
    assert (entry.object_type, entry.object_id) == ("commissioning.round", str(ballot.round.pk))


def test_recorded_vote_is_the_residents_act_and_the_recorder_is_audited(world, ballot) -> None:
    pengurus = world.users["pengurus.rw006"]
    voter = world.residents["rt004"]
    services.record_vote(
        actor=pengurus, round=ballot.round, proposal=ballot.handwash, nik=voter.nik
    )
    entry = AuditEntry.objects.get(object_type="commissioning.vote")
    assert entry.actor == pengurus
    assert ballot.handwash.title not in entry.summary  # the choice is not in the trail
    assert entry.changes == {"round": ballot.round.pk, "resident": voter.pk}
    contribution = Contribution.objects.get(kind="vote.cast")
    assert contribution.actor_group == "resident"
    assert contribution.person_key == f"resident:{voter.pk}"
    # A second recording, or the resident's own account, cannot add a second ballot.
    with pytest.raises(ValidationFailed, match="already voted"):
        services.record_vote(
            actor=pengurus, round=ballot.round, proposal=ballot.isolation, nik=voter.nik
        )
    assert Vote.objects.count() == 1


def test_leader_records_only_residents_of_their_area(world, ballot) -> None:
    with pytest.raises(ValidationFailed, match="No resident with this NIK"):
        services.record_vote(
            actor=world.users["pengurus.rt003"],
            round=ballot.round,
            proposal=ballot.isolation,
            nik=world.residents["rt004"].nik,
        )
    assert not Vote.objects.exists()


def test_votes_only_while_voting_is_open_and_only_for_ballot_proposals(world, ballot) -> None:
    warga = world.users["warga.rt003"]
    infeasible = proposal(world, ballot.round, "Gapura baru", 1_000_000, feasible=False)
    with pytest.raises(ValidationFailed, match="not on the ballot"):
        services.cast_vote(actor=warga, round=ballot.round, proposal=infeasible)
    services.close_round(actor=world.users["lurah.panggunglor"], round=ballot.round)
    with pytest.raises(ValidationFailed, match="Voting is not open"):
        services.cast_vote(actor=warga, round=ballot.round, proposal=ballot.isolation)
    assert not Vote.objects.exists()


def test_ballots_are_secret_and_totals_wait_for_the_close(world, ballot, client: Client) -> None:
    services.cast_vote(
        actor=world.users["warga.rt003"], round=ballot.round, proposal=ballot.lumbung
    )
    base = f"/api/v1/rounds/{ballot.round.pk}"
    # The voter sees their own vote; nobody else sees it, whatever their role.
    mine = client.get(f"{base}/my-vote", **auth(world, "warga.rt003"))
    assert mine.json()["proposal"] == ballot.lumbung.pk
    for name in ("pengurus.rw006", "lurah.panggunglor", "admin"):
        assert client.get(f"{base}/my-vote", **auth(world, name)).status_code == 404
        results = client.get(f"{base}/results", **auth(world, name))
        assert results.status_code == 409
        assert results.json()["code"] == "round_open"
        body = client.get(f"{base}/ballot", **auth(world, name)).content.decode()
        assert "votes" not in body
    # Recording a vote answers only that it was recorded.
    recorded = client.post(
        f"{base}/votes",
        {"proposal": ballot.isolation.pk, "nik": world.residents["rt004"].nik},
        content_type="application/json",
        **auth(world, "pengurus.rw006"),
    )
    assert recorded.status_code == 201
    assert recorded.json() == {"round": ballot.round.pk, "recorded": True}
    # After the close, totals are public to the community; still no voter is named.
    client.post(f"{base}/close", **auth(world, "lurah.panggunglor"))
    results = client.get(f"{base}/results", **auth(world, "warga.rt003")).json()
    assert {r["proposal"]: r["votes"] for r in results["results"]} == {
        ballot.isolation.pk: 1,
        ballot.lumbung.pk: 1,
        ballot.handwash.pk: 0,
    }
    assert world.residents["rt004"].name not in str(results)
