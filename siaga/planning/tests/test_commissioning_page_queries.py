"""Query counts of the co-commissioning pages and API lists: a fixed budget, and the same count with
more rows (no N+1). One world per test: every page is counted with few rows, then with more."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from siaga.commissioning import services
from siaga.commissioning.models import Need, Proposal, Round
from siaga.commissioning.tests.helpers import proposal, voting_round
from siaga.planning import services as planning_services

# page → the most queries it may run (session, user, memberships and policy included; measured
# + 2 so that small refactors do not trip them). ``{need}``, ``{round}`` and ``{proposal}`` are
# the first ones, whose supports, comments and proposals grow with the rows.
PAGE_BUDGETS = {
    "/usulan/": 9,
    "/usulan/?status=": 9,
    "/usulan/kebutuhan/{need}/": 10,
    "/usulan/putaran/": 7,
    "/usulan/putaran/{round}/": 10,
    "/usulan/proposal/{proposal}/": 10,
}
API_BUDGETS = {
    "/api/v1/needs": 8,
    "/api/v1/needs/{need}": 7,
    "/api/v1/proposals": 10,
    "/api/v1/proposals/{proposal}": 9,
    "/api/v1/decisions": 8,
    "/api/v1/rounds": 8,
    "/api/v1/rounds/{round}": 7,
    "/api/v1/rounds/{round}/ballot": 10,
}


def _add_rows(world: Any, first: Round, n: int, offset: int) -> None:
    """``n`` more needs (with comments on the first), proposals on the open round (with comments on
    the first), and closed rounds whose funded proposal is decided."""
    lurah = world.users["lurah.panggunglor"]
    warga = world.users["warga.rt003"]
    first_need = Need.objects.order_by("pk").first()
    first_proposal = Proposal.objects.filter(round=first).order_by("pk").first()
    for i in range(offset, offset + n):
        place = "rt003" if i % 2 else "rt004"
        need = services.raise_need(
            actor=world.users["pengurus.rw006"],
            territory=world.t[place],
            data={"category": "kesehatan", "title": f"Kebutuhan {i}", "households_affected": i},
        )
        first_need = first_need or need
        planning_services.post_comment(actor=warga, target=first_need, body=f"Setuju {i}")
        created = proposal(world, first, f"Usulan {i}", 1_000_000 + i, place=place, needs=[need])
        first_proposal = first_proposal or created
        planning_services.post_comment(actor=warga, target=first_proposal, body=f"Kapan {i}")
        closed = voting_round(world)
        funded = proposal(world, closed, f"Didanai {i}", 2_000_000)
        services.record_vote(
            actor=world.users["pengurus.rw006"],
            round=closed,
            proposal=funded,
            nik=world.residents["rt003"].nik,
        )
        services.close_round(actor=lurah, round=closed)
        planning_services.decide(actor=lurah, proposal=funded, outcome="approved", reason=f"OK {i}")


def _count(client: Any, url: str, headers: dict[str, str] | None = None) -> int:
    client.get(url, headers=headers or {})  # warm up: first-use caches, the token's last use
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def _counts(client: Any, first: Round, urls: dict[str, int], **kw: Any) -> dict[str, int]:
    ids = {
        "need": Need.objects.order_by("pk").values_list("pk", flat=True)[0],
        "round": first.pk,
        "proposal": Proposal.objects.filter(round=first).order_by("pk")[0].pk,
    }
    return {url: _count(client, url.format(**ids), **kw) for url in urls}


def _check(few: dict[str, int], many: dict[str, int], budgets: dict[str, int]) -> None:
    grew = {url: (few[url], many[url]) for url in budgets if many[url] != few[url]}
    assert not grew, f"queries grow with the rows (N+1): {grew}"
    over = {url: (many[url], budgets[url]) for url in budgets if many[url] > budgets[url]}
    assert not over, f"over budget (count, budget): {over}"


def test_commissioning_pages_and_api_lists_have_a_fixed_query_budget(
    client: Any, world: Any
) -> None:
    first = voting_round(world)
    auth = {"Authorization": f"Bearer {world.tokens['lurah.panggunglor']}"}
    client.force_login(world.users["lurah.panggunglor"])
    _add_rows(world, first, 2, 0)
    few_pages = _counts(client, first, PAGE_BUDGETS)
    few_api = _counts(client, first, API_BUDGETS, headers=auth)
    _add_rows(world, first, 4, 2)
    many_pages = _counts(client, first, PAGE_BUDGETS)
    many_api = _counts(client, first, API_BUDGETS, headers=auth)
    _check(few_pages, many_pages, PAGE_BUDGETS)
    _check(few_api, many_api, API_BUDGETS)
    # The lists really list the rows counted.
    assert len(client.get("/usulan/").context["needs"]) == 6
    assert client.get("/api/v1/decisions", headers=auth).json()["count"] == 6
    assert len(client.get(f"/api/v1/rounds/{first.pk}/ballot", headers=auth).json()) == 6
