"""Co-commissioning: community needs, proposals, participatory budget rounds, votes, decisions.

Every row names the territory (RT, RW or kelurahan) it belongs to in ``territory``, whose key is
read by ``core.policy`` (``scope_territory_field``). Needs, proposals, rounds, results and
decisions are community data (``policy.scope_community``); votes are secret ballots and are never
listed by any selector except the voter's own.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_USER = settings.AUTH_USER_MODEL


class Category(models.TextChoices):
    KESEHATAN = "kesehatan", _("Health (kesehatan)")
    PANGAN = "pangan", _("Food (pangan)")
    KEAMANAN = "keamanan", _("Security (keamanan)")
    SOSIAL = "sosial", _("Social (sosial)")
    SARANA = "sarana", _("Facilities (sarana)")


class Urgency(models.TextChoices):
    RENDAH = "rendah", _("Low")
    SEDANG = "sedang", _("Medium")
    TINGGI = "tinggi", _("High")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MERGED = "merged", _("Merged into another need")
    CLOSED = "closed", _("Closed")


class Need(models.Model):
    """A need of an RT or RW, raised by a resident, volunteer or community leader."""

    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    households_affected = models.PositiveIntegerField(_("households affected"), default=0)
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.SEDANG
    )
    photo = models.FileField(_("photo"), upload_to="needs/%Y/%m/", blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    close_reason = models.TextField(_("reason for closing"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["territory", "status"], name="need_territory_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=[c.value for c in Category]), name="need_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=[u.value for u in Urgency]), name="need_urgency_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in NeedStatus]), name="need_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=NeedStatus.MERGED) | Q(merged_into__isnull=False),
                name="need_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Support(models.Model):
    """One person's support for a need: at most one per person (resident or account)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["need", "person_key"], name="support_one_per_person")
        ]


class Round(models.Model):
    """A participatory budget round of an RW or kelurahan, with its envelope and phase dates.

    Phases: proposals (usulan) until ``proposals_until``; assessment (penilaian) until voting
    opens; voting (pemungutan suara) from ``voting_from`` to ``voting_until``; results (hasil)
    once a facilitator closes the round (``closed_at``).
    """

    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    title = models.CharField(_("title"), max_length=150)
    envelope_source = models.CharField(
        _("source of funds"),
        max_length=150,
        help_text=_("e.g. Dana Kelurahan, RW operational funds"),
    )
    envelope_amount = models.BigIntegerField(_("envelope (Rp)"))
    proposals_until = models.DateField(_("proposals until"))
    assessment_until = models.DateField(_("assessment until"))
    voting_from = models.DateField(_("voting from"))
    voting_until = models.DateField(_("voting until"))
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["-voting_from", "-id"]
        verbose_name = _("budget round")
        verbose_name_plural = _("budget rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(envelope_amount__gte=0), name="round_envelope_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(proposals_until__lte=models.F("assessment_until"))
                & Q(assessment_until__lte=models.F("voting_from"))
                & Q(voting_from__lte=models.F("voting_until")),
                name="round_phases_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def phase(self, today: dt.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.closed_at is not None:
            return RoundPhase.RESULTS
        if today <= self.proposals_until:
            return RoundPhase.PROPOSALS
        if today < self.voting_from:
            return RoundPhase.ASSESSMENT
        if today <= self.voting_until:
            return RoundPhase.VOTING
        return RoundPhase.COUNTING

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class RoundPhase(models.TextChoices):
    PROPOSALS = "usulan", _("Proposals (usulan)")
    ASSESSMENT = "penilaian", _("Assessment (penilaian)")
    VOTING = "pemungutan_suara", _("Voting (pemungutan suara)")
    COUNTING = "penghitungan", _("Voting ended, awaiting close")
    RESULTS = "hasil", _("Results (hasil)")


class Proposal(models.Model):
    """An answer to one or more needs: what, where, cost items, who does it, the co-production split.

    ``requested_amount`` (items funded from the envelope) and ``community_amount`` (items the
    community contributes) are kept by the service from the items.
    """

    round = models.ForeignKey(
        Round,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("budget round"),
    )
    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("what"), blank=True)
    location = models.CharField(_("where"), max_length=255, blank=True)
    implementer = models.CharField(_("who will carry it out"), max_length=255, blank=True)
    community_contribution = models.TextField(
        _("what the community contributes"), blank=True, help_text=_("labour, money, materials")
    )
    government_request = models.TextField(_("what is asked of the government"), blank=True)
    needs = models.ManyToManyField(Need, related_name="proposals", blank=True)
    requested_amount = models.BigIntegerField(_("requested from the envelope (Rp)"), default=0)
    community_amount = models.BigIntegerField(_("community contribution (Rp)"), default=0)
    withdrawn = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_amount__gte=0) & Q(community_amount__gte=0),
                name="proposal_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def cost_estimate(self) -> int:
        return self.requested_amount + self.community_amount

    def funding_amount(self) -> int:
        """What the envelope must pay: the assessed correction if any, else the request."""
        assessment = getattr(self, "assessment", None)
        if assessment is not None and assessment.corrected_amount is not None:
            return int(assessment.corrected_amount)
        return self.requested_amount


class FundedBy(models.TextChoices):
    ENVELOPE = "envelope", _("Asked of the budget (government)")
    COMMUNITY = "community", _("Contributed by the community")


class ContributionKind(models.TextChoices):
    MONEY = "money", _("Money")
    LABOUR = "labour", _("Labour")
    MATERIALS = "materials", _("Materials")
    STOCK = "stock", _("Lumbung pangan stock")


class ProposalItem(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(_("item"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_cost = models.BigIntegerField(_("unit cost (Rp)"), default=0)
    funded_by = models.CharField(
        _("funded by"), max_length=10, choices=FundedBy.choices, default=FundedBy.ENVELOPE
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ContributionKind.choices, default=ContributionKind.MONEY
    )
    stock_item = models.CharField(
        _("stock item"), max_length=150, blank=True, help_text=_("When drawn from lumbung pangan")
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="item_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(funded_by__in=[f.value for f in FundedBy]), name="item_funded_by_valid"
            ),
        ]

    @property
    def total(self) -> int:
        return self.quantity * self.unit_cost


class Assessment(models.Model):
    """The facilitator's feasibility assessment of a proposal before voting."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="assessment")
    feasible = models.BooleanField(_("feasible"))
    reason = models.TextField(_("reason"))
    corrected_amount = models.BigIntegerField(_("corrected cost (Rp)"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(corrected_amount__isnull=True) | Q(corrected_amount__gte=0),
                name="assessment_amount_not_negative",
            )
        ]


class VoteChannel(models.TextChoices):
    ACCOUNT = "account", _("By the resident's own account")
    MEETING = "meeting", _("Recorded by a community leader at a meeting")


class Vote(models.Model):
    """One secret ballot. The unique constraint makes a second vote impossible, even when two
    requests race: the database, not a check in Python, refuses it."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="votes")
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="votes")
    channel = models.CharField(max_length=8, choices=VoteChannel.choices)
    recorded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "resident"], name="vote_one_per_resident"),
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in VoteChannel]), name="vote_channel_valid"
            ),
        ]


class Outcome(models.TextChoices):
    FUNDED = "funded", _("Funded")
    SKIPPED = "skipped", _("Skipped: does not fit in what is left")
    NO_VOTES = "no_votes", _("Not funded: no votes")


class RoundResult(models.Model):
    """One proposal's place in a closed round: votes, rank and the greedy funding step."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="results")
    votes = models.PositiveIntegerField()
    rank = models.PositiveIntegerField()
    amount = models.BigIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    remaining_before = models.BigIntegerField()
    remaining_after = models.BigIntegerField()

    class Meta:
        ordering = ["round", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "proposal"], name="result_one_per_proposal"),
            models.UniqueConstraint(fields=["round", "rank"], name="result_rank_unique"),
        ]

    @property
    def funded(self) -> bool:
        return self.outcome == Outcome.FUNDED


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    APPROVED_WITH_CHANGES = "approved_with_changes", _("Approved with changes")
    REJECTED = "rejected", _("Rejected")


class Decision(models.Model):
    """The commissioning decision on a winning proposal; an approval becomes a plan."""

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="decision")
    territory = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("decision"), max_length=24, choices=DecisionOutcome.choices)
    reason = models.TextField(_("reason"))
    changes = models.TextField(_("changes required"), blank=True)
    approved_amount = models.BigIntegerField(_("approved amount (Rp)"), null=True, blank=True)
    decided_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=[o.value for o in DecisionOutcome]),
                name="decision_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=DecisionOutcome.APPROVED_WITH_CHANGES) | ~Q(changes=""),
                name="decision_changes_described",
            ),
        ]

    @property
    def approved(self) -> bool:
        return self.outcome != DecisionOutcome.REJECTED
