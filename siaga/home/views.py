"""The home page (Beranda): each role's day's work first, one tap from the form that does it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from siaga.core import policy
from siaga.core.acting import acting_user
from siaga.core.roles import Perm

from . import builders  # noqa: F401  (registers the sections of each role)
from .sections import HomeContext, held_roles, sections_for


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    memberships = list(user.memberships.select_related("territory").order_by("territory_id"))
    ctx = HomeContext(user=user, roles=held_roles(user))
    places = [
        {
            "membership": m,
            "territory_link": m.territory is not None
            and policy.can_act_on(user, Perm.TERRITORY_VIEW, m.territory),
        }
        for m in memberships
    ]
    return render(request, "home/home.html", {"sections": sections_for(ctx), "places": places})
