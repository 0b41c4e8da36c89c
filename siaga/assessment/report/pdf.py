"""The Laporan Kinerja Relawan as a printable A4 PDF (fpdf2, core fonts, no external files).

Layout: title, place and period; totals against the previous period; a bar chart of hours per
volunteer (this period and the previous one) drawn with fpdf2 rectangles; per kelurahan, RW and
team; tasks by kind; one line per volunteer; the coordinator's narrative; the signature block for
the Ketua RW and the Lurah. Core fonts only know latin-1: ``latin1()`` transliterates the rest.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from siaga.territory.models import Level

from .figures import Metrics, Rollup, VolunteerReport, change, metric_rows

PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 15.0
CONTENT_W = PAGE_W - 2 * MARGIN
CHART_MAX_BARS = 15
BLUE = (31, 90, 160)
GREY = (170, 178, 189)
HEAD_FILL = (226, 232, 240)

_REPLACEMENTS = {
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2026": "...",
    "\u2022": "-",
    "\u00a0": " ",
    "\u2192": "->",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u0394": "+/-",
    "\u0141": "L",
    "\u0142": "l",
    "\u0110": "D",
    "\u0111": "d",
    "\u0131": "i",
    "\u0152": "OE",
    "\u0153": "oe",
    "\u20ac": "EUR",
}


def latin1(text: Any) -> str:
    """Text the PDF core fonts can print: latin-1 kept, known symbols replaced, accents
    stripped from other letters, anything else becomes ``?``."""
    out = []
    for char in str(text):
        if ord(char) < 256:
            out.append(char)
        elif char in _REPLACEMENTS:
            out.append(_REPLACEMENTS[char])
        else:
            plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(plain or "?")
    return "".join(out)


def number(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "-"
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def signed(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "-"
    text = number(abs(value), decimals)
    return f"+{text}" if value > 0 else (f"-{text}" if value < 0 else text)


def long_date(day: Any) -> str:
    return formats.date_format(day, "j F Y")


class _ReportPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 7)
        self.set_text_color(90, 90, 90)
        self.cell(CONTENT_W / 2, 5, latin1(self.footer_text))
        self.cell(
            CONTENT_W / 2,
            5,
            latin1(_("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}),
            align="R",
        )
        self.set_text_color(0, 0, 0)


class _Writer:
    def __init__(self, report: VolunteerReport) -> None:
        self.report = report
        self.pdf = _ReportPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_margins(MARGIN, MARGIN, MARGIN)
        self.pdf.set_auto_page_break(True, margin=18)
        self.pdf.alias_nb_pages()
        self.pdf.footer_text = _(
            "Kampung Siaga - printed %(when)s - contains personal data: keep it within the team"
        ) % {"when": formats.date_format(timezone.localtime(report.generated_at), "j M Y H:i")}
        self.pdf.set_title(latin1(_("Volunteer performance report") + " " + report.place))
        self.pdf.set_author("Kampung Siaga")
        self.pdf.set_creation_date(report.generated_at)

    # ---- primitives
    def text(self, size: float, value: str, *, bold: bool = False, align: str = "L") -> None:
        self.pdf.set_font("Helvetica", "B" if bold else "", size)
        self.pdf.multi_cell(
            CONTENT_W, size * 0.5, latin1(value), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def heading(self, value: str) -> None:
        self.room_for(22)
        self.pdf.ln(3)
        self.pdf.set_font("Helvetica", "B", 10.5)
        self.pdf.set_fill_color(*HEAD_FILL)
        self.pdf.cell(CONTENT_W, 6.5, latin1(value), fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1.5)

    def room_for(self, height: float) -> None:
        if self.pdf.get_y() + height > PAGE_H - 18:
            self.pdf.add_page()

    def table(
        self,
        headers: Sequence[str],
        widths: Sequence[float],
        rows: Sequence[Sequence[Any]],
        *,
        size: float = 7.5,
        first_align: str = "L",
    ) -> None:
        """A plain table with the header repeated on each new page."""
        scale = CONTENT_W / sum(widths)
        widths = [w * scale for w in widths]
        line = size * 0.55

        def head() -> None:
            self.pdf.set_font("Helvetica", "B", size)
            self.pdf.set_fill_color(*HEAD_FILL)
            for i, (title, width) in enumerate(zip(headers, widths, strict=True)):
                self.pdf.cell(
                    width,
                    line + 1.5,
                    latin1(title),
                    border=1,
                    fill=True,
                    align=first_align if i == 0 else "C",
                )
            self.pdf.ln()
            self.pdf.set_font("Helvetica", "", size)

        pdf = self.pdf
        height = line + 1
        total_w = sum(widths)

        def rules(top: float, bottom: float) -> None:
            # Column rules drawn once per page block, not once per cell (a city has 60,000).
            x = MARGIN
            for width in (0.0, *widths):
                x += width
                pdf.line(x, top, x, bottom)
            pdf.line(MARGIN, bottom, MARGIN + total_w, bottom)

        self.room_for(3 * line)
        head()
        top = pdf.get_y()
        pdf.set_fill_color(246, 248, 250)
        for index, row in enumerate(rows):
            y = pdf.get_y()
            if y + height > PAGE_H - 18:
                rules(top, y)
                pdf.add_page()
                head()
                pdf.set_fill_color(246, 248, 250)
                y = top = pdf.get_y()
            if index % 2:
                pdf.rect(MARGIN, y, total_w, height, style="F")
            x = MARGIN
            for i, (value, width) in enumerate(zip(row, widths, strict=True)):
                text = latin1(value)
                text_w = pdf.get_string_width(text)
                while text and text_w > width - 1.5:
                    text = text[:-1]
                    text_w = pdf.get_string_width(text)
                left = (i == 0 and first_align == "L") or not text
                pdf.text(x + 0.75 if left else x + width - 0.75 - text_w, y + height * 0.7, text)
                x += width
            pdf.set_y(y + height)
        rules(top, pdf.get_y())
        pdf.ln(1)

    # ---- sections
    def title(self) -> None:
        report = self.report
        pdf = self.pdf
        pdf.add_page()
        pdf.set_draw_color(0, 0, 0)
        self.text(14, _("VOLUNTEER PERFORMANCE REPORT"), bold=True, align="C")
        self.text(10, "Laporan Kinerja Relawan - Kampung Siaga", align="C")
        pdf.ln(1)
        self.text(11, report.place, bold=True, align="C")
        pdf.set_line_width(0.6)
        y = pdf.get_y() + 1.5
        pdf.line(MARGIN, y, PAGE_W - MARGIN, y)
        pdf.set_line_width(0.2)
        pdf.line(MARGIN, y + 1, PAGE_W - MARGIN, y + 1)
        pdf.set_y(y + 3)
        period, previous = report.period, report.previous_period
        rows = [
            (_("Period"), f"{long_date(period.start)} - {long_date(period.end)}"),
            (
                _("Compared with"),
                f"{long_date(previous.start)} - {long_date(previous.end)} "
                + _("(previous %(days)d days)") % {"days": period.days},
            ),
            (_("Volunteers in the report"), number(report.total.volunteers)),
        ]
        if report.own_only:
            rows.append((_("Scope"), _("Your own figures only")))
        pdf.set_font("Helvetica", "", 9)
        for label, value in rows:
            pdf.set_font("Helvetica", "B", 9)
            pdf.cell(45, 5, latin1(label))
            pdf.set_font("Helvetica", "", 9)
            pdf.cell(CONTENT_W - 45, 5, latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def totals(self) -> None:
        self.heading(_("1. Summary: this period and the previous one"))
        rows = []
        total = self.report.total
        for attr, label, decimals in metric_rows():
            now, before = getattr(total.current, attr), getattr(total.previous, attr)
            rows.append(
                [
                    label,
                    number(now, decimals),
                    number(before, decimals),
                    signed(change(now, before), decimals),
                ]
            )
        self.table(
            [_("Figure"), _("This period"), _("Previous period"), _("Change")],
            [90, 30, 30, 30],
            rows,
            size=8.5,
        )

    def chart(self) -> None:
        rows = sorted(
            self.report.volunteers, key=lambda r: (-r.current.hours, -r.previous.hours, r.name)
        )[:CHART_MAX_BARS]
        self.heading(
            _("2. Hours served per volunteer (top %(n)d): this period and the previous one")
            % {"n": len(rows)}
        )
        if not rows:
            self.text(9, _("No volunteer in this report."))
            return
        pdf = self.pdf
        label_w, value_w = 48.0, 14.0
        bar_w = CONTENT_W - label_w - value_w
        bar_h, gap = 3.2, 2.2
        top = max((max(r.current.hours, r.previous.hours) for r in rows), default=0) or 1.0
        self.room_for(len(rows) * (2 * bar_h + gap) + 12)
        y = pdf.get_y() + 1
        pdf.set_font("Helvetica", "", 7.5)
        for row in rows:
            pdf.set_xy(MARGIN, y)
            name = latin1(f"{row.name} ({row.rw_label})")
            while name and pdf.get_string_width(name) > label_w - 2:
                name = name[:-1]
            pdf.cell(label_w, 2 * bar_h, name)
            for offset, hours, colour in (
                (0.0, row.current.hours, BLUE),
                (bar_h, row.previous.hours, GREY),
            ):
                width = bar_w * hours / top
                pdf.set_fill_color(*colour)
                if width > 0:
                    pdf.rect(MARGIN + label_w, y + offset, width, bar_h - 0.4, style="F")
                pdf.set_xy(MARGIN + label_w + width + 1, y + offset - 0.2)
                pdf.set_font("Helvetica", "", 6.5)
                pdf.cell(value_w, bar_h, number(hours, 1))
                pdf.set_font("Helvetica", "", 7.5)
            y += 2 * bar_h + gap
        pdf.set_draw_color(120, 120, 120)
        pdf.line(MARGIN + label_w, pdf.get_y() - (y - pdf.get_y()), MARGIN + label_w, y)
        pdf.set_draw_color(0, 0, 0)
        # Legend
        pdf.set_xy(MARGIN + label_w, y + 1)
        for colour, label in ((BLUE, _("This period")), (GREY, _("Previous period"))):
            pdf.set_fill_color(*colour)
            pdf.rect(pdf.get_x(), y + 1.8, 4, 2.6, style="F")
            pdf.set_x(pdf.get_x() + 5)
            pdf.cell(35, 6, latin1(label))
        pdf.set_fill_color(255, 255, 255)
        pdf.set_xy(MARGIN, y + 8)

    def rollups(self) -> None:
        report = self.report
        headers = [
            "",
            _("Vol."),
            _("Shifts"),
            _("Hours"),
            _("(prev.)"),
            _("Tasks"),
            _("On time"),
            _("Monit."),
            _("Deliv."),
            _("Househ."),
            _("Referr."),
            _("Rating"),
        ]
        widths = [40, 10, 12, 13, 13, 12, 13, 13, 13, 14, 13, 12]

        def line(r: Rollup, label: str = "") -> list[Any]:
            return [label or r.label, number(r.volunteers), *self._figures(r.current, r.previous)]

        sections: list[tuple[str, list[Rollup]]] = []
        if report.territory.level < Level.KELURAHAN or len(report.kelurahan) > 1:
            sections.append((_("Kelurahan"), report.kelurahan))
        sections.append((_("RW"), report.rws))
        if report.teams:
            sections.append((_("Team"), report.teams))
        self.heading(_("3. Per kelurahan, RW and team"))
        for title, items in sections:
            total = (
                [line(report.total, _("Total"))]
                if len(items) > 1 and items is not report.teams
                else []
            )
            self.table(
                [title, *headers[1:]],
                widths,
                [line(r) for r in items] + total,
                size=7,
            )

    @staticmethod
    def _figures(m: Metrics, p: Metrics) -> list[str]:
        return [
            number(m.shifts_served),
            number(m.hours, 1),
            number(p.hours, 1),
            number(m.tasks_done),
            "-" if m.on_time_rate is None else f"{number(m.on_time_rate, 0)}%",
            number(m.monitoring),
            number(m.deliveries),
            number(m.households),
            number(m.referrals),
            number(m.rating, 1),
        ]

    def tasks(self) -> None:
        self.heading(_("4. Tasks done by kind"))
        self.table(
            [_("Kind of task"), _("This period"), _("Previous period"), _("Change")],
            [90, 30, 30, 30],
            [
                [
                    r["label"],
                    number(r["current"]),
                    number(r["previous"]),
                    signed(r["current"] - r["previous"]),
                ]
                for r in self.report.tasks_by_kind()
            ],
            size=8.5,
        )
        response = self.report.total.current.response_hours
        if response is not None:
            self.text(
                8,
                _("Referrals: mean time from referral to acknowledgement %(hours)s hours.")
                % {"hours": number(response, 1)},
            )

    def volunteers(self) -> None:
        self.heading(_("5. Per volunteer"))
        headers = [
            _("Volunteer"),
            _("RW"),
            _("Shifts"),
            _("Hours"),
            _("(prev.)"),
            _("Tasks"),
            _("On time"),
            _("Monit."),
            _("Deliv."),
            _("Househ."),
            _("Referr."),
            _("Rating"),
        ]
        widths = [38, 12, 12, 13, 13, 12, 13, 13, 13, 14, 13, 12]
        rows = [
            [r.name, r.rw_label.replace("RW ", ""), *self._figures(r.current, r.previous)]
            for r in self.report.volunteers
        ]
        if not rows:
            self.text(9, _("No volunteer in this report."))
            return
        self.table(headers, widths, rows, size=7)
        self.text(
            7,
            _(
                "Shifts: shifts checked in. Hours: checked in to checked out. On time: tasks with "
                "a due time closed by it. Households: reached by a delivery or a monitoring check. "
                "Referrals: acknowledged and completed. Rating: mean of the feedback (1-5)."
            ),
        )
        notes = [r for r in self.report.volunteers if r.narrative]
        if notes:
            self.pdf.ln(2)
            for row in notes:
                self.text(8, f"{row.name}: {row.narrative}")

    def narrative(self) -> None:
        self.heading(_("6. Coordinator's narrative"))
        if self.report.narrative:
            self.text(9.5, self.report.narrative)
            if self.report.narrative_author:
                self.text(8, "- " + self.report.narrative_author)
        else:
            self.text(9, _("(No narrative written for this period.)"))

    def signatures(self) -> None:
        report = self.report
        pdf = self.pdf
        self.room_for(48)
        pdf.ln(6)
        place = report.place.split(", ")
        kelurahan = place[1] if report.territory.level == Level.RW and len(place) > 1 else ""
        if report.territory.level == Level.KELURAHAN:
            kelurahan = report.territory.name
        city = place[-1].replace("Kota ", "").replace("Kabupaten ", "") if place else ""
        half = CONTENT_W / 2
        pdf.set_font("Helvetica", "", 9.5)
        pdf.cell(half, 5, "")
        pdf.cell(
            half,
            5,
            latin1(f"{city}, {long_date(timezone.localdate())}"),
            align="C",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.cell(half, 5, latin1(_("Acknowledged by,")), align="C")
        pdf.cell(half, 5, latin1(_("Prepared by,")), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        lurah = _("Lurah") + (f" {kelurahan}" if kelurahan else "")
        ketua = _("Ketua RW") + (
            f" {report.territory.number:03d}" if report.territory.level == Level.RW else ""
        )
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.cell(half, 5, latin1(lurah), align="C")
        pdf.cell(half, 5, latin1(ketua), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(20)
        pdf.set_font("Helvetica", "", 9.5)
        dots = "( " + "." * 40 + " )"
        pdf.cell(half, 5, dots, align="C")
        pdf.cell(half, 5, dots, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def build(self) -> bytes:
        self.title()
        self.totals()
        self.chart()
        self.rollups()
        self.tasks()
        self.volunteers()
        self.narrative()
        self.signatures()
        return bytes(self.pdf.output())


def build_pdf(report: VolunteerReport, lang: str = "id") -> bytes:
    """The report as A4 PDF bytes, in Indonesian (``id``) or English (``en``)."""
    with translation.override(lang):
        return _Writer(report).build()
