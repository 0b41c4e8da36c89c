"""What a volunteer's task is about, named and linked ("Budi, RT 003", never "case #1633").

A task points at its subject through a generic foreign key that the volunteers app cannot
resolve (it knows neither health nor logistics). The home page composes them: the subjects of
a page of tasks are loaded with one query per kind of subject, through the access policy (a
subject out of the user's reach stays unnamed), whatever the number of tasks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.urls import reverse

from siaga.core import policy
from siaga.core.roles import Perm
from siaga.core.templatetags.siaga_ui import rt_label
from siaga.health.models import Case, Contact, Referral
from siaga.logistics.models import AidRequest
from siaga.registry.models import Household
from siaga.volunteers.models import Shift, Task


@dataclass(frozen=True)
class Subject:
    name: str
    url: str


@dataclass(frozen=True)
class _Kind:
    queryset: Callable[[], QuerySet[Any]]
    perm: Perm
    describe: Callable[[Any], Subject]


def _household_name(household: Household | None) -> str:
    if household is None:
        return ""
    head = household.head.name if household.head_id and household.head else household.address
    return f"{head}, {rt_label(household.rt.code)}"


KINDS: dict[type[Model], _Kind] = {
    Case: _Kind(
        lambda: Case.objects.select_related("resident", "rt"),
        Perm.HEALTH_VIEW,
        lambda c: Subject(
            f"{c.resident.name}, {rt_label(c.rt.code)}", reverse("health:case", args=[c.pk])
        ),
    ),
    Contact: _Kind(
        lambda: Contact.objects.select_related("resident", "rt"),
        Perm.HEALTH_VIEW,
        lambda c: Subject(
            f"{c.resident.name}, {rt_label(c.rt.code)}",
            reverse("health:case", args=[c.case_id]) if c.case_id else reverse("health:contacts"),
        ),
    ),
    Referral: _Kind(
        lambda: Referral.objects.select_related("resident", "rt"),
        Perm.HEALTH_VIEW,
        lambda r: Subject(
            f"{r.resident.name}, {rt_label(r.rt.code)}", reverse("health:referral", args=[r.pk])
        ),
    ),
    AidRequest: _Kind(
        lambda: AidRequest.objects.select_related("household__head", "household__rt"),
        Perm.LOGISTICS_VIEW,
        lambda a: Subject(_household_name(a.household), reverse("logistics:aid")),
    ),
    Household: _Kind(
        lambda: Household.objects.select_related("head", "rt"),
        Perm.REGISTRY_VIEW,
        lambda h: Subject(_household_name(h), reverse("registry:household_detail", args=[h.pk])),
    ),
    Shift: _Kind(
        lambda: Shift.objects.select_related("posko"),
        Perm.VOLUNTEER_VIEW,
        lambda s: Subject(
            f"{s.name}, {s.posko.name} ({s.day:%d/%m})", reverse("volunteers:shift", args=[s.pk])
        ),
    ),
}


def subjects_of(user: Any, tasks: list[Task]) -> dict[int, Subject]:
    """The named, linked subject of each task (by task id) that has one within reach."""
    wanted: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        if task.content_type_id and task.object_id:
            wanted[task.content_type_id].append(task)
    named: dict[int, Subject] = {}
    for content_type_id, group in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        kind = KINDS.get(model) if model is not None else None
        if kind is None:
            continue
        ids = {t.object_id for t in group}
        found = {
            obj.pk: kind.describe(obj)
            for obj in policy.scope(kind.queryset(), user, kind.perm).filter(pk__in=ids)
        }
        for task in group:
            if task.object_id in found:
                named[task.pk] = found[task.object_id]
    return named
