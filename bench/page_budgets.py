"""Page budgets on the demo: the main pages as each demo role sees them, on the demo's data.

Builds the demo (``siaga demo --no-serve``: Kota Semarang's codes, a synthetic Semarang Utara,
the demo accounts and every phase's content) in a fresh database, or opens one already prepared
(``--demo-dir``, the SIAGA_DATA_DIR of a ``siaga demo`` run; SQLite). Then, in one process with
Django's test Client, requests each page as each demo account: one warm-up request, then N timed
ones (server time: middleware, view, queries and template, no network). Prints per page and
role the HTML size in KB, the server time p50/p95 in ms and the query count, flagging pages over
100 KB or with p95 over 300 ms. Pages a role may not open (403/404, or a redirect) are listed
with their status and not timed. Prints figures only; it never asserts a timing.

    python -m bench.page_budgets [--backend sqlite|postgresql|all] [--requests N]
        [--residents N] [--demo-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
from typing import Any

from bench import _harness as h

MODULE = "bench.page_budgets"
BUDGET_KB = 100
BUDGET_P95_MS = 300
RW006 = "33.74.02.1006.006"

# (page, path): the landing page and each module's first page, as the navigation links them.
PAGES = [
    ("home", "/"),
    ("territory", "/wilayah/"),
    ("households", "/registrasi/keluarga/"),
    ("residents", "/registrasi/warga/"),
    ("health worklist", "/kesehatan/"),
    ("cases", "/kesehatan/kasus/"),
    ("needs", "/usulan/"),
    ("rounds", "/usulan/putaran/"),
    ("plans", "/rencana/"),
    ("my tasks", "/relawan/"),
    ("task queue", "/relawan/tugas/"),
    ("roster", "/relawan/jadwal/"),
    ("volunteers", "/relawan/daftar/"),
    ("stock", "/logistik/"),
    ("aid", "/logistik/bantuan/"),
    ("assessment", "/penilaian/"),
    ("volunteer report", "/penilaian/laporan/"),
    ("indicators", "/indikator/"),
    ("co-production", "/indikator/koproduksi/"),
    ("audit", "/audit/"),
    ("transparency RW 006", f"/transparansi/{RW006}/"),
]


def _percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _pages(names: str) -> list[tuple[str, str]]:
    """The PAGES named in ``names`` (comma-separated; empty: all of them)."""
    wanted = {n.strip() for n in names.split(",") if n.strip()}
    unknown = wanted - {page for page, _path in PAGES}
    if unknown:
        raise SystemExit(f"unknown pages: {', '.join(sorted(unknown))}")
    return [(page, path) for page, path in PAGES if not wanted or page in wanted]


def child(requests: int, residents: int, prepared: bool, pages: str = "") -> None:
    import io
    import logging
    import warnings

    import django

    django.setup()
    # A role's 404s are figures here, not news; no collected static in a development database.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from siaga.accounts.models import User
    from siaga.demo import base as demo

    build_seconds = 0.0
    if not prepared:
        started = h.clock()
        sizing = ["--residents", str(residents)] if residents else []
        call_command("demo", "--no-serve", *sizing, verbosity=0, stdout=io.StringIO())
        build_seconds = h.clock() - started
    rows: list[dict[str, Any]] = []
    for account in demo.ACCOUNTS:  # (username, role, territory code)
        username = account[0]
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        for page, path in _pages(pages):
            first = client.get(path)  # warm-up: caches, lazy imports
            row: dict[str, Any] = {"page": page, "role": username, "status": first.status_code}
            if first.status_code != 200:
                rows.append(row)
                continue
            times = []
            for _n in range(requests):
                with CaptureQueriesContext(connection) as queries:
                    started = h.clock()
                    response = client.get(path)
                    times.append((h.clock() - started) * 1000)
            row.update(
                kb=len(response.content) / 1024,
                p50=statistics.median(times),
                p95=_percentile(times, 95),
                queries=len(queries.captured_queries),
            )
            rows.append(row)
    h.report({"rows": rows, "build_seconds": build_seconds, "requests": requests})


def run(
    backend: str = "all",
    requests: int = 10,
    residents: int = 0,
    demo_dir: str = "",
    pages: str = "",
) -> list[dict[str, Any]]:
    """``residents``: 0 for the demo's own size (Semarang Utara's 117,600); ``pages``: the
    names of the pages to time, comma-separated (empty: all)."""
    _pages(pages)  # an unknown name fails before the demo is built
    print(f"\n== Page budgets: the main pages per demo role, {requests} requests each ==")
    results = []
    if demo_dir:
        env = {
            **os.environ,
            "SIAGA_DATA_DIR": demo_dir,
            "SIAGA_ENV": "development",
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "siaga.settings",
        }
        env.pop("DATABASE_URL", None)
        result = h.run_child(
            MODULE, ["--requests", str(requests), "--prepared", "--pages", pages], env
        )
        result["backend"] = f"sqlite ({demo_dir})"
        results.append(result)
    else:
        for name in h.backends(backend):
            with h.fresh_database(name) as env:
                result = h.run_child(
                    MODULE,
                    ["--requests", str(requests), "--residents", str(residents), "--pages", pages],
                    env,
                )
            result["backend"] = name
            results.append(result)
    for result in results:
        _print(result)
    return results


def _print(result: dict[str, Any]) -> None:
    rows = result["rows"]
    timed = [r for r in rows if r["status"] == 200]
    built = (
        f"demo built in {result['build_seconds']:.0f} s"
        if result["build_seconds"]
        else "prepared demo"
    )
    print(f"{result['backend']}: {built}; {len(timed)} page × role pairs timed")
    table = []
    for r in timed:
        flags = []
        if r["kb"] > BUDGET_KB:
            flags.append(f"> {BUDGET_KB} KB")
        if r["p95"] > BUDGET_P95_MS:
            flags.append(f"p95 > {BUDGET_P95_MS} ms")
        table.append(
            [
                r["page"],
                r["role"],
                f"{r['kb']:.1f}",
                f"{r['p50']:.0f}",
                f"{r['p95']:.0f}",
                str(r["queries"]),
                ", ".join(flags) or "ok",
            ]
        )
    print(h.table(["page", "role", "KB", "p50 ms", "p95 ms", "queries", "budget"], table))
    refused: dict[str, list[str]] = {}
    for r in rows:
        if r["status"] != 200:
            refused.setdefault(f"{r['page']} ({r['status']})", []).append(r["role"])
    if refused:
        print(
            "Not opened (status): " + "; ".join(f"{k}: {', '.join(v)}" for k, v in refused.items())
        )
    over = [t for t in table if t[-1] != "ok"]
    if timed:
        sizes = sorted(r["kb"] for r in timed)
        p95s = sorted(r["p95"] for r in timed)
        print(
            f"Over budget: {len(over)} of {len(timed)}. HTML median {statistics.median(sizes):.1f} KB, "
            f"largest {sizes[-1]:.1f} KB ({sizes[-1] / BUDGET_KB:.2f}× the budget); p95 median "
            f"{statistics.median(p95s):.0f} ms, slowest {p95s[-1]:.0f} ms "
            f"({p95s[-1] / BUDGET_P95_MS:.2f}× the budget)."
        )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--prepared", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="all", choices=["all", "sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=10, help="timed requests per page and role")
    parser.add_argument(
        "--residents", type=int, default=0, help="synthetic residents (default: the demo's)"
    )
    parser.add_argument(
        "--demo-dir", default="", help="SIAGA_DATA_DIR of a prepared `siaga demo` (SQLite)"
    )
    parser.add_argument(
        "--pages", default="", help="pages to time, by name, comma-separated (default: all)"
    )
    args = parser.parse_args(argv)  # fmt: skip
    if args.child:
        child(args.requests, args.residents, args.prepared, args.pages)
    else:
        run(args.backend, args.requests, args.residents, args.demo_dir, args.pages)


if __name__ == "__main__":
    main()
