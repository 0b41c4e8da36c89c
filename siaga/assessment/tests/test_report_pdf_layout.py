"""Layout of the Laporan Kinerja Relawan PDF, read back from the PDF's own drawing operators:
headings are never left alone at the foot of a page, header titles fit their cells, and the
signature block names the offices of the report's territory and of the one above it."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass

import pytest
from fpdf import FPDF

from siaga.assessment.report.figures import (
    Metrics,
    Period,
    Rollup,
    VolunteerReport,
    VolunteerRow,
)
from siaga.assessment.report.pdf import build_pdf, office
from siaga.core import codes
from siaga.territory.models import Level, Territory

MM = 72 / 25.4  # points per millimetre
FOOTER_TOP = 18 * MM  # the footer sits below 18 mm from the bottom edge


@dataclass
class Text:
    page: int
    x: float
    y: float
    text: str
    bold: bool
    size: float


@dataclass
class Box:
    page: int
    x: float
    y: float  # bottom edge (PDF coordinates grow upwards)
    w: float
    h: float
    stroked: bool

    def holds(self, text: Text) -> bool:
        return (
            self.page == text.page
            and self.x - 0.5 <= text.x <= self.x + self.w
            and self.y <= text.y <= self.y + self.h
        )


def _unescape(raw: str) -> str:
    return re.sub(r"\\([()\\])", r"\1", raw)


def read_pdf(body: bytes) -> tuple[list[Text], list[Box]]:
    """Every text run and rectangle of an fpdf2 PDF, page by page (page streams in order)."""
    bold_fonts = {
        number.decode()
        for number, name in re.findall(rb"/F(\d+) (\d+) 0 R", body)
        if re.search(
            rb"\n" + name + rb" 0 obj\s*<<[^>]*/BaseFont /Helvetica-Bold\b", body, re.DOTALL
        )
    }
    streams = []  # each compressed stream, cut by its /Length (its bytes may end in \r)
    for head in re.finditer(rb"<<([^>]*/FlateDecode[^>]*)>>\s*stream\r?\n", body):
        length = re.search(rb"/Length (\d+)", head[1])
        assert length is not None
        streams.append(body[head.end() : head.end() + int(length[1])])
    texts: list[Text] = []
    boxes: list[Box] = []
    token = re.compile(
        r"/F(?P<font>\d+) (?P<size>[\d.]+) Tf"
        r"|(?P<x>-?[\d.]+) (?P<y>-?[\d.]+) Td (?:[\d.]+ g )?\((?P<text>(?:\\.|[^\\)])*)\) Tj"
        r"|(?P<rx>-?[\d.]+) (?P<ry>-?[\d.]+) (?P<rw>-?[\d.]+) (?P<rh>-?[\d.]+) re (?P<op>[BfFS])"
    )
    page = 0
    for raw in streams:
        content = zlib.decompress(raw).decode("latin-1")
        if " Tj" not in content:
            continue  # not a page (fonts, images)
        page += 1
        font, size = "", 0.0
        for match in token.finditer(content):
            if match["font"]:
                font, size = match["font"], float(match["size"])
            elif match["text"] is not None:
                texts.append(
                    Text(
                        page,
                        float(match["x"]),
                        float(match["y"]),
                        _unescape(match["text"]),
                        font in bold_fonts,
                        size,
                    )
                )
            else:
                x, y = float(match["rx"]), float(match["ry"])
                w, h = float(match["rw"]), float(match["rh"])
                if h < 0:
                    y, h = y + h, -h
                boxes.append(Box(page, x, y, w, h, match["op"] in "BS"))
    return texts, boxes


def _width(text: Text) -> float:
    pdf = FPDF(unit="pt")
    pdf.set_font("Helvetica", "B" if text.bold else "", text.size)
    return pdf.get_string_width(text.text)


def _territory(code: str, name: str) -> Territory:
    level = len(code.split("."))
    return Territory(id=codes.parse_code(code).key, code=code, name=name, level=level)


PLACES = {
    "33.74.02.1006.006": "RW 006, Panggung Lor, Semarang Utara, Kota Semarang",
    "33.74.02.1006": "Panggung Lor, Semarang Utara, Kota Semarang",
    "33.74.02": "Semarang Utara, Kota Semarang",
    "33.21.05.2003": "Tlogorejo, Karangawen, Kabupaten Demak",
}


def make_report(n_volunteers: int, code: str = "33.74.02.1006") -> VolunteerReport:
    """A report of ``n_volunteers`` busy volunteers spread over five RWs, built in memory."""
    place = PLACES[code]
    territory = _territory(code, place.split(", ")[0])
    rows = []
    rws: dict[int, Rollup] = {}
    total = Rollup(key=territory.id, label=territory.display_name, level="total")
    for n in range(n_volunteers):
        rw = n % 5 + 1
        current = Metrics(
            shifts=20,
            shifts_served=18,
            hours=100.0 + n,
            tasks_done=n % 7,
            tasks_by_kind={"monitoring": n % 7},
            tasks_with_due=n % 7,
            tasks_on_time=n % 5,
            monitoring=40 + n,
            visits=n,
            deliveries=n % 9,
        )
        row = VolunteerRow(
            id=n + 1,
            name=f"Relawan Nomor {n + 1}",
            rw_id=rw,
            rw_label=f"RW {rw:03d}",
            kelurahan_id=1,
            kelurahan_name="Panggung Lor",
            status="active",
            has_account=True,
            teams=[],
            current=current,
            previous=Metrics(hours=50.0),
        )
        rows.append(row)
        rws.setdefault(rw, Rollup(key=rw, label=row.rw_label, level="rw")).take(row)
        total.take(row)
    period = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    return VolunteerReport(
        territory=territory,
        place=place,
        period=period,
        previous_period=period.previous(),
        own_only=False,
        volunteers=rows,
        teams=[],
        rws=[rws[k] for k in sorted(rws)],
        kelurahan=[total],
        total=total,
    )


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("volunteers", [0, 1, 6, 12, 15, 24, 45, 80])
def test_no_heading_is_left_alone_at_the_foot_of_a_page(lang: str, volunteers: int) -> None:
    texts, boxes = read_pdf(build_pdf(make_report(volunteers), lang))
    headings = [
        t
        for t in texts
        if t.bold
        and t.size == 10.5
        and any(b.holds(t) and not b.stroked and b.w > 500 for b in boxes)
    ]
    assert len(headings) == 6
    for heading in headings:
        below = [
            t
            for t in texts
            if t.page == heading.page and FOOTER_TOP < t.y < heading.y - 1 and t is not heading
        ]
        assert below, f"{heading.text!r} ends page {heading.page} with nothing under it"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_table_header_titles_fit_their_cells(lang: str) -> None:
    texts, boxes = read_pdf(build_pdf(make_report(20), lang))
    cells = [b for b in boxes if b.stroked]
    checked = 0
    for text in texts:
        if not text.bold:
            continue
        cell = next((b for b in cells if b.holds(text)), None)
        if cell is None:
            continue
        checked += 1
        assert text.x + _width(text) <= cell.x + cell.w + 0.01, (
            f"{text.text!r} is cut by its cell on page {text.page}"
        )
    assert checked > 30
    words = " ".join(t.text for t in texts)
    assert ("Tepat waktu" if lang == "id" else "On time") in words


def _signature_offices(body: bytes) -> tuple[str, str]:
    texts, _boxes = read_pdf(body)
    last = max(t.page for t in texts)
    bold = sorted(
        (t for t in texts if t.page == last and t.bold and t.size == 9.5), key=lambda t: t.x
    )
    assert len(bold) == 2, [t.text for t in bold]
    return bold[0].text, bold[1].text


@pytest.mark.parametrize(
    ("code", "acknowledged", "prepared"),
    [
        ("33.74.02.1006.006", "Lurah Panggung Lor", "Ketua RW 006"),
        ("33.74.02.1006", "Camat Semarang Utara", "Lurah Panggung Lor"),
        ("33.74.02", "Wali Kota Semarang", "Camat Semarang Utara"),
        ("33.21.05.2003", "Camat Karangawen", "Kepala Desa Tlogorejo"),
    ],
)
def test_signature_block_names_the_offices_of_the_territory_level(
    code: str, acknowledged: str, prepared: str
) -> None:
    assert _signature_offices(build_pdf(make_report(3, code), "id")) == (acknowledged, prepared)


def test_offices_by_level() -> None:
    assert office(Level.RT, "33.74.02.1006.006.003", "RT 003") == "Ketua RT 003"
    assert office(Level.KABUPATEN, "33.21", "Kabupaten Demak") == "Bupati Demak"
    assert office(Level.KABUPATEN, "33.74", "Semarang") == "Wali Kota Semarang"
    assert office(Level.PROVINSI, "33", "Jawa Tengah") == "Gubernur Jawa Tengah"
