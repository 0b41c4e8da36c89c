"""/api/v1 co-delivery supplies: stock items, stock movements, aid requests, deliveries,
donations and equipment loans.

Scoped by the access policy (out of reach: 404). A warga sees and raises aid requests only for
their own household. Delivery photos and spending receipts are uploaded as multipart/form-data;
their type (by content) and size are checked before anything is saved.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from siaga.api.errors import ERRORS, invalid
from siaga.api.pagination import Page, PageQuery, paginate
from siaga.core import policy
from siaga.core.acting import acting_user
from siaga.core.roles import Perm
from siaga.registry.models import Household
from siaga.territory.selectors import territory_param
from siaga.volunteers.api import territory_or_404
from siaga.volunteers.models import Posko

from . import selectors, services
from .models import (
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
    PackageTemplate,
    PaymentMethod,
    RequestSource,
    RequestState,
    Spending,
    StockItem,
    StockMovement,
)

router = Router(tags=["co-delivery: logistics"])

MAX_ID = 2**63 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]


def _enum(values: list[Any]) -> dict[str, Any]:
    return {"enum": values}


def _get(model: Any, user: Any, pk: int, perm: Perm = Perm.LOGISTICS_VIEW) -> Any:
    return policy.get_or_404(model.objects.all(), user, perm, pk=pk)


def _posko(user: Any, pk: int) -> Posko:
    posko = Posko.objects.filter(pk=pk).first()
    if posko is None or not policy.covers_territory(user, Perm.LOGISTICS_VIEW, posko.rw_id):
        from django.http import Http404

        raise Http404("not found")
    return posko


class RangeQuery(PageQuery):
    territory: str = ""


# ---------------------------------------------------------------- stock


class StockItemOut(Schema):
    id: int
    rw: str
    name: str
    unit: str
    category: str = Field(json_schema_extra=_enum(list(Category.values)))
    on_hand: Decimal = Field(description="Sum of the ledger over the RW's posko.")

    @staticmethod
    def resolve_rw(obj: StockItem) -> str:
        return obj.rw.code

    @staticmethod
    def resolve_on_hand(obj: Any) -> Decimal:
        return obj.on_hand or Decimal(0)


class StockItemIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rw: str = Field(description="Code of the RW.")
    name: str = Field(max_length=100)
    unit: str = Field(max_length=20, examples=["kg"])
    category: str = Field(json_schema_extra=_enum(list(Category.values)))


class MovementOut(Schema):
    id: int
    item: int
    posko: int
    kind: str = Field(json_schema_extra=_enum(list(MovementKind.values)))
    delta: Decimal = Field(description="Signed: + in, − out.")
    at: dt.datetime
    actor: str | None
    note: str
    donation: int | None
    delivery: int | None

    @staticmethod
    def resolve_item(obj: StockMovement) -> int:
        return obj.item_id

    @staticmethod
    def resolve_posko(obj: StockMovement) -> int:
        return obj.posko_id

    @staticmethod
    def resolve_actor(obj: StockMovement) -> str | None:
        return obj.actor.get_username() if obj.actor_id and obj.actor else None

    @staticmethod
    def resolve_donation(obj: StockMovement) -> int | None:
        return obj.donation_id

    @staticmethod
    def resolve_delivery(obj: StockMovement) -> int | None:
        return obj.delivery_id


class MovementIn(Schema):
    model_config = ConfigDict(extra="forbid")
    item: BodyId
    posko: BodyId
    kind: str = Field(json_schema_extra=_enum(list(MovementKind.values)))
    quantity: Quantity = Field(description="Positive; the kind says in or out.")
    note: str = Field("", max_length=255)


class MovementQuery(RangeQuery):
    item: int | None = Field(None, ge=1, le=MAX_ID)
    since: dt.date | None = None


@router.get("/stock-items", response={200: Page[StockItemOut], **ERRORS})
def list_stock_items(request: HttpRequest, filters: Query[RangeQuery]) -> dict[str, Any]:
    """Stock items with stock on hand."""
    queryset = selectors.stock_items(
        request.user,
        territory=territory_param(request.user, Perm.LOGISTICS_VIEW, filters.territory),
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/stock-items", response={201: StockItemOut, **ERRORS})
def create_stock_item(request: HttpRequest, payload: StockItemIn) -> Status:
    item = services.create_stock_item(
        actor=request.user,
        rw=territory_or_404(payload.rw),
        name=payload.name,
        unit=payload.unit,
        category=payload.category,
    )
    item.on_hand = Decimal(0)  # type: ignore[attr-defined]
    return Status(201, item)


@router.get("/stock-movements", response={200: Page[MovementOut], **ERRORS})
def list_movements(request: HttpRequest, filters: Query[MovementQuery]) -> dict[str, Any]:
    """The stock ledger, newest first."""
    item = _get(StockItem, request.user, filters.item) if filters.item else None
    queryset = selectors.movements(
        request.user,
        territory=territory_param(request.user, Perm.LOGISTICS_VIEW, filters.territory),
        item=item,
        since=filters.since,
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/stock-movements", response={201: MovementOut, **ERRORS})
def create_movement(request: HttpRequest, payload: MovementIn) -> Status:
    """Stock in or out. An out movement larger than the stock on hand is refused (422) and
    changes nothing; concurrent requests can never take the stock below zero."""
    item = _get(StockItem, request.user, payload.item)
    posko = _posko(request.user, payload.posko)
    return Status(
        201,
        services.move_stock(
            actor=request.user,
            item=item,
            posko=posko,
            kind=payload.kind,
            quantity=payload.quantity,
            note=payload.note,
        ),
    )


# ---------------------------------------------------------------- aid


class AidRequestOut(Schema):
    id: int
    household: int
    rt: str
    template: str
    for_day: dt.date
    source: str = Field(json_schema_extra=_enum(list(RequestSource.values)))
    state: str = Field(json_schema_extra=_enum(list(RequestState.values)))
    note: str

    @staticmethod
    def resolve_household(obj: AidRequest) -> int:
        return obj.household_id

    @staticmethod
    def resolve_rt(obj: AidRequest) -> str:
        return obj.rt.code

    @staticmethod
    def resolve_template(obj: AidRequest) -> str:
        return obj.template.name


class AidRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")
    household: BodyId
    for_day: dt.date | None = None
    template: BodyId | None = None
    note: str = Field("", max_length=255)


class AidQuery(RangeQuery):
    state: str = Field("", json_schema_extra=_enum(["", *RequestState.values]))


class DeliveryOut(Schema):
    id: int
    request: int
    household: int
    posko: int
    delivered_by: str | None
    delivered_at: dt.datetime
    received_by: str
    has_photo: bool

    @staticmethod
    def resolve_request(obj: Delivery) -> int:
        return obj.request_id

    @staticmethod
    def resolve_household(obj: Delivery) -> int:
        return obj.household_id

    @staticmethod
    def resolve_posko(obj: Delivery) -> int:
        return obj.posko_id

    @staticmethod
    def resolve_delivered_by(obj: Delivery) -> str | None:
        return obj.delivered_by.get_username() if obj.delivered_by else None

    @staticmethod
    def resolve_has_photo(obj: Delivery) -> bool:
        return bool(obj.photo)


class DeliveryIn(Schema):
    model_config = ConfigDict(extra="forbid")
    request: BodyId
    posko: BodyId
    received_by: str = Field(max_length=150)
    delivered_at: dt.datetime | None = None
    note: str = Field("", max_length=255)


@router.get("/aid-requests", response={200: Page[AidRequestOut], **ERRORS})
def list_aid_requests(request: HttpRequest, filters: Query[AidQuery]) -> dict[str, Any]:
    queryset = selectors.aid_requests(
        request.user,
        territory=territory_param(request.user, Perm.LOGISTICS_VIEW, filters.territory),
        state=filters.state,
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/aid-requests", response={201: AidRequestOut, **ERRORS})
def create_aid_request(request: HttpRequest, payload: AidRequestIn) -> Status:
    """A warga asks for their own household; a volunteer raises a request for a household."""
    household = _get(Household, request.user, payload.household, Perm.LOGISTICS_REQUEST)
    template = _get(PackageTemplate, request.user, payload.template) if payload.template else None
    return Status(
        201,
        services.request_aid(
            actor=request.user,
            household=household,
            for_day=payload.for_day,
            template=template,
            note=payload.note,
        ),
    )


@router.get("/aid-requests/{request_id}", response={200: AidRequestOut, **ERRORS})
def get_aid_request(request: HttpRequest, request_id: Id) -> AidRequest:
    return selectors.aid_request_for_view(request.user, request_id)


@router.get("/deliveries", response={200: Page[DeliveryOut], **ERRORS})
def list_deliveries(request: HttpRequest, filters: Query[RangeQuery]) -> dict[str, Any]:
    queryset = selectors.deliveries(
        request.user,
        territory=territory_param(request.user, Perm.LOGISTICS_VIEW, filters.territory),
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/deliveries", response={201: DeliveryOut, **ERRORS})
def create_delivery(request: HttpRequest, payload: DeliveryIn) -> Status:
    """Proof of delivery of an aid request; the package leaves the posko's stock."""
    aid = selectors.aid_request_for_view(request.user, payload.request)
    return Status(
        201,
        services.deliver(
            actor=request.user,
            request=aid,
            posko=_posko(request.user, payload.posko),
            received_by=payload.received_by,
            delivered_at=payload.delivered_at,
            note=payload.note,
        ),
    )


# ---------------------------------------------------------------- donations


class DonationLineIn(Schema):
    model_config = ConfigDict(extra="forbid")
    item: BodyId
    posko: BodyId
    quantity: Quantity


class DonationOut(Schema):
    id: int
    rw: str
    kind: str = Field(json_schema_extra=_enum(list(DonationKind.values)))
    donor: str = Field(description="The donor's name, or Anonymous.")
    amount: int
    method: str
    received_on: dt.date
    note: str

    @staticmethod
    def resolve_rw(obj: Donation) -> str:
        return obj.rw.code

    @staticmethod
    def resolve_donor(obj: Donation) -> str:
        return obj.donor_label


class DonationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rw: str = Field(description="Code of the RW.")
    kind: str = Field(json_schema_extra=_enum(list(DonationKind.values)))
    received_on: dt.date
    donor_name: str = Field("", max_length=150)
    anonymous: bool = False
    amount: int = Field(0, ge=0, le=10**13, description="Rupiah, for cash.")
    method: str = Field("", json_schema_extra=_enum(list(PaymentMethod.values)))
    items: list[DonationLineIn] = Field(default_factory=list, description="For in kind.")
    note: str = Field("", max_length=255)


@router.get("/donations", response={200: Page[DonationOut], **ERRORS})
def list_donations(request: HttpRequest, filters: Query[RangeQuery]) -> dict[str, Any]:
    queryset = selectors.donations(
        request.user,
        territory=territory_param(request.user, Perm.LOGISTICS_VIEW, filters.territory),
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/donations", response={201: DonationOut, **ERRORS})
def create_donation(request: HttpRequest, payload: DonationIn) -> Status:
    """Cash (amount, method) or in kind (its items go into the stock ledger)."""
    items = [
        (
            _get(StockItem, request.user, line.item),
            _posko(request.user, line.posko),
            line.quantity,
        )
        for line in payload.items
    ]
    return Status(
        201,
        services.record_donation(
            actor=request.user,
            rw=territory_or_404(payload.rw),
            kind=payload.kind,
            received_on=payload.received_on,
            donor_name=payload.donor_name,
            anonymous=payload.anonymous,
            amount=payload.amount,
            method=payload.method,
            items=items,
            note=payload.note,
        ),
    )


# ---------------------------------------------------------------- loans


class LoanOut(Schema):
    id: int
    equipment: int
    equipment_kind: str
    household: int
    lent_on: dt.date
    due_on: dt.date
    state: str = Field(json_schema_extra=_enum(list(LoanState.values)))
    closed_on: dt.date | None

    @staticmethod
    def resolve_equipment(obj: Loan) -> int:
        return obj.equipment_id

    @staticmethod
    def resolve_equipment_kind(obj: Loan) -> str:
        return obj.equipment.kind

    @staticmethod
    def resolve_household(obj: Loan) -> int:
        return obj.household_id


class LoanIn(Schema):
    model_config = ConfigDict(extra="forbid")
    equipment: BodyId
    household: BodyId
    lent_on: dt.date
    due_on: dt.date


class LoanCloseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    on: dt.date
    lost: bool = Field(False, description="The device was lost instead of returned.")


class LoanQuery(RangeQuery):
    state: str = Field("", json_schema_extra=_enum(["", *LoanState.values]))


@router.get("/loans", response={200: Page[LoanOut], **ERRORS})
def list_loans(request: HttpRequest, filters: Query[LoanQuery]) -> dict[str, Any]:
    queryset = selectors.loans(
        request.user,
        territory=territory_param(request.user, Perm.LOGISTICS_VIEW, filters.territory),
        state=filters.state,
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/loans", response={201: LoanOut, **ERRORS})
def create_loan(request: HttpRequest, payload: LoanIn) -> Status:
    return Status(
        201,
        services.lend(
            actor=request.user,
            equipment=_get(Equipment, request.user, payload.equipment),
            household=_get(Household, request.user, payload.household, Perm.LOGISTICS_RECORD),
            lent_on=payload.lent_on,
            due_on=payload.due_on,
        ),
    )


@router.post("/loans/{loan_id}/close", response={200: LoanOut, **ERRORS})
def close_loan(request: HttpRequest, loan_id: Id, payload: LoanCloseIn) -> Loan:
    """The device came back, or is lost."""
    loan = _get(Loan, request.user, loan_id)
    return services.close_loan(
        actor=acting_user(request), loan=loan, on=payload.on, lost=payload.lost
    )


# ---------------------------------------------------------------- transfers


class TransferIn(Schema):
    model_config = ConfigDict(extra="forbid")
    item: BodyId
    source: BodyId = Field(description="The posko the stock leaves.")
    target: BodyId = Field(description="The posko the stock enters (same RW).")
    quantity: Quantity
    note: str = Field("", max_length=255)


class TransferOut(Schema):
    out: MovementOut
    into: MovementOut


@router.post("/stock-transfers", response={201: TransferOut, **ERRORS})
def create_transfer(request: HttpRequest, payload: TransferIn) -> Status:
    """Move stock between two posko of an RW in one transaction: a ``transfer_out`` and a
    ``transfer_in`` ledger row. More than the source holds answers 422 and writes nothing."""
    item = _get(StockItem, request.user, payload.item)
    out, into = services.transfer_stock(
        actor=request.user,
        item=item,
        source=_posko(request.user, payload.source),
        target=_posko(request.user, payload.target),
        quantity=payload.quantity,
        note=payload.note,
    )
    return Status(201, {"out": out, "into": into})


# ---------------------------------------------------------------- package templates


class PackageLineIO(Schema):
    model_config = ConfigDict(extra="forbid")
    item: BodyId
    quantity: Quantity


class PackageOut(Schema):
    id: int
    rw: str
    name: str
    for_isolation: bool
    lines: list[PackageLineIO]

    @staticmethod
    def resolve_rw(obj: PackageTemplate) -> str:
        return obj.rw.code

    @staticmethod
    def resolve_lines(obj: PackageTemplate) -> list[dict[str, Any]]:
        return [{"item": line.item_id, "quantity": line.quantity} for line in obj.lines.all()]


class PackageIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rw: str = Field(description="Code of the RW.")
    name: str = Field(max_length=100)
    for_isolation: bool = False
    lines: list[PackageLineIO] = Field(min_length=1, max_length=50)


class PackagePatch(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=100)
    for_isolation: bool | None = None
    lines: list[PackageLineIO] | None = Field(
        None, min_length=1, max_length=50, description="Replaces all lines."
    )


def _lines(user: Any, lines: list[PackageLineIO]) -> list[tuple[StockItem, Decimal]]:
    return [(_get(StockItem, user, line.item), line.quantity) for line in lines]


@router.get("/package-templates", response={200: Page[PackageOut], **ERRORS})
def list_packages(request: HttpRequest, filters: Query[RangeQuery]) -> dict[str, Any]:
    """Aid package templates with their lines."""
    queryset = selectors.package_templates(
        request.user,
        territory=territory_param(request.user, Perm.LOGISTICS_VIEW, filters.territory),
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/package-templates", response={201: PackageOut, **ERRORS})
def create_package(request: HttpRequest, payload: PackageIn) -> Status:
    template = services.create_package_template(
        actor=request.user,
        rw=territory_or_404(payload.rw),
        name=payload.name,
        lines=_lines(request.user, payload.lines),
        for_isolation=payload.for_isolation,
    )
    return Status(201, selectors.package_template_for_view(request.user, template.pk))


@router.patch("/package-templates/{template_id}", response={200: PackageOut, **ERRORS})
def update_package(request: HttpRequest, template_id: Id, payload: PackagePatch) -> PackageTemplate:
    template = selectors.package_template_for_view(request.user, template_id)
    current = [(line.item, line.quantity) for line in template.lines.all()]
    services.update_package_template(
        actor=request.user,
        template=template,
        name=template.name if payload.name is None else payload.name,
        lines=current if payload.lines is None else _lines(request.user, payload.lines),
        for_isolation=template.for_isolation
        if payload.for_isolation is None
        else payload.for_isolation,
    )
    return selectors.package_template_for_view(request.user, template.pk)


# ---------------------------------------------------------------- public kitchen


class KitchenDayOut(Schema):
    id: int
    rw: str
    day: dt.date
    meals: int
    note: str

    @staticmethod
    def resolve_rw(obj: KitchenDay) -> str:
        return obj.rw.code


class KitchenDayIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rw: str = Field(description="Code of the RW.")
    day: dt.date
    meals: int = Field(ge=0, le=100_000)
    note: str = Field("", max_length=255)


@router.get("/kitchen-days", response={200: Page[KitchenDayOut], **ERRORS})
def list_kitchen_days(request: HttpRequest, filters: Query[RangeQuery]) -> dict[str, Any]:
    """Meals served by the public kitchens (dapur umum), newest day first."""
    queryset = selectors.kitchen_days(
        request.user,
        territory=territory_param(request.user, Perm.LOGISTICS_VIEW, filters.territory),
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/kitchen-days", response={201: KitchenDayOut, **ERRORS})
def record_kitchen_day(request: HttpRequest, payload: KitchenDayIn) -> Status:
    """Meals served on a day; posting the same day again corrects it."""
    row = services.record_kitchen_day(
        actor=request.user,
        rw=territory_or_404(payload.rw),
        day=payload.day,
        meals=payload.meals,
        note=payload.note,
    )
    return Status(201, selectors.kitchen_days(request.user).get(pk=row.pk))


# ---------------------------------------------------------------- equipment


class EquipmentOut(Schema):
    id: int
    rw: str
    kind: str = Field(json_schema_extra=_enum(list(EquipmentKind.values)))
    label: str
    lost: bool

    @staticmethod
    def resolve_rw(obj: Equipment) -> str:
        return obj.rw.code


class EquipmentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rw: str = Field(description="Code of the RW.")
    kind: str = Field(json_schema_extra=_enum(list(EquipmentKind.values)))
    label: str = Field(max_length=60, examples=["OX-1"])


@router.get("/equipment", response={200: Page[EquipmentOut], **ERRORS})
def list_equipment(request: HttpRequest, filters: Query[RangeQuery]) -> dict[str, Any]:
    queryset = selectors.equipment(
        request.user,
        territory=territory_param(request.user, Perm.LOGISTICS_VIEW, filters.territory),
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/equipment", response={201: EquipmentOut, **ERRORS})
def create_equipment(request: HttpRequest, payload: EquipmentIn) -> Status:
    """Register a lendable device (pengurus and facilitators)."""
    return Status(
        201,
        services.add_equipment(
            actor=request.user,
            rw=territory_or_404(payload.rw),
            kind=payload.kind,
            label=payload.label,
        ),
    )


# ---------------------------------------------------------------- uploads: proof and receipts


class SpendingOut(Schema):
    id: int
    rw: str
    amount: int
    purpose: str
    category: str = Field(json_schema_extra=_enum(list(Category.values)))
    spent_on: dt.date
    has_receipt: bool
    approved_by: str | None
    approved_at: dt.datetime | None

    @staticmethod
    def resolve_rw(obj: Spending) -> str:
        return obj.rw.code

    @staticmethod
    def resolve_has_receipt(obj: Spending) -> bool:
        return bool(obj.receipt)

    @staticmethod
    def resolve_approved_by(obj: Spending) -> str | None:
        return obj.approved_by.get_username() if obj.approved_by_id and obj.approved_by else None


class SpendingForm(Schema):
    """Multipart fields, parsed by the endpoint so that errors name the field plainly."""

    rw: str = Field("", description="Code of the RW.")
    amount: str = Field("", description="Rupiah, a whole number above zero.")
    purpose: str = Field("", max_length=255)
    category: str = Field("", json_schema_extra=_enum(list(Category.values)))
    spent_on: str = Field("", description="YYYY-MM-DD.")


def _spending_fields(payload: SpendingForm) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if not payload.rw.strip():
        errors["rw"] = [_("This field is required.")]
    try:
        amount = int(payload.amount)
    except ValueError:
        errors["amount"] = [_("Enter the amount spent as a whole number of rupiah.")]
        amount = 0
    spent_on: dt.date | None = None
    try:
        spent_on = dt.date.fromisoformat(payload.spent_on)
    except ValueError:
        errors["spent_on"] = [_("Enter a date as YYYY-MM-DD.")]
    if errors:
        raise invalid(errors)
    return {"amount": amount, "spent_on": spent_on}


def _spending(user: Any, pk: int, perm: Perm = Perm.LOGISTICS_VIEW) -> Spending:
    return policy.get_or_404(
        Spending.objects.select_related("rw", "approved_by"), user, perm, pk=pk
    )


@router.get("/spending", response={200: Page[SpendingOut], **ERRORS})
def list_spending(request: HttpRequest, filters: Query[RangeQuery]) -> dict[str, Any]:
    queryset = selectors.spending(
        request.user,
        territory=territory_param(request.user, Perm.LOGISTICS_VIEW, filters.territory),
    ).select_related("rw")
    return paginate(queryset, filters.limit, filters.offset)


@router.post("/spending", response={201: SpendingOut, **ERRORS})
def create_spending(
    request: HttpRequest,
    payload: Form[SpendingForm],
    receipt: File[UploadedFile | None] = None,
) -> Status:
    """Cash spent, as ``multipart/form-data`` with an optional ``receipt`` file (JPEG, PNG, WebP
    or PDF, at most 5 MB; checked by content before anything is saved)."""
    fields = _spending_fields(payload)
    spending = services.record_spending(
        actor=request.user,
        rw=territory_or_404(payload.rw),
        purpose=payload.purpose,
        category=payload.category,
        receipt=receipt,
        **fields,
    )
    return Status(201, _spending(request.user, spending.pk))


@router.post("/spending/{spending_id}/receipt", response={200: SpendingOut, **ERRORS})
def upload_receipt(request: HttpRequest, spending_id: Id, receipt: File[UploadedFile]) -> Spending:
    """Attach the receipt (multipart ``receipt``) to spending not yet approved."""
    spending = _spending(request.user, spending_id)
    services.attach_receipt(actor=request.user, spending=spending, receipt=receipt)
    return _spending(request.user, spending_id)


@router.post("/spending/{spending_id}/approve", response={200: SpendingOut, **ERRORS})
def approve_spending(request: HttpRequest, spending_id: Id) -> Spending:
    """A pengurus approves spending that has its receipt."""
    spending = _spending(request.user, spending_id)
    services.approve_spending(actor=acting_user(request), spending=spending)
    return _spending(request.user, spending_id)


@router.post("/deliveries/{delivery_id}/photo", response={200: DeliveryOut, **ERRORS})
def upload_delivery_photo(
    request: HttpRequest, delivery_id: Id, photo: File[UploadedFile]
) -> Delivery:
    """Attach the photo proving a delivery (multipart ``photo``: JPEG, PNG or WebP, at most
    5 MB; checked by content before anything is saved)."""
    delivery = policy.get_or_404(
        Delivery.objects.all(), request.user, Perm.LOGISTICS_VIEW, pk=delivery_id
    )
    return services.attach_delivery_photo(actor=request.user, delivery=delivery, photo=photo)
