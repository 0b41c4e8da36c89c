"""Co-assessment: residents and government judge the service together.

- ``Feedback``: a household rates a service it received (1–5) and comments; anonymous feedback
  keeps no link to its author or household at all (not even for admins).
- ``Complaint`` (pengaduan) with its public ``ComplaintEvent`` history: routed to the pengurus of
  the RW, escalated to the kelurahan when not answered within three days.
- ``ReportNarrative``: the coordinator's short narrative on a Laporan Kinerja Relawan.

This app only reads what the delivery apps record; they never import it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _choice_check(field: str, choices: type[models.TextChoices], name: str) -> Any:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class ServiceKind(models.TextChoices):
    """What a feedback or a complaint is about."""

    DELIVERY = "delivery", _("Aid delivery")
    ISOLATION = "isolation", _("End of isolation")
    REFERRAL = "referral", _("Referral to the puskesmas")
    MEETING = "meeting", _("Meeting")
    OTHER = "other", _("Other service")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    MESSAGE = "message", _("Message")


class Feedback(models.Model):
    """A household's rating (1–5) and comment on a service it received.

    Anonymous feedback stores neither the author nor the household: only the RT (for reports)
    and the service it is about. Named feedback is unique per household and service.
    """

    rt = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    service = models.CharField(_("service"), max_length=10, choices=ServiceKind.choices)
    service_id = models.PositiveBigIntegerField(_("service record"), null=True, blank=True)
    # The volunteer who served (resolved from the service when known): feeds the volunteer report.
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"))
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    scope_territory_field = "rt_id"
    scope_household_field = "household_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        indexes = [
            models.Index(fields=["rt", "created_at"], name="feedback_rt_at"),
            models.Index(fields=["volunteer", "created_at"], name="feedback_volunteer_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(anonymous=False)
                | Q(anonymous=True, household__isnull=True, author__isnull=True),
                name="feedback_anonymous_keeps_no_author",
            ),
            models.CheckConstraint(
                condition=Q(anonymous=True) | Q(household__isnull=False),
                name="feedback_named_has_household",
            ),
            models.UniqueConstraint(
                fields=["household", "service", "service_id"],
                condition=Q(household__isnull=False, service_id__isnull=False),
                name="feedback_once_per_household_service",
            ),
            _choice_check("service", ServiceKind, "feedback_service_valid"),
            _choice_check("channel", Channel, "feedback_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} {self.rating}/5"


class ComplaintCategory(models.TextChoices):
    SERVICE = "layanan", _("A service (layanan)")
    VOLUNTEER = "relawan", _("A volunteer (relawan)")
    DATA = "data", _("Data about me (data diri)")
    OTHER = "lainnya", _("Other (lainnya)")


class ComplaintState(models.TextChoices):
    RECEIVED = "diterima", _("Received (diterima)")
    IN_PROGRESS = "ditindaklanjuti", _("Being followed up (ditindaklanjuti)")
    DONE = "selesai", _("Resolved (selesai)")


class ComplaintLevel(models.TextChoices):
    """Who must answer: the pengurus of the RW, or the kelurahan once escalated."""

    RW = "rw", _("RW pengurus")
    KELURAHAN = "kelurahan", _("Kelurahan")


def complaint_photo_path(instance: Complaint, filename: str) -> str:
    return f"complaints/{timezone.now():%Y/%m}/{filename}"


class Complaint(models.Model):
    """A pengaduan about a service, a volunteer, or data about oneself."""

    rt = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("category"), max_length=8, choices=ComplaintCategory.choices)
    service = models.CharField(_("service"), max_length=10, choices=ServiceKind.choices, blank=True)
    service_id = models.PositiveBigIntegerField(_("service record"), null=True, blank=True)
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("volunteer"),
    )
    description = models.TextField(_("description"))
    photo = models.FileField(_("photo"), upload_to=complaint_photo_path, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ComplaintState.choices, default=ComplaintState.RECEIVED
    )
    level = models.CharField(
        _("handled by"), max_length=10, choices=ComplaintLevel.choices, default=ComplaintLevel.RW
    )
    answer_by = models.DateTimeField(_("answer by"))
    escalated_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_territory_field = "rt_id"
    scope_household_field = "household_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["rt", "created_at"], name="complaint_rt_at"),
            models.Index(fields=["state", "answer_by"], name="complaint_due"),
            models.Index(fields=["complainant", "created_at"], name="complaint_complainant"),
        ]
        constraints = [
            _choice_check("category", ComplaintCategory, "complaint_category_valid"),
            _choice_check("state", ComplaintState, "complaint_state_valid"),
            _choice_check("level", ComplaintLevel, "complaint_level_valid"),
            models.CheckConstraint(
                condition=~Q(category="relawan") | Q(volunteer__isnull=False),
                name="complaint_about_volunteer_names_them",
            ),
            models.CheckConstraint(
                condition=~Q(state="selesai") | Q(resolved_at__isnull=False),
                name="complaint_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}"


class ComplaintEvent(models.Model):
    """One step in a complaint's history: state change, response, escalation. Shown to the
    complainant (``public``) unless it is an internal note between handlers."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=16, choices=ComplaintState.choices)
    level = models.CharField(max_length=10, choices=ComplaintLevel.choices)
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]


class ReportNarrative(models.Model):
    """The coordinator's narrative on a volunteer report for a territory (and optionally one
    volunteer) and a period."""

    territory = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    text = models.TextField(_("narrative"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    scope_territory_field = "territory_id"

    class Meta:
        verbose_name = _("report narrative")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "period_from", "period_to"],
                condition=Q(volunteer__isnull=True),
                name="narrative_once_per_territory_period",
            ),
            models.UniqueConstraint(
                fields=["territory", "volunteer", "period_from", "period_to"],
                condition=Q(volunteer__isnull=False),
                name="narrative_once_per_volunteer_period",
            ),
            models.CheckConstraint(
                condition=Q(period_from__lte=models.F("period_to")),
                name="narrative_period_ordered",
            ),
        ]
