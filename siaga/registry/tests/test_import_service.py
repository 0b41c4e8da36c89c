"""The residents import engine: mapping, validation, all-or-nothing writes, scope, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.core import audit
from siaga.core.models import AuditEntry
from siaga.registry.importing import ImportRefused, ResidentImport, open_source, service
from siaga.registry.models import Household, Resident
from siaga.registry.tests.import_helpers import HEADER, family, kk, nik, write_csv
from siaga.territory.models import Territory


def job(world, path, user="pengurus.rw006", territory="33.74.02.1006.006", **kwargs):
    return ResidentImport(
        actor=world.users[user], source=open_source(path), territory=territory, **kwargs
    )


def snapshot():
    return (
        sorted(Resident.objects.values_list("nik", "name", "rt_id", "household_id", "phone")),
        Household.objects.count(),
        AuditEntry.objects.count(),
    )


def test_import_creates_residents_households_and_audits(world, tmp_path) -> None:
    path = write_csv(tmp_path / "warga.csv", family(1) + family(2, rt="004"))
    result = job(world, path).run()
    assert (result.created, result.updated, result.unchanged, result.rejected) == (4, 0, 0, 0)
    assert result.households_created == 2
    head = Resident.objects.get(nik=nik(2))
    assert head.rt == world.t["rt003"]
    assert head.phone == "+6281234567890"
    assert head.birth_date == dt.date(1990, 8, 17)
    assert head.relation == "kepala"
    household = Household.objects.get(kk=kk(1))
    assert household.head == head
    assert household.address == "Jl. Melati 1"
    wife = Resident.objects.get(nik=nik(3, day=1, month=2, year=92, female=True))
    assert (wife.sex, wife.birth_date, wife.household, wife.phone) == (
        "P",
        dt.date(1992, 2, 1),
        household,
        "",
    )
    assert Resident.objects.get(nik=nik(4)).rt == world.t["rt004"]
    entries = AuditEntry.objects.filter(object_type="registry.resident", object_id=str(head.pk))
    assert [(e.action, e.actor.username) for e in entries] == [("create", "pengurus.rw006")]
    assert result.import_id in entries[0].summary and "warga.csv" in entries[0].summary
    assert entries[0].changes["nik"] == [None, nik(2)]
    assert AuditEntry.objects.filter(object_type="registry.household", action="create").count() >= 2
    summary = AuditEntry.objects.get(action="import", object_id=result.import_id)
    assert summary.changes["created"] == 4
    assert summary.territory_id == world.t["rw006"].id


def test_running_the_same_file_again_changes_nothing(world, tmp_path) -> None:
    path = write_csv(tmp_path / "warga.csv", family(1) + family(2))
    job(world, path).run()
    before = snapshot()
    again = job(world, path).run()
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 4, 0)
    assert snapshot()[:2] == before[:2]
    # only the import's own summary entry is added
    assert snapshot()[2] == before[2] + 1


def test_existing_nik_updates_only_given_fields(world, tmp_path) -> None:
    existing = world.residents["rt003"]
    rows = [[1, existing.nik, "", "Budi Baru", "", "", "", "", "3", "6", "0813 1111 2222", ""]]
    result = job(world, write_csv(tmp_path / "u.csv", rows)).run()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    existing.refresh_from_db()
    assert existing.name == "Budi Baru"
    assert existing.phone == "+6281311112222"
    assert existing.sex == "L" and existing.birth_date == dt.date(1985, 8, 17)  # kept
    assert existing.household == world.households["rt003"]  # empty KK keeps the household
    entry = AuditEntry.objects.get(object_id=str(existing.pk), action="update")
    assert entry.changes["name"] == ["Budi rt003", "Budi Baru"]
    assert "sex" not in entry.changes


def test_resident_outside_scope_is_rejected_without_revealing_it(world, tmp_path) -> None:
    outsider = world.residents["bandar_rt001"]
    rows = [[1, outsider.nik, "", "Someone", "L", "", "", "", "3", "6", "", ""]]
    before = snapshot()
    result = job(world, write_csv(tmp_path / "o.csv", rows)).run()
    assert result.rejected == 1 and result.updated == 0
    message = result.errors[0].message
    assert outsider.name not in message and "Budi" not in message
    assert "outside" in message
    outsider.refresh_from_db()
    assert outsider.name == "Budi bandar_rt001"
    assert snapshot()[:2] == before[:2]


def test_household_outside_scope_is_rejected(world, tmp_path) -> None:
    foreign_kk = world.households["bandar_rt001"].kk
    rows = [[1, nik(50), foreign_kk, "Ani", "P", "", "", "", "3", "6", "", "Anak"]]
    result = job(world, write_csv(tmp_path / "k.csv", rows)).run()
    assert result.rejected == 1
    assert result.errors[0].column == "No KK"
    assert not Resident.objects.filter(nik=nik(50)).exists()


def test_duplicates_in_the_file_name_both_rows(world, tmp_path) -> None:
    rows = family(1)
    rows.append([3, nik(2), kk(1), "Joko Lagi", "L", "", "", "", "3", "6", "", ""])
    result = job(world, write_csv(tmp_path / "d.csv", rows)).validate()
    assert result.rejected == 1
    error = result.errors[0]
    assert error.row == 4 and "2" in error.message and error.column == "NIK"


def test_row_numbers_and_columns_match_the_spreadsheet(world, tmp_path) -> None:
    rows = family(1)
    rows[1][6] = "31-02-1992"
    rows[1][10] = "12345"
    rows[0][4] = "X"
    result = job(world, write_csv(tmp_path / "e.csv", rows)).validate()
    found = {(e.row, e.column, e.value) for e in result.errors}
    assert found == {(2, "L/P", "X"), (3, "Tgl Lahir", "31-02-1992"), (3, "No HP", "12345")}
    assert result.rejected == 2
    assert result.as_dict()["errors"][0]["row"] == 2


def test_validation_writes_nothing(world, tmp_path) -> None:
    before = snapshot()
    result = job(world, write_csv(tmp_path / "v.csv", family(1))).validate()
    assert result.created == 2 and result.households_created == 1 and result.dry_run
    assert snapshot() == before


def test_a_failure_while_writing_leaves_nothing_behind(world, tmp_path, monkeypatch) -> None:
    rows = family(1) + family(2)
    before = snapshot()

    def explode(entries):
        raise RuntimeError("killed")

    monkeypatch.setattr(audit, "bulk_record", explode)
    with pytest.raises(RuntimeError):
        job(world, write_csv(tmp_path / "x.csv", rows)).run()
    assert snapshot() == before


def test_changes_between_validation_and_write_abort_the_whole_import(
    world, tmp_path, monkeypatch
) -> None:
    rows = family(1)
    before = snapshot()
    original = service.ResidentImport._check

    def check_then_someone_else_writes(self, **kwargs):
        checked = original(self, **kwargs)
        Resident.objects.create(nik=nik(2), name="Elsewhere", sex="L", rt=world.t["bandar_rt001"])
        return checked

    monkeypatch.setattr(service.ResidentImport, "_check", check_then_someone_else_writes)
    with pytest.raises(ImportRefused):
        job(world, write_csv(tmp_path / "c.csv", rows)).run()
    assert Resident.objects.filter(nik=nik(3, day=1, month=2, year=92, female=True)).count() == 0
    assert Household.objects.count() == before[1]


def test_missing_rt_needs_permission_to_create(world, tmp_path) -> None:
    rows = family(1, rt="9")
    result = job(world, write_csv(tmp_path / "m.csv", rows)).run()
    assert result.rejected == 2 and result.created == 0
    assert "RT 009" in result.errors[0].message
    result = job(world, write_csv(tmp_path / "m.csv", rows), create_missing=True).run()
    assert result.created == 2
    assert result.territories_created == ["33.74.02.1006.006.009"]
    rt = Territory.objects.get(code="33.74.02.1006.006.009")
    assert Resident.objects.get(nik=nik(2)).rt == rt


def test_kelurahan_import_creates_missing_rw_too(world, tmp_path) -> None:
    rows = family(1, rt="RT 01", rw="RW.010")
    result = job(
        world,
        write_csv(tmp_path / "rw.csv", rows),
        user="lurah.panggunglor",
        territory="33.74.02.1006",
        create_missing=True,
    ).run()
    assert result.created == 2
    assert Territory.objects.filter(code="33.74.02.1006.010").exists()
    assert Resident.objects.get(nik=nik(2)).rt.code == "33.74.02.1006.010.001"


def test_rt_import_ignores_missing_rt_columns(world, tmp_path) -> None:
    header = ["NIK", "Nama", "JK", "Tanggal Lahir"]
    rows = [[nik(7), "Ani", "Perempuan", "17 Agustus 1990"]]
    result = ResidentImport(
        actor=world.users["pengurus.rt003"],
        source=open_source(write_csv(tmp_path / "rt.csv", rows, header=header)),
    ).run()
    assert result.created == 1 and result.territory == "33.74.02.1006.006.003"
    assert Resident.objects.get(nik=nik(7)).sex == "P"


def test_territory_outside_scope_is_refused(world, tmp_path) -> None:
    path = write_csv(tmp_path / "s.csv", family(1))
    with pytest.raises(ImportRefused):
        job(world, path, territory="33.74.02.1001")
    with pytest.raises(ImportRefused):
        job(world, path, user="relawan.rw006")


def test_file_without_nik_or_name_columns_is_refused(world, tmp_path) -> None:
    path = write_csv(tmp_path / "n.csv", [["a", "b"]], header=["Foo", "Bar"])
    with pytest.raises(ImportRefused) as exc:
        job(world, path)
    assert "NIK" in exc.value.message


def test_detected_mapping_can_be_corrected(world, tmp_path) -> None:
    header = ["NIK", "Nama", "JK", "Kontak", "RT", "RW"]
    rows = [[nik(8), "Ani", "P", "0812 3456 7891", "3", "6"]]
    first = job(world, write_csv(tmp_path / "map.csv", rows, header=header))
    assert "phone" not in first.mapping.columns
    assert "Kontak" in first.mapping.ignored
    fixed = first.with_mapping({"phone": "Kontak"})
    assert fixed.mapping.as_dict()["fields"][
        [f["field"] for f in fixed.mapping.as_dict()["fields"]].index("phone")
    ]["header"] == ("Kontak")
    assert fixed.preview()[0] == (2, [nik(8), "Ani", "P", "0812 3456 7891", "3", "6"])
    fixed.run()
    assert Resident.objects.get(nik=nik(8)).phone == "+6281234567891"


def test_residents_without_nik_are_matched_on_the_next_import(world, tmp_path) -> None:
    rows = family(1)
    rows.append([3, "", kk(1), "Bayi", "P", "Semarang", "01-01-2024", "", "3", "6", "", "Anak"])
    path = write_csv(tmp_path / "bayi.csv", rows)
    assert job(world, path).run().created == 3
    again = job(world, path).run()
    assert (again.created, again.unchanged) == (0, 3)
    assert Resident.objects.filter(name="Bayi").count() == 1


def test_rows_of_one_kk_must_share_the_rt(world, tmp_path) -> None:
    rows = family(1)
    rows[1][8] = "4"
    result = job(world, write_csv(tmp_path / "kkrt.csv", rows)).validate()
    assert result.rejected == 1 and result.errors[0].row == 3


def test_xlsx_with_title_rows_numbers_and_dates(world, tmp_path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(["DATA WARGA RT 003 RW 006"])
    sheet.append([])
    sheet.append(HEADER)
    sheet.append(
        [
            1,
            int(nik(2)),
            int(kk(1)),
            "Joko",
            "Laki-laki",
            "Semarang",
            dt.datetime(1990, 8, 17),
            "Jl. A",
            3,
            6,
            81234567890,
            "Kepala Keluarga",
        ]
    )
    sheet.append(
        [2, 3374024102920000, kk(1), "Sri", "Wanita", "", 33636, "Jl. A", "003", "006", "", "Istri"]
    )
    sheet.append(
        [3, 3.37402e15, kk(1), "Ani", "P", "", "17/8/85", "Jl. A", "RT 03", "RW 06", "", "Anak"]
    )
    path = tmp_path / "judul.xlsx"
    workbook.save(path)
    imported = job(world, path)
    assert imported.mapping.header_row == 3
    result = imported.run()
    assert result.created == 1
    head = Resident.objects.get(nik=nik(2))
    assert head.birth_date == dt.date(1990, 8, 17) and head.phone == "+6281234567890"
    assert {e.row for e in result.errors} == {5, 6}
    assert all("Text" in e.message for e in result.errors if e.column == "NIK")
    assert not Resident.objects.filter(nik__startswith="33740241029200").exists()


def test_household_address_change_and_new_head_are_written_and_audited(world, tmp_path) -> None:
    household = world.households["rt003"]
    Household.objects.filter(pk=household.pk).update(head=None)
    head = world.residents["rt003"]
    rows = [
        [
            1,
            head.nik,
            household.kk,
            head.name,
            "L",
            "",
            "",
            "Jl. Baru 9",
            "3",
            "6",
            "",
            "Kepala Keluarga",
        ]
    ]
    checked = job(world, write_csv(tmp_path / "h.csv", rows)).validate()
    assert (checked.unchanged, checked.households_updated) == (1, 1)
    result = job(world, write_csv(tmp_path / "h.csv", rows)).run()
    assert result.households_updated == 1
    household.refresh_from_db()
    assert household.address == "Jl. Baru 9"
    assert household.head == head
    entry = AuditEntry.objects.get(object_type="registry.household", action="update")
    assert entry.changes == {"address": ["Jl. rt003 1", "Jl. Baru 9"]}
