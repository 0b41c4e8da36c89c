"""Fresh temporary databases and child processes for the benchmarks; never the user's data."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse, urlunparse

RESULT_PREFIX = "BENCH-RESULT "


def backends(requested: str) -> list[str]:
    """sqlite always; postgresql when DATABASE_URL names a PostgreSQL server."""
    url = os.environ.get("DATABASE_URL", "")
    has_pg = urlparse(url).scheme in ("postgres", "postgresql", "pgsql")
    wanted = ["sqlite", "postgresql"] if requested == "all" else [requested]
    chosen = [b for b in wanted if b == "sqlite" or has_pg]
    if "postgresql" in wanted and not has_pg:
        print("(PostgreSQL skipped: set DATABASE_URL=postgres://… to include it)")
    return chosen


@contextlib.contextmanager
def fresh_database(backend: str) -> Iterator[dict[str, str]]:
    """Environment for a child process pointing at a new, empty, temporary database."""
    with tempfile.TemporaryDirectory(prefix="siaga-bench-") as data_dir:
        env = {
            **os.environ,
            "SIAGA_DATA_DIR": data_dir,
            "SIAGA_ENV": "development",
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "siaga.settings",
        }
        if backend == "sqlite":
            env.pop("DATABASE_URL", None)
            yield env
            return
        import psycopg

        server = urlparse(os.environ["DATABASE_URL"])
        name = f"siaga_bench_{uuid.uuid4().hex[:10]}"
        admin_url = urlunparse(server._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunparse(server._replace(path=f"/{name}"))
        try:
            yield env
        finally:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_child(module: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``python -m module --child args`` and return the JSON result it printed."""
    completed = subprocess.run(
        [sys.executable, "-m", module, "--child", *args],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    raise SystemExit(f"{module} {' '.join(args)} failed (exit {completed.returncode})")


def child_setup() -> None:
    """In a child: start Django and build the schema on the fresh database."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def report(result: dict[str, Any]) -> None:
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process (user + system): less sensitive than wall time to a busy box."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def clock() -> float:
    return time.perf_counter()


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [headers, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
