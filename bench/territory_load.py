"""Loading the national code list (91,599 codes) into a fresh database, then again (idempotent).

python -m bench.territory_load [--backend sqlite|postgresql|all]
"""

from __future__ import annotations

import argparse

from bench import _harness as h

MODULE = "bench.territory_load"


def child() -> None:
    h.child_setup()
    from siaga.territory.models import Territory
    from siaga.territory.services import load_codes

    started = h.clock()
    first = load_codes()
    first_seconds = h.clock() - started
    started = h.clock()
    second = load_codes()
    second_seconds = h.clock() - started
    h.report(
        {
            "rows": Territory.objects.count(),
            "created": first.created,
            "first_seconds": first_seconds,
            "second_seconds": second_seconds,
            "second_created": second.created,
            "second_updated": second.updated,
            "peak_rss_mb": h.peak_rss_mb(),
        }
    )


def run(backend: str = "all") -> list[dict[str, object]]:
    print("\n== Territory load: the national code list into a fresh database ==")
    results = []
    rows = []
    for name in h.backends(backend):
        with h.fresh_database(name) as env:
            result = h.run_child(MODULE, [], env)
        result["backend"] = name
        results.append(result)
        first, second = result["first_seconds"], result["second_seconds"]
        rows.append(
            [
                name,
                f"{result['rows']:,}",
                f"{first:.2f}",
                f"{result['rows'] / first:,.0f}",
                f"{second:.2f}",
                f"{result['rows'] / second:,.0f}",
                f"{second / first:.2f}",
                f"{result['second_created']}/{result['second_updated']}",
                f"{result['peak_rss_mb']:.0f}",
            ]
        )
    print(
        h.table(
            [
                "backend",
                "codes",
                "1st s",
                "1st rows/s",
                "2nd s",
                "2nd rows/s",
                "2nd/1st",
                "2nd new/changed",
                "peak MB",
            ],
            rows,
        )
    )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="all", choices=["all", "sqlite", "postgresql"])
    args = parser.parse_args(argv)
    if args.child:
        child()
    else:
        run(args.backend)


if __name__ == "__main__":
    main()
