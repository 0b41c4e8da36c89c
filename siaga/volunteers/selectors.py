"""Reads of the volunteers app, always through the access policy."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Model, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from siaga.core import policy
from siaga.core.policy import in_subtree
from siaga.core.roles import Perm
from siaga.core.templatetags.siaga_ui import rt_label
from siaga.registry.models import Household
from siaga.territory.models import Territory

from .models import (
    OPEN_TASK_STATES,
    AssignmentState,
    CalendarToken,
    Posko,
    Screening,
    Shift,
    ShiftAssignment,
    ShiftTemplate,
    SwapRequest,
    SwapState,
    Task,
    TaskState,
    Team,
    Volunteer,
    skills_label,
)

# People on a shift: confirmed seats only (a requested seat waits for the pengurus).
CONFIRMED_PEOPLE = Count("assignments", filter=Q(assignments__state=AssignmentState.CONFIRMED))


# ---------------------------------------------------------------- what a task is about


@dataclass(frozen=True)
class Subject:
    """What a task is about, named and linked ("Budi, RT 003 / RW 006", never "case #1633")."""

    name: str
    url: str
    detail: str = ""  # e.g. the package of an aid request


@dataclass(frozen=True)
class SubjectKind:
    queryset: Callable[[], QuerySet[Any]]
    perm: Perm
    describe: Callable[[Any], Subject]


# A task points at its subject through a generic foreign key; the volunteers app knows neither
# health nor logistics, so the apps above register how to load and name their models
# (their AppConfig.ready), and this app names its own and the registry's.
SUBJECT_KINDS: dict[type[Model], SubjectKind] = {}


def register_subject(
    model: type[Model],
    *,
    queryset: Callable[[], QuerySet[Any]],
    perm: Perm,
    describe: Callable[[Any], Subject],
) -> None:
    SUBJECT_KINDS[model] = SubjectKind(queryset, perm, describe)


def household_name(household: Household | None) -> str:
    if household is None:
        return ""
    head = household.head.name if household.head_id and household.head else household.address
    return f"{head}, {rt_label(household.rt.code)}"


def subjects_of(user: Any, tasks: list[Task]) -> dict[int, Subject]:
    """The named, linked subject of each task (by task id) that has one within the user's reach:
    one query per kind of subject, through the access policy, whatever the number of tasks."""
    wanted: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        if task.content_type_id and task.object_id:
            wanted[task.content_type_id].append(task)
    named: dict[int, Subject] = {}
    for content_type_id, group in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        kind = SUBJECT_KINDS.get(model) if model is not None else None
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


def name_tasks(user: Any, tasks: list[Task]) -> list[Task]:
    """Give each task its subject's name, link and detail as the user may see them (the
    ``display_title`` reads them); a subject out of reach stays unnamed."""
    named = subjects_of(user, tasks)
    for task in tasks:
        subject = named.get(task.pk)
        if subject is not None:
            task.subject_name, task.subject_url = subject.name, subject.url
            task.subject_detail = subject.detail
    return tasks


register_subject(
    Household,
    queryset=lambda: Household.objects.select_related("head", "rt"),
    perm=Perm.REGISTRY_VIEW,
    describe=lambda h: Subject(
        household_name(h), reverse("registry:household_detail", args=[h.pk])
    ),
)
register_subject(
    Shift,
    queryset=lambda: Shift.objects.select_related("posko"),
    perm=Perm.VOLUNTEER_VIEW,
    describe=lambda s: Subject(
        f"{s.name}, {s.posko.name} ({s.day:%d/%m})", reverse("volunteers:shift", args=[s.pk])
    ),
)


def _within(queryset: QuerySet[Any], field: str, territory: Territory | None) -> QuerySet[Any]:
    return queryset.filter(in_subtree(field, territory.bounds)) if territory else queryset


def areas(user: Any) -> list[Territory]:
    """The options of the area filter on the list pages: the kelurahan and RWs within reach
    that have volunteers, posko or teams (one query, whatever the scope), kelurahan first, each
    followed by its RWs."""
    within = [
        policy.scope(model.objects.all(), user, Perm.VOLUNTEER_VIEW).values("rw_id")
        for model in (Volunteer, Posko, Team)
    ]
    rws = list(
        Territory.objects.filter(Q(pk__in=within[0]) | Q(pk__in=within[1]) | Q(pk__in=within[2]))
        .select_related("parent")
        .order_by("id")
    )
    answer: list[Territory] = []
    kelurahan = None
    for rw in rws:
        if rw.parent is not None and rw.parent_id != kelurahan:
            kelurahan = rw.parent_id
            answer.append(rw.parent)
        answer.append(rw)
    return answer


def teams(user: Any, *, territory: Territory | None = None) -> QuerySet[Team]:
    queryset = policy.scope(
        Team.objects.select_related("rw", "coordinator").annotate(size=Count("members")),
        user,
        Perm.VOLUNTEER_VIEW,
    )
    return _within(queryset, "rw_id", territory)


def volunteers(
    user: Any, *, territory: Territory | None = None, status: str = ""
) -> QuerySet[Volunteer]:
    queryset = policy.scope(
        Volunteer.objects.select_related("rw").prefetch_related("teams"),
        user,
        Perm.VOLUNTEER_VIEW,
    )
    if status:
        queryset = queryset.filter(status=status)
    return _within(queryset, "rw_id", territory)


def volunteer_for_view(user: Any, pk: Any) -> Volunteer:
    return policy.get_or_404(
        Volunteer.objects.select_related("rw", "user"), user, Perm.VOLUNTEER_VIEW, pk=pk
    )


def volunteer_profile(volunteer: Volunteer) -> dict[str, Any]:
    """Hours served (checked-out shifts), tasks done, and recent activity."""
    assignments = list(
        ShiftAssignment.objects.filter(volunteer=volunteer)
        .select_related("shift", "shift__posko")
        .order_by("-shift__starts_at")
    )
    hours = round(sum(a.hours for a in assignments), 2)
    done = Task.objects.filter(
        Q(assignee=volunteer) | Q(taken_by_id=volunteer.user_id, taken_by__isnull=False),
        state=TaskState.SELESAI,
    )
    return {
        "hours": hours,
        "shifts": len(assignments),
        "tasks_done": done.count(),
        "recent_shifts": assignments[:10],
        "recent_tasks": list(done.select_related("territory").order_by("-closed_at")[:10]),
    }


def posko_list(user: Any, *, territory: Territory | None = None) -> QuerySet[Posko]:
    """Posko with their shift templates (one prefetch query)."""
    queryset = policy.scope(
        Posko.objects.select_related("rw").prefetch_related("templates"),
        user,
        Perm.VOLUNTEER_VIEW,
    )
    return _within(queryset, "rw_id", territory)


def posko_for_view(user: Any, pk: Any, perm: Perm = Perm.VOLUNTEER_VIEW) -> Posko:
    return policy.get_or_404(Posko.objects.select_related("rw"), user, perm, pk=pk)


def shift_templates(
    user: Any, *, posko: Posko | None = None, territory: Territory | None = None
) -> QuerySet[ShiftTemplate]:
    queryset = policy.scope(
        ShiftTemplate.objects.select_related("posko"), user, Perm.VOLUNTEER_VIEW
    )
    if posko is not None:
        queryset = queryset.filter(posko=posko)
    return _within(queryset, "rw_id", territory)


def shift_template_for_view(user: Any, pk: Any, perm: Perm = Perm.VOLUNTEER_VIEW) -> ShiftTemplate:
    return policy.get_or_404(ShiftTemplate.objects.select_related("posko"), user, perm, pk=pk)


def swaps(
    user: Any, *, territory: Territory | None = None, state: str = ""
) -> QuerySet[SwapRequest]:
    """Swap requests within reach, newest first (``state=pending``: what coordinators decide)."""
    queryset = policy.scope(
        SwapRequest.objects.select_related(
            "assignment__shift__posko", "assignment__volunteer", "to_volunteer", "decided_by"
        ),
        user,
        Perm.VOLUNTEER_VIEW,
    )
    if state:
        queryset = queryset.filter(state=state)
    return _within(queryset, "rw_id", territory).order_by("-created_at", "-id")


def shifts(
    user: Any,
    *,
    territory: Territory | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    posko: Posko | None = None,
) -> QuerySet[Shift]:
    """Shifts with ``people`` (signed up) and ``gap`` (people below the minimum) annotated."""
    queryset = policy.scope(
        Shift.objects.select_related("posko", "template").annotate(people=CONFIRMED_PEOPLE),
        user,
        Perm.VOLUNTEER_VIEW,
    )
    if start:
        queryset = queryset.filter(day__gte=start)
    if end:
        queryset = queryset.filter(day__lt=end)
    if posko is not None:
        queryset = queryset.filter(posko=posko)
    return _within(queryset, "rw_id", territory).order_by("starts_at", "posko_id")


def missing_skills(shifts: Iterable[Shift]) -> dict[int, dict[str, int]]:
    """{shift id: {skill: people still needed with it}} for the shifts whose template needs
    skills (one query for all of them). A confirmed volunteer counts once for each skill they
    hold."""
    needing = {s.pk: s.skill_requirements for s in shifts if s.skill_requirements}
    if not needing:
        return {}
    held: dict[int, Counter[str]] = {pk: Counter() for pk in needing}
    rows = ShiftAssignment.objects.filter(
        shift_id__in=list(needing), state=AssignmentState.CONFIRMED
    ).values_list("shift_id", "volunteer__skills")
    for shift_id, skills in rows:
        held[shift_id].update(set(skills or ()))
    answer: dict[int, dict[str, int]] = {}
    for pk, needs in needing.items():
        short = {skill: n - held[pk][skill] for skill, n in needs.items() if held[pk][skill] < n}
        if short:
            answer[pk] = short
    return answer


def mark_gaps(shifts: Iterable[Shift]) -> list[Shift]:
    """The shifts (annotated with ``people``) with ``missing_skills`` and ``is_gap`` set: a gap
    has fewer confirmed people than its minimum, or misses a skill its template needs."""
    items = list(shifts)
    short = missing_skills(items)
    for shift in items:
        shift.missing_skills = short.get(shift.pk, {})  # type: ignore[attr-defined]
        shift.missing_label = skills_label(shift.missing_skills)  # type: ignore[attr-defined]
        shift.is_gap = bool(  # type: ignore[attr-defined]
            shift.people < shift.min_people or shift.missing_skills  # type: ignore[attr-defined]
        )
    return items


def gap_ids(queryset: QuerySet[Shift]) -> list[int]:
    """The ids of the gaps among ``queryset`` (for a paginated list of gaps only)."""
    candidates = queryset.annotate(gap_people=CONFIRMED_PEOPLE).filter(
        Q(gap_people__lt=F("min_people"))
        | (Q(template__isnull=False) & ~Q(template__skill_requirements={}))
    )
    return [s.pk for s in mark_gaps(candidates.select_related("template")) if s.is_gap]  # type: ignore[attr-defined]


def roster_gaps(queryset: QuerySet[Shift], *, start: dt.date, end: dt.date) -> list[Shift]:
    """Shifts between ``start`` (inclusive) and ``end`` (exclusive) under their minimum or
    missing a needed skill, with ``people``, ``missing_skills`` and ``is_gap``."""
    shifts = (
        queryset.filter(day__gte=start, day__lt=end)
        .select_related("template")
        .annotate(people=CONFIRMED_PEOPLE)
        .order_by("starts_at")
    )
    return [s for s in mark_gaps(shifts) if s.is_gap]  # type: ignore[attr-defined]


def shift_for_view(user: Any, pk: Any, perm: Perm = Perm.VOLUNTEER_VIEW) -> Shift:
    return policy.get_or_404(Shift.objects.select_related("posko", "template"), user, perm, pk=pk)


def shift_detail(shift: Shift) -> dict[str, Any]:
    assignments = list(shift.assignments.select_related("volunteer").order_by("state", "id"))
    confirmed = [a for a in assignments if a.state == AssignmentState.CONFIRMED]
    shift.people = len(confirmed)  # type: ignore[attr-defined]
    mark_gaps([shift])
    return {
        "assignments": confirmed,
        "requested": [a for a in assignments if a.state == AssignmentState.REQUESTED],
        "screenings": Screening.objects.filter(shift=shift).aggregate(
            count=Count("id"),
            newcomers=Count("id", filter=Q(newcomer=True)),
            refused=Count("id", filter=Q(allowed=False)),
        ),
        "swaps": list(
            SwapRequest.objects.filter(assignment__shift=shift).select_related(
                "assignment__volunteer", "to_volunteer"
            )
        ),
    }


def pending_swaps(user: Any, *, territory: Territory | None = None) -> QuerySet[SwapRequest]:
    queryset = policy.scope(
        SwapRequest.objects.filter(state=SwapState.PENDING).select_related(
            "assignment__shift", "assignment__volunteer", "to_volunteer"
        ),
        user,
        Perm.VOLUNTEER_MANAGE,
    )
    return _within(queryset, "rw_id", territory)


def tasks(
    user: Any,
    *,
    territory: Territory | None = None,
    state: str = "",
    kind: str = "",
    team: Team | None = None,
    open_only: bool = False,
) -> QuerySet[Task]:
    queryset = policy.scope(
        Task.objects.select_related("territory", "assignee", "team", "taken_by").named_for(user),
        user,
        Perm.VOLUNTEER_VIEW,
    )
    if state:
        queryset = queryset.filter(state=state)
    if open_only:
        queryset = queryset.filter(state__in=OPEN_TASK_STATES)
    if kind:
        queryset = queryset.filter(kind=kind)
    if team is not None:
        queryset = queryset.filter(team=team)
    return _within(queryset, "territory_id", territory)


def my_tasks(user: Any) -> QuerySet[Task]:
    """Open tasks taken by or assigned to the user, then open unassigned tasks of their teams."""
    team_ids = Team.objects.filter(members__user_id=user.pk).values("pk")
    return (
        tasks(user, open_only=True)
        .filter(
            Q(taken_by_id=user.pk)
            | Q(assignee__user_id=user.pk)
            | Q(assignee__isnull=True, team_id__in=team_ids, state=TaskState.BARU)
        )
        .order_by(F("due_at").asc(nulls_last=True), "-priority", "id")
    )


def task_for_view(user: Any, pk: Any) -> Task:
    return policy.get_or_404(
        Task.objects.select_related("territory", "assignee", "team", "content_type").named_for(
            user
        ),
        user,
        Perm.VOLUNTEER_VIEW,
        pk=pk,
    )


def task_counts(queryset: QuerySet[Task], now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return queryset.aggregate(
        baru=Count("id", filter=Q(state=TaskState.BARU)),
        diambil=Count("id", filter=Q(state=TaskState.DIAMBIL)),
        overdue=Count("id", filter=Q(state__in=OPEN_TASK_STATES, due_at__lt=now)),
    )


def hours_by_volunteer(volunteers: QuerySet[Volunteer] | list[int]) -> dict[int, float]:
    """{volunteer id: hours checked in and out} for ``volunteers`` (a queryset or ids: the ids
    of one page keep the sum to that page)."""
    rows = (
        ShiftAssignment.objects.filter(
            volunteer__in=volunteers, checked_out_at__isnull=False, checked_in_at__isnull=False
        )
        .values("volunteer_id")
        .annotate(total=Sum(F("checked_out_at") - F("checked_in_at")))
    )
    return {r["volunteer_id"]: round(r["total"].total_seconds() / 3600, 1) for r in rows}


# ---------------------------------------------------------------- my schedule and calendar


def my_schedule(user: Any, *, now: dt.datetime | None = None) -> QuerySet[ShiftAssignment]:
    """The user's seats on shifts not yet over (confirmed and requested), soonest first, over
    every RW where they volunteer. Only active volunteer profiles count."""
    now = now or timezone.now()
    return (
        ShiftAssignment.objects.filter(
            volunteer__user_id=user.pk,
            volunteer__status="active",
            shift__ends_at__gt=now,
        )
        .select_related("shift__posko", "shift__template", "volunteer")
        .order_by("shift__starts_at", "shift_id")
    )


def hash_calendar_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def calendar_owner(raw: str) -> Any:
    """The user whose calendar feed this raw token opens, or None (unknown or revoked)."""
    if not raw or len(raw) > 100:
        return None
    token = (
        CalendarToken.objects.select_related("user")
        .filter(token_hash=hash_calendar_token(raw), user__is_active=True)
        .first()
    )
    return token.user if token else None


def has_calendar_token(user: Any) -> bool:
    return CalendarToken.objects.filter(user_id=user.pk).exists()


def my_shifts(user: Any, *, now: dt.datetime) -> QuerySet[ShiftAssignment]:
    """``my_schedule`` within the RWs where the user may still work (the home page's list)."""
    reachable = policy.scope(Shift.objects.all(), user, Perm.VOLUNTEER_WORK)
    return my_schedule(user, now=now).filter(shift__in=reachable)
