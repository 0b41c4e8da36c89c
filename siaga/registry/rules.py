"""Field rules shared by the registry services and the spreadsheet importer (one source)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

NAME_MAX_LENGTH = 150
EARLIEST_BIRTH_YEAR = 1890


def clean_name(value: object) -> str:
    """A person's name with runs of whitespace collapsed."""
    return " ".join(str(value or "").split())


def name_error(name: str) -> str | None:
    if not name:
        return _("This field is required.")
    if len(name) > NAME_MAX_LENGTH:
        return _("At most 150 characters.")
    return None


def birth_date_error(birth_date: dt.date | None, today: dt.date | None = None) -> str | None:
    if birth_date is None:
        return None
    if birth_date > (today or timezone.localdate()):
        return _("The birth date cannot be in the future.")
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        return _("The birth date is too far in the past.")
    return None
