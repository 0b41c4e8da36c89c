"""Writes of the volunteers app: teams, volunteers, posko, rosters, swaps, check-in, screening
and tasks. Every write checks the access policy (out of scope: 404), runs in one transaction and
records its co-production contribution (co-delivery) with the actor group.

Rule-made tasks (``ensure_*``) run without an actor from the periodic jobs in ``tasks.py``; each
carries a ``source_key`` so a rule run twice makes each task once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.accounts.models import Membership, User
from siaga.core import audit, policy
from siaga.core.contributions import record_contribution
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditAction, Phase
from siaga.core.notifications import notify
from siaga.core.roles import Perm, Role
from siaga.registry.models import Resident
from siaga.territory.models import Level, Territory

from .models import (
    DEFAULT_WITHDRAW_CUTOFF_HOURS,
    OPEN_TASK_STATES,
    AssignmentState,
    CalendarToken,
    Posko,
    PoskoKind,
    Priority,
    Screening,
    Shift,
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
from .selectors import hash_calendar_token, missing_skills, roster_gaps

# ---------------------------------------------------------------- helpers


def rw_key(key: int) -> int:
    """The RW key of an RW or RT key."""
    return policy.ancestor_key(key, Level.RW)


def contribute(actor: Any, kind: str, territory_id: int, obj: models.Model | None) -> None:
    """Record a co-delivery act of a signed-in actor (rule-made work has no actor)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        record_contribution(
            actor=actor, phase=Phase.CO_DELIVERY, kind=kind, territory_id=territory_id, obj=obj
        )


def require_territory(actor: Any, perm: Perm, territory: Territory) -> None:
    if not policy.covers_territory(actor, perm, territory.pk):
        raise Http404("not found")


def _require_rw(territory: Territory) -> None:
    if territory.level != Level.RW:
        raise ValidationFailed.single("rw", _("Choose an RW."))


def pengurus_of(territory_key: int) -> list[User]:
    """The pengurus who can act on ``territory_key``: of its RW, or of the RT itself."""
    keys = {rw_key(territory_key), territory_key}
    user_ids = Membership.objects.filter(role=Role.PENGURUS, territory_id__in=keys).values(
        "user_id"
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def volunteer_of(user: Any, rw_id: int) -> Volunteer | None:
    """The active volunteer profile of ``user`` in this RW, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(
        user_id=user.pk, rw_id=rw_id, status=VolunteerStatus.ACTIVE
    ).first()


def _clean_skills(skills: Iterable[str]) -> list[str]:
    values = list(dict.fromkeys(skills))
    unknown = [s for s in values if s not in Skill.values]
    if unknown:
        raise ValidationFailed.single(
            "skills", _("Unknown skill: %(skill)s.") % {"skill": ", ".join(unknown)}
        )
    return values


# ---------------------------------------------------------------- teams and volunteers


@transaction.atomic
def create_team(
    *, actor: Any, rw: Territory, name: str, kind: str, coordinator: User | None = None
) -> Team:
    require_territory(actor, Perm.VOLUNTEER_MANAGE, rw)
    _require_rw(rw)
    name = name.strip()
    if not name:
        raise ValidationFailed.single("name", _("This field is required."))
    if kind not in TeamKind.values:
        raise ValidationFailed.single("kind", _("Choose a valid team kind."))
    if Team.objects.filter(rw=rw, name__iexact=name).exists():
        raise ValidationFailed.single("name", _("This RW already has a team with this name."))
    team = Team.objects.create(rw=rw, name=name, kind=kind, coordinator=coordinator)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=team, territory_id=rw.pk)
    contribute(actor, "volunteers.team", rw.pk, team)
    return team


@transaction.atomic
def register_volunteer(
    *,
    actor: Any,
    rw: Territory,
    name: str,
    phone: str = "",
    skills: Iterable[str] = (),
    availability: str = "",
    user: User | None = None,
    resident: Any = None,
    teams: Iterable[Team] = (),
) -> Volunteer:
    """A pengurus registers a volunteer (active at once)."""
    require_territory(actor, Perm.VOLUNTEER_MANAGE, rw)
    _require_rw(rw)
    if not name.strip():
        raise ValidationFailed.single("name", _("This field is required."))
    teams = list(teams)
    if any(team.rw_id != rw.pk for team in teams):
        raise ValidationFailed.single("teams", _("Choose teams of the same RW."))
    if user is not None and Volunteer.objects.filter(rw=rw, user=user).exists():
        raise ValidationFailed.single("user", _("This account already volunteers in this RW."))
    volunteer = Volunteer.objects.create(
        rw=rw,
        name=name.strip(),
        phone=phone,
        skills=_clean_skills(skills),
        availability=availability,
        user=user,
        resident=resident,
        status=VolunteerStatus.ACTIVE,
        approved_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    volunteer.teams.set(teams)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=volunteer, territory_id=rw.pk)
    contribute(actor, "volunteers.register", rw.pk, volunteer)
    return volunteer


@transaction.atomic
def offer_to_volunteer(
    *, actor: Any, skills: Iterable[str] = (), availability: str = "", phone: str = ""
) -> Volunteer:
    """A warga offers to volunteer in their own RW; a pengurus approves it."""
    places = policy.residence_places(actor)
    if not places or not policy.scope_for(actor, Perm.VOLUNTEER_JOIN).households:
        raise Http404("not found")
    resident_id, _rt, rw_id = places[0]
    resident = Resident.objects.get(pk=resident_id)
    existing = Volunteer.objects.filter(rw_id=rw_id, resident=resident).first()
    if existing is not None:
        raise ValidationFailed.single("__all__", _("You have already offered to volunteer."))
    volunteer = Volunteer.objects.create(
        rw_id=rw_id,
        user=actor,
        resident=resident,
        name=resident.name,
        phone=phone or resident.phone,
        skills=_clean_skills(skills),
        availability=availability,
        status=VolunteerStatus.PENDING,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=volunteer, territory_id=rw_id)
    contribute(actor, "volunteers.offer", rw_id, volunteer)
    return volunteer


@transaction.atomic
def approve_volunteer(*, actor: Any, volunteer: Volunteer, active: bool = True) -> Volunteer:
    policy.require(actor, Perm.VOLUNTEER_MANAGE, volunteer)
    before = volunteer.status
    volunteer.status = VolunteerStatus.ACTIVE if active else VolunteerStatus.INACTIVE
    volunteer.approved_by = actor
    volunteer.save(update_fields=["status", "approved_by"])
    if active and volunteer.user_id and volunteer.resident_id:
        # The warga can now see and work the RW's volunteer pages.
        user = User.objects.get(pk=volunteer.user_id)
        Membership.objects.get_or_create(user=user, territory_id=volunteer.rw_id, role=Role.RELAWAN)
        policy.forget(user)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=volunteer,
        territory_id=volunteer.rw_id,
        changes={"status": [before, volunteer.status]},
    )
    contribute(actor, "volunteers.approve", volunteer.rw_id, volunteer)
    return volunteer


@transaction.atomic
def set_teams(*, actor: Any, volunteer: Volunteer, teams: Iterable[Team]) -> Volunteer:
    policy.require(actor, Perm.VOLUNTEER_MANAGE, volunteer)
    teams = list(teams)
    if any(team.rw_id != volunteer.rw_id for team in teams):
        raise ValidationFailed.single("teams", _("Choose teams of the same RW."))
    volunteer.teams.set(teams)
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=volunteer, territory_id=volunteer.rw_id
    )
    return volunteer


# ---------------------------------------------------------------- posko, templates, roster


def _clean_posko(rw_id: int, name: str, kind: str, exclude: int | None = None) -> str:
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("Give the posko a name.")]
    elif len(name) > 100:
        errors["name"] = [_("Use at most 100 characters.")]
    elif Posko.objects.filter(rw_id=rw_id, name__iexact=name).exclude(pk=exclude or 0).exists():
        errors["name"] = [_("This RW already has a posko with this name.")]
    if kind not in PoskoKind.values:
        errors["kind"] = [_("Choose posko, entry post or public kitchen.")]
    if errors:
        raise ValidationFailed(errors)
    return name


@transaction.atomic
def create_posko(*, actor: Any, rw: Territory, name: str, kind: str = PoskoKind.POSKO) -> Posko:
    require_territory(actor, Perm.VOLUNTEER_MANAGE, rw)
    _require_rw(rw)
    name = _clean_posko(rw.pk, name, kind)
    posko = Posko.objects.create(rw=rw, name=name, kind=kind)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=posko, territory_id=rw.pk)
    contribute(actor, "volunteers.posko", rw.pk, posko)
    return posko


@transaction.atomic
def update_posko(*, actor: User, posko: Posko, name: str, kind: str) -> Posko:
    """Rename a posko or change its kind (its shifts and stock stay with it)."""
    policy.require(actor, Perm.VOLUNTEER_MANAGE, posko)
    posko = Posko.objects.select_for_update().get(pk=posko.pk)
    audit.audited_update(
        actor=actor,
        obj=posko,
        changes={"name": _clean_posko(posko.rw_id, name, kind, exclude=posko.pk), "kind": kind},
        territory_id=posko.rw_id,
    )
    contribute(actor, "volunteers.posko", posko.rw_id, posko)
    return posko


def _clean_template(
    posko: Posko,
    *,
    name: str,
    starts: dt.time | None,
    ends: dt.time | None,
    min_people: int | None,
    max_people: int | None,
    weekdays: Iterable[int],
    withdraw_cutoff_hours: int | None = DEFAULT_WITHDRAW_CUTOFF_HOURS,
    skill_requirements: Mapping[str, int] | None = None,
    exclude: int | None = None,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("Give the shift a name, e.g. pagi or malam.")]
    elif len(name) > 60:
        errors["name"] = [_("Use at most 60 characters.")]
    elif (
        ShiftTemplate.objects.filter(posko=posko, name__iexact=name)
        .exclude(pk=exclude or 0)
        .exists()
    ):
        errors["name"] = [_("This posko already has a shift with this name.")]
    _check_times_and_people(errors, starts, ends, min_people, max_people)
    try:
        days = sorted({int(d) for d in weekdays})
    except (TypeError, ValueError):
        days = [-1]
    if any(d not in range(7) for d in days):
        errors["weekdays"] = [_("Weekdays are 0 (Monday) to 6 (Sunday).")]
    if withdraw_cutoff_hours is None or not 0 <= withdraw_cutoff_hours <= 168:
        errors["withdraw_cutoff_hours"] = [
            _("The withdrawal cutoff is 0 to 168 hours (a week) before the start.")
        ]
    needs, skill_errors = _clean_skill_requirements(skill_requirements or {}, max_people)
    if skill_errors:
        errors["skill_requirements"] = skill_errors
    if errors:
        raise ValidationFailed(errors)
    return {
        "name": name,
        "starts": starts,
        "ends": ends,
        "min_people": min_people,
        "max_people": max_people,
        "weekdays": days,
        "withdraw_cutoff_hours": withdraw_cutoff_hours,
        "skill_requirements": needs,
    }


def _clean_skill_requirements(
    requirements: Mapping[str, Any], max_people: int | None
) -> tuple[dict[str, int], list[str]]:
    """{skill: count} with known skills and whole counts (0 drops the skill); the seats reserved
    for skills cannot outnumber the shift's maximum."""
    needs: dict[str, int] = {}
    errors: list[str] = []
    for skill, count in requirements.items():
        if skill not in Skill.values:
            errors.append(_("Unknown skill: %(skill)s.") % {"skill": skill})
            continue
        try:
            number = int(count)
        except (TypeError, ValueError):
            number = -1
        if number < 0 or number > 50:
            errors.append(
                _("Enter how many people with %(skill)s the shift needs (0 to 50).")
                % {"skill": Skill(skill).label}
            )
        elif number:
            needs[skill] = number
    if not errors and max_people is not None and sum(needs.values()) > max_people:
        errors.append(
            _("The shift needs more skilled people (%(needed)d) than it has places (%(max)d).")
            % {"needed": sum(needs.values()), "max": max_people}
        )
    return dict(sorted(needs.items())), errors


@transaction.atomic
def create_shift_template(
    *,
    actor: Any,
    posko: Posko,
    name: str,
    starts: dt.time | None,
    ends: dt.time | None,
    min_people: int | None = 2,
    max_people: int | None = 4,
    weekdays: Iterable[int] = (),
    active: bool = True,
    withdraw_cutoff_hours: int | None = DEFAULT_WITHDRAW_CUTOFF_HOURS,
    requires_confirmation: bool = False,
    skill_requirements: Mapping[str, int] | None = None,
) -> ShiftTemplate:
    """A recurring shift of a posko (e.g. pagi 06–14, 2–4 people); a night shift may end the
    next morning. ``withdraw_cutoff_hours``: volunteers may withdraw until this long before the
    start; ``requires_confirmation``: sign-ups wait for the pengurus; ``skill_requirements``:
    seats reserved for people with a skill ({"nakes": 1})."""
    policy.require(actor, Perm.VOLUNTEER_MANAGE, posko)
    cleaned = _clean_template(
        posko,
        name=name,
        starts=starts,
        ends=ends,
        min_people=min_people,
        max_people=max_people,
        weekdays=weekdays,
        withdraw_cutoff_hours=withdraw_cutoff_hours,
        skill_requirements=skill_requirements,
    )
    template = ShiftTemplate.objects.create(
        posko=posko,
        rw_id=posko.rw_id,
        active=active,
        requires_confirmation=requires_confirmation,
        **cleaned,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=template, territory_id=posko.rw_id)
    contribute(actor, "volunteers.shift_template", posko.rw_id, template)
    return template


@transaction.atomic
def update_shift_template(
    *,
    actor: User,
    template: ShiftTemplate,
    name: str,
    starts: dt.time | None,
    ends: dt.time | None,
    min_people: int | None,
    max_people: int | None,
    weekdays: Iterable[int] = (),
    active: bool = True,
    withdraw_cutoff_hours: int | None = DEFAULT_WITHDRAW_CUTOFF_HOURS,
    requires_confirmation: bool = False,
    skill_requirements: Mapping[str, int] | None = None,
) -> ShiftTemplate:
    """Change a shift template; shifts already on the roster keep their times (the cutoff, the
    confirmation flag and the skills needed apply to them from now on)."""
    policy.require(actor, Perm.VOLUNTEER_MANAGE, template)
    template = ShiftTemplate.objects.select_for_update().select_related("posko").get(pk=template.pk)
    cleaned = _clean_template(
        template.posko,
        name=name,
        starts=starts,
        ends=ends,
        min_people=min_people,
        max_people=max_people,
        weekdays=weekdays,
        withdraw_cutoff_hours=withdraw_cutoff_hours,
        skill_requirements=skill_requirements,
        exclude=template.pk,
    )
    audit.audited_update(
        actor=actor,
        obj=template,
        changes=cleaned | {"active": active, "requires_confirmation": requires_confirmation},
        fields=(
            "name",
            "starts",
            "ends",
            "min_people",
            "max_people",
            "weekdays",
            "active",
            "withdraw_cutoff_hours",
            "requires_confirmation",
            "skill_requirements",
        ),
        territory_id=template.rw_id,
    )
    contribute(actor, "volunteers.shift_template", template.rw_id, template)
    return template


def _check_times_and_people(
    errors: dict[str, list[str]],
    starts: dt.time | None,
    ends: dt.time | None,
    min_people: int | None,
    max_people: int | None,
) -> None:
    """The rules every shift's times and head counts follow (templates and one-off shifts)."""
    if starts is None:
        errors["starts"] = [_("Enter the start time, e.g. 06:00.")]
    if ends is None:
        errors["ends"] = [_("Enter the end time, e.g. 14:00.")]
    elif starts is not None and starts == ends:
        errors["ends"] = [_("A shift cannot end when it starts.")]
    if min_people is None or min_people < 1:
        errors["min_people"] = [_("At least one person.")]
    elif min_people > 50:
        errors["min_people"] = [_("At most 50 people.")]
    if max_people is None or max_people > 50:
        errors["max_people"] = [_("Enter the maximum number of people (at most 50).")]
    elif min_people is not None and max_people < min_people:
        errors["max_people"] = [_("The maximum cannot be below the minimum.")]


def _shift_times(day: dt.date, starts: dt.time, ends: dt.time) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, starts), tz)
    end_day = day if ends > starts else day + dt.timedelta(days=1)  # a night shift ends tomorrow
    return start, timezone.make_aware(dt.datetime.combine(end_day, ends), tz)


@transaction.atomic
def generate_roster(*, actor: Any, posko: Posko, start: dt.date, days: int) -> int:
    """Shifts from the posko's active templates for ``days`` days from ``start`` (idempotent)."""
    policy.require(actor, Perm.VOLUNTEER_MANAGE, posko)
    if not 1 <= days <= 92:
        raise ValidationFailed.single("days", _("Plan between 1 and 92 days ahead."))
    created = 0
    templates = list(posko.templates.filter(active=True))
    existing = set(
        Shift.objects.filter(
            template__in=templates, day__gte=start, day__lt=start + dt.timedelta(days=days)
        ).values_list("template_id", "day")
    )
    rows = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        for template in templates:
            if template.weekdays and day.weekday() not in template.weekdays:
                continue
            if (template.pk, day) in existing:
                continue
            starts_at, ends_at = _shift_times(day, template.starts, template.ends)
            rows.append(
                Shift(
                    posko=posko,
                    rw_id=posko.rw_id,
                    template=template,
                    name=template.name,
                    day=day,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    min_people=template.min_people,
                    max_people=template.max_people,
                )
            )
    Shift.objects.bulk_create(rows)
    created = len(rows)
    if created:
        contribute(actor, "volunteers.roster", posko.rw_id, posko)
    return created


def _acting_volunteer(actor: Any, rw_id: int, volunteer: Volunteer | None) -> Volunteer:
    """The volunteer an act is for: the actor's own profile, or (a coordinator) someone else."""
    if volunteer is None:
        own = volunteer_of(actor, rw_id)
        if own is None:
            raise ValidationFailed.single(
                "volunteer", _("You have no active volunteer profile in this RW.")
            )
        return own
    if volunteer.rw_id != rw_id:
        raise Http404("not found")
    if volunteer.user_id != getattr(actor, "pk", None) and not policy.covers_territory(
        actor, Perm.VOLUNTEER_MANAGE, rw_id
    ):
        raise Http404("not found")
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationFailed.single("volunteer", _("This volunteer is not active."))
    return volunteer


def _skill_labels(skills: Iterable[str]) -> str:
    return ", ".join(str(Skill(skill).label) for skill in skills)


def _check_seat(shift: Shift, person: Volunteer) -> None:
    """Refuse a seat when the shift is full, or when the free places are all reserved for
    skills this volunteer does not hold."""
    people = shift.assignments.filter(state=AssignmentState.CONFIRMED).count()
    if people >= shift.max_people:
        raise ValidationFailed.single("shift", _("This shift is full."))
    short = missing_skills([shift]).get(shift.pk, {})
    if not short or set(person.skills or ()) & set(short):
        return
    if shift.max_people - people <= sum(short.values()):
        raise ValidationFailed.single(
            "shift",
            _(
                "The places left on this shift are kept for volunteers with these skills: "
                "%(skills)s. Your profile does not list them; ask the pengurus."
            )
            % {"skills": _skill_labels(short)},
        )


def _shift_link(shift: Shift) -> str:
    return reverse("volunteers:shift", args=[shift.pk])


def _volunteer_user(volunteer: Volunteer) -> list[User]:
    if volunteer.user_id is None:
        return []
    return list(User.objects.filter(pk=volunteer.user_id, is_active=True))


def _shift_label(shift: Shift) -> str:
    local = timezone.localtime(shift.starts_at)
    return f"{shift.name} {local:%d-%m-%Y %H:%M} ({shift.posko.name})"


@transaction.atomic
def sign_up(*, actor: Any, shift: Shift, volunteer: Volunteer | None = None) -> ShiftAssignment:
    """Put a volunteer on a shift (self sign-up, or a coordinator putting a named volunteer on).

    On a shift whose template asks for confirmation a volunteer's own sign-up waits for the
    pengurus (state ``requested``; the pengurus are told); a coordinator's is confirmed at once.
    Seats kept for a skill (the template's ``skill_requirements``) go only to volunteers with it.
    """
    policy.require(actor, Perm.VOLUNTEER_WORK, shift)
    locked = (
        Shift.objects.select_for_update(of=("self",))
        .select_related("template", "posko")
        .get(pk=shift.pk)
    )
    person = _acting_volunteer(actor, locked.rw_id, volunteer)
    if locked.ends_at <= timezone.now():
        raise ValidationFailed.single("shift", _("This shift is over."))
    existing = locked.assignments.filter(volunteer=person).first()
    if existing is not None:
        if existing.state == AssignmentState.REQUESTED:
            raise ValidationFailed.single(
                "shift", _("Already asked for this shift; the pengurus will confirm.")
            )
        raise ValidationFailed.single("shift", _("Already signed up for this shift."))
    _check_seat(locked, person)
    by_manager = person.user_id != getattr(actor, "pk", None) and policy.covers_territory(
        actor, Perm.VOLUNTEER_MANAGE, locked.rw_id
    )
    waits = locked.requires_confirmation and not by_manager
    assignment = ShiftAssignment.objects.create(
        shift=locked,
        volunteer=person,
        state=AssignmentState.REQUESTED if waits else AssignmentState.CONFIRMED,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=assignment,
        territory_id=locked.rw_id,
        summary=f"{person.name}: {_shift_label(locked)}"[:255],
        changes={"state": [None, assignment.state]},
    )
    if waits:
        notify(
            recipients=pengurus_of(locked.rw_id),
            kind="shift_request",
            title=_("A volunteer asks to join %(shift)s") % {"shift": _shift_label(locked)},
            link=_shift_link(locked),
            territory_id=locked.rw_id,
        )
    elif by_manager:
        notify(
            recipients=_volunteer_user(person),
            kind="shift_assigned",
            title=_("You are on the shift %(shift)s") % {"shift": _shift_label(locked)},
            link=_shift_link(locked),
            territory_id=locked.rw_id,
        )
    contribute(actor, "volunteers.sign_up", locked.rw_id, assignment)
    return assignment


def _locked_assignment(assignment: ShiftAssignment) -> ShiftAssignment:
    return (
        ShiftAssignment.objects.select_for_update(of=("self",))
        .select_related("shift__posko", "shift__template", "volunteer")
        .get(pk=assignment.pk)
    )


def _delete_assignment(actor: Any, assignment: ShiftAssignment, why: str) -> None:
    shift = assignment.shift
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=assignment,
        territory_id=shift.rw_id,
        summary=f"{assignment.volunteer.name}: {_shift_label(shift)} ({why})"[:255],
    )
    assignment.delete()


@transaction.atomic
def withdraw(*, actor: Any, assignment: ShiftAssignment) -> Shift:
    """A volunteer gives up their own seat on a shift.

    Refused once checked in, and (for a confirmed seat) after the template's cutoff before the
    start. The pengurus of the RW are told; the seat is free again, so an under-staffed shift
    shows up among the roster gaps.
    """
    policy.require(actor, Perm.VOLUNTEER_WORK, assignment.shift)
    if assignment.volunteer.user_id != getattr(actor, "pk", None):
        raise Http404("not found")
    assignment = _locked_assignment(assignment)
    shift = assignment.shift
    if assignment.checked_in_at is not None:
        raise ValidationFailed.single(
            "__all__", _("You have checked in: you can no longer withdraw from this shift.")
        )
    now = timezone.now()
    if shift.starts_at <= now:
        raise ValidationFailed.single("__all__", _("This shift has already started."))
    cutoff = shift.withdraw_cutoff
    if assignment.state == AssignmentState.CONFIRMED and now >= cutoff:
        raise ValidationFailed.single(
            "__all__",
            _(
                "Withdrawals for this shift closed at %(cutoff)s. Ask for a swap, or tell "
                "the pengurus."
            )
            % {"cutoff": f"{timezone.localtime(cutoff):%d-%m-%Y %H:%M}"},
        )
    was_confirmed = assignment.state == AssignmentState.CONFIRMED
    _delete_assignment(actor, assignment, "withdrawn")
    people = shift.assignments.filter(state=AssignmentState.CONFIRMED).count()
    if was_confirmed:
        short = people < shift.min_people
        notify(
            recipients=pengurus_of(shift.rw_id),
            kind="shift_withdrawal",
            title=_("A volunteer withdrew from %(shift)s") % {"shift": _shift_label(shift)},
            body=_("%(people)d of at least %(min)d people remain.")
            % {"people": people, "min": shift.min_people}
            if short
            else "",
            link=_shift_link(shift),
            territory_id=shift.rw_id,
        )
    return shift


@transaction.atomic
def remove_from_shift(*, actor: Any, assignment: ShiftAssignment) -> Shift:
    """A pengurus takes a volunteer off a shift (no cutoff; refused once they checked in).
    The volunteer is told."""
    policy.require(actor, Perm.VOLUNTEER_MANAGE, assignment.shift)
    assignment = _locked_assignment(assignment)
    shift = assignment.shift
    if assignment.checked_in_at is not None:
        raise ValidationFailed.single(
            "volunteer", _("This volunteer has checked in and cannot be removed.")
        )
    volunteer = assignment.volunteer
    _delete_assignment(actor, assignment, "removed")
    notify(
        recipients=_volunteer_user(volunteer),
        kind="shift_removed",
        title=_("The pengurus took you off the shift %(shift)s") % {"shift": _shift_label(shift)},
        link=reverse("volunteers:my_schedule"),
        territory_id=shift.rw_id,
    )
    contribute(actor, "volunteers.roster_edit", shift.rw_id, shift)
    return shift


@transaction.atomic
def decide_sign_up(
    *, actor: Any, assignment: ShiftAssignment, confirm: bool
) -> ShiftAssignment | None:
    """A pengurus confirms or declines a requested seat; the volunteer is told. A declined
    request is removed (the volunteer may ask again). Returns the confirmed seat, or None."""
    policy.require(actor, Perm.VOLUNTEER_MANAGE, assignment.shift)
    shift = (  # the shift first, as sign_up locks it: one lock order
        Shift.objects.select_for_update(of=("self",))
        .select_related("template", "posko")
        .get(pk=assignment.shift_id)
    )
    assignment = _locked_assignment(assignment)
    if assignment.state != AssignmentState.REQUESTED:
        raise ValidationFailed.single("__all__", _("This sign-up was already decided."))
    volunteer = assignment.volunteer
    label = _shift_label(shift)
    if not confirm:
        _delete_assignment(actor, assignment, "declined")
        notify(
            recipients=_volunteer_user(volunteer),
            kind="shift_declined",
            title=_("Your request for %(shift)s was declined") % {"shift": label},
            link=reverse("volunteers:roster"),
            territory_id=shift.rw_id,
        )
        contribute(actor, "volunteers.sign_up_decision", shift.rw_id, shift)
        return None
    if shift.ends_at <= timezone.now():
        raise ValidationFailed.single("shift", _("This shift is over."))
    _check_seat(shift, volunteer)
    audit.audited_update(
        actor=actor,
        obj=assignment,
        changes={"state": AssignmentState.CONFIRMED},
        territory_id=shift.rw_id,
    )
    notify(
        recipients=_volunteer_user(volunteer),
        kind="shift_confirmed",
        title=_("You are confirmed for %(shift)s") % {"shift": label},
        link=_shift_link(shift),
        territory_id=shift.rw_id,
    )
    contribute(actor, "volunteers.sign_up_decision", shift.rw_id, assignment)
    return assignment


@transaction.atomic
def create_one_off_shift(
    *,
    actor: Any,
    posko: Posko,
    name: str,
    day: dt.date | None,
    starts: dt.time | None,
    ends: dt.time | None,
    min_people: int | None = 1,
    max_people: int | None = 4,
) -> Shift:
    """A shift for one day without a template (a kerja bakti, a vaccination day); an end before
    the start means the next morning."""
    policy.require(actor, Perm.VOLUNTEER_MANAGE, posko)
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("Give the shift a name, e.g. pagi or malam.")]
    elif len(name) > 60:
        errors["name"] = [_("Use at most 60 characters.")]
    if day is None:
        errors["day"] = [_("Enter the day of the shift.")]
    _check_times_and_people(errors, starts, ends, min_people, max_people)
    if not errors:
        assert day is not None and starts is not None and ends is not None
        starts_at, ends_at = _shift_times(day, starts, ends)
        if ends_at <= timezone.now():
            errors["day"] = [_("This shift would already be over; choose a later day or time.")]
    if errors:
        raise ValidationFailed(errors)
    assert day is not None and min_people is not None and max_people is not None
    shift = Shift.objects.create(
        posko=posko,
        rw_id=posko.rw_id,
        template=None,
        name=name,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        min_people=min_people,
        max_people=max_people,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=shift, territory_id=posko.rw_id)
    contribute(actor, "volunteers.one_off_shift", posko.rw_id, shift)
    return shift


# ---------------------------------------------------------------- personal calendar feed


@transaction.atomic
def issue_calendar_token(*, actor: User) -> str:
    """A new secret for the user's iCal feed (the old address stops working). Only its hash is
    kept: the raw token is returned once, to be shown in the feed's address."""
    if not Volunteer.objects.filter(user_id=actor.pk, status=VolunteerStatus.ACTIVE).exists():
        raise ValidationFailed.single("__all__", _("Only active volunteers have a shift calendar."))
    raw = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(
        user=actor,
        defaults={"token_hash": hash_calendar_token(raw), "created_at": timezone.now()},
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="volunteers.calendartoken",
        object_id=actor.pk,
        summary="calendar feed address issued",
    )
    return raw


@transaction.atomic
def revoke_calendar_token(*, actor: User) -> bool:
    """Stop the user's iCal feed; True when there was one."""
    deleted, _rows = CalendarToken.objects.filter(user_id=actor.pk).delete()
    if deleted:
        audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            object_type="volunteers.calendartoken",
            object_id=actor.pk,
            summary="calendar feed address revoked",
        )
    return bool(deleted)


@transaction.atomic
def request_swap(
    *, actor: Any, assignment: ShiftAssignment, to_volunteer: Volunteer, reason: str = ""
) -> SwapRequest:
    shift = assignment.shift
    policy.require(actor, Perm.VOLUNTEER_WORK, shift)
    if assignment.volunteer.user_id != actor.pk and not policy.covers_territory(
        actor, Perm.VOLUNTEER_MANAGE, shift.rw_id
    ):
        raise Http404("not found")
    if to_volunteer.rw_id != shift.rw_id or to_volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationFailed.single("to_volunteer", _("Choose an active volunteer of this RW."))
    if assignment.state != AssignmentState.CONFIRMED:
        raise ValidationFailed.single(
            "__all__", _("The pengurus has not confirmed you on this shift yet.")
        )
    if shift.assignments.filter(volunteer=to_volunteer).exists():
        raise ValidationFailed.single("to_volunteer", _("Already on this shift."))
    swap = SwapRequest.objects.create(
        assignment=assignment, rw_id=shift.rw_id, to_volunteer=to_volunteer, reason=reason
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=swap, territory_id=shift.rw_id)
    notify(
        recipients=pengurus_of(shift.rw_id),
        kind="swap_request",
        title=_("A swap is asked for %(shift)s") % {"shift": _shift_label(shift)},
        link=_shift_link(shift),
        territory_id=shift.rw_id,
    )
    contribute(actor, "volunteers.swap_request", shift.rw_id, swap)
    return swap


@transaction.atomic
def decide_swap(*, actor: Any, swap: SwapRequest, approve: bool) -> SwapRequest:
    policy.require(actor, Perm.VOLUNTEER_MANAGE, swap)
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.state != SwapState.PENDING:
        raise ValidationFailed.single("__all__", _("This request was already decided."))
    if approve:
        assignment = swap.assignment
        if assignment.shift.assignments.filter(volunteer=swap.to_volunteer).exists():
            raise ValidationFailed.single("to_volunteer", _("Already on this shift."))
        assignment.volunteer = swap.to_volunteer
        assignment.save(update_fields=["volunteer"])
    swap.state = SwapState.APPROVED if approve else SwapState.REJECTED
    swap.decided_by = actor
    swap.decided_at = timezone.now()
    swap.save(update_fields=["state", "decided_by", "decided_at"])
    contribute(actor, "volunteers.swap_decision", swap.rw_id, swap)
    return swap


def _own_assignment(actor: Any, assignment: ShiftAssignment) -> None:
    policy.require(actor, Perm.VOLUNTEER_WORK, assignment.shift)
    if assignment.volunteer.user_id != actor.pk and not policy.covers_territory(
        actor, Perm.VOLUNTEER_MANAGE, assignment.shift.rw_id
    ):
        raise Http404("not found")


@transaction.atomic
def check_in(
    *, actor: Any, assignment: ShiftAssignment, at: dt.datetime | None = None
) -> ShiftAssignment:
    _own_assignment(actor, assignment)
    if assignment.state == AssignmentState.REQUESTED:
        raise ValidationFailed.single(
            "__all__", _("The pengurus has not confirmed you on this shift yet.")
        )
    if assignment.checked_in_at is not None:
        raise ValidationFailed.single("__all__", _("Already checked in."))
    assignment.checked_in_at = at or timezone.now()
    assignment.save(update_fields=["checked_in_at"])
    contribute(actor, "volunteers.check_in", assignment.shift.rw_id, assignment)
    return assignment


@transaction.atomic
def check_out(
    *, actor: Any, assignment: ShiftAssignment, at: dt.datetime | None = None
) -> ShiftAssignment:
    _own_assignment(actor, assignment)
    at = at or timezone.now()
    if assignment.checked_in_at is None:
        raise ValidationFailed.single("__all__", _("Check in first."))
    if assignment.checked_out_at is not None:
        raise ValidationFailed.single("__all__", _("Already checked out."))
    if at < assignment.checked_in_at:
        raise ValidationFailed.single("at", _("Check-out cannot be before check-in."))
    assignment.checked_out_at = at
    assignment.save(update_fields=["checked_out_at"])
    contribute(actor, "volunteers.check_out", assignment.shift.rw_id, assignment)
    return assignment


@transaction.atomic
def record_screening(
    *,
    actor: Any,
    shift: Shift,
    temperature_c: Any = None,
    newcomer: bool = False,
    allowed: bool = True,
    note: str = "",
    at: dt.datetime | None = None,
) -> Screening:
    """One person screened at the entry post, recorded against the shift."""
    policy.require(actor, Perm.VOLUNTEER_WORK, shift)
    if temperature_c is not None and not 30 <= float(temperature_c) <= 45:
        raise ValidationFailed.single("temperature_c", _("Enter a temperature between 30 and 45."))
    screening = Screening.objects.create(
        shift=shift,
        rw_id=shift.rw_id,
        temperature_c=temperature_c,
        newcomer=newcomer,
        allowed=allowed,
        note=note,
        at=at or timezone.now(),
        recorded_by=actor,
    )
    contribute(actor, "volunteers.screening", shift.rw_id, screening)
    return screening


# ---------------------------------------------------------------- tasks


def _subject_fields(subject: models.Model | None) -> dict[str, Any]:
    if subject is None:
        return {"content_type": None, "object_id": None}
    return {
        "content_type": ContentType.objects.get_for_model(type(subject)),
        "object_id": subject.pk,
    }


def team_for(territory_key: int, kind: str) -> Team | None:
    """The first team of this kind in the RW of ``territory_key``."""
    return Team.objects.filter(rw_id=rw_key(territory_key), kind=kind).order_by("pk").first()


@transaction.atomic
def create_task(
    *,
    actor: Any,
    territory: Territory,
    title: str,
    kind: str = TaskKind.MANUAL,
    note: str = "",
    due_at: dt.datetime | None = None,
    priority: int = Priority.NORMAL,
    assignee: Volunteer | None = None,
    team: Team | None = None,
    subject: models.Model | None = None,
) -> Task:
    require_territory(actor, Perm.VOLUNTEER_MANAGE, territory)
    if territory.level < Level.RW:
        raise ValidationFailed.single("territory", _("Choose an RW or RT."))
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("This field is required.")]
    if kind not in TaskKind.values:
        errors["kind"] = [_("Choose a valid kind.")]
    if priority not in Priority.values:
        errors["priority"] = [_("Choose a valid priority.")]
    rw = rw_key(territory.pk)
    if assignee is not None and assignee.rw_id != rw:
        errors["assignee"] = [_("Choose a volunteer of this RW.")]
    if team is not None and team.rw_id != rw:
        errors["team"] = [_("Choose a team of this RW.")]
    if errors:
        raise ValidationFailed(errors)
    task = Task.objects.create(
        territory=territory,
        kind=kind,
        title=title.strip(),
        note=note,
        due_at=due_at,
        priority=priority,
        assignee=assignee,
        team=team,
        created_by=actor,
        **_subject_fields(subject),
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=task, territory_id=territory.pk)
    contribute(actor, "tasks.create", territory.pk, task)
    return task


def ensure_task(
    *,
    source_key: str,
    territory_id: int,
    kind: str,
    title: str,
    due_at: dt.datetime | None = None,
    priority: int = Priority.NORMAL,
    team_kind: str | None = None,
    subject: models.Model | None = None,
    note: str = "",
    created_at: dt.datetime | None = None,
) -> tuple[Task, bool]:
    """The rule-made task with this key, created once (safe under concurrent rule runs);
    ``created_at`` dates a task made for work already under way (a demo's past deliveries)."""
    existing = Task.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing, False
    team = team_for(territory_id, team_kind) if team_kind else None
    try:
        with transaction.atomic():
            task = Task.objects.create(
                source_key=source_key,
                territory_id=territory_id,
                kind=kind,
                title=title[:200],
                note=note,
                due_at=due_at,
                priority=priority,
                team=team,
                created_at=created_at or timezone.now(),
                **_subject_fields(subject),
            )
    except IntegrityError:
        return Task.objects.get(source_key=source_key), False
    return task, True


def _locked_task(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


@transaction.atomic
def take_task(*, actor: Any, task: Task) -> Task:
    policy.require(actor, Perm.VOLUNTEER_WORK, task)
    task = _locked_task(task)
    if task.state != TaskState.BARU:
        raise ValidationFailed.single("state", _("This task was already taken or closed."))
    volunteer = volunteer_of(actor, rw_key(task.territory_id))
    task.state = TaskState.DIAMBIL
    task.taken_by = actor
    task.taken_at = timezone.now()
    if volunteer is not None:
        task.assignee = volunteer
    task.save(update_fields=["state", "taken_by", "taken_at", "assignee"])
    contribute(actor, "tasks.take", task.territory_id, task)
    return task


def _close(actor: Any, task: Task, state: str, note: str) -> Task:
    task.state = state
    task.closed_at = timezone.now()
    task.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    fields = ["state", "closed_at", "closed_by"]
    if note:
        task.note = f"{task.note}\n{note}".strip()
        fields.append("note")
    task.save(update_fields=fields)
    return task


@transaction.atomic
def complete_task(*, actor: Any, task: Task, note: str = "") -> Task:
    policy.require(actor, Perm.VOLUNTEER_WORK, task)
    task = _locked_task(task)
    if task.state not in OPEN_TASK_STATES:
        raise ValidationFailed.single("state", _("This task is already closed."))
    if task.taken_by_id is None:
        task.taken_by = actor
        task.taken_at = timezone.now()
        task.save(update_fields=["taken_by", "taken_at"])
    _close(actor, task, TaskState.SELESAI, note)
    contribute(actor, "tasks.complete", task.territory_id, task)
    return task


@transaction.atomic
def cancel_task(*, actor: Any, task: Task, note: str = "") -> Task:
    policy.require(actor, Perm.VOLUNTEER_MANAGE, task)
    task = _locked_task(task)
    if task.state not in OPEN_TASK_STATES:
        raise ValidationFailed.single("state", _("This task is already closed."))
    _close(actor, task, TaskState.BATAL, note)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=task, territory_id=task.territory_id)
    return task


@transaction.atomic
def assign_task(
    *, actor: Any, task: Task, assignee: Volunteer | None = None, team: Team | None = None
) -> Task:
    """A coordinator reassigns a task to a volunteer and/or a team (back to state baru)."""
    policy.require(actor, Perm.VOLUNTEER_MANAGE, task)
    task = _locked_task(task)
    if task.state not in OPEN_TASK_STATES:
        raise ValidationFailed.single("state", _("This task is already closed."))
    rw = rw_key(task.territory_id)
    if assignee is not None and (assignee.rw_id != rw or assignee.status != "active"):
        raise ValidationFailed.single("assignee", _("Choose an active volunteer of this RW."))
    if team is not None and team.rw_id != rw:
        raise ValidationFailed.single("team", _("Choose a team of this RW."))
    task.assignee = assignee
    task.team = team
    task.state = TaskState.BARU
    task.taken_by = None
    task.taken_at = None
    task.save(update_fields=["assignee", "team", "state", "taken_by", "taken_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=task, territory_id=task.territory_id)
    contribute(actor, "tasks.assign", task.territory_id, task)
    return task


def close_rule_tasks(*, subject: models.Model, kinds: Iterable[str], actor: Any = None) -> int:
    """Close the open rule-made tasks about ``subject`` (the work was done elsewhere)."""
    content_type = ContentType.objects.get_for_model(type(subject))
    return Task.objects.filter(
        content_type=content_type,
        object_id=subject.pk,
        kind__in=list(kinds),
        state__in=OPEN_TASK_STATES,
    ).update(
        state=TaskState.SELESAI,
        closed_at=timezone.now(),
        closed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


# ---------------------------------------------------------------- rules


def close_rule_task(task: Task, *, done_by: Any = None, at: dt.datetime | None = None) -> Task:
    """Close a rule-made task whose work the rule saw done.

    ``done_by`` is the user who did the work (the volunteer who recorded the monitoring check):
    the task is theirs, taken and closed by them ``at`` the time of the work, with their
    volunteer profile in the task's RW as its assignee, so the Laporan Kinerja Relawan counts
    it. Without it the rule closes the task in its own name (a resident's self-report)."""
    if done_by is None or not getattr(done_by, "is_authenticated", False):
        return _close(None, task, TaskState.SELESAI, "")
    when = at or timezone.now()
    fields = ["state", "closed_at", "closed_by"]
    if task.taken_by_id is None:
        task.taken_by, task.taken_at = done_by, when
        fields += ["taken_by", "taken_at"]
    volunteer = volunteer_of(done_by, rw_key(task.territory_id))
    if volunteer is not None and task.assignee_id != volunteer.pk:
        task.assignee = volunteer
        fields.append("assignee")
    task.state, task.closed_at, task.closed_by = TaskState.SELESAI, when, done_by
    task.save(update_fields=fields)
    return task


def ensure_shift_gap_tasks(*, today: dt.date, days: int = 7) -> int:
    """A task for every under-staffed shift in the next ``days`` days."""
    created = 0
    for shift in roster_gaps(Shift.objects.all(), start=today, end=today + dt.timedelta(days=days)):
        _task, new = ensure_task(
            source_key=f"shift_gap:{shift.pk}",
            territory_id=shift.rw_id,
            kind=TaskKind.SHIFT_GAP,
            title=_("Shift %(name)s on %(day)s needs %(missing)s more people")
            % {
                "name": shift.name,
                "day": shift.day.isoformat(),
                "missing": shift.min_people - shift.people,  # type: ignore[attr-defined]
            },
            due_at=shift.starts_at,
            priority=Priority.HIGH,
            team_kind="keamanan",
            subject=shift,
        )
        created += int(new)
    return created


def escalate_overdue_tasks(*, now: dt.datetime | None = None) -> int:
    """Open tasks past their due time go once to the RW's pengurus (in-app inbox)."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        overdue = list(
            Task.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("territory")
            .filter(state__in=OPEN_TASK_STATES, due_at__lt=now, escalated_at__isnull=True)
        )
        for task in overdue:
            notify(
                recipients=pengurus_of(task.territory_id),
                kind="task_overdue",
                # Read as titled, unnamed (a notice may leave by WhatsApp): the place only.
                title=_("Task overdue: %(title)s") % {"title": task.display_title},
                link=reverse("volunteers:task", args=[task.pk]),
                territory_id=task.territory_id,
            )
            count += 1
        Task.objects.filter(pk__in=[t.pk for t in overdue]).update(escalated_at=now)
    return count
