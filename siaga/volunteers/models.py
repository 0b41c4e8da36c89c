"""Co-delivery people: volunteers, teams, posko, shifts and the one task model for field work.

Rows of an RW carry the RW key (``rw_id``), tasks the key of the territory they are about
(``territory_id``, an RT or an RW), so ``core.policy`` scopes them by a key range with no join.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from siaga.core.templatetags.siaga_ui import rt_label


def _choice_check(field: str, choices: type[models.TextChoices], name: str) -> Any:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class TeamKind(models.TextChoices):
    KESEHATAN = "kesehatan", _("Health (kesehatan)")
    KEAMANAN = "keamanan", _("Security (keamanan)")
    LOGISTIK = "logistik", _("Food barn and logistics (lumbung pangan)")
    SOSIAL = "sosial", _("Social and information (sosial/informasi)")
    PRODUKTIF = "produktif", _("Productive residents (warga produktif)")
    LAINNYA = "lainnya", _("Other")


class Skill(models.TextChoices):
    NAKES = "nakes", _("Health worker (nakes)")
    KADER = "kader", _("Health cadre (kader kesehatan)")
    DRIVER = "driver", _("Driver")
    COOK = "cook", _("Cook")
    SECURITY = "security", _("Security")
    DATA_ENTRY = "data_entry", _("Data entry")
    OTHER = "other", _("Other")


class VolunteerStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class Team(models.Model):
    """A team of an RW (kesehatan, keamanan, …). Teams are data: a kampung adds its own."""

    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=TeamKind.choices)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["rw_id", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["rw", "name"], name="team_unique_name_per_rw"),
            _choice_check("kind", TeamKind, "team_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    """A resident (or a registered outsider such as a health worker) who volunteers in an RW."""

    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_profiles",
    )
    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    availability = models.CharField(_("availability"), max_length=255, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=VolunteerStatus.choices,
        default=VolunteerStatus.PENDING,
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["rw_id", "name", "id"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.UniqueConstraint(
                fields=["rw", "user"], condition=Q(user__isnull=False), name="volunteer_user_per_rw"
            ),
            models.UniqueConstraint(
                fields=["rw", "resident"],
                condition=Q(resident__isnull=False),
                name="volunteer_resident_per_rw",
            ),
            _choice_check("status", VolunteerStatus, "volunteer_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class PoskoKind(models.TextChoices):
    POSKO = "posko", _("Posko")
    ENTRY_POST = "entry_post", _("Entry post (pos jaga)")
    KITCHEN = "kitchen", _("Public kitchen (dapur umum)")


class Posko(models.Model):
    """A post of an RW: the posko with its lumbung pangan, an entry post, a public kitchen."""

    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=PoskoKind.choices)

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["rw_id", "name"]
        verbose_name = _("posko")
        verbose_name_plural = _("posko")
        constraints = [
            models.UniqueConstraint(fields=["rw", "name"], name="posko_unique_name_per_rw"),
            _choice_check("kind", PoskoKind, "posko_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


DEFAULT_WITHDRAW_CUTOFF_HOURS = 12


def skills_label(counts: dict[str, int]) -> str:
    labels = dict(Skill.choices)
    return ", ".join(f"{n}× {labels.get(skill, skill)}" for skill, n in counts.items())


class ShiftTemplate(models.Model):
    """A recurring shift of a posko, e.g. pagi 06–14 with 2–4 people on the given weekdays."""

    posko = models.ForeignKey(Posko, on_delete=models.CASCADE, related_name="templates")
    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    min_people = models.PositiveSmallIntegerField(_("minimum people"), default=2)
    max_people = models.PositiveSmallIntegerField(_("maximum people"), default=4)
    weekdays = models.JSONField(
        _("weekdays"), default=list, blank=True, help_text="0 = Monday … 6 = Sunday; empty = all"
    )
    active = models.BooleanField(default=True)
    withdraw_cutoff_hours = models.PositiveSmallIntegerField(
        _("withdrawal cutoff (hours before start)"), default=DEFAULT_WITHDRAW_CUTOFF_HOURS
    )
    requires_confirmation = models.BooleanField(
        _("sign-ups wait for the pengurus to confirm"), default=False
    )
    skill_requirements = models.JSONField(
        _("skills needed"),
        default=dict,
        blank=True,
        help_text='{skill: how many people with it}, e.g. {"nakes": 1}',
    )

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["posko_id", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["posko", "name"], name="shift_template_unique_name"),
            models.CheckConstraint(
                condition=Q(min_people__gte=1, max_people__gte=F("min_people")),
                name="shift_template_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.starts:%H:%M}–{self.ends:%H:%M}"

    @property
    def skills_label(self) -> str:
        """ "1× Health worker (nakes), 2× Driver" (in the active language)."""
        return skills_label(self.skill_requirements or {})


class Shift(models.Model):
    """One shift on the roster. A gap is a shift with fewer people confirmed than its minimum,
    or fewer people with a skill than its template needs. A shift without a template is a
    one-off shift (a pengurus planned it for one day)."""

    posko = models.ForeignKey(Posko, on_delete=models.CASCADE, related_name="shifts")
    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        ShiftTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts"
    )
    name = models.CharField(_("name"), max_length=60)
    day = models.DateField(_("day"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    min_people = models.PositiveSmallIntegerField(_("minimum people"), default=2)
    max_people = models.PositiveSmallIntegerField(_("maximum people"), default=4)

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["starts_at", "posko_id"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "day"],
                condition=Q(template__isnull=False),
                name="shift_unique_template_day",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends"),
            models.CheckConstraint(
                condition=Q(min_people__gte=1, max_people__gte=F("min_people")),
                name="shift_people",
            ),
        ]
        indexes = [models.Index(fields=["rw", "day"], name="shift_rw_day")]

    def __str__(self) -> str:
        return f"{self.name} {self.day:%Y-%m-%d}"

    @property
    def is_one_off(self) -> bool:
        return self.template_id is None

    @property
    def withdraw_cutoff(self) -> Any:
        """Until when a volunteer may withdraw: the template's cutoff before the start (a
        one-off shift: the default cutoff)."""
        hours = (
            self.template.withdraw_cutoff_hours
            if self.template is not None
            else DEFAULT_WITHDRAW_CUTOFF_HOURS
        )
        return self.starts_at - dt.timedelta(hours=hours)

    @property
    def requires_confirmation(self) -> bool:
        return bool(self.template is not None and self.template.requires_confirmation)

    @property
    def skill_requirements(self) -> dict[str, int]:
        """{skill: people needed with it} of the template (a one-off shift needs none)."""
        if self.template is None:
            return {}
        return {k: int(v) for k, v in (self.template.skill_requirements or {}).items() if v}


class AssignmentState(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REQUESTED = "requested", _("Waiting for the pengurus to confirm")


class ShiftAssignment(models.Model):
    """A volunteer on a shift; check-in and check-out give the hours served.

    ``requested``: the volunteer asked for a seat on a shift whose template wants the pengurus to
    confirm; it does not count towards the people on the shift until confirmed.
    """

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="assignments")
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=AssignmentState.choices,
        default=AssignmentState.CONFIRMED,
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["shift_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="assignment_unique"),
            _choice_check("state", AssignmentState, "assignment_state_valid"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
                name="assignment_checkout_after_checkin",
            ),
        ]

    @property
    def hours(self) -> float:
        if self.checked_in_at is None or self.checked_out_at is None:
            return 0.0
        return round((self.checked_out_at - self.checked_in_at).total_seconds() / 3600, 2)


class CalendarToken(models.Model):
    """The secret of a user's personal iCal feed: only its SHA-256 is kept; the feed's address
    holds the raw token. Revoking deletes the row; regenerating replaces the hash."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)


class SwapState(models.TextChoices):
    PENDING = "pending", _("Waiting for the coordinator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SwapRequest(models.Model):
    """A volunteer asks to hand their place on a shift to another volunteer."""

    assignment = models.ForeignKey(
        ShiftAssignment, on_delete=models.CASCADE, related_name="swap_requests"
    )
    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    to_volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=SwapState.choices, default=SwapState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["-created_at"]
        constraints = [_choice_check("state", SwapState, "swap_state_valid")]


class Screening(models.Model):
    """One person checked at the entry post during a shift (no name: temperature and status)."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="screenings")
    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    temperature_c = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    newcomer = models.BooleanField(_("newcomer (pendatang)"), default=False)
    allowed = models.BooleanField(_("allowed in"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(temperature_c__isnull=True)
                | Q(temperature_c__gte=30, temperature_c__lte=45),
                name="screening_temperature_range",
            )
        ]


# ---------------------------------------------------------------- tasks


class TaskKind(models.TextChoices):
    MONITORING = "monitoring", _("Monitoring slot")
    DELIVERY = "delivery", _("Aid delivery")
    UNDELIVERED = "undelivered", _("Household without aid for 24 hours")
    REFERRAL = "referral", _("Referral follow-up")
    SHIFT_GAP = "shift_gap", _("Under-staffed shift")
    MANUAL = "manual", _("Other work")


class TaskState(models.TextChoices):
    BARU = "baru", _("New (baru)")
    DIAMBIL = "diambil", _("Taken (diambil)")
    SELESAI = "selesai", _("Done (selesai)")
    BATAL = "batal", _("Cancelled (batal)")


OPEN_TASK_STATES = (TaskState.BARU, TaskState.DIAMBIL)


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


def _rule_title(kind: str, slot: str, subject: str, detail: str) -> str:
    """The title of a rule-made task in the active language, naming its subject."""
    if kind == TaskKind.MONITORING:
        if slot == "pagi":
            return gettext("Morning check: %(subject)s") % {"subject": subject}
        if slot == "sore":
            return gettext("Afternoon check: %(subject)s") % {"subject": subject}
        return gettext("Monitoring check: %(subject)s") % {"subject": subject}
    if kind == TaskKind.DELIVERY:
        if detail:
            return gettext("Deliver %(package)s: %(subject)s") % {
                "package": detail,
                "subject": subject,
            }
        return gettext("Deliver aid: %(subject)s") % {"subject": subject}
    if kind == TaskKind.UNDELIVERED:
        return gettext("No aid for over 24 hours: %(subject)s") % {"subject": subject}
    if kind == TaskKind.SHIFT_GAP:
        return gettext("Shift short of people: %(subject)s") % {"subject": subject}
    if kind == TaskKind.REFERRAL:
        return gettext("Referral follow-up: %(subject)s") % {"subject": subject}
    return pgettext("task title", "%(kind)s: %(subject)s") % {
        "kind": TaskKind(kind).label if kind in TaskKind.values else kind,
        "subject": subject,
    }


class TaskQuerySet(models.QuerySet["Task"]):
    """Tasks that, once fetched, know their subjects' names as one reader may see them.

    ``named_for(user)`` is kept through filtering, ordering and slicing (so a page of a list is
    named whoever pages it); fetching the rows then loads their subjects with one query per kind
    of subject (``selectors.name_tasks``)."""

    _named_for: Any = None

    def named_for(self, user: Any) -> TaskQuerySet:
        clone = self.all()
        clone._named_for = user
        return clone

    def _clone(self) -> TaskQuerySet:
        clone: TaskQuerySet = super()._clone()  # type: ignore[misc]  # Django's, not in the stubs
        clone._named_for = self._named_for
        return clone

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._named_for is not None and self._result_cache:
            from .selectors import name_tasks  # selectors import the models

            rows = [row for row in self._result_cache if isinstance(row, Task)]
            if rows:
                name_tasks(self._named_for, rows)


class Task(models.Model):
    """One piece of field work, made by a rule (``source_key`` keeps rules idempotent) or by hand.

    baru → diambil → selesai / batal; assigned to a volunteer or a team; linked to what it is about.
    """

    territory = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=TaskKind.choices)
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=TaskState.choices, default=TaskState.BARU
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    assignee = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    source_key = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)

    scope_territory_field = "territory_id"

    objects = TaskQuerySet.as_manager()

    # What the task is about as its reader may see it (``selectors.name_tasks`` sets them):
    # the subject's name ("Budi Santoso, RT 003 / RW 006"), link and detail (a package's name).
    subject_name: str = ""
    subject_url: str = ""
    subject_detail: str = ""

    class Meta:
        ordering = ["due_at", "-priority", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"], condition=~Q(source_key=""), name="task_unique_source"
            ),
            _choice_check("kind", TaskKind, "task_kind_valid"),
            _choice_check("state", TaskState, "task_state_valid"),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=4), name="task_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["baru", "diambil"]) | Q(closed_at__isnull=False),
                name="task_closed_at_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="task_open_due"),
            models.Index(fields=["territory", "state"], name="task_territory_state"),
            models.Index(fields=["content_type", "object_id"], name="task_subject"),
            # Reports count tasks closed in a period (Laporan Kinerja Relawan, indicators).
            models.Index(fields=["closed_at"], name="task_closed_at"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The title in the reader's language: a task made by people keeps the title they typed;
        a rule's task is named at read time from its kind, parameters and subject (its stored
        title was written once, in the worker's language), so no stored row needs rewriting."""
        if not self.source_key:
            return self.title
        subject = self.subject_name or rt_label(self.territory.code)
        return _rule_title(self.kind, self.slot, subject, self.subject_detail)

    @property
    def slot(self) -> str:
        """A monitoring task's slot (pagi, sore): the last part of the rule's ``source_key``
        (``health.selectors.monitoring_task_key``)."""
        if self.kind != TaskKind.MONITORING:
            return ""
        return self.source_key.rsplit(":", 1)[-1]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_TASK_STATES

    def overdue(self, now: Any = None) -> bool:
        return bool(self.is_open and self.due_at and self.due_at < (now or timezone.now()))
