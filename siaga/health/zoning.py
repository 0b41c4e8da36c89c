"""PPKM Mikro zoning per RT: distinct houses with a confirmed case in D-6…D, banded by the zoning
protocol in force on D, for every RT (those without cases too), kept per day.

One grouped query per day counts houses per RT; the RT list comes from one range query; rows are
written with bulk inserts. Stored past days are history: they are filled in when missing and only
rewritten by an explicit ``recompute`` (audited, with the number of RTs whose zone changed).
Today's zones are provisional (cases are still being entered) and are computed without storing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from siaga.core import audit
from siaga.core.models import AuditAction
from siaga.core.policy import in_subtree
from siaga.health.models import Case, Category, ProtocolKind, ZoneDay
from siaga.health.protocols import ProtocolBook, ZoningParams
from siaga.territory.models import Level, Territory

BATCH = 5000


def band(houses: int, params: ZoningParams) -> str:
    zone = params.bands[0].zone
    for b in params.bands:
        if houses >= b.min_houses:
            zone = b.zone
    return zone


@dataclass
class ZoneRow:
    rt_id: int
    code: str
    houses: int
    zone: str
    protocol_id: int


@dataclass
class ComputeStats:
    days: int = 0
    rows_written: int = 0
    changed: int = 0
    per_day: list[float] = field(default_factory=list)


def _bounds(territory: Territory | None) -> tuple[int, int] | None:
    return territory.bounds if territory is not None else None


def rt_codes(territory: Territory | None) -> dict[int, str]:
    queryset = Territory.objects.filter(level=Level.RT)
    bounds = _bounds(territory)
    if bounds is not None:
        queryset = queryset.filter(in_subtree("id", bounds))
    return dict(queryset.order_by("id").values_list("id", "code"))


def houses_per_rt(day: dt.date, window_days: int, bounds: tuple[int, int] | None) -> dict[int, int]:
    """{rt_id: distinct households with a konfirmasi case confirmed in D-(window-1)…D}.

    A case whose resident has no household counts as its own house."""
    queryset = Case.objects.filter(
        category=Category.KONFIRMASI,
        confirmed_on__gte=day - dt.timedelta(days=window_days - 1),
        confirmed_on__lte=day,
    )
    if bounds is not None:
        queryset = queryset.filter(in_subtree("rt_id", bounds))
    rows = (
        queryset.values("rt_id")
        .annotate(
            h=Count("household_id", distinct=True),
            loose=Count("resident_id", distinct=True, filter=Q(household_id__isnull=True)),
        )
        .values_list("rt_id", "h", "loose")
    )
    return {rt_id: h + loose for rt_id, h, loose in rows}


def compute_day(
    day: dt.date,
    territory: Territory | None = None,
    *,
    book: ProtocolBook | None = None,
    rts: dict[int, str] | None = None,
) -> list[ZoneRow]:
    """The zone of every RT under ``territory`` on ``day`` (nothing stored)."""
    book = book or ProtocolBook(ProtocolKind.ZONING)
    protocol = book.on(day)
    params: ZoningParams = book.params(protocol)
    rts = rts if rts is not None else rt_codes(territory)
    counts = houses_per_rt(day, params.window_days, _bounds(territory))
    return [
        ZoneRow(rt_id, code, counts.get(rt_id, 0), band(counts.get(rt_id, 0), params), protocol.pk)
        for rt_id, code in rts.items()
    ]


def store_days(
    start: dt.date,
    end: dt.date,
    territory: Territory | None = None,
    *,
    recompute: bool = False,
    actor: Any = None,
    progress: Callable[[dt.date], None] | None = None,
) -> ComputeStats:
    """Compute and keep the zones of every RT for each day in start…end (inclusive).

    Missing rows are added; stored rows are left as they are unless ``recompute``, which replaces
    them and records in the audit trail how many RT-days changed zone.
    """
    import time

    stats = ComputeStats()
    book = ProtocolBook(ProtocolKind.ZONING)
    rts = rt_codes(territory)
    bounds = _bounds(territory)
    day = start
    while day <= end:
        began = time.perf_counter()
        existing = ZoneDay.objects.filter(day=day)
        if bounds is not None:
            existing = existing.filter(in_subtree("rt_id", bounds))
        if not recompute and existing.count() >= len(rts):
            stats.days += 1
            stats.per_day.append(time.perf_counter() - began)
            if progress is not None:
                progress(day)
            day += dt.timedelta(days=1)
            continue  # already kept: history is not recomputed silently
        rows = compute_day(day, territory, book=book, rts=rts)
        with transaction.atomic():
            if recompute:
                before = dict(existing.values_list("rt_id", "zone"))
                stats.changed += sum(
                    1 for r in rows if r.rt_id in before and before[r.rt_id] != r.zone
                )
                existing.delete()
                have: set[int] = set()
            else:
                have = set(existing.values_list("rt_id", flat=True)) if existing.exists() else set()
            now = timezone.now()
            new = [
                ZoneDay(
                    rt_id=r.rt_id,
                    day=day,
                    houses=r.houses,
                    zone=r.zone,
                    protocol_id=r.protocol_id,
                    computed_at=now,
                )
                for r in rows
                if r.rt_id not in have
            ]
            ZoneDay.objects.bulk_create(new, batch_size=BATCH)
        stats.rows_written += len(new)
        stats.days += 1
        stats.per_day.append(time.perf_counter() - began)
        if progress is not None:
            progress(day)
        day += dt.timedelta(days=1)
    if recompute:
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="health.zoneday",
            object_id=f"{start.isoformat()}..{end.isoformat()}",
            territory_id=territory.pk if territory is not None else None,
            summary=f"zones recomputed: {stats.changed} RT-days changed zone",
            changes={"changed": stats.changed, "rows": stats.rows_written},
        )
    return stats


def zones_on(day: dt.date, territory: Territory | None) -> list[ZoneRow]:
    """Zones of every RT under ``territory`` on ``day``: stored history for past days (filled in
    when missing), computed live (not stored) for today."""
    today = timezone.localdate()
    if day >= today:
        return compute_day(day, territory)
    rts = rt_codes(territory)
    stored = ZoneDay.objects.filter(day=day)
    bounds = _bounds(territory)
    if bounds is not None:
        stored = stored.filter(in_subtree("rt_id", bounds))
    if stored.count() < len(rts):
        store_days(day, day, territory)
    rows = {
        rt_id: (houses, zone, protocol_id)
        for rt_id, houses, zone, protocol_id in stored.values_list(
            "rt_id", "houses", "zone", "protocol_id"
        )
    }
    return [ZoneRow(rt_id, code, *rows[rt_id]) for rt_id, code in rts.items() if rt_id in rows]


def summary(rows: list[ZoneRow]) -> dict[str, int]:
    counts = {"hijau": 0, "kuning": 0, "oranye": 0, "merah": 0}
    for row in rows:
        counts[row.zone] = counts.get(row.zone, 0) + 1
    return counts
