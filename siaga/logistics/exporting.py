"""CSV/XLSX export of the ledgers (stock movements, donations, spending), scoped and audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

from siaga.core import audit
from siaga.core.models import AuditAction

from . import selectors

LEDGERS = ("stok", "donasi", "belanja")


def rows(user: Any, ledger: str) -> tuple[list[str], Iterable[list[Any]]]:
    if ledger == "stok":
        header = ["at", "rw", "posko", "item", "unit", "category", "kind", "quantity", "note"]
        return header, (
            [
                m.at.isoformat(),
                m.rw_id,
                m.posko.name,
                m.item.name,
                m.item.unit,
                m.item.category,
                m.kind,
                str(m.delta),
                m.note,
            ]
            for m in selectors.movements(user).order_by("at", "id").iterator(chunk_size=2000)
        )
    if ledger == "donasi":
        header = ["received_on", "rw", "kind", "donor", "amount", "method", "note"]
        return header, (
            [d.received_on.isoformat(), d.rw_id, d.kind, d.donor_label, d.amount, d.method, d.note]
            for d in selectors.donations(user).order_by("received_on", "id")
        )
    header = ["spent_on", "rw", "category", "purpose", "amount", "approved_by", "receipt"]
    return header, (
        [
            s.spent_on.isoformat(),
            s.rw_id,
            s.category,
            s.purpose,
            s.amount,
            s.approved_by.get_username() if s.approved_by else "",
            "yes" if s.receipt else "no",
        ]
        for s in selectors.spending(user).order_by("spent_on", "id")
    )


def export(user: Any, ledger: str, fmt: str) -> HttpResponse:
    header, body = rows(user, ledger)
    name = f"ledger-{ledger}.{fmt}"
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(ledger)
        sheet.append(header)
        for row in body:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(body)
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit.record(actor=user, action=AuditAction.EXPORT, object_type=f"logistics.{ledger}")
    return response
