"""/api/v1 co-commissioning: needs, supports, proposals, rounds, votes, results, decisions.

Community data is readable by every member for the kelurahan around their place (a warga
too); writes need the matching permission on the object's territory. Anything out of reach
answers 404. Ballots are secret: ``GET /rounds/{id}/my-vote`` returns only the caller's own vote
and ``GET /rounds/{id}/results`` answers 409 ``round_open`` until the round is closed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from siaga.api.errors import ERRORS, ApiError, invalid
from siaga.api.pagination import Page, PageQuery, paginate
from siaga.core.roles import Perm
from siaga.territory.models import Territory
from siaga.territory.selectors import territory_param

from . import selectors, services
from .models import (
    Category,
    ContributionKind,
    Decision,
    DecisionOutcome,
    FundedBy,
    Need,
    NeedStatus,
    Proposal,
    Round,
    RoundResult,
    Urgency,
)

router = Router(tags=["co-commissioning"])

MAX_ID = 2**63 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _enum(values: list[str]) -> dict[str, Any]:
    return {"enum": values}


# ---------------------------------------------------------------- schemas


class NeedOut(Schema):
    id: int
    territory: str = Field(description="Code of the RT or RW.")
    category: str = Field(json_schema_extra=_enum(list(Category.values)))
    title: str
    description: str
    households_affected: int
    urgency: str = Field(json_schema_extra=_enum(list(Urgency.values)))
    status: str = Field(json_schema_extra=_enum(list(NeedStatus.values)))
    merged_into: int | None
    close_reason: str
    supports: int
    created_at: dt.datetime


class NeedIn(Schema):
    model_config = ConfigDict(extra="forbid")

    territory: str = Field(description="Code of your RT or RW.")
    category: str = Field(json_schema_extra=_enum(list(Category.values)))
    title: str
    description: str = ""
    households_affected: int = Field(0, ge=0, le=100_000)
    urgency: str = Field(Urgency.SEDANG, json_schema_extra=_enum(list(Urgency.values)))


class NeedQuery(PageQuery):
    territory: str = Field("", description="Only within this territory code.")
    status: str = Field("", json_schema_extra=_enum(["", *NeedStatus.values]))
    category: str = Field("", json_schema_extra=_enum(["", *Category.values]))


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    into: BodyId = Field(description="The need that stays; supports carry over to it.")


class CloseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str


class SupportOut(Schema):
    need: int
    supports: int
    supported: bool


class ItemIn(Schema):
    model_config = ConfigDict(extra="forbid")
    description: str
    quantity: int = Field(1, ge=1, le=1_000_000)
    unit_cost: int = Field(0, ge=0, le=10**13, description="Rupiah.")
    funded_by: str = Field(FundedBy.ENVELOPE, json_schema_extra=_enum(list(FundedBy.values)))
    kind: str = Field(
        ContributionKind.MONEY, json_schema_extra=_enum(list(ContributionKind.values))
    )
    stock_item: str = Field("", description="Lumbung pangan stock item, when drawn from it.")


class ItemOut(Schema):
    description: str
    quantity: int
    unit_cost: int
    total: int
    funded_by: str
    kind: str
    stock_item: str


class AssessmentOut(Schema):
    feasible: bool
    reason: str
    corrected_amount: int | None
    assessed_at: dt.datetime


class DecisionOut(Schema):
    id: int
    proposal: int
    outcome: str = Field(json_schema_extra=_enum(list(DecisionOutcome.values)))
    reason: str
    changes: str
    approved_amount: int | None
    decided_at: dt.datetime
    plan: int | None


class ProposalOut(Schema):
    id: int
    round: int | None
    territory: str
    title: str
    description: str
    location: str
    implementer: str
    community_contribution: str
    government_request: str
    needs: list[int]
    items: list[ItemOut]
    requested_amount: int = Field(description="Asked of the envelope (rupiah).")
    community_amount: int = Field(description="Contributed by the community (rupiah).")
    cost_estimate: int
    on_ballot: bool
    assessment: AssessmentOut | None
    decision: DecisionOut | None


class ProposalIn(Schema):
    model_config = ConfigDict(extra="forbid")
    round: BodyId | None = Field(None, description="The budget round (in its proposals phase).")
    territory: str = Field(description="Code of the place (within the round's area).")
    title: str
    description: str = ""
    location: str = ""
    implementer: str = ""
    community_contribution: str = ""
    government_request: str = ""
    needs: list[BodyId] = Field(default_factory=list)
    items: list[ItemIn]


class ProposalQuery(PageQuery):
    round: int | None = Field(None, ge=1, le=MAX_ID)
    territory: str = ""


class AssessmentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    feasible: bool
    reason: str
    corrected_amount: int | None = Field(None, ge=0, le=10**13)


class RoundOut(Schema):
    id: int
    territory: str
    title: str
    envelope_source: str
    envelope_amount: int
    proposals_until: dt.date
    assessment_until: dt.date
    voting_from: dt.date
    voting_until: dt.date
    phase: str = Field(
        json_schema_extra=_enum(
            ["usulan", "penilaian", "pemungutan_suara", "penghitungan", "hasil"]
        )
    )
    closed_at: dt.datetime | None


class RoundIn(Schema):
    model_config = ConfigDict(extra="forbid")
    territory: str = Field(description="Code of an RW or kelurahan.")
    title: str
    envelope_source: str = Field(examples=["Dana Kelurahan"])
    envelope_amount: int = Field(ge=0, le=10**13)
    proposals_until: dt.date
    assessment_until: dt.date
    voting_from: dt.date
    voting_until: dt.date


class RoundQuery(PageQuery):
    territory: str = ""


class VoteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    proposal: BodyId
    nik: str | None = Field(
        None,
        description="Community leaders recording a vote at a meeting: the voter's NIK. "
        "Leave out to vote (or change your vote) with your own resident account.",
    )


class VoteOut(Schema):
    round: int
    proposal: int = Field(description="Shown only to the voter themself.")
    channel: str
    changed: bool


class RecordedOut(Schema):
    round: int
    recorded: bool


class ResultOut(Schema):
    rank: int
    proposal: int
    title: str
    votes: int
    amount: int
    outcome: str = Field(json_schema_extra=_enum(["funded", "skipped", "no_votes"]))
    remaining_before: int
    remaining_after: int
    explanation: str


class ResultsOut(Schema):
    round: int
    envelope_amount: int
    funded_total: int
    total_votes: int
    results: list[ResultOut]


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(json_schema_extra=_enum(list(DecisionOutcome.values)))
    reason: str = Field(description="Shown to the community.")
    changes: str = ""
    approved_amount: int | None = Field(None, ge=0, le=10**13)


class DecisionQuery(PageQuery):
    territory: str = ""


# ---------------------------------------------------------------- shapes


def need_out(need: Need) -> dict[str, Any]:
    return {
        "id": need.pk,
        "territory": need.territory.code,
        "category": need.category,
        "title": need.title,
        "description": need.description,
        "households_affected": need.households_affected,
        "urgency": need.urgency,
        "status": need.status,
        "merged_into": need.merged_into_id,
        "close_reason": need.close_reason,
        # The lists annotate support_count; a zero count must not fall back to a query per row.
        "supports": (
            need.support_count if hasattr(need, "support_count") else need.supports.count()
        ),
        "created_at": need.created_at,
    }


def decision_out(decision: Decision) -> dict[str, Any]:
    plan = getattr(decision.proposal, "plan", None)
    return {
        "id": decision.pk,
        "proposal": decision.proposal_id,
        "outcome": decision.outcome,
        "reason": decision.reason,
        "changes": decision.changes,
        "approved_amount": decision.approved_amount,
        "decided_at": decision.decided_at,
        "plan": plan.pk if plan is not None else None,
    }


def proposal_out(proposal: Proposal) -> dict[str, Any]:
    assessment = getattr(proposal, "assessment", None)
    decision = getattr(proposal, "decision", None)
    return {
        "id": proposal.pk,
        "round": proposal.round_id,
        "territory": proposal.territory.code,
        "title": proposal.title,
        "description": proposal.description,
        "location": proposal.location,
        "implementer": proposal.implementer,
        "community_contribution": proposal.community_contribution,
        "government_request": proposal.government_request,
        "needs": [n.pk for n in proposal.needs.all()],
        "items": [
            {
                "description": i.description,
                "quantity": i.quantity,
                "unit_cost": i.unit_cost,
                "total": i.total,
                "funded_by": i.funded_by,
                "kind": i.kind,
                "stock_item": i.stock_item,
            }
            for i in proposal.items.all()
        ],
        "requested_amount": proposal.requested_amount,
        "community_amount": proposal.community_amount,
        "cost_estimate": proposal.cost_estimate,
        "on_ballot": services.on_ballot(proposal),
        "assessment": (
            {
                "feasible": assessment.feasible,
                "reason": assessment.reason,
                "corrected_amount": assessment.corrected_amount,
                "assessed_at": assessment.assessed_at,
            }
            if assessment is not None
            else None
        ),
        "decision": decision_out(decision) if decision is not None else None,
    }


def round_out(round_: Round) -> dict[str, Any]:
    return {
        "id": round_.pk,
        "territory": round_.territory.code,
        "title": round_.title,
        "envelope_source": round_.envelope_source,
        "envelope_amount": round_.envelope_amount,
        "proposals_until": round_.proposals_until,
        "assessment_until": round_.assessment_until,
        "voting_from": round_.voting_from,
        "voting_until": round_.voting_until,
        "phase": round_.phase(),
        "closed_at": round_.closed_at,
    }


def result_out(result: RoundResult) -> dict[str, Any]:
    return {
        "rank": result.rank,
        "proposal": result.proposal_id,
        "title": result.proposal.title,
        "votes": result.votes,
        "amount": result.amount,
        "outcome": result.outcome,
        "remaining_before": result.remaining_before,
        "remaining_after": result.remaining_after,
        "explanation": services.explain(result),
    }


# ---------------------------------------------------------------- needs


@router.get("/needs", response={200: Page[NeedOut], **ERRORS})
def list_needs(request: HttpRequest, filters: Query[NeedQuery]) -> dict[str, Any]:
    """Needs of the caller's kelurahan (or wider area), most supported first."""
    qs = selectors.needs(
        request.user,
        territory=territory_param(request.user, Perm.COMMUNITY_VIEW, filters.territory),
        status=filters.status,
        category=filters.category,
    )
    page = paginate(qs, filters.limit, filters.offset)
    page["items"] = [need_out(n) for n in page["items"]]
    return page


@router.post("/needs", response={201: NeedOut, **ERRORS})
def create_need(request: HttpRequest, payload: NeedIn) -> Status[dict[str, Any]]:
    """Record a need for your RT or RW (warga: the RT/RW you live in)."""
    territory = Territory.objects.filter(code=payload.territory.strip()).first()
    need = services.raise_need(
        actor=request.user, territory=territory, data=payload.model_dump(exclude={"territory"})
    )
    return Status(201, need_out(selectors.need_for_view(request.user, need.pk)))


@router.get("/needs/{need_id}", response={200: NeedOut, **ERRORS})
def get_need(request: HttpRequest, need_id: Id) -> dict[str, Any]:
    return need_out(selectors.need_for_view(request.user, need_id))


def _support_out(request: HttpRequest, need_id: int) -> dict[str, Any]:
    need = selectors.need_for_view(request.user, need_id)
    return {
        "need": need.pk,
        "supports": need.support_count,  # type: ignore[attr-defined]
        "supported": selectors.supports(need, request.user),
    }


@router.post("/needs/{need_id}/supports", response={201: SupportOut, **ERRORS})
def support_need(request: HttpRequest, need_id: Id) -> Status[dict[str, Any]]:
    """Support a need (once per person: a second support answers 422)."""
    need = selectors.need_for_view(request.user, need_id)
    services.support_need(actor=request.user, need=need)
    return Status(201, _support_out(request, need_id))


@router.delete("/needs/{need_id}/supports", response={200: SupportOut, **ERRORS})
def withdraw_support(request: HttpRequest, need_id: Id) -> dict[str, Any]:
    need = selectors.need_for_view(request.user, need_id)
    services.withdraw_support(actor=request.user, need=need)
    return _support_out(request, need_id)


@router.post("/needs/{need_id}/merge", response={200: NeedOut, **ERRORS})
def merge_need(request: HttpRequest, need_id: Id, payload: MergeIn) -> dict[str, Any]:
    """Merge this duplicate into another need (community leaders, facilitators)."""
    duplicate = selectors.need_for_view(request.user, need_id)
    try:
        into = selectors.need_for_view(request.user, payload.into)
    except Http404:
        raise invalid({"into": [_("Unknown need, or outside your area.")]}) from None
    target = services.merge_needs(actor=request.user, duplicate=duplicate, into=into)
    return need_out(selectors.need_for_view(request.user, target.pk))


@router.post("/needs/{need_id}/close", response={200: NeedOut, **ERRORS})
def close_need(request: HttpRequest, need_id: Id, payload: CloseIn) -> dict[str, Any]:
    need = selectors.need_for_view(request.user, need_id)
    services.close_need(actor=request.user, need=need, reason=payload.reason)
    return need_out(selectors.need_for_view(request.user, need_id))


# ---------------------------------------------------------------- proposals


@router.get("/proposals", response={200: Page[ProposalOut], **ERRORS})
def list_proposals(request: HttpRequest, filters: Query[ProposalQuery]) -> dict[str, Any]:
    round_ = selectors.round_for_view(request.user, filters.round) if filters.round else None
    qs = selectors.proposals(
        request.user,
        round=round_,
        territory=territory_param(request.user, Perm.COMMUNITY_VIEW, filters.territory),
    ).order_by("-created_at", "-id")
    page = paginate(qs, filters.limit, filters.offset)
    page["items"] = [proposal_out(p) for p in page["items"]]
    return page


@router.post("/proposals", response={201: ProposalOut, **ERRORS})
def create_proposal(request: HttpRequest, payload: ProposalIn) -> Status[dict[str, Any]]:
    """Submit a proposal answering needs, with cost items split between the envelope and what
    the community contributes."""
    round_ = None
    if payload.round is not None:
        try:
            round_ = selectors.round_for_view(request.user, payload.round)
        except Http404:
            raise invalid({"round": [_("Unknown budget round.")]}) from None
    needs = list(selectors.needs(request.user).filter(pk__in=payload.needs))
    if len(needs) != len(set(payload.needs)):
        raise invalid({"needs": [_("Unknown need, or outside your area.")]})
    proposal = services.submit_proposal(
        actor=request.user,
        territory=Territory.objects.filter(code=payload.territory.strip()).first(),
        round=round_,
        needs=needs,
        data=payload.model_dump(exclude={"round", "territory", "needs"}),
    )
    return Status(201, proposal_out(selectors.proposal_for_view(request.user, proposal.pk)))


@router.get("/proposals/{proposal_id}", response={200: ProposalOut, **ERRORS})
def get_proposal(request: HttpRequest, proposal_id: Id) -> dict[str, Any]:
    return proposal_out(selectors.proposal_for_view(request.user, proposal_id))


@router.put("/proposals/{proposal_id}/assessment", response={200: ProposalOut, **ERRORS})
def assess_proposal(request: HttpRequest, proposal_id: Id, payload: AssessmentIn) -> dict[str, Any]:
    """The facilitator's feasibility assessment (until voting opens)."""
    proposal = selectors.proposal_for_view(request.user, proposal_id)
    services.assess_proposal(actor=request.user, proposal=proposal, **payload.model_dump())
    return proposal_out(selectors.proposal_for_view(request.user, proposal_id))


@router.get("/decisions", response={200: Page[DecisionOut], **ERRORS})
def list_decisions(request: HttpRequest, filters: Query[DecisionQuery]) -> dict[str, Any]:
    qs = selectors.decisions(
        request.user,
        territory=territory_param(request.user, Perm.COMMUNITY_VIEW, filters.territory),
    )
    page = paginate(qs, filters.limit, filters.offset)
    page["items"] = [decision_out(d) for d in page["items"]]
    return page


# ---------------------------------------------------------------- rounds


@router.get("/rounds", response={200: Page[RoundOut], **ERRORS})
def list_rounds(request: HttpRequest, filters: Query[RoundQuery]) -> dict[str, Any]:
    qs = selectors.rounds(
        request.user,
        territory=territory_param(request.user, Perm.COMMUNITY_VIEW, filters.territory),
    )
    page = paginate(qs, filters.limit, filters.offset)
    page["items"] = [round_out(r) for r in page["items"]]
    return page


@router.post("/rounds", response={201: RoundOut, **ERRORS})
def create_round(request: HttpRequest, payload: RoundIn) -> Status[dict[str, Any]]:
    """Open a participatory budget round for an RW or kelurahan (facilitators)."""
    round_ = services.create_round(
        actor=request.user,
        territory=Territory.objects.filter(code=payload.territory.strip()).first(),
        data=payload.model_dump(exclude={"territory"}),
    )
    return Status(201, round_out(round_))


@router.get("/rounds/{round_id}", response={200: RoundOut, **ERRORS})
def get_round(request: HttpRequest, round_id: Id) -> dict[str, Any]:
    return round_out(selectors.round_for_view(request.user, round_id))


@router.get("/rounds/{round_id}/ballot", response={200: list[ProposalOut], **ERRORS})
def get_ballot(request: HttpRequest, round_id: Id) -> list[dict[str, Any]]:
    """The proposals on the ballot (assessed feasible), without any vote counts."""
    round_ = selectors.round_for_view(request.user, round_id)
    return [proposal_out(p) for p in selectors.ballot(round_)]


@router.post("/rounds/{round_id}/votes", response={200: VoteOut, 201: RecordedOut, **ERRORS})
def vote(request: HttpRequest, round_id: Id, payload: VoteIn) -> Any:
    """Vote with your own resident account (again to change it while voting is open), or, as
    a community leader at a meeting, record a resident's vote by NIK (answers only that the
    vote was recorded). One vote per eligible resident per round."""
    round_ = selectors.round_for_view(request.user, round_id)
    try:
        proposal = selectors.proposals(request.user, round=round_).get(pk=payload.proposal)
    except Proposal.DoesNotExist:
        raise invalid({"proposal": [_("This proposal is not on the ballot.")]}) from None
    if payload.nik:
        services.record_vote(actor=request.user, round=round_, proposal=proposal, nik=payload.nik)
        return Status(201, {"round": round_.pk, "recorded": True})
    vote = services.cast_vote(actor=request.user, round=round_, proposal=proposal)
    return Status(
        200,
        {
            "round": round_.pk,
            "proposal": vote.proposal_id,
            "channel": vote.channel,
            "changed": vote.changed_at is not None,
        },
    )


@router.get("/rounds/{round_id}/my-vote", response={200: VoteOut, **ERRORS})
def my_vote(request: HttpRequest, round_id: Id) -> dict[str, Any]:
    """Your own vote in this round (404 when you have not voted). Nobody else's is shown."""
    round_ = selectors.round_for_view(request.user, round_id)
    vote = selectors.my_vote(request.user, round_)
    if vote is None:
        raise Http404("not found")
    return {
        "round": round_.pk,
        "proposal": vote.proposal_id,
        "channel": vote.channel,
        "changed": vote.changed_at is not None,
    }


@router.post("/rounds/{round_id}/close", response={200: ResultsOut, **ERRORS})
def close_round(request: HttpRequest, round_id: Id) -> dict[str, Any]:
    """End voting, count and fund greedily in rank order (facilitators)."""
    round_ = selectors.round_for_view(request.user, round_id)
    services.close_round(actor=request.user, round=round_)
    return results_out(round_)


def results_out(round_: Round) -> dict[str, Any]:
    rows = selectors.results(round_)
    return {
        "round": round_.pk,
        "envelope_amount": round_.envelope_amount,
        "funded_total": sum(r.amount for r in rows if r.funded),
        "total_votes": sum(r.votes for r in rows),
        "results": [result_out(r) for r in rows],
    }


@router.get("/rounds/{round_id}/results", response={200: ResultsOut, 409: Any, **ERRORS})
def round_results(request: HttpRequest, round_id: Id) -> dict[str, Any]:
    """Ranked totals and the funding explanation: only after the round is closed (409
    ``round_open`` before)."""
    round_ = selectors.round_for_view(request.user, round_id)
    if round_.closed_at is None:
        raise ApiError(409, "round_open", _("Totals are published when the round closes."))
    return results_out(round_)
