"""Reads of co-design, through the access policy.

Plans, activities, meetings (agenda, minutes, decisions) and visible comments are community
data (``policy.scope_community``). Attendance names people: the list is only for those who may
manage the meeting; everyone else sees the counts per actor group. The accountability page reads
only aggregates and carries no personal data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from siaga.commissioning.models import (
    Decision,
    DecisionOutcome,
    Need,
    Outcome,
    Proposal,
    RoundResult,
)
from siaga.core import policy
from siaga.core.models import ActorGroup
from siaga.core.policy import in_subtree
from siaga.core.roles import Perm
from siaga.territory.models import Level, Territory

from .models import Activity, Attendance, Comment, Meeting, Plan, PlanVersion


def plans(user: Any, *, territory: Territory | None = None, status: str = "") -> QuerySet[Plan]:
    qs = policy.scope_community(
        Plan.objects.select_related("territory", "proposal")
        .annotate(activity_count=Count("activities"))
        .prefetch_related("activities"),  # progress() of every plan in the list, one query
        user,
    )
    if territory is not None:
        qs = qs.filter(in_subtree("territory_id", territory.bounds))
    if status:
        qs = qs.filter(status=status)
    return qs


def plan_for_view(user: Any, pk: Any) -> Plan:
    return policy.get_community_or_404(
        Plan.objects.select_related("territory", "proposal", "proposal__round"), user, pk=pk
    )


def activities(plan: Plan) -> QuerySet[Activity]:
    return plan.activities.select_related("responsible_user", "source_decision__meeting")


def activity_for_view(user: Any, pk: Any) -> Activity:
    return policy.get_community_or_404(
        Activity.objects.select_related("plan", "responsible_user"), user, pk=pk
    )


def history(plan: Plan) -> QuerySet[PlanVersion]:
    return plan.versions.order_by("-number")


def progress(plan: Plan) -> dict[str, int]:
    """Overall progress (mean percent of the activities not cancelled), budget and spending."""
    # .all(), not a new query: lists prefetch the activities.
    rows = [
        (a.percent, a.spent, a.budget) for a in plan.activities.all() if a.status != "cancelled"
    ]
    percent = round(sum(r[0] for r in rows) / len(rows)) if rows else 0
    return {
        "percent": percent,
        "spent": sum(r[1] for r in rows),
        "activity_budget": sum(r[2] for r in rows),
        "activities": len(rows),
    }


def meetings(user: Any, *, territory: Territory | None = None) -> QuerySet[Meeting]:
    qs = policy.scope_community(Meeting.objects.select_related("territory"), user)
    if territory is not None:
        qs = qs.filter(in_subtree("territory_id", territory.bounds))
    return qs


def meeting_for_view(user: Any, pk: Any) -> Meeting:
    return policy.get_community_or_404(
        Meeting.objects.select_related("territory").prefetch_related(
            "invitations", "decisions__activity__plan", "decisions__need", "decisions__plan"
        ),
        user,
        pk=pk,
    )


def attendance_counts(meeting: Meeting) -> dict[str, int]:
    """Attendees per actor group (every group present, zero when nobody came).

    Lists prefetch ``attendance`` (see ``attendance_prefetch``) and are counted without a query."""
    if "attendance" in getattr(meeting, "_prefetched_objects_cache", {}):
        counts: dict[str, int] = defaultdict(int)
        for row in meeting.attendance.all():
            counts[row.actor_group] += 1
    else:
        counts = dict(
            meeting.attendance.values("actor_group")
            .annotate(n=Count("id"))
            .values_list("actor_group", "n")
        )
    return {group.value: counts.get(group.value, 0) for group in ActorGroup}


def attendance_prefetch() -> Prefetch:
    """What a list of meetings prefetches for ``attendance_counts`` (the groups, not the names)."""
    return Prefetch("attendance", queryset=Attendance.objects.only("id", "meeting", "actor_group"))


def attendance_list(user: Any, meeting: Meeting) -> QuerySet[Attendance] | None:
    """The names of those present, for meeting managers only (None for everyone else)."""
    if not policy.can_act_on(user, Perm.MEETING_MANAGE, meeting):
        return None
    return meeting.attendance.all()


def comments(
    user: Any, target: Need | Proposal | Plan, *, include_hidden: bool = False
) -> QuerySet[Comment]:
    """Visible comments on a target; moderators may ask for hidden ones too."""
    kind = {Need: "need", Proposal: "proposal", Plan: "plan"}[type(target)]
    qs = Comment.objects.filter(**{kind: target}).select_related("author")
    if not (include_hidden and policy.can_act_on(user, Perm.COMMENT_MODERATE, target)):
        qs = qs.filter(hidden=False)
    return qs


def comment_for_moderation(user: Any, pk: Any) -> Comment:
    return policy.get_or_404(Comment.objects.all(), user, Perm.COMMENT_MODERATE, pk=pk)


@dataclass
class FundedItem:
    proposal: Proposal
    decision: Decision | None
    amount: int
    plan: Plan | None
    progress: dict[str, int]


def accountability(rw: Territory) -> list[FundedItem]:
    """Funded proposals of an RW (its own rounds, and kelurahan rounds' proposals placed in
    it), each with its decision and its plan's progress and spending. No personal data."""
    if rw.level != Level.RW:
        return []
    funded = (
        Proposal.objects.filter(in_subtree("territory_id", rw.bounds))
        .filter(results__outcome=Outcome.FUNDED)
        .select_related("round", "decision", "territory")
        .prefetch_related(
            Prefetch("plan__activities"),
            Prefetch(
                "results",
                queryset=RoundResult.objects.filter(outcome=Outcome.FUNDED),
                to_attr="funded_results",
            ),
        )
        .distinct()
        .order_by("-round__voting_until", "id")
    )
    items = []
    for proposal in funded:
        decision = getattr(proposal, "decision", None)
        plan = getattr(proposal, "plan", None)
        result = next(iter(getattr(proposal, "funded_results", [])), None)
        if decision is not None and decision.outcome == DecisionOutcome.REJECTED:
            amount = 0  # funded by the vote, rejected by the commissioning decision
        elif decision is not None and decision.approved_amount is not None:
            amount = decision.approved_amount
        else:
            amount = result.amount if result else 0
        items.append(
            FundedItem(
                proposal=proposal,
                decision=decision,
                amount=amount,
                plan=plan,
                progress=progress(plan) if plan is not None else {},
            )
        )
    return items


def spending_total(items: list[FundedItem]) -> dict[str, int]:
    return {
        "funded": sum(i.amount for i in items),
        "spent": sum(i.progress.get("spent", 0) for i in items),
    }


def comments_for_moderation(user: Any, *, hidden: bool | None = None) -> QuerySet[Comment]:
    """Comments a moderator may hide or restore (hidden ones included), newest first."""
    qs = policy.scope(
        Comment.objects.select_related(
            "author", "hidden_by", "territory", "need", "proposal", "plan"
        ),
        user,
        Perm.COMMENT_MODERATE,
    )
    if hidden is not None:
        qs = qs.filter(hidden=hidden)
    return qs.order_by("-created_at", "-id")
