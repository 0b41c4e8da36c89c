"""Spreadsheets for the import/export tests, generated in tmp_path (no committed binaries)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HEADER = [
    "No",
    "NIK",
    "No KK",
    "Nama Lengkap",
    "L/P",
    "Tempat Lahir",
    "Tgl Lahir",
    "Alamat",
    "RT",
    "RW",
    "No HP",
    "Status Hubungan Dalam Keluarga",
]


def nik(serial: int, *, day: int = 17, month: int = 8, year: int = 90, female: bool = False) -> str:
    return f"337402{day + (40 if female else 0):02d}{month:02d}{year:02d}{serial:04d}"


def kk(serial: int) -> str:
    return f"337402150811{serial:04d}"


def write_csv(
    path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, delimiter: str = ","
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(
    path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str] | None = HEADER
) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if header is not None:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def family(
    serial: int, *, rt: str = "3", rw: str = "6", kk_value: str | None = None
) -> list[list[Any]]:
    """A head and his wife, as rows of HEADER."""
    number = kk_value or kk(serial)
    return [
        [
            1,
            nik(serial * 2),
            number,
            "Joko Susilo",
            "L",
            "Semarang",
            "17-08-1990",
            "Jl. Melati 1",
            rt,
            rw,
            "0812-3456-7890",
            "Kepala Keluarga",
        ],
        [
            2,
            nik(serial * 2 + 1, day=1, month=2, year=92, female=True),
            number,
            "Sri Rahayu",
            "P",
            "Demak",
            "01/02/1992",
            "Jl. Melati 1",
            rt,
            rw,
            "",
            "Istri",
        ],
    ]
