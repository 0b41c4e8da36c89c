"""load_codes: the idempotent, all-or-nothing upsert of official territory codes."""

from __future__ import annotations

import pytest

from siaga.territory.models import Level, Territory
from siaga.territory.services import LoadResult, TerritoryError, load_codes

pytestmark = pytest.mark.django_db

ROWS = [
    ("33", "Jawa Tengah"),
    ("33.74", "Kota Semarang"),
    ("33.74.02", "Semarang Utara"),
    ("33.74.02.1006", "Panggung Lor"),
    ("33.74.03", "Semarang Timur"),
    ("33.74.03.1001", "Kemijen"),
    ("34", "DI Yogyakarta"),
    ("34.71", "Kota Yogyakarta"),
]


def stored() -> dict[str, str]:
    return dict(Territory.objects.values_list("code", "name"))


def test_load_creates_the_tree_with_levels_and_parents() -> None:
    result = load_codes(ROWS)
    assert result == LoadResult(created=8, updated=0, unchanged=0)
    kelurahan = Territory.objects.get(code="33.74.02.1006")
    assert kelurahan.level == Level.KELURAHAN
    assert kelurahan.parent is not None and kelurahan.parent.code == "33.74.02"
    assert kelurahan.parent.parent is not None and kelurahan.parent.parent.code == "33.74"
    assert Territory.objects.get(code="33").parent is None


def test_loading_twice_changes_nothing() -> None:
    load_codes(ROWS)
    before = stored()
    assert load_codes(ROWS) == LoadResult(created=0, updated=0, unchanged=8)
    assert stored() == before


def test_rename_counts_as_updated_and_changes_the_name() -> None:
    load_codes(ROWS)
    renamed = [(c, "Kota Semarang (baru)" if c == "33.74" else n) for c, n in ROWS]
    assert load_codes(renamed) == LoadResult(created=0, updated=1, unchanged=7)
    assert Territory.objects.get(code="33.74").name == "Kota Semarang (baru)"


def test_prefix_loads_the_subtree_and_its_ancestors_only() -> None:
    result = load_codes(ROWS, prefix="33.74.02")
    assert result.created == 4
    assert set(stored()) == {"33", "33.74", "33.74.02", "33.74.02.1006"}


def test_prefix_not_in_the_list_is_refused() -> None:
    with pytest.raises(TerritoryError, match=r"33\.74\.09"):
        load_codes(ROWS, prefix="33.74.09")
    with pytest.raises(TerritoryError):
        load_codes(ROWS, prefix="33.x")
    assert not Territory.objects.exists()


def test_missing_parent_is_refused_and_nothing_is_written() -> None:
    rows = [*ROWS, ("35.78.01", "Karang Pilang")]  # no 35, no 35.78
    with pytest.raises(TerritoryError, match=r"35\.78\.01"):
        load_codes(rows)
    assert not Territory.objects.exists()


def test_parent_already_in_the_database_is_enough() -> None:
    load_codes(ROWS)
    result = load_codes([("33.74.02.1006.006", "RW 006"), ("33.74.02.1006.006.003", "RT 003")])
    assert result.created == 2
    rt = Territory.objects.get(code="33.74.02.1006.006.003")
    assert rt.level == Level.RT
    assert rt.parent is not None and rt.parent.code == "33.74.02.1006.006"


def test_invalid_code_or_empty_name_refuses_the_whole_load() -> None:
    with pytest.raises(TerritoryError):
        load_codes([*ROWS, ("33.7", "Broken")])
    with pytest.raises(TerritoryError, match=r"34\.72"):
        load_codes([*ROWS, ("34.72", "")])
    assert not Territory.objects.exists()


def test_many_rows_across_statements_and_batches_with_progress() -> None:
    # More rows than one INSERT statement holds on either database, and several batches.
    rows = list(ROWS)
    for rw in range(1, 13):
        rows.append((f"33.74.02.1006.{rw:03d}", f"RW {rw:03d}"))
        rows += [(f"33.74.02.1006.{rw:03d}.{rt:03d}", f"RT {rt:03d}") for rt in range(1, 101)]
    calls: list[int] = []
    result = load_codes(rows, progress=calls.append, batch_size=500)
    assert result.created == len(rows) == 1220
    assert sum(calls) == len(rows)
    assert len(calls) > 1
    assert Territory.objects.filter(level=Level.RT).count() == 1200
    assert Territory.objects.get(code="33.74.02.1006.012.100").parent_id == (
        Territory.objects.get(code="33.74.02.1006.012").id
    )
    renamed = [(c, n + " (baru)") if c.endswith(".050") else (c, n) for c, n in rows]
    assert load_codes(renamed) == LoadResult(created=0, updated=12, unchanged=1208)  # RT 050s


def test_packaged_national_list_with_prefix_brings_kota_semarang() -> None:
    result = load_codes(prefix="33.74")
    # Jawa Tengah, Kota Semarang, its 16 kecamatan and 177 kelurahan (ksch.md §3).
    assert result.created == 1 + 1 + 16 + 177
    assert Territory.objects.get(code="33.74.02.1006").name == "Panggung Lor"
    assert Territory.objects.filter(level=Level.KECAMATAN).count() == 16
    assert load_codes(prefix="33.74").unchanged == result.created
