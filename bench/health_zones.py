"""Zone computation for every RT of a city-scale population from a year of records.

Builds a synthetic Kota Semarang (16 kecamatan, 177 kelurahan, ~1,530 RW, ~10,600 RT), a year of
confirmed cases, then computes and keeps the zone of every RT for every day.

    python -m bench.health_zones [--days 365] [--cases 60000]
    DATABASE_URL=postgres://… python -m bench.health_zones

Prints figures only; it never asserts a timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from bench._health_setup import fresh_django, rate, table, vendor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--cases", type=int, default=60000)
    parser.add_argument("--households-per-rt", type=int, default=8)
    args = parser.parse_args()
    cleanup = fresh_django()
    try:
        run(args.days, args.cases, args.households_per_rt)
    finally:
        cleanup()


def run(days: int, n_cases: int, per_rt: int) -> None:
    from django.db import transaction

    from siaga.core import codes
    from siaga.health import zoning
    from siaga.health.models import Case, Protocol, ZoneDay
    from siaga.registry.models import Household, Resident
    from siaga.territory.models import Level, Territory

    rng = random.Random(11)
    began = time.perf_counter()
    nodes = [
        Territory(
            id=codes.parse_code("33").key, code="33", name="Jawa Tengah", level=Level.PROVINSI
        )
    ]
    kota = Territory(
        id=codes.parse_code("33.74").key,
        code="33.74",
        name="Kota Semarang",
        level=Level.KABUPATEN,
        parent_id=nodes[0].id,
    )
    nodes.append(kota)
    rt_ids: list[int] = []
    kelurahan_left = 177
    for k in range(1, 17):
        kec_code = f"33.74.{k:02d}"
        kec = Territory(
            id=codes.parse_code(kec_code).key,
            code=kec_code,
            name=f"Kecamatan {k}",
            level=Level.KECAMATAN,
            parent_id=kota.id,
        )
        nodes.append(kec)
        n_kel = kelurahan_left // (17 - k)
        kelurahan_left -= n_kel
        for j in range(1, n_kel + 1):
            kel_code = f"{kec_code}.{1000 + j}"
            kel = Territory(
                id=codes.parse_code(kel_code).key,
                code=kel_code,
                name=f"Kelurahan {k}-{j}",
                level=Level.KELURAHAN,
                parent_id=kec.id,
            )
            nodes.append(kel)
            for r in range(1, rng.choice((8, 9, 9, 9)) + 1):
                rw_code = f"{kel_code}.{r:03d}"
                rw = Territory(
                    id=codes.parse_code(rw_code).key,
                    code=rw_code,
                    name=f"RW {r:03d}",
                    level=Level.RW,
                    parent_id=kel.id,
                )
                nodes.append(rw)
                for t in range(1, rng.choice((6, 7, 7, 8)) + 1):
                    rt_code = f"{rw_code}.{t:03d}"
                    key = codes.parse_code(rt_code).key
                    nodes.append(
                        Territory(
                            id=key,
                            code=rt_code,
                            name=f"RT {t:03d}",
                            level=Level.RT,
                            parent_id=rw.id,
                        )
                    )
                    rt_ids.append(key)
    with transaction.atomic():
        Territory.objects.bulk_create(nodes, batch_size=5000)
        Household.objects.bulk_create(
            [
                Household(kk=f"3374{i:012d}", rt_id=rt)
                for i, rt in enumerate(rt for rt in rt_ids for _ in range(per_rt))
            ],
            batch_size=5000,
        )
        households: list[tuple[int, int]] = list(Household.objects.values_list("id", "rt_id"))
        # a year of confirmed cases: two waves, clustered in a fifth of the RTs
        end = dt.date(2021, 12, 31)
        start = end - dt.timedelta(days=days - 1)
        hot = set(rng.sample(rt_ids, len(rt_ids) // 5))
        weighted = [h for h in households if h[1] in hot] * 6 + households
        protocol = Protocol.objects.get(name="KMK 4641/2021")
        residents = []
        picks = []
        for i in range(n_cases):
            hid, rt = rng.choice(weighted)
            offset = (
                int(abs(rng.gauss(0.62, 0.12)) * days) % days
                if rng.random() < 0.7
                else rng.randrange(days)
            )
            picks.append((hid, rt, start + dt.timedelta(days=offset)))
            residents.append(Resident(name=f"C{i}", sex="L", rt_id=rt, household_id=hid))
        Resident.objects.bulk_create(residents, batch_size=5000)
        Case.objects.bulk_create(
            [
                Case(
                    resident_id=res.pk,
                    rt_id=rt,
                    household_id=hid,
                    category="konfirmasi",
                    specimen_on=day,
                    confirmed_on=day,
                    isolation_place="isoman",
                    protocol=protocol,
                    isolation_ends_on=day + dt.timedelta(days=10),
                )
                for res, (hid, rt, day) in zip(residents, picks, strict=True)
            ],
            batch_size=5000,
        )
    setup = time.perf_counter() - began
    print(
        f"health zones bench — {vendor()}: {len(rt_ids):,} RT, {len(households):,} households, {n_cases:,} confirmed cases over {days} days (setup {setup:.1f}s)"
    )

    began = time.perf_counter()
    stats = zoning.store_days(start, end)
    total = time.perf_counter() - began
    per_day = stats.per_day
    zones = dict.fromkeys(("hijau", "kuning", "oranye", "merah"), 0)
    for zone, n in (
        ZoneDay.objects.filter(day=end - dt.timedelta(days=int(days * 0.38)))
        .values_list("zone")
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
    ):
        zones[zone] = n
    began = time.perf_counter()
    again = zoning.store_days(start, end)  # everything stored: nothing to write
    rerun = time.perf_counter() - began
    kec = Territory.objects.get(code="33.74.05")
    began = time.perf_counter()
    rows = zoning.zones_on(end - dt.timedelta(days=10), kec)
    read = time.perf_counter() - began
    table(
        [
            ("step", "seconds", "rate"),
            (
                f"compute + keep {stats.days} days × {len(rt_ids):,} RT",
                f"{total:.1f}",
                rate(stats.rows_written, total) + " rows",
            ),
            (
                "  per day: mean / p95 / max",
                f"{statistics.mean(per_day):.3f} / {sorted(per_day)[int(len(per_day) * 0.95) - 1]:.3f} / {max(per_day):.3f}",
                "",
            ),
            (
                "second run (all stored, nothing written)",
                f"{rerun:.1f}",
                f"{again.rows_written} rows",
            ),
            (f"read one kecamatan's day ({len(rows)} RT)", f"{read:.3f}", ""),
        ]
    )
    print(f"rows kept: {ZoneDay.objects.count():,}; zones near the peak: {zones}")


if __name__ == "__main__":
    main()
