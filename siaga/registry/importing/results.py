"""What an import reads and yields: a parsed row, a row's error, the import's result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from siaga.registry.importing.headers import ColumnMapping


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class ImportResult:
    import_id: str
    filename: str
    territory: str
    dry_run: bool
    mapping: ColumnMapping
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    households_created: int = 0
    households_updated: int = 0
    territories_created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The CLI's JSON document."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
        }

    def reasons_by_row(self) -> dict[int, str]:
        """Each rejected row with its reasons in one sentence (the report's "alasan")."""
        reasons: dict[int, list[str]] = {}
        for error in self.errors:
            text = f"{error.column}: {error.message}" if error.column else error.message
            reasons.setdefault(error.row, []).append(text)
        return {row: " · ".join(texts) for row, texts in reasons.items()}


class _Bad(Exception):
    """One problem with one field of a row (collected, never shown as an exception)."""

    def __init__(self, key: str, message: str, value: Any = None) -> None:
        super().__init__(message)
        self.key = key
        self.message = message
        self.value = value


class Row(NamedTuple):
    """One parsed row: None means "not in the file" (an update leaves that field alone)."""

    row: int
    nik: str
    kk: str
    name: str
    sex: str | None
    birth_place: str | None
    birth_date: dt.date | None
    phone: str | None
    relation: str | None
    status: str | None
    address: str | None
    rt: int | None  # territory key of the RT, when the row names one
