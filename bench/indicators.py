"""Program indicators and the co-production matrix over a year of a whole kota.

    python -m bench.indicators [--backend sqlite|postgresql|all] [--contributions N]

Kota Semarang (33.74) is loaded from the national code list with its kecamatan and kelurahan;
RW and RT nodes are generated (6 RW per kelurahan, ~5,600 RT). A year of aggregates is written
straight into ``IndicatorValue`` in bulk (every indicator every day for kota, kecamatan and
kelurahan; sparse rows for RW and RT, as real data is), plus N contribution rows for the matrix.
The co-production days are built from the ledger for the whole year (timed). Then, timed
(median of 3): the kota dashboard (all indicators, weekly series over the year), the drill-down
to the kecamatan, the co-production matrix over the year for the kota and for one kelurahan;
and the refresh job for one day of source data (cases, monitoring, referrals, tasks, feedback,
residents, and that day's contributions) for the whole kota.
Prints figures only; it never asserts a timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
from typing import Any

from bench import _harness as h

MODULE = "bench.indicators"
TARGET_RTS = 5600
RW_PER_KELURAHAN = 6
DAYS = 365


def _timed(fn: Any, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        started = h.clock()
        fn()
        runs.append(h.clock() - started)
    return statistics.median(runs)


def _tree() -> tuple[Any, list[int], list[int]]:
    from siaga.core import codes
    from siaga.territory.models import Level, Territory
    from siaga.territory.services import load_codes

    load_codes(prefix="33.74")
    kota = Territory.objects.get(code="33.74")
    kelurahan = list(Territory.objects.filter(code__startswith="33.74.", level=Level.KELURAHAN))
    per_rw = -(-TARGET_RTS // (len(kelurahan) * RW_PER_KELURAHAN))
    nodes, rws, rts = [], [], []
    for kel in kelurahan:
        for r in range(1, RW_PER_KELURAHAN + 1):
            rw_code = f"{kel.code}.{r:03d}"
            rw_key = kel.id + r * codes.span_for_level(Level.RW)
            nodes.append(
                Territory(
                    id=rw_key, code=rw_code, name=f"RW {r:03d}", level=Level.RW, parent_id=kel.id
                )
            )
            rws.append(rw_key)
            for t in range(1, per_rw + 1):
                nodes.append(
                    Territory(
                        id=rw_key + t, code=f"{rw_code}.{t:03d}", name=f"RT {t:03d}", level=Level.RT,
                        parent_id=rw_key,
                    )
                )  # fmt: skip
                rts.append(rw_key + t)
    Territory.objects.bulk_create(nodes, batch_size=5000)
    return kota, rws, rts


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection, transaction

    if connection.vendor == "postgresql":  # COPY: the fast bulk path of PostgreSQL
        with transaction.atomic(), connection.cursor() as cursor:
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    json_mark = "%s"
    marks = ", ".join(json_mark if c == "samples" else "%s" for c in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), 20000):
            cursor.executemany(sql, rows[start : start + 20000])


def _aggregates(kota: Any, rws: list[int], rts: list[int], first: dt.date) -> int:
    from django.db import connection

    from siaga.indicators.registry import PERCENTILE_KEYS, STORED_KEYS
    from siaga.territory.models import Level, Territory

    rng = random.Random(7)
    upper = list(
        Territory.objects.filter(
            id__gte=kota.id, id__lte=kota.bounds[1], level__lte=Level.KELURAHAN
        ).values_list("id", flat=True)
    )
    sparse_keys = ["active_cases", "isolating_households", "monitoring_on_time", "satisfaction",
                   "vaccination_60plus", "tasks_on_time"]  # fmt: skip
    total = 0
    for offset in range(DAYS):
        day = connection.ops.adapt_datefield_value(first + dt.timedelta(days=offset))
        rows: list[tuple[Any, ...]] = []
        for node in upper:
            for key in STORED_KEYS:
                samples = None
                if key in PERCENTILE_KEYS:
                    samples = str(sorted(rng.randint(5, 240) for _ in range(rng.randint(1, 8))))
                rows.append(
                    (node, day, key, float(rng.randint(0, 50)), float(rng.randint(50, 60)), samples)
                )
        for node in rng.sample(rws, len(rws) // 5):
            for key in sparse_keys:
                rows.append(
                    (node, day, key, float(rng.randint(0, 5)), float(rng.randint(5, 8)), None)
                )
        for node in rng.sample(rts, len(rts) // 33):
            for key in sparse_keys:
                rows.append((node, day, key, float(rng.randint(0, 2)), 2.0, None))
        _insert(
            "indicators_indicatorvalue",
            ["territory_id", "day", "indicator", "numerator", "denominator", "samples"],
            rows,
        )
        total += len(rows)
    return total


def _contributions(rts: list[int], first: dt.date, n: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from siaga.core.models import ActorGroup, Phase

    rng = random.Random(11)
    phases = [p.value for p in Phase]
    groups = [g.value for g in ActorGroup]
    start = timezone.make_aware(dt.datetime.combine(first, dt.time(0, 0)))
    seconds = DAYS * 86400
    columns = ["at", "person_key", "actor_group", "phase", "kind", "territory_id",
               "object_type", "object_id", "actor_id"]  # fmt: skip
    batch: list[tuple[Any, ...]] = []
    for _ in range(n):
        batch.append(
            (
                connection.ops.adapt_datetimefield_value(
                    start + dt.timedelta(seconds=rng.randrange(seconds))
                ),
                f"resident:{rng.randrange(200000)}",
                rng.choice(groups),
                rng.choice(phases),
                "bench.act",
                rng.choice(rts),
                "",
                "",
                None,
            )
        )
        if len(batch) == 100000:
            _insert("core_contribution", columns, batch)
            batch = []
    if batch:
        _insert("core_contribution", columns, batch)


def _one_day_of_sources(rts: list[int], day: dt.date) -> dict[str, int]:
    """A busy day across the kota: cases, monitoring, referrals, tasks, feedback, residents."""
    from django.utils import timezone

    from siaga.assessment.models import Feedback
    from siaga.health.models import Case, Monitoring, Protocol, Referral
    from siaga.registry.models import Household, Resident
    from siaga.volunteers.models import Task

    rng = random.Random(3)
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    protocol = Protocol.objects.create(
        kind="isolation", name="Bench", effective_from=dt.date(2020, 1, 1), params={}
    )
    households = Household.objects.bulk_create(
        [Household(kk=f"{i:016d}", rt_id=rts[i % len(rts)]) for i in range(20000)], batch_size=5000
    )
    residents = Resident.objects.bulk_create(
        [
            Resident(
                name=f"R{i}", sex="L", rt_id=households[i % 20000].rt_id,
                household=households[i % 20000],
                birth_date=dt.date(1940 + rng.randrange(70), 1 + rng.randrange(12), 1),
            )
            for i in range(60000)
        ],
        batch_size=5000,
    )  # fmt: skip
    cases = Case.objects.bulk_create(
        [
            Case(
                rt_id=r.rt_id, household=r.household, resident=r, category="konfirmasi",
                specimen_on=day - dt.timedelta(days=rng.randrange(10)), isolation_place="isoman",
                protocol=protocol, isolation_ends_on=day + dt.timedelta(days=5),
                created_at=noon - dt.timedelta(hours=rng.randrange(200)),
            )
            for r in residents[:2000]
        ],
        batch_size=2000,
    )  # fmt: skip
    Monitoring.objects.bulk_create(
        [
            Monitoring(
                rt_id=c.rt_id, case=c, taken_at=noon, day=day, slot=slot, method="telepon",
                triage="normal", protocol=protocol,
            )
            for c in cases
            for slot in ("pagi", "sore")
        ],
        batch_size=5000,
    )  # fmt: skip
    Referral.objects.bulk_create(
        [
            Referral(
                rt_id=c.rt_id, resident_id=c.resident_id, case=c, level="rujuk", created_at=noon,
                acknowledge_by=noon + dt.timedelta(hours=1),
                acknowledged_at=noon + dt.timedelta(minutes=rng.randrange(5, 120)),
            )
            for c in cases[:200]
        ]
    )  # fmt: skip
    Task.objects.bulk_create(
        [
            Task(territory_id=rng.choice(rts), kind="manual", title="t", due_at=noon,
                 state="selesai", closed_at=noon - dt.timedelta(minutes=rng.randrange(-60, 60)))
            for _ in range(1000)
        ]
    )  # fmt: skip
    Feedback.objects.bulk_create(
        [
            Feedback(rt_id=rng.choice(rts), service="delivery", rating=rng.randint(1, 5),
                     anonymous=True, created_at=noon)
            for _ in range(1000)
        ]
    )  # fmt: skip
    return {"residents": 60000, "cases": 2000, "monitoring": 4000, "referrals": 200}


def child(contributions: int) -> None:
    h.child_setup()
    from django.db import connection

    from siaga.indicators import selectors, services
    from siaga.territory.models import Level, Territory

    kota, rws, rts = _tree()
    last = dt.date(2021, 12, 31)
    first = last - dt.timedelta(days=DAYS - 1)
    started = h.clock()
    rows = _aggregates(kota, rws, rts, first)
    _contributions(rts, first, contributions)
    fill_seconds = h.clock() - started
    started = h.clock()
    matrix_rows = services.refresh_matrix(first, last)
    matrix_refresh = h.clock() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    series = selectors.series(kota, first, last, "week")
    points = sum(len(s.points) for s in series)
    dashboard = _timed(lambda: selectors.series(kota, first, last, "week"))
    drill = _timed(lambda: selectors.children(kota, first, last))
    matrix = _timed(lambda: selectors.matrix(kota, first, last), repeat=3)
    cells = selectors.matrix(kota, first, last)
    kelurahan = (
        Territory.objects.filter(id__gte=kota.id, level=Level.KELURAHAN).order_by("id").first()
    )
    assert kelurahan is not None
    matrix_kel = _timed(lambda: selectors.matrix(kelurahan, first, last))
    day = last
    sources = _one_day_of_sources(rts, day)
    started = h.clock()
    run = services.refresh(day_from=day, day_to=day)
    refresh_seconds = h.clock() - started
    h.report(
        {
            "rts": len(rts),
            "aggregate_rows": rows,
            "contributions": contributions,
            "fill_seconds": fill_seconds,
            "series": len(series),
            "points": points,
            "dashboard_s": dashboard,
            "children": len(selectors.children(kota, first, last)),
            "drill_s": drill,
            "matrix_s": matrix,
            "matrix_acts": sum(c["acts"] for c in cells),
            "matrix_refresh_s": matrix_refresh,
            "matrix_rows": matrix_rows,
            "matrix_kelurahan_s": matrix_kel,
            "refresh_s": refresh_seconds,
            "refresh_rows": run.rows,
            "sources": sources,
            "peak_rss_mb": h.peak_rss_mb(),
        }
    )


def run(backend: str = "all", contributions: int = 1_500_000) -> list[dict[str, Any]]:
    print("\n== Indicators: a kota over a year (dashboard, drill-down, matrix, refresh) ==")
    results, rows = [], []
    for name in h.backends(backend):
        with h.fresh_database(name) as env:
            result = h.run_child(MODULE, [f"--contributions={contributions}"], env)
        result["backend"] = name
        results.append(result)
        rows.append(
            [
                name,
                f"{result['rts']:,}",
                f"{result['aggregate_rows']:,}",
                f"{result['contributions']:,}",
                f"{result['dashboard_s'] * 1000:.0f}",
                f"{result['drill_s'] * 1000:.0f}",
                f"{result['matrix_s'] * 1000:.0f}",
                f"{result['matrix_kelurahan_s'] * 1000:.0f}",
                f"{result['matrix_refresh_s']:.1f}",
                f"{result['refresh_s']:.2f}",
                f"{result['refresh_rows']:,}",
            ]
        )
    print(
        h.table(
            ["backend", "RTs", "agg rows", "contributions", "dashboard ms", "drill ms",
             "matrix ms", "matrix kel ms", "matrix year refresh s", "refresh 1 day s", "rows written"],
            rows,
        )
    )  # fmt: skip
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="all", choices=["all", "sqlite", "postgresql"])
    parser.add_argument("--contributions", type=int, default=1_500_000)
    args = parser.parse_args(argv)
    if args.child:
        child(args.contributions)
    else:
        run(args.backend, args.contributions)


if __name__ == "__main__":
    main()
