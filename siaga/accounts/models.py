from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.core.roles import Role


class User(AbstractUser):
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Membership(models.Model):
    """A role held by a user on a territory node and its whole subtree.

    An admin membership may have no territory: it then reaches every territory.
    A warga membership is linked to the resident it represents.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    territory = models.ForeignKey(
        "territory.Territory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    resident = models.ForeignKey(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "territory", "role"], name="membership_unique_role_on_territory"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(territory__isnull=False) | models.Q(role=Role.ADMIN),
                name="membership_territory_unless_admin",
            ),
            models.CheckConstraint(
                condition=~models.Q(role=Role.WARGA) | models.Q(resident__isnull=False),
                name="membership_warga_has_resident",
            ),
        ]

    def __str__(self) -> str:
        where = self.territory.code if self.territory is not None else "*"
        return f"{self.user} {self.role}@{where}"


TOKEN_PREFIX = "ks_"  # noqa: S105 (a prefix, not a secret)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for /api/v1. Only its SHA-256 hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)
