"""Reads of the logistics app: through the access policy, except ``transparency`` (public,
aggregate only, never a recipient's name) and ``household_has_oximeter`` (for the health
app's home-isolation eligibility check)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone

from siaga.core import policy
from siaga.core.policy import in_subtree
from siaga.core.roles import Perm
from siaga.health import selectors as health_selectors
from siaga.registry.models import Household
from siaga.territory.models import Territory
from siaga.volunteers.models import Posko

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
    PackageTemplate,
    Spending,
    StockBalance,
    StockItem,
    StockMovement,
)


def _within(queryset: QuerySet[Any], field: str, territory: Territory | None) -> QuerySet[Any]:
    return queryset.filter(in_subtree(field, territory.bounds)) if territory else queryset


def household_has_oximeter(household_id: int, on: dt.date | None = None) -> bool:
    """Did the household hold a lent pulse oximeter on ``on`` (default today)?

    For the home-isolation eligibility check (own pulse oximeter); a loan counts from the day it
    was lent until the day it was returned or lost.
    """
    on = on or timezone.localdate()
    return (
        Loan.objects.filter(
            household_id=household_id,
            equipment__kind=EquipmentKind.OXIMETER,
            lent_on__lte=on,
        )
        .filter(Q(state=LoanState.LENT) | Q(closed_on__gt=on))
        .exists()
    )


def stock_items(user: Any, *, territory: Territory | None = None) -> QuerySet[StockItem]:
    queryset = policy.scope(
        StockItem.objects.select_related("rw").annotate(on_hand=Sum("balances__quantity")),
        user,
        Perm.LOGISTICS_VIEW,
    )
    return _within(queryset, "rw_id", territory)


def stock_item_for_view(user: Any, pk: Any) -> StockItem:
    return policy.get_or_404(StockItem.objects.all(), user, Perm.LOGISTICS_VIEW, pk=pk)


def balances(user: Any, *, territory: Territory | None = None) -> QuerySet[StockBalance]:
    queryset = policy.scope(
        StockBalance.objects.select_related("item", "posko"), user, Perm.LOGISTICS_VIEW
    )
    return _within(queryset, "rw_id", territory).order_by("posko__name", "item__name")


def movements(
    user: Any,
    *,
    territory: Territory | None = None,
    item: StockItem | None = None,
    since: dt.date | None = None,
) -> QuerySet[StockMovement]:
    queryset = policy.scope(
        StockMovement.objects.select_related("item", "posko", "actor"), user, Perm.LOGISTICS_VIEW
    )
    if item is not None:
        queryset = queryset.filter(item=item)
    if since is not None:
        queryset = queryset.filter(at__date__gte=since)
    return _within(queryset, "rw_id", territory)


def ledger_total(item: StockItem) -> Decimal:
    """Stock on hand as the sum of the ledger (equals the balances; checked by the tests)."""
    return StockMovement.objects.filter(item=item).aggregate(s=Sum("delta"))["s"] or Decimal(0)


def package_templates(user: Any, *, territory: Territory | None = None) -> QuerySet[Any]:
    queryset = policy.scope(
        PackageTemplate.objects.select_related("rw").prefetch_related("lines__item"),
        user,
        Perm.LOGISTICS_VIEW,
    )
    return _within(queryset, "rw_id", territory)


def package_template_for_view(
    user: Any, pk: Any, perm: Perm = Perm.LOGISTICS_VIEW
) -> PackageTemplate:
    return policy.get_or_404(
        PackageTemplate.objects.select_related("rw").prefetch_related("lines__item"),
        user,
        perm,
        pk=pk,
    )


def aid_requests(
    user: Any, *, territory: Territory | None = None, state: str = ""
) -> QuerySet[AidRequest]:
    queryset = policy.scope(
        AidRequest.objects.select_related("household", "template", "rt"),
        user,
        Perm.LOGISTICS_VIEW,
    )
    if state:
        queryset = queryset.filter(state=state)
    return _within(queryset, "rt_id", territory)


def aid_request_for_view(user: Any, pk: Any) -> AidRequest:
    return policy.get_or_404(
        AidRequest.objects.select_related("household", "template"),
        user,
        Perm.LOGISTICS_VIEW,
        pk=pk,
    )


def posko_for_package(rw_id: int, template: PackageTemplate) -> list[tuple[Posko, bool]]:
    """The posko of an RW, each with whether its stock covers every line of ``template``;
    the ones that can send the whole package first (two queries)."""
    posko = list(Posko.objects.filter(rw_id=rw_id).order_by("name", "pk"))
    lines = list(template.lines.all())
    on_hand = {
        (b.posko_id, b.item_id): b.quantity
        for b in StockBalance.objects.filter(
            posko__in=posko, item_id__in=[line.item_id for line in lines]
        )
    }
    rows = [
        (p, all(on_hand.get((p.pk, line.item_id), 0) >= line.quantity for line in lines))
        for p in posko
    ]
    return sorted(rows, key=lambda row: not row[1])


def deliveries(user: Any, *, territory: Territory | None = None) -> QuerySet[Delivery]:
    queryset = policy.scope(
        Delivery.objects.select_related("request", "posko", "delivered_by", "household"),
        user,
        Perm.LOGISTICS_VIEW,
    )
    return _within(queryset, "rt_id", territory)


def donations(user: Any, *, territory: Territory | None = None) -> QuerySet[Donation]:
    queryset = policy.scope(Donation.objects.select_related("rw"), user, Perm.LOGISTICS_VIEW)
    return _within(queryset, "rw_id", territory)


def spending(user: Any, *, territory: Territory | None = None) -> QuerySet[Spending]:
    queryset = policy.scope(
        Spending.objects.select_related("approved_by", "recorded_by"), user, Perm.LOGISTICS_VIEW
    )
    return _within(queryset, "rw_id", territory)


def equipment(user: Any, *, territory: Territory | None = None) -> QuerySet[Equipment]:
    queryset = policy.scope(Equipment.objects.select_related("rw"), user, Perm.LOGISTICS_VIEW)
    return _within(queryset, "rw_id", territory)


def loans(user: Any, *, territory: Territory | None = None, state: str = "") -> QuerySet[Loan]:
    queryset = policy.scope(
        Loan.objects.select_related("equipment", "household__rt"), user, Perm.LOGISTICS_VIEW
    )
    if state:
        queryset = queryset.filter(state=state)
    return _within(queryset, "rt_id", territory)


def kitchen_days(user: Any, *, territory: Territory | None = None) -> QuerySet[KitchenDay]:
    queryset = policy.scope(
        KitchenDay.objects.select_related("rw", "recorded_by"), user, Perm.LOGISTICS_VIEW
    )
    return _within(queryset, "rw_id", territory)


def undelivered_households(
    *, now: dt.datetime | None = None, user: Any = None, hours: int = 24
) -> list[dict[str, Any]]:
    """Households with an active home isolation and no delivery for more than ``hours`` hours
    (counted from the last delivery, or from when the isolation was recorded)."""
    now = now or timezone.now()
    cases = health_selectors.isolating_cases(timezone.localdate(now))
    if user is not None:
        cases = policy.scope(cases, user, Perm.LOGISTICS_VIEW)
    since: dict[int, dt.datetime] = {}
    households: dict[int, Household] = {}
    for case in cases:
        start, household = case.created_at, case.household
        if household is None:  # never: isolating cases are at home in a household
            continue
        if household.pk not in since or start < since[household.pk]:
            since[household.pk] = start
            households[household.pk] = household
    last = dict(
        Delivery.objects.filter(household_id__in=list(since), delivered_at__lte=now)
        .values("household_id")
        .annotate(last=Max("delivered_at"))
        .values_list("household_id", "last")
    )
    rows = []
    for household_id, started in since.items():
        reference = max(started, last.get(household_id) or started)
        waited = now - reference
        if waited > dt.timedelta(hours=hours):
            rows.append(
                {
                    "household": households[household_id],
                    "since": reference,
                    "hours": int(waited.total_seconds() // 3600),
                    "last_delivery": last.get(household_id),
                }
            )
    rows.sort(key=lambda r: r["since"])  # type: ignore[arg-type,return-value]
    return rows


# ---------------------------------------------------------------- public transparency


def cash_summary(rws: list[Territory]) -> list[dict[str, Any]]:
    """The public cash figures of some RWs (what /transparansi/<RW>/ shows), two queries."""
    keys = [rw.pk for rw in rws]
    received = dict(
        Donation.objects.filter(rw_id__in=keys, kind=DonationKind.CASH)
        .values("rw_id")
        .annotate(total=Sum("amount"))
        .values_list("rw_id", "total")
    )
    spent = dict(
        Spending.objects.filter(rw_id__in=keys, approved_by__isnull=False)
        .values("rw_id")
        .annotate(total=Sum("amount"))
        .values_list("rw_id", "total")
    )
    return [
        {
            "rw": rw,
            "received": received.get(rw.pk) or 0,
            "spent": spent.get(rw.pk) or 0,
            "balance": (received.get(rw.pk) or 0) - (spent.get(rw.pk) or 0),
        }
        for rw in rws
    ]


def transparency(rw: Territory, *, weeks: int = 8, today: dt.date | None = None) -> dict[str, Any]:
    """Aggregates of an RW for the public page: money in and out, stock movements by category,
    households helped per week. No names of recipients, no household identifiers."""
    today = today or timezone.localdate()
    cash_in = Donation.objects.filter(rw=rw, kind=DonationKind.CASH).aggregate(
        total=Sum("amount"), count=Count("id")
    )
    in_kind = Donation.objects.filter(rw=rw, kind=DonationKind.IN_KIND).count()
    spent = Spending.objects.filter(rw=rw, approved_by__isnull=False)
    spent_total = spent.aggregate(total=Sum("amount"))["total"] or 0
    spent_by_category = list(
        spent.values("category").annotate(total=Sum("amount")).order_by("category")
    )
    labels = dict(Category.choices)
    for row in spent_by_category:
        row["label"] = labels.get(row["category"], row["category"])
    by_category: dict[str, dict[str, Any]] = defaultdict(lambda: {"items": {}})
    rows = (
        StockMovement.objects.filter(rw=rw)
        .values("item__category", "item__name", "item__unit", "kind")
        .annotate(total=Sum("delta"))
        .order_by("item__category", "item__name")
    )
    for row in rows:
        item = by_category[row["item__category"]]["items"].setdefault(
            row["item__name"],
            {"unit": row["item__unit"], "in": Decimal(0), "out": Decimal(0)},
        )
        if row["kind"] in INBOUND:
            item["in"] += row["total"]
        else:
            item["out"] -= row["total"]
    on_hand = dict(
        StockBalance.objects.filter(rw=rw)
        .values("item__name")
        .annotate(total=Sum("quantity"))
        .values_list("item__name", "total")
    )
    for category in by_category.values():
        for name, item in category["items"].items():
            item["on_hand"] = on_hand.get(name, Decimal(0))
    start = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    low, high = rw.bounds
    helped: dict[dt.date, set[int]] = defaultdict(set)
    for household_id, at in Delivery.objects.filter(
        rt_id__gte=low, rt_id__lte=high, delivered_at__date__gte=start
    ).values_list("household_id", "delivered_at"):
        day = timezone.localtime(at).date()
        helped[day - dt.timedelta(days=day.weekday())].add(household_id)
    per_week = [
        {
            "week": start + dt.timedelta(weeks=n),
            "households": len(helped.get(start + dt.timedelta(weeks=n), set())),
        }
        for n in range(weeks)
    ]
    meals = KitchenDay.objects.filter(rw=rw, day__gte=start).aggregate(total=Sum("meals"))
    return {
        "rw": rw,
        "cash_received": cash_in["total"] or 0,
        "cash_donations": cash_in["count"],
        "in_kind_donations": in_kind,
        "cash_spent": spent_total,
        "cash_balance": (cash_in["total"] or 0) - spent_total,
        "spent_by_category": spent_by_category,
        "stock_by_category": {k: v["items"] for k, v in sorted(by_category.items())},
        "households_per_week": per_week,
        "meals": meals["total"] or 0,
        "since": start,
    }


# ---------------------------------------------------------------- home page (siaga.home)

# Below this many units on hand (summed over the posko of its RW) an item counts as low stock.
LOW_STOCK_UNITS = 10


def low_stock(user: Any, *, below: int = LOW_STOCK_UNITS) -> QuerySet[StockItem]:
    """Items of the user's RWs with fewer than ``below`` units on hand, emptiest first."""
    return (
        stock_items(user)
        .filter(Q(on_hand__lt=below) | Q(on_hand__isnull=True))
        .order_by(F("on_hand").asc(nulls_first=True), "name", "id")
    )


def spending_to_approve(user: Any) -> QuerySet[Spending]:
    """Spending recorded but not yet approved, in the RWs where the user approves spending."""
    return policy.scope(
        Spending.objects.select_related("rw").filter(approved_at__isnull=True),
        user,
        Perm.LOGISTICS_MANAGE,
    ).order_by("spent_on", "id")


def last_delivery_at(household_ids: list[int]) -> dict[int, dt.datetime]:
    """The time of the last delivery to each of these households (one query; callers scope)."""
    return dict(
        Delivery.objects.filter(household_id__in=household_ids)
        .values("household_id")
        .annotate(last=Max("delivered_at"))
        .values_list("household_id", "last")
    )
