"""Synthetic population throughput and peak memory, on fresh databases.

    python -m bench.synth [--sizes 100000,400000] [--full] [--backend sqlite|postgresql|all]

Each size runs in its own child process on a new database holding Kota Semarang's codes, and
generates that many residents over all of Kota Semarang (33.74). ``--full`` adds the whole city
(1,700,000 residents); otherwise the figure for 1.7 million is projected from the largest run.
"""

from __future__ import annotations

import argparse
import tracemalloc

from bench import _harness as h

MODULE = "bench.synth"
CITY = 1_700_000


def child(residents: int, traced: bool) -> None:
    h.child_setup()
    from siaga.registry.synth import synthesize
    from siaga.territory.models import Territory
    from siaga.territory.services import load_codes

    load_codes(prefix="33.74")
    city = Territory.objects.get(code="33.74")
    baseline_mb = h.peak_rss_mb()
    if traced:  # slows Python down: off unless asked for
        tracemalloc.start()
    started, cpu_started = h.clock(), h.cpu_seconds()
    stats = synthesize(under=city, residents=residents, seed=2021)
    seconds, cpu = h.clock() - started, h.cpu_seconds() - cpu_started
    python_peak = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    h.report(
        {
            "residents": stats.residents,
            "households": stats.households,
            "rt_created": stats.rt_created,
            "seconds": seconds,
            "cpu_seconds": cpu,
            "baseline_rss_mb": baseline_mb,
            "peak_rss_mb": h.peak_rss_mb(),
            "python_peak_mb": python_peak / 2**20,
        }
    )


def run(sizes: list[int], backend: str = "all", traced: bool = False) -> list[dict[str, object]]:
    print("\n== Synthetic population over Kota Semarang (33.74), fresh database per size ==")
    results = []
    for name in h.backends(backend):
        rows = []
        for size in sizes:
            with h.fresh_database(name) as env:
                result = h.run_child(MODULE, [str(size)] + (["--traced"] if traced else []), env)
            result["backend"] = name
            results.append(result)
            seconds = result["seconds"]
            rows.append(
                [
                    name,
                    f"{result['residents']:,}",
                    f"{result['households']:,}",
                    f"{result['rt_created']:,}",
                    f"{seconds:.1f}",
                    f"{result['cpu_seconds']:.1f}",
                    f"{result['residents'] / seconds:,.0f}",
                    f"{(result['residents'] + result['households']) / seconds:,.0f}",
                    f"{result['baseline_rss_mb']:.0f}",
                    f"{result['peak_rss_mb']:.0f}",
                    f"{result['python_peak_mb']:.0f}" if traced else "-",
                ]
            )
        print(
            h.table(
                [
                    "backend",
                    "residents",
                    "households",
                    "RT",
                    "seconds",
                    "client CPU s",
                    "residents/s",
                    "rows/s",
                    "RSS before MB",
                    "RSS peak MB",
                    "py peak MB",
                ],
                rows,
            )
        )
        mine = [r for r in results if r["backend"] == name]
        if len(mine) >= 2:
            small, large = mine[0], mine[-1]
            rate_ratio = (large["residents"] / large["seconds"]) / (
                small["residents"] / small["seconds"]
            )
            growth = large["peak_rss_mb"] - small["peak_rss_mb"]
            print(
                f"{name}: rate at {large['residents']:,} / rate at {small['residents']:,} = "
                f"{rate_ratio:.2f}; peak RSS grew {growth:+.0f} MB for "
                f"{large['residents'] / small['residents']:.1f}x the residents"
            )
        largest = mine[-1]
        if largest["residents"] < CITY:
            rate = largest["residents"] / largest["seconds"]
            print(
                f"{name}: projected for {CITY:,} residents at that rate: "
                f"{CITY / rate:.0f} s ({CITY / rate / 60:.1f} min)"
            )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help="also measure Python allocations")
    parser.add_argument("--sizes", default="100000,400000")
    parser.add_argument("--full", action="store_true", help=f"also run {CITY:,} residents")
    parser.add_argument("--backend", default="all", choices=["all", "sqlite", "postgresql"])
    parser.add_argument("residents", nargs="?", type=int)
    args = parser.parse_args(argv)
    if args.child:
        child(args.residents, args.traced)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.full and CITY not in sizes:
        sizes.append(CITY)
    run(sizes, args.backend, args.traced)


if __name__ == "__main__":
    main()
