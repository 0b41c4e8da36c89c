"""Health ↔ co-delivery hooks: an oximeter lent by the lumbung pangan makes a household meet the
home-isolation condition, and the monitoring worklist shows the volunteers' task of each due slot
(made by the scheduled job, one mechanism) in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from siaga.health import selectors
from siaga.health.tests.conftest import make_case
from siaga.logistics import services as logistics
from siaga.volunteers import services as volunteers
from siaga.volunteers.models import Task
from siaga.volunteers.tasks import monitoring_for_now


def _lend_oximeter(world: Any, *, lent_days_ago: int = 1, returned: bool = False) -> Any:
    root = world.users["root"]
    today = timezone.localdate()
    device = logistics.add_equipment(actor=root, rw=world.t["rw006"], kind="oximeter", label="OX-1")
    loan = logistics.lend(
        actor=root,
        equipment=device,
        household=world.households["rt003"],
        lent_on=today - dt.timedelta(days=lent_days_ago),
        due_on=today + dt.timedelta(days=10),
    )
    if returned:
        logistics.close_loan(actor=root, loan=loan, on=today - dt.timedelta(days=1))
    return loan


def test_without_an_oximeter_home_isolation_is_not_met(world: Any) -> None:
    case = make_case(world, separate_room=True, own_oximeter=False)
    assert "own_oximeter" in case.eligibility_unmet


def test_a_lent_oximeter_counts_as_the_households_own(world: Any) -> None:
    _lend_oximeter(world)
    case = make_case(world, separate_room=True, own_oximeter=False)
    assert "own_oximeter" not in case.eligibility_unmet


def test_a_returned_oximeter_no_longer_counts(world: Any) -> None:
    _lend_oximeter(world, lent_days_ago=5, returned=True)
    case = make_case(world, separate_room=True)
    assert "own_oximeter" in case.eligibility_unmet


def test_an_oximeter_lent_to_another_household_does_not_count(world: Any) -> None:
    _lend_oximeter(world)
    case = make_case(world, "rt004", separate_room=True)
    assert "own_oximeter" in case.eligibility_unmet


def test_worklist_shows_the_volunteer_task_of_each_due_slot(client: Any, world: Any) -> None:
    case = make_case(world)
    now = timezone.now()
    assert monitoring_for_now(now) == 2  # the scheduled job: pagi and sore of today
    data = selectors.worklist(world.users["pengurus.rw006"], now=now)
    (item,) = [i for i in data["items"] if i.kind == "case" and i.subject.pk == case.pk]
    assert item.task is not None and item.task.state == "baru"
    assert item.task.kind == "monitoring" and item.task.object_id == case.pk
    assert item.task.source_key.endswith(f":{data['slot']}")
    volunteers.register_volunteer(
        actor=world.users["root"],
        rw=world.t["rw006"],
        name="Relawan Sehat",
        user=world.users["relawan.rw006"],
    )
    volunteers.take_task(actor=world.users["relawan.rw006"], task=item.task)
    client.force_login(world.users["pengurus.rw006"])
    page = client.get("/kesehatan/")
    assert page.status_code == 200
    (shown,) = [i for i in page.context["items"] if i.subject.pk == case.pk]
    assert shown.task.state == "diambil" and shown.task.assignee.name == "Relawan Sehat"
    assert "Relawan Sehat" in page.content.decode()
    # The job run again makes nothing twice: one mechanism, one task per slot.
    assert monitoring_for_now(now) == 0
    assert Task.objects.filter(kind="monitoring").count() == 2


def test_worklist_task_lookup_is_one_query(world: Any, django_assert_max_num_queries: Any) -> None:
    for place in ("rt003", "rt004"):
        make_case(world, place)
    monitoring_for_now(timezone.now())
    user = world.users["pengurus.rw006"]
    with django_assert_max_num_queries(12) as captured:
        data = selectors.worklist(user)
        owners = [i.task.team for i in data["items"]]
    assert len(data["items"]) == 2 and all(i.task is not None for i in data["items"])
    assert owners == [None, None]  # no kesehatan team yet: the task waits unassigned
    task_queries = [q for q in captured.captured_queries if "volunteers_task" in q["sql"]]
    assert len(task_queries) == 1
