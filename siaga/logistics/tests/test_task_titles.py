"""Aid tasks are titled at read time, naming the household and the package ("Deliver Sembako
harian: Budi, RT 003 / RW 006"), never "aid request #12"; a page of tasks names its subjects in
a fixed number of queries, one per kind of subject."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from siaga.health import services as health_services
from siaga.logistics import services
from siaga.volunteers import selectors
from siaga.volunteers.models import Task

from .conftest import Lumbung, make_case


def _titles(world: Any) -> dict[str, str]:
    shown = selectors.tasks(world.users["pengurus.rw006"])
    return {t.source_key: t.display_title for t in shown}


def test_aid_tasks_name_the_household_and_the_package(world: Any, lumbung: Lumbung) -> None:
    aid = services.request_aid(
        actor=world.users["relawan.rw006"], household=world.households["rt003"]
    )
    head = f"{world.residents['rt003'].name}, RT 003 / RW 006"
    make_case(world, "rt003")
    late = timezone.now() + dt.timedelta(hours=30)
    services.flag_undelivered(now=late)
    (flag,) = Task.objects.filter(kind="undelivered")
    titles = _titles(world)
    assert titles[f"aid:{aid.pk}"] == f"Deliver Sembako harian: {head}"
    assert titles[flag.source_key] == f"No aid for over 24 hours: {head}"
    assert all("#" not in title for title in titles.values())


def test_a_page_of_tasks_names_its_subjects_in_flat_queries(world: Any, lumbung: Lumbung) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            shown = list(selectors.tasks(world.users["pengurus.rw006"]))
        assert all(t.subject_name for t in shown if t.source_key)
        return len(captured.captured_queries)

    make_case(world, "rt003")
    health_services.ensure_monitoring_tasks(day=timezone.localdate())
    services.request_aid(actor=world.users["root"], household=world.households["rt003"])
    count()  # the user's memberships, read once
    few = count()
    assert few == 3  # the tasks, then one query per kind of subject (cases, aid requests)
    for place in ("rt004",):
        make_case(world, place)
        services.request_aid(actor=world.users["root"], household=world.households[place])
    health_services.ensure_monitoring_tasks(day=timezone.localdate())
    assert Task.objects.count() >= 6
    assert count() == few
