"""Reads of co-commissioning, through the access policy.

Needs, proposals, rounds, results and decisions are community data: they are read with
``policy.scope_community`` (the kelurahan around a member's place; see core.policy). Ballots are
secret: the only vote a selector returns is the caller's own (``my_vote``), and vote totals only
exist once a round is closed (``results``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from siaga.core import policy
from siaga.core.policy import in_subtree
from siaga.core.roles import Perm
from siaga.territory.models import Territory

from .models import Decision, Need, Outcome, Proposal, Round, RoundResult, Vote
from .services import _person_key, on_ballot, voter_for


def needs(
    user: Any,
    *,
    territory: Territory | None = None,
    status: str = "",
    category: str = "",
) -> QuerySet[Need]:
    qs = policy.scope_community(
        Need.objects.select_related("territory").annotate(support_count=Count("supports")), user
    )
    if territory is not None:
        qs = qs.filter(in_subtree("territory_id", territory.bounds))
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("-support_count", "-created_at", "-id")


def need_for_view(user: Any, pk: Any) -> Need:
    return policy.get_community_or_404(
        Need.objects.select_related("territory", "merged_into").annotate(
            support_count=Count("supports")
        ),
        user,
        pk=pk,
    )


def supports(need: Need, user: Any) -> bool:
    """Does ``user`` support ``need``?"""
    return need.supports.filter(person_key=_person_key(user)[0]).exists()


def rounds(user: Any, *, territory: Territory | None = None) -> QuerySet[Round]:
    qs = policy.scope_community(Round.objects.select_related("territory"), user)
    if territory is not None:
        qs = qs.filter(in_subtree("territory_id", territory.bounds))
    return qs


def round_for_view(user: Any, pk: Any) -> Round:
    return policy.get_community_or_404(Round.objects.select_related("territory"), user, pk=pk)


def _proposal_qs() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "territory", "round", "round__territory", "assessment", "decision", "plan"
    ).prefetch_related("items", Prefetch("needs", queryset=Need.objects.only("id", "title")))


def proposals(
    user: Any, *, round: Round | None = None, territory: Territory | None = None
) -> QuerySet[Proposal]:
    qs = policy.scope_community(_proposal_qs(), user)
    if round is not None:
        qs = qs.filter(round=round)
    if territory is not None:
        qs = qs.filter(in_subtree("territory_id", territory.bounds))
    return qs


def proposal_for_view(user: Any, pk: Any) -> Proposal:
    return policy.get_community_or_404(_proposal_qs(), user, pk=pk)


def ballot(round_: Round) -> list[Proposal]:
    """The proposals residents may vote for: assessed feasible and not withdrawn."""
    qs = _proposal_qs().filter(round=round_).order_by("created_at", "id")
    return [p for p in qs if on_ballot(p)]


def my_vote(user: Any, round_: Round) -> Vote | None:
    """The caller's own ballot in this round, if they voted (nobody else's, ever)."""
    resident = voter_for(user, round_)
    if resident is None:
        return None
    return Vote.objects.filter(round=round_, resident=resident).first()


def results(round_: Round) -> list[RoundResult]:
    """Ranked totals: only once the round is closed (empty before)."""
    if round_.closed_at is None:
        return []
    return list(
        RoundResult.objects.filter(round=round_)
        .select_related("proposal", "proposal__territory", "proposal__decision")
        .order_by("rank")
    )


def decisions(user: Any, *, territory: Territory | None = None) -> QuerySet[Decision]:
    qs = policy.scope_community(
        Decision.objects.select_related("proposal", "territory", "proposal__plan"), user
    )
    if territory is not None:
        qs = qs.filter(in_subtree("territory_id", territory.bounds))
    return qs


def funded_result(proposal: Proposal) -> RoundResult | None:
    """The closed-round result that funded this proposal, if any (what a decision is about)."""
    return (
        RoundResult.objects.filter(proposal=proposal, outcome=Outcome.FUNDED)
        .select_related("round")
        .first()
    )


# ---------------------------------------------------------------- home page (siaga.home)


def proposals_to_assess(user: Any, *, today: dt.date) -> QuerySet[Proposal]:
    """Proposals in rounds now in their assessment phase with no feasibility assessment yet,
    where the user assesses (ROUND_MANAGE in their area)."""
    return policy.scope(
        Proposal.objects.select_related("territory", "round").filter(
            withdrawn=False,
            assessment__isnull=True,
            round__closed_at__isnull=True,
            round__proposals_until__lt=today,
            round__voting_from__gt=today,
        ),
        user,
        Perm.ROUND_MANAGE,
    ).order_by("round__voting_from", "id")


def open_votes(user: Any, *, today: dt.date) -> QuerySet[Round]:
    """Budget rounds of the user's community whose voting is open today."""
    return (
        rounds(user)
        .filter(closed_at__isnull=True, voting_from__lte=today, voting_until__gte=today)
        .order_by("voting_until", "id")
    )
