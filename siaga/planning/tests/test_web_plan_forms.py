"""Editing action plans from the web: create and edit a plan, add and edit an activity.

Each form goes through ``planning.services`` and leaves a version row (who, when, old → new).
Outside the user's area or without ``Perm.PLAN_EDIT`` every page answers 404 and a POST changes
nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from siaga.accounts.models import User
from siaga.planning import services
from siaga.planning.models import Activity, Plan, PlanVersion

pytestmark = pytest.mark.django_db

RW006 = "33.74.02.1006.006"
RW007 = "33.74.02.1006.007"
# Users who may read the plan of RW 006 but not edit it, and a user outside its kelurahan.
NOT_EDITORS = ("pengurus.rt003", "relawan.rw006", "warga.rt003", "puskesmas.bandarharjo")


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


@pytest.fixture
def plan(world: Any) -> Plan:
    return services.create_plan(
        actor=world.users["pengurus.rw006"],
        territory=world.t["rw006"],
        data={
            "title": "Isolasi terpusat",
            "goal": "Ruang isolasi di balai RW",
            "budget": 5_000_000,
        },
    )


@pytest.fixture
def activity(world: Any, plan: Plan) -> Activity:
    return services.add_activity(
        actor=world.users["pengurus.rw006"],
        plan=plan,
        data={"title": "Sekat ruang", "responsible_team": "Tim sarana", "budget": 1_000_000},
    )


def plan_post(**changes: Any) -> dict[str, Any]:
    data = {
        "territory": RW006,
        "title": "Lumbung pangan RW 006",
        "goal": "Paket sembako untuk keluarga isolasi mandiri",
        "status": "active",
        "budget": "3000000",
    }
    data.update(changes)
    return data


def activity_post(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Belanja beras",
        "description": "Dua kali seminggu",
        "responsible_team": "Tim logistik",
        "responsible_user": "relawan.rw006",
        "starts_on": "2021-07-12",
        "ends_on": "2021-07-30",
        "budget": "750000",
        "spent": "0",
        "stock_items": "beras 50 kg",
        "is_milestone": "on",
        "status": "planned",
        "percent": "0",
    }
    data.update(changes)
    return data


def snapshot() -> tuple[Any, ...]:
    return (
        list(Plan.objects.order_by("pk").values()),
        list(Activity.objects.order_by("pk").values()),
        PlanVersion.objects.count(),
    )


# ---------------------------------------------------------------- create a plan


def test_leader_creates_a_plan_in_their_rw(world, client) -> None:
    as_user(client, world, "pengurus.rw006")
    response = client.post("/rencana/baru/", plan_post())
    plan = Plan.objects.get(title="Lumbung pangan RW 006")
    assert response.status_code == 302
    assert response["Location"] == f"/rencana/{plan.pk}/"
    assert plan.territory_id == world.t["rw006"].id
    assert plan.budget == 3_000_000
    assert plan.created_by == world.users["pengurus.rw006"]
    version = plan.versions.get()
    assert (version.action, version.object_type, version.number) == ("create", "plan", 1)
    assert version.actor == world.users["pengurus.rw006"]
    assert version.changes["title"] == [None, "Lumbung pangan RW 006"]


def test_plan_create_page_offers_only_places_in_scope(world, client) -> None:
    as_user(client, world, "pengurus.rw006")
    page = client.get("/rencana/baru/").content.decode()
    assert RW006 in page and "33.74.02.1006.006.003" in page
    assert RW007 not in page
    before = snapshot()
    response = client.post("/rencana/baru/", plan_post(territory=RW007))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("name", ["relawan.rw006", "warga.rt003"])
def test_plan_create_page_is_404_without_the_permission(world, client, name) -> None:
    before = snapshot()
    assert status(client, world, name, "/rencana/baru/") == 404
    assert status(client, world, name, "/rencana/baru/", plan_post()) == 404
    assert snapshot() == before


def test_plans_page_links_to_new_plan_for_editors_only(world, client) -> None:
    as_user(client, world, "pengurus.rt003")
    assert "/rencana/baru/" in client.get("/rencana/").content.decode()
    as_user(client, world, "warga.rt003")
    assert "/rencana/baru/" not in client.get("/rencana/").content.decode()


def test_plan_form_shows_service_errors(world, client) -> None:
    as_user(client, world, "pengurus.rw006")
    before = snapshot()
    response = client.post("/rencana/baru/", plan_post(goal="   "))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert snapshot() == before


# ---------------------------------------------------------------- edit a plan


def test_leader_edits_a_plan_and_a_version_records_old_and_new(world, plan, client) -> None:
    as_user(client, world, "lurah.panggunglor")
    url = f"/rencana/{plan.pk}/ubah/"
    page = client.get(url).content.decode()
    assert "Isolasi terpusat" in page and 'name="territory"' not in page
    response = client.post(
        url, plan_post(title="Isolasi terpusat RW 006", status="done", budget="6000000")
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.status, plan.budget) == ("Isolasi terpusat RW 006", "done", 6_000_000)
    assert plan.territory_id == world.t["rw006"].id
    version = plan.versions.order_by("-number").first()
    assert version is not None
    assert (version.action, version.object_type) == ("update", "plan")
    assert version.actor == world.users["lurah.panggunglor"]
    assert version.changes == {
        "title": ["Isolasi terpusat", "Isolasi terpusat RW 006"],
        "goal": ["Ruang isolasi di balai RW", "Paket sembako untuk keluarga isolasi mandiri"],
        "status": ["active", "done"],
        "budget": [5_000_000, 6_000_000],
    }


@pytest.mark.parametrize("name", NOT_EDITORS)
def test_plan_edit_is_404_outside_scope_or_without_permission(world, plan, client, name) -> None:
    url = f"/rencana/{plan.pk}/ubah/"
    before = snapshot()
    assert status(client, world, name, url) == 404
    assert status(client, world, name, url, plan_post(title="Diubah")) == 404
    assert snapshot() == before


def test_plan_page_links_to_the_forms_for_editors_only(world, plan, activity, client) -> None:
    as_user(client, world, "pengurus.rw006")
    page = client.get(f"/rencana/{plan.pk}/").content.decode()
    assert f"/rencana/{plan.pk}/ubah/" in page
    assert f"/rencana/{plan.pk}/kegiatan/baru/" in page
    assert f"/rencana/kegiatan/{activity.pk}/ubah/" in page
    as_user(client, world, "relawan.rw006")
    page = client.get(f"/rencana/{plan.pk}/").content.decode()
    assert "/ubah/" not in page and "/kegiatan/baru/" not in page


# ---------------------------------------------------------------- activities


def test_leader_adds_an_activity_with_every_field(world, plan, client) -> None:
    as_user(client, world, "pengurus.rw006")
    response = client.post(f"/rencana/{plan.pk}/kegiatan/baru/", activity_post())
    assert response.status_code == 302
    assert response["Location"] == f"/rencana/{plan.pk}/"
    activity = plan.activities.get()
    assert activity.title == "Belanja beras"
    assert activity.responsible_team == "Tim logistik"
    assert activity.responsible_user == world.users["relawan.rw006"]
    assert (activity.starts_on, activity.ends_on) == (dt.date(2021, 7, 12), dt.date(2021, 7, 30))
    assert (activity.budget, activity.stock_items, activity.is_milestone) == (
        750_000,
        "beras 50 kg",
        True,
    )
    assert activity.territory_id == plan.territory_id
    version = plan.versions.order_by("-number").first()
    assert version is not None
    assert (version.action, version.object_type, version.object_id) == (
        "create",
        "activity",
        activity.pk,
    )
    assert version.actor == world.users["pengurus.rw006"]


def test_activity_form_refuses_bad_dates_and_unknown_volunteer(world, plan, client) -> None:
    as_user(client, world, "pengurus.rw006")
    url = f"/rencana/{plan.pk}/kegiatan/baru/"
    before = snapshot()
    response = client.post(url, activity_post(starts_on="2021-08-01", ends_on="2021-07-01"))
    assert response.status_code == 200
    assert "The end cannot be before the start." in response.content.decode()
    response = client.post(url, activity_post(responsible_user="nobody"))
    assert response.status_code == 200
    assert "Unknown volunteer, or not of this place." in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("name", NOT_EDITORS)
def test_activity_create_is_404_outside_scope_or_without_permission(
    world, plan, client, name
) -> None:
    url = f"/rencana/{plan.pk}/kegiatan/baru/"
    before = snapshot()
    assert status(client, world, name, url) == 404
    assert status(client, world, name, url, activity_post()) == 404
    assert snapshot() == before


def test_leader_edits_an_activity_and_a_version_records_old_and_new(
    world, plan, activity, client
) -> None:
    as_user(client, world, "pengurus.rw006")
    url = f"/rencana/kegiatan/{activity.pk}/ubah/"
    page = client.get(url).content.decode()
    assert "Sekat ruang" in page and "Tim sarana" in page
    response = client.post(
        url,
        activity_post(
            title="Sekat ruang",
            description="",
            responsible_team="Tim sarana",
            responsible_user="",
            starts_on="",
            ends_on="",
            budget="1200000",
            stock_items="",
            is_milestone="",
            status="in_progress",
            percent="40",
        ),
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.budget, activity.status, activity.percent) == (1_200_000, "in_progress", 40)
    version = plan.versions.order_by("-number").first()
    assert version is not None
    assert (version.action, version.object_type, version.object_id) == (
        "update",
        "activity",
        activity.pk,
    )
    assert version.actor == world.users["pengurus.rw006"]
    assert version.changes == {
        "budget": [1_000_000, 1_200_000],
        "status": ["planned", "in_progress"],
        "percent": [0, 40],
    }


def test_saving_an_unchanged_activity_writes_no_version(world, plan, activity, client) -> None:
    as_user(client, world, "pengurus.rw006")
    url = f"/rencana/kegiatan/{activity.pk}/ubah/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("on" if v is True else "" if v in (None, False) else v) for k, v in data.items()}
    before = snapshot()
    assert client.post(url, data).status_code == 302
    assert snapshot() == before


@pytest.mark.parametrize("name", NOT_EDITORS)
def test_activity_edit_is_404_outside_scope_or_without_permission(
    world, plan, activity, client, name
) -> None:
    url = f"/rencana/kegiatan/{activity.pk}/ubah/"
    before = snapshot()
    assert status(client, world, name, url) == 404
    assert status(client, world, name, url, activity_post(title="Diubah")) == 404
    assert snapshot() == before


def test_responsible_volunteer_still_may_not_use_the_full_edit_form(
    world, plan, activity, client
) -> None:
    services.update_activity(
        actor=world.users["pengurus.rw006"],
        activity=activity,
        data={"responsible_user": "relawan.rw006"},
    )
    url = f"/rencana/kegiatan/{activity.pk}/ubah/"
    before = snapshot()
    assert status(client, world, "relawan.rw006", url, activity_post(budget="9")) == 404
    assert snapshot() == before
