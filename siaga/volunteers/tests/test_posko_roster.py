"""Posko, shift templates, roster generation and swap listing: services with clear field errors,
the web forms, the API (422 per field), and the role × territory matrix (404, nothing changed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from siaga.api.tests.helpers import USERS, Api, assert_error, covers
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditEntry, Contribution
from siaga.volunteers import services
from siaga.volunteers.models import Posko, Shift, ShiftTemplate, SwapRequest

RW006 = "33.74.02.1006.006"
# Pengurus and facilitators covering RW 006 manage its posko; relawan and warga do not.
MANAGERS = {u for u in USERS if covers(u, RW006)} - {"relawan.rw006", "warga.rt003"}
VIEWERS = {u for u in USERS if covers(u, RW006)}


def _posko(world: Any, name: str = "Pos jaga", kind: str = "entry_post") -> Posko:
    return services.create_posko(
        actor=world.users["root"], rw=world.t["rw006"], name=name, kind=kind
    )


def _template(world: Any, posko: Posko, name: str = "pagi", **kw: Any) -> ShiftTemplate:
    values: dict[str, Any] = {
        "starts": dt.time(6),
        "ends": dt.time(14),
        "min_people": 2,
        "max_people": 4,
    } | kw
    return services.create_shift_template(
        actor=world.users["root"], posko=posko, name=name, **values
    )


def _state() -> tuple[Any, ...]:
    return (
        list(Posko.objects.order_by("pk").values_list("name", "kind")),
        list(ShiftTemplate.objects.order_by("pk").values_list("name", "starts", "active")),
        Shift.objects.count(),
        SwapRequest.objects.filter(state="pending").count(),
    )


# ---------------------------------------------------------------- services


def test_posko_names_are_unique_per_rw_with_a_clear_message(world: Any) -> None:
    _posko(world)
    with pytest.raises(ValidationFailed) as exc:
        services.create_posko(actor=world.users["root"], rw=world.t["rw006"], name=" pos JAGA ")
    assert exc.value.errors == {"name": ["This RW already has a posko with this name."]}
    with pytest.raises(ValidationFailed) as exc:
        services.create_posko(actor=world.users["root"], rw=world.t["rw006"], name="", kind="x")
    assert set(exc.value.errors) == {"name", "kind"}
    # Another RW may use the same name.
    services.create_posko(actor=world.users["root"], rw=world.t["rw007"], name="Pos jaga")


def test_update_posko_audits_and_records_co_delivery(world: Any) -> None:
    posko = _posko(world)
    services.update_posko(
        actor=world.users["pengurus.rw006"], posko=posko, name="Pos jaga utara", kind="posko"
    )
    posko.refresh_from_db()
    assert (posko.name, posko.kind) == ("Pos jaga utara", "posko")
    entry = AuditEntry.objects.filter(object_type="volunteers.posko", action="update").get()
    assert entry.changes["name"] == ["Pos jaga", "Pos jaga utara"]
    assert Contribution.objects.filter(kind="volunteers.posko", phase="co_delivery").exists()


def test_pengurus_of_another_rw_cannot_edit_a_posko(world: Any) -> None:
    from django.http import Http404

    posko = _posko(world)
    other = services.create_posko(actor=world.users["root"], rw=world.t["rw007"], name="P7")
    with pytest.raises(Http404):
        services.update_posko(
            actor=world.users["relawan.rw006"], posko=posko, name="x", kind="posko"
        )
    with pytest.raises(Http404):
        services.update_posko(
            actor=world.users["pengurus.rw006"], posko=other, name="x", kind="posko"
        )
    services.create_posko(actor=world.users["root"], rw=world.t["rw007"], name="P7b")
    with pytest.raises(ValidationFailed):
        services.update_posko(actor=world.users["root"], posko=other, name="p7B", kind="posko")
    assert Posko.objects.get(pk=other.pk).name == "P7"
    assert Posko.objects.get(pk=posko.pk).name == "Pos jaga"


def test_shift_template_errors_are_per_field(world: Any) -> None:
    posko = _posko(world)
    _template(world, posko)
    with pytest.raises(ValidationFailed) as exc:
        services.create_shift_template(
            actor=world.users["root"],
            posko=posko,
            name="PAGI",
            starts=dt.time(6),
            ends=dt.time(6),
            min_people=3,
            max_people=2,
            weekdays=[7],
        )
    assert exc.value.errors == {
        "name": ["This posko already has a shift with this name."],
        "ends": ["A shift cannot end when it starts."],
        "max_people": ["The maximum cannot be below the minimum."],
        "weekdays": ["Weekdays are 0 (Monday) to 6 (Sunday)."],
    }
    assert ShiftTemplate.objects.count() == 1


def test_inactive_templates_make_no_shifts_and_edits_keep_planned_shifts(world: Any) -> None:
    posko = _posko(world)
    pagi = _template(world, posko)
    malam = _template(world, posko, "malam", starts=dt.time(22), ends=dt.time(6), weekdays=[5, 6])
    start = timezone.localdate() + dt.timedelta(days=1)
    services.update_shift_template(
        actor=world.users["pengurus.rw006"],
        template=pagi,
        name="pagi",
        starts=dt.time(7),
        ends=dt.time(15),
        min_people=2,
        max_people=3,
        weekdays=[],
        active=False,
    )
    created = services.generate_roster(actor=world.users["root"], posko=posko, start=start, days=14)
    assert created == 4  # two weekends of the night shift only
    assert set(Shift.objects.values_list("template_id", flat=True)) == {malam.pk}
    night = Shift.objects.filter(template=malam).first()
    assert night is not None and night.ends_at - night.starts_at == dt.timedelta(hours=8)


# ---------------------------------------------------------------- web


def test_posko_pages_create_edit_and_generate_the_roster(client: Any, world: Any) -> None:
    client.force_login(world.users["pengurus.rw006"])
    assert client.get("/relawan/posko/").status_code == 200
    response = client.post(
        "/relawan/posko/", {"rw": world.t["rw006"].pk, "name": "Posko induk", "kind": "posko"}
    )
    posko = Posko.objects.get(name="Posko induk")
    assert response.status_code == 302 and response["Location"] == f"/relawan/posko/{posko.pk}/"
    url = f"/relawan/posko/{posko.pk}/"
    response = client.post(
        url,
        {
            "form": "template",
            "name": "pagi",
            "starts": "06:00",
            "ends": "14:00",
            "min_people": 2,
            "max_people": 4,
            "weekdays": ["0", "1", "2", "3", "4"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    template = ShiftTemplate.objects.get(posko=posko)
    assert template.weekdays == [0, 1, 2, 3, 4] and template.active
    response = client.post(url, {"form": "roster", "weeks": 2})
    assert response.status_code == 302
    assert Shift.objects.filter(posko=posko).count() == 10
    response = client.post(
        f"/relawan/posko/jadwal-tetap/{template.pk}/",
        {"name": "pagi", "starts": "06:00", "ends": "13:00", "min_people": 1, "max_people": 3},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.ends, template.max_people, template.active) == (dt.time(13), 3, False)
    page = client.get(url)
    assert page.status_code == 200 and b"pagi" in page.content


def english(world: Any, name: str) -> Any:
    """The user, reading the pages in English (messages are asserted in English)."""
    user = world.users[name]
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_posko_forms_show_clear_field_errors(client: Any, world: Any) -> None:
    posko = _posko(world)
    client.force_login(english(world, "pengurus.rw006"))
    url = f"/relawan/posko/{posko.pk}/"
    response = client.post(
        url,
        {
            "form": "template",
            "name": "",
            "starts": "6 pagi",
            "ends": "14:00",
            "min_people": 3,
            "max_people": 1,
        },
    )
    assert response.status_code == 422
    form = response.context["template_form"]
    assert form.errors["name"] == ["Give the shift a name, e.g. pagi or malam."]
    assert form.errors["starts"] == ["Enter a time as HH:MM, e.g. 06:00."]
    response = client.post(
        url,
        {
            "form": "template",
            "name": "x",
            "starts": "06:00",
            "ends": "14:00",
            "min_people": 3,
            "max_people": 1,
        },
    )
    assert response.context["template_form"].errors["max_people"] == [
        "The maximum cannot be below the minimum."
    ]
    response = client.post(url, {"form": "roster", "weeks": 20})
    assert response.context["roster_form"].errors["weeks"] == ["Plan at most 12 weeks ahead."]
    response = client.post(url, {"form": "posko", "name": "", "kind": "posko"})
    assert response.context["posko_form"].errors["name"] == ["Give the posko a name."]
    assert ShiftTemplate.objects.count() == 0 and Shift.objects.count() == 0


@pytest.mark.parametrize("user", USERS)
def test_posko_page_matrix(client: Any, world: Any, user: str) -> None:
    posko = _posko(world)
    template = _template(world, posko)
    before = _state()
    client.force_login(world.users[user])
    page = client.get(f"/relawan/posko/{posko.pk}/")
    assert page.status_code == (200 if user in VIEWERS else 404)
    response = client.post(f"/relawan/posko/{posko.pk}/", {"form": "roster", "weeks": 1})
    edit = client.post(
        f"/relawan/posko/jadwal-tetap/{template.pk}/",
        {"name": "x", "starts": "01:00", "ends": "02:00", "min_people": 1, "max_people": 1},
    )
    if user in MANAGERS:
        assert response.status_code == 302 and edit.status_code == 302
    else:
        assert response.status_code == 404 and edit.status_code == 404
        assert _state() == before


# ---------------------------------------------------------------- API


@pytest.mark.parametrize("user", USERS)
def test_posko_api_matrix(api: Api, world: Any, user: str) -> None:
    posko = _posko(world)
    before = _state()
    created = api.post(
        "/api/v1/posko", user, {"rw": RW006, "name": "Dapur umum", "kind": "kitchen"}
    )
    template = api.post(
        f"/api/v1/posko/{posko.pk}/shift-templates",
        user,
        {"name": "pagi", "starts": "06:00", "ends": "14:00", "min_people": 2, "max_people": 4},
    )
    roster = api.post(f"/api/v1/posko/{posko.pk}/roster", user, {"weeks": 1})
    renamed = api.patch(f"/api/v1/posko/{posko.pk}", user, {"name": "Pos jaga 2"})
    if user in MANAGERS:
        assert created.status_code == 201 and created.json()["kind"] == "kitchen"
        assert template.status_code == 201 and template.json()["starts"] == "06:00:00"
        assert roster.status_code == 201 and roster.json()["created"] == 7
        assert renamed.status_code == 200 and renamed.json()["name"] == "Pos jaga 2"
    else:
        for response in (created, template, roster, renamed):
            assert_error(response, 404, "not_found")
        assert _state() == before
    listed = api.get("/api/v1/posko", user).json()
    assert (posko.pk in [p["id"] for p in listed["items"]]) == (user in VIEWERS)


def test_shift_template_api_answers_422_per_field(api: Api, world: Any) -> None:
    posko = _posko(world)
    template = _template(world, posko)
    body = {"name": "PAGI", "starts": "06:00", "ends": "06:00", "min_people": 3, "max_people": 2}
    response = assert_error(
        api.post(f"/api/v1/posko/{posko.pk}/shift-templates", "pengurus.rw006", body),
        422,
        "invalid",
    )
    assert set(response["fields"]) == {"name", "ends", "max_people"}
    response = assert_error(
        api.post(f"/api/v1/posko/{posko.pk}/roster", "pengurus.rw006", {"weeks": 13}),
        422,
        "invalid",
    )
    assert "weeks" in response["fields"]
    patched = api.patch(
        f"/api/v1/shift-templates/{template.pk}",
        "pengurus.rw006",
        {"active": False, "max_people": 5},
    )
    assert patched.status_code == 200
    assert (patched.json()["active"], patched.json()["max_people"], patched.json()["name"]) == (
        False,
        5,
        "pagi",
    )
    assert_error(
        api.patch(f"/api/v1/shift-templates/{template.pk}", "relawan.rw006", {"active": True}),
        404,
        "not_found",
    )
    assert ShiftTemplate.objects.get(pk=template.pk).active is False
    listed = api.get(f"/api/v1/posko/{posko.pk}/shift-templates", "relawan.rw006").json()
    assert [t["id"] for t in listed] == [template.pk]


def _swap(world: Any) -> SwapRequest:
    posko = _posko(world)
    _template(world, posko)
    start = timezone.localdate() + dt.timedelta(days=1)
    services.generate_roster(actor=world.users["root"], posko=posko, start=start, days=1)
    shift = Shift.objects.get()
    relawan = services.register_volunteer(
        actor=world.users["root"],
        rw=world.t["rw006"],
        name="Relawan",
        user=world.users["relawan.rw006"],
    )
    other = services.register_volunteer(actor=world.users["root"], rw=world.t["rw006"], name="Budi")
    assignment = services.sign_up(
        actor=world.users["relawan.rw006"], shift=shift, volunteer=relawan
    )
    return services.request_swap(
        actor=world.users["relawan.rw006"],
        assignment=assignment,
        to_volunteer=other,
        reason="sakit",
    )


@pytest.mark.parametrize("user", USERS)
def test_swap_listing_matrix(api: Api, world: Any, user: str) -> None:
    swap = _swap(world)
    response = api.get("/api/v1/swaps?state=pending", user)
    assert response.status_code == 200
    ids = [s["id"] for s in response.json()["items"]]
    assert (swap.pk in ids) == (user in VIEWERS)
    decided = api.post(f"/api/v1/swaps/{swap.pk}/decide", user, {"approve": True})
    if user in MANAGERS:
        assert decided.status_code == 200 and decided.json()["state"] == "approved"
        assert decided.json()["to_name"] == "Budi"
    else:
        assert_error(decided, 404, "not_found")
        assert SwapRequest.objects.get(pk=swap.pk).state == "pending"


def test_volunteer_requests_a_swap_through_the_api(api: Api, world: Any) -> None:
    swap = _swap(world)
    SwapRequest.objects.all().delete()
    shift = swap.assignment.shift
    response = api.post(
        f"/api/v1/shifts/{shift.pk}/swap",
        "relawan.rw006",
        {"to_volunteer": swap.to_volunteer_id, "reason": "ada acara"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "pending" and response.json()["reason"] == "ada acara"
    pending = api.get("/api/v1/swaps?state=pending", "pengurus.rw006").json()["items"]
    assert [s["id"] for s in pending] == [response.json()["id"]]


def test_swap_and_posko_lists_have_a_fixed_query_count(api: Api, world: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    swap = _swap(world)
    shift = swap.assignment.shift

    def count(url: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = api.get(url, "pengurus.rw006")
        assert response.status_code == 200
        return len(captured.captured_queries), response.json()["count"]

    count("/api/v1/swaps")  # warm up: the token's first use is recorded once
    few = (count("/api/v1/swaps?state=pending"), count("/api/v1/posko"))
    for n in range(3):
        person = services.register_volunteer(
            actor=world.users["root"], rw=world.t["rw006"], name=f"Relawan {n}"
        )
        target = services.register_volunteer(
            actor=world.users["root"], rw=world.t["rw006"], name=f"Pengganti {n}"
        )
        assignment = services.sign_up(actor=world.users["root"], shift=shift, volunteer=person)
        services.request_swap(actor=world.users["root"], assignment=assignment, to_volunteer=target)
        _template(world, _posko(world, f"Pos {n}"), f"pagi {n}")
    many = (count("/api/v1/swaps?state=pending"), count("/api/v1/posko"))
    assert [c for c, _n in many] == [c for c, _n in few]
    assert [n for _c, n in many] == [4, 4]
