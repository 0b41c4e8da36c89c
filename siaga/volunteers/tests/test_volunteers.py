"""Volunteers, rosters and tasks: gaps, sign-up, check-in hours, swaps, rule-made tasks,
escalation, and the role × territory matrix of the task API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from siaga.api.tests.helpers import USERS, Api, assert_error, covers
from siaga.core.errors import ValidationFailed
from siaga.core.models import Contribution, Notification
from siaga.volunteers import selectors, services
from siaga.volunteers.models import Shift

RT004 = "33.74.02.1006.006.004"


def _roster(world: Any) -> Any:
    root = world.users["root"]
    posko = services.create_posko(
        actor=root, rw=world.t["rw006"], name="Pos jaga", kind="entry_post"
    )
    services.create_shift_template(
        actor=root, posko=posko, name="pagi", starts=dt.time(6), ends=dt.time(14), min_people=2
    )
    services.create_shift_template(
        actor=root, posko=posko, name="malam", starts=dt.time(22), ends=dt.time(6), min_people=1
    )
    start = timezone.localdate() + dt.timedelta(days=1)
    assert (
        services.generate_roster(
            actor=world.users["pengurus.rw006"], posko=posko, start=start, days=7
        )
        == 14
    )
    assert services.generate_roster(actor=root, posko=posko, start=start, days=7) == 0
    return posko, start


def _volunteer(world: Any, name: str = "relawan.rw006") -> Any:
    return services.register_volunteer(
        actor=world.users["root"],
        rw=world.t["rw006"],
        name=name,
        user=world.users[name],
        skills=["security"],
    )


def test_roster_gaps_are_shifts_below_their_minimum(world: Any) -> None:
    _posko, start = _roster(world)
    relawan = _volunteer(world)
    other = _volunteer(world, "pengurus.rw006")
    night = Shift.objects.get(name="malam", day=start)
    assert night.ends_at - night.starts_at == dt.timedelta(hours=8)
    morning = Shift.objects.get(name="pagi", day=start)
    services.sign_up(actor=world.users["relawan.rw006"], shift=night)
    services.sign_up(actor=world.users["relawan.rw006"], shift=morning)
    end = start + dt.timedelta(days=7)
    gaps = selectors.roster_gaps(Shift.objects.all(), start=start, end=end)
    assert night not in gaps and morning in gaps and len(gaps) == 13
    services.sign_up(actor=world.users["pengurus.rw006"], shift=morning, volunteer=other)
    assert morning not in selectors.roster_gaps(Shift.objects.all(), start=start, end=end)
    with pytest.raises(ValidationFailed):
        services.sign_up(actor=world.users["relawan.rw006"], shift=morning, volunteer=relawan)
    assert services.ensure_shift_gap_tasks(today=start, days=7) == 12
    assert services.ensure_shift_gap_tasks(today=start, days=7) == 0


def test_check_in_and_out_give_hours_and_swap_needs_the_coordinator(world: Any) -> None:
    _posko, start = _roster(world)
    relawan = _volunteer(world)
    other = _volunteer(world, "pengurus.rw006")
    shift = Shift.objects.get(name="pagi", day=start)
    assignment = services.sign_up(actor=world.users["relawan.rw006"], shift=shift)
    services.check_in(actor=world.users["relawan.rw006"], assignment=assignment, at=shift.starts_at)
    services.check_out(
        actor=world.users["relawan.rw006"],
        assignment=assignment,
        at=shift.starts_at + dt.timedelta(hours=7, minutes=30),
    )
    profile = selectors.volunteer_profile(relawan)
    assert profile["hours"] == 7.5
    services.record_screening(
        actor=world.users["relawan.rw006"], shift=shift, temperature_c="38.1", newcomer=True
    )
    assert selectors.shift_detail(shift)["screenings"]["newcomers"] == 1
    later = Shift.objects.get(name="pagi", day=start + dt.timedelta(days=1))
    mine = services.sign_up(actor=world.users["relawan.rw006"], shift=later)
    swap = services.request_swap(
        actor=world.users["relawan.rw006"], assignment=mine, to_volunteer=other
    )
    with pytest.raises(Exception) as denied:
        services.decide_swap(actor=world.users["relawan.rw006"], swap=swap, approve=True)
    assert "not found" in str(denied.value)
    services.decide_swap(actor=world.users["pengurus.rw006"], swap=swap, approve=True)
    mine.refresh_from_db()
    assert mine.volunteer == other
    groups = set(
        Contribution.objects.filter(kind__startswith="volunteers.").values_list("phase", flat=True)
    )
    assert groups == {"co_delivery"}


def test_overdue_task_escalates_once_to_the_pengurus(world: Any) -> None:
    task = services.create_task(
        actor=world.users["pengurus.rw006"],
        territory=world.t["rt004"],
        title="Antar masker",
        due_at=timezone.now() - dt.timedelta(hours=1),
    )
    assert services.escalate_overdue_tasks() == 1
    assert services.escalate_overdue_tasks() == 0
    note = Notification.objects.get(kind="task_overdue")
    assert note.recipient == world.users["pengurus.rw006"]
    assert str(task.pk) in note.link


@pytest.mark.parametrize("user", USERS)
def test_task_take_matrix(api: Api, world: Any, user: str) -> None:
    task = services.create_task(actor=world.users["root"], territory=world.t["rt004"], title="Cek")
    response = api.post(f"/api/v1/tasks/{task.pk}/take", user, {})
    workers = {u for u in USERS if covers(u, RT004)} - {"warga.rt003"}
    task.refresh_from_db()
    if user in workers:
        assert response.status_code == 200, response.content
        assert task.state == "diambil"
    else:
        assert_error(response, 404, "not_found")
        assert (task.state, task.taken_by_id) == ("baru", None)


def test_my_tasks_and_team_reassignment(api: Api, world: Any) -> None:
    root = world.users["root"]
    team = services.create_team(actor=root, rw=world.t["rw006"], name="Keamanan", kind="keamanan")
    relawan = _volunteer(world)
    relawan.teams.add(team)
    task = services.create_task(actor=root, territory=world.t["rt003"], title="Ronda", team=team)
    mine = api.get("/api/v1/tasks?mine=true", "relawan.rw006").json()
    assert [t["id"] for t in mine["items"]] == [task.pk]
    other = services.create_team(actor=root, rw=world.t["rw006"], name="Sosial", kind="sosial")
    denied = api.post(f"/api/v1/tasks/{task.pk}/assign", "relawan.rw006", {"team": other.pk})
    assert_error(denied, 404, "not_found")
    moved = api.post(f"/api/v1/tasks/{task.pk}/assign", "pengurus.rw006", {"team": other.pk})
    assert moved.json()["team"] == other.pk
    assert api.get("/api/v1/tasks?mine=true", "relawan.rw006").json()["items"] == []


def test_warga_offers_to_volunteer_and_pengurus_approves(api: Api, world: Any) -> None:
    response = api.post("/api/v1/volunteers/offer", "warga.rt003", {"skills": ["cook"]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["rw"]) == ("pending", "33.74.02.1006.006")
    assert_error(
        api.post(f"/api/v1/volunteers/{body['id']}/approve", "relawan.rw006", {}), 404, "not_found"
    )
    approved = api.post(f"/api/v1/volunteers/{body['id']}/approve", "pengurus.rw006", {})
    assert approved.json()["status"] == "active"
    assert api.get("/api/v1/tasks", "warga.rt003").status_code == 200


def test_volunteer_list_answers_htmx_with_just_the_filtered_table(client: Any, world: Any) -> None:
    volunteer = _volunteer(world)
    client.force_login(world.users["pengurus.rw006"])
    url = "/relawan/daftar/"
    response = client.get(url, {"status": volunteer.status}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html and f"/relawan/daftar/{volunteer.pk}/" in html
    assert "HX-Request" in response["Vary"]
    other = "inactive" if volunteer.status != "inactive" else "pending"
    html = client.get(url, {"status": other}, HTTP_HX_REQUEST="true").content.decode()
    assert f"/relawan/daftar/{volunteer.pk}/" not in html
    assert "<html" in client.get(url).content.decode()
