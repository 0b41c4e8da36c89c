"""Registry pages: households and residents. Reads via selectors, writes via services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from siaga.core import policy
from siaga.core.acting import acting_user
from siaga.core.errors import ValidationFailed
from siaga.core.forms import accepted, flash_service_errors, submit
from siaga.core.htmx import render_list
from siaga.core.roles import Perm
from siaga.registry import selectors, services
from siaga.registry.forms import (
    RT_SELECT_LIMIT,
    HouseholdFilterForm,
    HouseholdForm,
    ResidentFilterForm,
    ResidentForm,
    rt_options,
)
from siaga.registry.identity import clean_digits
from siaga.registry.models import (
    Comorbidity,
    Household,
    Resident,
    Vulnerability,
)
from siaga.territory import selectors as territory_selectors
from siaga.territory.models import Territory

LABELS = {
    "flag_labels": dict(Vulnerability.choices),
    "comorbidity_labels": dict(Comorbidity.choices),
}


def _list_response(request: HttpRequest, name: str, context: dict[str, Any]) -> HttpResponse:
    """The full page, or only its results for live search (core.htmx)."""
    return render_list(
        request, f"registry/{name}_list.html", f"registry/_{name}_results.html", context
    )


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _household_by_kk(user: Any, form: ResidentForm) -> tuple[bool, Household | None]:
    """Resolve the No. KK typed in the form to a household the user may change."""
    kk = clean_digits(form.cleaned_data.get("kk") or "")
    if not kk:
        return True, None
    household = (
        policy.scope(Household.objects.select_related("rt"), user, Perm.REGISTRY_CHANGE)
        .filter(kk=kk)
        .first()
    )
    if household is None:
        form.add_error("kk", _("No household with this No. KK in your area."))
        return False, None
    return True, household


# ---- lists ---------------------------------------------------------------------------------


def _wilayah(request: HttpRequest) -> Territory | None:
    """The ``?wilayah=`` filter of the lists: 404 for an unknown code or one out of reach."""
    return territory_selectors.territory_param(
        request.user, Perm.TERRITORY_VIEW, request.GET.get("wilayah")
    )


@login_required
def households(request: HttpRequest) -> HttpResponse:
    territory = _wilayah(request)
    form = HouseholdFilterForm(request.GET)
    if form.is_valid():
        queryset = selectors.households(request.user, territory=territory, q=form.cleaned_data["q"])
    else:
        queryset = Household.objects.none()
    context = {
        "form": form,
        "territory": territory,
        "page": _page(request, queryset),
        "can_add": not policy.scope_for(request.user, Perm.REGISTRY_CHANGE).empty,
    }
    return _list_response(request, "household", context)


@login_required
def residents(request: HttpRequest) -> HttpResponse:
    territory = _wilayah(request)
    form = ResidentFilterForm(request.GET)
    if form.is_valid():
        queryset = selectors.residents(
            request.user,
            territory=territory,
            q=form.cleaned_data["q"],
            status=form.cleaned_data["status"],
            vulnerable=form.cleaned_data["rentan"],
        )
    else:
        queryset = Resident.objects.none()
    context = {
        "form": form,
        "territory": territory,
        "page": _page(request, queryset),
        "can_add": not policy.scope_for(request.user, Perm.REGISTRY_CHANGE).empty,
        **LABELS,
    }
    return _list_response(request, "resident", context)


@login_required
def rt_datalist(request: HttpRequest) -> HttpResponse:
    """The <datalist> of RTs for the RT field, narrowed by what has been typed (htmx)."""
    options = rt_options(request.user, request.GET.get("rt", ""))
    return render(request, "registry/_rt_options.html", {"rt_options": options})


# ---- residents -----------------------------------------------------------------------------


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_for_view(request.user, pk)  # audited
    return render(
        request,
        "registry/resident_detail.html",
        {
            "resident": resident,
            "can_change": policy.can_act_on(request.user, Perm.REGISTRY_CHANGE, resident),
            **LABELS,
        },
    )


def _rt_choices(request: HttpRequest) -> list[tuple[str, str]]:
    """The RTs in the user's reach, for the RT select (more than the limit: typed with hints)."""
    return rt_options(request.user, limit=RT_SELECT_LIMIT + 1)


def _resident_form_page(
    request: HttpRequest, form: ResidentForm, resident: Resident | None
) -> HttpResponse:
    return render(
        request,
        "registry/resident_form.html",
        {
            "form": form,
            "resident": resident,
            "rt_options": rt_options(request.user, request.GET.get("induk", "")),
        },
    )


@login_required
def resident_create(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.REGISTRY_CHANGE)
    initial: dict[str, Any] = {}
    if request.GET.get("household"):
        preset = selectors.household_for_change(request.user, request.GET["household"])
        initial = {"kk": preset.kk, "rt": preset.rt.code}
    elif request.GET.get("rt"):
        initial = {"rt": request.GET["rt"]}
    form = ResidentForm(request.POST or None, initial=initial, rt_choices=_rt_choices(request))
    if request.method == "POST" and form.is_valid():
        found, household = _household_by_kk(request.user, form)
        if found:
            resident = submit(
                form,
                lambda: services.create_resident(
                    actor=request.user, data={**form.service_data(), "household": household}
                ),
            )
            if resident is not None:
                messages.success(request, _("%(name)s was added.") % {"name": resident.name})
                return redirect("registry:resident_detail", pk=resident.pk)
    return _resident_form_page(request, form, None)


@login_required
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        resident = selectors.resident_for_change(request.user, pk)
    else:  # the form shows the whole record: that is a view of it, and audited as one
        resident = selectors.resident_for_view(request.user, pk, perm=Perm.REGISTRY_CHANGE)
    form = ResidentForm(
        request.POST or None,
        initial=ResidentForm.initial_for(resident),
        rt_choices=_rt_choices(request),
    )
    if request.method == "POST" and form.is_valid():
        found, household = _household_by_kk(request.user, form)
        if found and accepted(
            form,
            lambda: services.update_resident(
                actor=acting_user(request),
                resident=resident,
                data={**form.service_data(), "household": household},
            ),
        ):
            messages.success(request, _("The changes were saved."))
            return redirect("registry:resident_detail", pk=resident.pk)
    return _resident_form_page(request, form, resident)


@login_required
def resident_delete(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_for_change(request.user, pk)
    if request.method == "POST":
        try:
            services.delete_resident(actor=request.user, resident=resident)
        except ValidationFailed as exc:
            flash_service_errors(request, exc.errors)
            return redirect("registry:resident_detail", pk=resident.pk)
        messages.success(request, _("%(name)s was deleted.") % {"name": resident.name})
        return redirect("registry:residents")
    return render(
        request,
        "registry/confirm_delete.html",
        {
            "object": resident,
            "cancel_url": reverse("registry:resident_detail", kwargs={"pk": resident.pk}),
        },
    )


# ---- households ----------------------------------------------------------------------------


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_for_view(request.user, pk)
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": list(selectors.members(household)),
            "can_change": policy.can_act_on(request.user, Perm.REGISTRY_CHANGE, household),
            **LABELS,
        },
    )


def _household_form_page(
    request: HttpRequest, form: HouseholdForm, household: Household | None
) -> HttpResponse:
    return render(
        request,
        "registry/household_form.html",
        {
            "form": form,
            "household": household,
            "rt_options": rt_options(request.user, request.GET.get("induk", "")),
        },
    )


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.REGISTRY_CHANGE)
    initial = {"rt": request.GET["rt"]} if request.GET.get("rt") else {}
    form = HouseholdForm(request.POST or None, initial=initial, rt_choices=_rt_choices(request))
    if request.method == "POST" and form.is_valid():
        household = submit(
            form, lambda: services.create_household(actor=request.user, data=form.service_data())
        )
        if household is not None:
            messages.success(request, _("%(name)s was added.") % {"name": household})
            return redirect("registry:household_detail", pk=household.pk)
    return _household_form_page(request, form, None)


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_for_change(request.user, pk)
    form = HouseholdForm(
        request.POST or None,
        initial=HouseholdForm.initial_for(household),
        members=list(selectors.members(household)),
        rt_choices=_rt_choices(request),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and accepted(
            form,
            lambda: services.update_household(
                actor=acting_user(request), household=household, data=form.service_data()
            ),
        )
    ):
        messages.success(request, _("The changes were saved."))
        return redirect("registry:household_detail", pk=household.pk)
    return _household_form_page(request, form, household)


@login_required
def household_delete(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_for_change(request.user, pk)
    if request.method == "POST":
        try:
            services.delete_household(actor=request.user, household=household)
        except ValidationFailed as exc:
            flash_service_errors(request, exc.errors)
            return redirect("registry:household_detail", pk=household.pk)
        messages.success(request, _("%(name)s was deleted.") % {"name": household})
        return redirect("registry:households")
    return render(
        request,
        "registry/confirm_delete.html",
        {
            "object": household,
            "cancel_url": reverse("registry:household_detail", kwargs={"pk": household.pk}),
        },
    )
