"""The import template: the expected columns, a filled example row and short instructions."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from siaga.registry.importing.headers import FIELDS_BY_KEY, TEMPLATE_FIELDS

EXAMPLE = {
    "nik": "3374021708900123",
    "kk": "3374021508100001",
    "name": "Budi Santoso",
    "sex": "L",
    "birth_place": "Semarang",
    "birth_date": "17-08-1990",
    "address": "Jl. Contoh No. 1",
    "rt": "003",
    "rw": "006",
    "kelurahan": "Panggung Lor",
    "phone": "0812-3456-7890",
    "relation": "Kepala Keluarga",
    "status": "tetap",
}
TEXT_FORMAT = "@"


def import_template() -> bytes:
    """An XLSX workbook (bytes) to fill in and upload; every column is formatted as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "warga"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, key in enumerate(TEMPLATE_FIELDS, start=1):
        header = sheet.cell(row=1, column=index, value=FIELDS_BY_KEY[key].header)
        header.font = bold
        header.fill = fill
        example = sheet.cell(row=2, column=index, value=EXAMPLE[key])
        example.number_format = TEXT_FORMAT
        letter = get_column_letter(index)
        # Text format for the whole column, so numbers typed later keep all their digits.
        sheet.column_dimensions[letter].number_format = TEXT_FORMAT
        sheet.column_dimensions[letter].width = max(12, len(EXAMPLE[key]) + 4)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Instructions")[:31])
    lines = [
        _("One row per resident. Keep the first row (the column names); delete the example row."),
        _(
            "NIK and No. KK: 16 digits. Keep these columns formatted as Text, or Excel will "
            "change the last digits to zeros and the row will be refused."
        ),
        _("Jenis Kelamin: L or P. Tanggal Lahir: DD-MM-YYYY, for example 17-08-1985."),
        _("RT and RW: the number, for example 3 or 003."),
        _(
            "Status Hubungan Dalam Keluarga: Kepala Keluarga, Suami, Istri, Anak, Menantu, Cucu, "
            "Orang Tua, Mertua, Famili Lain or Lainnya."
        ),
        _("Status Domisili: tetap, pendatang, pindah or meninggal (empty means tetap)."),
        _("No HP: for example 0812-3456-7890. Do not use formulas."),
        _(
            "An empty cell keeps what is already recorded for that resident; a NIK that is "
            "already registered updates that resident."
        ),
    ]
    for row, line in enumerate(lines, start=1):
        notes.cell(row=row, column=1, value=line)
    notes.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
