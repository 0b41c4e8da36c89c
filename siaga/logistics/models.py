"""Lumbung pangan and aid: stock items, the stock ledger with its never-negative balance, aid
package templates, aid requests and deliveries, the public kitchen, donations, spending and
equipment loans.

Stock on hand is the sum of the ledger; ``StockBalance`` keeps that sum per item and posko with a
``CHECK (quantity >= 0)`` and is only changed by a conditional ``UPDATE`` in the same transaction
as the ledger row (see ``services.move_stock``), so two volunteers issuing the last sack at once
cannot both succeed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _choice_check(field: str, choices: type[models.TextChoices], name: str) -> Any:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class Category(models.TextChoices):
    PANGAN = "pangan", _("Food (pangan)")
    KESEHATAN = "kesehatan", _("Health supplies")
    KEBERSIHAN = "kebersihan", _("Hygiene")
    LAINNYA = "lainnya", _("Other")


class StockItem(models.Model):
    """An item of an RW's lumbung pangan with its unit (beras kg, minyak liter, telur butir…)."""

    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("unit"), max_length=20)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["rw_id", "category", "name"]
        verbose_name = _("stock item")
        verbose_name_plural = _("stock items")
        constraints = [
            models.UniqueConstraint(fields=["rw", "name"], name="stock_item_unique_name"),
            _choice_check("category", Category, "stock_item_category_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class MovementKind(models.TextChoices):
    DONATION = "donation", _("Donation in kind")
    GOVERNMENT = "government", _("Government aid")
    PURCHASE = "purchase", _("Purchase")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    AID = "aid", _("Aid package")
    KITCHEN = "kitchen", _("Public kitchen use")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    SPOILAGE = "spoilage", _("Spoilage")


INBOUND = frozenset({"donation", "government", "purchase", "transfer_in"})


class StockMovement(models.Model):
    """One ledger entry. ``delta`` is signed (+ in, − out); the ledger is never edited."""

    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="movements")
    posko = models.ForeignKey("volunteers.Posko", on_delete=models.PROTECT, related_name="+")
    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    delta = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    donation = models.ForeignKey(
        "Donation", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    delivery = models.ForeignKey(
        "Delivery", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            _choice_check("kind", MovementKind, "movement_kind_valid"),
            models.CheckConstraint(
                condition=(Q(kind__in=sorted(INBOUND)) & Q(delta__gt=0))
                | (~Q(kind__in=sorted(INBOUND)) & Q(delta__lt=0)),
                name="movement_sign_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["rw", "at"], name="movement_rw_at")]


class StockBalance(models.Model):
    """The running sum of the ledger for one item at one posko; never negative (CHECK)."""

    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="balances")
    posko = models.ForeignKey("volunteers.Posko", on_delete=models.PROTECT, related_name="+")
    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["item_id", "posko_id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "posko"], name="balance_unique_item_posko"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="balance_never_negative"),
        ]


class PackageTemplate(models.Model):
    """A package of an RW, e.g. sembako harian: items and quantities per package."""

    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    for_isolation = models.BooleanField(_("daily package for isolating households"), default=False)

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["rw_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["rw", "name"], name="package_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PackageLine(models.Model):
    template = models.ForeignKey(PackageTemplate, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["template_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "item"], name="package_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="package_line_positive"),
        ]


class RequestSource(models.TextChoices):
    WARGA = "warga", _("Asked by the household")
    VOLUNTEER = "volunteer", _("Raised by a volunteer")
    ISOLATION = "isolation", _("Daily proposal for an isolating household")


class RequestState(models.TextChoices):
    BARU = "baru", _("New (baru)")
    DIKIRIM = "dikirim", _("Delivered (dikirim)")
    BATAL = "batal", _("Cancelled (batal)")


class AidRequest(models.Model):
    """A request for an aid package for a household on a day."""

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="aid_requests"
    )
    rt = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(PackageTemplate, on_delete=models.PROTECT, related_name="+")
    for_day = models.DateField(_("for day"))
    source = models.CharField(_("source"), max_length=10, choices=RequestSource.choices)
    state = models.CharField(
        _("state"), max_length=8, choices=RequestState.choices, default=RequestState.BARU
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    case = models.ForeignKey(
        "health.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    scope_territory_field = "rt_id"
    scope_household_field = "household_id"

    class Meta:
        ordering = ["-for_day", "-id"]
        verbose_name = _("aid request")
        verbose_name_plural = _("aid requests")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "for_day"],
                condition=Q(source="isolation"),
                name="aid_one_isolation_proposal_per_day",
            ),
            _choice_check("source", RequestSource, "aid_source_valid"),
            _choice_check("state", RequestState, "aid_state_valid"),
        ]
        indexes = [models.Index(fields=["rt", "state"], name="aid_rt_state")]

    def __str__(self) -> str:
        return f"{_('Aid request')} #{self.pk}"


def proof_path(instance: Delivery, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"logistics/proof/{timezone.now():%Y/%m}/{instance.request_id}.{extension}"


def receipt_path(instance: Spending, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"logistics/receipts/{timezone.now():%Y/%m}/{instance.rw_id}-{timezone.now():%H%M%S}.{extension}"


class Delivery(models.Model):
    """Proof of delivery of one aid request: who, when, received by whom, optional photo."""

    request = models.OneToOneField(AidRequest, on_delete=models.PROTECT, related_name="delivery")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    rt = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    posko = models.ForeignKey("volunteers.Posko", on_delete=models.PROTECT, related_name="+")
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    delivered_at = models.DateTimeField(_("delivered at"))
    received_by = models.CharField(_("received by"), max_length=150)
    photo = models.FileField(_("photo"), upload_to=proof_path, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    scope_territory_field = "rt_id"
    scope_household_field = "household_id"

    class Meta:
        ordering = ["-delivered_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["household", "delivered_at"], name="delivery_household")]


class KitchenDay(models.Model):
    """Meals served by the public kitchen (dapur umum) of an RW on a day."""

    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    meals = models.PositiveIntegerField(_("meals served"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["rw", "day"], name="kitchen_day_unique")]


class DonationKind(models.TextChoices):
    CASH = "cash", _("Cash")
    IN_KIND = "in_kind", _("In kind")


class PaymentMethod(models.TextChoices):
    NONE = "", _("—")
    TUNAI = "tunai", _("Cash in hand (tunai)")
    TRANSFER = "transfer", _("Bank transfer")
    QRIS = "qris", _("QRIS / e-wallet")


class Donation(models.Model):
    """A donation to an RW: cash (amount, method) or in kind (its items go into the ledger)."""

    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=DonationKind.choices)
    donor_name = models.CharField(_("donor"), max_length=150, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"), default=0)
    method = models.CharField(
        _("method"), max_length=10, choices=PaymentMethod.choices, blank=True, default=""
    )
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        constraints = [
            _choice_check("kind", DonationKind, "donation_kind_valid"),
            _choice_check("method", PaymentMethod, "donation_method_valid"),
            models.CheckConstraint(
                condition=Q(kind="in_kind", amount=0) | Q(kind="cash", amount__gt=0),
                name="donation_amount_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(anonymous=True, donor_name="") | Q(anonymous=False),
                name="donation_anonymous_has_no_name",
            ),
        ]

    @property
    def donor_label(self) -> str:
        return str(_("Anonymous")) if self.anonymous or not self.donor_name else self.donor_name


class Spending(models.Model):
    """Cash spent by an RW, with its receipt and the pengurus who approved it."""

    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    purpose = models.CharField(_("purpose"), max_length=255)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    spent_on = models.DateField(_("spent on"))
    receipt = models.FileField(_("receipt"), upload_to=receipt_path, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["-spent_on", "-id"]
        verbose_name = _("spending")
        verbose_name_plural = _("spending")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spending_positive"),
            _choice_check("category", Category, "spending_category_valid"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True, approved_at__isnull=True)
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="spending_approval_complete",
            ),
        ]


class EquipmentKind(models.TextChoices):
    OXIMETER = "oximeter", _("Pulse oximeter")
    THERMOMETER = "thermometer", _("Thermometer")
    OXYGEN = "oxygen", _("Oxygen cylinder")
    OTHER = "other", _("Other")


class Equipment(models.Model):
    """One lendable device of an RW (oximeter, thermometer…)."""

    rw = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=EquipmentKind.choices)
    label = models.CharField(_("label"), max_length=60)
    lost = models.BooleanField(_("lost"), default=False)

    scope_territory_field = "rw_id"

    class Meta:
        ordering = ["rw_id", "kind", "label"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        constraints = [
            models.UniqueConstraint(fields=["rw", "label"], name="equipment_unique_label"),
            _choice_check("kind", EquipmentKind, "equipment_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}"


class LoanState(models.TextChoices):
    LENT = "lent", _("Lent")
    RETURNED = "returned", _("Returned")
    LOST = "lost", _("Lost")


class Loan(models.Model):
    """A device lent to a household: lent on, due back, returned or lost."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="loans")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    rt = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    lent_on = models.DateField(_("lent on"))
    due_on = models.DateField(_("due back"))
    state = models.CharField(max_length=8, choices=LoanState.choices, default=LoanState.LENT)
    closed_on = models.DateField(_("returned or lost on"), null=True, blank=True)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_territory_field = "rt_id"
    scope_household_field = "household_id"

    class Meta:
        ordering = ["-lent_on", "-id"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.UniqueConstraint(
                fields=["equipment"], condition=Q(state="lent"), name="loan_one_open_per_device"
            ),
            _choice_check("state", LoanState, "loan_state_valid"),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("lent_on")), name="loan_due_after_lent"
            ),
            models.CheckConstraint(
                condition=Q(state="lent", closed_on__isnull=True)
                | (~Q(state="lent") & Q(closed_on__gte=models.F("lent_on"))),
                name="loan_closed_on_when_closed",
            ),
        ]
