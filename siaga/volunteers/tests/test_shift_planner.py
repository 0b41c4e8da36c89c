"""The shift planner (issue 12, compared with ephios): withdrawal with a cutoff, skill-reserved
seats, request-and-confirm sign-ups, one-off shifts, pengurus assign/remove, swaps from the web,
Jadwal saya, and the personal iCal feed; on the web and in the API, with the role × territory
matrix (outside: 404, nothing changed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from siaga.api.tests.helpers import USERS, Api, assert_error, covers
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditEntry, Contribution, Notification
from siaga.volunteers import ical, selectors, services
from siaga.volunteers.models import (
    CalendarToken,
    Posko,
    Shift,
    ShiftAssignment,
    ShiftTemplate,
    SwapRequest,
    Volunteer,
)

RW006 = "33.74.02.1006.006"
MANAGERS = {u for u in USERS if covers(u, RW006)} - {"relawan.rw006", "warga.rt003"}


def _posko(world: Any) -> Posko:
    return services.create_posko(
        actor=world.users["root"], rw=world.t["rw006"], name="Pos jaga", kind="entry_post"
    )


def _shift(world: Any, days: int = 2, **template: Any) -> Shift:
    """One shift ``days`` days ahead from a template with these settings."""
    posko = Posko.objects.first() or _posko(world)
    values: dict[str, Any] = {
        "name": f"pagi{ShiftTemplate.objects.count()}",
        "starts": dt.time(6),
        "ends": dt.time(14),
        "min_people": 1,
        "max_people": 3,
    } | template
    made = services.create_shift_template(actor=world.users["root"], posko=posko, **values)
    day = timezone.localdate() + dt.timedelta(days=days)
    services.generate_roster(actor=world.users["root"], posko=posko, start=day, days=1)
    return Shift.objects.select_related("template", "posko").get(template=made, day=day)


def _volunteer(world: Any, name: str, skills: tuple[str, ...] = ()) -> Volunteer:
    return services.register_volunteer(
        actor=world.users["root"],
        rw=world.t["rw006"],
        name=name,
        user=world.users.get(name),
        skills=skills,
    )


def _seats() -> list[tuple[int, int, str]]:
    return list(
        ShiftAssignment.objects.order_by("pk").values_list("shift_id", "volunteer_id", "state")
    )


# ---------------------------------------------------------------- withdraw


def test_withdrawing_frees_the_seat_tells_the_pengurus_and_reopens_the_gap(world: Any) -> None:
    shift = _shift(world, withdraw_cutoff_hours=12)
    relawan = _volunteer(world, "relawan.rw006")
    seat = services.sign_up(actor=world.users["relawan.rw006"], shift=shift)
    day = shift.day
    assert shift not in selectors.roster_gaps(
        Shift.objects.all(), start=day, end=day + dt.timedelta(1)
    )
    services.withdraw(actor=world.users["relawan.rw006"], assignment=seat)
    assert not ShiftAssignment.objects.filter(volunteer=relawan).exists()
    assert shift in selectors.roster_gaps(Shift.objects.all(), start=day, end=day + dt.timedelta(1))
    note = Notification.objects.get(kind="shift_withdrawal")
    assert note.recipient == world.users["pengurus.rw006"]
    assert note.link == f"/relawan/jadwal/{shift.pk}/" and "relawan" not in note.title
    assert AuditEntry.objects.filter(
        object_type="volunteers.shiftassignment", action="delete"
    ).exists()


def test_withdrawal_is_refused_after_the_cutoff_and_after_check_in(world: Any) -> None:
    soon = _shift(world, days=1, withdraw_cutoff_hours=168)
    _volunteer(world, "relawan.rw006")
    seat = services.sign_up(actor=world.users["relawan.rw006"], shift=soon)
    with pytest.raises(ValidationFailed) as exc:
        services.withdraw(actor=world.users["relawan.rw006"], assignment=seat)
    assert "Withdrawals for this shift closed at" in exc.value.errors["__all__"][0]
    later = _shift(world, days=3, withdraw_cutoff_hours=0)
    seat2 = services.sign_up(actor=world.users["relawan.rw006"], shift=later)
    services.check_in(actor=world.users["relawan.rw006"], assignment=seat2)
    with pytest.raises(ValidationFailed) as exc:
        services.withdraw(actor=world.users["relawan.rw006"], assignment=seat2)
    assert exc.value.errors == {
        "__all__": ["You have checked in: you can no longer withdraw from this shift."]
    }
    assert ShiftAssignment.objects.count() == 2
    assert not Notification.objects.filter(kind="shift_withdrawal").exists()


# ---------------------------------------------------------------- skills


def test_seats_kept_for_a_skill_go_only_to_volunteers_with_it(world: Any) -> None:
    shift = _shift(world, min_people=1, max_people=2, skill_requirements={"nakes": 1})
    assert shift.skill_requirements == {"nakes": 1}
    day = shift.day
    end = day + dt.timedelta(days=1)
    budi = _volunteer(world, "Budi")
    siti = _volunteer(world, "Siti")
    nakes = _volunteer(world, "Nurse", skills=("nakes",))
    services.sign_up(actor=world.users["root"], shift=shift, volunteer=budi)
    gaps: list[Any] = selectors.roster_gaps(Shift.objects.all(), start=day, end=end)
    assert [g.pk for g in gaps] == [shift.pk]  # one person is enough, but no nakes yet
    assert gaps[0].missing_skills == {"nakes": 1}
    with pytest.raises(ValidationFailed) as exc:
        services.sign_up(actor=world.users["root"], shift=shift, volunteer=siti)
    assert exc.value.errors["shift"] == [
        "The places left on this shift are kept for volunteers with these skills: "
        "Health worker (nakes). Your profile does not list them; ask the pengurus."
    ]
    services.sign_up(actor=world.users["root"], shift=shift, volunteer=nakes)
    assert selectors.roster_gaps(Shift.objects.all(), start=day, end=end) == []


def test_skill_requirements_are_validated(world: Any) -> None:
    posko = _posko(world)
    with pytest.raises(ValidationFailed) as exc:
        services.create_shift_template(
            actor=world.users["root"],
            posko=posko,
            name="x",
            starts=dt.time(6),
            ends=dt.time(7),
            max_people=2,
            skill_requirements={"juggler": 1, "nakes": 3},
            withdraw_cutoff_hours=200,
        )
    assert exc.value.errors["skill_requirements"] == ["Unknown skill: juggler."]
    assert exc.value.errors["withdraw_cutoff_hours"]
    with pytest.raises(ValidationFailed) as exc:
        services.create_shift_template(
            actor=world.users["root"],
            posko=posko,
            name="x",
            starts=dt.time(6),
            ends=dt.time(7),
            max_people=2,
            skill_requirements={"nakes": 3},
        )
    assert exc.value.errors["skill_requirements"] == [
        "The shift needs more skilled people (3) than it has places (2)."
    ]
    assert not ShiftTemplate.objects.exists()


# ---------------------------------------------------------------- request and confirm


def test_sign_ups_wait_for_the_pengurus_when_the_template_asks(world: Any) -> None:
    shift = _shift(world, requires_confirmation=True)
    relawan = _volunteer(world, "relawan.rw006")
    seat = services.sign_up(actor=world.users["relawan.rw006"], shift=shift)
    assert seat.state == "requested"
    assert Notification.objects.filter(
        kind="shift_request", recipient=world.users["pengurus.rw006"]
    ).exists()
    listed: Any = selectors.mark_gaps(selectors.shifts(world.users["root"]).filter(pk=shift.pk))[0]
    assert listed.people == 0 and listed.is_gap
    with pytest.raises(ValidationFailed):
        services.check_in(actor=world.users["relawan.rw006"], assignment=seat)
    services.decide_sign_up(actor=world.users["pengurus.rw006"], assignment=seat, confirm=True)
    seat.refresh_from_db()
    assert seat.state == "confirmed"
    assert Notification.objects.filter(
        kind="shift_confirmed", recipient=world.users["relawan.rw006"]
    ).exists()
    with pytest.raises(ValidationFailed):
        services.decide_sign_up(actor=world.users["pengurus.rw006"], assignment=seat, confirm=True)
    # A declined request is removed and the volunteer told; a pengurus's own choice is confirmed.
    other = _shift(world, days=3, requires_confirmation=True)
    seat = services.sign_up(actor=world.users["relawan.rw006"], shift=other)
    assert (
        services.decide_sign_up(actor=world.users["pengurus.rw006"], assignment=seat, confirm=False)
        is None
    )
    assert not ShiftAssignment.objects.filter(shift=other).exists()
    assert Notification.objects.filter(kind="shift_declined").count() == 1
    placed = services.sign_up(actor=world.users["pengurus.rw006"], shift=other, volunteer=relawan)
    assert placed.state == "confirmed"
    assert (
        Contribution.objects.filter(kind="volunteers.sign_up_decision", phase="co_delivery").count()
        == 2
    )


# ---------------------------------------------------------------- one-off shifts, removal


def test_one_off_shifts_have_no_template_and_clear_errors(world: Any) -> None:
    posko = _posko(world)
    day = timezone.localdate() + dt.timedelta(days=5)
    shift = services.create_one_off_shift(
        actor=world.users["pengurus.rw006"],
        posko=posko,
        name="Vaksinasi",
        day=day,
        starts=dt.time(8),
        ends=dt.time(12),
        min_people=2,
        max_people=5,
    )
    assert shift.is_one_off and shift.rw_id == posko.rw_id and shift.skill_requirements == {}
    assert shift.ends_at - shift.starts_at == dt.timedelta(hours=4)
    with pytest.raises(ValidationFailed) as exc:
        services.create_one_off_shift(
            actor=world.users["root"],
            posko=posko,
            name="",
            day=None,
            starts=dt.time(8),
            ends=dt.time(8),
            min_people=3,
            max_people=2,
        )
    assert set(exc.value.errors) == {"name", "day", "ends", "max_people"}
    with pytest.raises(ValidationFailed) as exc:
        services.create_one_off_shift(
            actor=world.users["root"],
            posko=posko,
            name="Lalu",
            day=timezone.localdate() - dt.timedelta(days=2),
            starts=dt.time(8),
            ends=dt.time(9),
        )
    assert list(exc.value.errors) == ["day"]
    assert Shift.objects.count() == 1


def test_pengurus_removes_a_volunteer_who_is_told(world: Any) -> None:
    shift = _shift(world)
    relawan = _volunteer(world, "relawan.rw006")
    seat = services.sign_up(actor=world.users["pengurus.rw006"], shift=shift, volunteer=relawan)
    assert Notification.objects.filter(
        kind="shift_assigned", recipient=world.users["relawan.rw006"]
    ).exists()
    services.remove_from_shift(actor=world.users["pengurus.rw006"], assignment=seat)
    assert not ShiftAssignment.objects.exists()
    assert Notification.objects.filter(
        kind="shift_removed", recipient=world.users["relawan.rw006"]
    ).exists()


# ---------------------------------------------------------------- iCal


def test_ical_escapes_folds_at_75_octets_and_uses_utc() -> None:
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "Pos jaga é " * 20
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
    aware = dt.datetime(2021, 7, 1, 6, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert ical.utc(aware) == "20210630T230000Z"


def test_the_feed_lists_my_shifts_behind_a_revocable_hashed_token(client: Any, world: Any) -> None:
    shift = _shift(world, name="pagi, depan; gang 3")
    _volunteer(world, "relawan.rw006")
    services.sign_up(actor=world.users["relawan.rw006"], shift=shift)
    user = world.users["relawan.rw006"]
    raw = services.issue_calendar_token(actor=user)
    stored = CalendarToken.objects.get(user=user)
    assert (
        stored.token_hash != raw and raw not in stored.token_hash and len(stored.token_hash) == 64
    )
    response = client.get(f"/relawan/kalender/{raw}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith(
        "END:VCALENDAR\r\n"
    )
    assert f"UID:shift-{shift.pk}-volunteer-" in body
    assert "SUMMARY:pagi\\, depan\\; gang 3 · Pos jaga" in body
    assert f"DTSTART:{ical.utc(shift.starts_at)}" in body and ical.utc(shift.starts_at).endswith(
        "Z"
    )
    again = client.get(f"/relawan/kalender/{raw}.ics").content.decode()
    assert [x for x in again.split("\r\n") if x.startswith("UID")] == [
        x for x in body.split("\r\n") if x.startswith("UID")
    ]
    new = services.issue_calendar_token(actor=user)
    assert client.get(f"/relawan/kalender/{raw}.ics").status_code == 404
    assert client.get(f"/relawan/kalender/{new}.ics").status_code == 200
    services.revoke_calendar_token(actor=user)
    assert client.get(f"/relawan/kalender/{new}.ics").status_code == 404


def test_calendar_page_shows_the_address_once_and_revokes(client: Any, world: Any) -> None:
    _volunteer(world, "relawan.rw006")
    client.force_login(world.users["relawan.rw006"])
    assert client.get("/relawan/kalender/").status_code == 200
    page = client.post("/relawan/kalender/", {"action": "issue"})
    url = page.context["feed_url"]
    assert url.startswith("http://testserver/relawan/kalender/") and url.endswith(".ics")
    assert client.get(url).status_code == 200
    assert url not in client.get("/relawan/kalender/").content.decode()
    client.post("/relawan/kalender/", {"action": "revoke"})
    assert client.get(url).status_code == 404 and not CalendarToken.objects.exists()
    # Someone who volunteers nowhere gets a clear refusal, no address.
    client.force_login(world.users["warga.rt003"])
    page = client.post("/relawan/kalender/", {"action": "issue"})
    assert page.context["feed_url"] == "" and not CalendarToken.objects.exists()


# ---------------------------------------------------------------- Jadwal saya


def test_my_schedule_pages_through_every_upcoming_shift(client: Any, world: Any) -> None:
    posko = _posko(world)
    services.create_shift_template(
        actor=world.users["root"], posko=posko, name="pagi", starts=dt.time(6), ends=dt.time(14)
    )
    start = timezone.localdate() + dt.timedelta(days=1)
    services.generate_roster(actor=world.users["root"], posko=posko, start=start, days=25)
    _volunteer(world, "relawan.rw006")
    for shift in Shift.objects.all():
        services.sign_up(actor=world.users["relawan.rw006"], shift=shift)
    client.force_login(world.users["relawan.rw006"])
    first = client.get("/relawan/jadwal-saya/")
    assert first.status_code == 200 and len(first.context["seats"]) == 20
    second = client.get("/relawan/jadwal-saya/?page=2")
    assert len(second.context["seats"]) == 5
    assert second.context["seats"][-1].shift.day == start + dt.timedelta(days=24)


# ---------------------------------------------------------------- web


def test_shift_page_runs_the_planner_from_the_web(client: Any, world: Any) -> None:
    shift = _shift(world, requires_confirmation=True)
    relawan = _volunteer(world, "relawan.rw006")
    budi = _volunteer(world, "Budi")
    url = f"/relawan/jadwal/{shift.pk}/"
    client.force_login(world.users["relawan.rw006"])
    assert b"Ask to join" in client.get(url).content or b"Minta" in client.get(url).content
    client.post(f"{url}signup/")
    assert _seats() == [(shift.pk, relawan.pk, "requested")]
    client.force_login(world.users["pengurus.rw006"])
    client.post(f"{url}confirm/", {"volunteer": relawan.pk})
    client.post(f"{url}assign/", {"volunteer": budi.pk})
    assert _seats() == [(shift.pk, relawan.pk, "confirmed"), (shift.pk, budi.pk, "confirmed")]
    client.post(f"{url}remove/", {"volunteer": budi.pk})
    assert _seats() == [(shift.pk, relawan.pk, "confirmed")]
    client.force_login(world.users["relawan.rw006"])
    client.post(f"{url}swap/", {"to_volunteer": budi.pk, "reason": "sakit"})
    assert SwapRequest.objects.get().reason == "sakit"
    client.post(f"{url}withdraw/")
    assert _seats() == []


def test_one_off_shift_form_on_the_posko_page(client: Any, world: Any) -> None:
    posko = _posko(world)
    client.force_login(world.users["pengurus.rw006"])
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    bad = client.post(
        f"/relawan/posko/{posko.pk}/",
        {
            "form": "shift",
            "name": "x",
            "day": day,
            "starts": "08:00",
            "ends": "08:00",
            "min_people": 1,
            "max_people": 2,
        },
    )
    assert bad.status_code == 422
    assert bad.context["shift_form"].errors["ends"]
    good = client.post(
        f"/relawan/posko/{posko.pk}/",
        {
            "form": "shift",
            "name": "Vaksinasi",
            "day": day,
            "starts": "08:00",
            "ends": "12:00",
            "min_people": 1,
            "max_people": 2,
        },
    )
    shift = Shift.objects.get()
    assert good.status_code == 302 and good["Location"] == f"/relawan/jadwal/{shift.pk}/"
    assert shift.template_id is None


# ---------------------------------------------------------------- role × territory


@pytest.mark.parametrize("user", USERS)
def test_seat_management_web_matrix(client: Any, world: Any, user: str) -> None:
    shift = _shift(world, requires_confirmation=True)
    relawan = _volunteer(world, "relawan.rw006")
    budi = _volunteer(world, "Budi")
    seat = services.sign_up(actor=world.users["relawan.rw006"], shift=shift)
    before = (_seats(), Shift.objects.count())
    client.force_login(world.users[user])
    url = f"/relawan/jadwal/{shift.pk}/"
    confirm = client.post(f"{url}confirm/", {"volunteer": relawan.pk})
    assign = client.post(f"{url}assign/", {"volunteer": budi.pk})
    remove = client.post(f"{url}remove/", {"volunteer": budi.pk})
    one_off = client.post(
        f"/relawan/posko/{shift.posko_id}/",
        {
            "form": "shift",
            "name": "x",
            "day": (shift.day).isoformat(),
            "starts": "15:00",
            "ends": "16:00",
            "min_people": 1,
            "max_people": 2,
        },
    )
    if user in MANAGERS:
        assert {
            confirm.status_code,
            assign.status_code,
            remove.status_code,
            one_off.status_code,
        } == {302}
        seat.refresh_from_db()
        assert seat.state == "confirmed" and Shift.objects.count() == 2
    else:
        for response in (confirm, assign, remove, one_off):
            assert response.status_code == 404
        assert (_seats(), Shift.objects.count()) == before


@pytest.mark.parametrize("user", USERS)
def test_seat_management_api_matrix(api: Api, world: Any, user: str) -> None:
    shift = _shift(world, requires_confirmation=True)
    relawan = _volunteer(world, "relawan.rw006")
    budi = _volunteer(world, "Budi")
    services.sign_up(actor=world.users["relawan.rw006"], shift=shift)
    before = (_seats(), Shift.objects.count(), AuditEntry.objects.count())
    base = f"/api/v1/shifts/{shift.pk}"
    decision = api.post(f"{base}/decision", user, {"volunteer": relawan.pk, "confirm": True})
    assign = api.post(f"{base}/signup", user, {"volunteer": budi.pk})
    remove = api.post(f"{base}/remove", user, {"volunteer": budi.pk})
    one_off = api.post(
        f"/api/v1/posko/{shift.posko_id}/shifts",
        user,
        {"name": "x", "day": shift.day.isoformat(), "starts": "15:00", "ends": "16:00"},
    )
    if user in MANAGERS:
        assert decision.status_code == 200 and decision.json()["state"] == "confirmed"
        assert assign.status_code == 201 and assign.json()["state"] == "confirmed"
        assert remove.status_code == 200 and remove.json()["people"] == 1
        assert one_off.status_code == 201 and one_off.json()["one_off"] is True
    else:
        for response in (decision, remove, one_off):
            assert_error(response, 404, "not_found")
        assert (
            assign.status_code in (404, 422)
            if user == "relawan.rw006"
            else assign.status_code == 404
        )
        assert (_seats(), Shift.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("user", USERS)
def test_withdraw_api_matrix(api: Api, world: Any, user: str) -> None:
    shift = _shift(world)
    _volunteer(world, "relawan.rw006")
    services.sign_up(actor=world.users["relawan.rw006"], shift=shift)
    before = _seats()
    response = api.post(f"/api/v1/shifts/{shift.pk}/withdraw", user, {})
    if user == "relawan.rw006":
        assert response.status_code == 200 and response.json()["gap"] is True
        assert _seats() == []
    else:  # nobody withdraws someone else (a pengurus removes instead)
        assert_error(response, 404, "not_found")
        assert _seats() == before


def test_api_withdraw_after_the_cutoff_is_a_clear_422(api: Api, world: Any) -> None:
    shift = _shift(world, days=1, withdraw_cutoff_hours=168)
    _volunteer(world, "relawan.rw006")
    services.sign_up(actor=world.users["relawan.rw006"], shift=shift)
    body = assert_error(
        api.post(f"/api/v1/shifts/{shift.pk}/withdraw", "relawan.rw006", {}), 422, "invalid"
    )
    assert "Batas mundur dari jadwal ini sudah lewat" in str(body.get("fields"))  # Indonesian API
    assert ShiftAssignment.objects.count() == 1


def test_api_my_shifts_and_calendar(api: Api, world: Any, client: Any) -> None:
    shift = _shift(world, skill_requirements={"nakes": 1})
    _volunteer(world, "relawan.rw006")
    services.sign_up(actor=world.users["relawan.rw006"], shift=shift)
    mine = api.get("/api/v1/me/shifts", "relawan.rw006").json()
    assert mine["count"] == 1 and mine["items"][0]["shift"] == shift.pk
    assert api.get("/api/v1/me/shifts", "pengurus.rw006").json()["count"] == 0
    listed = api.get(f"/api/v1/shifts?gaps=true&territory={RW006}", "pengurus.rw006").json()
    assert [s["id"] for s in listed["items"]] == [shift.pk]
    assert listed["items"][0]["missing_skills"] == {"nakes": 1}
    issued = api.post("/api/v1/me/calendar", "relawan.rw006", {})
    assert issued.status_code == 201
    url = issued.json()["url"]
    assert client.get(url).status_code == 200
    assert api.delete("/api/v1/me/calendar", "relawan.rw006").status_code == 204
    assert client.get(url).status_code == 404
    assert_error(api.post("/api/v1/me/calendar", "warga.rt003", {}), 422, "invalid")


def test_template_rules_are_edited_on_the_web_and_in_the_api(
    client: Any, api: Api, world: Any
) -> None:
    posko = _posko(world)
    created = api.post(
        f"/api/v1/posko/{posko.pk}/shift-templates",
        "pengurus.rw006",
        {
            "name": "jaga",
            "starts": "06:00",
            "ends": "14:00",
            "withdraw_cutoff_hours": 24,
            "requires_confirmation": True,
            "skill_requirements": {"nakes": 1},
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["withdraw_cutoff_hours"], body["requires_confirmation"]) == (24, True)
    assert body["skill_requirements"] == {"nakes": 1}
    bad = assert_error(
        api.patch(
            f"/api/v1/shift-templates/{body['id']}",
            "pengurus.rw006",
            {"skill_requirements": {"nakes": 9}},
        ),
        422,
        "invalid",
    )
    assert "skill_requirements" in bad["fields"]
    client.force_login(world.users["pengurus.rw006"])
    url = f"/relawan/posko/jadwal-tetap/{body['id']}/"
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"]["skill_nakes"].value() == 1
    response = client.post(
        url,
        {
            "name": "jaga",
            "starts": "06:00",
            "ends": "14:00",
            "min_people": 2,
            "max_people": 4,
            "active": "on",
            "withdraw_cutoff_hours": "",
            "skill_driver": "2",
        },
    )
    assert response.status_code == 302
    template = ShiftTemplate.objects.get(pk=body["id"])
    assert template.skill_requirements == {"driver": 2}
    assert (template.withdraw_cutoff_hours, template.requires_confirmation) == (12, False)
    entry = AuditEntry.objects.filter(
        object_type="volunteers.shifttemplate", action="update"
    ).last()
    assert entry is not None and entry.changes["skill_requirements"] == [
        str({"nakes": 1}),
        str({"driver": 2}),
    ]


def test_a_swap_request_tells_the_pengurus(world: Any) -> None:
    shift = _shift(world)
    _volunteer(world, "relawan.rw006")
    budi = _volunteer(world, "Budi")
    seat = services.sign_up(actor=world.users["relawan.rw006"], shift=shift)
    services.request_swap(actor=world.users["relawan.rw006"], assignment=seat, to_volunteer=budi)
    note = Notification.objects.get(kind="swap_request")
    assert note.recipient == world.users["pengurus.rw006"] and "Budi" not in note.title


def test_roster_api_query_count_does_not_grow_with_shifts(api: Api, world: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _shift(world, skill_requirements={"nakes": 1})

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/shifts?gaps=true", "pengurus.rw006").status_code == 200
        return len(captured.captured_queries)

    count()
    few = count()
    for n in range(3):
        _shift(world, days=3 + n, skill_requirements={"driver": 1})
    assert count() == few


def test_a_shift_gap_task_names_the_shift_and_its_overdue_notice_no_id(world: Any) -> None:
    """Shift-gap tasks are titled at read time ("Shift short of people: pagi0, Pos jaga
    (05/12)"), and the pengurus's overdue notice names the task as read, never by an id."""
    from django.utils import translation

    shift = _shift(world, days=1)
    with translation.override("en"):
        assert services.ensure_shift_gap_tasks(today=timezone.localdate()) == 1
        (task,) = selectors.tasks(world.users["pengurus.rw006"], kind="shift_gap")
        named = f"{shift.name}, Pos jaga ({shift.day:%d/%m})"
        assert task.display_title == f"Shift short of people: {named}"
        services.escalate_overdue_tasks(now=shift.starts_at + dt.timedelta(hours=1))
    note = Notification.objects.get(kind="task_overdue")
    # A notice may leave by WhatsApp: it names the place, not whom the task is about.
    assert note.title == "Task overdue: Shift short of people: RW 006"
