"""Files the importer must refuse before parsing, the CLI, the rejected-rows report, the template."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from siaga.registry.importing import ImportRefused, ResidentImport, open_source
from siaga.registry.importing.template import import_template
from siaga.registry.models import Resident
from siaga.registry.tests.import_helpers import HEADER, family, nik, write_csv, write_xlsx


def test_size_limit_is_checked_first(tmp_path) -> None:
    path = write_csv(tmp_path / "big.csv", family(1))
    with pytest.raises(ImportRefused, match="limit"):
        open_source(path, max_bytes=100)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("data.pdf", b"%PDF-1.4", "Only .xlsx and .csv"),
        ("data.xlsx", b"NIK,Nama\n1,2\n", "not an Excel workbook"),
        ("data.csv", b"PK\x03\x04rest", "Excel workbook"),
        ("data.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls"),
        ("data.csv", b"NIK\x00Nama", "not a text file"),
        ("data.csv", b"", "empty"),
    ],
)
def test_wrong_type_is_refused(tmp_path, name, content, reason) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportRefused, match=reason):
        open_source(path)


def test_zip_bomb_is_refused_before_openpyxl(tmp_path, monkeypatch) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 50_000_000)
    assert path.stat().st_size < 200_000

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    with pytest.raises(ImportRefused, match="unpacked"):
        open_source(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path) -> None:
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportRefused, match="not an Excel workbook"):
        open_source(path)


def test_formula_cells_are_refused(world, tmp_path) -> None:
    rows = family(1)
    rows[1][3] = '=CONCAT("Sri", " Rahayu")'
    path = write_xlsx(tmp_path / "f.xlsx", rows)
    job = ResidentImport(
        actor=world.users["pengurus.rw006"], source=open_source(path), territory="33.74.02.1006.006"
    )
    with pytest.raises(ImportRefused, match="D3"):
        job.validate()
    assert not Resident.objects.filter(nik=nik(2)).exists()


def test_ten_megabyte_cell_is_refused(world, tmp_path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("NIK,Nama\n" + nik(2) + "," + "a" * 10_000_000 + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused):
        job = ResidentImport(
            actor=world.users["pengurus.rw006"],
            source=open_source(path, max_bytes=50_000_000),
            territory="33.74.02.1006.006",
        )
        job.validate()


def test_semicolon_csv_in_windows_encoding(world, tmp_path) -> None:
    path = tmp_path / "excel-id.csv"
    text = "NIK;Nama;JK;RT;RW\n" + f"{nik(2)};Joko Prawirodirdjo ‘Pak Jo’;L;3;6\n"
    path.write_bytes(text.encode("cp1252"))
    source = open_source(path)
    assert (source.delimiter, source.encoding) == (";", "cp1252")
    result = ResidentImport(
        actor=world.users["pengurus.rw006"], source=source, territory="33.74.02.1006.006"
    ).run()
    assert result.created == 1
    assert Resident.objects.get(nik=nik(2)).name == "Joko Prawirodirdjo ‘Pak Jo’"


def run_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_cli_json_output_and_report(world, tmp_path) -> None:
    rows = family(1)
    rows[1][6] = "31-02-1992"
    path = write_csv(tmp_path / "warga.csv", rows)
    report = tmp_path / "ditolak.xlsx"
    output = run_cli(
        "residents",
        str(path),
        "--territory",
        "33.74.02.1006.006",
        "--user",
        "pengurus.rw006",
        "--format",
        "json",
        "--report",
        str(report),
    )
    data = json.loads(output)
    assert set(data) == {"created", "updated", "unchanged", "rejected", "errors"}
    assert (data["created"], data["rejected"]) == (1, 1)
    assert data["errors"] == [
        {
            "row": 3,
            "column": "Tgl Lahir",
            "value": "31-02-1992",
            "message": data["errors"][0]["message"],
        }
    ]
    sheet = load_workbook(report).worksheets[0]
    rows_back = list(sheet.iter_rows(values_only=True))
    assert rows_back[0] == (*HEADER, "alasan")
    assert rows_back[1][1] == nik(3, day=1, month=2, year=92, female=True)
    assert "Tgl Lahir" in str(rows_back[1][-1])
    assert len(rows_back) == 2


def test_cli_dry_run_writes_nothing(world, tmp_path) -> None:
    path = write_csv(tmp_path / "warga.csv", family(1))
    output = run_cli(
        "residents",
        str(path),
        "--territory",
        "33.74.02.1006.006",
        "--user",
        "pengurus.rw006",
        "--dry-run",
    )
    assert "2 created" in output
    assert not Resident.objects.filter(nik=nik(2)).exists()


def test_cli_refusals_exit_with_status_2(world, tmp_path) -> None:
    path = write_csv(tmp_path / "warga.csv", family(1))
    cases = [
        ["--territory", "33.74.02.1001", "--user", "pengurus.rw006"],  # outside scope
        ["--territory", "33.74.02.1006.006", "--user", "nobody"],
    ]
    for extra in cases:
        with pytest.raises(CommandError) as exc:
            run_cli("residents", str(path), *extra)
        assert exc.value.returncode == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(CommandError) as exc:
        run_cli("residents", str(bad), "--user", "pengurus.rt003")
    assert exc.value.returncode == 2


def test_cli_csv_report(world, tmp_path) -> None:
    rows = family(1)
    rows[0][4] = "?"
    path = write_csv(tmp_path / "warga.csv", rows)
    report = tmp_path / "ditolak.csv"
    run_cli("residents", str(path), "--user", "pengurus.rt003", "--report", str(report))
    text = report.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].endswith(",alasan")
    assert nik(2) in text and len(text.splitlines()) == 2


def test_template_has_the_columns_and_an_example_that_imports(world, tmp_path) -> None:
    data = import_template()
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    header, _example = list(sheet.iter_rows(values_only=True))[:2]
    assert header[:3] == ("NIK", "No KK", "Nama Lengkap")
    assert sheet["A2"].number_format == "@"
    path = tmp_path / "template.xlsx"
    path.write_bytes(data)
    job = ResidentImport(
        actor=world.users["pengurus.rw006"], source=open_source(path), territory="33.74.02.1006.006"
    )
    assert set(job.mapping.columns) >= {"nik", "kk", "name", "sex", "birth_date", "rt", "rw"}
    result = job.validate()
    assert (result.created, result.rejected) == (1, 0), result.errors


def test_workbook_with_only_a_header_imports_nothing(world, tmp_path) -> None:
    workbook = Workbook()
    workbook.worksheets[0].append(["NIK", "Nama"])
    path = tmp_path / "kosong.xlsx"
    workbook.save(path)
    result = ResidentImport(actor=world.users["pengurus.rt003"], source=open_source(path)).run()
    assert (result.rows, result.created) == (0, 0)
