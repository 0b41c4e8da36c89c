"""Co-design: action plans (rencana aksi) with versioned activities, meetings, comments.

A reader can follow need → meeting → decision → plan → delivery: a plan may grow from an
approved proposal (``Plan.proposal``), and each meeting decision may link the plan activity or
the need it created or changed. Plans, activities and meetings are community data; attendance
names people and is only read by those who manage meetings (totals per actor group are public).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_USER = settings.AUTH_USER_MODEL


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Plan(models.Model):
    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    title = models.CharField(_("title"), max_length=150)
    goal = models.TextField(_("goal"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    proposal = models.OneToOneField(
        "commissioning.Proposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan",
        verbose_name=_("proposal"),
    )
    budget = models.BigIntegerField(_("budget (Rp)"), default=0)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="plan_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in PlanStatus]), name="plan_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    # A copy of the plan's territory, so activities are scoped without a join.
    territory = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("activity"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible_team = models.CharField(_("responsible team"), max_length=150, blank=True)
    responsible_user = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible volunteer"),
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    budget = models.BigIntegerField(_("budget line (Rp)"), default=0)
    spent = models.BigIntegerField(_("spent (Rp)"), default=0)
    stock_items = models.CharField(_("stock items"), max_length=255, blank=True)
    is_milestone = models.BooleanField(_("milestone"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    position = models.PositiveIntegerField(default=0)
    source_decision = models.ForeignKey(
        "MeetingDecision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by meeting decision"),
    )

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="activity_percent_0_100"),
            models.CheckConstraint(
                condition=Q(budget__gte=0) & Q(spent__gte=0), name="activity_money_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ActivityStatus]),
                name="activity_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(starts_on__lte=models.F("ends_on")),
                name="activity_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanVersion(models.Model):
    """One change to a plan or one of its activities: who changed what, when (append-only)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    actor = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now)
    object_type = models.CharField(max_length=16)  # "plan" or "activity"
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=8)  # create, update, delete
    summary = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique_number")
        ]


class MeetingKind(models.TextChoices):
    MUSYAWARAH_RT = "musyawarah_rt", _("RT meeting (musyawarah RT)")
    MUSYAWARAH_RW = "musyawarah_rw", _("RW meeting (musyawarah RW)")
    RAPAT_KOORDINASI = "rapat_koordinasi", _("Coordination meeting with the kelurahan")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=150)
    starts_at = models.DateTimeField(_("starts at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("One item per line"))
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in MeetingKind]), name="meeting_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]


class Invitation(models.Model):
    """Who was invited: an invited group (e.g. "all heads of household of RT 003") or a person."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.CharField(_("invitee"), max_length=200)
    actor_group = models.CharField(_("group"), max_length=20)
    user = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]


class Attendance(models.Model):
    """One person present at a meeting, counted in their actor group (personal data)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    actor_group = models.CharField(max_length=20)
    person_key = models.CharField(max_length=64)
    name = models.CharField(_("name"), max_length=150)
    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["actor_group", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person_key"], name="attendance_once")
        ]


class DecisionEffect(models.TextChoices):
    NOTE = "note", _("Recorded only")
    CREATE_ACTIVITY = "create_activity", _("Creates a plan activity")
    CHANGE_ACTIVITY = "change_activity", _("Changes a plan activity")
    CREATE_NEED = "create_need", _("Records a need")
    CHANGE_NEED = "change_need", _("Changes a need")


class MeetingDecision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    effect = models.CharField(
        _("effect"), max_length=16, choices=DecisionEffect.choices, default=DecisionEffect.NOTE
    )
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_decisions"
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_decisions"
    )
    need = models.ForeignKey(
        "commissioning.Need",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effect__in=[e.value for e in DecisionEffect]),
                name="meeting_decision_effect_valid",
            )
        ]


class Comment(models.Model):
    """A comment on a need, proposal or plan. Hidden comments are kept (and audited), not deleted."""

    territory = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(
        "commissioning.Need", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    proposal = models.ForeignKey(
        "commissioning.Proposal", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=255, blank=True)
    hidden_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(need__isnull=False, proposal__isnull=True, plan__isnull=True)
                    | Q(need__isnull=True, proposal__isnull=False, plan__isnull=True)
                    | Q(need__isnull=True, proposal__isnull=True, plan__isnull=False)
                ),
                name="comment_exactly_one_target",
            )
        ]
