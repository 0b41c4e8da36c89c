"""Benchmarks: `python -m bench` (all) or `python -m bench.synth`, `python -m bench.territory_load`.

Each benchmark runs in a child process on a fresh temporary database (a temporary SQLite file,
and a temporary PostgreSQL database when DATABASE_URL points to PostgreSQL), prints figures and
ratios measured in that one run, and never asserts timings.
"""
