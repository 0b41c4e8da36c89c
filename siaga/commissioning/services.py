"""Writes of co-commissioning: needs, supports, proposals, rounds, assessments, votes, decisions.

Every function takes the acting user, checks the access policy (out of reach → Http404), runs in
one transaction and records the act in the contribution ledger (phase co-commissioning). Input
that cannot be accepted raises ``ValidationFailed`` and writes nothing.

Secret ballot: a vote's proposal is written only to the ``Vote`` row. The contribution ledger and
the audit trail name the round, never the proposal chosen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.accounts.models import User
from siaga.core import audit, policy
from siaga.core.contributions import record_contribution
from siaga.core.errors import ErrorCollector, ValidationFailed
from siaga.core.models import ActorGroup, AuditAction, Phase
from siaga.core.roles import Perm
from siaga.registry.identity import IdentityError, age_on, clean_digits, decode_nik
from siaga.registry.models import DomicileStatus, Resident
from siaga.territory.models import Level, Territory

from .models import (
    Assessment,
    Category,
    ContributionKind,
    Decision,
    DecisionOutcome,
    FundedBy,
    Need,
    NeedStatus,
    Outcome,
    Proposal,
    ProposalItem,
    Round,
    RoundPhase,
    RoundResult,
    Support,
    Urgency,
    Vote,
    VoteChannel,
)

VOTING_AGE = 17
CC = Phase.CO_COMMISSIONING


def _text(value: Any) -> str:
    return str(value or "").strip()


def _amount(value: Any, field: str, errors: ErrorCollector, *, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return None
    try:
        amount = int(value)
    except (TypeError, ValueError):
        errors.add(field, _("Enter a whole number of rupiah."))
        return None
    if amount < 0:
        errors.add(field, _("Enter an amount of at least 0."))
        return None
    return amount


def _date(value: Any, field: str, errors: ErrorCollector) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors.add(field, _("Enter a date as YYYY-MM-DD."))
        return None


def _person_key(actor: Any) -> tuple[str, int | None]:
    """A stable key for the person behind ``actor``: their resident when they are a warga."""
    places = policy.residence_places(actor)
    if places:
        return f"resident:{places[0][0]}", places[0][0]
    return f"user:{actor.pk}", None


# ---------------------------------------------------------------- needs


def may_raise_at(actor: Any, territory: Territory) -> bool:
    """Members raise needs in their area; a warga for their own RT or RW."""
    if territory.level not in (Level.RT, Level.RW):
        return False
    if policy.covers_territory(actor, Perm.NEEDS_RAISE, territory.id):
        return True
    return any(territory.id in (rt, rw) for _r, rt, rw in policy.residence_places(actor))


def raise_need(*, actor: Any, territory: Territory | None, data: dict[str, Any]) -> Need:
    errors = ErrorCollector()
    if territory is None or not may_raise_at(actor, territory):
        errors.add("territory", _("Choose your RT or RW."))
    category = _text(data.get("category"))
    if category not in Category.values:
        errors.add("category", _("Choose one of: %(values)s") % {"values": ", ".join(Category)})
    title = _text(data.get("title"))
    if not title:
        errors.add("title", _("This field is required."))
    elif len(title) > 150:
        errors.add("title", _("At most %(limit)s characters.") % {"limit": 150})
    urgency = _text(data.get("urgency")) or Urgency.SEDANG
    if urgency not in Urgency.values:
        errors.add("urgency", _("Choose one of: %(values)s") % {"values": ", ".join(Urgency)})
    households = _amount(data.get("households_affected") or 0, "households_affected", errors)
    errors.raise_if_any()
    assert territory is not None
    with transaction.atomic():
        need = Need.objects.create(
            territory=territory,
            category=category,
            title=title,
            description=_text(data.get("description")),
            households_affected=households or 0,
            urgency=urgency,
            raised_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        photo = data.get("photo")
        if photo:
            need.photo.save(getattr(photo, "name", "photo.jpg"), photo, save=True)
        person_key, _resident = _person_key(actor)
        record_contribution(
            actor=actor,
            phase=CC,
            kind="need.raise",
            territory_id=territory.id,
            obj=need,
            person_key=person_key,
        )
    return need


def _readable(actor: Any, obj: Any) -> None:
    if not policy.can_read_community(actor, obj):
        raise Http404("not found")


def support_need(*, actor: Any, need: Need) -> Support:
    """One support per person; a second one is refused (the database enforces it)."""
    _readable(actor, need)
    policy.require_somewhere(actor, Perm.NEEDS_RAISE)
    if need.status != NeedStatus.OPEN:
        raise ValidationFailed.single("__all__", _("This need is no longer open."))
    person_key, resident_id = _person_key(actor)
    try:
        with transaction.atomic():
            support = Support.objects.create(
                need=need, user=actor, resident_id=resident_id, person_key=person_key
            )
            record_contribution(
                actor=actor,
                phase=CC,
                kind="need.support",
                territory_id=need.territory_id,
                obj=need,
                person_key=person_key,
            )
    except IntegrityError:
        raise ValidationFailed.single("__all__", _("You already support this need.")) from None
    return support


def withdraw_support(*, actor: Any, need: Need) -> None:
    _readable(actor, need)
    person_key, _resident = _person_key(actor)
    Support.objects.filter(need=need, person_key=person_key).delete()


def merge_needs(*, actor: Any, duplicate: Need, into: Need) -> Need:
    """Merge a duplicate into another need: its supports carry over (once per person)."""
    policy.require(actor, Perm.PROPOSAL_MANAGE, duplicate)
    if not policy.can_act_on(actor, Perm.PROPOSAL_MANAGE, into):
        raise ValidationFailed.single("into", _("Unknown need, or outside your area."))
    if duplicate.pk == into.pk:
        raise ValidationFailed.single("into", _("A need cannot be merged into itself."))
    if duplicate.status != NeedStatus.OPEN or into.status != NeedStatus.OPEN:
        raise ValidationFailed.single("into", _("Only open needs can be merged."))
    with transaction.atomic():
        held = set(Support.objects.filter(need=into).values_list("person_key", flat=True))
        supports = Support.objects.select_for_update().filter(need=duplicate)
        supports.exclude(person_key__in=held).update(need=into)
        Support.objects.filter(need=duplicate).delete()
        for proposal in duplicate.proposals.all():
            proposal.needs.add(into)
        duplicate.status = NeedStatus.MERGED
        duplicate.merged_into = into
        duplicate.closed_at = timezone.now()
        duplicate.closed_by = actor
        duplicate.save(update_fields=["status", "merged_into", "closed_at", "closed_by"])
        record_contribution(
            actor=actor, phase=CC, kind="need.merge", territory_id=into.territory_id, obj=into
        )
    return into


def close_need(*, actor: Any, need: Need, reason: str) -> Need:
    policy.require(actor, Perm.PROPOSAL_MANAGE, need)
    reason = _text(reason)
    if not reason:
        raise ValidationFailed.single("reason", _("Say why the need is closed."))
    if need.status != NeedStatus.OPEN:
        raise ValidationFailed.single("__all__", _("This need is no longer open."))
    with transaction.atomic():
        need.status = NeedStatus.CLOSED
        need.close_reason = reason
        need.closed_at = timezone.now()
        need.closed_by = actor
        need.save(update_fields=["status", "close_reason", "closed_at", "closed_by", "updated_at"])
        record_contribution(
            actor=actor, phase=CC, kind="need.close", territory_id=need.territory_id, obj=need
        )
    return need


def update_need(*, actor: Any, need: Need, data: dict[str, Any]) -> Need:
    """Change urgency, households affected or description (e.g. by a meeting decision)."""
    policy.require(actor, Perm.PROPOSAL_MANAGE, need)
    errors = ErrorCollector()
    fields: list[str] = []
    if "urgency" in data:
        if data["urgency"] not in Urgency.values:
            errors.add("urgency", _("Choose one of: %(values)s") % {"values": ", ".join(Urgency)})
        need.urgency = data["urgency"]
        fields.append("urgency")
    if "households_affected" in data:
        need.households_affected = (
            _amount(data["households_affected"], "households_affected", errors) or 0
        )
        fields.append("households_affected")
    if "description" in data:
        need.description = _text(data["description"])
        fields.append("description")
    errors.raise_if_any()
    with transaction.atomic():
        need.save(update_fields=[*fields, "updated_at"])
        record_contribution(
            actor=actor, phase=CC, kind="need.update", territory_id=need.territory_id, obj=need
        )
    return need


# ---------------------------------------------------------------- rounds


ROUND_FIELDS = (
    "title",
    "envelope_source",
    "envelope_amount",
    "proposals_until",
    "assessment_until",
    "voting_from",
    "voting_until",
)


def _clean_round(data: dict[str, Any], errors: ErrorCollector) -> dict[str, Any]:
    """Title, envelope and the four phase dates, which must follow each other."""
    title = _text(data.get("title"))
    if not title:
        errors.add("title", _("This field is required."))
    elif len(title) > 150:
        errors.add("title", _("At most %(limit)s characters.") % {"limit": 150})
    source = _text(data.get("envelope_source"))
    if not source:
        errors.add("envelope_source", _("This field is required."))
    elif len(source) > 150:
        errors.add("envelope_source", _("At most %(limit)s characters.") % {"limit": 150})
    envelope = _amount(data.get("envelope_amount"), "envelope_amount", errors)
    dates = {
        name: _date(data.get(name), name, errors)
        for name in ("proposals_until", "assessment_until", "voting_from", "voting_until")
    }
    if all(dates.values()):
        ordered = [dates[n] for n in dates]
        if ordered != sorted(ordered):  # type: ignore[type-var]
            errors.add(
                "voting_from",
                _("The phases must follow each other: proposals, assessment, then voting."),
            )
    return {"title": title, "envelope_source": source, "envelope_amount": envelope, **dates}


def create_round(*, actor: Any, territory: Territory | None, data: dict[str, Any]) -> Round:
    errors = ErrorCollector()
    if territory is None or not policy.covers_territory(actor, Perm.ROUND_MANAGE, territory.id):
        errors.add("territory", _("Unknown territory, or outside your area."))
    elif territory.level not in (Level.KELURAHAN, Level.RW):
        errors.add("territory", _("A budget round belongs to an RW or a kelurahan."))
    cleaned = _clean_round(data, errors)
    errors.raise_if_any()
    assert territory is not None
    with transaction.atomic():
        round_ = Round.objects.create(territory=territory, created_by=actor, **cleaned)
        record_contribution(
            actor=actor, phase=CC, kind="round.create", territory_id=territory.id, obj=round_
        )
    return round_


def update_round(*, actor: User, round: Round, data: dict[str, Any]) -> Round:
    """Change a round's title, envelope or phase dates until it is closed (place is fixed).

    Every field is given again (as on the edit page); the change is audited field by field.
    """
    policy.require(actor, Perm.ROUND_MANAGE, round)
    errors = ErrorCollector()
    cleaned = _clean_round(data, errors)
    errors.raise_if_any()
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round.pk)
        if round_.closed_at is not None:
            raise ValidationFailed.single("__all__", _("A closed round can no longer change."))
        changes = audit.audited_update(
            actor=actor,
            obj=round_,
            changes=cleaned,
            fields=ROUND_FIELDS,
            territory_id=round_.territory_id,
            summary=f"budget round {round_.pk} changed",
        )
        if changes:
            record_contribution(
                actor=actor,
                phase=CC,
                kind="round.update",
                territory_id=round_.territory_id,
                obj=round_,
            )
    return round_


# ---------------------------------------------------------------- proposals


def _clean_items(items: Any, errors: ErrorCollector) -> list[dict[str, Any]]:
    cleaned = []
    for index, item in enumerate(items or []):
        field = f"items.{index}"
        description = _text(item.get("description"))
        if not description:
            errors.add(field, _("Describe the item."))
        try:
            quantity = int(item.get("quantity") or 1)
        except (TypeError, ValueError):
            quantity = 0
        if quantity < 1:
            errors.add(field, _("The quantity must be at least 1."))
        unit_cost = _amount(item.get("unit_cost") or 0, field, errors) or 0
        funded_by = item.get("funded_by") or FundedBy.ENVELOPE
        if funded_by not in FundedBy.values:
            errors.add(field, _("Choose one of: %(values)s") % {"values": ", ".join(FundedBy)})
        kind = item.get("kind") or ContributionKind.MONEY
        if kind not in ContributionKind.values:
            errors.add(
                field, _("Choose one of: %(values)s") % {"values": ", ".join(ContributionKind)}
            )
        cleaned.append(
            {
                "description": description[:200],
                "quantity": quantity,
                "unit_cost": unit_cost,
                "funded_by": funded_by,
                "kind": kind,
                "stock_item": _text(item.get("stock_item"))[:150],
            }
        )
    return cleaned


def submit_proposal(
    *,
    actor: Any,
    territory: Territory | None,
    round: Round | None,
    needs: list[Need],
    data: dict[str, Any],
    today: dt.date | None = None,
) -> Proposal:
    errors = ErrorCollector()
    if territory is None or not policy.covers_territory(actor, Perm.PROPOSAL_MANAGE, territory.id):
        errors.add("territory", _("Unknown territory, or outside your area."))
    if round is not None:
        if not policy.can_read_community(actor, round):
            errors.add("round", _("Unknown budget round."))
        elif round.phase(today) != RoundPhase.PROPOSALS:
            errors.add("round", _("This round no longer accepts proposals."))
        elif territory is not None and not round.territory.contains(territory):
            errors.add("territory", _("The place must lie within the round's area."))
    for need in needs:
        if not policy.can_read_community(actor, need) or need.status != NeedStatus.OPEN:
            errors.add("needs", _("Need %(id)s is unknown or no longer open.") % {"id": need.pk})
    title = _text(data.get("title"))
    if not title:
        errors.add("title", _("This field is required."))
    items = _clean_items(data.get("items"), errors)
    if not items:
        errors.add("items", _("Add at least one cost item."))
    errors.raise_if_any()
    assert territory is not None
    with transaction.atomic():
        proposal = Proposal.objects.create(
            round=round,
            territory=territory,
            title=title[:150],
            description=_text(data.get("description")),
            location=_text(data.get("location"))[:255],
            implementer=_text(data.get("implementer"))[:255],
            community_contribution=_text(data.get("community_contribution")),
            government_request=_text(data.get("government_request")),
            requested_amount=sum(
                i["quantity"] * i["unit_cost"] for i in items if i["funded_by"] == FundedBy.ENVELOPE
            ),
            community_amount=sum(
                i["quantity"] * i["unit_cost"]
                for i in items
                if i["funded_by"] == FundedBy.COMMUNITY
            ),
            created_by=actor,
        )
        ProposalItem.objects.bulk_create([ProposalItem(proposal=proposal, **i) for i in items])
        proposal.needs.set(needs)
        record_contribution(
            actor=actor, phase=CC, kind="proposal.submit", territory_id=territory.id, obj=proposal
        )
    return proposal


def assess_proposal(
    *,
    actor: Any,
    proposal: Proposal,
    feasible: bool,
    reason: str,
    corrected_amount: Any = None,
    today: dt.date | None = None,
) -> Assessment:
    """The facilitator's feasibility assessment; it can be revised until voting opens."""
    round_ = proposal.round
    if round_ is None or not policy.can_act_on(actor, Perm.ROUND_MANAGE, round_):
        raise Http404("not found")
    errors = ErrorCollector()
    if round_.phase(today) not in (RoundPhase.PROPOSALS, RoundPhase.ASSESSMENT):
        errors.add("__all__", _("Voting has opened: assessments can no longer change."))
    if not _text(reason):
        errors.add("reason", _("Give the reason for the assessment."))
    amount = _amount(corrected_amount, "corrected_amount", errors, required=False)
    errors.raise_if_any()
    with transaction.atomic():
        assessment, _created = Assessment.objects.update_or_create(
            proposal=proposal,
            defaults={
                "feasible": bool(feasible),
                "reason": _text(reason),
                "corrected_amount": amount,
                "assessed_by": actor,
                "assessed_at": timezone.now(),
            },
        )
        record_contribution(
            actor=actor,
            phase=CC,
            kind="proposal.assess",
            territory_id=proposal.territory_id,
            obj=proposal,
        )
    return assessment


# ---------------------------------------------------------------- voting


def eligibility_problems(resident: Resident, round_: Round, on: dt.date) -> list[str]:
    """Why ``resident`` may not vote in ``round_`` on day ``on`` (empty: eligible).

    Eligible: lives in the round's territory, has a valid NIK, is at least 17 on the voting day
    and has domicile tetap. The recorded birth date is authoritative; only when none is
    recorded is the date inside the NIK used.
    """
    problems = []
    if not round_.territory.contains(resident.rt_id):
        problems.append(
            _("Not a resident of %(place)s.") % {"place": round_.territory.display_name}
        )
    info = None
    if not resident.nik:
        problems.append(_("No NIK is recorded."))
    else:
        try:
            info = decode_nik(resident.nik, today=on)
        except IdentityError:
            problems.append(_("The recorded NIK is not valid."))
    birth = resident.birth_date or (info.birth_date if info else None)
    if birth is None:
        problems.append(_("The birth date is unknown."))
    elif age_on(birth, on) < VOTING_AGE:
        problems.append(_("Younger than %(age)d on the voting day.") % {"age": VOTING_AGE})
    if resident.status != DomicileStatus.TETAP:
        problems.append(_("Domicile is not tetap (permanent)."))
    return problems


def _lock_round_for_voting(round_: Round) -> Round:
    """Hold the round against closing while this vote is written (FOR SHARE on PostgreSQL:
    votes do not wait for each other, only a close waits for them). SQLite serialises writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM commissioning_round WHERE id = %s FOR SHARE", [round_.pk]
            )
    return Round.objects.select_related("territory").get(pk=round_.pk)


def _check_ballot(round_: Round, proposal: Proposal, today: dt.date | None) -> None:
    if round_.phase(today) != RoundPhase.VOTING:
        raise ValidationFailed.single("__all__", _("Voting is not open in this round."))
    if proposal.round_id != round_.pk or not on_ballot(proposal):
        raise ValidationFailed.single("proposal", _("This proposal is not on the ballot."))


def on_ballot(proposal: Proposal) -> bool:
    assessment = getattr(proposal, "assessment", None)
    return not proposal.withdrawn and assessment is not None and assessment.feasible


def voter_for(actor: Any, round_: Round) -> Resident | None:
    """The resident a warga account votes as in this round (lives in the round's territory)."""
    for resident_id, rt_key, _rw in policy.residence_places(actor):
        if round_.territory.contains(rt_key):
            return Resident.objects.get(pk=resident_id)
    return None


def cast_vote(
    *, actor: Any, round: Round, proposal: Proposal, today: dt.date | None = None
) -> Vote:
    """A resident votes with their own account, or changes their vote while voting is open."""
    if not policy.can_read_community(actor, round):
        raise Http404("not found")
    resident = voter_for(actor, round)
    if resident is None:
        raise ValidationFailed.single(
            "__all__", _("Your account is not linked to a resident of this round's area.")
        )
    day = today or timezone.localdate()
    with transaction.atomic():
        round_ = _lock_round_for_voting(round)
        _check_ballot(round_, proposal, day)
        problems = eligibility_problems(resident, round_, day)
        if problems:
            raise ValidationFailed({"__all__": problems})
        try:
            with transaction.atomic():
                vote = Vote.objects.create(
                    round=round_,
                    resident=resident,
                    proposal=proposal,
                    channel=VoteChannel.ACCOUNT,
                    recorded_by=actor,
                )
        except IntegrityError:
            # Already voted (perhaps a moment ago, in a parallel request): change the vote.
            vote = Vote.objects.select_for_update().get(round=round_, resident=resident)
            vote.proposal = proposal
            vote.changed_at = timezone.now()
            vote.save(update_fields=["proposal", "changed_at"])
            return vote
        record_contribution(
            actor=actor,
            phase=CC,
            kind="vote.cast",
            territory_id=resident.rt_id,
            obj=round_,  # never the proposal: the ballot is secret
            actor_group=ActorGroup.RESIDENT,
            person_key=f"resident:{resident.pk}",
        )
    return vote


def record_vote(
    *, actor: Any, round: Round, proposal: Proposal, nik: str, today: dt.date | None = None
) -> Vote:
    """A community leader records, at a meeting, the vote of a resident identified by NIK.

    The act is the resident's (contribution group "resident"); the recorder is audited. A
    resident who already voted is refused: a recorded vote never overwrites a ballot.
    """
    if not policy.can_read_community(actor, round):
        raise Http404("not found")
    policy.require_somewhere(actor, Perm.VOTE_RECORD)
    digits = clean_digits(nik or "")
    resident = Resident.objects.filter(nik=digits).first() if digits else None
    if resident is None or not policy.covers_territory(actor, Perm.VOTE_RECORD, resident.rt_id):
        raise ValidationFailed.single("nik", _("No resident with this NIK in your area."))
    day = today or timezone.localdate()
    with transaction.atomic():
        round_ = _lock_round_for_voting(round)
        _check_ballot(round_, proposal, day)
        problems = eligibility_problems(resident, round_, day)
        if problems:
            raise ValidationFailed({"nik": problems})
        try:
            with transaction.atomic():
                vote = Vote.objects.create(
                    round=round_,
                    resident=resident,
                    proposal=proposal,
                    channel=VoteChannel.MEETING,
                    recorded_by=actor,
                )
        except IntegrityError:
            raise ValidationFailed.single(
                "nik", _("This resident has already voted in this round.")
            ) from None
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="commissioning.vote",
            object_id=vote.pk,
            territory_id=resident.rt_id,
            summary=f"vote recorded at a meeting for resident {resident.pk} in round {round_.pk}",
            changes={"round": round_.pk, "resident": resident.pk},
        )
        record_contribution(
            actor=actor,
            phase=CC,
            kind="vote.cast",
            territory_id=resident.rt_id,
            obj=round_,
            actor_group=ActorGroup.RESIDENT,
            person_key=f"resident:{resident.pk}",
        )
    return vote


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Step:
    proposal_id: int
    votes: int
    rank: int
    amount: int
    outcome: str
    remaining_before: int
    remaining_after: int


def allocate(envelope: int, ranked: list[tuple[int, int, int]]) -> list[Step]:
    """Greedy funding in rank order. ``ranked`` is [(proposal id, votes, amount)], best first.

    Each proposal is funded while the envelope allows; one that does not fit in what is left is
    skipped and the next one is tried. A proposal without votes is not funded.
    """
    remaining = envelope
    steps = []
    for rank, (proposal_id, votes, amount) in enumerate(ranked, start=1):
        before = remaining
        if votes <= 0:
            outcome = Outcome.NO_VOTES
        elif amount <= remaining:
            outcome = Outcome.FUNDED
            remaining -= amount
        else:
            outcome = Outcome.SKIPPED
        steps.append(Step(proposal_id, votes, rank, amount, outcome, before, remaining))
    return steps


def close_round(*, actor: Any, round: Round, today: dt.date | None = None) -> list[RoundResult]:
    """End voting, count the votes, rank the proposals and fund them greedily.

    ``actor`` None is the console acting as the system (``siaga round close``)."""
    if actor is not None:
        policy.require(actor, Perm.ROUND_MANAGE, round)
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round.pk)
        if round_.closed_at is not None:
            raise ValidationFailed.single("__all__", _("This round is already closed."))
        if round_.phase(today) not in (RoundPhase.VOTING, RoundPhase.COUNTING):
            raise ValidationFailed.single("__all__", _("Voting has not started in this round."))
        counts = dict(
            Vote.objects.filter(round=round_)
            .values("proposal")
            .annotate(n=Count("id"))
            .values_list("proposal", "n")
        )
        ballot = [
            p
            for p in Proposal.objects.filter(round=round_).select_related("assessment")
            if on_ballot(p)
        ]
        # Most votes first; on a tie, the earlier proposal first.
        ballot.sort(key=lambda p: (-counts.get(p.pk, 0), p.created_at, p.pk))
        steps = allocate(
            round_.envelope_amount,
            [(p.pk, counts.get(p.pk, 0), p.funding_amount()) for p in ballot],
        )
        results = RoundResult.objects.bulk_create(
            [
                RoundResult(
                    round=round_,
                    proposal_id=s.proposal_id,
                    votes=s.votes,
                    rank=s.rank,
                    amount=s.amount,
                    outcome=s.outcome,
                    remaining_before=s.remaining_before,
                    remaining_after=s.remaining_after,
                )
                for s in steps
            ]
        )
        round_.closed_at = timezone.now()
        round_.closed_by = actor if getattr(actor, "is_authenticated", False) else None
        round_.save(update_fields=["closed_at", "closed_by"])
        round.closed_at, round.closed_by = round_.closed_at, round_.closed_by
        if getattr(actor, "is_authenticated", False):
            record_contribution(
                actor=actor,
                phase=CC,
                kind="round.close",
                territory_id=round_.territory_id,
                obj=round_,
            )
    return results


def explain(result: RoundResult) -> str:
    """The sentence shown next to a result: why it was or was not funded."""
    values = {
        "rank": result.rank,
        "votes": result.votes,
        "amount": rupiah(result.amount),
        "before": rupiah(result.remaining_before),
        "after": rupiah(result.remaining_after),
    }
    if result.outcome == Outcome.FUNDED:
        return (
            _(
                "Rank %(rank)s with %(votes)s votes: funded %(amount)s from the %(before)s "
                "still available; %(after)s left."
            )
            % values
        )
    if result.outcome == Outcome.SKIPPED:
        return (
            _(
                "Rank %(rank)s with %(votes)s votes: needs %(amount)s but only %(before)s is "
                "left, so it is skipped and the next proposal is tried."
            )
            % values
        )
    return _("Rank %(rank)s: no votes, not funded.") % values


def rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


# ---------------------------------------------------------------- decisions


def record_decision(
    *,
    actor: Any,
    proposal: Proposal,
    outcome: str,
    reason: str,
    changes: str = "",
    approved_amount: Any = None,
) -> Decision:
    """Approve, approve with changes, or reject a funded proposal.

    Co-design follows an approval, and planning orchestrates it: call
    ``siaga.planning.services.decide``, which records the decision here and opens the plan in the
    same transaction (commissioning knows nothing of plans: docs/adr/0009)."""
    policy.require(actor, Perm.DECISION_MAKE, proposal)
    errors = ErrorCollector()
    result = (
        RoundResult.objects.filter(proposal=proposal, outcome=Outcome.FUNDED)
        .select_related("round")
        .first()
    )
    if result is None:
        errors.add("__all__", _("Only a proposal funded in a closed round can be decided."))
    if outcome not in DecisionOutcome.values:
        errors.add(
            "outcome", _("Choose one of: %(values)s") % {"values": ", ".join(DecisionOutcome)}
        )
    if not _text(reason):
        errors.add("reason", _("Give the reason, it is shown to the community."))
    if outcome == DecisionOutcome.APPROVED_WITH_CHANGES and not _text(changes):
        errors.add("changes", _("Describe the changes required."))
    amount = _amount(approved_amount, "approved_amount", errors, required=False)
    if Decision.objects.filter(proposal=proposal).exists():
        errors.add("__all__", _("This proposal has already been decided."))
    errors.raise_if_any()
    assert result is not None
    if outcome == DecisionOutcome.REJECTED:
        amount = None
    elif amount is None:
        amount = result.amount
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                proposal=proposal,
                territory_id=proposal.territory_id,
                outcome=outcome,
                reason=_text(reason),
                changes=_text(changes),
                approved_amount=amount,
                decided_by=actor,
            )
            record_contribution(
                actor=actor,
                phase=CC,
                kind="decision.make",
                territory_id=proposal.territory_id,
                obj=proposal,
            )
    except IntegrityError:
        raise ValidationFailed.single(
            "__all__", _("This proposal has already been decided.")
        ) from None
    return decision
