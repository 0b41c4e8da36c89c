"""Drilling down the territory tree: provinsi › … › RT, with counts, and adding RW/RT."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from siaga.core import policy
from siaga.core.roles import Perm
from siaga.territory import selectors
from siaga.territory.forms import ChildForm
from siaga.territory.models import Level
from siaga.territory.services import TerritoryError, create_child


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "territory/index.html", {"roots": selectors.roots(request.user)})


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    territory = selectors.get_visible(request.user, code)
    can_create = territory.level in (Level.KELURAHAN, Level.RW) and policy.can_act_on(
        request.user, Perm.TERRITORY_CREATE, territory
    )
    form = None
    if request.method == "POST":
        if not can_create:
            raise Http404("not found")
        form = ChildForm(request.POST)
        if form.is_valid():
            try:
                child = create_child(
                    actor=request.user,
                    parent=territory,
                    number=form.cleaned_data["number"],
                    name=form.cleaned_data["name"],
                )
            except TerritoryError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(name)s was created.") % {"name": child})
                return redirect("territory:detail", code=child.code)
    elif can_create:
        form = ChildForm()
    breadcrumbs = [
        (ancestor, policy.can_act_on(request.user, Perm.TERRITORY_VIEW, ancestor))
        for ancestor in selectors.ancestors(territory)
    ]
    child_label = {Level.KELURAHAN: _("RW"), Level.RW: _("RT")}.get(Level(territory.level), "")
    return render(
        request,
        "territory/detail.html",
        {
            "territory": territory,
            "Level": Level,  # the template compares levels by name, never by number
            "breadcrumbs": breadcrumbs,
            "counts": selectors.counts(territory),
            "children": selectors.children_with_counts(territory),
            "form": form,
            "child_label": child_label,
            "is_rt": territory.level == Level.RT,
            "can_register": policy.can_act_on(request.user, Perm.REGISTRY_CHANGE, territory),
        },
    )
