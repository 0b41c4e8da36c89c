"""A monitoring task is titled at read time, in the reader's language, naming whom to check
("Pantau pagi: Budi Santoso, RT 003 / RW 006"); it was stored once in the worker's language as
"Monitoring pagi: case #1633"."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone, translation

from siaga.api.tests.helpers import Api
from siaga.health import services as health_services
from siaga.health.tests.conftest import make_case
from siaga.volunteers import selectors
from siaga.volunteers import services as volunteers
from siaga.volunteers.models import Task


def _monitoring_task(world: Any, slot: str = "pagi") -> tuple[Task, str]:
    case = make_case(world, "rt003")
    with translation.override("en"):
        health_services.ensure_monitoring_tasks(day=timezone.localdate())
    task = Task.objects.get(kind="monitoring", source_key__endswith=f":{slot}")
    return task, f"{case.resident.name}, RT 003 / RW 006"


def test_a_monitoring_task_names_its_slot_and_subject_in_the_readers_language(world: Any) -> None:
    task, name = _monitoring_task(world)
    (shown,) = [t for t in selectors.tasks(world.users["pengurus.rw006"]) if t.pk == task.pk]
    with translation.override("en"):
        assert shown.display_title == f"Morning check: {name}"
    assert "#" not in shown.display_title and "case" not in shown.display_title
    assert shown.subject_url.endswith(f"/kasus/{task.object_id}/")


def test_the_task_pages_and_the_api_show_the_display_title(world: Any) -> None:
    task, name = _monitoring_task(world)
    volunteers.register_volunteer(
        actor=world.users["root"],
        rw=world.t["rw006"],
        name="Relawan Sehat",
        user=world.users["relawan.rw006"],
    )
    volunteers.take_task(actor=world.users["relawan.rw006"], task=task)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["relawan.rw006"])
    for url in ("/relawan/", "/relawan/tugas/", f"/relawan/tugas/{task.pk}/"):
        page = client.get(url).content.decode()
        assert f"Pantau pagi: {name}" in page, url  # the reader's language: Indonesian
        assert "case #" not in page, url
    api = Api(Client(HTTP_ACCEPT_LANGUAGE="en"), world)
    (item,) = [
        i
        for i in api.get("/api/v1/tasks?mine=true", "relawan.rw006").json()["items"]
        if i["id"] == task.pk
    ]
    assert item["title"] == f"Morning check: {name}"
    one = api.get(f"/api/v1/tasks/{task.pk}", "relawan.rw006").json()
    assert one["title"] == f"Morning check: {name}"
    done = api.post(f"/api/v1/tasks/{task.pk}/complete", "relawan.rw006", {"note": ""}).json()
    assert done["title"] == f"Morning check: {name}"


def test_a_subject_out_of_reach_stays_unnamed(world: Any) -> None:
    task, _name = _monitoring_task(world, "sore")
    task.subject_name = ""
    with translation.override("en"):
        assert task.display_title == "Afternoon check: RT 003 / RW 006"


def test_a_task_typed_by_people_keeps_its_title(world: Any) -> None:
    task = volunteers.create_task(
        actor=world.users["pengurus.rw006"],
        territory=world.t["rt003"],
        title="Antar masker ke pos jaga",
        kind="delivery",
    )
    (shown,) = [t for t in selectors.tasks(world.users["pengurus.rw006"]) if t.pk == task.pk]
    assert shown.display_title == "Antar masker ke pos jaga"
