"""Writes to accounts: users, memberships, API tokens, and the failed-login throttle."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.accounts.models import ApiToken, Membership, User, hash_token
from siaga.core import audit, policy
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditAction
from siaga.core.roles import Role
from siaga.registry.models import Resident
from siaga.territory.models import Territory


def _territory(code: str | None, role: str) -> Territory | None:
    if not code:
        if role == Role.ADMIN:
            return None
        raise ValidationFailed.single("territory", _("A territory code is required for this role."))
    territory = Territory.objects.filter(code=code).first()
    if territory is None:
        raise ValidationFailed.single(
            "territory", _("Unknown territory code %(code)s.") % {"code": code}
        )
    return territory


@transaction.atomic
def create_user(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str,
    territory_code: str | None,
    resident_nik: str | None = None,
    check_password: bool = True,
    email: str = "",
) -> User:
    """Create a user holding one role on one territory (warga: linked to their resident)."""
    if role not in Role.values:
        raise ValidationFailed.single(
            "role", _("Unknown role; choose one of: %(roles)s") % {"roles": ", ".join(Role.values)}
        )
    if User.objects.filter(username=username).exists():
        raise ValidationFailed.single("username", _("This username is taken."))
    territory = _territory(territory_code, role)
    user = User(username=username, email=email, is_staff=role == Role.ADMIN)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed({"password": list(exc.messages)}) from None
    user.set_password(password)
    user.save()
    add_membership(
        actor=actor, user=user, role=role, territory=territory, resident_nik=resident_nik
    )
    return user


@transaction.atomic
def add_membership(
    *,
    actor: Any,
    user: User,
    role: str,
    territory: Territory | None,
    resident_nik: str | None = None,
) -> Membership:
    resident = None
    if role == Role.WARGA:
        if not resident_nik:
            raise ValidationFailed.single(
                "resident", _("A warga account must be linked to a resident (--resident NIK).")
            )
        resident = Resident.objects.filter(nik=resident_nik).exclude(nik="").first()
        if resident is None or (territory is not None and not territory.contains(resident.rt_id)):
            raise ValidationFailed.single(
                "resident", _("No resident with this NIK in that territory.")
            )
    membership, _created = Membership.objects.get_or_create(
        user=user, territory=territory, role=role, defaults={"resident": resident}
    )
    policy.forget(user)
    audit.record(
        actor=actor,
        action=AuditAction.GRANT,
        obj=membership,
        territory_id=territory.id if territory else None,
        summary=str(membership),
    )
    return membership


def create_token(*, actor: Any, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token; the raw value is returned once and only its hash is kept."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_token(raw))
    audit.record(actor=actor, action=AuditAction.GRANT, obj=token, summary=f"API token for {user}")
    return token, raw


# ---- failed-login throttle -----------------------------------------------------------------


def _keys(username: str, address: str) -> list[str]:
    return [f"login-fail:user:{username.lower()}", f"login-fail:addr:{address}"]


def login_blocked(username: str, address: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    return any((cache.get(key) or 0) >= limit for key in _keys(username, address))


def login_failed(username: str, address: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(username, address):
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)
    audit.record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        object_id=username[:64],
        summary=f"failed login from {address}",
    )


def login_succeeded(user: User, address: str) -> None:
    cache.delete(_keys(user.get_username(), address)[0])
    audit.record(actor=user, action=AuditAction.LOGIN, obj=user, summary=f"login from {address}")


# ---- used by the console commands (`siaga user grant`, `siaga token revoke`) ----------------


def check_assignment(role: str, territory_code: str | None) -> Territory | None:
    """The territory for ``role`` at ``territory_code``, or ValidationFailed naming the problem."""
    if role not in Role.values:
        raise ValidationFailed.single(
            "role", _("Unknown role; choose one of: %(roles)s") % {"roles": ", ".join(Role.values)}
        )
    return _territory(territory_code, role)


def grant_role(
    *,
    actor: Any,
    user: User,
    role: str,
    territory_code: str | None,
    resident_nik: str | None = None,
) -> Membership:
    """Give ``user`` a role on the territory with this code, validated as in create_user."""
    territory = check_assignment(role, territory_code)
    return add_membership(
        actor=actor, user=user, role=role, territory=territory, resident_nik=resident_nik
    )


@transaction.atomic
def revoke_token(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke an API token (kept, marked revoked, for the audit trail); idempotent."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=token,
            summary=f"API token revoked for {token.user}",
            changes={"revoked_at": [None, token.revoked_at.isoformat()]},
        )
    return token
