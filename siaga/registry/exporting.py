"""Exporting the residents or households of a territory to CSV or XLSX, scoped and audited.

The residents file uses the import template's columns, so an exported file imports back
unchanged. Health details (comorbidities, pregnancy, disability) are not exported: spreadsheets
travel, and UU PDP asks for the minimum of specific data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import Count
from django.utils.translation import gettext as _

from siaga.core import audit, codes, policy
from siaga.core.models import AuditAction
from siaga.core.policy import in_subtree
from siaga.core.roles import Perm
from siaga.registry.importing.headers import FIELDS_BY_KEY, TEMPLATE_FIELDS
from siaga.registry.models import Household, Relation, Resident
from siaga.territory import selectors as territory_selectors
from siaga.territory.models import Level, Territory

FORMATS = ("csv", "xlsx")
KINDS = ("residents", "households")
TEXT_FORMAT = "@"
# Relation codes as a kelurahan spreadsheet writes them (the importer reads both forms).
RELATION_TEXT = {
    Relation.KEPALA: "Kepala Keluarga",
    Relation.SUAMI: "Suami",
    Relation.ISTRI: "Istri",
    Relation.ANAK: "Anak",
    Relation.MENANTU: "Menantu",
    Relation.CUCU: "Cucu",
    Relation.ORANG_TUA: "Orang Tua",
    Relation.MERTUA: "Mertua",
    Relation.FAMILI_LAIN: "Famili Lain",
    Relation.LAINNYA: "Lainnya",
}
RESIDENT_HEADERS = [FIELDS_BY_KEY[key].header for key in TEMPLATE_FIELDS]
HOUSEHOLD_HEADERS = [
    "No KK",
    "RT",
    "RW",
    "Kelurahan",
    "Alamat",
    "NIK Kepala Keluarga",
    "Nama Kepala Keluarga",
    "Jumlah Anggota",
]
# Which columns hold identity numbers (written as text cells in XLSX).
RESIDENT_TEXT_COLUMNS = {0, 1, 7, 8, 10}
HOUSEHOLD_TEXT_COLUMNS = {0, 1, 2, 5}


class ExportRefused(Exception):
    """An export that cannot be made; str() is user-facing."""


def export_territory(actor: Any, code: str | Territory) -> Territory:
    """The territory to export, if the actor may export there (else Http404, as the policy)."""
    if isinstance(code, Territory):
        policy.require(actor, Perm.REGISTRY_EXPORT, code)
        return code
    found = territory_selectors.territory_param(actor, Perm.REGISTRY_EXPORT, code, required=True)
    assert found is not None  # required=True
    return found


def _kelurahan_names(territory: Territory) -> dict[int, str]:
    """Kelurahan key → name for the kelurahan in or above the territory."""
    low, high = territory.bounds
    if territory.level >= Level.KELURAHAN:
        key = codes.parse_code(".".join(territory.code.split(".")[:4])).key
        return dict(Territory.objects.filter(id=key).values_list("id", "name"))
    return dict(
        Territory.objects.filter(in_subtree("id", (low, high)), level=Level.KELURAHAN).values_list(
            "id", "name"
        )
    )


_KELURAHAN_SPAN = codes.span_for_level(Level.KELURAHAN)


def _place(rt_code: str, kelurahan: dict[int, str], rt_key: int) -> tuple[str, str, str]:
    parts = rt_code.split(".")
    name = kelurahan.get(rt_key - rt_key % _KELURAHAN_SPAN, "")
    return parts[5] if len(parts) > 5 else "", parts[4] if len(parts) > 4 else "", name


def resident_rows(actor: Any, territory: Territory) -> Iterator[list[Any]]:
    qs = (
        policy.scope(Resident.objects.all(), actor, Perm.REGISTRY_EXPORT)
        .filter(in_subtree("rt_id", territory.bounds))
        .select_related("household", "rt")
        .order_by("rt_id", "household_id", "id")
    )
    kelurahan = _kelurahan_names(territory)
    for r in qs.iterator(chunk_size=2000):
        rt, rw, place = _place(r.rt.code, kelurahan, r.rt_id)
        yield [
            r.nik,
            r.household.kk if r.household else "",
            r.name,
            r.sex,
            r.birth_place,
            r.birth_date.strftime("%d-%m-%Y") if r.birth_date else "",
            r.household.address if r.household else "",
            rt,
            rw,
            place,
            r.phone,
            RELATION_TEXT.get(Relation(r.relation), r.relation),
            r.status,
        ]


def household_rows(actor: Any, territory: Territory) -> Iterator[list[Any]]:
    qs = (
        policy.scope(Household.objects.all(), actor, Perm.REGISTRY_EXPORT)
        .filter(in_subtree("rt_id", territory.bounds))
        .select_related("head", "rt")
        .annotate(member_count=Count("members"))
        .order_by("rt_id", "kk")
    )
    kelurahan = _kelurahan_names(territory)
    for h in qs.iterator(chunk_size=2000):
        rt, rw, place = _place(h.rt.code, kelurahan, h.rt_id)
        yield [
            h.kk,
            rt,
            rw,
            place,
            h.address,
            h.head.nik if h.head else "",
            h.head.name if h.head else "",
            h.member_count,
        ]


def export(
    *, actor: Any, kind: str, territory: Territory | str, fmt: str, out: str | Path | IO[bytes]
) -> int:
    """Write the residents or households of ``territory`` the actor may export; returns the count.

    The export is recorded in the audit trail (one "export" entry naming kind, format and count).
    """
    if kind not in KINDS:
        raise ExportRefused(_("Unknown export: %(kind)s.") % {"kind": kind})
    if fmt not in FORMATS:
        raise ExportRefused(_("Choose the format csv or xlsx."))
    place = export_territory(actor, territory)
    if kind == "residents":
        headers, rows, text = RESIDENT_HEADERS, resident_rows(actor, place), RESIDENT_TEXT_COLUMNS
    else:
        headers, rows, text = (
            HOUSEHOLD_HEADERS,
            household_rows(actor, place),
            HOUSEHOLD_TEXT_COLUMNS,
        )
    count = (
        _write_csv(out, headers, rows) if fmt == "csv" else _write_xlsx(out, headers, rows, text)
    )
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=f"registry.{'resident' if kind == 'residents' else 'household'}",
        territory_id=place.id,
        summary=f"{kind} {place.code} ({fmt}, {count})",
        changes={"kind": kind, "format": fmt, "rows": count, "territory": place.code},
    )
    return count


def _write_csv(out: str | Path | IO[bytes], headers: list[str], rows: Iterator[list[Any]]) -> int:
    count = 0
    handle: IO[str]
    if isinstance(out, str | Path):
        handle = Path(out).open("w", encoding="utf-8-sig", newline="")  # noqa: SIM115
    else:
        handle = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(row)
            count += 1
    finally:
        if isinstance(out, str | Path):
            handle.close()
        else:
            handle.flush()
            handle.detach()
    return count


def _write_xlsx(
    out: str | Path | IO[bytes], headers: list[str], rows: Iterator[list[Any]], text: set[int]
) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    bold = Font(bold=True)
    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        cells: list[Any] = []
        for index, value in enumerate(row):
            if index in text and value != "":
                cell = WriteOnlyCell(sheet, value=str(value))
                cell.number_format = TEXT_FORMAT
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count
