"""Co-commissioning pages (mobile first): needs, budget rounds with the ballot and results,
proposals. Reads via selectors, writes via services; out of reach → 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from siaga.core import policy
from siaga.core.acting import acting_user
from siaga.core.errors import ValidationFailed
from siaga.core.forms import accepted, flash_service_errors, submit
from siaga.core.htmx import render_list
from siaga.core.paging import page_of
from siaga.core.roles import Perm
from siaga.territory.models import Level, Territory

from . import selectors, services
from .forms import (
    AssessmentForm,
    ProposalForm,
    ProposalItemFormSet,
    RecordVoteForm,
    RoundForm,
    add_item_errors,
    item_rows,
    territory_for,
)
from .models import Category, NeedStatus, Proposal, RoundPhase, Urgency


def _errors(request: HttpRequest, exc: ValidationFailed) -> None:
    flash_service_errors(request, exc.errors, name_fields=True)


def _raise_places(user: Any) -> list[Territory]:
    """RT/RW a user may raise needs for (warga: their own RT and RW)."""
    keys = {key for _r, rt, rw in policy.residence_places(user) for key in (rt, rw)}
    for low, high in policy.scope_for(user, Perm.NEEDS_RAISE).ranges:
        keys |= set(
            Territory.objects.filter(id__gte=low, id__lte=high, level__gte=Level.RW).values_list(
                "id", flat=True
            )[:200]
        )
    return list(Territory.objects.filter(id__in=keys).order_by("id"))


@login_required
def needs(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        territory = Territory.objects.filter(code=request.POST.get("territory", "")).first()
        try:
            need = services.raise_need(
                actor=request.user,
                territory=territory,
                data={**request.POST.dict(), "photo": request.FILES.get("photo")},
            )
        except ValidationFailed as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The need was recorded."))
            return redirect("commissioning:need", pk=need.pk)
    status = request.GET.get("status", NeedStatus.OPEN)
    return render_list(
        request,
        "commissioning/needs.html",
        "commissioning/_need_results.html",
        {
            "needs": page_of(request, selectors.needs(request.user, status=status)),
            "status": status,
            "statuses": NeedStatus.choices,
            "categories": Category.choices,
            "urgencies": Urgency.choices,
            "places": _raise_places(request.user),
        },
    )


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_for_view(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "support":
                services.support_need(actor=request.user, need=need)
            elif action == "withdraw":
                services.withdraw_support(actor=request.user, need=need)
            elif action == "close":
                services.close_need(
                    actor=request.user, need=need, reason=request.POST.get("reason", "")
                )
            elif action == "merge":
                into = selectors.need_for_view(request.user, request.POST.get("into") or 0)
                services.merge_needs(actor=request.user, duplicate=need, into=into)
        except ValidationFailed as exc:
            _errors(request, exc)
        return redirect("commissioning:need", pk=need.pk)
    return render(
        request,
        "commissioning/need_detail.html",
        {
            "need": need,
            "supported": selectors.supports(need, request.user),
            "can_manage": policy.can_act_on(request.user, Perm.PROPOSAL_MANAGE, need),
            "proposals": need.proposals.select_related("round"),
        },
    )


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "commissioning/rounds.html",
        {"rounds": page_of(request, selectors.rounds(request.user))},
    )


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_for_view(request.user, pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                services.close_round(actor=request.user, round=round_)
                messages.success(request, _("The round is closed; the results are published."))
            else:
                proposal = selectors.proposals(request.user, round=round_).get(
                    pk=request.POST.get("proposal") or 0
                )
                services.cast_vote(actor=request.user, round=round_, proposal=proposal)
                messages.success(request, _("Your vote was saved."))
        except ValidationFailed as exc:
            _errors(request, exc)
        except Proposal.DoesNotExist:
            messages.error(request, _("This proposal is not on the ballot."))
        return redirect("commissioning:round", pk=round_.pk)
    results = selectors.results(round_)
    return render(
        request,
        "commissioning/round_detail.html",
        {
            "round": round_,
            "phase": round_.phase(),
            "phase_label": RoundPhase(round_.phase()).label,
            "ballot": selectors.ballot(round_),
            "my_vote": selectors.my_vote(request.user, round_),
            "can_vote": services.voter_for(request.user, round_) is not None,
            "can_record": not policy.scope_for(request.user, Perm.VOTE_RECORD).empty,
            "can_manage": policy.can_act_on(request.user, Perm.ROUND_MANAGE, round_),
            "can_close": policy.can_act_on(request.user, Perm.ROUND_MANAGE, round_)
            and not round_.is_closed,
            "can_propose": not policy.scope_for(request.user, Perm.PROPOSAL_MANAGE).empty
            and round_.phase() == RoundPhase.PROPOSALS,
            "results": [(r, services.explain(r)) for r in results],
            "funded_total": sum(r.amount for r in results if r.funded),
            "proposals": selectors.proposals(request.user, round=round_),
        },
    )


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Comments are co-design's (planning): the page shows and posts them through planning's
    # template tag and view, so commissioning does not import planning.
    proposal = selectors.proposal_for_view(request.user, pk)
    return render(
        request,
        "commissioning/proposal_detail.html",
        {
            "proposal": proposal,
            "assessment": getattr(proposal, "assessment", None),
            "decision": getattr(proposal, "decision", None),
            "plan": getattr(proposal, "plan", None),
        },
    )


# ---------------------------------------------------------------- forms: rounds, proposals,
# assessments, votes recorded at a meeting, decisions. Access: the page answers 404 unless the
# user holds the permission on the object (core.policy); the services check again and write.


@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.ROUND_MANAGE)
    form = RoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        round_ = submit(
            form,
            lambda: services.create_round(
                actor=request.user,
                territory=territory_for(form.cleaned_data["territory"]),
                data=form.service_data(),
            ),
        )
        if round_ is not None:
            messages.success(request, _("The budget round was created."))
            return redirect("commissioning:round", pk=round_.pk)
    return render(request, "commissioning/round_form.html", {"form": form, "round": None})


@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_for_view(request.user, pk)
    policy.require(request.user, Perm.ROUND_MANAGE, round_)
    form = RoundForm(
        request.POST or None,
        user=request.user,
        round=round_,
        initial=RoundForm.initial_for(round_),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and accepted(
            form,
            lambda: services.update_round(
                actor=acting_user(request), round=round_, data=form.service_data()
            ),
        )
    ):
        messages.success(request, _("The changes were saved."))
        return redirect("commissioning:round", pk=round_.pk)
    return render(request, "commissioning/round_form.html", {"form": form, "round": round_})


@login_required
def proposal_create(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.PROPOSAL_MANAGE)
    initial: dict[str, Any] = {}
    if request.GET.get("round"):
        initial["round"] = request.GET["round"]
    if request.GET.get("need"):
        initial["needs"] = [request.GET["need"]]
    form = ProposalForm(request.POST or None, user=request.user, initial=initial)
    items = ProposalItemFormSet(request.POST or None, prefix="items")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        rows = item_rows(items)
        round_ = None
        if form.cleaned_data["round"]:
            round_ = selectors.rounds(request.user).filter(pk=form.cleaned_data["round"]).first()
        chosen = [int(pk) for pk in form.cleaned_data["needs"]]
        needs = list(selectors.needs(request.user, status="").filter(pk__in=chosen))
        proposal = submit(
            form,
            lambda: services.submit_proposal(
                actor=request.user,
                territory=territory_for(form.cleaned_data["territory"]),
                round=round_,
                needs=needs,
                data={**form.service_data(), "items": [values for _i, values in rows]},
            ),
            on_errors=lambda errors: add_item_errors(items, rows, errors),
        )
        if proposal is not None:
            messages.success(request, _("The proposal was submitted."))
            return redirect("commissioning:proposal", pk=proposal.pk)
    return render(request, "commissioning/proposal_form.html", {"form": form, "items": items})


@login_required
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_for_view(request.user, pk)
    if proposal.round is None or not policy.can_act_on(
        request.user, Perm.ROUND_MANAGE, proposal.round
    ):
        raise Http404("not found")
    form = AssessmentForm(request.POST or None, initial=AssessmentForm.initial_for(proposal))
    if (
        request.method == "POST"
        and form.is_valid()
        and accepted(
            form,
            lambda: services.assess_proposal(
                actor=request.user,
                proposal=proposal,
                feasible=form.cleaned_data["feasible"],
                reason=form.cleaned_data["reason"],
                corrected_amount=form.cleaned_data["corrected_amount"],
            ),
        )
    ):
        messages.success(request, _("The assessment was saved."))
        return redirect("commissioning:round", pk=proposal.round.pk)
    return render(
        request,
        "commissioning/assess_form.html",
        {
            "form": form,
            "proposal": proposal,
            "phase_label": RoundPhase(proposal.round.phase()).label,
        },
    )


@login_required
def record_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """A community leader records, at a meeting, residents' votes one after the other."""
    round_ = selectors.round_for_view(request.user, pk)
    policy.require_somewhere(request.user, Perm.VOTE_RECORD)
    ballot = selectors.ballot(round_)
    form = RecordVoteForm(request.POST or None, ballot=ballot)
    if request.method == "POST" and form.is_valid():
        proposal = next(p for p in ballot if str(p.pk) == form.cleaned_data["proposal"])
        if accepted(
            form,
            lambda: services.record_vote(
                actor=request.user, round=round_, proposal=proposal, nik=form.cleaned_data["nik"]
            ),
        ):
            messages.success(request, _("The vote was recorded. Next voter."))
            return redirect("commissioning:record_vote", pk=round_.pk)
    return render(
        request,
        "commissioning/record_vote.html",
        {
            "round": round_,
            "form": form,
            "phase": round_.phase(),
            "phase_label": RoundPhase(round_.phase()).label,
        },
    )
