"""The commissioning decision, which planning orchestrates: an approval opens a versioned plan
(service, page and admin); commissioning itself knows nothing of plans (docs/adr/0009)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, modify_settings

from siaga.commissioning import services as commissioning
from siaga.commissioning.models import Decision, Need, Proposal, Round, Vote
from siaga.commissioning.tests.conftest import ballot
from siaga.commissioning.tests.test_results import _vote
from siaga.commissioning.tests.test_web_forms import as_user, closed, status
from siaga.core.errors import ValidationFailed
from siaga.planning import services
from siaga.planning.models import Comment, Meeting, Plan, PlanVersion

pytestmark = pytest.mark.django_db

__all__ = ["ballot"]  # the fixture, shared with the commissioning tests


def test_decision_on_a_funded_proposal_becomes_a_versioned_plan(world, ballot) -> None:
    _vote(world, ballot, {"rt003": ballot.isolation})
    commissioning.close_round(actor=world.users["lurah.panggunglor"], round=ballot.round)
    with pytest.raises(ValidationFailed, match="funded in a closed round"):
        services.decide(
            actor=world.users["lurah.panggunglor"],
            proposal=ballot.lumbung,
            outcome="approved",
            reason="x",
        )
    decision = services.decide(
        actor=world.users["lurah.panggunglor"],
        proposal=ballot.isolation,
        outcome="approved_with_changes",
        reason="Sesuai kebutuhan warga",
        changes="Use the existing posyandu building",
    )
    plan = Plan.objects.get(proposal=ballot.isolation)
    assert plan.budget == 20_000_000 == decision.approved_amount
    assert "posyandu" in plan.goal
    assert plan.activities.count() == 1
    assert PlanVersion.objects.filter(plan=plan).count() == 2  # plan + its activity
    with pytest.raises(ValidationFailed, match="already been decided"):
        services.decide(
            actor=world.users["lurah.panggunglor"],
            proposal=ballot.isolation,
            outcome="rejected",
            reason="x",
        )
    assert Decision.objects.count() == 1


def test_decision_page_role_and_territory(world, ballot, client) -> None:
    closed(world, ballot)
    url = f"/rencana/proposal/{ballot.isolation.pk}/keputusan/"
    assert status(client, world, "lurah.panggunglor", url) == 200
    for name in ("pengurus.rw006", "warga.rt003", "puskesmas.bandarharjo"):
        assert status(client, world, name, url) == 404, name
    data = {"outcome": "approved", "reason": "ok"}
    for name in ("pengurus.rw006", "puskesmas.bandarharjo"):
        assert status(client, world, name, url, data) == 404, name
    assert not Decision.objects.exists() and not Plan.objects.exists()


def test_facilitator_approves_with_changes_and_a_plan_follows(world, ballot, client) -> None:
    closed(world, ballot)
    as_user(client, world, "lurah.panggunglor")
    url = f"/rencana/proposal/{ballot.isolation.pk}/keputusan/"
    assert "funded Rp 20.000.000" in client.get(url).content.decode()
    response = client.post(url, {"outcome": "approved_with_changes", "reason": "Sesuai"})
    assert "Describe the changes required." in response.content.decode()
    assert not Decision.objects.exists()
    response = client.post(
        url,
        {
            "outcome": "approved_with_changes",
            "reason": "Sesuai kebutuhan",
            "changes": "Pakai balai RW",
            "approved_amount": "18000000",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(proposal=ballot.isolation)
    assert decision.approved_amount == 18_000_000
    assert Plan.objects.get(proposal=ballot.isolation).budget == 18_000_000
    unfunded = f"/rencana/proposal/{ballot.handwash.pk}/keputusan/"
    assert "Only a proposal funded" in client.get(unfunded).content.decode()


@modify_settings(INSTALLED_APPS={"append": "django.contrib.admin"})
def test_admin_is_read_only() -> None:
    """``django.contrib.admin`` is not installed yet; once it is, these modules register."""
    import importlib  # the admin modules register only once contrib.admin is installed

    from django.contrib import admin

    commissioning_admin = importlib.import_module("siaga.commissioning.admin")
    planning_admin = importlib.import_module("siaga.planning.admin")
    for model in (Round, Proposal, Decision, Need, Plan, Meeting, Comment):
        assert admin.site.is_registered(model), model
    assert not admin.site.is_registered(Vote)  # secret ballots are not listed anywhere
    model_admin = commissioning_admin.RoundAdmin(Round, admin.site)
    request = RequestFactory().get("/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert planning_admin.PlanAdmin.list_display[0] == "title"


def test_comments_on_need_and_proposal_pages_post_to_planning(world, ballot, client) -> None:
    need = commissioning.raise_need(
        actor=world.users["warga.rt003"],
        territory=world.t["rt003"],
        data={"category": "sosial", "title": "Dapur umum"},
    )
    as_user(client, world, "warga.rt003")
    page = client.get(f"/usulan/kebutuhan/{need.pk}/").content.decode()
    assert f'action="/rencana/komentar/need/{need.pk}/"' in page
    response = client.post(f"/rencana/komentar/need/{need.pk}/", {"body": "Setuju, mendesak"})
    assert response.status_code == 302 and response["Location"] == f"/usulan/kebutuhan/{need.pk}/"
    assert "Setuju, mendesak" in client.get(f"/usulan/kebutuhan/{need.pk}/").content.decode()
    url = f"/rencana/komentar/proposal/{ballot.isolation.pk}/"
    assert client.post(url, {"body": "Lokasi di balai RW?"}).status_code == 302
    page = client.get(f"/usulan/proposal/{ballot.isolation.pk}/").content.decode()
    assert "Lokasi di balai RW?" in page
    assert Comment.objects.filter(need=need).count() == 1
    assert Comment.objects.filter(proposal=ballot.isolation).count() == 1
    # Unknown kinds and targets outside the user's area answer 404; nothing is written.
    assert client.post(f"/rencana/komentar/plan/{need.pk}/", {"body": "x"}).status_code == 404
    assert client.get(f"/rencana/komentar/need/{need.pk}/").status_code == 405
    as_user(client, world, "puskesmas.bandarharjo")
    assert client.post(f"/rencana/komentar/need/{need.pk}/", {"body": "x"}).status_code == 404
    assert Comment.objects.count() == 2
