from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from siaga.core.context import INTERFACES


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit entries are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries are append-only")


class AuditAction(models.TextChoices):
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    VIEW = "view", _("view")
    EXPORT = "export", _("export")
    IMPORT = "import", _("import")
    LOGIN = "login", _("login")
    LOGIN_FAILED = "login_failed", _("failed login")
    GRANT = "grant", _("grant")


class AuditEntry(models.Model):
    """Append-only record of who did what to which personal or health data, from where."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=255, blank=True)
    territory = models.ForeignKey(
        "territory.Territory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # audit_territory_at (territory, at) serves it
    )
    interface = models.CharField(
        max_length=8, choices=[(i, i) for i in INTERFACES], default="system"
    )
    changes = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["territory", "at"], name="audit_territory_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries are append-only")


class Phase(models.TextChoices):
    CO_COMMISSIONING = "co_commissioning", _("co-commissioning")
    CO_DESIGN = "co_design", _("co-design")
    CO_DELIVERY = "co_delivery", _("co-delivery")
    CO_ASSESSMENT = "co_assessment", _("co-assessment")


class ActorGroup(models.TextChoices):
    GOVERNMENT = "government", _("government")
    COMMUNITY_LEADER = "community_leader", _("community leaders")
    VOLUNTEER = "volunteer", _("volunteers")
    RESIDENT = "resident", _("residents")


class Contribution(models.Model):
    """One meaningful community act, tagged with its co-production phase and actor group.

    The co-assessment reports (the co-production matrix) read only this ledger.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person_key = models.CharField(
        max_length=64, help_text="Stable id of the person who acted (user or resident)"
    )
    actor_group = models.CharField(max_length=20, choices=ActorGroup.choices)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    kind = models.CharField(max_length=64)
    territory = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["territory", "at"], name="contribution_territory_at"),
            models.Index(fields=["phase", "actor_group"], name="contribution_cell"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(phase__in=[p.value for p in Phase]),
                name="contribution_phase_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(actor_group__in=[g.value for g in ActorGroup]),
                name="contribution_actor_group_valid",
            ),
        ]


# ---- in-app notifications (written through siaga.core.notifications.notify) ----


class Notification(models.Model):
    """One alert in a user's in-app inbox. Other channels (WhatsApp, SMS) deliver the same alert.

    The body carries no names or health details: the link leads to the record, behind the policy.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    territory = models.ForeignKey(
        "territory.Territory", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.title
