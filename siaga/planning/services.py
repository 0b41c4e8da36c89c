"""Writes of co-design: plans, activities (versioned), progress, meetings, comments.

Every change to a plan or one of its activities writes a ``PlanVersion`` row in the same
transaction (who, when, which fields from what to what); the plan row's ``version`` counter is
bumped with an UPDATE, which also serialises concurrent edits of one plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from siaga.accounts.models import User
from siaga.commissioning import services as commissioning_services
from siaga.commissioning.models import Decision, Need, Proposal
from siaga.core import audit, policy
from siaga.core.contributions import actor_group_for, record_contribution
from siaga.core.errors import ErrorCollector, ValidationFailed
from siaga.core.models import ActorGroup, AuditAction, Phase
from siaga.core.roles import Perm
from siaga.registry.identity import clean_digits
from siaga.registry.models import Resident
from siaga.territory.models import Level, Territory

from .models import (
    Activity,
    ActivityStatus,
    Attendance,
    Comment,
    DecisionEffect,
    Invitation,
    Meeting,
    MeetingDecision,
    MeetingKind,
    MeetingStatus,
    Plan,
    PlanStatus,
    PlanVersion,
)

CD = Phase.CO_DESIGN
PLAN_FIELDS = ("title", "goal", "status", "budget")
ACTIVITY_FIELDS = (
    "title",
    "description",
    "responsible_team",
    "responsible_user",
    "starts_on",
    "ends_on",
    "budget",
    "spent",
    "stock_items",
    "is_milestone",
    "status",
    "percent",
    "position",
)
PROGRESS_FIELDS = ("percent", "status", "spent")


def _text(value: Any) -> str:
    return str(value or "").strip()


def _int(
    value: Any, field: str, errors: ErrorCollector, *, low: int = 0, high: int | None = None
) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.add(field, _("Enter a whole number."))
        return low
    if number < low or (high is not None and number > high):
        errors.add(
            field,
            _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
            if high is not None
            else _("Enter a value of at least %(limit)s.") % {"limit": low},
        )
        return low
    return number


def _date(value: Any, field: str, errors: ErrorCollector) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.add(field, _("Enter a date as YYYY-MM-DD."))
        return None


def _version(
    *,
    actor: Any,
    plan: Plan,
    object_type: str,
    object_id: int,
    action: str,
    changes: dict[str, Any],
    summary: str,
) -> PlanVersion:
    Plan.objects.filter(pk=plan.pk).update(version=F("version") + 1, updated_at=timezone.now())
    number = Plan.objects.values_list("version", flat=True).get(pk=plan.pk)
    plan.version = number
    user = actor if getattr(actor, "is_authenticated", False) else None
    return PlanVersion.objects.create(
        plan=plan,
        number=number,
        actor=user,
        actor_name=user.get_username() if user else "",
        object_type=object_type,
        object_id=object_id,
        action=action,
        summary=summary[:255],
        changes=changes,
    )


# ---------------------------------------------------------------- plans


def _clean_plan(data: dict[str, Any], errors: ErrorCollector, *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if not partial or "title" in data:
        cleaned["title"] = _text(data.get("title"))[:150]
        if not cleaned["title"]:
            errors.add("title", _("This field is required."))
    if not partial or "goal" in data:
        cleaned["goal"] = _text(data.get("goal"))
        if not cleaned["goal"]:
            errors.add("goal", _("This field is required."))
    if "status" in data or not partial:
        cleaned["status"] = data.get("status") or PlanStatus.ACTIVE
        if cleaned["status"] not in PlanStatus.values:
            errors.add("status", _("Choose one of: %(values)s") % {"values": ", ".join(PlanStatus)})
    if "budget" in data or not partial:
        cleaned["budget"] = _int(data.get("budget") or 0, "budget", errors)
    return cleaned


def _create_plan(
    *, actor: Any, territory: Territory, data: dict[str, Any], proposal: Proposal | None = None
) -> Plan:
    plan = Plan.objects.create(territory=territory, proposal=proposal, created_by=actor, **data)
    _version(
        actor=actor,
        plan=plan,
        object_type="plan",
        object_id=plan.pk,
        action="create",
        changes=audit.diff({}, audit.snapshot(plan, PLAN_FIELDS)),
        summary=plan.title,
    )
    record_contribution(
        actor=actor, phase=CD, kind="plan.create", territory_id=territory.id, obj=plan
    )
    return plan


def create_plan(*, actor: Any, territory: Territory | None, data: dict[str, Any]) -> Plan:
    errors = ErrorCollector()
    if territory is None or not policy.covers_territory(actor, Perm.PLAN_EDIT, territory.id):
        errors.add("territory", _("Unknown territory, or outside your area."))
    elif territory.level < Level.KELURAHAN:
        errors.add("territory", _("A plan belongs to a kelurahan, RW or RT."))
    cleaned = _clean_plan(data, errors, partial=False)
    errors.raise_if_any()
    assert territory is not None
    with transaction.atomic():
        return _create_plan(actor=actor, territory=territory, data=cleaned)


@transaction.atomic
def decide(
    *,
    actor: Any,
    proposal: Proposal,
    outcome: str,
    reason: str,
    changes: str = "",
    approved_amount: Any = None,
) -> Decision:
    """Approve, approve with changes, or reject a funded proposal; an approval becomes a plan.

    Planning orchestrates the step from co-commissioning to co-design: commissioning records the
    decision, and an approval opens its plan in the same transaction."""
    decision = commissioning_services.record_decision(
        actor=actor,
        proposal=proposal,
        outcome=outcome,
        reason=reason,
        changes=changes,
        approved_amount=approved_amount,
    )
    if decision.approved:
        plan_from_decision(actor=actor, decision=decision)
    return decision


def plan_from_decision(*, actor: Any, decision: Decision) -> Plan:
    """An approved proposal becomes a plan with one activity per cost item (called by
    ``decide`` inside its transaction)."""
    proposal = decision.proposal
    goal = proposal.description or proposal.title
    if decision.changes:
        goal = f"{goal}\n\n{_('Changes required')}: {decision.changes}"
    plan = _create_plan(
        actor=actor,
        territory=proposal.territory,
        proposal=proposal,
        data={
            "title": proposal.title,
            "goal": goal,
            "status": PlanStatus.ACTIVE,
            "budget": decision.approved_amount or 0,
        },
    )
    for position, item in enumerate(proposal.items.all(), start=1):
        _add_activity(
            actor=actor,
            plan=plan,
            data={
                "title": item.description,
                "responsible_team": proposal.implementer[:150],
                "budget": item.total if item.funded_by == "envelope" else 0,
                "stock_items": item.stock_item,
                "position": position,
            },
        )
    return plan


def update_plan(*, actor: Any, plan: Plan, data: dict[str, Any]) -> Plan:
    policy.require(actor, Perm.PLAN_EDIT, plan)
    errors = ErrorCollector()
    cleaned = _clean_plan(data, errors, partial=True)
    errors.raise_if_any()
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        changes = audit.apply_changes(plan, cleaned, PLAN_FIELDS)
        if not changes:
            return plan
        plan.save(update_fields=[*changes, "updated_at"])
        _version(
            actor=actor,
            plan=plan,
            object_type="plan",
            object_id=plan.pk,
            action="update",
            changes=changes,
            summary=plan.title,
        )
        record_contribution(
            actor=actor, phase=CD, kind="plan.update", territory_id=plan.territory_id, obj=plan
        )
    return plan


# ---------------------------------------------------------------- activities


def _clean_activity(
    plan: Plan, data: dict[str, Any], errors: ErrorCollector, *, partial: bool
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}

    def given(name: str) -> bool:
        return not partial or name in data

    if given("title"):
        cleaned["title"] = _text(data.get("title"))[:200]
        if not cleaned["title"]:
            errors.add("title", _("This field is required."))
    for name in ("description",):
        if given(name):
            cleaned[name] = _text(data.get(name))
    for name, limit in (("responsible_team", 150), ("stock_items", 255)):
        if given(name):
            cleaned[name] = _text(data.get(name))[:limit]
    if given("responsible_user"):
        value = data.get("responsible_user")
        user = None
        if value not in (None, ""):
            user = (
                value
                if isinstance(value, User)
                else User.objects.filter(username=str(value)).first()
            )
            if user is None or not policy.community_scope(user).covers_key(plan.territory_id):
                errors.add("responsible_user", _("Unknown volunteer, or not of this place."))
                user = None
        cleaned["responsible_user"] = user
    for name in ("starts_on", "ends_on"):
        if given(name):
            cleaned[name] = _date(data.get(name), name, errors)
    for name in ("budget", "spent", "position"):
        if given(name):
            cleaned[name] = _int(data.get(name) or 0, name, errors)
    if given("percent"):
        cleaned["percent"] = _int(data.get("percent") or 0, "percent", errors, high=100)
    if given("status"):
        cleaned["status"] = data.get("status") or ActivityStatus.PLANNED
        if cleaned["status"] not in ActivityStatus.values:
            errors.add(
                "status", _("Choose one of: %(values)s") % {"values": ", ".join(ActivityStatus)}
            )
    if given("is_milestone"):
        cleaned["is_milestone"] = bool(data.get("is_milestone"))
    return cleaned


def _add_activity(
    *,
    actor: Any,
    plan: Plan,
    data: dict[str, Any],
    source_decision: MeetingDecision | None = None,
) -> Activity:
    activity = Activity.objects.create(
        plan=plan, territory_id=plan.territory_id, source_decision=source_decision, **data
    )
    _version(
        actor=actor,
        plan=plan,
        object_type="activity",
        object_id=activity.pk,
        action="create",
        changes=audit.diff({}, audit.snapshot(activity, ACTIVITY_FIELDS)),
        summary=activity.title,
    )
    return activity


def add_activity(
    *,
    actor: Any,
    plan: Plan,
    data: dict[str, Any],
    source_decision: MeetingDecision | None = None,
) -> Activity:
    policy.require(actor, Perm.PLAN_EDIT, plan)
    errors = ErrorCollector()
    cleaned = _clean_activity(plan, data, errors, partial=False)
    _check_dates(cleaned, errors)
    errors.raise_if_any()
    with transaction.atomic():
        activity = _add_activity(
            actor=actor, plan=plan, data=cleaned, source_decision=source_decision
        )
        record_contribution(
            actor=actor,
            phase=CD,
            kind="activity.create",
            territory_id=plan.territory_id,
            obj=activity,
        )
    return activity


def _check_dates(values: dict[str, Any], errors: ErrorCollector) -> None:
    start, end = values.get("starts_on"), values.get("ends_on")
    if start and end and start > end:
        errors.add("ends_on", _("The end cannot be before the start."))


def may_update_progress(actor: Any, activity: Activity) -> bool:
    """Plan editors, or the volunteer responsible for this activity."""
    if policy.can_act_on(actor, Perm.PLAN_EDIT, activity):
        return True
    return activity.responsible_user_id == getattr(actor, "pk", None) and policy.can_act_on(
        actor, Perm.PROGRESS_UPDATE, activity
    )


def _apply(actor: Any, activity: Activity, cleaned: dict[str, Any], kind: str) -> bool:
    changes = audit.apply_changes(activity, cleaned, ACTIVITY_FIELDS)
    if not changes:
        return False
    activity.save(update_fields=[Activity._meta.get_field(n).name for n in changes])
    _version(
        actor=actor,
        plan=activity.plan,
        object_type="activity",
        object_id=activity.pk,
        action="update",
        changes=changes,
        summary=activity.title,
    )
    record_contribution(
        actor=actor, phase=CD, kind=kind, territory_id=activity.territory_id, obj=activity
    )
    return True


def update_activity(*, actor: Any, activity: Activity, data: dict[str, Any]) -> Activity:
    """Edit an activity. Plan editors may change everything; the responsible volunteer only
    the progress (percent, status, spent)."""
    full = policy.can_act_on(actor, Perm.PLAN_EDIT, activity)
    if not full and not may_update_progress(actor, activity):
        raise Http404("not found")
    if not full and set(data) - set(PROGRESS_FIELDS):
        raise ValidationFailed.single(
            "__all__", _("You may only update the progress of this activity.")
        )
    errors = ErrorCollector()
    cleaned = _clean_activity(activity.plan, data, errors, partial=True)
    _check_dates(
        {
            "starts_on": cleaned.get("starts_on", activity.starts_on),
            "ends_on": cleaned.get("ends_on", activity.ends_on),
        },
        errors,
    )
    errors.raise_if_any()
    with transaction.atomic():
        locked = Activity.objects.select_for_update().select_related("plan").get(pk=activity.pk)
        kind = "activity.progress" if set(cleaned) <= set(PROGRESS_FIELDS) else "activity.update"
        _apply(actor, locked, cleaned, kind)
    return locked


def update_progress(*, actor: Any, plan: Plan, rows: list[dict[str, Any]]) -> list[Activity]:
    """Bulk progress from the table view: [{"activity": id, "percent", "status", "spent"}].

    All rows are checked first; nothing is written unless every row is acceptable. Each changed
    activity gets its own version entry.
    """
    if not policy.can_read_community(actor, plan):
        raise Http404("not found")
    activities = {a.pk: a for a in Activity.objects.filter(plan=plan).select_related("plan")}
    errors = ErrorCollector()
    planned: list[tuple[Activity, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        activity = activities.get(_as_int(row.get("activity")) or 0)
        if activity is None or not may_update_progress(actor, activity):
            errors.add(f"rows.{index}", _("Unknown activity, or not yours to update."))
            continue
        data = {k: row[k] for k in PROGRESS_FIELDS if k in row and row[k] is not None}
        row_errors = ErrorCollector()
        cleaned = _clean_activity(plan, data, row_errors, partial=True)
        for messages in row_errors.errors.values():
            for message in messages:
                errors.add(f"rows.{index}", message)
        planned.append((activity, cleaned))
    errors.raise_if_any()
    changed = []
    with transaction.atomic():
        for activity, cleaned in planned:
            locked = Activity.objects.select_for_update().select_related("plan").get(pk=activity.pk)
            if _apply(actor, locked, cleaned, "activity.progress"):
                changed.append(locked)
    return changed


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- meetings


def create_meeting(*, actor: Any, territory: Territory | None, data: dict[str, Any]) -> Meeting:
    errors = ErrorCollector()
    if territory is None or not policy.covers_territory(actor, Perm.MEETING_MANAGE, territory.id):
        errors.add("territory", _("Unknown territory, or outside your area."))
    elif territory.level < Level.KELURAHAN:
        errors.add("territory", _("A meeting belongs to a kelurahan, RW or RT."))
    kind = data.get("kind")
    if kind not in MeetingKind.values:
        errors.add("kind", _("Choose one of: %(values)s") % {"values": ", ".join(MeetingKind)})
    title = _text(data.get("title"))[:150]
    if not title:
        errors.add("title", _("This field is required."))
    starts_at = data.get("starts_at")
    if isinstance(starts_at, str):
        starts_at = parse_datetime(starts_at)
    if not isinstance(starts_at, dt.datetime):
        errors.add("starts_at", _("Enter a date and time."))
    elif timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    invitations = []
    for index, invite in enumerate(data.get("invitations") or []):
        invitee = _text(invite.get("invitee"))[:200]
        group = invite.get("actor_group") or ActorGroup.RESIDENT
        if not invitee or group not in ActorGroup.values:
            errors.add(f"invitations.{index}", _("Name the invitee and their group."))
        invitations.append((invitee, group))
    errors.raise_if_any()
    assert territory is not None and isinstance(starts_at, dt.datetime) and kind is not None
    with transaction.atomic():
        meeting = Meeting.objects.create(
            territory=territory,
            kind=kind,
            title=title,
            starts_at=starts_at,
            venue=_text(data.get("venue"))[:200],
            agenda=_text(data.get("agenda")),
            created_by=actor,
        )
        Invitation.objects.bulk_create(
            [Invitation(meeting=meeting, invitee=i, actor_group=g) for i, g in invitations]
        )
        record_contribution(
            actor=actor, phase=CD, kind="meeting.convene", territory_id=territory.id, obj=meeting
        )
    return meeting


def record_attendance(
    *, actor: Any, meeting: Meeting, attendees: list[dict[str, Any]]
) -> list[Attendance]:
    """Who was present: residents by NIK, members by username, officials by name and group.

    Each attendee's presence is their own co-design act (contribution in their actor group).
    Attendance names people, so the recorder is audited.
    """
    policy.require(actor, Perm.MEETING_MANAGE, meeting)
    errors = ErrorCollector()
    rows: list[dict[str, Any]] = []
    for index, entry in enumerate(attendees):
        field = f"attendees.{index}"
        nik = clean_digits(str(entry.get("nik") or ""))
        username = _text(entry.get("username"))
        if nik:
            resident = Resident.objects.filter(nik=nik).first()
            if resident is None or not meeting.territory.contains(resident.rt_id):
                errors.add(field, _("No resident with this NIK lives in the meeting's area."))
                continue
            rows.append(
                {
                    "resident": resident,
                    "name": resident.name,
                    "actor_group": ActorGroup.RESIDENT,
                    "person_key": f"resident:{resident.pk}",
                }
            )
        elif username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                errors.add(field, _("No user %(username)s.") % {"username": username})
                continue
            rows.append(
                {
                    "user": user,
                    "name": user.get_full_name() or user.get_username(),
                    "actor_group": actor_group_for(user, meeting.territory_id),
                    "person_key": f"user:{user.pk}",
                }
            )
        else:
            name = _text(entry.get("name"))[:150]
            group = entry.get("actor_group")
            if not name or group not in ActorGroup.values:
                errors.add(field, _("Give a NIK, a username, or a name with a group."))
                continue
            rows.append(
                {
                    "name": name,
                    "actor_group": group,
                    "person_key": f"guest:{meeting.pk}:{name.casefold()}"[:64],
                }
            )
    errors.raise_if_any()
    created = []
    with transaction.atomic():
        for row in rows:
            try:
                with transaction.atomic():
                    attendance = Attendance.objects.create(
                        meeting=meeting, recorded_by=actor, **row
                    )
            except IntegrityError:
                continue  # already recorded as present
            created.append(attendance)
            record_contribution(
                actor=actor,
                phase=CD,
                kind="meeting.attend",
                territory_id=meeting.territory_id,
                obj=meeting,
                actor_group=row["actor_group"],
                person_key=row["person_key"],
            )
        if created:
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="planning.attendance",
                object_id=meeting.pk,
                territory_id=meeting.territory_id,
                summary=f"attendance of {len(created)} people recorded for meeting {meeting.pk}",
            )
        if meeting.status == MeetingStatus.PLANNED:
            meeting.status = MeetingStatus.HELD
            meeting.save(update_fields=["status"])
    return created


def write_minutes(*, actor: Any, meeting: Meeting, minutes: str) -> Meeting:
    policy.require(actor, Perm.MEETING_MANAGE, meeting)
    minutes = _text(minutes)
    if not minutes:
        raise ValidationFailed.single("minutes", _("This field is required."))
    with transaction.atomic():
        meeting.minutes = minutes
        meeting.minutes_by = actor
        meeting.minutes_at = timezone.now()
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["minutes", "minutes_by", "minutes_at", "status"])
        record_contribution(
            actor=actor,
            phase=CD,
            kind="meeting.minutes",
            territory_id=meeting.territory_id,
            obj=meeting,
        )
    return meeting


def record_meeting_decision(
    *,
    actor: Any,
    meeting: Meeting,
    text: str,
    effect: str = DecisionEffect.NOTE,
    plan: Plan | None = None,
    activity: Activity | None = None,
    need: Need | None = None,
    data: dict[str, Any] | None = None,
) -> MeetingDecision:
    """A decision of a meeting, which may create or change a plan activity or a need.

    ``data`` holds the activity fields (create/change activity), the need fields (create need:
    category, title, …; ``territory`` an RT/RW, default the meeting's place) or the need
    change (urgency, households_affected, description, or ``close_reason`` to close it).
    """
    policy.require(actor, Perm.MEETING_MANAGE, meeting)
    data = dict(data or {})
    if not _text(text):
        raise ValidationFailed.single("text", _("This field is required."))
    if effect not in DecisionEffect.values:
        raise ValidationFailed.single(
            "effect", _("Choose one of: %(values)s") % {"values": ", ".join(DecisionEffect)}
        )
    if effect == DecisionEffect.CREATE_ACTIVITY and plan is None:
        raise ValidationFailed.single("plan", _("Choose the plan the activity belongs to."))
    if effect == DecisionEffect.CHANGE_ACTIVITY and activity is None:
        raise ValidationFailed.single("activity", _("Choose the activity to change."))
    if effect == DecisionEffect.CHANGE_NEED and need is None:
        raise ValidationFailed.single("need", _("Choose the need to change."))
    with transaction.atomic():
        decision = MeetingDecision.objects.create(
            meeting=meeting,
            text=_text(text),
            effect=effect,
            plan=plan or getattr(activity, "plan", None),
        )
        if effect == DecisionEffect.CREATE_ACTIVITY:
            assert plan is not None
            decision.activity = add_activity(
                actor=actor, plan=plan, data=data, source_decision=decision
            )
        elif effect == DecisionEffect.CHANGE_ACTIVITY:
            assert activity is not None
            decision.activity = update_activity(actor=actor, activity=activity, data=data)
        elif effect == DecisionEffect.CREATE_NEED:
            territory: Territory | None = meeting.territory
            if data.get("territory"):
                territory = Territory.objects.filter(code=data.pop("territory")).first()
            decision.need = commissioning_services.raise_need(
                actor=actor, territory=territory, data=data
            )
        elif effect == DecisionEffect.CHANGE_NEED:
            assert need is not None
            reason = data.pop("close_reason", "")
            if data:
                need = commissioning_services.update_need(actor=actor, need=need, data=data)
            if reason:
                need = commissioning_services.close_need(actor=actor, need=need, reason=reason)
            decision.need = need
        decision.save(update_fields=["activity", "need"])
        record_contribution(
            actor=actor,
            phase=CD,
            kind="meeting.decision",
            territory_id=meeting.territory_id,
            obj=decision,
        )
    return decision


# ---------------------------------------------------------------- comments


def post_comment(*, actor: Any, target: Need | Proposal | Plan, body: str) -> Comment:
    if not policy.can_read_community(actor, target):
        raise Http404("not found")
    policy.require_somewhere(actor, Perm.NEEDS_RAISE)
    body = _text(body)
    if not body:
        raise ValidationFailed.single("body", _("This field is required."))
    if len(body) > 4000:
        raise ValidationFailed.single("body", _("At most %(limit)s characters.") % {"limit": 4000})
    kind = {Need: "need", Proposal: "proposal", Plan: "plan"}[type(target)]
    with transaction.atomic():
        comment = Comment.objects.create(
            territory_id=target.territory_id, author=actor, body=body, **{kind: target}
        )
        record_contribution(
            actor=actor,
            phase=CD if kind == "plan" else Phase.CO_COMMISSIONING,
            kind="comment.post",
            territory_id=target.territory_id,
            obj=comment,
        )
    return comment


def moderate_comment(*, actor: Any, comment: Comment, hidden: bool, reason: str = "") -> Comment:
    """Hide (or restore) a comment. It is never deleted; the audit trail keeps who and why."""
    policy.require(actor, Perm.COMMENT_MODERATE, comment)
    reason = _text(reason)
    if hidden and not reason:
        raise ValidationFailed.single("reason", _("Say why the comment is hidden."))
    with transaction.atomic():
        comment.hidden = hidden
        comment.hidden_reason = reason[:255] if hidden else ""
        comment.hidden_by = actor if hidden else None
        comment.hidden_at = timezone.now() if hidden else None
        comment.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=comment,
            territory_id=comment.territory_id,
            summary=("hidden: " if hidden else "restored: ") + reason,
            changes={"hidden": [not hidden, hidden]},
        )
    return comment
