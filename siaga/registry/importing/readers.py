"""Opening an uploaded spreadsheet safely and streaming its rows with their spreadsheet numbers.

Checks happen before any parsing: the size limit, the extension AND the magic bytes, and for
XLSX (a zip archive) the member count, total uncompressed size and compression ratio, so a zip
bomb never reaches openpyxl. Rows are read lazily, one at a time; a source can be read again
(the importer reads it once to validate and once to write).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_MEMBERS = 2000
# Excel's own limit for one cell; anything longer is not a registry value.
MAX_CELL_CHARS = 32767
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and encrypted .xlsx)


class ImportRefused(Exception):
    """The file cannot be used at all; str() is the translated, user-facing reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def max_uncompressed_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED))


@dataclass
class Source:
    """A checked spreadsheet file. ``rows()`` yields (spreadsheet row number, cell values)."""

    path: Path
    name: str
    kind: str  # "csv" or "xlsx"
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    epoch: Any = None  # XLSX date system (openpyxl's workbook.epoch)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        if self.kind == "csv":
            return self._csv_rows()
        return self._xlsx_rows()

    def _csv_rows(self) -> Iterator[tuple[int, list[Any]]]:
        with self.path.open(encoding=self.encoding, errors="replace", newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            number = 0
            try:
                for number, row in enumerate(reader, start=1):
                    if row and max(map(len, row)) > MAX_CELL_CHARS:
                        for index, value in enumerate(row):
                            if len(value) > MAX_CELL_CHARS:
                                raise _too_long(index, number)
                    yield number, row
            except csv.Error as exc:
                raise ImportRefused(
                    _(
                        "Row %(row)d of the CSV file cannot be read (%(error)s). A cell may be "
                        "far too long or a quote may be left open."
                    )
                    % {"row": number + 1, "error": exc}
                ) from None

    def _xlsx_rows(self) -> Iterator[tuple[int, list[Any]]]:
        workbook = _open_workbook(self.path)
        try:
            sheet = workbook.worksheets[0]
            self.epoch = workbook.epoch
            sheet.reset_dimensions()  # do not trust the declared size
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                values = list(row)
                for index, value in enumerate(values):
                    if isinstance(value, str):
                        if value.startswith("="):
                            raise ImportRefused(
                                _(
                                    "Cell %(cell)s holds a formula. Formulas are not imported: "
                                    "copy the sheet and paste it as values only, then upload "
                                    "again."
                                )
                                % {"cell": cell_name(index, number)}
                            )
                        if len(value) > MAX_CELL_CHARS:
                            raise _too_long(index, number)
                yield number, values
        finally:
            workbook.close()


def cell_name(column_index: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column_index + 1)}{row}"


def _too_long(index: int, row: int) -> ImportRefused:
    return ImportRefused(
        _("Cell %(cell)s is longer than a spreadsheet cell can be; this file is refused.")
        % {"cell": cell_name(index, row)}
    )


def _open_workbook(path: Path) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise ImportRefused(
            _("The XLSX file cannot be opened (%(error)s). Save it again from Excel as .xlsx.")
            % {"error": type(exc).__name__}
        ) from None


def open_source(path: str | Path, *, name: str = "", max_bytes: int | None = None) -> Source:
    """Check an uploaded file before parsing; raise ImportRefused with the reason."""
    path = Path(path)
    name = name or path.name
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        raise ImportRefused(
            _("The file cannot be read: %(error)s") % {"error": exc.strerror or exc}
        ) from None
    if size > limit:
        raise ImportRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
        )
    if size == 0:
        raise ImportRefused(_("The file is empty."))
    extension = Path(name).suffix.lower()
    if extension == ".xls" or head.startswith(OLE_MAGIC):
        raise ImportRefused(
            _(
                "This is an old Excel (.xls) or password-protected file. Open it in Excel and "
                "save it as .xlsx (Excel Workbook) or CSV, without a password."
            )
        )
    if extension == ".xlsx":
        if not head.startswith(XLSX_MAGIC):
            raise ImportRefused(_("The file is named .xlsx but is not an Excel workbook."))
        _check_zip(path)
        return Source(path=path, name=name, kind="xlsx")
    if extension in (".csv", ".txt"):
        if head.startswith(XLSX_MAGIC):
            raise ImportRefused(
                _("The file is named .csv but is an Excel workbook; name it .xlsx.")
            )
        if b"\x00" in head:
            raise ImportRefused(_("The file is named .csv but is not a text file."))
        encoding = _csv_encoding(path)
        return Source(
            path=path,
            name=name,
            kind="csv",
            encoding=encoding,
            delimiter=_csv_delimiter(head.decode(encoding, errors="replace")),
        )
    raise ImportRefused(
        _("Only .xlsx and .csv files can be imported (this file is %(extension)s).")
        % {"extension": extension or _("without extension")}
    )


def _check_zip(path: Path) -> None:
    """Refuse zip bombs and non-workbooks before openpyxl reads anything."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if len(members) > MAX_ZIP_MEMBERS:
                raise ImportRefused(_("The XLSX file has too many parts; it is refused."))
            total = 0
            for member in members:
                total += member.file_size
                if member.file_size > 1_000_000 and (
                    member.compress_size == 0
                    or member.file_size / member.compress_size > MAX_COMPRESSION_RATIO
                ):
                    raise ImportRefused(
                        _("The XLSX file expands suspiciously when unpacked; it is refused.")
                    )
            if total > max_uncompressed_bytes():
                raise ImportRefused(
                    _("The XLSX file is too large when unpacked; split it into smaller files.")
                )
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise ImportRefused(_("The file is a zip archive but not an Excel workbook."))
    except zipfile.BadZipFile:
        raise ImportRefused(_("The XLSX file is damaged and cannot be opened.")) from None


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _csv_delimiter(sample: str) -> str:
    """Comma, semicolon (Indonesian Excel), tab or pipe: whichever the first lines agree on."""
    lines = [line for line in io.StringIO(sample).read().splitlines()[:20] if line.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut
    best, best_score = ",", 0
    for delimiter in (",", ";", "\t", "|"):
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines]
        if not counts or min(counts) < 2:
            continue
        score = min(counts) * 10 + (10 if len(set(counts)) == 1 else 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best
