"""The volunteer list pages (task queue, roster, volunteers) page and filter (issue 12): a page
holds ``PAGE_SIZE`` rows whatever the scope, the pager keeps the filters, and the queries of a
page do not grow with the rows (a fixed budget, as in logistics/tests/test_page_queries.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from siaga.volunteers import services
from siaga.volunteers.models import Shift, Task, TaskState, TeamKind, Volunteer

PAGE_SIZE = 3
RW006 = "33.74.02.1006.006"
RW007 = "33.74.02.1006.007"

# page (with its filters) → the most queries it may run (session, user, memberships, policy,
# the paginator's count, the area options and the navigation included)
BUDGETS = {
    "/relawan/tugas/": 9,
    f"/relawan/tugas/?territory={RW006}&state=baru": 10,  # + the territory named
    "/relawan/jadwal/": 11,  # + the gaps of the whole range (and their skills, if any)
    f"/relawan/jadwal/?territory={RW006}&from=2020-01-01&to=2099-12-31": 11,
    "/relawan/daftar/": 11,
    f"/relawan/daftar/?territory={RW006}&status=active": 12,
}


def _add_rows(world: Any, n: int, offset: int) -> None:
    """``n`` more tasks, posko with a week of shifts, and volunteers in RW 006 and RW 007."""
    root = world.users["root"]
    today = timezone.localdate()
    for i in range(offset, offset + n):
        for rw, rt in (("rw006", "rt003"), ("rw007", "rw007rt001")):
            team = services.create_team(
                actor=root, rw=world.t[rw], name=f"Tim {i}", kind=TeamKind.LOGISTIK
            )
            volunteer = services.register_volunteer(
                actor=root, rw=world.t[rw], name=f"Relawan {rw} {i}", teams=[team]
            )
            services.create_task(actor=root, territory=world.t[rt], title=f"Tugas {i}", team=team)
            task = services.create_task(
                actor=root, territory=world.t[rt], title=f"Tugas {i}b", assignee=volunteer
            )
            Task.objects.filter(pk=task.pk).update(
                state=TaskState.SELESAI, closed_at=timezone.now()
            )
            posko = services.create_posko(actor=root, rw=world.t[rw], name=f"Pos {i}")
            services.create_shift_template(
                actor=root, posko=posko, name="pagi", starts=dt.time(6), ends=dt.time(14)
            )
            services.generate_roster(actor=root, posko=posko, start=today, days=10)


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


@pytest.fixture
def small_pages(settings: Any) -> None:
    settings.PAGE_SIZE = PAGE_SIZE


@pytest.mark.parametrize("url", sorted(BUDGETS))
def test_volunteer_list_pages_have_a_fixed_query_budget(
    client: Any, world: Any, small_pages: None, url: str, django_assert_max_num_queries: Any
) -> None:
    client.force_login(world.users["fasilitator.kota"])
    _add_rows(world, 2, 0)
    few = _count(client, url)
    _add_rows(world, 3, 2)
    many = _count(client, url)
    assert many == few, f"{url}: {few} queries with fewer rows, {many} with more (N+1)"
    with django_assert_max_num_queries(BUDGETS[url]):
        client.get(url)


@pytest.mark.parametrize(
    ("url", "rows"),
    [
        (f"/relawan/tugas/?territory={RW006}", 'class="card"'),
        (f"/relawan/jadwal/?territory={RW006}", "/relawan/jadwal/"),
        (f"/relawan/daftar/?territory={RW006}", "/relawan/daftar/"),
    ],
)
def test_a_wide_list_shows_one_page_and_the_pager_keeps_the_filters(
    client: Any, world: Any, small_pages: None, url: str, rows: str
) -> None:
    client.force_login(world.users["fasilitator.kota"])
    _add_rows(world, 4, 0)
    response = client.get(url)
    page = response.context["page"]
    assert len(page.object_list) == PAGE_SIZE and page.paginator.num_pages > 1
    html = response.content.decode()
    next_link = re.search(r'<a href="([^"]+)"[^>]* rel="next"', html)
    assert next_link is not None
    assert f"territory={RW006}" in next_link.group(1) and "page=2" in next_link.group(1)
    second = client.get(url + "&page=2")
    assert {o.pk for o in second.context["page"].object_list}.isdisjoint(
        o.pk for o in page.object_list
    )


def test_the_area_filter_keeps_to_the_area_and_refuses_places_out_of_reach(
    client: Any, world: Any
) -> None:
    _add_rows(world, 1, 0)
    client.force_login(world.users["fasilitator.kota"])
    rw006 = world.t["rw006"]
    volunteers = client.get(f"/relawan/daftar/?territory={RW006}").context["page"].object_list
    assert {v.rw_id for v in volunteers} == {rw006.pk}
    shifts = client.get(f"/relawan/jadwal/?territory={RW007}").context["shifts"]
    assert shifts and {s.rw_id for s in shifts} == {world.t["rw007"].pk}
    options = [t.code for t in client.get("/relawan/daftar/").context["areas"]]
    assert options == ["33.74.02.1006", RW006, RW007]
    client.force_login(world.users["pengurus.rw006"])
    assert client.get(f"/relawan/tugas/?territory={RW007}").status_code == 404
    assert client.get("/relawan/jadwal/?territory=99.99").status_code == 404


def test_the_roster_opens_on_the_next_week_and_takes_a_date_range(client: Any, world: Any) -> None:
    _add_rows(world, 1, 0)  # ten days of shifts from today
    client.force_login(world.users["pengurus.rw006"])
    today = timezone.localdate()
    days = {s.day for s in client.get("/relawan/jadwal/").context["shifts"]}
    assert days == {today + dt.timedelta(days=n) for n in range(7)}
    later = today + dt.timedelta(days=8)
    response = client.get(f"/relawan/jadwal/?from={later:%Y-%m-%d}&to={later:%Y-%m-%d}")
    assert {s.day for s in response.context["shifts"]} == {later}
    assert f'value="{later:%Y-%m-%d}"' in response.content.decode()
    assert '<div class="scroll" tabindex="0">' in response.content.decode()  # keyboard scroll
    assert Shift.objects.filter(day__gt=later).exists()


def test_the_task_queue_shows_open_tasks_and_filters_by_state(client: Any, world: Any) -> None:
    _add_rows(world, 1, 0)
    client.force_login(world.users["pengurus.rw006"])
    open_tasks = client.get("/relawan/tugas/").context["page"].object_list
    assert open_tasks and {t.state for t in open_tasks} == {TaskState.BARU}
    done = client.get("/relawan/tugas/?state=selesai").context["page"].object_list
    assert done and {t.state for t in done} == {TaskState.SELESAI}


def test_the_volunteer_list_sums_hours_for_its_page(client: Any, world: Any) -> None:
    _add_rows(world, 1, 0)
    client.force_login(world.users["pengurus.rw006"])
    response = client.get("/relawan/daftar/?status=active")
    listed = response.context["page"].object_list
    assert {v.pk for v in listed} == set(
        Volunteer.objects.filter(rw=world.t["rw006"], status="active").values_list("pk", flat=True)
    )
    assert all(v.hours is None for v in listed)  # nobody checked in yet


def test_the_task_queue_offers_the_teams_of_one_area(client: Any, world: Any) -> None:
    _add_rows(world, 1, 0)
    client.force_login(world.users["fasilitator.kota"])
    assert client.get("/relawan/tugas/").context["teams"] == []  # two RWs: choose one first
    teams = client.get(f"/relawan/tugas/?territory={RW007}").context["teams"]
    assert teams and {t.rw_id for t in teams} == {world.t["rw007"].pk}
    team = teams[0]
    chosen = client.get(f"/relawan/tugas/?tim={team.pk}")  # a team link from the volunteer list
    assert chosen.context["team"] == team
    assert f'value="{team.pk}" selected' in chosen.content.decode()
    client.force_login(world.users["pengurus.rw006"])
    assert client.get("/relawan/tugas/").context["teams"]  # one RW: its teams at once
