"""Writes of the logistics app. Every write checks the access policy (out of scope: 404), runs
in one transaction and records its co-delivery contribution.

``move_stock`` is the only way stock changes: it writes the ledger row and changes the balance
with a conditional ``UPDATE … SET quantity = quantity - n WHERE quantity >= n`` in the same
transaction. On PostgreSQL the second of two concurrent updates waits for the first to commit and
then re-checks the condition, so the last sack is issued once; the loser gets a clear message. The
``CHECK (quantity >= 0)`` on the balance is the last line of defence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.accounts.models import User
from siaga.core import audit, policy
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditAction
from siaga.core.notifications import notify
from siaga.core.roles import Perm
from siaga.health import selectors as health_selectors
from siaga.registry.models import Household
from siaga.territory.models import Level, Territory
from siaga.volunteers.models import OPEN_TASK_STATES, Posko, Priority, Task, TaskKind, TaskState
from siaga.volunteers.services import (
    close_rule_task,
    close_rule_tasks,
    contribute,
    ensure_task,
    pengurus_of,
    require_territory,
    rw_key,
)

from .models import (
    INBOUND,
    AidRequest,
    Category,
    Delivery,
    Donation,
    DonationKind,
    Equipment,
    EquipmentKind,
    KitchenDay,
    Loan,
    LoanState,
    MovementKind,
    PackageLine,
    PackageTemplate,
    PaymentMethod,
    RequestSource,
    RequestState,
    Spending,
    StockBalance,
    StockItem,
    StockMovement,
)
from .selectors import undelivered_households

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Accepted uploads by their first bytes (the client's content type is not trusted).
_SIGNATURES = {
    b"\xff\xd8\xff": "jpg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"%PDF-": "pdf",
}


def check_upload(upload: UploadedFile | None, field: str, *, allow_pdf: bool) -> None:
    """Refuse files over 5 MB and anything but JPEG, PNG, WebP (or PDF for receipts)."""
    if upload is None:
        return
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        raise ValidationFailed.single(field, _("The file is larger than 5 MB."))
    head = upload.read(16)
    upload.seek(0)
    kind = next((k for sig, k in _SIGNATURES.items() if head.startswith(sig)), None)
    if kind is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = "webp"
    if kind is None or (kind == "pdf" and not allow_pdf):
        allowed = _("JPEG, PNG, WebP or PDF") if allow_pdf else _("JPEG, PNG or WebP")
        raise ValidationFailed.single(field, _("Upload a %(kinds)s file.") % {"kinds": allowed})


def _quantity(value: Any, field: str = "quantity") -> Decimal:
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed.single(field, _("Enter a number.")) from exc
    if not quantity.is_finite() or quantity <= 0:
        raise ValidationFailed.single(field, _("Enter a quantity above zero."))
    if quantity != quantity.quantize(Decimal("0.01")) or quantity >= Decimal("1e10"):
        raise ValidationFailed.single(field, _("At most two decimals and ten digits."))
    return quantity


def _require_rw(territory: Territory) -> None:
    if territory.level != Level.RW:
        raise ValidationFailed.single("rw", _("Choose an RW."))


# ---------------------------------------------------------------- stock


@transaction.atomic
def create_stock_item(
    *, actor: Any, rw: Territory, name: str, unit: str, category: str
) -> StockItem:
    require_territory(actor, Perm.LOGISTICS_MANAGE, rw)
    _require_rw(rw)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("This field is required.")]
    if not unit.strip():
        errors["unit"] = [_("This field is required.")]
    if category not in Category.values:
        errors["category"] = [_("Choose a valid category.")]
    if not errors and StockItem.objects.filter(rw=rw, name__iexact=name.strip()).exists():
        errors["name"] = [_("This RW already has an item with this name.")]
    if errors:
        raise ValidationFailed(errors)
    item = StockItem.objects.create(rw=rw, name=name.strip(), unit=unit.strip(), category=category)
    contribute(actor, "logistics.item", rw.pk, item)
    return item


def _apply(item: StockItem, posko: Posko, delta: Decimal) -> None:
    """Change the balance by ``delta``; refuse (and change nothing) if it would go negative."""
    if delta > 0:
        balance, _created = StockBalance.objects.get_or_create(
            item=item, posko=posko, defaults={"rw_id": item.rw_id}
        )
        StockBalance.objects.filter(pk=balance.pk).update(quantity=F("quantity") + delta)
        return
    needed = -delta
    changed = StockBalance.objects.filter(item=item, posko=posko, quantity__gte=needed).update(
        quantity=F("quantity") - needed
    )
    if changed == 0:
        left = (
            StockBalance.objects.filter(item=item, posko=posko)
            .values_list("quantity", flat=True)
            .first()
        ) or Decimal(0)
        raise ValidationFailed.single(
            "quantity",
            _("Not enough %(item)s at %(posko)s: %(left)s %(unit)s left, %(needed)s asked.")
            % {
                "item": item.name,
                "posko": posko.name,
                "left": _number(left),
                "unit": item.unit,
                "needed": _number(needed),
            },
        )


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


@transaction.atomic
def move_stock(
    *,
    actor: Any,
    item: StockItem,
    posko: Posko,
    kind: str,
    quantity: Any,
    note: str = "",
    at: dt.datetime | None = None,
    donation: Donation | None = None,
    delivery: Delivery | None = None,
) -> StockMovement:
    """Write one ledger entry (in or out by ``kind``) and keep the balance; never negative."""
    policy.require(actor, Perm.LOGISTICS_RECORD, item)
    if posko.rw_id != item.rw_id:
        raise ValidationFailed.single("posko", _("Choose a posko of the item's RW."))
    if kind not in MovementKind.values:
        raise ValidationFailed.single("kind", _("Choose a valid movement kind."))
    amount = _quantity(quantity)
    delta = amount if kind in INBOUND else -amount
    _apply(item, posko, delta)
    movement = StockMovement.objects.create(
        item=item,
        posko=posko,
        rw_id=item.rw_id,
        kind=kind,
        delta=delta,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:255],
        donation=donation,
        delivery=delivery,
    )
    contribute(actor, f"logistics.stock_{'in' if delta > 0 else 'out'}", item.rw_id, movement)
    return movement


@transaction.atomic
def transfer_stock(
    *, actor: Any, item: StockItem, source: Posko, target: Posko, quantity: Any, note: str = ""
) -> tuple[StockMovement, StockMovement]:
    """Move stock from one posko to another of the same RW: out of ``source`` and into
    ``target`` in one transaction. If the source has too little, nothing is written."""
    policy.require(actor, Perm.LOGISTICS_RECORD, item)
    errors: dict[str, list[str]] = {}
    if source.rw_id != item.rw_id:
        errors["source"] = [_("Choose a posko of the item's RW.")]
    if target.rw_id != item.rw_id:
        errors["target"] = [_("Choose a posko of the item's RW.")]
    elif source.pk == target.pk:
        errors["target"] = [_("Choose another posko than the one the stock leaves.")]
    if errors:
        raise ValidationFailed(errors)
    note = note.strip() or _("transfer %(source)s → %(target)s") % {
        "source": source.name,
        "target": target.name,
    }
    out = move_stock(
        actor=actor,
        item=item,
        posko=source,
        kind=MovementKind.TRANSFER_OUT,
        quantity=quantity,
        note=note,
    )
    into = move_stock(
        actor=actor,
        item=item,
        posko=target,
        kind=MovementKind.TRANSFER_IN,
        quantity=quantity,
        note=note,
        at=out.at,
    )
    return out, into


# ---------------------------------------------------------------- packages and aid


def _clean_package(
    rw: Territory,
    name: str,
    lines: Iterable[tuple[StockItem, Any]],
    exclude: int | None = None,
) -> tuple[str, list[tuple[StockItem, Decimal]]]:
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("Give the package a name, e.g. sembako harian.")]
    elif len(name) > 100:
        errors["name"] = [_("Use at most 100 characters.")]
    elif PackageTemplate.objects.filter(rw=rw, name__iexact=name).exclude(pk=exclude or 0).exists():
        errors["name"] = [_("This RW already has a package with this name.")]
    rows: list[tuple[StockItem, Decimal]] = []
    for item, quantity in lines:
        try:
            rows.append((item, _quantity(quantity, "lines")))
        except ValidationFailed as exc:
            errors.setdefault("lines", []).append(
                _("%(item)s: %(problem)s") % {"item": item.name, "problem": exc.errors["lines"][0]}
            )
    if not rows and "lines" not in errors:
        errors["lines"] = [_("Add at least one item with its quantity.")]
    if any(item.rw_id != rw.pk for item, _q in rows):
        errors.setdefault("lines", []).append(_("Choose items of the same RW."))
    if len({item.pk for item, _q in rows}) != len(rows):
        errors.setdefault("lines", []).append(_("List each item once."))
    if errors:
        raise ValidationFailed(errors)
    return name, rows


@transaction.atomic
def create_package_template(
    *,
    actor: Any,
    rw: Territory,
    name: str,
    lines: Iterable[tuple[StockItem, Any]],
    for_isolation: bool = False,
) -> PackageTemplate:
    """A package of an RW (e.g. sembako harian) with its items and quantities."""
    require_territory(actor, Perm.LOGISTICS_MANAGE, rw)
    _require_rw(rw)
    name, rows = _clean_package(rw, name, lines)
    template = PackageTemplate.objects.create(rw=rw, name=name, for_isolation=for_isolation)
    PackageLine.objects.bulk_create(
        [PackageLine(template=template, item=item, quantity=q) for item, q in rows]
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=template, territory_id=rw.pk)
    contribute(actor, "logistics.package", rw.pk, template)
    return template


@transaction.atomic
def update_package_template(
    *,
    actor: Any,
    template: PackageTemplate,
    name: str,
    lines: Iterable[tuple[StockItem, Any]],
    for_isolation: bool,
) -> PackageTemplate:
    """Rename a package and replace its lines; requests already made keep the package."""
    policy.require(actor, Perm.LOGISTICS_MANAGE, template)
    template = PackageTemplate.objects.select_for_update().select_related("rw").get(pk=template.pk)
    name, rows = _clean_package(template.rw, name, lines, exclude=template.pk)
    before = {
        "name": template.name,
        "for_isolation": template.for_isolation,
        "lines": [f"{line.item_id}:{line.quantity}" for line in template.lines.all()],
    }
    template.name, template.for_isolation = name, for_isolation
    template.save(update_fields=["name", "for_isolation"])
    template.lines.all().delete()
    PackageLine.objects.bulk_create(
        [PackageLine(template=template, item=item, quantity=q) for item, q in rows]
    )
    after = {
        "name": name,
        "for_isolation": for_isolation,
        "lines": [f"{item.pk}:{q}" for item, q in rows],
    }
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=template,
        territory_id=template.rw_id,
        changes=audit.diff(before, after),
    )
    contribute(actor, "logistics.package", template.rw_id, template)
    return template


def _delivery_task(request: AidRequest) -> Task:
    tz = timezone.get_current_timezone()
    due = timezone.make_aware(dt.datetime.combine(request.for_day, dt.time(17, 0)), tz)
    task, _new = ensure_task(
        source_key=f"aid:{request.pk}",
        territory_id=request.rt_id,
        kind=TaskKind.DELIVERY,
        title=_("Deliver %(package)s (aid request #%(id)s)")
        % {"package": request.template.name, "id": request.pk},
        due_at=due,
        priority=Priority.HIGH if request.source == RequestSource.ISOLATION else Priority.NORMAL,
        team_kind="logistik",
        subject=request,
        created_at=request.created_at,
    )
    return task


def credit_delivery_task(
    *, request: AidRequest, delivered_by: Any, delivered_at: dt.datetime
) -> Task:
    """The request's delivery task (made if the request has none yet), done by the volunteer who
    recorded the delivery at its time, so the Laporan Kinerja Relawan counts it beside the
    delivery (it counted 0 delivery tasks beside every delivery: the task was closed by nobody).
    ``deliver`` calls it; the demo calls it for the deliveries it writes in bulk."""
    task = _delivery_task(request)
    if task.state in OPEN_TASK_STATES:
        close_rule_task(task, done_by=delivered_by, at=delivered_at)
    return task


def default_template(rw_id: int) -> PackageTemplate | None:
    return PackageTemplate.objects.filter(rw_id=rw_id).order_by("-for_isolation", "pk").first()


@transaction.atomic
def request_aid(
    *,
    actor: Any,
    household: Household,
    for_day: dt.date | None = None,
    template: PackageTemplate | None = None,
    note: str = "",
) -> AidRequest:
    """A warga asks for their own household, or a volunteer raises a request for a household."""
    policy.require(actor, Perm.LOGISTICS_REQUEST, household)
    rw_id = rw_key(household.rt_id)
    template = template or default_template(rw_id)
    if template is None or template.rw_id != rw_id:
        raise ValidationFailed.single("template", _("This RW has no aid package to request."))
    own = household.pk in policy.scope_for(actor, Perm.LOGISTICS_REQUEST).households
    source = RequestSource.WARGA if own else RequestSource.VOLUNTEER
    request = AidRequest.objects.create(
        household=household,
        rt_id=household.rt_id,
        template=template,
        for_day=for_day or timezone.localdate(),
        source=source,
        note=note[:255],
        requested_by=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=request, territory_id=request.rt_id)
    contribute(actor, "logistics.aid_request", request.rt_id, request)
    _delivery_task(request)
    return request


def propose_isolation_aid(*, day: dt.date) -> int:
    """The daily proposal: one aid request (and delivery task) per isolating household."""
    created = 0
    seen: set[int] = set()
    templates: dict[int, PackageTemplate | None] = {}
    for case in health_selectors.isolating_cases(day).order_by("household_id", "pk"):
        if case.household_id is None or case.household_id in seen:
            continue
        seen.add(case.household_id)
        rw_id = rw_key(case.rt_id)
        if rw_id not in templates:
            templates[rw_id] = default_template(rw_id)
        template = templates[rw_id]
        if template is None:
            continue
        try:
            with transaction.atomic():
                request, new = AidRequest.objects.get_or_create(
                    household_id=case.household_id,
                    for_day=day,
                    source=RequestSource.ISOLATION,
                    defaults={"rt_id": case.rt_id, "template": template, "case": case},
                )
                if new:
                    _delivery_task(request)
        except IntegrityError:
            continue
        created += int(new)
    return created


@transaction.atomic
def deliver(
    *,
    actor: Any,
    request: AidRequest,
    posko: Posko,
    received_by: str,
    photo: UploadedFile | None = None,
    delivered_at: dt.datetime | None = None,
    note: str = "",
) -> Delivery:
    """Proof of delivery; the package's items leave the posko's stock in the same transaction."""
    policy.require(actor, Perm.LOGISTICS_RECORD, request)
    request = AidRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != RequestState.BARU:
        raise ValidationFailed.single("__all__", _("This request was already delivered or closed."))
    if posko.rw_id != rw_key(request.rt_id):
        raise ValidationFailed.single("posko", _("Choose a posko of the household's RW."))
    if not received_by.strip():
        raise ValidationFailed.single("received_by", _("Who received the package?"))
    check_upload(photo, "photo", allow_pdf=False)
    delivered_at = delivered_at or timezone.now()
    delivery = Delivery.objects.create(
        request=request,
        household_id=request.household_id,
        rt_id=request.rt_id,
        posko=posko,
        delivered_by=actor,
        delivered_at=delivered_at,
        received_by=received_by.strip()[:150],
        note=note[:255],
    )
    if photo is not None:
        delivery.photo.save(photo.name or "photo", photo, save=True)
    for line in request.template.lines.select_related("item"):
        move_stock(
            actor=actor,
            item=line.item,
            posko=posko,
            kind=MovementKind.AID,
            quantity=line.quantity,
            at=delivered_at,
            delivery=delivery,
            note=f"aid #{request.pk}",
        )
    request.state = RequestState.DIKIRIM
    request.save(update_fields=["state"])
    credit_delivery_task(request=request, delivered_by=actor, delivered_at=delivered_at)
    close_rule_tasks(
        subject=Household(pk=request.household_id), kinds=[TaskKind.UNDELIVERED], actor=actor
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=delivery, territory_id=request.rt_id)
    contribute(actor, "logistics.delivery", request.rt_id, delivery)
    return delivery


@transaction.atomic
def attach_delivery_photo(*, actor: Any, delivery: Delivery, photo: UploadedFile) -> Delivery:
    """Attach (or replace) the photo proving a delivery."""
    policy.require(actor, Perm.LOGISTICS_RECORD, delivery)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    check_upload(photo, "photo", allow_pdf=False)
    delivery.photo.save(photo.name or "photo", photo, save=True)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=delivery,
        territory_id=delivery.rt_id,
        summary="photo attached",
    )
    contribute(actor, "logistics.delivery_photo", delivery.rt_id, delivery)
    return delivery


@transaction.atomic
def cancel_aid_request(*, actor: User, request: AidRequest, note: str = "") -> AidRequest:
    policy.require(actor, Perm.LOGISTICS_RECORD, request)
    request = AidRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != RequestState.BARU:
        raise ValidationFailed.single("__all__", _("This request was already delivered or closed."))
    audit.audited_update(
        actor=actor,
        obj=request,
        changes={"state": RequestState.BATAL, "note": f"{request.note} {note}".strip()[:255]},
        territory_id=request.rt_id,
    )
    Task.objects.filter(source_key=f"aid:{request.pk}", state__in=OPEN_TASK_STATES).update(
        state=TaskState.BATAL, closed_at=timezone.now(), closed_by=actor
    )
    return request


def flag_undelivered(*, now: dt.datetime | None = None) -> int:
    """Isolating households with no delivery for more than 24 h: a task and the pengurus told."""
    now = now or timezone.now()
    flagged = 0
    for row in undelivered_households(now=now):
        household = row["household"]
        task, new = ensure_task(
            source_key=f"undelivered:{household.pk}:{timezone.localdate(now):%Y-%m-%d}",
            territory_id=household.rt_id,
            kind=TaskKind.UNDELIVERED,
            title=_("Isolating household without aid for %(hours)s hours")
            % {"hours": row["hours"]},
            due_at=now + dt.timedelta(hours=2),
            priority=Priority.URGENT,
            team_kind="logistik",
            subject=household,
        )
        if new:
            notify(
                recipients=pengurus_of(household.rt_id),
                kind="aid_undelivered",
                title=_("An isolating household has had no aid for over 24 hours"),
                link=reverse("volunteers:task", args=[task.pk]),
                territory_id=household.rt_id,
            )
            flagged += 1
    return flagged


# ---------------------------------------------------------------- kitchen


@transaction.atomic
def record_kitchen_day(
    *, actor: Any, rw: Territory, day: dt.date, meals: int, note: str = ""
) -> KitchenDay:
    """Meals served by the public kitchen (dapur umum) of an RW on a day (a second entry for the
    same day corrects the first)."""
    require_territory(actor, Perm.LOGISTICS_RECORD, rw)
    _require_rw(rw)
    errors: dict[str, list[str]] = {}
    if not isinstance(meals, int) or meals < 0 or meals > 100_000:
        errors["meals"] = [_("Enter the number of meals served (0 to 100000).")]
    if day > timezone.localdate():
        errors["day"] = [_("The day cannot be in the future.")]
    if errors:
        raise ValidationFailed(errors)
    row, _created = KitchenDay.objects.update_or_create(
        rw=rw, day=day, defaults={"meals": meals, "note": note[:255], "recorded_by": actor}
    )
    contribute(actor, "logistics.kitchen", rw.pk, row)
    return row


# ---------------------------------------------------------------- donations and spending


@transaction.atomic
def record_donation(
    *,
    actor: Any,
    rw: Territory,
    kind: str,
    received_on: dt.date,
    donor_name: str = "",
    anonymous: bool = False,
    amount: int = 0,
    method: str = "",
    items: Iterable[tuple[StockItem, Posko, Any]] = (),
    note: str = "",
) -> Donation:
    """Cash (amount, method) or in kind (each item goes into the ledger at a posko)."""
    require_territory(actor, Perm.LOGISTICS_RECORD, rw)
    _require_rw(rw)
    items = list(items)
    errors: dict[str, list[str]] = {}
    if kind == DonationKind.CASH:
        if amount <= 0:
            errors["amount"] = [_("Enter the amount received.")]
        if method not in PaymentMethod.values or not method:
            errors["method"] = [_("Choose how it was paid.")]
        if items:
            errors["items"] = [_("A cash donation has no items.")]
    elif kind == DonationKind.IN_KIND:
        if not items:
            errors["items"] = [_("Add at least one item.")]
        amount, method = 0, ""
    else:
        errors["kind"] = [_("Choose cash or in kind.")]
    if not anonymous and not donor_name.strip():
        errors["donor_name"] = [_("Enter the donor's name or mark it anonymous.")]
    if errors:
        raise ValidationFailed(errors)
    donation = Donation.objects.create(
        rw=rw,
        kind=kind,
        donor_name="" if anonymous else donor_name.strip()[:150],
        anonymous=anonymous,
        amount=amount,
        method=method,
        received_on=received_on,
        note=note[:255],
        recorded_by=actor,
    )
    for item, posko, quantity in items:
        if item.rw_id != rw.pk:
            raise Http404("not found")
        move_stock(
            actor=actor,
            item=item,
            posko=posko,
            kind=MovementKind.DONATION,
            quantity=quantity,
            donation=donation,
            note=_("donation #%(id)s") % {"id": donation.pk},
        )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=donation, territory_id=rw.pk)
    contribute(actor, "logistics.donation", rw.pk, donation)
    return donation


@transaction.atomic
def record_spending(
    *,
    actor: Any,
    rw: Territory,
    amount: int,
    purpose: str,
    category: str,
    spent_on: dt.date,
    receipt: UploadedFile | None = None,
) -> Spending:
    """A cash spending entry; it counts in the public totals once a pengurus approves it."""
    require_territory(actor, Perm.LOGISTICS_RECORD, rw)
    _require_rw(rw)
    errors: dict[str, list[str]] = {}
    if amount <= 0:
        errors["amount"] = [_("Enter the amount spent.")]
    if not purpose.strip():
        errors["purpose"] = [_("This field is required.")]
    if category not in Category.values:
        errors["category"] = [_("Choose a valid category.")]
    if errors:
        raise ValidationFailed(errors)
    check_upload(receipt, "receipt", allow_pdf=True)
    spending = Spending.objects.create(
        rw=rw,
        amount=amount,
        purpose=purpose.strip()[:255],
        category=category,
        spent_on=spent_on,
        recorded_by=actor,
    )
    if receipt is not None:
        spending.receipt.save(receipt.name or "receipt", receipt, save=True)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=spending, territory_id=rw.pk)
    contribute(actor, "logistics.spending", rw.pk, spending)
    return spending


@transaction.atomic
def attach_receipt(*, actor: Any, spending: Spending, receipt: UploadedFile) -> Spending:
    """Attach (or replace) the receipt of a spending entry that is not approved yet."""
    policy.require(actor, Perm.LOGISTICS_RECORD, spending)
    spending = Spending.objects.select_for_update().get(pk=spending.pk)
    if spending.approved_by_id is not None:
        raise ValidationFailed.single(
            "receipt", _("This spending is approved; its receipt can no longer be changed.")
        )
    check_upload(receipt, "receipt", allow_pdf=True)
    spending.receipt.save(receipt.name or "receipt", receipt, save=True)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=spending,
        territory_id=spending.rw_id,
        summary="receipt attached",
    )
    contribute(actor, "logistics.receipt", spending.rw_id, spending)
    return spending


@transaction.atomic
def approve_spending(*, actor: User, spending: Spending) -> Spending:
    policy.require(actor, Perm.LOGISTICS_MANAGE, spending)
    spending = Spending.objects.select_for_update().get(pk=spending.pk)
    if spending.approved_by_id is not None:
        raise ValidationFailed.single("__all__", _("Already approved."))
    if not spending.receipt:
        raise ValidationFailed.single("receipt", _("Attach the receipt before approving."))
    audit.audited_update(
        actor=actor,
        obj=spending,
        changes={"approved_by": actor, "approved_at": timezone.now()},
        territory_id=spending.rw_id,
    )
    contribute(actor, "logistics.spending_approval", spending.rw_id, spending)
    return spending


# ---------------------------------------------------------------- equipment loans


@transaction.atomic
def add_equipment(*, actor: Any, rw: Territory, kind: str, label: str) -> Equipment:
    """Register a lendable device of an RW (oximeter, thermometer…) under a unique label."""
    require_territory(actor, Perm.LOGISTICS_MANAGE, rw)
    _require_rw(rw)
    errors: dict[str, list[str]] = {}
    label = label.strip()
    if kind not in EquipmentKind.values:
        errors["kind"] = [_("Choose the kind of device.")]
    if not label:
        errors["label"] = [_("Give the device a label, e.g. OX-1, as written on it.")]
    elif len(label) > 60:
        errors["label"] = [_("Use at most 60 characters.")]
    elif Equipment.objects.filter(rw=rw, label__iexact=label).exists():
        errors["label"] = [_("This label is already used in this RW.")]
    if errors:
        raise ValidationFailed(errors)
    equipment = Equipment.objects.create(rw=rw, kind=kind, label=label)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=equipment, territory_id=rw.pk)
    contribute(actor, "logistics.equipment", rw.pk, equipment)
    return equipment


@transaction.atomic
def lend(
    *,
    actor: Any,
    equipment: Equipment,
    household: Household,
    lent_on: dt.date,
    due_on: dt.date,
) -> Loan:
    policy.require(actor, Perm.LOGISTICS_RECORD, equipment)
    policy.require(actor, Perm.LOGISTICS_RECORD, household)
    if rw_key(household.rt_id) != equipment.rw_id:
        raise ValidationFailed.single("household", _("Choose a household of the device's RW."))
    if equipment.lost:
        raise ValidationFailed.single("equipment", _("This device is lost."))
    if due_on < lent_on:
        raise ValidationFailed.single("due_on", _("The due date cannot be before lending."))
    try:
        with transaction.atomic():
            loan = Loan.objects.create(
                equipment=equipment,
                household=household,
                rt_id=household.rt_id,
                lent_on=lent_on,
                due_on=due_on,
                lent_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationFailed.single("equipment", _("This device is already lent out.")) from exc
    audit.record(actor=actor, action=AuditAction.CREATE, obj=loan, territory_id=loan.rt_id)
    contribute(actor, "logistics.loan", loan.rt_id, loan)
    return loan


@transaction.atomic
def close_loan(*, actor: User, loan: Loan, on: dt.date, lost: bool = False) -> Loan:
    """The device came back (or is lost)."""
    policy.require(actor, Perm.LOGISTICS_RECORD, loan)
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if loan.state != LoanState.LENT:
        raise ValidationFailed.single("__all__", _("This loan is already closed."))
    if on < loan.lent_on:
        raise ValidationFailed.single("on", _("The date cannot be before lending."))
    audit.audited_update(
        actor=actor,
        obj=loan,
        changes={"state": LoanState.LOST if lost else LoanState.RETURNED, "closed_on": on},
        territory_id=loan.rt_id,
    )
    if lost:
        Equipment.objects.filter(pk=loan.equipment_id).update(lost=True)
    contribute(actor, "logistics.loan_closed", loan.rt_id, loan)
    return loan
