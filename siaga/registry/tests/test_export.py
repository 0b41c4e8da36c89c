"""Exports of residents and households: scoped, audited, and importable back unchanged."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from openpyxl import load_workbook

from siaga.core.models import AuditEntry
from siaga.registry.exporting import export
from siaga.registry.importing import ResidentImport, open_source
from siaga.registry.models import Household, Resident
from siaga.registry.tests.import_helpers import family, write_csv


def read_csv(path):
    return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_residents_import_back_unchanged(world, tmp_path, fmt) -> None:
    user = world.users["lurah.panggunglor"]
    # richer data than the fixture: a phone, a birth place, a resident without NIK
    ResidentImport(
        actor=user,
        source=open_source(write_csv(tmp_path / "seed.csv", family(1) + family(2, rt="4"))),
        territory="33.74.02.1006.006",
    ).run()
    Resident.objects.create(name="Bayi Tanpa NIK", sex="P", rt=world.t["rt003"])
    out = tmp_path / f"warga.{fmt}"
    count = export(actor=user, kind="residents", territory="33.74.02.1006", fmt=fmt, out=out)
    in_place = Resident.objects.filter(rt__code__startswith="33.74.02.1006.").count()
    assert count == in_place == 11
    before = sorted(
        Resident.objects.values_list(
            "id", "nik", "name", "phone", "rt_id", "household_id", "birth_date", "relation"
        )
    )
    result = ResidentImport(actor=user, source=open_source(out), territory="33.74.02.1006").run()
    assert (result.created, result.updated, result.rejected) == (0, 0, 0), result.errors
    assert result.unchanged == count
    after = sorted(
        Resident.objects.values_list(
            "id", "nik", "name", "phone", "rt_id", "household_id", "birth_date", "relation"
        )
    )
    assert after == before


def test_export_is_scoped_and_audited(world, tmp_path) -> None:
    out = tmp_path / "rt.csv"
    user = world.users["pengurus.rt003"]
    assert (
        export(actor=user, kind="residents", territory="33.74.02.1006.006.003", fmt="csv", out=out)
        == 2
    )
    rows = read_csv(out)
    assert rows[0][:3] == ["NIK", "No KK", "Nama Lengkap"]
    assert {r[2] for r in rows[1:]} == {"Budi rt003", "Siti rt003"}
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.territory_id, entry.changes["rows"]) == (
        user,
        world.t["rt003"].id,
        2,
    )
    for territory in ("33.74.02.1006.006", "33.74.02.1001"):
        with pytest.raises(Http404):
            export(actor=user, kind="residents", territory=territory, fmt="csv", out=out)
    with pytest.raises(Http404):
        export(
            actor=world.users["relawan.rw006"],
            kind="residents",
            territory="33.74.02.1006.006",
            fmt="csv",
            out=out,
        )
    assert AuditEntry.objects.filter(action="export").count() == 1


def test_households_export_xlsx_keeps_numbers_as_text(world, tmp_path) -> None:
    out = tmp_path / "kk.xlsx"
    count = export(
        actor=world.users["fasilitator.utara"],
        kind="households",
        territory="33.74.02",
        fmt="xlsx",
        out=out,
    )
    assert count == Household.objects.filter(rt__code__startswith="33.74.02.").count() == 4
    sheet = load_workbook(out).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "No KK"
    kks = {r[0] for r in rows[1:]}
    assert world.households["rt003"].kk in kks and world.households["timur_rt001"].kk not in kks
    assert sheet["A2"].number_format == "@"
    head = next(r for r in rows[1:] if r[0] == world.households["rt003"].kk)
    assert head[5:] == (world.residents["rt003"].nik, "Budi rt003", 2)


def test_export_command(world, tmp_path) -> None:
    out = tmp_path / "warga.csv"
    stdout = io.StringIO()
    call_command(
        "export",
        "residents",
        "--territory",
        "33.74.02.1006.006",
        "--format",
        "csv",
        "--out",
        str(out),
        "--user",
        "pengurus.rw006",
        stdout=stdout,
    )
    assert "4" in stdout.getvalue() and len(read_csv(out)) == 5
    with pytest.raises(CommandError) as exc:
        call_command(
            "export",
            "households",
            "--territory",
            "33.74.03",
            "--out",
            str(out),
            "--user",
            "pengurus.rw006",
        )
    assert exc.value.returncode == 2
