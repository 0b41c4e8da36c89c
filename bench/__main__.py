"""Run every benchmark: `python -m bench [--full] [--backend sqlite|postgresql|all]`."""

from __future__ import annotations

import argparse

from bench import (
    import_residents,
    indicators,
    page_budgets,
    synth,
    territory_load,
    volunteer_report,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="synthesize 1.7 million residents too")
    parser.add_argument("--sizes", default="100000,400000")
    parser.add_argument("--backend", default="all", choices=["all", "sqlite", "postgresql"])
    parser.add_argument(
        "--page-requests", type=int, default=10, help="timed requests per page and demo role"
    )
    args = parser.parse_args()
    territory_load.run(args.backend)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.full and synth.CITY not in sizes:
        sizes.append(synth.CITY)
    synth.run(sizes, args.backend)
    import_residents.main(["--backend", args.backend])
    volunteer_report.run(args.backend)
    indicators.run(args.backend)
    page_budgets.run(args.backend, args.page_requests)


if __name__ == "__main__":
    main()
