"""Template tags owned by the territory app (the base template loads them for its footer)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def code_list_attribution() -> str:
    """The attribution the territory code list's licence asks for (footer of every page), in
    the reader's language (``reference.ATTRIBUTION`` is the console's)."""
    return _(
        "Territory codes: Kepmendagri No. 300.2.2-2138 Tahun 2025, from the cahyadsn/wilayah "
        "dataset (MIT), copyright (c) 2017-2025 Cahya DSN."
    )
