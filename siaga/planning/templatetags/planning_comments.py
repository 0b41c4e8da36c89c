"""Comments are co-design's (planning); the co-commissioning pages show them with this tag, so the
commissioning app never imports planning (docs/adr/0009)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from siaga.commissioning.models import Need, Proposal
from siaga.core import policy
from siaga.core.roles import Perm
from siaga.planning import selectors

register = template.Library()


@register.inclusion_tag("planning/_comments.html", takes_context=True)
def comments_for(context: template.Context, target: Need | Proposal) -> dict[str, Any]:
    """``{% comments_for need %}``: the comments on a need or proposal, moderation and a form that
    posts to planning."""
    user = context["request"].user
    kind = "need" if isinstance(target, Need) else "proposal"
    return {
        "comments": selectors.comments(user, target, include_hidden=True),
        "can_moderate": policy.can_act_on(user, Perm.COMMENT_MODERATE, target),
        "comment_url": reverse("planning:comment", args=[kind, target.pk]),
        "csrf_token": context.get("csrf_token"),
    }
