"""Helpers shared by the registry's console commands."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

UNUSABLE = 2  # exit status: the input cannot be used at all


def acting_user(username: str | None) -> Any:
    """The named active user, or the only active superuser when no name is given."""
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(
                _("No active user %(name)s.") % {"name": username}, returncode=UNUSABLE
            )
        return user
    superusers = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
    if len(superusers) != 1:
        raise CommandError(
            _("Name the acting user with --user USERNAME (their area limits what is imported)."),
            returncode=UNUSABLE,
        )
    return superusers[0]
