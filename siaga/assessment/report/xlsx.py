"""The Laporan Kinerja Relawan as an XLSX workbook (openpyxl): a summary sheet first (totals
against the previous period, per kelurahan/RW/team, one line per volunteer), then one sheet per
volunteer with their figures, tasks by kind and narrative."""

from __future__ import annotations

import io
import re
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from siaga.volunteers.models import TaskKind

from .figures import Metrics, Rollup, VolunteerReport, VolunteerRow, change, metric_rows

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="E2E8F0")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def _title(name: str, taken: set[str]) -> str:
    """A unique sheet title (Excel: at most 31 characters, none of []:*?/\\)."""
    base = _BAD_TITLE.sub(" ", name).strip() or "-"
    base = base[:31]
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.lower())
    return title


def _styled(sheet: Any, value: Any, font: Font = BOLD, fill: PatternFill | None = None) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def _head(sheet: Any, values: list[Any]) -> None:
    sheet.append([_styled(sheet, v, BOLD, HEAD_FILL) for v in values])


def _figure_headers() -> list[str]:
    return [
        _("Shifts assigned"),
        _("Shifts served"),
        _("Hours"),
        _("Hours (previous)"),
        _("Tasks done"),
        _("Tasks done (previous)"),
        _("On time (%)"),
        _("Monitoring checks"),
        _("Home visits"),
        _("Deliveries"),
        _("Households served"),
        _("Referrals acknowledged"),
        _("Referrals completed"),
        _("Mean response (hours)"),
        _("Feedback"),
        _("Mean rating"),
    ]


def _figures(m: Metrics, p: Metrics) -> list[Any]:
    return [
        m.shifts,
        m.shifts_served,
        m.hours,
        p.hours,
        m.tasks_done,
        p.tasks_done,
        m.on_time_rate,
        m.monitoring,
        m.visits,
        m.deliveries,
        m.households,
        m.referrals_acknowledged,
        m.referrals_completed,
        m.response_hours,
        m.feedback_count,
        m.rating,
    ]


def _comparison(sheet: Any, current: Metrics, previous: Metrics) -> None:
    _head(sheet, [_("Figure"), _("This period"), _("Previous period"), _("Change")])
    for attr, label, _decimals in metric_rows():
        now, before = getattr(current, attr), getattr(previous, attr)
        sheet.append([label, now, before, change(now, before)])
    sheet.append([])
    _head(sheet, [_("Tasks done by kind"), _("This period"), _("Previous period"), _("Change")])
    for kind, kind_label in TaskKind.choices:
        now, before = current.tasks_by_kind.get(kind, 0), previous.tasks_by_kind.get(kind, 0)
        sheet.append([str(kind_label), now, before, now - before])


def _date(sheet: Any, value: Any) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = "yyyy-mm-dd"
    return cell


def _summary(sheet: Any, report: VolunteerReport) -> None:
    sheet.column_dimensions["A"].width = 34
    for column in "BCDE":
        sheet.column_dimensions[column].width = 16
    sheet.append(
        [_styled(sheet, _("Volunteer performance report") + " - Laporan Kinerja Relawan", TITLE)]
    )
    sheet.append([_("Area"), report.place])
    period, previous = report.period, report.previous_period
    sheet.append([_("Period"), _date(sheet, period.start), _date(sheet, period.end)])
    sheet.append([_("Compared with"), _date(sheet, previous.start), _date(sheet, previous.end)])
    sheet.append([_("Volunteers in the report"), report.total.volunteers])
    if report.narrative:
        sheet.append([_("Coordinator's narrative"), report.narrative])
    sheet.append([])
    _comparison(sheet, report.total.current, report.total.previous)

    groups: list[tuple[str, list[Rollup]]] = [
        (_("Kelurahan"), report.kelurahan),
        (_("RW"), report.rws),
        (_("Team"), report.teams),
    ]
    for title, items in groups:
        if not items:
            continue
        sheet.append([])
        _head(sheet, [title, _("Volunteers"), *_figure_headers()])
        for r in items:
            sheet.append([r.label, r.volunteers, *_figures(r.current, r.previous)])

    sheet.append([])
    _head(
        sheet,
        [_("Volunteer"), _("RW"), _("Kelurahan"), _("Teams"), _("Sheet"), *_figure_headers()],
    )


def _volunteer_sheet(sheet: Any, report: VolunteerReport, row: VolunteerRow) -> None:
    sheet.column_dimensions["A"].width = 40
    for column in "BCD":
        sheet.column_dimensions[column].width = 16
    sheet.append([_styled(sheet, row.name, TITLE)])
    sheet.append([_("RW"), f"{row.rw_label}, {row.kelurahan_name}"])
    sheet.append([_("Teams"), ", ".join(row.teams) or "-"])
    sheet.append(
        [_("Period"), f"{report.period.start.isoformat()} - {report.period.end.isoformat()}"]
    )
    sheet.append(
        [
            _("Compared with"),
            f"{report.previous_period.start.isoformat()} - "
            f"{report.previous_period.end.isoformat()}",
        ]
    )
    sheet.append([_("Account"), _("yes") if row.has_account else _("no (shifts and tasks only)")])
    if row.narrative:
        note = WriteOnlyCell(sheet, value=row.narrative)
        note.alignment = Alignment(wrap_text=True)
        sheet.append([_("Coordinator's note"), note])
    sheet.append([])
    _comparison(sheet, row.current, row.previous)


def build_workbook(report: VolunteerReport, lang: str = "id") -> Workbook:
    """A write-only workbook (a city has thousands of sheets): the summary first, its volunteer
    lines written after the rollups, then one sheet per volunteer."""
    with translation.override(lang):
        workbook = Workbook(write_only=True)
        taken: set[str] = set()
        summary = workbook.create_sheet(_title(_("Summary"), taken))
        _summary(summary, report)
        titles = [_title(row.name, taken) for row in report.volunteers]
        for row, title in zip(report.volunteers, titles, strict=True):
            summary.append(
                [
                    row.name,
                    row.rw_label,
                    row.kelurahan_name,
                    ", ".join(row.teams),
                    title,
                    *_figures(row.current, row.previous),
                ]
            )
        for row, title in zip(report.volunteers, titles, strict=True):
            _volunteer_sheet(workbook.create_sheet(title), report, row)
    return workbook


def build_xlsx(report: VolunteerReport, lang: str = "id") -> bytes:
    """The report as XLSX bytes: a summary sheet, then one sheet per volunteer."""
    buffer = io.BytesIO()
    build_workbook(report, lang).save(buffer)
    return buffer.getvalue()
