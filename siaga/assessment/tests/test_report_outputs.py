"""Laporan Kinerja Relawan outputs: PDF (A4), XLSX (summary + one sheet per volunteer), web
pages and API under the role × territory matrix, the narrative endpoints, and the CLI."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from siaga.api.tests.helpers import Api
from siaga.assessment.models import ReportNarrative
from siaga.assessment.report.pdf import build_pdf, latin1
from siaga.assessment.report.xlsx import build_xlsx
from siaga.assessment.tests.test_report import ReportWorld, full_report, make_report_world
from siaga.core.models import AuditEntry, Contribution

QUERY = "from=2026-10-01&to=2026-10-31"
REPORT_URL = "/penilaian/laporan/"
API_URL = "/api/v1/reports/volunteers"

TERRITORIES = {
    "rw006": "33.74.02.1006.006",
    "rw007": "33.74.02.1006.007",
    "panggunglor": "33.74.02.1006",
    "bandarharjo": "33.74.02.1001",
    "kota": "33.74",
}
# Who sees what: "full" = the whole report, "own" = the volunteer's own row, None = 404.
FULL_AREAS = {
    "admin": set(TERRITORIES),
    "fasilitator.kota": set(TERRITORIES),
    "fasilitator.utara": {"rw006", "rw007", "panggunglor", "bandarharjo"},
    "lurah.panggunglor": {"rw006", "rw007", "panggunglor"},
    "puskesmas.bandarharjo": {"bandarharjo"},
    "pengurus.rw006": {"rw006"},
    "pengurus.rt003": set(),
    "relawan.rw006": set(),
    "warga.rt003": set(),
}
OWN_AREAS = {"relawan.rw006": {"rw006", "panggunglor", "kota"}}
# A volunteer each report must show (Bandarharjo has none).
SHOWS = {"rw006": "Ani", "rw007": "Citra", "panggunglor": "Ani", "bandarharjo": None, "kota": "Ani"}
MATRIX = [(user, place) for user in FULL_AREAS for place in TERRITORIES]


def expected(user: str, place: str) -> str | None:
    if place in FULL_AREAS[user]:
        return "full"
    if place in OWN_AREAS.get(user, set()):
        return "own"
    return None


@pytest.fixture
def rw(world: Any) -> ReportWorld:
    return make_report_world(world)


@pytest.fixture
def api(client: Any, world: Any) -> Api:
    return Api(client, world)


def _report_audits() -> int:
    return AuditEntry.objects.filter(object_type="assessment.volunteer_report").count()


# ---------------------------------------------------------------- files


def test_pdf_is_a4_and_printable(rw: ReportWorld) -> None:
    report = full_report(rw.world.users["lurah.panggunglor"], "33.74.02.1006")
    for lang in ("id", "en"):
        body = build_pdf(report, lang)
        assert body.startswith(b"%PDF-")
        boxes = set(re.findall(rb"/MediaBox\s*\[([^\]]*)\]", body))
        assert boxes, "no MediaBox"
        for box in boxes:
            x0, y0, width, height = (float(v) for v in box.split())
            # A4 is 595.28 × 841.89 points (210 × 297 mm), portrait.
            assert (x0, y0) == (0, 0)
            assert abs(width - 595.28) < 0.1 and abs(height - 841.89) < 0.1


def test_pdf_survives_characters_outside_latin1(rw: ReportWorld) -> None:
    rw.ani.name = "Ani – “Ña” 𝔸 Łukasz"
    rw.ani.save()
    report = full_report(rw.world.users["pengurus.rw006"], "33.74.02.1006.006")
    assert build_pdf(report, "id").startswith(b"%PDF")
    assert latin1("A – B “c” … Łódź") == 'A - B "c" ... Lódz'


def test_xlsx_has_a_summary_and_one_sheet_per_volunteer(rw: ReportWorld) -> None:
    report = full_report(rw.world.users["lurah.panggunglor"], "33.74.02.1006")
    workbook = load_workbook(io.BytesIO(build_xlsx(report, "en")))
    assert workbook.sheetnames == ["Summary", "Ani", "Bayu", "Citra"]
    ani = workbook["Ani"]
    values = {row[0]: row[1:4] for row in ani.iter_rows(values_only=True) if row and row[0]}
    assert values["Hours served"] == (6.0, 4.0, 2.0)
    assert values["Tasks done"] == (3, 0, 3)
    summary = workbook["Summary"]
    names = [row[0] for row in summary.iter_rows(values_only=True)]
    assert {"Ani", "Bayu", "Citra"} <= set(names)


def test_xlsx_sheet_titles_are_unique_and_valid(rw: ReportWorld) -> None:
    rw.bayu.name = "Ani"
    rw.bayu.save()
    rw.citra.name = "Citra: a very long name [with] forbidden/chars?"
    rw.citra.save()
    report = full_report(rw.world.users["admin"], "33.74.02.1006")
    workbook = load_workbook(io.BytesIO(build_xlsx(report)))
    titles = workbook.sheetnames
    assert len(titles) == len(set(t.lower() for t in titles)) == 4
    assert all(len(t) <= 31 and not re.search(r"[\[\]:*?/\\]", t) for t in titles)


# ---------------------------------------------------------------- web


@pytest.mark.parametrize(("user", "place"), MATRIX)
def test_web_report_role_territory_matrix(
    client: Any, rw: ReportWorld, user: str, place: str
) -> None:
    client.force_login(rw.world.users[user])
    before = _report_audits()
    url = f"{REPORT_URL}?territory={TERRITORIES[place]}&{QUERY}"
    response = client.get(url)
    outcome = expected(user, place)
    if outcome is None:
        assert response.status_code == 404
        assert client.get(url.replace(REPORT_URL, REPORT_URL + "pdf/")).status_code == 404
        assert _report_audits() == before
        return
    assert response.status_code == 200
    text = response.content.decode()
    if SHOWS[place]:
        assert SHOWS[place] in text
    if outcome == "own":
        assert "Bayu" not in text and "Citra" not in text
    assert _report_audits() == before + 1


def test_web_downloads_are_audited_exports(client: Any, rw: ReportWorld) -> None:
    client.force_login(rw.world.users["pengurus.rw006"])
    pdf = client.get(f"{REPORT_URL}pdf/?territory=33.74.02.1006.006&{QUERY}&lang=en")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"{REPORT_URL}xlsx/?territory=33.74.02.1006.006&{QUERY}")
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[1:] == ["Ani", "Bayu"]
    exports = AuditEntry.objects.filter(object_type="assessment.volunteer_report", action="export")
    assert exports.count() == 2


def test_web_bad_dates_answer_400_with_the_reason(client: Any, rw: ReportWorld) -> None:
    client.force_login(rw.world.users["pengurus.rw006"])
    response = client.get(f"{REPORT_URL}?territory=33.74.02.1006.006&from=2026-10-31&to=2026-10-01")
    assert response.status_code == 400
    assert "after it ends" in response.content.decode() or "2026-10-31" in response.content.decode()
    assert _report_audits() == 0


def test_web_default_opens_the_users_area(client: Any, rw: ReportWorld) -> None:
    client.force_login(rw.world.users["pengurus.rw006"])
    response = client.get(REPORT_URL)
    assert response.status_code == 200
    assert response.context["report"].territory.code == "33.74.02.1006.006"
    client.force_login(rw.world.users["warga.rt003"])
    assert client.get(REPORT_URL).status_code == 404


def test_web_page_queries_bounded(
    client: Any, rw: ReportWorld, django_assert_max_num_queries: Any
) -> None:
    client.force_login(rw.world.users["admin"])
    with django_assert_max_num_queries(45):
        assert client.get(f"{REPORT_URL}?territory=33.74&{QUERY}").status_code == 200


@pytest.mark.parametrize(
    ("user", "place", "allowed"),
    [
        ("pengurus.rw006", "rw006", True),
        ("lurah.panggunglor", "rw006", True),
        ("pengurus.rw006", "rw007", False),
        ("relawan.rw006", "rw006", False),
        ("warga.rt003", "rw006", False),
        ("puskesmas.bandarharjo", "rw006", False),
    ],
)
def test_web_narrative_matrix(
    client: Any, rw: ReportWorld, user: str, place: str, allowed: bool
) -> None:
    client.force_login(rw.world.users[user])
    response = client.post(
        f"{REPORT_URL}narasi/",
        {
            "territory": TERRITORIES[place],
            "from": "2026-10-01",
            "to": "2026-10-31",
            "text": "Semua berjalan baik.",
        },
    )
    if allowed:
        assert response.status_code == 302
        assert ReportNarrative.objects.get().text == "Semua berjalan baik."
        assert Contribution.objects.filter(kind="report_narrative").count() == 1
    else:
        assert response.status_code == 404
        assert not ReportNarrative.objects.exists()
        assert not Contribution.objects.filter(kind="report_narrative").exists()


def test_web_narrative_about_a_volunteer_out_of_area_is_404(client: Any, rw: ReportWorld) -> None:
    client.force_login(rw.world.users["pengurus.rw006"])
    response = client.post(
        f"{REPORT_URL}narasi/",
        {
            "territory": TERRITORIES["rw006"],
            "from": "2026-10-01",
            "to": "2026-10-31",
            "text": "x",
            "volunteer": rw.citra.pk,
        },
    )
    assert response.status_code == 404
    assert not ReportNarrative.objects.exists()


# ---------------------------------------------------------------- API


@pytest.mark.parametrize(("user", "place"), MATRIX)
def test_api_report_role_territory_matrix(api: Api, rw: ReportWorld, user: str, place: str) -> None:
    before = _report_audits()
    response = api.get(f"{API_URL}?territory={TERRITORIES[place]}&{QUERY}", user)
    outcome = expected(user, place)
    if outcome is None:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert _report_audits() == before
        return
    assert response.status_code == 200
    body = response.json()
    names = [v["name"] for v in body["volunteers"]]
    assert body["own_only"] is (outcome == "own")
    assert SHOWS[place] is None or SHOWS[place] in names
    if outcome == "own":
        assert names == ["Ani"]
    assert body["period"] == {"from": "2026-10-01", "to": "2026-10-31"}
    assert _report_audits() == before + 1


def test_api_report_figures_and_files(api: Api, rw: ReportWorld) -> None:
    response = api.get(f"{API_URL}?territory=33.74.02.1006.006&{QUERY}", "pengurus.rw006")
    body = response.json()
    ani = next(v for v in body["volunteers"] if v["name"] == "Ani")
    assert ani["current"]["hours"] == 6.0 and ani["previous"]["hours"] == 4.0
    assert ani["current"]["tasks_by_kind"]["manual"] == 1
    assert body["total"]["current"]["on_time_rate"] == 50.0
    assert body["previous_period"] == {"from": "2026-08-31", "to": "2026-09-30"}
    pdf = api.get(f"{API_URL}?territory=33.74.02.1006.006&{QUERY}&format=pdf", "pengurus.rw006")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = api.get(f"{API_URL}?territory=33.74.02.1006.006&{QUERY}&format=xlsx&lang=en", "admin")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "Summary"


def test_api_report_refusals(api: Api, rw: ReportWorld) -> None:
    bad = api.get(f"{API_URL}?territory=33.74.02.1006.006&from=2026-10-31&to=2026-10-01", "admin")
    assert bad.status_code == 422 and "to" in bad.json()["fields"]
    rt = api.get(f"{API_URL}?territory=33.74.02.1006.006.003&{QUERY}", "admin")
    assert rt.status_code == 422 and "territory" in rt.json()["fields"]
    assert api.get(f"{API_URL}?territory=33.99&{QUERY}", "admin").status_code == 404
    assert api.get(f"{API_URL}?territory=33.74&{QUERY}").status_code == 401
    assert _report_audits() == 0


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("pengurus.rw006", 200),
        ("lurah.panggunglor", 200),
        ("relawan.rw006", 404),
        ("pengurus.rt003", 404),
    ],
)
def test_api_narrative_matrix(api: Api, rw: ReportWorld, user: str, status: int) -> None:
    body = {
        "territory": "33.74.02.1006.006",
        "period_from": "2026-10-01",
        "period_to": "2026-10-31",
        "text": "Catatan koordinator.",
        "volunteer": rw.ani.pk,
    }
    response = api.call("PUT", f"{API_URL}/narrative", user, body)
    assert response.status_code == status
    assert ReportNarrative.objects.filter(volunteer=rw.ani).exists() is (status == 200)
    if status == 200:
        assert response.json()["saved"] is True


# ---------------------------------------------------------------- CLI


def test_cli_writes_pdf_and_xlsx(rw: ReportWorld, tmp_path: Any) -> None:
    pdf = tmp_path / "laporan.pdf"
    out = io.StringIO()
    call_command(
        "report",
        "relawan",
        "--territory",
        "33.74.02.1006",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        "--out",
        str(pdf),
        "--user",
        "lurah.panggunglor",
        stdout=out,
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "3 volunteers" in out.getvalue()
    xlsx = tmp_path / "laporan.xlsx"
    call_command(
        "report",
        "relawan",
        "--territory",
        "33.74.02.1006.006",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        "--format",
        "xlsx",
        "--out",
        str(xlsx),
        "--as",
        "relawan.rw006",
        "--lang",
        "en",
        stdout=io.StringIO(),
    )
    assert load_workbook(xlsx).sheetnames == ["Summary", "Ani"]
    exports = AuditEntry.objects.filter(
        object_type="assessment.volunteer_report", action="export"
    ).order_by("id")
    assert [e.actor.username for e in exports] == ["lurah.panggunglor", "relawan.rw006"]
    assert _report_audits() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-10-32", "--to", "2026-10-31"], "YYYY-MM-DD"),
        (["--from", "2026-10-31", "--to", "2026-10-01"], "after it ends"),
        (["--territory", "99.99"], "Unknown territory"),
        (["--territory", "33.74.02.1006.007", "--user", "pengurus.rw006"], "outside your area"),
        (["--territory", "33.74.02.1006.006.003"], "not an RT"),
    ],
)
def test_cli_refusals_exit_2(rw: ReportWorld, tmp_path: Any, args: list[str], message: str) -> None:
    base = {
        "--territory": "33.74.02.1006.006",
        "--from": "2026-10-01",
        "--to": "2026-10-31",
        "--user": "admin",
    }
    for key, value in zip(args[::2], args[1::2], strict=True):
        base[key] = value
    argv = [item for pair in base.items() for item in pair]
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match=message) as info:
        call_command("report", "relawan", *argv, "--out", str(out))
    assert info.value.returncode == 2
    assert not out.exists()
    assert _report_audits() == 0
