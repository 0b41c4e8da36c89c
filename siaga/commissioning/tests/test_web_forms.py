"""The co-commissioning form pages: budget rounds, proposals with cost items, assessments,
votes recorded at a meeting, closing and results, commissioning decisions.

For each page: the allowed role in scope gets 200; outside scope or without the permission the
page answers 404, and a POST changes nothing. Each form has a happy path through its service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from siaga.accounts.models import User
from siaga.commissioning import services
from siaga.commissioning.models import (
    Assessment,
    Decision,
    Need,
    Proposal,
    Round,
    RoundResult,
    Vote,
    VoteChannel,
)
from siaga.commissioning.tests.helpers import today
from siaga.core.models import AuditEntry, Contribution

pytestmark = pytest.mark.django_db

PANGGUNG_LOR = "33.74.02.1006"
BANDARHARJO = "33.74.02.1001"


def as_user(client: Client, world: Any, name: str) -> Client:
    """Log in as ``name``, reading the pages in English (the source strings the tests match)."""
    User.objects.filter(pk=world.users[name].pk).update(language="en")
    client.force_login(world.users[name])
    return client


def status(client: Client, world: Any, name: str, url: str, data: Any = None) -> int:
    as_user(client, world, name)
    if data is None:
        return client.get(url).status_code
    return client.post(url, data).status_code


def counts() -> tuple[int, ...]:
    return (
        Round.objects.count(),
        Proposal.objects.count(),
        Assessment.objects.count(),
        Vote.objects.count(),
        RoundResult.objects.count(),
        Decision.objects.count(),
        Contribution.objects.count(),
    )


def round_data(**changes: Any) -> dict[str, Any]:
    t = today()
    data = {
        "territory": PANGGUNG_LOR,
        "title": "Dana Kelurahan 2022",
        "envelope_source": "Dana Kelurahan",
        "envelope_amount": "25000000",
        "proposals_until": (t + dt.timedelta(days=10)).isoformat(),
        "assessment_until": (t + dt.timedelta(days=15)).isoformat(),
        "voting_from": (t + dt.timedelta(days=16)).isoformat(),
        "voting_until": (t + dt.timedelta(days=20)).isoformat(),
    }
    data.update(changes)
    return data


def open_round(world: Any) -> Round:
    """A Panggung Lor round still taking proposals."""
    data = round_data()
    data.pop("territory")
    return services.create_round(
        actor=world.users["lurah.panggunglor"], territory=world.t[PANGGUNG_LOR], data=data
    )


def test_round_create_page_is_for_facilitators(world, client) -> None:
    url = "/usulan/putaran/baru/"
    assert status(client, world, "lurah.panggunglor", url) == 200
    for name in ("pengurus.rw006", "warga.rt003", "relawan.rw006"):
        assert status(client, world, name, url) == 404, name
    before = counts()
    assert status(client, world, "pengurus.rw006", url, round_data()) == 404
    # A facilitator cannot create a round for a kelurahan outside their area.
    assert status(client, world, "lurah.panggunglor", url, round_data(territory=BANDARHARJO)) == 200
    assert counts() == before


def test_facilitator_creates_a_round_and_sees_phase_errors(world, client) -> None:
    as_user(client, world, "lurah.panggunglor")
    t = today()
    bad = round_data(voting_from=(t + dt.timedelta(days=5)).isoformat())
    response = client.post("/usulan/putaran/baru/", bad)
    assert response.status_code == 200 and not Round.objects.exists()
    assert "The phases must follow each other" in response.content.decode()
    response = client.post("/usulan/putaran/baru/", round_data())
    round_ = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/usulan/putaran/{round_.pk}/"
    assert round_.territory_id == world.t[PANGGUNG_LOR].id
    assert (
        round_.envelope_amount == 25_000_000
        and round_.created_by == world.users["lurah.panggunglor"]
    )
    assert Contribution.objects.filter(kind="round.create").count() == 1


def test_round_edit_page_role_and_territory(world, client) -> None:
    round_ = open_round(world)
    url = f"/usulan/putaran/{round_.pk}/ubah/"
    assert status(client, world, "lurah.panggunglor", url) == 200
    assert status(client, world, "fasilitator.utara", url) == 200
    assert status(client, world, "puskesmas.bandarharjo", url) == 404  # other kelurahan
    assert status(client, world, "pengurus.rw006", url) == 404  # reads it, may not manage it
    assert status(client, world, "warga.rt003", url) == 404
    before = counts()
    for name in ("pengurus.rw006", "puskesmas.bandarharjo"):
        data = round_data(envelope_amount="1")
        assert status(client, world, name, url, data) == 404
    round_.refresh_from_db()
    assert round_.envelope_amount == 25_000_000 and counts() == before


def test_facilitator_edits_a_round_and_the_change_is_audited(world, client) -> None:
    round_ = open_round(world)
    as_user(client, world, "lurah.panggunglor")
    response = client.post(
        f"/usulan/putaran/{round_.pk}/ubah/",
        round_data(territory=BANDARHARJO, envelope_amount="30000000", title="Dana 2022 (revisi)"),
    )
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.envelope_amount == 30_000_000 and round_.title == "Dana 2022 (revisi)"
    assert round_.territory_id == world.t[PANGGUNG_LOR].id  # the place never changes
    entry = AuditEntry.objects.get(object_type="commissioning.round")
    assert entry.changes["envelope_amount"] == [25_000_000, 30_000_000]


def proposal_post(world: Any, round_: Round, need: Need, **changes: Any) -> dict[str, Any]:
    data = {
        "territory": world.t["rw006"].code,
        "round": str(round_.pk),
        "needs": [str(need.pk)],
        "title": "Ruang isolasi terpusat",
        "location": "Balai RW 006",
        "implementer": "Tim relawan RW 006",
        "community_contribution": "Kerja bakti",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "30",
        "items-0-description": "Kasur",
        "items-0-quantity": "4",
        "items-0-unit_cost": "1500000",
        "items-0-funded_by": "envelope",
        "items-0-kind": "money",
        "items-1-description": "Tenaga pengecatan",
        "items-1-quantity": "1",
        "items-1-unit_cost": "800000",
        "items-1-funded_by": "community",
        "items-1-kind": "labour",
        # row 2 left as rendered: untouched, skipped
        "items-2-quantity": "1",
        "items-2-funded_by": "envelope",
        "items-2-kind": "money",
    }
    data.update(changes)
    return data


def test_proposal_page_role_and_territory(world, client) -> None:
    round_ = open_round(world)
    need = services.raise_need(
        actor=world.users["warga.rt003"],
        territory=world.t["rt003"],
        data={"category": "kesehatan", "title": "Tempat isolasi"},
    )
    url = "/usulan/proposal/baru/"
    assert status(client, world, "pengurus.rw006", url) == 200
    assert status(client, world, "lurah.panggunglor", url) == 200
    for name in ("warga.rt003", "relawan.rw006"):
        assert status(client, world, name, url) == 404, name
    before = counts()
    assert status(client, world, "warga.rt003", url, proposal_post(world, round_, need)) == 404
    # A community leader of another place cannot file it for RW 006 (not a choice, nor accepted).
    as_user(client, world, "puskesmas.bandarharjo")
    assert client.post(url, proposal_post(world, round_, need)).status_code == 200
    assert counts() == before


def test_leader_submits_a_proposal_with_cost_items(world, client) -> None:
    round_ = open_round(world)
    need = services.raise_need(
        actor=world.users["warga.rt003"],
        territory=world.t["rt003"],
        data={"category": "kesehatan", "title": "Tempat isolasi"},
    )
    as_user(client, world, "pengurus.rw006")
    page = client.get(f"/usulan/proposal/baru/?round={round_.pk}&need={need.pk}").content.decode()
    assert "Tempat isolasi" in page and "Dana Kelurahan 2022" in page
    untouched = {"quantity": "1", "funded_by": "envelope", "kind": "money"}
    empty = {k: v for k, v in proposal_post(world, round_, need).items() if "items-0" not in k}
    empty = {k: v for k, v in empty.items() if "items-1" not in k}
    for row in (0, 1):
        empty.update({f"items-{row}-{name}": value for name, value in untouched.items()})
    response = client.post("/usulan/proposal/baru/", empty)
    assert "Add at least one cost item." in response.content.decode()
    no_description = proposal_post(world, round_, need, **{"items-1-description": ""})
    response = client.post("/usulan/proposal/baru/", no_description)
    assert "Describe the item." in response.content.decode()
    assert not Proposal.objects.exists()
    response = client.post("/usulan/proposal/baru/", proposal_post(world, round_, need))
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/usulan/proposal/{proposal.pk}/"
    assert (proposal.requested_amount, proposal.community_amount) == (6_000_000, 800_000)
    assert proposal.round == round_ and list(proposal.needs.all()) == [need]
    assert proposal.items.count() == 2


def submitted(world: Any, round_: Round) -> Proposal:
    return services.submit_proposal(
        actor=world.users["pengurus.rw006"],
        territory=world.t["rw006"],
        round=round_,
        needs=[],
        data={"title": "Lumbung pangan", "items": [{"description": "Beras", "unit_cost": 100}]},
    )


def test_assessment_page_role_and_territory(world, client) -> None:
    proposal = submitted(world, open_round(world))
    url = f"/usulan/proposal/{proposal.pk}/penilaian/"
    assert status(client, world, "lurah.panggunglor", url) == 200
    for name in ("pengurus.rw006", "warga.rt003", "puskesmas.bandarharjo"):
        assert status(client, world, name, url) == 404, name
    data = {"feasible": "yes", "reason": "ok"}
    for name in ("pengurus.rw006", "puskesmas.bandarharjo"):
        assert status(client, world, name, url, data) == 404, name
    assert not Assessment.objects.exists()


def test_facilitator_assesses_a_proposal(world, client) -> None:
    proposal = submitted(world, open_round(world))
    as_user(client, world, "lurah.panggunglor")
    url = f"/usulan/proposal/{proposal.pk}/penilaian/"
    response = client.post(url, {"feasible": "no"})
    assert response.status_code == 200 and not Assessment.objects.exists()
    response = client.post(
        url, {"feasible": "yes", "reason": "Harga beras naik", "corrected_amount": "150"}
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(proposal=proposal)
    assert assessment.feasible and assessment.corrected_amount == 150
    assert assessment.assessed_by == world.users["lurah.panggunglor"]
    assert (
        "Revise the assessment" in client.get(f"/usulan/proposal/{proposal.pk}/").content.decode()
    )


def test_record_vote_page_role_and_territory(world, ballot, client) -> None:
    url = f"/usulan/putaran/{ballot.round.pk}/catat-suara/"
    assert status(client, world, "pengurus.rw006", url) == 200
    for name in ("relawan.rw006", "warga.rt003", "puskesmas.bandarharjo", "lurah.panggunglor"):
        assert status(client, world, name, url) == 404, name
    data = {"nik": world.residents["rt003"].nik, "proposal": str(ballot.lumbung.pk)}
    for name in ("relawan.rw006", "puskesmas.bandarharjo"):
        assert status(client, world, name, url, data) == 404, name
    assert not Vote.objects.exists()


def test_leader_records_a_vote_by_nik_once(world, ballot, client) -> None:
    as_user(client, world, "pengurus.rw006")
    url = f"/usulan/putaran/{ballot.round.pk}/catat-suara/"
    data = {"nik": world.residents["rt003"].nik, "proposal": str(ballot.lumbung.pk)}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    vote = Vote.objects.get()
    assert vote.channel == VoteChannel.MEETING and vote.recorded_by == world.users["pengurus.rw006"]
    response = client.post(url, {**data, "proposal": str(ballot.isolation.pk)})
    assert "already voted" in response.content.decode()
    vote.refresh_from_db()
    assert vote.proposal_id == ballot.lumbung.pk and Vote.objects.count() == 1
    outside = {"nik": world.residents["bandar_rt001"].nik, "proposal": str(ballot.lumbung.pk)}
    assert "No resident with this NIK" in client.post(url, outside).content.decode()
    assert Vote.objects.count() == 1


def test_closing_the_round_publishes_results_with_explanations(world, ballot, client) -> None:
    services.record_vote(
        actor=world.users["pengurus.rw006"],
        round=ballot.round,
        proposal=ballot.isolation,
        nik=world.residents["rt003"].nik,
    )
    url = f"/usulan/putaran/{ballot.round.pk}/"
    before = counts()
    assert status(client, world, "pengurus.rw006", url, {"action": "close"}) == 404
    assert counts() == before
    as_user(client, world, "lurah.panggunglor")
    assert "Close the round and publish the results" in client.get(url).content.decode()
    assert client.post(url, {"action": "close"}).status_code == 302
    page = client.get(url).content.decode()
    assert RoundResult.objects.filter(round=ballot.round).count() == 3
    assert "Rank 1 with 1 votes: funded Rp 20.000.000" in page
    assert "Record the commissioning decision" in page
    as_user(client, world, "warga.rt003")
    page = client.get(url).content.decode()
    assert "Rank 1 with 1 votes" in page and "Awaiting the commissioning decision." in page


def closed(world: Any, ballot: Any) -> None:
    services.record_vote(
        actor=world.users["pengurus.rw006"],
        round=ballot.round,
        proposal=ballot.isolation,
        nik=world.residents["rt003"].nik,
    )
    services.close_round(actor=world.users["lurah.panggunglor"], round=ballot.round)
