"""Health → volunteers: the monitoring worklist shows the volunteers' task of each due slot (made
by the scheduled job, one mechanism) in a fixed number of queries. (The lent oximeter, which
logistics hands to health's rule, is tested in ``siaga/logistics/tests``.)"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from siaga.health import selectors
from siaga.health import services as health_services
from siaga.health.tasks import monitoring_for_now
from siaga.health.tests.conftest import make_case
from siaga.volunteers import services as volunteers
from siaga.volunteers.models import Task


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


def test_monitoring_worklist_becomes_tasks(world: Any) -> None:
    volunteers.create_team(
        actor=world.users["root"], rw=world.t["rw006"], name="Kesehatan", kind="kesehatan"
    )
    case = make_case(world, "rt003")
    today = timezone.localdate()
    assert health_services.ensure_monitoring_tasks(day=today) == 2
    assert health_services.ensure_monitoring_tasks(day=today) == 0
    tasks = Task.objects.filter(kind="monitoring").order_by("due_at")
    assert [t.team.kind for t in tasks if t.team] == ["kesehatan", "kesehatan"]
    assert all(t.subject == case for t in tasks)
    health_services.record_monitoring(
        actor=world.users["relawan.rw006"],
        case=case,
        data={"temperature_c": "36.8", "spo2": 98, "respiratory_rate": 18, "method": "kunjungan"},
    )
    health_services.ensure_monitoring_tasks(day=today)
    states = sorted(Task.objects.filter(kind="monitoring").values_list("state", flat=True))
    assert states == ["baru", "selesai"]
