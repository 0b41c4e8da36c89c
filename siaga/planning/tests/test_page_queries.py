"""Query counts of the co-design pages and API lists: a fixed budget, and the same count with more
rows (no N+1). One world per test: every page is counted with few rows, then with more."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from siaga.commissioning import services as commissioning
from siaga.commissioning.tests.helpers import proposal, voting_round
from siaga.planning import services
from siaga.planning.models import Meeting, Plan

# page → the most queries it may run (session, user, memberships and policy included; measured
# + 2 so that small refactors do not trip them). ``{plan}`` and ``{meeting}`` are the first ones,
# whose activities, versions, comments and attendance grow with the rows.
PAGE_BUDGETS = {
    "/rencana/": 8,
    "/rencana/{plan}/": 11,
    "/rencana/rapat/": 7,
    "/rencana/rapat/{meeting}/": 11,
    "/rencana/komentar/": 7,
    "/rencana/akuntabilitas/33.74.02.1006.006/": 11,
}
API_BUDGETS = {
    "/api/v1/plans": 9,
    "/api/v1/plans/{plan}": 9,
    "/api/v1/plans/{plan}/history": 8,
    "/api/v1/plans/{plan}/activities": 8,
    "/api/v1/meetings": 11,
    "/api/v1/meetings/{meeting}": 10,
    "/api/v1/meetings/{meeting}/attendance": 11,
    "/api/v1/comments?target=plan&target_id={plan}": 8,
    "/api/v1/accountability/33.74.02.1006.006": 10,
}


def _add_rows(world: Any, first: Plan, meeting: Meeting, n: int, offset: int) -> None:
    """``n`` more plans, meetings and funded, decided proposals of RW 006, and ``n`` more
    activities, comments and attendees on the first plan and meeting."""
    pengurus = world.users["pengurus.rw006"]
    lurah = world.users["lurah.panggunglor"]
    for i in range(offset, offset + n):
        place = "rt003" if i % 2 else "rt004"
        services.create_plan(
            actor=pengurus,
            territory=world.t[place],
            data={"title": f"Rencana {i}", "goal": "Posko", "budget": 1_000_000},
        )
        services.add_activity(
            actor=pengurus,
            plan=first,
            data={"title": f"Kegiatan {i}", "responsible_user": "relawan.rw006", "budget": i},
        )
        services.post_comment(actor=world.users["warga.rt003"], target=first, body=f"Kapan {i}")
        services.create_meeting(
            actor=pengurus,
            territory=world.t["rw006"],
            data={
                "kind": "musyawarah_rw",
                "title": f"Musyawarah {i}",
                "starts_at": timezone.now() - dt.timedelta(days=i),
                "invitations": [{"invitee": f"Ketua RT {i}", "actor_group": "community_leader"}],
            },
        )
        services.record_attendance(
            actor=pengurus,
            meeting=meeting,
            attendees=[{"name": f"Tamu {j}", "actor_group": "government"} for j in range(i + 1)],
        )
        round_ = voting_round(world)
        funded = proposal(world, round_, f"Didanai {i}", 2_000_000)
        commissioning.record_vote(
            actor=pengurus, round=round_, proposal=funded, nik=world.residents["rt003"].nik
        )
        commissioning.close_round(actor=lurah, round=round_)
        services.decide(actor=lurah, proposal=funded, outcome="approved", reason=f"OK {i}")


def _count(client: Any, url: str, headers: dict[str, str] | None = None) -> int:
    client.get(url, headers=headers or {})  # warm up: first-use caches, the token's last use
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def _counts(client: Any, ids: dict[str, int], urls: dict[str, int], **kw: Any) -> dict[str, int]:
    return {url: _count(client, url.format(**ids), **kw) for url in urls}


def _check(few: dict[str, int], many: dict[str, int], budgets: dict[str, int]) -> None:
    grew = {url: (few[url], many[url]) for url in budgets if many[url] != few[url]}
    assert not grew, f"queries grow with the rows (N+1): {grew}"
    over = {url: (many[url], budgets[url]) for url in budgets if many[url] > budgets[url]}
    assert not over, f"over budget (count, budget): {over}"


def test_planning_pages_and_api_lists_have_a_fixed_query_budget(client: Any, world: Any) -> None:
    pengurus = world.users["pengurus.rw006"]
    first = services.create_plan(
        actor=pengurus,
        territory=world.t["rw006"],
        data={"title": "Jadwal posko", "goal": "Posko jaga 24 jam", "budget": 5_000_000},
    )
    meeting = services.create_meeting(
        actor=pengurus,
        territory=world.t["rw006"],
        data={"kind": "musyawarah_rw", "title": "Musyawarah RW 006", "starts_at": timezone.now()},
    )
    ids = {"plan": first.pk, "meeting": meeting.pk}
    auth = {"Authorization": f"Bearer {world.tokens['pengurus.rw006']}"}
    client.force_login(pengurus)
    _add_rows(world, first, meeting, 2, 0)
    few_pages = _counts(client, ids, PAGE_BUDGETS)
    few_api = _counts(client, ids, API_BUDGETS, headers=auth)
    _add_rows(world, first, meeting, 4, 2)
    many_pages = _counts(client, ids, PAGE_BUDGETS)
    many_api = _counts(client, ids, API_BUDGETS, headers=auth)
    _check(few_pages, many_pages, PAGE_BUDGETS)
    _check(few_api, many_api, API_BUDGETS)
    # The lists really list the rows counted.
    assert len(client.get("/rencana/").context["plans"]) == 13  # the first, 6 + 6 from decisions
    assert client.get("/api/v1/meetings", headers=auth).json()["count"] == 7
    assert len(client.get(f"/api/v1/plans/{first.pk}/activities", headers=auth).json()) == 6
