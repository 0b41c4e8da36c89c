"""Lumbung pangan pages: stock and the ledger, aid requests and proof of delivery, donations and
spending, equipment loans, ledger exports, and the public transparency page of an RW."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core import policy
from siaga.core.acting import acting_user
from siaga.core.errors import ValidationFailed
from siaga.core.forms import accepted, flash_service_errors
from siaga.core.htmx import render_list
from siaga.core.paging import page_of
from siaga.core.roles import Perm
from siaga.registry.models import Household
from siaga.territory import selectors as territory_selectors
from siaga.territory.models import Level, Territory
from siaga.volunteers.models import Posko

from . import exporting, selectors, services
from .forms import EquipmentForm, KitchenDayForm, PackageForm, TransferForm, package_initial
from .models import (
    AidRequest,
    Category,
    EquipmentKind,
    Loan,
    LoanState,
    MovementKind,
    PaymentMethod,
    Spending,
    StockItem,
)


def _errors(request: HttpRequest, exc: ValidationFailed) -> None:
    flash_service_errors(request, exc.errors)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> Any:
    try:
        return parse_date(value or "") or timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _posko(user: Any, pk: Any) -> Posko:
    return policy.get_or_404(Posko.objects.all(), user, Perm.LOGISTICS_VIEW, pk=_int(pk))


def _rws(user: Any, perm: Perm) -> list[Territory]:
    rws = Territory.objects.filter(level=Level.RW).select_related("parent")
    return list(policy.scope(rws, user, perm)[:200])


@login_required
def stock(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        item = policy.get_or_404(
            StockItem.objects.all(),
            request.user,
            Perm.LOGISTICS_VIEW,
            pk=_int(request.POST.get("item")),
        )
        try:
            services.move_stock(
                actor=request.user,
                item=item,
                posko=_posko(request.user, request.POST.get("posko")),
                kind=request.POST.get("kind", ""),
                quantity=request.POST.get("quantity", ""),
                note=request.POST.get("note", "")[:255],
            )
        except ValidationFailed as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Saved in the ledger."))
        return redirect("logistics:stock")
    return render(
        request,
        "logistics/stock.html",
        {
            "balances": page_of(request, selectors.balances(request.user)),
            "movements": list(selectors.movements(request.user)[:50]),
            "items": list(selectors.stock_items(request.user)[:300]),
            "posko": list(policy.scope(Posko.objects.all(), request.user, Perm.LOGISTICS_VIEW)),
            "kinds": MovementKind.choices,
            "kitchen": list(selectors.kitchen_days(request.user)[:14]),
            "can_record": bool(policy.scope_for(request.user, Perm.LOGISTICS_RECORD).ranges)
            or policy.is_global(request.user, Perm.LOGISTICS_RECORD),
        },
    )


@login_required
def aid(request: HttpRequest) -> HttpResponse:
    """Open aid requests, households waiting over 24 hours, and recent deliveries."""
    return render(
        request,
        "logistics/aid.html",
        {
            "requests": page_of(request, selectors.aid_requests(request.user, state="baru")),
            "undelivered": selectors.undelivered_households(user=request.user),
            "deliveries": list(selectors.deliveries(request.user)[:30]),
        },
    )


@login_required
def aid_request_new(request: HttpRequest) -> HttpResponse:
    household = policy.get_or_404(
        Household.objects.all(),
        request.user,
        Perm.LOGISTICS_REQUEST,
        pk=_int(request.POST.get("household") or request.GET.get("household")),
    )
    if request.method == "POST":
        try:
            services.request_aid(
                actor=request.user,
                household=household,
                for_day=_date(request.POST.get("for_day")),
                note=request.POST.get("note", "")[:255],
            )
        except ValidationFailed as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Aid requested."))
            return redirect("logistics:aid")
    return render(request, "logistics/aid_request_form.html", {"household": household})


@login_required
def deliver(request: HttpRequest, pk: int) -> HttpResponse:
    """Proof of delivery: received by, optional photo; the package leaves the stock."""
    aid_request = policy.get_or_404(
        AidRequest.objects.select_related("template", "household__head", "rt"),
        request.user,
        Perm.LOGISTICS_RECORD,
        pk=pk,
    )
    posko = selectors.posko_for_package(services.rw_key(aid_request.rt_id), aid_request.template)
    values = {"posko": str(posko[0][0].pk) if posko else "", "received_by": "", "note": ""}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in values}
        try:
            services.deliver(
                actor=request.user,
                request=aid_request,
                posko=_posko(request.user, values["posko"]),
                received_by=values["received_by"],
                photo=request.FILES.get("photo"),
                note=values["note"][:255],
            )
        except ValidationFailed as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Delivery recorded."))
            return redirect("logistics:aid")
    return render(
        request,
        "logistics/deliver.html",
        {
            "aid": aid_request,
            "household": aid_request.household,
            "posko": posko,
            "values": values,
            "lines": list(aid_request.template.lines.select_related("item")),
        },
    )


def _home_rws(user: Any) -> list[Territory]:
    """The RWs a user lives or serves in, for the public figures of their RW (memberships
    above an RW see the full lists instead)."""
    rws = Territory.objects.filter(pk__in=policy.home_rw_keys(user), level=Level.RW)
    return list(rws.select_related("parent").order_by("code")[:10])


@login_required
def money(request: HttpRequest) -> HttpResponse:
    """Donations and cash spending with receipts; pengurus approve spending."""
    if request.method == "POST":
        rw = territory_selectors.rw_or_404(
            request.user, Perm.LOGISTICS_RECORD, request.POST.get("rw")
        )
        try:
            if request.POST.get("form") == "donation":
                services.record_donation(
                    actor=request.user,
                    rw=rw,
                    kind="cash",
                    received_on=_date(request.POST.get("received_on")),
                    donor_name=request.POST.get("donor_name", ""),
                    anonymous=bool(request.POST.get("anonymous")),
                    amount=_int(request.POST.get("amount")) or 0,
                    method=request.POST.get("method", ""),
                    note=request.POST.get("note", "")[:255],
                )
            else:
                services.record_spending(
                    actor=request.user,
                    rw=rw,
                    amount=_int(request.POST.get("amount")) or 0,
                    purpose=request.POST.get("purpose", ""),
                    category=request.POST.get("category", ""),
                    spent_on=_date(request.POST.get("spent_on")),
                    receipt=request.FILES.get("receipt"),
                )
        except ValidationFailed as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("logistics:money")
    return render(
        request,
        "logistics/money.html",
        {
            "public": selectors.cash_summary(_home_rws(request.user)),
            "donations": list(selectors.donations(request.user)[:100]),
            "spending": list(selectors.spending(request.user)[:100]),
            "rws": _rws(request.user, Perm.LOGISTICS_RECORD),
            "methods": [c for c in PaymentMethod.choices if c[0]],
            "categories": Category.choices,
        },
    )


@login_required
@require_POST
def approve_spending(request: HttpRequest, pk: int) -> HttpResponse:
    spending = policy.get_or_404(Spending.objects.all(), request.user, Perm.LOGISTICS_MANAGE, pk=pk)
    try:
        services.approve_spending(actor=acting_user(request), spending=spending)
    except ValidationFailed as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Spending approved."))
    return redirect("logistics:money")


@login_required
def loans(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        loan = policy.get_or_404(
            Loan.objects.all(),
            request.user,
            Perm.LOGISTICS_RECORD,
            pk=_int(request.POST.get("loan")),
        )
        try:
            services.close_loan(
                actor=acting_user(request),
                loan=loan,
                on=timezone.localdate(),
                lost=request.POST.get("lost") == "1",
            )
        except ValidationFailed as exc:
            _errors(request, exc)
        return redirect("logistics:loans")
    state = request.GET.get("state", "")
    state = state if state in LoanState.values else ""
    return render_list(
        request,
        "logistics/loans.html",
        "logistics/_loan_results.html",
        {
            "loans": page_of(request, selectors.loans(request.user, state=state)),
            "state": state,
            "states": LoanState.choices,
            "equipment": list(selectors.equipment(request.user)[:200]),
            "kinds": dict(EquipmentKind.choices),
            "today": timezone.localdate(),
            "can_register": not policy.scope_for(request.user, Perm.LOGISTICS_MANAGE).empty,
        },
    )


@login_required
def export(request: HttpRequest, ledger: str, fmt: str) -> HttpResponse:
    if ledger not in exporting.LEDGERS or fmt not in ("csv", "xlsx"):
        raise Http404("not found")
    return exporting.export(request.user, ledger, fmt)


def transparency(request: HttpRequest, code: str) -> HttpResponse:
    """Public, no login: what an RW received and spent, stock by category, households helped."""
    rw = Territory.objects.filter(code=code, level=Level.RW).first()
    if rw is None:
        raise Http404("not found")
    return render(request, "logistics/transparency.html", selectors.transparency(rw))


# ---------------------------------------------------------------- transfers, packages, kitchen, equipment


def _status(*forms_: Any) -> int:
    return 422 if any(f is not None and f.errors for f in forms_) else 200


@login_required
def transfer(request: HttpRequest) -> HttpResponse:
    """Move stock from one posko to another (out and in at once; never below zero)."""
    policy.require_somewhere(request.user, Perm.LOGISTICS_RECORD)
    form = TransferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = policy.get_or_404(
            StockItem.objects.all(), request.user, Perm.LOGISTICS_RECORD, pk=_int(data["item"])
        )
        source = _posko(request.user, data["source"])
        target = _posko(request.user, data["target"])
        if accepted(
            form,
            lambda: services.transfer_stock(
                actor=request.user,
                item=item,
                source=source,
                target=target,
                quantity=data["quantity"],
                note=data["note"],
            ),
        ):
            messages.success(request, _("Transfer saved in the ledger."))
            return redirect("logistics:stock")
    return render(request, "logistics/transfer.html", {"form": form}, status=_status(form))


@login_required
def packages(request: HttpRequest) -> HttpResponse:
    """Package templates (e.g. sembako harian) with their items; pengurus add them here."""
    policy.require_somewhere(request.user, Perm.LOGISTICS_VIEW)
    can_manage = not policy.scope_for(request.user, Perm.LOGISTICS_MANAGE).empty
    form = PackageForm(request.POST or None, user=request.user) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise Http404("not found")
        if form.is_valid():
            rw = territory_selectors.rw_or_404(
                request.user, Perm.LOGISTICS_MANAGE, form.cleaned_data["rw"]
            )
            if accepted(
                form,
                lambda: services.create_package_template(
                    actor=request.user,
                    rw=rw,
                    name=form.cleaned_data["name"],
                    lines=_package_lines(request.user, form.cleaned_data["lines"]),
                    for_isolation=form.cleaned_data["for_isolation"],
                ),
            ):
                messages.success(request, _("Package saved."))
                return redirect("logistics:packages")
    return render(
        request,
        "logistics/packages.html",
        {"packages": page_of(request, selectors.package_templates(request.user)), "form": form},
        status=_status(form),
    )


def _package_lines(user: Any, lines: list[tuple[int, Any]]) -> list[tuple[StockItem, Any]]:
    wanted = [pk for pk, _q in lines]
    items = {
        i.pk: i
        for i in policy.scope(StockItem.objects.filter(pk__in=wanted), user, Perm.LOGISTICS_MANAGE)
    }
    if len(items) != len(set(wanted)):
        raise Http404("not found")
    return [(items[pk], quantity) for pk, quantity in lines]


@login_required
def package_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.package_template_for_view(request.user, pk, Perm.LOGISTICS_MANAGE)
    form = PackageForm(
        request.POST or None,
        user=request.user,
        rw_id=template.rw_id,
        initial=package_initial(template),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and accepted(
            form,
            lambda: services.update_package_template(
                actor=request.user,
                template=template,
                name=form.cleaned_data["name"],
                lines=_package_lines(request.user, form.cleaned_data["lines"]),
                for_isolation=form.cleaned_data["for_isolation"],
            ),
        )
    ):
        messages.success(request, _("Package saved."))
        return redirect("logistics:packages")
    return render(
        request,
        "logistics/package_form.html",
        {"template": template, "form": form},
        status=_status(form),
    )


@login_required
def kitchen(request: HttpRequest) -> HttpResponse:
    """The public kitchen (dapur umum): meals served per day."""
    policy.require_somewhere(request.user, Perm.LOGISTICS_VIEW)
    can_record = not policy.scope_for(request.user, Perm.LOGISTICS_RECORD).empty
    form = (
        KitchenDayForm(
            request.POST or None, user=request.user, initial={"day": timezone.localdate()}
        )
        if can_record
        else None
    )
    if request.method == "POST":
        if form is None:
            raise Http404("not found")
        if form.is_valid():
            rw = territory_selectors.rw_or_404(
                request.user, Perm.LOGISTICS_RECORD, form.cleaned_data["rw"]
            )
            if accepted(
                form,
                lambda: services.record_kitchen_day(
                    actor=request.user,
                    rw=rw,
                    day=form.cleaned_data["day"],
                    meals=form.cleaned_data["meals"],
                    note=form.cleaned_data["note"],
                ),
            ):
                messages.success(request, _("Meals saved."))
                return redirect("logistics:kitchen")
    return render(
        request,
        "logistics/kitchen.html",
        {"days": list(selectors.kitchen_days(request.user)[:60]), "form": form},
        status=_status(form),
    )


@login_required
def equipment_new(request: HttpRequest) -> HttpResponse:
    """Register a lendable device (oximeter, thermometer…) of an RW."""
    policy.require_somewhere(request.user, Perm.LOGISTICS_MANAGE)
    form = EquipmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        rw = territory_selectors.rw_or_404(
            request.user, Perm.LOGISTICS_MANAGE, form.cleaned_data["rw"]
        )
        if accepted(
            form,
            lambda: services.add_equipment(
                actor=request.user,
                rw=rw,
                kind=form.cleaned_data["kind"],
                label=form.cleaned_data["label"],
            ),
        ):
            messages.success(request, _("Device registered."))
            return redirect("logistics:loans")
    return render(request, "logistics/equipment_form.html", {"form": form}, status=_status(form))
