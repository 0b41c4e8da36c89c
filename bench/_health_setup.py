"""Shared set-up of the health benches: a fresh database (never the developer's data)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from typing import Any


def fresh_django() -> Callable[[], None]:
    """Point Django at a fresh database and migrate it; returns a clean-up function.

    SQLite (default): a new file in a temporary SIAGA_DATA_DIR. PostgreSQL (DATABASE_URL set):
    a throw-away ``test_…`` database created and dropped like the test runner does.
    """
    data_dir = tempfile.mkdtemp(prefix="siaga-bench-")
    os.environ["SIAGA_DATA_DIR"] = data_dir
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siaga.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        sys.stderr.write(f"bench database: {name} (PostgreSQL)\n")

        def cleanup() -> None:
            connection.creation.destroy_test_db(name, verbosity=0)

        return cleanup
    call_command("migrate", verbosity=0, interactive=False)
    sys.stderr.write(f"bench database: {data_dir}/siaga.sqlite3 (SQLite)\n")

    def remove() -> None:
        connection.close()
        shutil.rmtree(data_dir, ignore_errors=True)

    return remove


def vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s" if seconds > 0 else "∞"


def table(rows: list[tuple[Any, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
