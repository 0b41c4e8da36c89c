"""Co-design pages: plans with the bulk progress table and history, meetings, and the public
accountability page of an RW (no login, no personal data)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.commissioning import selectors as commissioning_selectors
from siaga.commissioning import services as commissioning_services
from siaga.commissioning.forms import DecisionForm, territory_for
from siaga.core import changes, policy
from siaga.core.acting import acting_user
from siaga.core.errors import ValidationFailed
from siaga.core.forms import accepted, flash_service_errors, submit
from siaga.core.htmx import render_list
from siaga.core.models import ActorGroup
from siaga.core.paging import page_of
from siaga.core.roles import Perm
from siaga.territory.models import Level, Territory

from . import selectors, services
from .forms import (
    ActivityForm,
    AttendanceForm,
    GuestFormSet,
    InvitationFormSet,
    MeetingDecisionForm,
    MeetingForm,
    ModerationForm,
    PlanForm,
    filled_rows,
)
from .models import Activity, ActivityStatus, Comment, Meeting, Plan, PlanStatus


def _errors(request: HttpRequest, exc: ValidationFailed) -> None:
    flash_service_errors(request, exc.errors, name_fields=True)


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in PlanStatus.values else ""
    # GROUP BY (the activity count) drops Meta.ordering: order for stable pages.
    page = page_of(
        request, selectors.plans(request.user, status=status).order_by("-created_at", "-id")
    )
    items = [(p, selectors.progress(p)) for p in page.object_list]
    return render_list(
        request,
        "planning/plans.html",
        "planning/_plan_results.html",
        {"plans": items, "page": page, "status": status, "statuses": PlanStatus.choices},
    )


def _history(plan: Plan) -> list[dict[str, Any]]:
    """The plan's last 50 versions, each as a sentence and its changes in the reader's language."""
    versions = list(selectors.history(plan)[:50])
    models = {"plan": Plan, "activity": Activity}
    described = changes.describe_all(
        [(models.get(v.object_type), v.changes if v.action == "update" else {}) for v in versions]
    )
    return [
        {
            "version": version,
            "what": changes.action_sentence(
                version.action, models.get(version.object_type), version.summary
            ),
            "changes": lines,
        }
        for version, lines in zip(versions, described, strict=True)
    ]


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for_view(request.user, pk)
    activities = list(selectors.activities(plan))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "comment":
                services.post_comment(
                    actor=request.user, target=plan, body=request.POST.get("body", "")
                )
            else:
                rows = []
                for activity in activities:
                    if f"percent-{activity.pk}" not in request.POST:
                        continue
                    rows.append(
                        {
                            "activity": activity.pk,
                            "percent": request.POST.get(f"percent-{activity.pk}"),
                            "status": request.POST.get(f"status-{activity.pk}"),
                            "spent": request.POST.get(f"spent-{activity.pk}"),
                        }
                    )
                changed = services.update_progress(actor=request.user, plan=plan, rows=rows)
                messages.success(request, _("%(n)d activities updated.") % {"n": len(changed)})
        except ValidationFailed as exc:
            _errors(request, exc)
        return redirect("planning:plan", pk=plan.pk)
    editable = {a.pk for a in activities if services.may_update_progress(request.user, a)}
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "activities": activities,
            "editable": editable,
            "statuses": ActivityStatus.choices,
            "progress": selectors.progress(plan),
            "history": _history(plan),
            "comments": selectors.comments(request.user, plan, include_hidden=True),
            "can_moderate": policy.can_act_on(request.user, Perm.COMMENT_MODERATE, plan),
            "can_edit": policy.can_act_on(request.user, Perm.PLAN_EDIT, plan),
        },
    )


@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "planning/meetings.html",
        {"meetings": page_of(request, selectors.meetings(request.user))},
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_view(request.user, pk)
    if request.method == "POST":
        try:
            services.write_minutes(
                actor=request.user, meeting=meeting, minutes=request.POST.get("minutes", "")
            )
            messages.success(request, _("The minutes were saved."))
        except ValidationFailed as exc:
            _errors(request, exc)
        return redirect("planning:meeting", pk=meeting.pk)
    return render(
        request,
        "planning/meeting_detail.html",
        {
            "meeting": meeting,
            "counts": selectors.attendance_counts(meeting),
            "attendees": selectors.attendance_list(request.user, meeting),
            "can_manage": policy.can_act_on(request.user, Perm.MEETING_MANAGE, meeting),
        },
    )


def accountability(request: HttpRequest, code: str) -> HttpResponse:
    """Public: funded proposals of an RW with their plans' progress and spending."""
    rw = Territory.objects.select_related("parent").filter(code=code, level=Level.RW).first()
    if rw is None:
        raise Http404("not found")
    items = selectors.accountability(rw)
    return render(
        request,
        "planning/accountability.html",
        {"rw": rw, "items": items, "totals": selectors.spending_total(items)},
    )


# ---------------------------------------------------------------- forms: meetings (agenda and
# invitations), attendance, meeting decisions, comment moderation. Access: 404 unless the user
# holds the permission on the object (core.policy); the services check again and write.


def _manageable_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_for_view(request.user, pk)
    policy.require(request.user, Perm.MEETING_MANAGE, meeting)
    return meeting


def _invitation_errors(form: MeetingForm, errors: Mapping[str, list[str]]) -> None:
    if any(field.startswith("invitations.") for field in errors):
        form.add_error(None, _("Name each invitee and their group."))


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.MEETING_MANAGE)
    form = MeetingForm(request.POST or None, user=request.user)
    invitations = InvitationFormSet(request.POST or None, prefix="invitations")
    if request.method == "POST" and form.is_valid() and invitations.is_valid():
        data = {**form.cleaned_data, "invitations": filled_rows(invitations)}
        territory = territory_for(data.pop("territory"))
        meeting = submit(
            form,
            lambda: services.create_meeting(actor=request.user, territory=territory, data=data),
            on_errors=lambda errors: _invitation_errors(form, errors),
        )
        if meeting is not None:
            messages.success(request, _("The meeting was planned."))
            return redirect("planning:meeting", pk=meeting.pk)
    return render(request, "planning/meeting_form.html", {"form": form, "invitations": invitations})


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manageable_meeting(request, pk)
    form = AttendanceForm(request.POST or None)
    guests = GuestFormSet(request.POST or None, prefix="guests")
    if request.method == "POST" and form.is_valid() and guests.is_valid():
        attendees = form.attendees(filled_rows(guests))
        try:
            created = services.record_attendance(
                actor=request.user, meeting=meeting, attendees=attendees
            )
        except ValidationFailed as exc:
            for field, problems in exc.errors.items():
                position = int(field.split(".", 1)[1]) if field.startswith("attendees.") else -1
                entry = attendees[position] if 0 <= position < len(attendees) else {}
                label = entry.get("nik") or entry.get("username") or entry.get("name") or ""
                for problem in problems:
                    form.add_error(None, f"{label}: {problem}" if label else problem)
        else:
            messages.success(request, _("%(n)d people recorded as present.") % {"n": len(created)})
            return redirect("planning:attendance", pk=meeting.pk)
    return render(
        request,
        "planning/attendance_form.html",
        {
            "meeting": meeting,
            "form": form,
            "guests": guests,
            "counts": selectors.attendance_counts(meeting),
            "attendees": selectors.attendance_list(request.user, meeting),
            "group_labels": dict(ActorGroup.choices),
        },
    )


@login_required
def meeting_decision(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manageable_meeting(request, pk)
    form = MeetingDecisionForm(request.POST or None, user=request.user, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            plan = selectors.plan_for_view(request.user, c["plan"]) if c["plan"] else None
            activity = (
                selectors.activity_for_view(request.user, c["activity"]) if c["activity"] else None
            )
            need = (
                commissioning_selectors.need_for_view(request.user, c["need"])
                if c["need"]
                else None
            )
            recorded = accepted(
                form,
                lambda: services.record_meeting_decision(
                    actor=request.user,
                    meeting=meeting,
                    text=c["text"],
                    effect=c["effect"],
                    plan=plan,
                    activity=activity,
                    need=need,
                    data=form.service_data(),
                ),
            )
        except Http404:
            form.add_error(None, _("Unknown plan, activity or need."))
        else:
            if recorded:
                messages.success(request, _("The decision was recorded."))
                return redirect("planning:meeting", pk=meeting.pk)
    return render(
        request, "planning/meeting_decision_form.html", {"meeting": meeting, "form": form}
    )


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    """The comments a community leader may hide or restore, hidden ones first on request."""
    policy.require_somewhere(request.user, Perm.COMMENT_MODERATE)
    show = request.GET.get("show", "")
    hidden = {"hidden": True, "visible": False}.get(show)
    return render(
        request,
        "planning/moderation.html",
        {
            "comments": page_of(
                request, selectors.comments_for_moderation(request.user, hidden=hidden)
            ),
            "show": show,
        },
    )


@require_POST
@login_required
def moderate_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_for_moderation(request.user, pk)
    form = ModerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to hide or restore the comment."))
    else:
        try:
            services.moderate_comment(
                actor=request.user,
                comment=comment,
                hidden=form.cleaned_data["hidden"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as exc:
            _errors(request, exc)
        else:
            messages.success(
                request,
                _("The comment is hidden.") if comment.hidden else _("The comment is restored."),
            )
    return redirect(_comment_target_url(comment))


def _comment_target_url(comment: Comment) -> str:
    if comment.need_id:
        return reverse("commissioning:need", kwargs={"pk": comment.need_id})
    if comment.proposal_id:
        return reverse("commissioning:proposal", kwargs={"pk": comment.proposal_id})
    return reverse("planning:plan", kwargs={"pk": comment.plan_id})


# ---------------------------------------------------------------- forms: plans and activities.
# Access: 404 unless the user holds PLAN_EDIT on the plan (or somewhere, to create one); the
# services check again, write and version every change (who, when, old → new).


def _editable_plan(request: HttpRequest, pk: int) -> Plan:
    plan = selectors.plan_for_view(request.user, pk)
    policy.require(request.user, Perm.PLAN_EDIT, plan)
    return plan


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.PLAN_EDIT)
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        plan = submit(
            form,
            lambda: services.create_plan(
                actor=request.user,
                territory=territory_for(form.cleaned_data["territory"]),
                data=form.service_data(),
            ),
        )
        if plan is not None:
            messages.success(request, _("The plan was created."))
            return redirect("planning:plan", pk=plan.pk)
    return render(request, "planning/plan_form.html", {"form": form, "plan": None})


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    form = PlanForm(request.POST or None, user=request.user, plan=plan)
    if (
        request.method == "POST"
        and form.is_valid()
        and accepted(
            form,
            lambda: services.update_plan(actor=request.user, plan=plan, data=form.service_data()),
        )
    ):
        messages.success(request, _("The changes were saved."))
        return redirect("planning:plan", pk=plan.pk)
    return render(request, "planning/plan_form.html", {"form": form, "plan": plan})


@login_required
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    form = ActivityForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and accepted(
            form,
            lambda: services.add_activity(actor=request.user, plan=plan, data=form.service_data()),
        )
    ):
        messages.success(request, _("The activity was added."))
        return redirect("planning:plan", pk=plan.pk)
    return render(
        request,
        "planning/activity_form.html",
        {"form": form, "plan": plan, "activity": None},
    )


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_for_view(request.user, pk)
    policy.require(request.user, Perm.PLAN_EDIT, activity)
    form = ActivityForm(request.POST or None, activity=activity)
    if (
        request.method == "POST"
        and form.is_valid()
        and accepted(
            form,
            lambda: services.update_activity(
                actor=request.user, activity=activity, data=form.service_data()
            ),
        )
    ):
        messages.success(request, _("The changes were saved."))
        return redirect("planning:plan", pk=activity.plan_id)
    return render(
        request,
        "planning/activity_form.html",
        {"form": form, "plan": activity.plan, "activity": activity},
    )


# ---------------------------------------------------------------- from co-commissioning


@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The commissioning decision on a funded proposal: planning orchestrates it, since an
    approval opens the plan (docs/adr/0009)."""
    proposal = commissioning_selectors.proposal_for_view(request.user, pk)
    policy.require(request.user, Perm.DECISION_MAKE, proposal)
    result = commissioning_selectors.funded_result(proposal)
    form = DecisionForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and accepted(
            form,
            lambda: services.decide(
                actor=acting_user(request),
                proposal=proposal,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                changes=form.cleaned_data["changes"],
                approved_amount=form.cleaned_data["approved_amount"],
            ),
        )
    ):
        messages.success(request, _("The decision was recorded."))
        return redirect("commissioning:proposal", pk=proposal.pk)
    return render(
        request,
        "commissioning/decision_form.html",
        {
            "form": form,
            "proposal": proposal,
            "result": result,
            "explanation": commissioning_services.explain(result) if result else "",
            "decision": getattr(proposal, "decision", None),
        },
    )


@login_required
@require_POST
def comment(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Post a comment on a need or proposal (from the co-commissioning pages)."""
    if kind == "need":
        target: Any = commissioning_selectors.need_for_view(request.user, pk)
        back = reverse("commissioning:need", args=[target.pk])
    elif kind == "proposal":
        target = commissioning_selectors.proposal_for_view(request.user, pk)
        back = reverse("commissioning:proposal", args=[target.pk])
    else:
        raise Http404("not found")
    try:
        services.post_comment(actor=request.user, target=target, body=request.POST.get("body", ""))
    except ValidationFailed as exc:
        _errors(request, exc)
    return redirect(back)
