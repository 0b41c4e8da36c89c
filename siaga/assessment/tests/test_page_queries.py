"""The volunteer report page at wide scopes (issue 12: 136–149 KB at kota scope): one page of
volunteers, a short choice of areas (one step up or down), the kelurahan rows instead of every
RW and team, and queries that do not grow with the volunteers."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from siaga.assessment.tests.test_report import make_report_world
from siaga.volunteers.models import Team, Volunteer

PAGE_SIZE = 2
OCTOBER = "from=2026-10-01&to=2026-10-31"


@pytest.fixture
def small_pages(settings: Any) -> None:
    settings.PAGE_SIZE = PAGE_SIZE


def _more_volunteers(world: Any, n: int, offset: int) -> None:
    for i in range(offset, offset + n):
        for rw in ("rw006", "bandar_rw001"):
            volunteer = Volunteer.objects.create(
                rw=world.t[rw], name=f"V {rw} {i}", status="active"
            )
            team = Team.objects.create(rw=world.t[rw], name=f"Tim {i}", kind="kesehatan")
            team.members.add(volunteer)


def _get(client: Any, url: str) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, len(captured.captured_queries)


def test_the_city_report_page_stays_short_and_its_queries_fixed(
    client: Any, world: Any, small_pages: None
) -> None:
    make_report_world(world)
    client.force_login(world.users["admin"])
    url = f"/penilaian/laporan/?territory=33.74&{OCTOBER}"
    _more_volunteers(world, 2, 0)
    _, few = _get(client, url)
    _more_volunteers(world, 4, 2)
    response, many = _get(client, url)
    assert many == few, f"{few} queries with fewer volunteers, {many} with more (N+1)"
    context = response.context
    assert len(context["page"].object_list) == PAGE_SIZE
    assert context["page"].paginator.count > 10
    assert [row_id for row_id, _name in context["narratable"]] == [
        row.id for row in context["page"].object_list
    ]
    # the city, then the kecamatan just below it: no kelurahan or RW of the whole city
    assert {t.level for t in context["territories"]} == {2, 3}
    assert context["groups_cut"] and {g.level for g in context["groups"]} == {"kelurahan"}
    assert "page=2" in response.content.decode()


def test_a_kelurahan_report_lists_its_rws_and_teams_and_the_areas_around_it(
    client: Any, world: Any
) -> None:
    make_report_world(world)
    client.force_login(world.users["admin"])
    response, _ = _get(client, f"/penilaian/laporan/?territory=33.74.02.1006&{OCTOBER}")
    codes = [t.code for t in response.context["territories"]]
    assert codes[:3] == ["33.74", "33.74.02", "33.74.02.1006"]
    assert "33.74.02.1006.006" in codes and "33.74.02.1001" not in codes
    assert not response.context["groups_cut"]
    assert {g.level for g in response.context["groups"]} >= {"rw", "team"}
