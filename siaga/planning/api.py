"""/api/v1 co-design: plans, activities (versioned), progress, meetings, attendance, minutes,
meeting decisions, comments, and the public accountability summary of an RW.

Plans and meetings are community data, readable across the caller's kelurahan; writes need the
matching permission on the object's territory; anything out of reach answers 404. Attendance
names are returned only to those who manage the meeting; everyone else gets counts per group.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from siaga.api.errors import ERRORS, NOT_FOUND, invalid
from siaga.api.pagination import Page, PageQuery, paginate
from siaga.commissioning import api as commissioning_api
from siaga.commissioning import selectors as commissioning_selectors
from siaga.core.models import ActorGroup
from siaga.core.roles import Perm
from siaga.territory.models import Level, Territory
from siaga.territory.selectors import territory_param

from . import selectors, services
from .models import (
    Activity,
    ActivityStatus,
    DecisionEffect,
    Meeting,
    MeetingDecision,
    MeetingKind,
    Plan,
    PlanStatus,
    PlanVersion,
)

router = Router(tags=["co-design"])

MAX_ID = 2**63 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
Money = Annotated[int, Field(ge=0, le=10**13)]


def _enum(values: list[str]) -> dict[str, Any]:
    return {"enum": values}


# ---------------------------------------------------------------- schemas


class ActivityOut(Schema):
    id: int
    plan: int
    title: str
    description: str
    responsible_team: str
    responsible_user: str | None = Field(description="Username of the responsible volunteer.")
    starts_on: dt.date | None
    ends_on: dt.date | None
    budget: int
    spent: int
    stock_items: str
    is_milestone: bool
    status: str = Field(json_schema_extra=_enum(list(ActivityStatus.values)))
    percent: int
    source_decision: int | None = Field(description="The meeting decision that created it.")


class ActivityIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str
    description: str = ""
    responsible_team: str = ""
    responsible_user: str | None = Field(None, description="Username of a volunteer.")
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    budget: Money = 0
    spent: Money = 0
    stock_items: str = ""
    is_milestone: bool = False
    status: str = Field(
        ActivityStatus.PLANNED, json_schema_extra=_enum(list(ActivityStatus.values))
    )
    percent: int = Field(0, ge=0, le=100)
    position: int = Field(0, ge=0, le=10_000)


class ActivityPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    description: str | None = None
    responsible_team: str | None = None
    responsible_user: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    budget: Money | None = None
    spent: Money | None = None
    stock_items: str | None = None
    is_milestone: bool | None = None
    status: str | None = Field(None, json_schema_extra=_enum(list(ActivityStatus.values)))
    percent: int | None = Field(None, ge=0, le=100)
    position: int | None = Field(None, ge=0, le=10_000)


class ProgressRow(Schema):
    model_config = ConfigDict(extra="forbid")
    activity: BodyId
    percent: int | None = Field(None, ge=0, le=100)
    status: str | None = Field(None, json_schema_extra=_enum(list(ActivityStatus.values)))
    spent: Money | None = None


class ProgressIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rows: list[ProgressRow]


class PlanOut(Schema):
    id: int
    territory: str
    title: str
    goal: str
    status: str = Field(json_schema_extra=_enum(list(PlanStatus.values)))
    proposal: int | None
    budget: int
    version: int
    progress: dict[str, int] = Field(
        description="percent (mean of activities), spent, activity_budget, activities."
    )


class PlanDetailOut(PlanOut):
    activities: list[ActivityOut]


class PlanIn(Schema):
    model_config = ConfigDict(extra="forbid")
    territory: str = Field(description="Code of a kelurahan, RW or RT.")
    title: str
    goal: str
    status: str = Field(PlanStatus.ACTIVE, json_schema_extra=_enum(list(PlanStatus.values)))
    budget: Money = 0


class PlanPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    goal: str | None = None
    status: str | None = Field(None, json_schema_extra=_enum(list(PlanStatus.values)))
    budget: Money | None = None


class PlanQuery(PageQuery):
    territory: str = ""
    status: str = Field("", json_schema_extra=_enum(["", *PlanStatus.values]))


class VersionOut(Schema):
    number: int
    at: dt.datetime
    actor: str
    object_type: str
    object_id: int
    action: str
    summary: str
    changes: dict[str, Any] = Field(description="{field: [old, new]}")


class MeetingDecisionOut(Schema):
    id: int
    text: str
    effect: str = Field(json_schema_extra=_enum(list(DecisionEffect.values)))
    plan: int | None
    activity: int | None
    need: int | None


class MeetingOut(Schema):
    id: int
    territory: str
    kind: str = Field(json_schema_extra=_enum(list(MeetingKind.values)))
    title: str
    starts_at: dt.datetime
    venue: str
    agenda: list[str]
    status: str
    invitations: list[dict[str, str]]
    attendance: dict[str, int] = Field(description="Attendees per actor group.")
    minutes: str
    decisions: list[MeetingDecisionOut]


class InvitationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    invitee: str = Field(examples=["All heads of household of RT 003"])
    actor_group: str = Field(json_schema_extra=_enum(list(ActorGroup.values)))


class MeetingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    territory: str = Field(description="Code of a kelurahan, RW or RT.")
    kind: str = Field(json_schema_extra=_enum(list(MeetingKind.values)))
    title: str
    starts_at: dt.datetime
    venue: str = ""
    agenda: str = Field("", description="One item per line.")
    invitations: list[InvitationIn] = Field(default_factory=list)


class MeetingQuery(PageQuery):
    territory: str = ""


class AttendeeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    nik: str | None = Field(None, description="A resident of the meeting's area.")
    username: str | None = Field(None, description="A member (volunteer, leader, official).")
    name: str | None = Field(None, description="Someone without an account, with actor_group.")
    actor_group: str | None = Field(None, json_schema_extra=_enum(list(ActorGroup.values)))


class AttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")
    attendees: list[AttendeeIn]


class AttendanceOut(Schema):
    counts: dict[str, int]
    attendees: list[dict[str, str]] | None = Field(
        description="Names and groups, only for those who manage the meeting."
    )


class MinutesIn(Schema):
    model_config = ConfigDict(extra="forbid")
    minutes: str


class MeetingDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str
    effect: str = Field(DecisionEffect.NOTE, json_schema_extra=_enum(list(DecisionEffect.values)))
    plan: BodyId | None = None
    activity: BodyId | None = None
    need: BodyId | None = None
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="Activity fields (create/change activity), need fields (create need), or "
        "need changes (urgency, households_affected, description, close_reason).",
    )


class CommentOut(Schema):
    id: int
    author: str
    body: str
    created_at: dt.datetime
    hidden: bool
    hidden_reason: str


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    target: str = Field(json_schema_extra=_enum(["need", "proposal", "plan"]))
    target_id: BodyId
    body: str


class CommentQuery(Schema):
    target: str = Field(json_schema_extra=_enum(["need", "proposal", "plan"]))
    target_id: int = Field(ge=1, le=MAX_ID)
    include_hidden: bool = Field(False, description="Moderators only.")


class ModerateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    hidden: bool
    reason: str = ""


class AccountabilityItem(Schema):
    proposal: int
    title: str
    round: str
    amount: int
    decision: str | None
    decision_reason: str
    plan: int | None
    percent: int | None
    spent: int | None


class AccountabilityOut(Schema):
    rw: str
    name: str
    funded: int
    spent: int
    items: list[AccountabilityItem]


# ---------------------------------------------------------------- shapes


def activity_out(activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.pk,
        "plan": activity.plan_id,
        "title": activity.title,
        "description": activity.description,
        "responsible_team": activity.responsible_team,
        "responsible_user": (
            activity.responsible_user.get_username() if activity.responsible_user else None
        ),
        "starts_on": activity.starts_on,
        "ends_on": activity.ends_on,
        "budget": activity.budget,
        "spent": activity.spent,
        "stock_items": activity.stock_items,
        "is_milestone": activity.is_milestone,
        "status": activity.status,
        "percent": activity.percent,
        "source_decision": activity.source_decision_id,
    }


def plan_out(plan: Plan, *, detail: bool = False) -> dict[str, Any]:
    out = {
        "id": plan.pk,
        "territory": plan.territory.code,
        "title": plan.title,
        "goal": plan.goal,
        "status": plan.status,
        "proposal": plan.proposal_id,
        "budget": plan.budget,
        "version": plan.version,
        "progress": selectors.progress(plan),
    }
    if detail:
        out["activities"] = [activity_out(a) for a in selectors.activities(plan)]
    return out


def version_out(version: PlanVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "at": version.at,
        "actor": version.actor_name,
        "object_type": version.object_type,
        "object_id": version.object_id,
        "action": version.action,
        "summary": version.summary,
        "changes": version.changes,
    }


def decision_out(decision: MeetingDecision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "text": decision.text,
        "effect": decision.effect,
        "plan": decision.plan_id,
        "activity": decision.activity_id,
        "need": decision.need_id,
    }


def meeting_out(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "territory": meeting.territory.code,
        "kind": meeting.kind,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "venue": meeting.venue,
        "agenda": meeting.agenda_items,
        "status": meeting.status,
        "invitations": [
            {"invitee": i.invitee, "actor_group": i.actor_group} for i in meeting.invitations.all()
        ],
        "attendance": selectors.attendance_counts(meeting),
        "minutes": meeting.minutes,
        "decisions": [decision_out(d) for d in meeting.decisions.all()],
    }


def _territory(code: str) -> Territory | None:
    return Territory.objects.filter(code=code.strip()).first()


# ---------------------------------------------------------------- plans


@router.get("/plans", response={200: Page[PlanOut], **ERRORS})
def list_plans(request: HttpRequest, filters: Query[PlanQuery]) -> dict[str, Any]:
    qs = selectors.plans(
        request.user,
        territory=territory_param(request.user, Perm.COMMUNITY_VIEW, filters.territory),
        status=filters.status,
    )
    page = paginate(qs, filters.limit, filters.offset)
    page["items"] = [plan_out(p) for p in page["items"]]
    return page


@router.post("/plans", response={201: PlanDetailOut, **ERRORS})
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[dict[str, Any]]:
    plan = services.create_plan(
        actor=request.user,
        territory=_territory(payload.territory),
        data=payload.model_dump(exclude={"territory"}),
    )
    return Status(201, plan_out(selectors.plan_for_view(request.user, plan.pk), detail=True))


@router.get("/plans/{plan_id}", response={200: PlanDetailOut, **ERRORS})
def get_plan(request: HttpRequest, plan_id: Id) -> dict[str, Any]:
    return plan_out(selectors.plan_for_view(request.user, plan_id), detail=True)


@router.patch("/plans/{plan_id}", response={200: PlanDetailOut, **ERRORS})
def update_plan(request: HttpRequest, plan_id: Id, payload: PlanPatch) -> dict[str, Any]:
    plan = selectors.plan_for_view(request.user, plan_id)
    services.update_plan(actor=request.user, plan=plan, data=payload.model_dump(exclude_unset=True))
    return plan_out(selectors.plan_for_view(request.user, plan_id), detail=True)


@router.get("/plans/{plan_id}/history", response={200: list[VersionOut], **ERRORS})
def plan_history(request: HttpRequest, plan_id: Id) -> list[dict[str, Any]]:
    """Every change to the plan and its activities, newest first: who, when, what."""
    plan = selectors.plan_for_view(request.user, plan_id)
    return [version_out(v) for v in selectors.history(plan)]


@router.get("/plans/{plan_id}/activities", response={200: list[ActivityOut], **ERRORS})
def list_activities(request: HttpRequest, plan_id: Id) -> list[dict[str, Any]]:
    plan = selectors.plan_for_view(request.user, plan_id)
    return [activity_out(a) for a in selectors.activities(plan)]


@router.post("/plans/{plan_id}/activities", response={201: ActivityOut, **ERRORS})
def create_activity(
    request: HttpRequest, plan_id: Id, payload: ActivityIn
) -> Status[dict[str, Any]]:
    plan = selectors.plan_for_view(request.user, plan_id)
    activity = services.add_activity(actor=request.user, plan=plan, data=payload.model_dump())
    return Status(201, activity_out(activity))


@router.patch("/activities/{activity_id}", response={200: ActivityOut, **ERRORS})
def update_activity(
    request: HttpRequest, activity_id: Id, payload: ActivityPatch
) -> dict[str, Any]:
    """Plan editors change anything; the responsible volunteer only percent, status, spent."""
    activity = selectors.activity_for_view(request.user, activity_id)
    activity = services.update_activity(
        actor=request.user, activity=activity, data=payload.model_dump(exclude_unset=True)
    )
    return activity_out(activity)


@router.post("/plans/{plan_id}/progress", response={200: list[ActivityOut], **ERRORS})
def update_progress(request: HttpRequest, plan_id: Id, payload: ProgressIn) -> list[dict[str, Any]]:
    """Bulk progress update (the table view): all rows or none. Answers the changed activities."""
    plan = selectors.plan_for_view(request.user, plan_id)
    changed = services.update_progress(
        actor=request.user, plan=plan, rows=[r.model_dump() for r in payload.rows]
    )
    return [activity_out(a) for a in changed]


# ---------------------------------------------------------------- meetings


@router.get("/meetings", response={200: Page[MeetingOut], **ERRORS})
def list_meetings(request: HttpRequest, filters: Query[MeetingQuery]) -> dict[str, Any]:
    qs = selectors.meetings(
        request.user,
        territory=territory_param(request.user, Perm.COMMUNITY_VIEW, filters.territory),
    )
    qs = qs.prefetch_related("invitations", "decisions", selectors.attendance_prefetch())
    page = paginate(qs, filters.limit, filters.offset)
    page["items"] = [meeting_out(m) for m in page["items"]]
    return page


@router.post("/meetings", response={201: MeetingOut, **ERRORS})
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status[dict[str, Any]]:
    meeting = services.create_meeting(
        actor=request.user,
        territory=_territory(payload.territory),
        data=payload.model_dump(exclude={"territory"}),
    )
    return Status(201, meeting_out(selectors.meeting_for_view(request.user, meeting.pk)))


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS})
def get_meeting(request: HttpRequest, meeting_id: Id) -> dict[str, Any]:
    return meeting_out(selectors.meeting_for_view(request.user, meeting_id))


def _attendance_out(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    names = selectors.attendance_list(request.user, meeting)
    return {
        "counts": selectors.attendance_counts(meeting),
        "attendees": (
            [{"name": a.name, "actor_group": a.actor_group} for a in names]
            if names is not None
            else None
        ),
    }


@router.get("/meetings/{meeting_id}/attendance", response={200: AttendanceOut, **ERRORS})
def get_attendance(request: HttpRequest, meeting_id: Id) -> dict[str, Any]:
    """Counts per actor group for everyone; the names only for meeting managers."""
    return _attendance_out(request, selectors.meeting_for_view(request.user, meeting_id))


@router.post("/meetings/{meeting_id}/attendance", response={200: AttendanceOut, **ERRORS})
def record_attendance(
    request: HttpRequest, meeting_id: Id, payload: AttendanceIn
) -> dict[str, Any]:
    meeting = selectors.meeting_for_view(request.user, meeting_id)
    services.record_attendance(
        actor=request.user,
        meeting=meeting,
        attendees=[a.model_dump() for a in payload.attendees],
    )
    return _attendance_out(request, meeting)


@router.put("/meetings/{meeting_id}/minutes", response={200: MeetingOut, **ERRORS})
def write_minutes(request: HttpRequest, meeting_id: Id, payload: MinutesIn) -> dict[str, Any]:
    meeting = selectors.meeting_for_view(request.user, meeting_id)
    services.write_minutes(actor=request.user, meeting=meeting, minutes=payload.minutes)
    return meeting_out(selectors.meeting_for_view(request.user, meeting_id))


@router.post("/meetings/{meeting_id}/decisions", response={201: MeetingDecisionOut, **ERRORS})
def record_meeting_decision(
    request: HttpRequest, meeting_id: Id, payload: MeetingDecisionIn
) -> Status[dict[str, Any]]:
    """A decision of the meeting; it can create or change a plan activity or a need."""
    meeting = selectors.meeting_for_view(request.user, meeting_id)
    try:
        plan = selectors.plan_for_view(request.user, payload.plan) if payload.plan else None
        activity = (
            selectors.activity_for_view(request.user, payload.activity)
            if payload.activity
            else None
        )
        need = (
            commissioning_selectors.need_for_view(request.user, payload.need)
            if payload.need
            else None
        )
    except Http404:
        raise invalid({"__all__": [_("Unknown plan, activity or need.")]}) from None
    decision = services.record_meeting_decision(
        actor=request.user,
        meeting=meeting,
        text=payload.text,
        effect=payload.effect,
        plan=plan,
        activity=activity,
        need=need,
        data=payload.data,
    )
    return Status(201, decision_out(decision))


# ---------------------------------------------------------------- commissioning decisions


@router.post(
    "/proposals/{proposal_id}/decision",
    response={201: commissioning_api.DecisionOut, **ERRORS},
    tags=["co-commissioning"],
)
def decide_proposal(
    request: HttpRequest, proposal_id: Id, payload: commissioning_api.DecisionIn
) -> Status[dict[str, Any]]:
    """Approve, approve with changes, or reject a funded proposal; an approval creates a plan.

    (Served by planning, which orchestrates the step from the decision to its plan.)"""
    proposal = commissioning_selectors.proposal_for_view(request.user, proposal_id)
    decision = services.decide(actor=request.user, proposal=proposal, **payload.model_dump())
    decision = commissioning_selectors.decisions(request.user).get(pk=decision.pk)
    return Status(201, commissioning_api.decision_out(decision))


# ---------------------------------------------------------------- comments


def _target(request: HttpRequest, kind: str, pk: int) -> Any:
    if kind == "need":
        return commissioning_selectors.need_for_view(request.user, pk)
    if kind == "proposal":
        return commissioning_selectors.proposal_for_view(request.user, pk)
    if kind == "plan":
        return selectors.plan_for_view(request.user, pk)
    raise invalid({"target": [_("Choose one of: %(values)s") % {"values": "need, proposal, plan"}]})


def comment_out(comment: Any) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "author": comment.author.get_full_name() or comment.author.get_username(),
        "body": comment.body,
        "created_at": comment.created_at,
        "hidden": comment.hidden,
        "hidden_reason": comment.hidden_reason,
    }


@router.get("/comments", response={200: list[CommentOut], **ERRORS})
def list_comments(request: HttpRequest, filters: Query[CommentQuery]) -> list[dict[str, Any]]:
    target = _target(request, filters.target, filters.target_id)
    return [
        comment_out(c)
        for c in selectors.comments(request.user, target, include_hidden=filters.include_hidden)
    ]


@router.post("/comments", response={201: CommentOut, **ERRORS})
def post_comment(request: HttpRequest, payload: CommentIn) -> Status[dict[str, Any]]:
    target = _target(request, payload.target, payload.target_id)
    comment = services.post_comment(actor=request.user, target=target, body=payload.body)
    return Status(201, comment_out(comment))


@router.post("/comments/{comment_id}/moderation", response={200: CommentOut, **ERRORS})
def moderate_comment(request: HttpRequest, comment_id: Id, payload: ModerateIn) -> dict[str, Any]:
    """Hide (with a reason) or restore a comment (community leaders). Never deleted."""
    comment = selectors.comment_for_moderation(request.user, comment_id)
    comment = services.moderate_comment(
        actor=request.user, comment=comment, hidden=payload.hidden, reason=payload.reason
    )
    return comment_out(comment)


# ---------------------------------------------------------------- accountability (public)


@router.get("/accountability/{rw_code}", response={200: AccountabilityOut, **NOT_FOUND}, auth=None)
def accountability(request: HttpRequest, rw_code: str) -> dict[str, Any]:
    """Public, without login: each funded proposal of an RW with its plan's progress and
    spending. No personal data."""
    rw = Territory.objects.filter(code=rw_code, level=Level.RW).first()
    if rw is None:
        raise Http404("not found")
    items = selectors.accountability(rw)
    totals = selectors.spending_total(items)
    return {
        "rw": rw.code,
        "name": f"{rw.display_name}, {rw.parent.name if rw.parent else ''}",
        "funded": totals["funded"],
        "spent": totals["spent"],
        "items": [
            {
                "proposal": i.proposal.pk,
                "title": i.proposal.title,
                "round": i.proposal.round.title if i.proposal.round else "",
                "amount": i.amount,
                "decision": i.decision.outcome if i.decision else None,
                "decision_reason": i.decision.reason if i.decision else "",
                "plan": i.plan.pk if i.plan else None,
                "percent": i.progress.get("percent") if i.plan else None,
                "spent": i.progress.get("spent") if i.plan else None,
            }
            for i in items
        ],
    }
