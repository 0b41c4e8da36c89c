"""Cell parsers and header detection of the importer (no database)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from siaga.registry.identity import IdentityError, normalise_phone
from siaga.registry.importing import parsing
from siaga.registry.importing.headers import detect, normalise_header
from siaga.registry.importing.parsing import CellError

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    "value",
    [
        "17-08-1985",
        "17/08/1985",
        "17/8/85",
        "1985-08-17",
        "17 Agustus 1985",
        "17 Agt 1985",
        "17-Agu-1985",
        "17 August 1985",
        "17.08.1985",
        "17081985",
        dt.datetime(1985, 8, 17),
        dt.date(1985, 8, 17),
        31276,  # Excel serial
        31276.0,
    ],
)
def test_dates_in_the_forms_people_type(value) -> None:
    assert parsing.parse_date(value, today=TODAY) == dt.date(1985, 8, 17)


def test_two_digit_years_resolve_to_the_past() -> None:
    assert parsing.parse_date("01-01-20", today=TODAY) == dt.date(2020, 1, 1)
    assert parsing.parse_date("01-12-99", today=TODAY) == dt.date(1999, 12, 1)
    # the latest such date not after today: 2026 until 1 December 2026, then 1926
    assert parsing.parse_date("01-12-26", today=TODAY, check_birth=False) == dt.date(1926, 12, 1)
    assert parsing.parse_date("30/11/26", today=TODAY, check_birth=False) == dt.date(2026, 11, 30)


@pytest.mark.parametrize("value", ["31-02-1990", "17-13-1990", "kemarin", "01-01-1850"])
def test_bad_dates_are_refused(value) -> None:
    with pytest.raises(CellError):
        parsing.parse_date(value, today=TODAY)


def test_future_birth_date_is_refused_like_the_services() -> None:
    with pytest.raises(CellError, match="future"):
        parsing.parse_date("01-01-2999", today=TODAY)


@pytest.mark.parametrize(
    "value",
    [
        "3374021708850001",
        "3374 0217 0885 0001",
        "3374.0217.0885.0001",
        "'3374021708850001",
        3374021708850001,
    ],
)
def test_nik_as_text_number_spaces_dots_apostrophe(value) -> None:
    assert parsing.parse_nik(value) == "3374021708850001"


@pytest.mark.parametrize(
    "value",
    ["3.37402E+15", "3,37402E+15", 3.37402e15, 3374021708850010, 3374021708850010.0, 1.5],
)
def test_nik_that_excel_turned_into_a_number_is_rejected_not_padded(value) -> None:
    with pytest.raises(CellError, match="Text"):
        parsing.parse_nik(value)


def test_nik_ending_in_zero_typed_as_text_is_kept() -> None:
    assert parsing.parse_nik("3374021708850010") == "3374021708850010"


def test_invalid_nik_reason_comes_from_identity_rules() -> None:
    with pytest.raises(CellError, match="31"):
        parsing.parse_nik("3374023102900001")  # 31 February
    with pytest.raises(CellError, match="16 digits"):
        parsing.parse_nik("33740217")


def test_kk_rules() -> None:
    assert parsing.parse_kk("'3374 0215 0811 0001") == "3374021508110001"
    assert parsing.parse_kk("") == ""
    with pytest.raises(CellError, match="Text"):
        parsing.parse_kk(3374021508110000)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("L", "L"),
        ("p", "P"),
        ("Laki-laki", "L"),
        ("Perempuan", "P"),
        ("Pria", "L"),
        ("Wanita", "P"),
        ("LK", "L"),
        ("", ""),
    ],
)
def test_sex(value, expected) -> None:
    assert parsing.parse_sex(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "0812-3456-7890",
        "0812 3456 7890",
        "6281234567890",
        "+62 812 3456 7890",
        "81234567890",
        81234567890,
    ],
)
def test_phone_forms(value) -> None:
    assert parsing.parse_phone(value) == "+6281234567890"


def test_invalid_phone_is_reported() -> None:
    with pytest.raises(CellError):
        parsing.parse_phone("12345")
    with pytest.raises(CellError):
        parsing.parse_phone("0800 1")


def test_phone_shortcut_agrees_with_identity_rules() -> None:
    rng = random.Random(7)
    samples = []
    for _ in range(3000):
        digits = "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(7, 13)))
        prefix = rng.choice(["0", "62", "+62", "", "08", "8", "021", "0800"])
        samples.append(prefix + digits)
    for value in samples:
        try:
            expected = normalise_phone(value)
        except IdentityError:
            expected = None
        try:
            got = parsing.parse_phone(value)
        except CellError:
            got = None
        assert got == expected, value


@pytest.mark.parametrize("value", ["3", "03", "003", "RT 03", "RT.003", "rt:3", 3, 3.0])
def test_rt_numbers(value) -> None:
    assert parsing.parse_number(value, "RT") == 3


def test_rt_rw_pair_and_bad_numbers() -> None:
    assert parsing.parse_rt_rw("003/006") == (3, 6)
    assert parsing.parse_rt_rw("RT 03 RW 06") == (3, 6)
    with pytest.raises(CellError):
        parsing.parse_number("tiga", "RT")
    with pytest.raises(CellError):
        parsing.parse_number("0", "RT")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Kepala Keluarga", "kepala"),
        ("ISTRI", "istri"),
        ("Anak Kandung", "anak"),
        ("Orang Tua", "orang_tua"),
        ("famili_lain", "famili_lain"),
        ("4", "anak"),
        ("Wife", "istri"),
    ],
)
def test_relations(value, expected) -> None:
    assert parsing.parse_relation(value) == expected


def test_unknown_relation() -> None:
    with pytest.raises(CellError):
        parsing.parse_relation("tetangga")


def test_place_and_date_of_birth() -> None:
    assert parsing.parse_place_and_date("Semarang, 17-08-1985", today=TODAY) == (
        "Semarang",
        dt.date(1985, 8, 17),
    )


def test_headers_in_any_order_case_and_punctuation() -> None:
    mapping = detect(
        [
            "No.",
            "NAMA LENGKAP",
            "No. Kartu Keluarga",
            "Nomor Induk Kependudukan",
            "l/p",
            "Tgl. Lahir (dd-mm-yyyy)",
            "Tempat Lahir",
            "alamat",
            "R T",
            "rw",
            "Kelurahan / Desa",
            "No. Telp",
            "Status Hubungan Dalam Keluarga",
            "Pekerjaan",
        ]
    )
    assert mapping.columns == {
        "name": 1,
        "kk": 2,
        "nik": 3,
        "sex": 4,
        "birth_date": 5,
        "birth_place": 6,
        "address": 7,
        "rt": 8,
        "rw": 9,
        "kelurahan": 10,
        "phone": 11,
        "relation": 12,
    }
    assert mapping.ignored == ["No.", "Pekerjaan"]


def test_english_headers() -> None:
    mapping = detect(["Name", "Sex", "Date of birth", "Phone", "NIK", "Relation", "Address"])
    assert set(mapping.columns) == {
        "name",
        "sex",
        "birth_date",
        "phone",
        "nik",
        "relation",
        "address",
    }


def test_normalise_header() -> None:
    assert normalise_header("No. Kartu Keluarga (16 digit)") == "nokartukeluarga"
