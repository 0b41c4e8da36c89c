"""The rejected rows of an import, as the user sent them, with an added "alasan" (reason) column.

The user fixes those rows and uploads only them again. The source file is read again (streamed),
so the report costs no memory beyond the row numbers and reasons of the rejected rows.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import IO, Any

from siaga.registry.importing.parsing import display
from siaga.registry.importing.readers import Source
from siaga.registry.importing.results import ImportResult

REASON_HEADER = "alasan"
TEXT_FORMAT = "@"


def report_format(path: str | Path) -> str:
    """ "xlsx" or "csv" from a file name (XLSX unless it ends in .csv)."""
    return "csv" if str(path).lower().endswith(".csv") else "xlsx"


def write_report(
    source: Source, result: ImportResult, out: str | Path | IO[bytes], fmt: str | None = None
) -> int:
    """Write the header row and every rejected row with its reasons; returns the row count."""
    fmt = fmt or (report_format(out) if isinstance(out, str | Path) else "xlsx")
    reasons = result.reasons_by_row()
    header_row = result.mapping.header_row
    headers = [*result.mapping.headers, REASON_HEADER]
    # cells of identity columns are written as text so the fixed file cannot lose digits again
    text_columns = {
        result.mapping.columns[key]
        for key in ("nik", "kk", "phone")
        if key in result.mapping.columns
    }
    rows = (
        (number, values)
        for number, values in source.rows()
        if number > header_row and number in reasons
    )
    if fmt == "csv":
        return _write_csv(out, headers, rows, reasons)
    return _write_xlsx(out, headers, rows, reasons, text_columns)


def _write_csv(out: Any, headers: list[str], rows: Any, reasons: dict[int, str]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    count = 0
    for number, values in rows:
        cells = [display(v) for v in values]
        cells += [""] * (len(headers) - 1 - len(cells))
        writer.writerow([*cells[: len(headers) - 1], reasons[number]])
        count += 1
    data = buffer.getvalue().encode("utf-8-sig")
    if isinstance(out, str | Path):
        Path(out).write_bytes(data)
    else:
        out.write(data)
    return count


def _write_xlsx(
    out: Any, headers: list[str], rows: Any, reasons: dict[int, str], text_columns: set[int]
) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("ditolak")
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    width = len(headers) - 1
    for number, values in rows:
        cells: list[Any] = []
        for index in range(width):
            value = values[index] if index < len(values) else None
            if index in text_columns:
                cell = WriteOnlyCell(sheet, value=display(value))
                cell.number_format = TEXT_FORMAT
                cells.append(cell)
            else:
                cells.append(_safe(value))
        cells.append(reasons[number])
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def _safe(value: Any) -> Any:
    """Values are written back as values: text that looks like a formula stays text."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value
