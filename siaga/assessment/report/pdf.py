"""The Laporan Kinerja Relawan as a printable A4 PDF (fpdf2, core fonts, no external files).

Layout: title, place and period; totals against the previous period; a bar chart of hours per
volunteer (this period and the previous one) drawn with fpdf2 rectangles; per kelurahan, RW and
team; tasks by kind; one line per volunteer; the coordinator's narrative; the signature block of
the office of the territory (Ketua RW, Lurah, Camat…) and of the office above it. Core fonts only
know latin-1: ``latin1()`` transliterates the rest.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from siaga.territory.models import Level, Territory

from .figures import Metrics, Rollup, VolunteerReport, change, metric_rows

PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 15.0
CONTENT_W = PAGE_W - 2 * MARGIN
BOTTOM = PAGE_H - 18  # where the page's content ends (the footer is below)
HEADING_H = 3 + 6.5 + 1.5  # space above, bar, space below
KEEP_ROWS = 3  # a table starts on a page only with its header and this many rows,
KEEP_WHOLE = 15  # or whole when it has no more rows than this
CELL_PAD = 1.5  # left and right padding of a table cell together
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


def office(level: int, code: str, name: str) -> str:
    """The office that signs for a territory of this level: Ketua RT 003, Ketua RW 006, Lurah
    Panggung Lor (Kepala Desa of a desa: code 2xxx), Camat Semarang Utara, Wali Kota Semarang
    or Bupati Demak, Gubernur Jawa Tengah."""
    last = code.rsplit(".", 1)[-1]
    if level >= Level.RW:
        title = _("Ketua RT") if level == Level.RT else _("Ketua RW")
        return f"{title} {int(last):03d}" if last.isdigit() else title
    if level == Level.KELURAHAN:
        title = _("Kepala Desa") if last.startswith("2") else _("Lurah")
    elif level == Level.KECAMATAN:
        title = _("Camat")
    elif level == Level.KABUPATEN:
        if name.startswith("Kota "):
            title, name = _("Wali Kota"), name.removeprefix("Kota ")
        elif name.startswith("Kabupaten "):
            title, name = _("Bupati"), name.removeprefix("Kabupaten ")
        else:
            # Codes 71-99 are kota, 01-70 kabupaten (Kemendagri).
            title = _("Wali Kota") if last.isdigit() and int(last) >= 71 else _("Bupati")
    else:
        title = _("Gubernur")
    return f"{title} {name}".strip()


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

    def heading(self, value: str, keep: float = 20.0) -> None:
        """A section heading kept with the first ``keep`` mm of what follows it: when they do
        not fit together, the heading starts the next page instead of ending this one."""
        self.room_for(HEADING_H + keep)
        self.pdf.ln(3)
        self.pdf.set_font("Helvetica", "B", 10.5)
        self.pdf.set_fill_color(*HEAD_FILL)
        self.pdf.cell(CONTENT_W, 6.5, latin1(value), fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1.5)

    def room_for(self, height: float) -> None:
        if self.pdf.get_y() + height > BOTTOM:
            self.pdf.add_page()

    def _header(
        self, headers: Sequence[str], widths: Sequence[float], size: float
    ) -> tuple[list[tuple[float, list[str]]], float]:
        """How the header row is printed: each title's font size and lines, and the row's
        height. A title wraps at spaces to fit its column, and its size shrinks (not below
        5 pt) until its longest word fits, so no title is cut."""
        pdf = self.pdf
        cells: list[tuple[float, list[str]]] = []
        for title, width in zip(headers, widths, strict=True):
            words = latin1(title).split()
            cell_size = size
            pdf.set_font("Helvetica", "B", cell_size)
            while cell_size > 5 and any(
                pdf.get_string_width(word) > width - CELL_PAD for word in words
            ):
                cell_size -= 0.25
                pdf.set_font("Helvetica", "B", cell_size)
            lines: list[str] = []
            for word in words:
                joined = f"{lines[-1]} {word}" if lines else word
                if lines and pdf.get_string_width(joined) <= width - CELL_PAD:
                    lines[-1] = joined
                else:
                    lines.append(word)
            cells.append((cell_size, lines))
        height = max(len(lines) * cell_size * 0.55 for cell_size, lines in cells)
        return cells, max(height, size * 0.55) + 1.5

    @staticmethod
    def _scaled(widths: Sequence[float]) -> list[float]:
        scale = CONTENT_W / sum(widths)
        return [w * scale for w in widths]

    def table_start(
        self,
        headers: Sequence[str],
        widths: Sequence[float],
        n_rows: int,
        *,
        size: float = 7.5,
    ) -> float:
        """The height a table needs on the page where it starts: its header and its first
        rows (all of them for a short table)."""
        _cells, head_h = self._header(headers, self._scaled(widths), size)
        keep = n_rows if n_rows <= KEEP_WHOLE else KEEP_ROWS
        return head_h + keep * (size * 0.55 + 1) + 1

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
        widths = self._scaled(widths)
        line = size * 0.55
        cells, head_h = self._header(headers, widths, size)

        def head() -> None:
            pdf.set_fill_color(*HEAD_FILL)
            top, x = pdf.get_y(), MARGIN
            for i, ((cell_size, lines), width) in enumerate(zip(cells, widths, strict=True)):
                pdf.set_font("Helvetica", "B", cell_size)
                pdf.rect(x, top, width, head_h, style="DF")
                step = cell_size * 0.55
                y = top + (head_h - len(lines) * step) / 2
                for text in lines:
                    text_w = pdf.get_string_width(text)
                    left = i == 0 and first_align == "L"
                    pdf.text(x + 0.75 if left else x + (width - text_w) / 2, y + step * 0.72, text)
                    y += step
                x += width
            pdf.set_y(top + head_h)
            pdf.set_font("Helvetica", "", size)

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

        self.room_for(self.table_start(headers, widths, len(rows), size=size))
        head()
        top = pdf.get_y()
        pdf.set_fill_color(246, 248, 250)
        for index, row in enumerate(rows):
            y = pdf.get_y()
            if y + height > BOTTOM:
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
                while text and text_w > width - CELL_PAD:
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
        headers = [_("Figure"), _("This period"), _("Previous period"), _("Change")]
        widths = [90, 30, 30, 30]
        self.heading(
            _("1. Summary: this period and the previous one"),
            keep=self.table_start(headers, widths, len(rows), size=8.5),
        )
        self.table(headers, widths, rows, size=8.5)

    def chart(self) -> None:
        rows = sorted(
            self.report.volunteers, key=lambda r: (-r.current.hours, -r.previous.hours, r.name)
        )[:CHART_MAX_BARS]
        bar_h, gap = 3.2, 2.2
        height = len(rows) * (2 * bar_h + gap) + 12
        self.heading(
            _("2. Hours served per volunteer (top %(n)d): this period and the previous one")
            % {"n": len(rows)},
            keep=height if rows else 10,
        )
        if not rows:
            self.text(9, _("No volunteer in this report."))
            return
        pdf = self.pdf
        label_w, value_w = 48.0, 14.0
        bar_w = CONTENT_W - label_w - value_w
        top = max((max(r.current.hours, r.previous.hours) for r in rows), default=0) or 1.0
        self.room_for(height)
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
        first_title, first_items = sections[0]
        self.heading(
            _("3. Per kelurahan, RW and team"),
            keep=self.table_start([first_title, *headers[1:]], widths, len(first_items), size=7),
        )
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
        headers = [_("Kind of task"), _("This period"), _("Previous period"), _("Change")]
        widths = [90, 30, 30, 30]
        rows = [
            [
                r["label"],
                number(r["current"]),
                number(r["previous"]),
                signed(r["current"] - r["previous"]),
            ]
            for r in self.report.tasks_by_kind()
        ]
        self.heading(
            _("4. Tasks done by kind"), keep=self.table_start(headers, widths, len(rows), size=8.5)
        )
        self.table(headers, widths, rows, size=8.5)
        response = self.report.total.current.response_hours
        if response is not None:
            self.text(
                8,
                _("Referrals: mean time from referral to acknowledgement %(hours)s hours.")
                % {"hours": number(response, 1)},
            )

    def volunteers(self) -> None:
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
        self.heading(
            _("5. Per volunteer"),
            keep=self.table_start(headers, widths, len(rows), size=7) if rows else 10,
        )
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
        """Prepared by the office of the report's territory, acknowledged by the office above
        it: Ketua RW and Lurah for an RW, Lurah and Camat for a kelurahan, and so on up."""
        report = self.report
        pdf = self.pdf
        self.room_for(48)
        pdf.ln(6)
        place = report.place.split(", ")
        territory = report.territory
        city = place[-1].replace("Kota ", "").replace("Kabupaten ", "") if place else ""
        own = office(territory.level, territory.code, territory.name)
        above = ""
        if territory.level > Level.PROVINSI:
            parent_code = territory.code.rsplit(".", 1)[0]
            parent_name = (
                place[1]
                if len(place) > 1
                else Territory.objects.filter(code=parent_code)
                .values_list("name", flat=True)
                .first()
            )
            above = office(territory.level - 1, parent_code, parent_name or "")
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
        pdf.cell(half, 5, latin1(_("Acknowledged by,") if above else ""), align="C")
        pdf.cell(half, 5, latin1(_("Prepared by,")), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.cell(half, 5, latin1(above), align="C")
        pdf.cell(half, 5, latin1(own), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(20)
        pdf.set_font("Helvetica", "", 9.5)
        dots = "( " + "." * 40 + " )"
        pdf.cell(half, 5, dots if above else "", align="C")
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
