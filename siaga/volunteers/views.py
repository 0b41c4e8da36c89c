"""Volunteer pages (mobile first): my tasks, team queues, the roster with gaps, shifts with
check-in and screening, volunteer profiles, and the warga's offer to volunteer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core import policy
from siaga.core.acting import acting_user
from siaga.core.errors import ValidationFailed
from siaga.core.forms import accepted, flash_service_errors, submit
from siaga.core.htmx import render_list
from siaga.core.paging import page_of
from siaga.core.roles import Perm
from siaga.territory import selectors as territory_selectors
from siaga.territory.models import Territory

from . import ical, selectors, services
from .forms import OneOffShiftForm, PoskoForm, RosterForm, ShiftTemplateForm
from .models import (
    AssignmentState,
    ShiftAssignment,
    Skill,
    SwapRequest,
    TaskState,
    Team,
    TeamKind,
    Volunteer,
    VolunteerStatus,
)

SCHEDULE_PAGE = 20
PAGE_TEAMS = 50  # the teams listed beside the volunteers (the queue page filters them all)
ROSTER_DAYS = 7  # the roster opens on the next week; ?from=&to= choose another range


def _errors(request: HttpRequest, exc: ValidationFailed) -> None:
    flash_service_errors(request, exc.errors)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _area(request: HttpRequest) -> Territory | None:
    """The ``?territory=`` of a list page (none: everything within reach; outside it: 404)."""
    return territory_selectors.territory_param(
        request.user, Perm.VOLUNTEER_VIEW, request.GET.get("territory")
    )


def _area_context(request: HttpRequest, area: Territory | None) -> dict[str, Any]:
    """The area filter's options and choice (a code named in the address is kept as an option)."""
    areas = selectors.areas(request.user)
    if area is not None and all(t.pk != area.pk for t in areas):
        areas.insert(0, area)
    return {"areas": areas, "area": area}


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return default


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The mobile "my tasks" list: taken by me, assigned to me, or waiting in my teams."""
    tasks = list(selectors.my_tasks(request.user)[:100])
    return render(request, "volunteers/my_tasks.html", {"tasks": tasks, "now": timezone.now()})


@login_required
def task_queue(request: HttpRequest) -> HttpResponse:
    """The tasks of the team queues, open ones by default, a page at a time; filtered by area,
    team and state. Coordinators reassign from here."""
    area = _area(request)
    team = None
    if request.GET.get("tim"):
        team = policy.get_or_404(
            Team.objects.all(), request.user, Perm.VOLUNTEER_VIEW, pk=_int(request.GET["tim"])
        )
    state = request.GET.get("state", "")
    state = state if state in TaskState.values else ""
    tasks = selectors.tasks(
        request.user, territory=area, team=team, state=state, open_only=not state
    )
    areas = _area_context(request, area)
    # The team choice of one area at a time (every team of a city was 16 KB of the page).
    one_rw = area is not None or sum(t.number is not None for t in areas["areas"]) <= 1
    return render_list(
        request,
        "volunteers/task_queue.html",
        "volunteers/_task_results.html",
        {
            "page": page_of(request, tasks),
            "counts": selectors.task_counts(
                selectors.tasks(request.user, territory=area, team=team)
            ),
            "teams": list(selectors.teams(request.user, territory=area)) if one_rw else [],
            "team": team,
            "state": state,
            "states": TaskState.choices,
            "now": timezone.now(),
            **areas,
        },
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_for_view(request.user, pk)
    can_manage = policy.can_act_on(request.user, Perm.VOLUNTEER_MANAGE, task)
    rw = services.rw_key(task.territory_id)
    return render(
        request,
        "volunteers/task_detail.html",
        {
            "task": task,
            "can_work": policy.can_act_on(request.user, Perm.VOLUNTEER_WORK, task),
            "can_manage": can_manage,
            "teams": list(Team.objects.filter(rw_id=rw)) if can_manage else [],
            "volunteers": list(Volunteer.objects.filter(rw_id=rw, status="active"))
            if can_manage
            else [],
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    task = selectors.task_for_view(request.user, pk)
    note = request.POST.get("note", "")[:1000]
    try:
        if action == "take":
            services.take_task(actor=request.user, task=task)
            messages.success(request, _("Task taken."))
        elif action == "complete":
            services.complete_task(actor=request.user, task=task, note=note)
            messages.success(request, _("Task done. Thank you!"))
        elif action == "cancel":
            services.cancel_task(actor=request.user, task=task, note=note)
            messages.success(request, _("Task cancelled."))
        elif action == "assign":
            assignee = team = None
            if _int(request.POST.get("assignee")):
                assignee = policy.get_or_404(
                    Volunteer.objects.all(),
                    request.user,
                    Perm.VOLUNTEER_VIEW,
                    pk=_int(request.POST["assignee"]),
                )
            if _int(request.POST.get("team")):
                team = policy.get_or_404(
                    Team.objects.all(),
                    request.user,
                    Perm.VOLUNTEER_VIEW,
                    pk=_int(request.POST["team"]),
                )
            services.assign_task(actor=request.user, task=task, assignee=assignee, team=team)
            messages.success(request, _("Task reassigned."))
        else:
            raise Http404("not found")
    except ValidationFailed as exc:
        _errors(request, exc)
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("volunteers:task", pk=task.pk)


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    """Shifts from ``?from=`` to ``?to=`` (both days included; the next week by default) in the
    chosen area, a page at a time, gaps highlighted, with self sign-up."""
    area = _area(request)
    start = _date(request.GET.get("from"), timezone.localdate())
    end = max(_date(request.GET.get("to"), start + dt.timedelta(days=ROSTER_DAYS - 1)), start)
    queryset = selectors.shifts(
        request.user, territory=area, start=start, end=end + dt.timedelta(days=1)
    )
    page = page_of(request, queryset)
    shifts = selectors.mark_gaps(page.object_list)
    seats = dict(
        ShiftAssignment.objects.filter(
            shift__in=[s.pk for s in shifts], volunteer__user_id=request.user.pk or 0
        ).values_list("shift_id", "state")
    )
    return render_list(
        request,
        "volunteers/roster.html",
        "volunteers/_roster_results.html",
        {
            "page": page,
            "shifts": shifts,
            "start": start,
            "end": end,
            "mine": {pk for pk, state in seats.items() if state == AssignmentState.CONFIRMED},
            "asked": {pk for pk, state in seats.items() if state == AssignmentState.REQUESTED},
            "gaps": len(selectors.gap_ids(queryset)),
            **_area_context(request, area),
        },
    )


@login_required
def my_schedule(request: HttpRequest) -> HttpResponse:
    """Jadwal saya: every upcoming shift of the volunteer (all their RWs), 20 a page."""
    page = Paginator(selectors.my_schedule(request.user), SCHEDULE_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "volunteers/my_schedule.html",
        {
            "page": page,
            "seats": list(page.object_list),
            "has_feed": selectors.has_calendar_token(request.user),
        },
    )


@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The personal iCal feed: make (or make anew) its secret address, or revoke it. The address
    is shown once, right after it is made: only a hash of its token is kept."""
    user = acting_user(request)
    feed_url = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "issue":
                raw = services.issue_calendar_token(actor=user)
                feed_url = request.build_absolute_uri(
                    reverse("volunteers:calendar_feed", args=[raw])
                )
            elif action == "revoke":
                services.revoke_calendar_token(actor=user)
                messages.success(request, _("The calendar address no longer works."))
                return redirect("volunteers:calendar")
            else:
                raise Http404("not found")
        except ValidationFailed as exc:
            _errors(request, exc)
    return render(
        request,
        "volunteers/calendar.html",
        {"feed_url": feed_url, "has_feed": selectors.has_calendar_token(user)},
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed a calendar app subscribes to (no sign-in: the secret token is the key); an
    unknown or revoked token answers 404."""
    owner = selectors.calendar_owner(token)
    if owner is None:
        raise Http404("not found")
    body = ical.shift_calendar(
        selectors.my_schedule(owner)[:500],
        name=_("Kampung Siaga shifts"),
        domain=request.get_host().split(":")[0] or "siaga",
        link_for=lambda pk: request.build_absolute_uri(reverse("volunteers:shift", args=[pk])),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shift = selectors.shift_for_view(request.user, pk)
    detail = selectors.shift_detail(shift)
    seats = [*detail["assignments"], *detail["requested"]]
    own = next((a for a in seats if a.volunteer.user_id == request.user.pk), None)
    can_manage = policy.can_act_on(request.user, Perm.VOLUNTEER_MANAGE, shift)
    on_shift = {a.volunteer_id for a in seats}
    others = [
        v
        for v in Volunteer.objects.filter(rw_id=shift.rw_id, status=VolunteerStatus.ACTIVE)
        if v.pk not in on_shift
    ]
    return render(
        request,
        "volunteers/shift_detail.html",
        {
            "shift": shift,
            "own": own,
            "people": len(detail["assignments"]),
            "can_work": policy.can_act_on(request.user, Perm.VOLUNTEER_WORK, shift),
            "can_manage": can_manage,
            "others": others,
            "can_withdraw": own is not None
            and own.checked_in_at is None
            and (own.state == AssignmentState.REQUESTED or timezone.now() < shift.withdraw_cutoff),
            "skill_labels": dict(Skill.choices),
            **detail,
        },
    )


@login_required
@require_POST
def shift_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    shift = selectors.shift_for_view(request.user, pk)
    own = services.volunteer_of(request.user, shift.rw_id)
    assignment = (
        ShiftAssignment.objects.select_related("shift", "volunteer")
        .filter(shift=shift, volunteer=own)
        .first()
        if own
        else None
    )
    try:
        if action == "signup":
            seat = services.sign_up(actor=request.user, shift=shift)
            if seat.state == AssignmentState.REQUESTED:
                messages.success(request, _("Asked; the pengurus will confirm."))
            else:
                messages.success(request, _("You are on this shift."))
        elif action == "withdraw" and assignment is not None:
            services.withdraw(actor=request.user, assignment=assignment)
            messages.success(request, _("You are off this shift; the pengurus were told."))
        elif action in ("assign", "remove", "confirm", "decline"):
            _manage_seat(request, shift, action)
        elif action in ("checkin", "checkout") and assignment is not None:
            if action == "checkin":
                services.check_in(actor=request.user, assignment=assignment)
            else:
                services.check_out(actor=request.user, assignment=assignment)
            messages.success(request, _("Saved."))
        elif action == "screening":
            temperature = request.POST.get("temperature_c") or None
            services.record_screening(
                actor=request.user,
                shift=shift,
                temperature_c=temperature,
                newcomer=bool(request.POST.get("newcomer")),
                allowed=not request.POST.get("refused"),
                note=request.POST.get("note", "")[:255],
            )
            messages.success(request, _("Screening recorded."))
        elif action == "swap" and assignment is not None:
            target = policy.get_or_404(
                Volunteer.objects.all(),
                request.user,
                Perm.VOLUNTEER_VIEW,
                pk=_int(request.POST.get("to_volunteer")),
            )
            services.request_swap(
                actor=request.user,
                assignment=assignment,
                to_volunteer=target,
                reason=request.POST.get("reason", "")[:255],
            )
            messages.success(request, _("Swap requested; the coordinator decides."))
        elif action in ("approve_swap", "reject_swap"):
            swap = policy.get_or_404(
                SwapRequest.objects.all(),
                request.user,
                Perm.VOLUNTEER_MANAGE,
                pk=_int(request.POST.get("swap")),
            )
            services.decide_swap(actor=request.user, swap=swap, approve=action == "approve_swap")
            messages.success(request, _("Saved."))
        else:
            raise Http404("not found")
    except ValidationFailed as exc:
        _errors(request, exc)
    return redirect("volunteers:shift", pk=shift.pk)


def _manage_seat(request: HttpRequest, shift: Any, action: str) -> None:
    """A pengurus puts a named volunteer on the shift, takes one off, or decides a request."""
    volunteer = policy.get_or_404(
        Volunteer.objects.all(),
        request.user,
        Perm.VOLUNTEER_MANAGE,
        pk=_int(request.POST.get("volunteer")),
        rw_id=shift.rw_id,
    )
    if action == "assign":
        services.sign_up(actor=request.user, shift=shift, volunteer=volunteer)
        messages.success(request, _("%(name)s is on this shift.") % {"name": volunteer.name})
        return
    seat = (
        ShiftAssignment.objects.select_related("shift", "volunteer")
        .filter(shift=shift, volunteer=volunteer)
        .first()
    )
    if seat is None:
        raise Http404("not found")
    if action == "remove":
        services.remove_from_shift(actor=request.user, assignment=seat)
        messages.success(request, _("%(name)s is off this shift.") % {"name": volunteer.name})
    else:
        services.decide_sign_up(actor=request.user, assignment=seat, confirm=action == "confirm")
        messages.success(request, _("Saved; the volunteer was told."))


@login_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    """The volunteers within reach, a page at a time, by area and status; the teams and the
    swap requests of the chosen area beside them."""
    area = _area(request)
    status = request.GET.get("status", "")
    status = status if status in VolunteerStatus.values else ""
    page = page_of(request, selectors.volunteers(request.user, territory=area, status=status))
    hours = selectors.hours_by_volunteer([v.pk for v in page.object_list])
    for volunteer in page.object_list:
        volunteer.hours = hours.get(volunteer.pk)
    return render_list(
        request,
        "volunteers/volunteer_list.html",
        "volunteers/_volunteer_results.html",
        {
            "page": page,
            "status": status,
            "statuses": VolunteerStatus.choices,
            "teams": list(selectors.teams(request.user, territory=area)[:PAGE_TEAMS]),
            "swaps": list(selectors.pending_swaps(request.user, territory=area)[:50]),
            **_area_context(request, area),
        },
    )


@login_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_for_view(request.user, pk)
    return render(
        request,
        "volunteers/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "can_manage": policy.can_act_on(request.user, Perm.VOLUNTEER_MANAGE, volunteer),
            **selectors.volunteer_profile(volunteer),
        },
    )


@login_required
@require_POST
def volunteer_approve(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_for_view(request.user, pk)
    services.approve_volunteer(
        actor=request.user, volunteer=volunteer, active=request.POST.get("active") != "0"
    )
    messages.success(request, _("Saved."))
    return redirect("volunteers:volunteer", pk=volunteer.pk)


@login_required
def offer(request: HttpRequest) -> HttpResponse:
    """A warga offers to volunteer in their RW."""
    if request.method == "POST":
        try:
            services.offer_to_volunteer(
                actor=request.user,
                skills=request.POST.getlist("skills"),
                availability=request.POST.get("availability", "")[:255],
                phone=request.POST.get("phone", "")[:20],
            )
        except ValidationFailed as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Thank you! The pengurus will confirm soon."))
            return redirect("home")
    return render(
        request, "volunteers/offer.html", {"skills": Skill.choices, "team_kinds": TeamKind.choices}
    )


# ---------------------------------------------------------------- posko, shift templates, roster


def _can_manage_somewhere(user: Any) -> bool:
    return not policy.scope_for(user, Perm.VOLUNTEER_MANAGE).empty


@login_required
def posko_list(request: HttpRequest) -> HttpResponse:
    """The posko within reach with their shift templates; pengurus add a posko here."""
    policy.require_somewhere(request.user, Perm.VOLUNTEER_VIEW)
    can_manage = _can_manage_somewhere(request.user)
    form = PoskoForm(request.POST or None, user=request.user) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise Http404("not found")
        if form.is_valid():
            rw = territory_selectors.rw_or_404(
                request.user, Perm.VOLUNTEER_MANAGE, form.cleaned_data["rw"]
            )
            posko = submit(
                form,
                lambda: services.create_posko(
                    actor=request.user,
                    rw=rw,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                ),
            )
            if posko is not None:
                messages.success(request, _("Posko added."))
                return redirect("volunteers:posko", pk=posko.pk)
    return render(
        request,
        "volunteers/posko_list.html",
        {"posko_list": list(selectors.posko_list(request.user)[:200]), "form": form},
        status=422 if form is not None and form.errors else 200,
    )


@login_required
def posko_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One posko: edit it, its shift templates, and the roster generated from them."""
    posko = selectors.posko_for_view(request.user, pk)
    can_manage = policy.can_act_on(request.user, Perm.VOLUNTEER_MANAGE, posko)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    if request.method == "POST" and not can_manage:
        raise Http404("not found")
    posko_form = PoskoForm(
        request.POST if which == "posko" else None,
        user=request.user,
        editing=True,
        initial={"name": posko.name, "kind": posko.kind},
    )
    template_form = ShiftTemplateForm(
        request.POST if which == "template" else None, initial={"active": True}
    )
    roster_form = RosterForm(request.POST if which == "roster" else None)
    shift_form = OneOffShiftForm(
        request.POST if which == "shift" else None,
        initial={"day": timezone.localdate(), "min_people": 1, "max_people": 4},
    )
    if which == "posko" and posko_form.is_valid():
        if accepted(
            posko_form,
            lambda: services.update_posko(
                actor=acting_user(request),
                posko=posko,
                name=posko_form.cleaned_data["name"],
                kind=posko_form.cleaned_data["kind"],
            ),
        ):
            messages.success(request, _("Posko saved."))
            return redirect("volunteers:posko", pk=posko.pk)
    elif which == "template" and template_form.is_valid():
        if accepted(
            template_form,
            lambda: services.create_shift_template(
                actor=request.user, posko=posko, **template_form.service_kwargs()
            ),
        ):
            messages.success(request, _("Shift template added."))
            return redirect("volunteers:posko", pk=posko.pk)
    elif which == "roster" and roster_form.is_valid():
        created = submit(
            roster_form,
            lambda: services.generate_roster(
                actor=request.user,
                posko=posko,
                start=roster_form.cleaned_data["start"] or timezone.localdate(),
                days=roster_form.cleaned_data["weeks"] * 7,
            ),
        )
        if created is not None:
            messages.success(request, _("%(n)d shifts added to the roster.") % {"n": created})
            return redirect("volunteers:posko", pk=posko.pk)
    elif which == "shift" and shift_form.is_valid():
        shift = submit(
            shift_form,
            lambda: services.create_one_off_shift(
                actor=request.user, posko=posko, **shift_form.cleaned_data
            ),
        )
        if shift is not None:
            messages.success(request, _("Shift added."))
            return redirect("volunteers:shift", pk=shift.pk)
    elif which not in ("", "posko", "template", "roster", "shift"):
        raise Http404("not found")
    start = timezone.localdate()
    invalid = any(f.errors for f in (posko_form, template_form, roster_form, shift_form))
    return render(
        request,
        "volunteers/posko_detail.html",
        {
            "posko": posko,
            "can_manage": can_manage,
            "templates": list(selectors.shift_templates(request.user, posko=posko)),
            "upcoming": selectors.mark_gaps(
                selectors.shifts(
                    request.user, posko=posko, start=start, end=start + dt.timedelta(days=7)
                )
            ),
            "posko_form": posko_form,
            "template_form": template_form,
            "roster_form": roster_form,
            "shift_form": shift_form,
        },
        status=422 if invalid else 200,
    )


@login_required
def shift_template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.shift_template_for_view(request.user, pk, Perm.VOLUNTEER_MANAGE)
    initial = {
        "name": template.name,
        "starts": template.starts,
        "ends": template.ends,
        "min_people": template.min_people,
        "max_people": template.max_people,
        "weekdays": template.weekdays,
        "active": template.active,
        "withdraw_cutoff_hours": template.withdraw_cutoff_hours,
        "requires_confirmation": template.requires_confirmation,
        "skill_requirements": template.skill_requirements,
    }
    form = ShiftTemplateForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and accepted(
            form,
            lambda: services.update_shift_template(
                actor=acting_user(request), template=template, **form.service_kwargs()
            ),
        )
    ):
        messages.success(request, _("Shift template saved."))
        return redirect("volunteers:posko", pk=template.posko_id)
    return render(
        request,
        "volunteers/shift_template_form.html",
        {"template": template, "form": form},
        status=422 if form.errors else 200,
    )
