"""Benchmark: importing a residents CSV versus a raw bulk load of the same rows.

    python -m bench.import_residents [--rows 200000] [--small 50000] [--backend all|sqlite|postgresql]

Runs on SQLite, and on PostgreSQL too when DATABASE_URL points at a server (a temporary
database is created there and dropped afterwards). Each measurement runs in its own fresh
subprocess with its own data directory, so peak memory (ru_maxrss) belongs to that step alone.
The import is measured at two file sizes: its peak memory should stay about flat as the file
grows (only NIK/KK maps grow). A third step bulk-loads the rows the import writes (residents,
households, audit entries, built beforehand) into the real tables: the ceiling any importer can
reach on this schema, reported next to the raw load. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from bench._harness import backends

KELURAHAN = "33.74.02.1006"
RW_COUNT = 10
RT_PER_RW = 10
HEADER = [
    "NIK",
    "No KK",
    "Nama Lengkap",
    "Jenis Kelamin",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Alamat",
    "RT",
    "RW",
    "No HP",
    "Status Hubungan Dalam Keluarga",
]
RELATIONS = ["Kepala Keluarga", "Istri", "Anak", "Anak"]


def write_csv(path: Path, rows: int) -> None:
    """Synthetic residents, four to a household, spread over 10 RW x 10 RT (deterministic)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            k = i // 9999
            day, month, year = 1 + k % 28, 1 + (k // 28) % 12, 1950 + (k // 336) % 60
            female = i % 4 in (1, 3)
            nik = f"337402{day + (40 if female else 0):02d}{month:02d}{year % 100:02d}{i % 9999 + 1:04d}"
            h = i // 4
            kk = f"3374021508{(h // 9999) % 100:02d}{h % 9999 + 1:04d}"
            rw, rt = 1 + (h // RT_PER_RW) % RW_COUNT, 1 + h % RT_PER_RW
            writer.writerow(
                [
                    nik,
                    kk,
                    f"Warga Nomor {i}",
                    "P" if female else "L",
                    "Semarang",
                    f"{day:02d}-{month:02d}-{year}",
                    f"Jl. Bench {h}",
                    f"{rt:03d}",
                    f"{rw:03d}",
                    f"0812{i % 100000000:08d}" if i % 2 == 0 else "",
                    RELATIONS[i % 4],
                ]
            )


# --- child processes -------------------------------------------------------------------------


def _setup(data_dir: str, database_url: str | None) -> None:
    os.environ["SIAGA_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "siaga.settings"
    os.environ["DEBUG"] = "0"  # as in production: no per-query SQL logging
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child_raw(csv_path: str) -> dict[str, Any]:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw")
        columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
        cursor.execute(f"CREATE TABLE bench_raw ({columns})")
    started = time.perf_counter()
    with open(csv_path, encoding="utf-8", newline="") as handle, transaction.atomic():
        reader = csv.reader(handle)
        next(reader)
        if connection.vendor == "postgresql":
            raw = connection.connection
            assert raw is not None
            with raw.cursor() as cursor, cursor.copy("COPY bench_raw FROM STDIN") as copy:
                for row in reader:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in HEADER)
            raw = connection.connection
            assert raw is not None
            raw.executemany(f"INSERT INTO bench_raw VALUES ({marks})", reader)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_raw")
        count = cursor.fetchone()[0]
    return {"rows": count, "seconds": seconds, "maxrss_mb": _maxrss_mb()}


def _load_territories() -> None:
    from siaga.territory.services import load_codes

    codes = [
        ("33", "Jawa Tengah"),
        ("33.74", "Kota Semarang"),
        ("33.74.02", "Semarang Utara"),
        (KELURAHAN, "Panggung Lor"),
    ]
    for rw in range(1, RW_COUNT + 1):
        codes.append((f"{KELURAHAN}.{rw:03d}", f"RW {rw:03d}"))
        for rt in range(1, RT_PER_RW + 1):
            codes.append((f"{KELURAHAN}.{rw:03d}.{rt:03d}", f"RT {rt:03d}"))
    load_codes(codes)


def child_floor(csv_path: str) -> dict[str, Any]:
    """The rows an import of this file writes (residents, households, one audit entry each),
    built beforehand and bulk-loaded into the real tables with their indexes and constraints:
    the most any importer could reach on this schema, before reading or checking a cell."""
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from siaga.core import bulk
    from siaga.registry.importing.writing import SQLITE_WRITE_CACHE_KIB
    from siaga.territory.models import Level, Territory

    _load_territories()
    rt_ids = {
        code: pk for code, pk in Territory.objects.filter(level=Level.RT).values_list("code", "id")
    }
    now = timezone.now()
    sqlite = connection.vendor == "sqlite"
    stamp: Any = now.isoformat() if sqlite else now
    households: dict[str, tuple[Any, ...]] = {}
    residents, entries = [], []
    with open(csv_path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for number, row in enumerate(reader, start=1):
            rt = rt_ids[f"{KELURAHAN}.{row[8]}.{row[7]}"]
            if row[1] not in households:
                hid = len(households) + 1
                households[row[1]] = (hid, row[1], rt, row[6], stamp, stamp)
                changes = {"kk": [None, row[1]], "rt": [None, rt], "address": [None, row[6]]}
                entries.append(
                    (
                        stamp,
                        None,
                        "bench",
                        "create",
                        "registry.household",
                        str(hid),
                        f"KK {row[1]} (import bench)",
                        rt,
                        "cli",
                        json.dumps(changes),
                    )
                )
            day, month, year = map(int, row[5].split("-"))
            born: Any = dt.date(year, month, day)
            values = {
                "nik": row[0],
                "name": row[2],
                "sex": row[3],
                "birth_date": str(born),
                "birth_place": row[4],
                "phone": row[9],
                "household": households[row[1]][0],
                "relation": "anak",
                "rt": rt,
                "status": "tetap",
            }
            changes = {k: [None, v] for k, v in values.items()}
            changes.update(comorbidities=[None, []], hamil=[None, False], disabilitas=[None, False])
            residents.append(
                (
                    number,
                    row[0],
                    row[2],
                    row[3],
                    str(born) if sqlite else born,
                    row[4],
                    row[9],
                    households[row[1]][0],
                    "anak",
                    rt,
                    "tetap",
                    "[]",
                    False,
                    False,
                    stamp,
                    stamp,
                )
            )
            entries.append(
                (
                    stamp,
                    None,
                    "bench",
                    "create",
                    "registry.resident",
                    str(number),
                    f"{row[2]} (import bench)",
                    rt,
                    "cli",
                    json.dumps(changes),
                )
            )
    if sqlite:  # the page cache the importer's write phase uses
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_WRITE_CACHE_KIB}")
    started = time.perf_counter()
    with transaction.atomic():
        bulk.insert_rows(
            "registry_household",
            ("id", "kk", "rt_id", "address", "created_at", "updated_at"),
            list(households.values()),
        )
        bulk.insert_rows(
            "registry_resident",
            (
                "id",
                "nik",
                "name",
                "sex",
                "birth_date",
                "birth_place",
                "phone",
                "household_id",
                "relation",
                "rt_id",
                "status",
                "comorbidities",
                "hamil",
                "disabilitas",
                "created_at",
                "updated_at",
            ),
            residents,
        )
        bulk.insert_rows(
            "core_auditentry",
            (
                "at",
                "actor_id",
                "actor_name",
                "action",
                "object_type",
                "object_id",
                "summary",
                "territory_id",
                "interface",
                "changes",
            ),
            entries,
        )
    seconds = time.perf_counter() - started
    return {"rows": len(residents), "seconds": seconds, "maxrss_mb": _maxrss_mb()}


def child_import(csv_path: str) -> dict[str, Any]:
    from siaga.accounts.models import User
    from siaga.registry.importing import ResidentImport, open_source
    from siaga.registry.models import Household, Resident

    _load_territories()
    actor = User.objects.create_superuser("bench", password="bench-pass-123")
    baseline = _maxrss_mb()
    started = time.perf_counter()
    job = ResidentImport(
        actor=actor, source=open_source(csv_path, max_bytes=1 << 40), territory=KELURAHAN
    )
    result = job.run()
    seconds = time.perf_counter() - started
    again_started = time.perf_counter()
    again = ResidentImport(
        actor=actor, source=open_source(csv_path, max_bytes=1 << 40), territory=KELURAHAN
    ).run()
    again_seconds = time.perf_counter() - again_started
    return {
        "rows": result.rows,
        "created": result.created,
        "rejected": result.rejected,
        "residents": Resident.objects.count(),
        "households": Household.objects.count(),
        "seconds": seconds,
        "again_unchanged": again.unchanged,
        "again_seconds": again_seconds,
        "baseline_mb": baseline,
        "maxrss_mb": _maxrss_mb(),
    }


def child_main(argv: list[str]) -> None:
    step, csv_path, data_dir, database_url = argv
    _setup(data_dir, database_url or None)
    steps = {"raw": child_raw, "floor": child_floor, "import": child_import}
    result = steps[step](csv_path)
    print(json.dumps(result))


# --- orchestration ---------------------------------------------------------------------------


def _run_child(step: str, csv_path: Path, database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="siaga-bench-data-") as data_dir:
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.import_residents",
                "--child",
                step,
                str(csv_path),
                data_dir,
                database_url or "",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if completed.returncode != 0:
        raise SystemExit(f"{step} failed:\n{completed.stderr[-3000:]}")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def _pg_database(base_url: str, name: str, create: bool) -> str:
    import psycopg

    parsed = urlparse(base_url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def _fresh_database(base_url: str | None, label: str) -> str | None:
    if not base_url:
        return None  # SQLite: each child has its own data directory, so its own file
    return _pg_database(base_url, f"siaga_bench_{label}_{os.getpid()}", create=True)


def _drop(base_url: str | None, url: str | None) -> None:
    if base_url and url:
        _pg_database(base_url, urlparse(url).path.lstrip("/"), create=False)


def bench_database(label: str, base_url: str | None, big: Path, small: Path) -> None:
    print(f"\n== {label} ==")
    raw_url = _fresh_database(base_url, "raw")
    try:
        raw = _run_child("raw", big, raw_url)
    finally:
        _drop(base_url, raw_url)
    floor_url = _fresh_database(base_url, "floor")
    try:
        floor = _run_child("floor", big, floor_url)
    finally:
        _drop(base_url, floor_url)
    results = {}
    for name, path in (("small", small), ("big", big)):
        url = _fresh_database(base_url, name)
        try:
            results[name] = _run_child("import", path, url)
        finally:
            _drop(base_url, url)
    imp, small_imp = results["big"], results["small"]
    raw_rate = raw["rows"] / raw["seconds"]
    imp_rate = imp["rows"] / imp["seconds"]
    print(
        f"raw bulk load ({'COPY' if base_url else 'executemany'}): {raw['rows']:,} rows in "
        f"{raw['seconds']:.2f} s = {raw_rate:,.0f} rows/s"
    )
    print(
        f"import: {imp['rows']:,} rows ({imp['created']:,} created, {imp['rejected']} rejected, "
        f"{imp['households']:,} households) in {imp['seconds']:.2f} s = {imp_rate:,.0f} rows/s"
    )
    floor_rate = floor["rows"] / floor["seconds"]
    print(
        f"the import's own writes alone (residents, households, audit entries, prebuilt, bulk "
        f"loaded into the real tables): {floor['seconds']:.2f} s = {floor_rate:,.0f} rows/s "
        f"= {floor_rate / raw_rate:.2f} of the raw load rate"
    )
    print(f"ratio import / raw load: {imp_rate / raw_rate:.2f}")
    print(f"ratio import / its writes alone: {imp_rate / floor_rate:.2f}")
    print(
        f"same file again: {imp['again_unchanged']:,} unchanged in {imp['again_seconds']:.2f} s "
        f"= {imp['rows'] / imp['again_seconds']:,.0f} rows/s"
    )
    for res in (small_imp, imp):
        print(
            f"peak memory, {res['rows']:,}-row import: {res['maxrss_mb']:.0f} MB "
            f"(process before import {res['baseline_mb']:.0f} MB, "
            f"import adds {res['maxrss_mb'] - res['baseline_mb']:.0f} MB)"
        )
    grow = (imp["maxrss_mb"] - imp["baseline_mb"]) - (
        small_imp["maxrss_mb"] - small_imp["baseline_mb"]
    )
    extra_rows = imp["rows"] - small_imp["rows"]
    if extra_rows > 0:
        print(
            f"memory growth per extra row: {grow * 1024 * 1024 / extra_rows:.0f} bytes "
            f"(projected for 1.7 million rows: "
            f"{imp['maxrss_mb'] + grow * (1_700_000 - imp['rows']) / extra_rows:.0f} MB)"
        )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        child_main(argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=50_000)
    parser.add_argument("--backend", default="all", choices=["all", "sqlite", "postgresql"])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="siaga-bench-") as tmp:
        big, small = Path(tmp) / "big.csv", Path(tmp) / "small.csv"
        write_csv(big, args.rows)
        write_csv(small, args.small)
        print(
            f"residents CSV: {args.rows:,} rows, {big.stat().st_size / 1048576:.1f} MB "
            f"(and {args.small:,} rows for the memory comparison)"
        )
        chosen = backends(args.backend)
        if "sqlite" in chosen:
            bench_database("SQLite", None, big, small)
        if "postgresql" in chosen:
            bench_database("PostgreSQL", os.environ["DATABASE_URL"].strip(), big, small)


if __name__ == "__main__":
    main()
