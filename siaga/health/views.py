"""Health pages (mobile first): volunteer worklist, case page with monitoring, referrals for the
puskesmas, contacts, newcomers, vaccination outreach, the zone board, and the inbox.

Reads via ``health.selectors`` (record views audited), writes via ``health.services``; anything
outside the user's area answers 404 through ``core.policy``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from siaga.core import codes, notifications, policy
from siaga.core.acting import acting_user
from siaga.core.errors import ValidationFailed
from siaga.core.forms import accepted, submit
from siaga.core.htmx import render_list
from siaga.core.roles import Perm
from siaga.health import selectors, services, zoning
from siaga.health.forms import (
    CaseForm,
    CompleteReferralForm,
    ContactForm,
    DestinationForm,
    EndForm,
    ExtendForm,
    MonitoringForm,
    NewcomerForm,
    OnwardCloseForm,
    OnwardForm,
    ProtocolForm,
    ProtocolParamsForm,
    PuskesmasForm,
    VaccinationForm,
)
from siaga.health.models import Method, ProtocolKind, ReferralState, Symptom
from siaga.health.protocols import (
    ELIGIBILITY_LABELS,
    MEASURES,
    ProtocolBook,
    ZoningParams,
    end_reason_text,
    param_rows,
)
from siaga.health.triage import reason_texts
from siaga.territory import selectors as territory_selectors
from siaga.territory.models import Level, Territory

SYMPTOM_LABELS = dict(Symptom.choices)
WORKLIST_STATUSES = {
    "overdue": gettext_lazy("Overdue"),
    "due": gettext_lazy("Due"),
    "done": gettext_lazy("Done"),
}


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _territory(request: HttpRequest) -> Territory | None:
    return territory_selectors.territory_param(
        request.user, Perm.TERRITORY_VIEW, request.GET.get("wilayah")
    )


def _form_errors(form: Any) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def referral_alerted_text(referral: Any) -> str:
    """What the volunteer is told: the puskesmas actually alerted, or that none covers the area
    and the kelurahan was told instead."""
    puskesmas = services.puskesmas_notified(referral.puskesmas)
    if puskesmas is not None:
        return _("Referral #%(id)s is open; %(puskesmas)s has been alerted.") % {
            "id": referral.pk,
            "puskesmas": puskesmas.name,
        }
    return _(
        "Referral #%(id)s is open; no puskesmas covers this area, so the kelurahan has been "
        "alerted."
    ) % {"id": referral.pk}


# ---------------------------------------------------------------- worklist and cases


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.HEALTH_VIEW)
    data = selectors.worklist(request.user, territory=_territory(request))
    status = request.GET.get("status", "")
    risk = request.GET.get("risk") == "1"
    items = [
        item
        for item in data["items"]
        if (not status or item.status == status) and (not risk or item.at_risk)
    ]
    page = _page(request, items)  # the counts stay those of the whole worklist
    selectors.audit_list(request.user, "health.worklist", None, len(page.object_list))
    return render(
        request,
        "health/worklist.html",
        {
            **data,
            "page": page,
            "status": status if status in WORKLIST_STATUSES else "",
            "risk": risk,
            "statuses": WORKLIST_STATUSES.items(),
        },
    )


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.HEALTH_VIEW)
    active = request.GET.get("status", "aktif") != "semua"
    page = _page(
        request, selectors.cases(request.user, territory=_territory(request), active=active or None)
    )
    selectors.audit_list(request.user, "health.case", None, len(page.object_list))
    return render_list(
        request,
        "health/case_list.html",
        "health/_case_results.html",
        {
            "page": page,
            "active": active,
            "can_add": not policy.scope_for(request.user, Perm.HEALTH_RECORD).empty,
        },
    )


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.HEALTH_RECORD)
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = submit(
            form,
            lambda: services.create_case(actor=request.user, data=dict(form.cleaned_data)),
        )
        if case is not None:
            messages.success(request, _("The case was recorded."))
            return redirect("health:case", pk=case.pk)
    return render(request, "health/case_form.html", {"form": form})


def _case_context(request: HttpRequest, case: Any, **forms: Any) -> dict[str, Any]:
    user = request.user
    history = list(selectors.monitoring_of(case)[:60])
    for record in history:
        record.reason_texts = reason_texts(record.reasons)  # type: ignore[attr-defined]
        record.symptom_labels = [SYMPTOM_LABELS.get(s, s) for s in record.symptoms]  # type: ignore[attr-defined]
    can_record = policy.can_act_on(user, Perm.HEALTH_RECORD, case)
    can_self = not can_record and policy.can_act_on(user, Perm.HEALTH_SELF_REPORT, case)
    monitor_form = forms.get("monitor_form") or MonitoringForm(
        initial={"method": Method.MANDIRI if can_self else Method.KUNJUNGAN}
    )
    return {
        "case": case,
        "history": history,
        "end_reasons": [end_reason_text(r) for r in case.end_reasons],
        "unmet": [ELIGIBILITY_LABELS.get(code, code) for code in case.eligibility_unmet],
        "can_monitor": case.active and (can_record or can_self),
        "can_manage": case.active and policy.can_act_on(user, Perm.HEALTH_MANAGE, case),
        "can_record": case.active and can_record,
        "monitor_form": monitor_form,
        "end_form": forms.get("end_form")
        or EndForm(initial={"ended_on": timezone.localdate(), "outcome": "selesai"}),
        "extend_form": forms.get("extend_form") or ExtendForm(),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "contacts": list(case.contacts.select_related("resident")),
        "referrals": list(case.referrals.order_by("-created_at")),
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_view(request.user, pk)  # audited
    return render(request, "health/case_detail.html", _case_context(request, case))


@login_required
@require_POST
def case_monitor(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_record(request.user, pk)
    form = MonitoringForm(request.POST)
    if form.is_valid():
        recorded = submit(
            form,
            lambda: services.record_monitoring(
                actor=request.user, case=case, data=form.service_data()
            ),
        )
        if recorded is not None:
            record, referral = recorded
            text = _("Recorded: %(level)s.") % {"level": record.get_triage_display()}
            if referral is not None:
                text += " " + referral_alerted_text(referral)
            messages.success(request, text)
            return redirect("health:case", pk=case.pk)
    case = selectors.case_for_view(request.user, pk)
    return render(
        request,
        "health/case_detail.html",
        _case_context(request, case, monitor_form=form),
        status=422,
    )


@login_required
@require_POST
def case_end(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_manage(request.user, pk)
    form = EndForm(request.POST)
    if form.is_valid() and accepted(
        form,
        lambda: services.end_isolation(actor=request.user, case=case, **form.cleaned_data),
    ):
        messages.success(request, _("The end of isolation was recorded."))
        return redirect("health:case", pk=case.pk)
    case = selectors.case_for_view(request.user, pk)
    return render(
        request, "health/case_detail.html", _case_context(request, case, end_form=form), status=422
    )


@login_required
@require_POST
def case_extend(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_manage(request.user, pk)
    form = ExtendForm(request.POST)
    if form.is_valid() and accepted(
        form,
        lambda: services.update_case(actor=request.user, case=case, data=dict(form.cleaned_data)),
    ):
        messages.success(request, _("Isolation was extended."))
        return redirect("health:case", pk=case.pk)
    case = selectors.case_for_view(request.user, pk)
    return render(
        request,
        "health/case_detail.html",
        _case_context(request, case, extend_form=form),
        status=422,
    )


@login_required
@require_POST
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_change(request.user, pk)
    form = ContactForm(request.POST)
    if form.is_valid() and accepted(
        form,
        lambda: services.create_contact(
            actor=request.user, data={"case": case.pk, **form.cleaned_data}
        ),
    ):
        messages.success(request, _("The contact was recorded."))
        return redirect("health:case", pk=case.pk)
    case = selectors.case_for_view(request.user, pk)
    return render(
        request,
        "health/case_detail.html",
        _case_context(request, case, contact_form=form),
        status=422,
    )


# ---------------------------------------------------------------- referrals


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.HEALTH_VIEW)
    state = request.GET.get("state", "")
    state = state if state in ReferralState.values else ""
    page = _page(
        request, selectors.referrals(request.user, territory=_territory(request), state=state)
    )
    for referral in page.object_list:
        referral.can_manage = policy.can_act_on(request.user, Perm.HEALTH_MANAGE, referral)
        referral.overdue = (
            referral.state == ReferralState.DIBUAT and referral.acknowledge_by <= timezone.now()
        )
    selectors.audit_list(request.user, "health.referral", None, len(page.object_list))
    return render(
        request,
        "health/referral_list.html",
        {"page": page, "state": state, "states": ReferralState.choices},
    )


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_for_view(request.user, pk)
    return render(
        request,
        "health/referral_detail.html",
        {
            "referral": referral,
            "reasons": reason_texts([r for r in referral.reasons if r.get("code") != "manual"]),
            "can_manage": policy.can_act_on(request.user, Perm.HEALTH_MANAGE, referral),
            "complete_form": CompleteReferralForm(),
            "onward": selectors.onward_of(referral),
            "onward_form": OnwardForm(),
            "close_form": OnwardCloseForm(),
            "alerted": services.puskesmas_notified(referral.puskesmas),
        },
    )


@login_required
def referral_inbox(request: HttpRequest) -> HttpResponse:
    """Puskesmas staff's incoming referrals: new first, darurat first, longest waiting first;
    each acknowledged in one tap."""
    user = acting_user(request)
    policy.require_somewhere(user, Perm.HEALTH_MANAGE)
    page = _page(request, selectors.referral_inbox(user))
    now = timezone.now()
    for referral in page.object_list:
        referral.waiting = now - referral.created_at
        referral.overdue = referral.state == ReferralState.DIBUAT and referral.acknowledge_by <= now
    selectors.audit_list(user, "health.referral", None, len(page.object_list))
    return render(request, "health/referral_inbox.html", {"page": page})


@login_required
@require_POST
def referral_onward(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    referral = selectors.referral_for_manage(user, pk)
    form = OnwardForm(request.POST)
    if form.is_valid():
        onward = submit(
            form,
            lambda: services.refer_onward(
                actor=user,
                referral=referral,
                destination=form.cleaned_data["destination"],
                note=form.cleaned_data["note"],
            ),
        )
        if onward is not None:
            messages.success(
                request,
                _("Sent on to %(destination)s.") % {"destination": onward.destination.name},
            )
            return redirect("health:referral", pk=pk)
    messages.error(request, _form_errors(form))
    return redirect("health:referral", pk=pk)


@login_required
@require_POST
def onward_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    onward = selectors.onward_for_manage(user, pk)
    form = OnwardCloseForm(request.POST)
    if form.is_valid() and accepted(
        form,
        lambda: services.close_onward(
            actor=user,
            onward=onward,
            state=form.cleaned_data["state"],
            note=form.cleaned_data["note"],
        ),
    ):
        messages.success(request, _("The onward referral was updated."))
    else:
        messages.error(request, _form_errors(form))
    return redirect("health:referral", pk=onward.referral_id)


@login_required
@require_POST
def referral_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_for_manage(request.user, pk)
    try:
        services.acknowledge_referral(actor=request.user, referral=referral)
    except ValidationFailed as exc:
        messages.error(request, " ".join(" ".join(m) for m in exc.errors.values()))
    else:
        messages.success(request, _("Referral acknowledged."))
    if request.POST.get("next") == "inbox":
        return redirect("health:referral_inbox")
    return redirect("health:referral", pk=pk)


@login_required
@require_POST
def referral_complete(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_for_manage(request.user, pk)
    form = CompleteReferralForm(request.POST)
    if form.is_valid():
        try:
            services.complete_referral(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationFailed as exc:
            messages.error(request, " ".join(" ".join(m) for m in exc.errors.values()))
        else:
            messages.success(request, _("Referral completed."))
    return redirect("health:referral", pk=pk)


# ---------------------------------------------------------------- contacts, newcomers, vaccination


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.HEALTH_VIEW)
    page = _page(
        request,
        selectors.contacts(
            request.user,
            territory=_territory(request),
            status=request.GET.get("status", "karantina"),
        ),
    )
    selectors.audit_list(request.user, "health.contact", None, len(page.object_list))
    return render(request, "health/contact_list.html", {"page": page})


@login_required
def newcomer_list(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.HEALTH_VIEW)
    can_add = not policy.scope_for(request.user, Perm.HEALTH_RECORD).empty
    form = NewcomerForm(request.POST or None)
    if request.method == "POST":
        if not can_add:
            raise Http404("not found")
        if form.is_valid() and accepted(
            form,
            lambda: services.create_newcomer(actor=request.user, data=dict(form.cleaned_data)),
        ):
            messages.success(request, _("The newcomer was recorded."))
            return redirect("health:newcomers")
    page = _page(request, selectors.newcomers(request.user, territory=_territory(request)))
    selectors.audit_list(request.user, "health.newcomer", None, len(page.object_list))
    return render(
        request, "health/newcomer_list.html", {"page": page, "form": form, "can_add": can_add}
    )


@login_required
def outreach(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.HEALTH_VIEW)
    page = _page(request, selectors.outreach(request.user, territory=_territory(request)))
    groups: dict[str, list[Any]] = defaultdict(list)
    for resident in page.object_list:
        groups[resident.rt.code].append(resident)
    selectors.audit_list(request.user, "health.outreach", None, len(page.object_list))
    return render(
        request,
        "health/outreach.html",
        {
            "page": page,
            "groups": sorted(groups.items()),
            "can_record": not policy.scope_for(request.user, Perm.HEALTH_RECORD).empty,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def vaccination_create(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.HEALTH_RECORD)
    form = VaccinationForm(request.POST)
    if form.is_valid():
        try:
            services.record_vaccination(actor=request.user, data=dict(form.cleaned_data))
        except ValidationFailed as exc:
            messages.error(request, " ".join(" ".join(m) for m in exc.errors.values()))
        else:
            messages.success(request, _("The dose was recorded."))
    else:
        messages.error(request, _("Check the dose form."))
    return redirect("health:outreach")


# ---------------------------------------------------------------- zone board


@login_required
def zone_board(request: HttpRequest) -> HttpResponse:
    """Counts and colours only, never names: RT zones summed per child of the chosen territory."""
    policy.require_somewhere(request.user, Perm.TERRITORY_VIEW)
    territory = _territory(request)
    if territory is None:
        roots = territory_selectors.roots(request.user)
        kota = [t for t in roots if t.level <= Level.KABUPATEN]
        territory = (Territory.objects.filter(code="33.74").first() if kota else None) or (
            roots[0] if roots else None
        )
        if territory is None or not policy.can_act_on(request.user, Perm.TERRITORY_VIEW, territory):
            raise Http404("not found")
    today = timezone.localdate()
    try:
        day = (
            dt.date.fromisoformat(request.GET.get("tanggal", ""))
            if request.GET.get("tanggal")
            else today
        )
    except ValueError:
        day = today
    day = min(day, today)
    rows = zoning.zones_on(day, territory)
    book = ProtocolBook(ProtocolKind.ZONING)
    protocol = book.on(day)
    params: ZoningParams = book.params(protocol)
    blocks: list[dict[str, Any]] = []
    if territory.level >= Level.RW:
        blocks = [
            {
                "label": codes.parse_code(r.code).parts[-1],
                "code": r.code,
                "zone": r.zone,
                "houses": r.houses,
                "rt": True,
            }
            for r in rows
        ]
    else:
        child_span = codes.span_for_level(territory.level + 1)
        per_child: dict[int, dict[str, int]] = defaultdict(
            lambda: {"hijau": 0, "kuning": 0, "oranye": 0, "merah": 0}
        )
        for r in rows:
            per_child[r.rt_id // child_span * child_span][r.zone] += 1
        for child in territory.children.order_by("id"):
            counts = per_child.get(child.pk, {"hijau": 0, "kuning": 0, "oranye": 0, "merah": 0})
            worst = next((z for z in ("merah", "oranye", "kuning", "hijau") if counts[z]), "hijau")
            blocks.append(
                {
                    "label": child.display_name,
                    "code": child.code,
                    "counts": counts,
                    "zone": worst,
                    "rt": False,
                }
            )
    measures = {
        b.zone: [MEASURES[m] for m in params.measures.get(b.zone, [])] for b in params.bands
    }
    return render(
        request,
        "health/zone_board.html",
        {
            "territory": territory,
            "ancestors": territory_selectors.ancestors(territory),
            "day": day,
            "today": today,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1) if day < today else None,
            "blocks": blocks,
            "summary": zoning.summary(rows),
            "protocol": protocol,
            "bands": params.bands,
            "measures": measures,
        },
    )


# ---------------------------------------------------------------- inbox


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        notifications.mark_read(request.user)
        return redirect("health:inbox")
    page = _page(request, notifications.inbox(request.user))
    return render(request, "health/inbox.html", {"page": page})


# ---------------------------------------------------------------- protocols


def _protocol_admin(user: Any) -> bool:
    return policy.is_global(user, Perm.HEALTH_PROTOCOL)


def _require_protocol_admin(user: Any) -> None:
    if not _protocol_admin(user):
        raise Http404("not found")


def _params_text(params: Any) -> str:
    return json.dumps(params, indent=2, ensure_ascii=False, sort_keys=False)


@login_required
def protocol_list(request: HttpRequest) -> HttpResponse:
    """Every version of each kind, with its date and the one in force today."""
    if not _protocol_admin(request.user):
        policy.require_somewhere(request.user, Perm.HEALTH_VIEW)
    today = timezone.localdate()
    in_force = selectors.protocols_in_force(today)
    by_kind: dict[str, list[Any]] = {kind: [] for kind in ProtocolKind.values}
    for protocol in selectors.protocols():
        protocol.in_force = protocol.pk == in_force.get(protocol.kind)  # type: ignore[attr-defined]
        protocol.future = protocol.effective_from > today  # type: ignore[attr-defined]
        by_kind[protocol.kind].append(protocol)
    return render(
        request,
        "health/protocol_list.html",
        {
            "kinds": [(label, by_kind[kind]) for kind, label in ProtocolKind.choices],
            "today": today,
            "can_edit": _protocol_admin(request.user),
        },
    )


@login_required
def protocol_detail(request: HttpRequest, pk: int) -> HttpResponse:
    protocol = selectors.protocol_for_view(request.user, pk)
    in_use = services.protocol_in_use(protocol)
    return render(
        request,
        "health/protocol_detail.html",
        {
            "protocol": protocol,
            "params_text": _params_text(protocol.params),
            "param_rows": param_rows(protocol.params),
            "in_force": selectors.protocols_in_force(timezone.localdate()).get(protocol.kind)
            == protocol.pk,
            "in_use": in_use,
            "can_edit": _protocol_admin(request.user),
        },
    )


@login_required
def protocol_create(request: HttpRequest) -> HttpResponse:
    """A new dated version; ``?from=<id>`` starts from an existing version's parameters."""
    _require_protocol_admin(request.user)
    initial: dict[str, Any] = {"effective_from": timezone.localdate()}
    base = request.GET.get("from", "")
    if base.isdigit():
        origin = selectors.protocol_for_view(request.user, int(base))
        initial |= {
            "kind": origin.kind,
            "params": _params_text(origin.params),
            "source": origin.source,
        }
    form = ProtocolForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        protocol = submit(
            form,
            lambda: services.create_protocol(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                effective_from=data["effective_from"],
                params=data["params"],
                source=data["source"],
            ),
        )
        if protocol is not None:
            messages.success(request, _("The new protocol version was published."))
            return redirect("health:protocol", pk=protocol.pk)
    return render(
        request,
        "health/protocol_form.html",
        {"form": form, "protocol": None},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def protocol_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an unused version in place; a used one is refused by the service."""
    _require_protocol_admin(request.user)
    protocol = selectors.protocol_for_view(request.user, pk)
    form = ProtocolParamsForm(
        request.POST or None,
        kind=protocol.kind,
        initial={"params": _params_text(protocol.params), "source": protocol.source},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and accepted(
            form,
            lambda: services.update_protocol(
                actor=request.user,
                protocol=protocol,
                params=form.cleaned_data["params"],
                source=form.cleaned_data["source"],
            ),
        )
    ):
        messages.success(request, _("The protocol was changed."))
        return redirect("health:protocol", pk=protocol.pk)
    return render(
        request,
        "health/protocol_form.html",
        {"form": form, "protocol": protocol, "in_use": services.protocol_in_use(protocol)},
        status=422 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------- puskesmas and destinations


def _kelurahan_choices(user: Any, current: Any = None) -> Any:
    """Kelurahan a manager may put in a working area (and those already in it)."""
    reach = policy.scope(
        Territory.objects.filter(level=Level.KELURAHAN), user, Perm.PUSKESMAS_MANAGE
    )
    if current is not None:
        reach = reach | Territory.objects.filter(pk__in=current.area_rows.values("kelurahan_id"))
    return reach.order_by("code")


@login_required
def puskesmas_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    can_manage = not policy.scope_for(user, Perm.PUSKESMAS_MANAGE).empty
    items = list(selectors.puskesmas_list(user))
    if not can_manage and not items:
        raise Http404("not found")
    for item in items:
        item.can_edit = policy.can_act_on(user, Perm.PUSKESMAS_MANAGE, item)  # type: ignore[attr-defined]
    return render(
        request,
        "health/puskesmas_list.html",
        {
            "items": items,
            "can_manage": can_manage,
            "destinations": list(selectors.destinations()),
        },
    )


@login_required
def puskesmas_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    policy.require_somewhere(user, Perm.PUSKESMAS_MANAGE)
    form = PuskesmasForm(request.POST or None, kelurahan=_kelurahan_choices(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        puskesmas = submit(
            form,
            lambda: services.create_puskesmas(
                actor=user,
                name=data["name"],
                location=data["location"],
                area=list(data["area"]),
                staff=data["staff"],
            ),
        )
        if puskesmas is not None:
            messages.success(request, _("The puskesmas was registered."))
            return redirect("health:puskesmas_list")
    return render(
        request,
        "health/puskesmas_form.html",
        {"form": form, "puskesmas": None},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def puskesmas_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    puskesmas = selectors.puskesmas_for_manage(user, pk)
    initial = {
        "name": puskesmas.name,
        "location": puskesmas.territory.code,
        "area": list(puskesmas.area_rows.values_list("kelurahan_id", flat=True)),
        "staff": ", ".join(sorted(u.username for u in puskesmas.staff.all())),
    }
    form = PuskesmasForm(
        request.POST or None, initial=initial, kelurahan=_kelurahan_choices(user, puskesmas)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save() -> None:
            with transaction.atomic():
                services.update_puskesmas(
                    actor=user, puskesmas=puskesmas, name=data["name"], location=data["location"]
                )
                services.set_working_area(actor=user, puskesmas=puskesmas, area=list(data["area"]))
                services.set_staff(actor=user, puskesmas=puskesmas, staff=data["staff"])

        if accepted(form, save):
            messages.success(request, _("The puskesmas was saved."))
            return redirect("health:puskesmas_list")
    return render(
        request,
        "health/puskesmas_form.html",
        {"form": form, "puskesmas": puskesmas},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def destination_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    policy.require_somewhere(user, Perm.PUSKESMAS_MANAGE)
    form = DestinationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        destination = submit(
            form,
            lambda: services.create_destination(
                actor=user,
                name=data["name"],
                kind=data["kind"],
                location=data["location"],
                address=data["address"],
                phone=data["phone"],
            ),
        )
        if destination is not None:
            messages.success(request, _("The destination was registered."))
            return redirect("health:puskesmas_list")
    return render(
        request,
        "health/destination_form.html",
        {"form": form, "destination": None},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def destination_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    destination = selectors.destination_for_manage(user, pk)
    initial = {
        "name": destination.name,
        "kind": destination.kind,
        "location": destination.territory.code,
        "address": destination.address,
        "phone": destination.phone,
        "active": destination.active,
    }
    form = DestinationForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = True
    form.fields["location"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if accepted(
            form,
            lambda: services.update_destination(
                actor=user,
                destination=destination,
                name=data["name"],
                address=data["address"],
                phone=data["phone"],
                active=data["active"],
            ),
        ):
            messages.success(request, _("The destination was saved."))
            return redirect("health:puskesmas_list")
    return render(
        request,
        "health/destination_form.html",
        {"form": form, "destination": destination},
        status=422 if request.method == "POST" else 200,
    )
