"""NIK, No. KK and phone rules (ksch.md §3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import translation

from siaga.registry.identity import (
    IdentityError,
    decode_nik,
    nik_warnings,
    normalise_phone,
    validate_kk,
    validate_nik,
)

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are checked in their English source form, whatever the default language.
    with translation.override("en"):
        yield


def test_male_nik_decodes_region_birth_date_and_sex() -> None:
    info = decode_nik("3374021708850001", today=TODAY)
    assert info.province_code == "33"
    assert info.kabupaten_code == "33.74"
    assert info.kecamatan_code == "33.74.02"
    assert info.birth_date == dt.date(1985, 8, 17)
    assert info.sex == "L"
    assert info.serial == "0001"


def test_female_nik_has_day_plus_40() -> None:
    info = decode_nik("3374025708850002", today=TODAY)
    assert info.birth_date == dt.date(1985, 8, 17)
    assert info.sex == "P"
    assert decode_nik("3374027112990003", today=TODAY).birth_date == dt.date(1999, 12, 31)


@pytest.mark.parametrize("nik", ["2074021708850001", "9974021708850001", "1074021708850001"])
def test_province_that_never_existed_is_rejected(nik: str) -> None:
    with pytest.raises(IdentityError, match="province"):
        decode_nik(nik, today=TODAY)


@pytest.mark.parametrize("nik", ["9101011708850001", "2101011708850001", "9601011708850001"])
def test_historical_and_new_province_codes_are_accepted(nik: str) -> None:
    # 91.01 was Merauke before Papua's 2022 split: old NIKs keep it.
    assert decode_nik(nik, today=TODAY).province_code == nik[:2]


def test_zero_kabupaten_or_kecamatan_is_rejected() -> None:
    with pytest.raises(IdentityError):
        decode_nik("3300021708850001", today=TODAY)
    with pytest.raises(IdentityError):
        decode_nik("3374001708850001", today=TODAY)


@pytest.mark.parametrize(
    "nik",
    [
        "3374023102900001",  # 31 February
        "3374027102900001",  # 31 February, female
        "3374020013900001",  # month 13
        "3374020001900001",  # day 0
        "3374023201900001",  # day 32
        "3374027201900001",  # day 72 (female 32)
    ],
)
def test_impossible_birth_dates_are_rejected(nik: str) -> None:
    with pytest.raises(IdentityError):
        decode_nik(nik, today=TODAY)


def test_29_february_only_in_leap_years() -> None:
    assert decode_nik("3374022902000001", today=TODAY).birth_date == dt.date(2000, 2, 29)
    assert decode_nik("3374026902960001", today=TODAY).birth_date == dt.date(1996, 2, 29)
    # 2001 is not a leap year and neither is 1901 (only tried when 2001 would be in the future).
    with pytest.raises(IdentityError):
        decode_nik("3374022902010001", today=TODAY)


def test_29_february_in_the_future_falls_back_to_a_leap_year_a_century_earlier() -> None:
    # 29-02-28: 2028 is still to come, 1928 was a leap year.
    assert decode_nik("3374022902280001", today=TODAY).birth_date == dt.date(1928, 2, 29)
    # 29-02-27: neither 2027 nor 1927 had a 29 February.
    with pytest.raises(IdentityError):
        decode_nik("3374022902270001", today=TODAY)


def test_two_digit_year_resolves_to_the_past() -> None:
    assert decode_nik("3374021708250001", today=TODAY).birth_date == dt.date(2025, 8, 17)
    assert decode_nik("3374021708300001", today=TODAY).birth_date == dt.date(1930, 8, 17)
    # Later this year than today → last century.
    assert decode_nik("3374021712260001", today=TODAY).birth_date == dt.date(1926, 12, 17)
    assert decode_nik("3374020106260001", today=TODAY).birth_date == dt.date(2026, 6, 1)


def test_serial_0000_is_rejected() -> None:
    with pytest.raises(IdentityError, match="0000"):
        decode_nik("3374021708850000", today=TODAY)


@pytest.mark.parametrize(
    "value",
    ["337402170885001", "33740217088500011", "", "3374O21708850001", "3.37402E+15"],
)
def test_wrong_length_or_non_digits_is_rejected(value: str) -> None:
    with pytest.raises(IdentityError, match="16 digits"):
        decode_nik(value, today=TODAY)


@pytest.mark.parametrize(
    "value",
    ["3374 0217 0885 0001", "33.74.02.170885.0001", "'3374021708850001", " 3374021708850001 "],
)
def test_spaces_dots_and_spreadsheet_apostrophe_are_cleaned(value: str) -> None:
    assert decode_nik(value, today=TODAY).nik == "3374021708850001"
    assert validate_nik(value) == "3374021708850001"


def test_kk_rules() -> None:
    assert validate_kk("3374 0215 0801 0001") == "3374021508010001"
    with pytest.raises(IdentityError, match=r"No\. KK"):
        validate_kk("337402150801000")
    with pytest.raises(IdentityError, match="province"):
        validate_kk("9974021508010001")
    with pytest.raises(IdentityError, match="0000"):
        validate_kk("3374021508010000")
    with pytest.raises(IdentityError):
        validate_kk("3374001508010001")


@pytest.mark.parametrize(
    "value",
    ["0812-3456-7890", "0812 3456 7890", "6281234567890", "+62 812 3456 7890", "81234567890"],
)
def test_indonesian_mobile_numbers_normalise_to_e164(value: str) -> None:
    assert normalise_phone(value) == "+6281234567890"


def test_empty_phone_stays_empty() -> None:
    assert normalise_phone("  ") == ""


@pytest.mark.parametrize("value", ["12", "0812", "halo", "+62 1", "0000-0000-0000"])
def test_invalid_phone_numbers_are_rejected(value: str) -> None:
    with pytest.raises(IdentityError):
        normalise_phone(value)


def test_nik_warnings_flag_date_and_sex_mismatch_but_not_agreement() -> None:
    nik = "3374021708850001"  # 17-08-1985, male
    assert nik_warnings(nik, birth_date=dt.date(1985, 8, 17), sex="L") == []
    date_and_sex = nik_warnings(nik, birth_date=dt.date(1985, 8, 18), sex="P")
    assert len(date_and_sex) == 2
    assert "17-08-1985" in date_and_sex[0]
    assert nik_warnings("", birth_date=None, sex="L") == []
    assert nik_warnings("not a nik", birth_date=None, sex="L") == []
