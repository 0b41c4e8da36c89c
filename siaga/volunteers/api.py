"""/api/v1 co-delivery people: volunteers, teams, shifts and tasks.

Everything is scoped by the access policy: rows outside the caller's territory answer 404 and
are never listed. Writes go through ``services`` exactly as the web pages do.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from siaga.accounts.models import User
from siaga.api.errors import ERRORS, invalid
from siaga.api.pagination import Page, PageQuery, paginate
from siaga.core import policy
from siaga.core.acting import acting_user
from siaga.core.roles import Perm
from siaga.territory.models import Territory
from siaga.territory.selectors import territory_param

from . import selectors, services
from .models import (
    DEFAULT_WITHDRAW_CUTOFF_HOURS,
    AssignmentState,
    Posko,
    PoskoKind,
    Priority,
    ShiftAssignment,
    ShiftTemplate,
    Skill,
    SwapRequest,
    SwapState,
    Task,
    TaskKind,
    TaskState,
    Team,
    TeamKind,
    Volunteer,
    VolunteerStatus,
)

router = Router(tags=["co-delivery: volunteers"])

MAX_ID = 2**63 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _enum(values: list[Any]) -> dict[str, Any]:
    return {"enum": values}


def territory_or_404(code: str) -> Territory:
    territory = Territory.objects.filter(code=code.strip()).first()
    if territory is None:
        raise Http404("not found")
    return territory


def _volunteer(user: Any, pk: int | None, perm: Perm = Perm.VOLUNTEER_VIEW) -> Volunteer | None:
    if pk is None:
        return None
    return policy.get_or_404(Volunteer.objects.all(), user, perm, pk=pk)


def _team(user: Any, pk: int | None) -> Team | None:
    if pk is None:
        return None
    return policy.get_or_404(Team.objects.all(), user, Perm.VOLUNTEER_VIEW, pk=pk)


# ---------------------------------------------------------------- schemas


class TeamOut(Schema):
    id: int
    rw: str
    name: str
    kind: str = Field(json_schema_extra=_enum(list(TeamKind.values)))
    coordinator: str | None

    @staticmethod
    def resolve_rw(obj: Team) -> str:
        return obj.rw.code

    @staticmethod
    def resolve_coordinator(obj: Team) -> str | None:
        return obj.coordinator.get_username() if obj.coordinator else None


class TeamIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rw: str = Field(description="Code of the RW.")
    name: str = Field(max_length=100)
    kind: str = Field(json_schema_extra=_enum(list(TeamKind.values)))
    coordinator: str | None = Field(None, description="Username of the coordinator.")


class VolunteerOut(Schema):
    id: int
    rw: str
    name: str
    username: str | None
    skills: list[str]
    availability: str
    status: str = Field(json_schema_extra=_enum(list(VolunteerStatus.values)))
    teams: list[int]

    @staticmethod
    def resolve_rw(obj: Volunteer) -> str:
        return obj.rw.code

    @staticmethod
    def resolve_username(obj: Volunteer) -> str | None:
        return obj.user.get_username() if obj.user_id and obj.user else None

    @staticmethod
    def resolve_teams(obj: Volunteer) -> list[int]:
        return [team.pk for team in obj.teams.all()]


class VolunteerDetailOut(VolunteerOut):
    hours: float
    shifts: int
    tasks_done: int


class VolunteerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rw: str = Field(description="Code of the RW.")
    name: str = Field(max_length=150)
    phone: str = Field("", max_length=20)
    skills: list[str] = Field(default_factory=list, json_schema_extra=_enum(list(Skill.values)))
    availability: str = Field("", max_length=255)
    username: str | None = Field(None, description="Link an existing account.")
    teams: list[BodyId] = Field(default_factory=list)


class OfferIn(Schema):
    model_config = ConfigDict(extra="forbid")
    skills: list[str] = Field(default_factory=list)
    availability: str = Field("", max_length=255)
    phone: str = Field("", max_length=20)


class ApproveIn(Schema):
    model_config = ConfigDict(extra="forbid")
    active: bool = True


class VolunteerQuery(PageQuery):
    territory: str = ""
    status: str = Field("", json_schema_extra=_enum(["", *VolunteerStatus.values]))


class ShiftOut(Schema):
    id: int
    posko: str
    name: str
    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    min_people: int
    max_people: int
    people: int = Field(description="Confirmed people (requested seats wait).")
    gap: bool = Field(
        description="Fewer people confirmed than the minimum, or a needed skill missing."
    )
    missing_skills: dict[str, int] = Field(
        description="Skills the template needs that the confirmed people do not cover yet."
    )
    one_off: bool = Field(description="A shift without a template, planned for one day.")
    withdraw_until: dt.datetime = Field(description="Volunteers may withdraw until then.")
    requires_confirmation: bool

    @staticmethod
    def resolve_posko(obj: Any) -> str:
        return obj.posko.name

    @staticmethod
    def resolve_gap(obj: Any) -> bool:
        if hasattr(obj, "is_gap"):
            return bool(obj.is_gap)
        return bool(obj.people < obj.min_people)

    @staticmethod
    def resolve_missing_skills(obj: Any) -> dict[str, int]:
        return dict(getattr(obj, "missing_skills", {}))

    @staticmethod
    def resolve_one_off(obj: Any) -> bool:
        return bool(obj.is_one_off)

    @staticmethod
    def resolve_withdraw_until(obj: Any) -> dt.datetime:
        return obj.withdraw_cutoff


class ShiftQuery(PageQuery):
    territory: str = ""
    start: dt.date | None = None
    end: dt.date | None = Field(None, description="Exclusive.")
    gaps: bool = Field(False, description="Only under-staffed shifts.")


class AssignmentOut(Schema):
    id: int
    shift: int
    volunteer: int
    state: str = Field(json_schema_extra=_enum(list(AssignmentState.values)))
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    hours: float

    @staticmethod
    def resolve_shift(obj: ShiftAssignment) -> int:
        return obj.shift_id

    @staticmethod
    def resolve_volunteer(obj: ShiftAssignment) -> int:
        return obj.volunteer_id


class SignUpIn(Schema):
    model_config = ConfigDict(extra="forbid")
    volunteer: BodyId | None = Field(None, description="A coordinator signs someone else up.")


class CheckIn(Schema):
    model_config = ConfigDict(extra="forbid")
    volunteer: BodyId | None = None


class ScreeningIn(Schema):
    model_config = ConfigDict(extra="forbid")
    temperature_c: float | None = Field(None, ge=30, le=45)
    newcomer: bool = False
    allowed: bool = True
    note: str = Field("", max_length=255)


class ScreeningOut(Schema):
    id: int
    shift: int
    at: dt.datetime
    temperature_c: float | None
    newcomer: bool
    allowed: bool

    @staticmethod
    def resolve_shift(obj: Any) -> int:
        return obj.shift_id


class TaskOut(Schema):
    id: int
    territory: str
    kind: str = Field(json_schema_extra=_enum(list(TaskKind.values)))
    title: str
    note: str
    state: str = Field(json_schema_extra=_enum(list(TaskState.values)))
    priority: int = Field(json_schema_extra=_enum(list(Priority.values)))
    due_at: dt.datetime | None
    overdue: bool
    assignee: int | None
    team: int | None
    taken_by: str | None
    about: str | None = Field(description="What the task is about, as app.model:id.")

    @staticmethod
    def resolve_territory(obj: Task) -> str:
        return obj.territory.code

    @staticmethod
    def resolve_title(obj: Task) -> str:
        return obj.display_title  # in the request's language, naming the subject

    @staticmethod
    def resolve_overdue(obj: Task) -> bool:
        return obj.overdue()

    @staticmethod
    def resolve_assignee(obj: Task) -> int | None:
        return obj.assignee_id

    @staticmethod
    def resolve_team(obj: Task) -> int | None:
        return obj.team_id

    @staticmethod
    def resolve_taken_by(obj: Task) -> str | None:
        return obj.taken_by.get_username() if obj.taken_by_id and obj.taken_by else None

    @staticmethod
    def resolve_about(obj: Task) -> str | None:
        if obj.content_type_id is None:
            return None
        from django.contrib.contenttypes.models import ContentType

        label = ContentType.objects.get_for_id(obj.content_type_id)
        return f"{label.app_label}.{label.model}:{obj.object_id}"


class TaskQuery(PageQuery):
    territory: str = ""
    state: str = Field("", json_schema_extra=_enum(["", *TaskState.values]))
    kind: str = Field("", json_schema_extra=_enum(["", *TaskKind.values]))
    team: int | None = Field(None, ge=1, le=MAX_ID)
    mine: bool = Field(False, description="Only my open tasks (taken, assigned, my teams').")


class TaskIn(Schema):
    model_config = ConfigDict(extra="forbid")
    territory: str = Field(description="Code of an RW or RT.")
    title: str = Field(max_length=200)
    kind: str = Field(TaskKind.MANUAL, json_schema_extra=_enum(list(TaskKind.values)))
    note: str = ""
    due_at: dt.datetime | None = None
    priority: int = Field(Priority.NORMAL, ge=1, le=4)
    assignee: BodyId | None = None
    team: BodyId | None = None


class TaskNoteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    note: str = ""


class AssignIn(Schema):
    model_config = ConfigDict(extra="forbid")
    assignee: BodyId | None = None
    team: BodyId | None = None


# ---------------------------------------------------------------- teams and volunteers


@router.get("/teams", response={200: Page[TeamOut], **ERRORS})
def list_teams(request: HttpRequest, filters: Query[VolunteerQuery]) -> dict[str, Any]:
    """Teams of the RWs within reach."""
    queryset = selectors.teams(
        request.user,
        territory=territory_param(request.user, Perm.VOLUNTEER_VIEW, filters.territory),
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/teams", response={201: TeamOut, **ERRORS})
def create_team(request: HttpRequest, payload: TeamIn) -> Status:
    """Add a team to an RW (pengurus and facilitators)."""
    coordinator = None
    if payload.coordinator:
        coordinator = User.objects.filter(username=payload.coordinator).first()
        if coordinator is None:
            raise invalid({"coordinator": [_("Unknown user.")]})
    team = services.create_team(
        actor=request.user,
        rw=territory_or_404(payload.rw),
        name=payload.name,
        kind=payload.kind,
        coordinator=coordinator,
    )
    return Status(201, team)


@router.get("/volunteers", response={200: Page[VolunteerOut], **ERRORS})
def list_volunteers(request: HttpRequest, filters: Query[VolunteerQuery]) -> dict[str, Any]:
    queryset = selectors.volunteers(
        request.user,
        territory=territory_param(request.user, Perm.VOLUNTEER_VIEW, filters.territory),
        status=filters.status,
    ).select_related("user")
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/volunteers", response={201: VolunteerOut, **ERRORS})
def create_volunteer(request: HttpRequest, payload: VolunteerIn) -> Status:
    """A pengurus registers a volunteer (active at once)."""
    rw = territory_or_404(payload.rw)
    user = None
    if payload.username:
        user = User.objects.filter(username=payload.username).first()
        if user is None:
            raise invalid({"username": [_("Unknown user.")]})
    teams = [_team(request.user, pk) for pk in payload.teams]
    volunteer = services.register_volunteer(
        actor=request.user,
        rw=rw,
        name=payload.name,
        phone=payload.phone,
        skills=payload.skills,
        availability=payload.availability,
        user=user,
        teams=[t for t in teams if t is not None],
    )
    return Status(201, volunteer)


@router.post("/volunteers/offer", response={201: VolunteerOut, **ERRORS})
def offer(request: HttpRequest, payload: OfferIn) -> Status:
    """A warga offers to volunteer in their own RW (a pengurus approves)."""
    volunteer = services.offer_to_volunteer(
        actor=request.user,
        skills=payload.skills,
        availability=payload.availability,
        phone=payload.phone,
    )
    return Status(201, volunteer)


@router.get("/volunteers/{volunteer_id}", response={200: VolunteerDetailOut, **ERRORS})
def get_volunteer(request: HttpRequest, volunteer_id: Id) -> dict[str, Any]:
    """A volunteer with hours served, shifts and tasks done."""
    volunteer = selectors.volunteer_for_view(request.user, volunteer_id)
    profile = selectors.volunteer_profile(volunteer)
    data = VolunteerOut.from_orm(volunteer).dict()
    return data | {k: profile[k] for k in ("hours", "shifts", "tasks_done")}


@router.post("/volunteers/{volunteer_id}/approve", response={200: VolunteerOut, **ERRORS})
def approve(request: HttpRequest, volunteer_id: Id, payload: ApproveIn) -> Volunteer:
    volunteer = selectors.volunteer_for_view(request.user, volunteer_id)
    return services.approve_volunteer(
        actor=request.user, volunteer=volunteer, active=payload.active
    )


# ---------------------------------------------------------------- shifts


@router.get("/shifts", response={200: Page[ShiftOut], **ERRORS})
def list_shifts(request: HttpRequest, filters: Query[ShiftQuery]) -> dict[str, Any]:
    """The roster; ``gaps=true`` lists only under-staffed shifts."""
    queryset = selectors.shifts(
        request.user,
        territory=territory_param(request.user, Perm.VOLUNTEER_VIEW, filters.territory),
        start=filters.start,
        end=filters.end,
    )
    if filters.gaps:
        queryset = queryset.filter(pk__in=selectors.gap_ids(queryset))
    page = paginate(queryset, filters.limit, filters.offset)
    page["items"] = selectors.mark_gaps(page["items"])
    return page


def _shift_out(request: HttpRequest, shift_id: int) -> Any:
    """The shift as the roster shows it now (people, gap, missing skills)."""
    return selectors.mark_gaps(selectors.shifts(request.user).filter(pk=shift_id))[0]


@router.post("/shifts/{shift_id}/signup", response={201: AssignmentOut, **ERRORS})
def sign_up(request: HttpRequest, shift_id: Id, payload: SignUpIn) -> Status:
    shift = selectors.shift_for_view(request.user, shift_id)
    volunteer = _volunteer(request.user, payload.volunteer)
    return Status(201, services.sign_up(actor=request.user, shift=shift, volunteer=volunteer))


def _assignment(
    request: HttpRequest,
    shift_id: int,
    volunteer_id: int | None,
    perm: Perm = Perm.VOLUNTEER_VIEW,
) -> ShiftAssignment:
    shift = selectors.shift_for_view(request.user, shift_id, perm)
    if volunteer_id is None:
        own = services.volunteer_of(request.user, shift.rw_id)
        volunteer_id = own.pk if own else None
    assignment = (
        ShiftAssignment.objects.select_related("shift__template", "shift__posko", "volunteer")
        .filter(shift=shift, volunteer_id=volunteer_id or 0)
        .first()
    )
    if assignment is None:
        raise Http404("not found")
    return assignment


@router.post("/shifts/{shift_id}/checkin", response={200: AssignmentOut, **ERRORS})
def check_in(request: HttpRequest, shift_id: Id, payload: CheckIn) -> Any:
    assignment = _assignment(request, shift_id, payload.volunteer)
    return services.check_in(actor=request.user, assignment=assignment)


@router.post("/shifts/{shift_id}/checkout", response={200: AssignmentOut, **ERRORS})
def check_out(request: HttpRequest, shift_id: Id, payload: CheckIn) -> Any:
    assignment = _assignment(request, shift_id, payload.volunteer)
    return services.check_out(actor=request.user, assignment=assignment)


class WithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")


class SeatIn(Schema):
    model_config = ConfigDict(extra="forbid")
    volunteer: BodyId


class SeatDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    volunteer: BodyId
    confirm: bool


class SeatDecisionOut(Schema):
    shift: int
    volunteer: int
    state: str = Field(json_schema_extra=_enum(["confirmed", "declined"]))


@router.post("/shifts/{shift_id}/withdraw", response={200: ShiftOut, **ERRORS})
def withdraw(request: HttpRequest, shift_id: Id, payload: WithdrawIn) -> Any:
    """Give up my seat on a shift: refused after check-in and after the template's cutoff
    (``withdraw_until``); the RW's pengurus are told and the seat is open again."""
    assignment = _assignment(request, shift_id, None)
    services.withdraw(actor=request.user, assignment=assignment)
    return _shift_out(request, shift_id)


@router.post("/shifts/{shift_id}/remove", response={200: ShiftOut, **ERRORS})
def remove_from_shift(request: HttpRequest, shift_id: Id, payload: SeatIn) -> Any:
    """A pengurus takes a named volunteer off the shift (they are told)."""
    assignment = _assignment(request, shift_id, payload.volunteer, Perm.VOLUNTEER_MANAGE)
    services.remove_from_shift(actor=request.user, assignment=assignment)
    return _shift_out(request, shift_id)


@router.post("/shifts/{shift_id}/decision", response={200: SeatDecisionOut, **ERRORS})
def decide_sign_up(request: HttpRequest, shift_id: Id, payload: SeatDecisionIn) -> Any:
    """A pengurus confirms or declines a volunteer's request for a seat (they are told)."""
    assignment = _assignment(request, shift_id, payload.volunteer, Perm.VOLUNTEER_MANAGE)
    seat = services.decide_sign_up(
        actor=request.user, assignment=assignment, confirm=payload.confirm
    )
    return {
        "shift": shift_id,
        "volunteer": payload.volunteer,
        "state": "confirmed" if seat is not None else "declined",
    }


class MyShiftOut(Schema):
    shift: int
    volunteer: int
    state: str = Field(json_schema_extra=_enum(list(AssignmentState.values)))
    posko: str
    name: str
    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    checked_in_at: dt.datetime | None
    withdraw_until: dt.datetime

    @staticmethod
    def resolve_shift(obj: ShiftAssignment) -> int:
        return obj.shift_id

    @staticmethod
    def resolve_volunteer(obj: ShiftAssignment) -> int:
        return obj.volunteer_id

    @staticmethod
    def resolve_posko(obj: ShiftAssignment) -> str:
        return obj.shift.posko.name

    @staticmethod
    def resolve_name(obj: ShiftAssignment) -> str:
        return obj.shift.name

    @staticmethod
    def resolve_day(obj: ShiftAssignment) -> dt.date:
        return obj.shift.day

    @staticmethod
    def resolve_starts_at(obj: ShiftAssignment) -> dt.datetime:
        return obj.shift.starts_at

    @staticmethod
    def resolve_ends_at(obj: ShiftAssignment) -> dt.datetime:
        return obj.shift.ends_at

    @staticmethod
    def resolve_withdraw_until(obj: ShiftAssignment) -> dt.datetime:
        return obj.shift.withdraw_cutoff


class CalendarOut(Schema):
    url: str = Field(description="The feed's secret address; shown only in this answer.")


@router.get("/me/shifts", response={200: Page[MyShiftOut], **ERRORS})
def my_shifts(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    """Jadwal saya: my upcoming shifts in every RW where I volunteer, soonest first."""
    return paginate(selectors.my_schedule(request.user), filters.limit, filters.offset)


@router.post("/me/calendar", response={201: CalendarOut, **ERRORS})
def issue_calendar(request: HttpRequest) -> Status:
    """Make (or make anew) the secret address of my iCal feed; the old one stops working."""
    raw = services.issue_calendar_token(actor=acting_user(request))
    url = request.build_absolute_uri(reverse("volunteers:calendar_feed", args=[raw]))
    return Status(201, {"url": url})


@router.delete("/me/calendar", response={204: None, **ERRORS})
def revoke_calendar(request: HttpRequest) -> Status:
    """Revoke my iCal feed's address."""
    services.revoke_calendar_token(actor=acting_user(request))
    return Status(204, None)


@router.post("/shifts/{shift_id}/screenings", response={201: ScreeningOut, **ERRORS})
def screening(request: HttpRequest, shift_id: Id, payload: ScreeningIn) -> Status:
    """One person screened at the entry post (temperature, newcomer, allowed in); no names."""
    shift = selectors.shift_for_view(request.user, shift_id)
    return Status(
        201,
        services.record_screening(
            actor=request.user,
            shift=shift,
            temperature_c=payload.temperature_c,
            newcomer=payload.newcomer,
            allowed=payload.allowed,
            note=payload.note,
        ),
    )


# ---------------------------------------------------------------- tasks


def _named(request: HttpRequest, task: Task) -> Task:
    """A task a service returned, its subject named for the reader (its ``title``)."""
    return selectors.name_tasks(request.user, [task])[0]


@router.get("/tasks", response={200: Page[TaskOut], **ERRORS})
def list_tasks(request: HttpRequest, filters: Query[TaskQuery]) -> dict[str, Any]:
    """Tasks within reach; ``mine=true`` is the mobile "my tasks" list."""
    if filters.mine:
        queryset = selectors.my_tasks(request.user)
    else:
        queryset = selectors.tasks(
            request.user,
            territory=territory_param(request.user, Perm.VOLUNTEER_VIEW, filters.territory),
            state=filters.state,
            kind=filters.kind,
            team=_team(request.user, filters.team),
        )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/tasks", response={201: TaskOut, **ERRORS})
def create_task(request: HttpRequest, payload: TaskIn) -> Status:
    task = services.create_task(
        actor=request.user,
        territory=territory_or_404(payload.territory),
        title=payload.title,
        kind=payload.kind,
        note=payload.note,
        due_at=payload.due_at,
        priority=payload.priority,
        assignee=_volunteer(request.user, payload.assignee),
        team=_team(request.user, payload.team),
    )
    return Status(201, task)


@router.get("/tasks/{task_id}", response={200: TaskOut, **ERRORS})
def get_task(request: HttpRequest, task_id: Id) -> Task:
    return selectors.task_for_view(request.user, task_id)


@router.post("/tasks/{task_id}/take", response={200: TaskOut, **ERRORS})
def take_task(request: HttpRequest, task_id: Id) -> Task:
    task = selectors.task_for_view(request.user, task_id)
    return _named(request, services.take_task(actor=request.user, task=task))


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **ERRORS})
def complete_task(request: HttpRequest, task_id: Id, payload: TaskNoteIn) -> Task:
    task = selectors.task_for_view(request.user, task_id)
    return _named(request, services.complete_task(actor=request.user, task=task, note=payload.note))


@router.post("/tasks/{task_id}/cancel", response={200: TaskOut, **ERRORS})
def cancel_task(request: HttpRequest, task_id: Id, payload: TaskNoteIn) -> Task:
    task = selectors.task_for_view(request.user, task_id)
    return _named(request, services.cancel_task(actor=request.user, task=task, note=payload.note))


@router.post("/tasks/{task_id}/assign", response={200: TaskOut, **ERRORS})
def assign_task(request: HttpRequest, task_id: Id, payload: AssignIn) -> Task:
    """A coordinator reassigns a task to a volunteer and/or a team queue."""
    task = selectors.task_for_view(request.user, task_id)
    task = services.assign_task(
        actor=request.user,
        task=task,
        assignee=_volunteer(request.user, payload.assignee),
        team=_team(request.user, payload.team),
    )
    return _named(request, task)


# ---------------------------------------------------------------- posko, shift templates, roster


class PoskoOut(Schema):
    id: int
    rw: str
    name: str
    kind: str = Field(json_schema_extra=_enum(list(PoskoKind.values)))

    @staticmethod
    def resolve_rw(obj: Posko) -> str:
        return obj.rw.code


class PoskoIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rw: str = Field(description="Code of the RW.")
    name: str = Field(max_length=100)
    kind: str = Field(PoskoKind.POSKO, json_schema_extra=_enum(list(PoskoKind.values)))


class PoskoPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=100)
    kind: str | None = Field(None, json_schema_extra=_enum(list(PoskoKind.values)))


class ShiftTemplateOut(Schema):
    id: int
    posko: int
    name: str
    starts: dt.time
    ends: dt.time
    min_people: int
    max_people: int
    weekdays: list[int] = Field(description="0 = Monday … 6 = Sunday; empty = every day.")
    active: bool
    withdraw_cutoff_hours: int
    requires_confirmation: bool
    skill_requirements: dict[str, int]

    @staticmethod
    def resolve_posko(obj: ShiftTemplate) -> int:
        return obj.posko_id


class ShiftTemplateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=60, examples=["pagi"])
    starts: dt.time = Field(examples=["06:00"])
    ends: dt.time = Field(examples=["14:00"], description="Before ``starts``: ends next day.")
    min_people: int = Field(2, ge=1, le=50)
    max_people: int = Field(4, ge=1, le=50)
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(default_factory=list)
    active: bool = True
    withdraw_cutoff_hours: int = Field(
        DEFAULT_WITHDRAW_CUTOFF_HOURS,
        ge=0,
        le=168,
        description="Volunteers may withdraw until this many hours before the start.",
    )
    requires_confirmation: bool = Field(
        False, description="Sign-ups wait for the pengurus to confirm."
    )
    skill_requirements: dict[str, int] = Field(
        default_factory=dict,
        description='Seats kept for a skill, e.g. {"nakes": 1}.',
        examples=[{"nakes": 1}],
    )


class ShiftTemplatePatch(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=60)
    starts: dt.time | None = None
    ends: dt.time | None = None
    min_people: int | None = Field(None, ge=1, le=50)
    max_people: int | None = Field(None, ge=1, le=50)
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] | None = None
    active: bool | None = None
    withdraw_cutoff_hours: int | None = Field(None, ge=0, le=168)
    requires_confirmation: bool | None = None
    skill_requirements: dict[str, int] | None = None


class OneOffShiftIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=60, examples=["vaksinasi"])
    day: dt.date
    starts: dt.time = Field(examples=["08:00"])
    ends: dt.time = Field(examples=["12:00"], description="Before ``starts``: ends next day.")
    min_people: int = Field(1, ge=1, le=50)
    max_people: int = Field(4, ge=1, le=50)


class RosterIn(Schema):
    model_config = ConfigDict(extra="forbid")
    weeks: int = Field(4, ge=1, le=12, description="How many weeks ahead.")
    start: dt.date | None = Field(None, description="First day; default today.")


class RosterOut(Schema):
    posko: int
    start: dt.date
    days: int
    created: int = Field(description="Shifts added (days already planned are kept).")


class PoskoQuery(PageQuery):
    territory: str = ""


@router.get("/posko", response={200: Page[PoskoOut], **ERRORS})
def list_posko(request: HttpRequest, filters: Query[PoskoQuery]) -> dict[str, Any]:
    """The posko, entry posts and public kitchens within reach."""
    queryset = selectors.posko_list(
        request.user,
        territory=territory_param(request.user, Perm.VOLUNTEER_VIEW, filters.territory),
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/posko", response={201: PoskoOut, **ERRORS})
def create_posko(request: HttpRequest, payload: PoskoIn) -> Status:
    """Add a posko to an RW (pengurus and facilitators)."""
    return Status(
        201,
        services.create_posko(
            actor=request.user,
            rw=territory_or_404(payload.rw),
            name=payload.name,
            kind=payload.kind,
        ),
    )


@router.patch("/posko/{posko_id}", response={200: PoskoOut, **ERRORS})
def update_posko(request: HttpRequest, posko_id: Id, payload: PoskoPatch) -> Posko:
    posko = selectors.posko_for_view(request.user, posko_id)
    return services.update_posko(
        actor=acting_user(request),
        posko=posko,
        name=posko.name if payload.name is None else payload.name,
        kind=payload.kind or posko.kind,
    )


@router.get("/posko/{posko_id}/shift-templates", response={200: list[ShiftTemplateOut], **ERRORS})
def list_shift_templates(request: HttpRequest, posko_id: Id) -> Any:
    posko = selectors.posko_for_view(request.user, posko_id)
    return list(selectors.shift_templates(request.user, posko=posko))


@router.post("/posko/{posko_id}/shift-templates", response={201: ShiftTemplateOut, **ERRORS})
def create_shift_template(request: HttpRequest, posko_id: Id, payload: ShiftTemplateIn) -> Status:
    """A recurring shift of the posko (e.g. pagi 06:00–14:00, 2–4 people)."""
    posko = selectors.posko_for_view(request.user, posko_id)
    return Status(
        201, services.create_shift_template(actor=request.user, posko=posko, **payload.dict())
    )


@router.patch("/shift-templates/{template_id}", response={200: ShiftTemplateOut, **ERRORS})
def update_shift_template(
    request: HttpRequest, template_id: Id, payload: ShiftTemplatePatch
) -> ShiftTemplate:
    template = selectors.shift_template_for_view(request.user, template_id)
    current = {
        "name": template.name,
        "starts": template.starts,
        "ends": template.ends,
        "min_people": template.min_people,
        "max_people": template.max_people,
        "weekdays": template.weekdays,
        "active": template.active,
        "withdraw_cutoff_hours": template.withdraw_cutoff_hours,
        "requires_confirmation": template.requires_confirmation,
        "skill_requirements": template.skill_requirements,
    }
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    return services.update_shift_template(
        actor=acting_user(request), template=template, **(current | changes)
    )


@router.post("/posko/{posko_id}/shifts", response={201: ShiftOut, **ERRORS})
def create_one_off_shift(request: HttpRequest, posko_id: Id, payload: OneOffShiftIn) -> Status:
    """A one-off shift of the posko for one day (no template)."""
    posko = selectors.posko_for_view(request.user, posko_id)
    shift = services.create_one_off_shift(actor=request.user, posko=posko, **payload.dict())
    return Status(201, _shift_out(request, shift.pk))


@router.post("/posko/{posko_id}/roster", response={201: RosterOut, **ERRORS})
def generate_roster(request: HttpRequest, posko_id: Id, payload: RosterIn) -> Status:
    """Shifts from the posko's active templates for ``weeks`` weeks (idempotent)."""
    posko = selectors.posko_for_view(request.user, posko_id)
    start = payload.start or timezone.localdate()
    days = payload.weeks * 7
    created = services.generate_roster(actor=request.user, posko=posko, start=start, days=days)
    return Status(201, {"posko": posko.pk, "start": start, "days": days, "created": created})


# ---------------------------------------------------------------- swaps


class SwapOut(Schema):
    id: int
    shift: int
    shift_day: dt.date
    shift_name: str
    posko: str
    from_volunteer: int
    from_name: str
    to_volunteer: int
    to_name: str
    reason: str
    state: str = Field(json_schema_extra=_enum(list(SwapState.values)))
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_shift(obj: SwapRequest) -> int:
        return obj.assignment.shift_id

    @staticmethod
    def resolve_shift_day(obj: SwapRequest) -> dt.date:
        return obj.assignment.shift.day

    @staticmethod
    def resolve_shift_name(obj: SwapRequest) -> str:
        return obj.assignment.shift.name

    @staticmethod
    def resolve_posko(obj: SwapRequest) -> str:
        return obj.assignment.shift.posko.name

    @staticmethod
    def resolve_from_volunteer(obj: SwapRequest) -> int:
        return obj.assignment.volunteer_id

    @staticmethod
    def resolve_from_name(obj: SwapRequest) -> str:
        return obj.assignment.volunteer.name

    @staticmethod
    def resolve_to_volunteer(obj: SwapRequest) -> int:
        return obj.to_volunteer_id

    @staticmethod
    def resolve_to_name(obj: SwapRequest) -> str:
        return obj.to_volunteer.name

    @staticmethod
    def resolve_decided_by(obj: SwapRequest) -> str | None:
        return obj.decided_by.get_username() if obj.decided_by_id and obj.decided_by else None


class SwapQuery(PageQuery):
    territory: str = ""
    state: str = Field("", json_schema_extra=_enum(["", *SwapState.values]))


class SwapIn(Schema):
    model_config = ConfigDict(extra="forbid")
    to_volunteer: BodyId
    volunteer: BodyId | None = Field(None, description="A coordinator asks for someone else.")
    reason: str = Field("", max_length=255)


class SwapDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    approve: bool


@router.get("/swaps", response={200: Page[SwapOut], **ERRORS})
def list_swaps(request: HttpRequest, filters: Query[SwapQuery]) -> dict[str, Any]:
    """Swap requests within reach, newest first; ``state=pending`` is what coordinators decide."""
    queryset = selectors.swaps(
        request.user,
        territory=territory_param(request.user, Perm.VOLUNTEER_VIEW, filters.territory),
        state=filters.state,
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/shifts/{shift_id}/swap", response={201: SwapOut, **ERRORS})
def request_swap(request: HttpRequest, shift_id: Id, payload: SwapIn) -> Status:
    """Ask to hand my place on a shift to another volunteer (the coordinator decides)."""
    assignment = _assignment(request, shift_id, payload.volunteer)
    target = _volunteer(request.user, payload.to_volunteer)
    assert target is not None
    swap = services.request_swap(
        actor=request.user, assignment=assignment, to_volunteer=target, reason=payload.reason
    )
    return Status(201, selectors.swaps(request.user).get(pk=swap.pk))


@router.post("/swaps/{swap_id}/decide", response={200: SwapOut, **ERRORS})
def decide_swap(request: HttpRequest, swap_id: Id, payload: SwapDecisionIn) -> Any:
    """A coordinator approves or rejects a swap request."""
    swap = policy.get_or_404(
        SwapRequest.objects.all(), request.user, Perm.VOLUNTEER_MANAGE, pk=swap_id
    )
    services.decide_swap(actor=request.user, swap=swap, approve=payload.approve)
    return selectors.swaps(request.user).get(pk=swap.pk)
