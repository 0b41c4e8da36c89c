"""Reads: indicator series and drill-down from the aggregates; the co-production matrix.

Access: ``Perm.INDICATOR_VIEW`` through core.policy; a territory outside the user's reach is
404 (``territory_for``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from siaga.core import codes, policy
from siaga.core.models import ActorGroup, Contribution, Phase
from siaga.core.roles import Perm
from siaga.territory.models import Territory
from siaga.territory.selectors import territory_param

from .models import CoproductionDay, IndicatorValue, RefreshRun
from .registry import INDICATORS, PERCENTILE_KEYS, Indicator
from .services import MATRIX_MAX_LEVEL, day_start

MAX_DAYS = 732
INTERVALS = ("day", "week")


# ---------------------------------------------------------------- access and period


def default_territory(user: Any) -> Territory | None:
    """The highest territory the user may see indicators of (None: nowhere)."""
    reach = policy.scope_for(user, Perm.INDICATOR_VIEW)
    if reach.everywhere:
        return Territory.objects.order_by("level", "id").first()
    if not reach.ranges:
        return None
    return (
        Territory.objects.filter(id__in=[low for low, _high in reach.ranges])
        .order_by("level", "id")
        .first()
    )


def territory_for(user: Any, code: str | None) -> Territory:
    """The territory of ``code`` (or the default one) if the user may see it; else Http404."""
    policy.require_somewhere(user, Perm.INDICATOR_VIEW)
    territory = territory_param(
        user, Perm.INDICATOR_VIEW, code, default=lambda: default_territory(user), required=True
    )
    assert territory is not None  # required=True
    return territory


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=89), today


def check_period(day_from: dt.date, day_to: dt.date) -> list[str]:
    """Problems with a requested period (empty: fine). Messages are translated by callers."""
    if day_to < day_from:
        return ["to_before_from"]
    if (day_to - day_from).days + 1 > MAX_DAYS:
        return ["too_long"]
    return []


# ---------------------------------------------------------------- series


@dataclass
class Point:
    start: dt.date
    end: dt.date
    value: Any
    numerator: float
    denominator: float


@dataclass
class Series:
    indicator: Indicator
    points: list[Point] = field(default_factory=list)
    total: Any = None
    numerator: float = 0
    denominator: float = 0


def buckets(day_from: dt.date, day_to: dt.date, interval: str) -> list[tuple[dt.date, dt.date]]:
    """The (start, end) days of each bucket, clipped to the period (weeks start on Monday)."""
    out = []
    start = day_from
    while start <= day_to:
        if interval == "week":
            end = min(day_to, start + dt.timedelta(days=6 - start.weekday()))
        else:
            end = start
        out.append((start, end))
        start = end + dt.timedelta(days=1)
    return out


def series(
    territory: Territory, day_from: dt.date, day_to: dt.date, interval: str = "week"
) -> list[Series]:
    """Every indicator of the registry over the period, bucketed by day or week (one query)."""
    spans = buckets(day_from, day_to, interval)
    index = {}
    for position, (start, end) in enumerate(spans):
        for offset in range((end - start).days + 1):
            index[start + dt.timedelta(days=offset)] = position
    sums: dict[str, list[list[float]]] = {}
    samples: dict[str, list[list[float]]] = {}
    rows = IndicatorValue.objects.filter(
        territory_id=territory.id, day__gte=day_from, day__lte=day_to
    ).values_list("indicator", "day", "numerator", "denominator", "samples")
    for key, day, num, den, values in rows:
        cells = sums.setdefault(key, [[0.0, 0.0] for _ in spans])
        cell = cells[index[day]]
        cell[0] += num
        cell[1] += den
        if values:
            samples.setdefault(key, [[] for _ in spans])[index[day]].extend(values)
    total_days = (day_to - day_from).days + 1
    result = []
    for indicator in INDICATORS:
        cells = sums.get(indicator.source) or [[0.0, 0.0] for _ in spans]
        lists = samples.get(indicator.source) or [[] for _ in spans]
        item = Series(indicator=indicator)
        for (start, end), (num, den), values in zip(spans, cells, lists, strict=True):
            days = (end - start).days + 1
            item.points.append(Point(start, end, indicator.value(num, den, days, values), num, den))
        item.numerator = sum(c[0] for c in cells)
        item.denominator = sum(c[1] for c in cells)
        item.total = indicator.value(
            item.numerator, item.denominator, total_days, [v for part in lists for v in part]
        )
        result.append(item)
    return result


# ---------------------------------------------------------------- drill-down


@dataclass
class ChildRow:
    territory: Territory
    values: dict[str, Any]


HEADLINE = tuple(i for i in INDICATORS if i.headline)


def children(territory: Territory, day_from: dt.date, day_to: dt.date) -> list[ChildRow]:
    """Each child territory with its headline values over the period (three queries)."""
    kids = list(Territory.objects.filter(parent=territory).order_by("id"))
    if not kids:
        return []
    ids = [kid.id for kid in kids]
    days = (day_to - day_from).days + 1
    window = IndicatorValue.objects.filter(territory_id__in=ids, day__gte=day_from, day__lte=day_to)
    sums: dict[tuple[int, str], tuple[float, float]] = {}
    for row in (
        window.values("territory_id", "indicator")
        .annotate(num=Sum("numerator"), den=Sum("denominator"))
        .order_by()
    ):
        sums[(row["territory_id"], row["indicator"])] = (row["num"] or 0, row["den"] or 0)
    merged: dict[tuple[int, str], list[float]] = {}
    wanted = PERCENTILE_KEYS & {i.source for i in HEADLINE}
    if wanted:
        for territory_id, key, values in window.filter(
            indicator__in=wanted, samples__isnull=False
        ).values_list("territory_id", "indicator", "samples"):
            merged.setdefault((territory_id, key), []).extend(values or [])
    out = []
    for kid in kids:
        values = {}
        for indicator in HEADLINE:
            num, den = sums.get((kid.id, indicator.source), (0.0, 0.0))
            values[indicator.key] = indicator.value(
                num, den, days, merged.get((kid.id, indicator.source), [])
            )
        out.append(ChildRow(territory=kid, values=values))
    return out


def last_refresh() -> RefreshRun | None:
    return RefreshRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


def breadcrumbs(user: Any, territory: Territory) -> list[Territory]:
    """The ancestors of ``territory`` the user may see, top first, then the territory."""

    keys = [
        k
        for k in codes.ancestors(territory.id)
        if policy.covers_territory(user, Perm.INDICATOR_VIEW, k)
    ]
    nodes = list(Territory.objects.filter(id__in=keys).order_by("level")) if keys else []
    return [*nodes, territory]


# ---------------------------------------------------------------- co-production matrix

PHASES = [p.value for p in Phase]
ACTOR_GROUPS = [g.value for g in ActorGroup]


def _contributions(territory: Territory, day_from: dt.date, day_to: dt.date) -> QuerySet[Any]:
    low, high = territory.bounds
    return Contribution.objects.filter(
        territory_id__gte=low,
        territory_id__lte=high,
        at__gte=day_start(day_from),
        at__lt=day_start(day_to + dt.timedelta(days=1)),
    )


def matrix(territory: Territory, day_from: dt.date, day_to: dt.date) -> list[dict[str, Any]]:
    """16 cells (phase × actor group, zeros included): acts and distinct people (person_key).

    Kota … kelurahan: from the co-production days kept by the refresh job (acts summed, the
    day's people merged as sets, so the count stays exact). RW and RT: counted live from the
    ledger (a small range of its (territory, at) index), so these are always current."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    if territory.level <= MATRIX_MAX_LEVEL:
        people: dict[tuple[str, str], set[str]] = {}
        for phase, group, acts, keys in CoproductionDay.objects.filter(
            territory_id=territory.id, day__gte=day_from, day__lte=day_to
        ).values_list("phase", "actor_group", "acts", "people"):
            cell = found.setdefault((phase, group), {"acts": 0})
            cell["acts"] += acts
            if keys:
                people.setdefault((phase, group), set()).update(keys.split("\n"))
        for key, cell in found.items():
            cell["people"] = len(people.get(key, ()))
    else:
        found = {
            (row["phase"], row["actor_group"]): row
            for row in _contributions(territory, day_from, day_to)
            .values("phase", "actor_group")
            .annotate(acts=Count("id"), people=Count("person_key", distinct=True))
            .order_by()
        }
    cells = []
    for phase in PHASES:
        for group in ACTOR_GROUPS:
            row = found.get((phase, group), {})
            cells.append(
                {
                    "phase": phase,
                    "actor_group": group,
                    "acts": row.get("acts", 0),
                    "people": row.get("people", 0),
                }
            )
    return cells


def acts(
    territory: Territory,
    day_from: dt.date,
    day_to: dt.date,
    *,
    phase: str | None = None,
    actor_group: str | None = None,
) -> QuerySet[Contribution]:
    """The acts of one cell (or row/column), newest first; callers paginate. No person data."""
    queryset = _contributions(territory, day_from, day_to)
    if phase:
        queryset = queryset.filter(phase=phase)
    if actor_group:
        queryset = queryset.filter(actor_group=actor_group)
    return queryset.select_related("territory").order_by("-at", "-id")
