"""Web pages of co-assessment: rate a service, file and follow a complaint (pengaduan), the
handlers' complaint queue and the satisfaction summary. (The Laporan Kinerja Relawan pages are
in report/views.py, included by urls.py.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core import policy
from siaga.core.errors import ValidationFailed
from siaga.core.forms import accepted, submit
from siaga.core.roles import Perm
from siaga.registry.models import Household
from siaga.territory.models import Level, Territory

from . import selectors, services
from .forms import ComplaintForm, FeedbackForm, HouseholdLookupForm, RespondForm
from .models import Channel, ComplaintState, ServiceKind


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _may(user: Any, perm: Perm) -> bool:
    return not policy.scope_for(user, perm).empty


def _handles(user: Any) -> bool:
    return policy.reaches_any_territory(user, Perm.COMPLAINT_HANDLE)


def _household(user: Any, pk: Any) -> Household:
    return policy.get_or_404(
        Household.objects.select_related("rt"), user, Perm.FEEDBACK_GIVE, pk=_int(pk)
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """For a warga: services to rate and "Pengaduan saya"; for handlers: the open complaint
    queue (overdue first) and the satisfaction summary of their territory."""
    user = request.user
    if not (_may(user, Perm.FEEDBACK_GIVE) or _may(user, Perm.COMPLAINT_FILE)):
        raise Http404("not found")
    now = timezone.now()
    households = [
        (household, selectors.rateable_services(household, now=now)[:10])
        for household in selectors.own_households(user)[:5]
    ]
    handles = _handles(user)
    can_view = _may(user, Perm.ASSESSMENT_VIEW)
    context = {
        "households": households,
        "mine": list(selectors.my_complaints(user, now=now)[:10]),
        "handles": handles,
        "queue": list(selectors.complaint_queue(user, open_only=True, now=now)[:20])
        if handles
        else [],
        "can_view": can_view,
        "summary": selectors.satisfaction_summary(
            user, since=timezone.localdate() - dt.timedelta(days=90)
        )
        if can_view
        else None,
        "can_record": selectors.can_record_for_others(user),
        "can_file": _may(user, Perm.COMPLAINT_FILE),
    }
    return render(request, "assessment/home.html", context)


@login_required
def record_for(request: HttpRequest) -> HttpResponse:
    """Relawan and pengurus: find a household of their territory by No. KK, then rate one of its
    services for it (feedback collected on paper or at the door)."""
    if not selectors.can_record_for_others(request.user):
        raise Http404("not found")
    form = HouseholdLookupForm(request.GET or None)
    household = None
    services_list: list[Any] = []
    if form.is_valid():
        kk = "".join(ch for ch in form.cleaned_data["kk"] if ch.isdigit())
        household = (
            policy.scope(Household.objects.select_related("rt"), request.user, Perm.FEEDBACK_GIVE)
            .filter(kk=kk)
            .first()
        )
        if household is None:
            form.add_error("kk", _("No household with this No. KK in your area."))
        else:
            services_list = selectors.rateable_services(household)
    return render(
        request,
        "assessment/record_for.html",
        {"form": form, "household": household, "services": services_list},
    )


@login_required
def rate(request: HttpRequest) -> HttpResponse:
    """Rate one service of a household (1–5 and a comment, optionally anonymous)."""
    source = request.POST if request.method == "POST" else request.GET
    household = _household(request.user, source.get("household"))
    kind = source.get("service", "")
    if kind not in ServiceKind.values:
        raise Http404("not found")
    record_id = _int(source.get("id"))
    try:
        ref = services.resolve_service(household=household, kind=kind, record_id=record_id)
    except ValidationFailed as exc:
        raise Http404("not found") from exc
    form = FeedbackForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and accepted(
            form,
            lambda: services.give_feedback(
                actor=request.user,
                household=household,
                service=kind,
                service_id=record_id,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                anonymous=form.cleaned_data["anonymous"],
                channel=Channel.WEB,
            ),
        )
    ):
        messages.success(request, _("Thank you: your rating was saved."))
        own = household.pk in policy.scope_for(request.user, Perm.FEEDBACK_GIVE).households
        if own:
            return redirect("assessment:home")
        return redirect(f"{reverse('assessment:record_for')}?kk={household.kk}")
    return render(
        request,
        "assessment/rate.html",
        {"form": form, "household": household, "ref": ref, "record_id": record_id or ""},
    )


@login_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    """Feedback of the user's territory with the satisfaction summary (ASSESSMENT_VIEW)."""
    if not _may(request.user, Perm.ASSESSMENT_VIEW):
        raise Http404("not found")
    service = request.GET.get("service", "")
    if service not in ServiceKind.values:
        service = ""
    queryset = selectors.feedback(request.user, service=service)
    page = Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/feedback_list.html",
        {
            "page": page,
            "summary": selectors.satisfaction_summary(request.user),
            "service": service,
            "services": ServiceKind.choices,
        },
    )


@login_required
def complaints(request: HttpRequest) -> HttpResponse:
    """The handlers' queue (filter by state; overdue highlighted) and "Pengaduan saya"."""
    user = request.user
    if not (_may(user, Perm.COMPLAINT_FILE) or _handles(user)):
        raise Http404("not found")
    state = request.GET.get("state", "")
    if state not in ComplaintState.values:
        state = ""
    handles = _handles(user)
    queryset = (
        selectors.complaint_queue(user, state=state) if handles else selectors.my_complaints(user)
    )
    page = Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/complaints.html",
        {
            "page": page,
            "handles": handles,
            "state": state,
            "states": ComplaintState.choices,
            "mine": list(selectors.my_complaints(user)[:20]) if handles else [],
            "can_view": _may(user, Perm.ASSESSMENT_VIEW),
        },
    )


def _complaint_places(user: Any) -> tuple[list[Household], list[Territory]]:
    households = list(selectors.own_households(user)[:5])
    rts: list[Territory] = []
    if policy.reaches_any_territory(user, Perm.COMPLAINT_FILE):
        rts = list(
            policy.scope(
                Territory.objects.filter(level=Level.RT), user, Perm.COMPLAINT_FILE
            ).order_by("code")[:300]
        )
    return households, rts


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    """File a pengaduan: for one's household (warga) or for an RT of one's territory."""
    user = request.user
    if not _may(user, Perm.COMPLAINT_FILE):
        raise Http404("not found")
    households, rts = _complaint_places(user)
    source = request.POST if request.method == "POST" else request.GET
    household = next((h for h in households if h.pk == _int(source.get("household"))), None)
    rt = next((t for t in rts if t.pk == _int(source.get("rt"))), None)
    if (source.get("household") and household is None) or (source.get("rt") and rt is None):
        raise Http404("not found")  # a household or RT out of reach
    if household is None and rt is None and households:
        household = households[0]
    form = ComplaintForm(
        request.POST or None,
        request.FILES or None,
        initial={"service": source.get("service", ""), "service_id": source.get("id")},
        volunteers=selectors.volunteers_to_name(user, households),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        volunteer = None
        if data["volunteer"]:
            volunteer = (
                selectors.volunteers_to_name(user, households).filter(pk=data["volunteer"]).first()
            )
        complaint = submit(
            form,
            lambda: services.file_complaint(
                actor=user,
                household=household,
                rt=None if household else rt,
                category=data["category"],
                description=data["description"],
                service=data["service"],
                service_id=data["service_id"],
                volunteer=volunteer,
                photo=data["photo"] or None,
                channel=Channel.WEB,
            ),
        )
        if complaint is not None:
            messages.success(
                request, _("Your complaint was received; the RW pengurus answer within 3 days.")
            )
            return redirect("assessment:complaint", pk=complaint.pk)
    return render(
        request,
        "assessment/complaint_form.html",
        {"form": form, "households": households, "rts": rts, "household": household, "rt": rt},
    )


@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.complaint_or_404(request.user, pk)
    handles = services.can_handle(request.user, complaint)
    return render(
        request,
        "assessment/complaint_detail.html",
        {
            "complaint": complaint,
            "events": list(complaint.events.all()),
            "handles": handles,
            "form": RespondForm() if handles and complaint.state != ComplaintState.DONE else None,
        },
    )


@login_required
@require_POST
def complaint_respond(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.complaint_or_404(request.user, pk)
    if not services.can_handle(request.user, complaint):
        raise Http404("not found")
    form = RespondForm(request.POST)
    if form.is_valid() and accepted(
        form,
        lambda: services.respond_to_complaint(
            actor=request.user,
            complaint=complaint,
            state=form.cleaned_data["state"],
            response=form.cleaned_data["response"],
        ),
    ):
        messages.success(request, _("Response saved; the complainant can read it."))
        return redirect("assessment:complaint", pk=complaint.pk)
    return render(
        request,
        "assessment/complaint_detail.html",
        {
            "complaint": complaint,
            "events": list(complaint.events.all()),
            "handles": True,
            "form": form,
        },
        status=422,
    )


@login_required
def complaint_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The complaint's photo, for those who may read the complaint."""
    complaint = selectors.complaint_or_404(request.user, pk)
    if not complaint.photo:
        raise Http404("not found")
    return FileResponse(complaint.photo.open("rb"))
