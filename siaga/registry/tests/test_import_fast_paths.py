"""The importer's shortcuts give exactly the answers of the general paths they stand in for."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection

from siaga.core import audit
from siaga.core.models import AuditEntry
from siaga.registry.importing import ResidentImport, open_source, parsing, service, writing
from siaga.registry.importing.compact import FirstRows
from siaga.registry.importing.parsing import CellError
from siaga.registry.models import Resident
from siaga.registry.tests.import_helpers import family, kk, nik, write_csv

TODAY = dt.date(2026, 11, 30)


def _outcome(parse, value):
    try:
        return ("ok", parse(value))
    except CellError as exc:
        return ("refused", str(exc))


def test_nik_shortcut_answers_as_parse_nik() -> None:
    fast = parsing.nik_parser(TODAY)
    prefix = "337402170890"
    values: list[object] = [
        prefix + "0001",  # accepted: the prefix is remembered
        prefix + "0002",  # answered by the shortcut
        prefix + "0000",  # same prefix, serial 0000: still refused
        "337402170890٠٠١٢",  # non-ASCII digits never take the shortcut
        " " + prefix + "0003",  # spaces: the general path
        "3374021708900004.0",
        "3374023208900001",  # day 32: refused
        "3374023208900002",  # refused again (refusals are not remembered)
        "9974021708900001",  # not a province
        "3.37402E+15",
        3374021708900005,
        "",
        None,
    ]
    rng = random.Random(7)
    for _ in range(300):  # random prefixes, some valid, some not, each several times
        day = rng.choice([1, 17, 29, 31, 45, 71, 72, 0])
        month = rng.choice([1, 2, 12, 13])
        region = rng.choice(["02", "00"])
        serial = rng.choice([0, 1, 9999])
        values.append(f"3374{region}{day:02d}{month:02d}{rng.randrange(100):02d}{serial:04d}")
    values += values  # the second time round prefixes are known
    for value in values:
        assert _outcome(fast, value) == _outcome(
            lambda v: parsing.parse_nik(v, today=TODAY), value
        ), value


def test_created_changes_equal_the_audit_diff() -> None:
    values = {
        "nik": "",
        "name": "Siti",
        "sex": "P",
        "birth_date": dt.date(1990, 8, 17),
        "birth_place": "",
        "phone": "+6281234567890",
        "household": None,
        "relation": "istri",
        "rt": 3374020100600300,
        "status": "tetap",
    }
    expected = audit.diff({}, {**values, **writing._CREATE_DEFAULTS})
    assert writing._created_changes(values) == expected
    assert list(writing._created_changes(values)) == list(expected)


def _import(world, path, **kwargs):
    return ResidentImport(
        actor=world.users["pengurus.rw006"],
        source=open_source(path),
        territory="33.74.02.1006.006",
        **kwargs,
    )


def test_chunks_of_two_rows_find_duplicates_and_existing_residents_across_chunks(
    world, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(service, "CHUNK_ROWS", 2)
    rows = family(1) + family(2) + family(3)
    rows.append([8, nik(2), kk(1), "Joko Lagi", "L", "", "", "", "3", "6", "", ""])  # row 8
    rows.append([9, nik(4), kk(2), "Joko Dua", "L", "", "", "", "3", "6", "", ""])  # row 9
    path = write_csv(tmp_path / "chunks.csv", rows)
    result = _import(world, path).run()
    assert (result.created, result.rejected) == (6, 2)
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "row 2" in messages[(8, "NIK")] and "row 4" in messages[(9, "NIK")]
    assert result.households_created == 3
    created = Resident.objects.filter(nik__in=[row[1] for row in rows[:6]])
    assert created.count() == 6
    assert (
        AuditEntry.objects.filter(
            object_type="registry.resident",
            object_id__in=[str(pk) for pk in created.values_list("pk", flat=True)],
            action="create",
            summary__contains=result.import_id,
        ).count()
        == 6
    )

    again = _import(world, path).run()  # every existing resident found, chunk after chunk
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 6, 2)


def test_existing_residents_are_found_among_thousands_of_niks(world, tmp_path) -> None:
    rows = []
    for serial in range(1, 2501):  # one chunk holds more NIKs than SQLite's 999 parameters
        rows.append([serial, nik(serial), "", f"Warga {serial}", "L", "", "", "", "3", "6", "", ""])
    path = write_csv(tmp_path / "many.csv", rows)
    first = _import(world, path).run()
    assert first.created == 2500 and first.rejected == 0
    rows[1234][3] = "Warga Berganti Nama"
    again = _import(world, write_csv(tmp_path / "many2.csv", rows)).run()
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2499)
    assert Resident.objects.get(nik=nik(1235)).name == "Warga Berganti Nama"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite page cache only")
def test_sqlite_page_cache_is_restored_after_the_import(world, tmp_path) -> None:
    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return int(cursor.fetchone()[0])

    before = cache_size()
    _import(world, write_csv(tmp_path / "p.csv", family(1))).run()
    assert cache_size() == before != -writing.SQLITE_WRITE_CACHE_KIB


def test_first_rows_answers_as_a_dict_across_frozen_runs() -> None:
    rng = random.Random(3)
    compact, plain = FirstRows(run_size=7), dict[int, int]()
    keys = [3374021708900000 + rng.randrange(60) for _ in range(400)]
    for row, key in enumerate(keys, start=2):
        assert compact.setdefault(key, row) == plain.setdefault(key, row)
    assert len(compact) == len(plain)
    assert compact.setdefault(9999999999999999, 1) == 1  # the largest NIK fits 64 bits
