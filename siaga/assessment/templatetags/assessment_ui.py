"""Template helpers of the assessment pages."""

from __future__ import annotations

from typing import Any

from django import template

from siaga.assessment import report

register = template.Library()


@register.simple_tag
def report_reachable(user: Any) -> bool:
    """Does the volunteer report open for ``user`` (an area at RW level or above, or their own
    volunteer profile)? An RT head reaches neither: the link would answer 404."""
    return report.default_territory(user) is not None
