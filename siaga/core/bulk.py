"""Bulk writes for generators and imports: ids taken up front, rows sent in one stream.

PostgreSQL: ids from the table's sequence, rows by COPY. SQLite: ids above the current maximum
(call inside the write transaction, which holds the database's write lock), rows by executemany.
"""

from __future__ import annotations

from typing import Any

from django.db import connection


def allocate_ids(table: str, count: int) -> list[int]:
    """Primary keys for ``count`` new rows of ``table``; call inside the writing transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
        top = cursor.fetchone()[0]
        if connection.vendor == "sqlite":  # AUTOINCREMENT's counter may be above max(id)
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            top = max(top, row[0] if row else 0)
        return list(range(top + 1, top + 1 + count))


def insert_rows(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``."""
    if not rows:
        return
    quoted = connection.ops.quote_name(table)
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {quoted} ({names}) VALUES ({marks})",  # noqa: S608
                rows,
            )
