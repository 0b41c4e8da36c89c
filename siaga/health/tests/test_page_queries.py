"""Query counts of the health pages and API lists: a fixed budget, and the same count with more
rows (no N+1). One world per test: every page is counted with few rows, then again with more."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from siaga.health import services
from siaga.health.models import Case, Newcomer, Referral
from siaga.registry.models import Resident

from .conftest import make_case

# page → the most queries it may run (session, user, memberships, policy and audit included;
# measured + 2 so that small refactors do not trip them).
# ``{case}``/``{referral}`` are the first case/referral, whose history grows with the rows.
PAGE_BUDGETS = {
    "/kesehatan/": 13,
    "/kesehatan/kasus/": 9,
    "/kesehatan/kasus/?status=semua": 9,
    "/kesehatan/rujukan/": 9,
    "/kesehatan/kontak/": 9,
    "/kesehatan/pendatang/": 9,
    "/kesehatan/vaksinasi/": 9,
    "/kesehatan/kasus/{case}/": 11,
    "/kesehatan/rujukan/{referral}/": 8,
}
API_BUDGETS = {
    "/api/v1/cases": 9,
    "/api/v1/cases/{case}": 8,
    "/api/v1/cases/{case}/monitoring": 9,
    "/api/v1/referrals": 9,
    "/api/v1/referrals/{referral}": 8,
    "/api/v1/contacts": 9,
    "/api/v1/newcomers": 9,
    "/api/v1/newcomers/{newcomer}": 9,
    "/api/v1/vaccinations": 9,
    "/api/v1/vaccinations/outreach": 9,
}


def _resident(world: Any, place: str, serial: int) -> Resident:
    household = world.households[place]
    return Resident.objects.create(
        nik=f"33740217{serial % 12 + 1:02d}85{serial:04d}",
        name=f"Warga {serial}",
        sex="L",
        birth_date=dt.date(1985, serial % 12 + 1, 17),
        household=household,
        relation="lainnya",
        rt=household.rt,
    )


def _add_rows(world: Any, first: Case, n: int, offset: int) -> None:
    """``n`` more cases, monitoring records, referrals, contacts, newcomers and doses in RW 006,
    and ``n`` more monitoring records on ``first`` (its page and history grow too)."""
    root = world.users["root"]
    today = timezone.localdate()
    for i in range(offset, offset + n):
        place = "rt003" if i % 2 else "rt004"
        sick = _resident(world, place, 100 + 3 * i)
        exposed = _resident(world, place, 101 + 3 * i)
        vaccinated = _resident(world, place, 102 + 3 * i)
        case = make_case(world, place, days_ago=2 + i % 3, resident=sick.pk)
        # SpO2 94 is a referral; the first case gets an ordinary record each round.
        services.record_monitoring(actor=root, case=case, data={"spo2": 94})
        services.record_monitoring(
            actor=root,
            case=first,
            data={"spo2": 98, "temperature": "36.8"},
            now=timezone.now() - dt.timedelta(hours=12 * (i + 1)),
        )
        services.create_contact(
            actor=root,
            data={"case": case.pk, "resident": exposed.pk, "last_exposure_on": today},
        )
        services.create_newcomer(
            actor=root,
            data={
                "name": f"Pendatang {i}",
                "arrived_on": today,
                "origin_code": "31.71",
                "household": world.households[place].pk,
            },
        )
        services.record_vaccination(
            actor=root,
            data={"resident": vaccinated.pk, "dose": 1, "vaccine": "sinovac", "given_on": today},
        )


def _count(client: Any, url: str, headers: dict[str, str] | None = None) -> int:
    client.get(url, headers=headers or {})  # warm up: first-use caches, the token's last use
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def _counts(client: Any, world: Any, urls: dict[str, int], first: Case, **kw: Any) -> dict:
    referral = Referral.objects.order_by("pk").first()
    newcomer = Newcomer.objects.order_by("pk").first()
    assert referral is not None and newcomer is not None
    ids = {"case": first.pk, "referral": referral.pk, "newcomer": newcomer.pk}
    return {url: _count(client, url.format(**ids), **kw) for url in urls}


def _check(few: dict[str, int], many: dict[str, int], budgets: dict[str, int]) -> None:
    grew = {url: (few[url], many[url]) for url in budgets if many[url] != few[url]}
    assert not grew, f"queries grow with the rows (N+1): {grew}"
    over = {url: (many[url], budgets[url]) for url in budgets if many[url] > budgets[url]}
    assert not over, f"over budget (count, budget): {over}"


def test_health_pages_and_api_lists_have_a_fixed_query_budget(client: Any, world: Any) -> None:
    first = make_case(world, "rt003")
    auth = {"Authorization": f"Bearer {world.tokens['pengurus.rw006']}"}
    client.force_login(world.users["pengurus.rw006"])
    _add_rows(world, first, 2, 0)
    few_pages = _counts(client, world, PAGE_BUDGETS, first)
    few_api = _counts(client, world, API_BUDGETS, first, headers=auth)
    _add_rows(world, first, 4, 2)
    many_pages = _counts(client, world, PAGE_BUDGETS, first)
    many_api = _counts(client, world, API_BUDGETS, first, headers=auth)
    _check(few_pages, many_pages, PAGE_BUDGETS)
    _check(few_api, many_api, API_BUDGETS)
    # The lists really list the rows counted.
    assert len(client.get("/kesehatan/kasus/").context["page"].object_list) >= 7
    assert client.get("/api/v1/contacts", headers=auth).json()["count"] == 6
