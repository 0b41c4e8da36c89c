"""Template tags owned by the territory app (the base template loads them for its footer)."""

from __future__ import annotations

from django import template

from siaga.territory.reference import ATTRIBUTION

register = template.Library()


@register.simple_tag
def code_list_attribution() -> str:
    """The attribution the territory code list's licence asks for (footer of every page)."""
    return ATTRIBUTION
