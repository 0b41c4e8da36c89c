"""Compact per-row state for long imports: memory that grows by bytes, not objects, per row."""

from __future__ import annotations

from array import array
from bisect import bisect_left

RUN_SIZE = 65_536


class FirstRows:
    """``dict.setdefault`` for int keys (NIKs as numbers) → the row they were first seen on.

    A dict costs about 100 bytes per entry (the dict slot and two int objects); a 1.7-million-row
    file needs one entry per row. Here the newest entries stay in a small dict; every
    ``run_size`` entries they are frozen into a sorted pair of 64-bit arrays (16 bytes an entry)
    searched by bisection. A lookup probes the dict and then each frozen run.
    """

    def __init__(self, run_size: int = RUN_SIZE) -> None:
        self._run_size = run_size
        self._recent: dict[int, int] = {}
        self._runs: list[tuple[array[int], array[int]]] = []

    def setdefault(self, key: int, row: int) -> int:
        """The row ``key`` was first seen on; records ``row`` when it is new."""
        found = self._recent.get(key)
        if found is not None:
            return found
        for keys, rows in self._runs:
            index = bisect_left(keys, key)
            if index < len(keys) and keys[index] == key:
                return rows[index]
        self._recent[key] = row
        if len(self._recent) >= self._run_size:
            self._freeze()
        return row

    def __len__(self) -> int:
        return len(self._recent) + sum(len(keys) for keys, _rows in self._runs)

    def _freeze(self) -> None:
        items = sorted(self._recent.items())
        self._recent = {}
        self._runs.append((array("q", [k for k, _ in items]), array("q", [r for _, r in items])))
