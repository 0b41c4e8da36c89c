"""The one roles → permissions map. Every access decision reads it through core.policy."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    WARGA = "warga", _("Resident (warga)")
    RELAWAN = "relawan", _("Volunteer (relawan)")
    PENGURUS = "pengurus", _("RT/RW head (pengurus)")
    FASILITATOR = "fasilitator", _("Facilitator (kelurahan, kecamatan, puskesmas, Dinkes)")
    ADMIN = "admin", _("Administrator")


class Perm(StrEnum):
    TERRITORY_VIEW = "territory.view"
    TERRITORY_CREATE = "territory.create"
    REGISTRY_VIEW = "registry.view"
    REGISTRY_CHANGE = "registry.change"
    REGISTRY_EXPORT = "registry.export"
    AUDIT_VIEW = "audit.view"
    USER_MANAGE = "accounts.manage"


_READ = {Perm.TERRITORY_VIEW, Perm.REGISTRY_VIEW}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    # A warga's registry permissions reach only their own household (see core.policy).
    Role.WARGA: frozenset({Perm.REGISTRY_VIEW}),
    Role.RELAWAN: frozenset(_READ),
    Role.PENGURUS: frozenset(
        _READ | {Perm.TERRITORY_CREATE, Perm.REGISTRY_CHANGE, Perm.REGISTRY_EXPORT}
    ),
    Role.FASILITATOR: frozenset(
        _READ | {Perm.TERRITORY_CREATE, Perm.REGISTRY_CHANGE, Perm.REGISTRY_EXPORT, Perm.AUDIT_VIEW}
    ),
    Role.ADMIN: frozenset(Perm),
}

# Roles whose registry scope is the member's own household, not a territory subtree.
HOUSEHOLD_SCOPED_ROLES = frozenset({Role.WARGA})


def role_has(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


# Which co-production actor group a role acts for (Bovaird & Loeffler; ../domain ksch.md §2).
ROLE_ACTOR_GROUP: dict[str, str] = {
    Role.ADMIN: "government",
    Role.FASILITATOR: "government",
    Role.PENGURUS: "community_leader",
    Role.RELAWAN: "volunteer",
    Role.WARGA: "resident",
}
# When a user holds several roles, the act counts for the first that applies, in this order.
ROLE_PRECEDENCE = (Role.FASILITATOR, Role.ADMIN, Role.PENGURUS, Role.RELAWAN, Role.WARGA)
