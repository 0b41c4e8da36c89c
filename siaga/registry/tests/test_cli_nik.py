"""`siaga nik`: decode NIKs on the console."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from siaga.core.tests.cli_helpers import run_siaga


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are checked in their English source form, whatever the default language.
    with translation.override("en"):
        yield


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("nik", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_valid_nik_shows_probable_region_names_birth_date_and_sex() -> None:
    output = run("3374025708850002")
    assert "33.74.02" in output
    assert "Semarang Utara, Kota Semarang, Jawa Tengah" in output
    assert "probably" in output
    assert "17-08-1985" in output
    assert "Female" in output


def test_old_region_code_is_decoded_but_marked_as_not_in_todays_list() -> None:
    # 91.01 was Kabupaten Merauke before the 2022 split of Papua (now 93.01).
    output = run("9101011708850001")
    assert "91.01.01" in output
    assert "not in today's list" in output


def test_invalid_nik_gives_the_reason_and_fails() -> None:
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("nik", "3374021708850001", "3374023102900001", stdout=out)
    assert "3374023102900001: INVALID" in out.getvalue()
    assert "calendar date" in out.getvalue()
    assert "3374021708850001: valid" in out.getvalue()


def test_json_format() -> None:
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("nik", "--format", "json", "3374 0217 0885 0001", "12", stdout=out)
    valid, invalid = json.loads(out.getvalue())
    assert valid["nik"] == "3374021708850001"
    assert valid["region_code"] == "33.74.02"
    assert valid["region_probable"] is True
    assert valid["kecamatan"] == "Semarang Utara"
    assert valid["birth_date"] == "1985-08-17"
    assert valid["sex"] == "L"
    assert invalid == {"input": "12", "valid": False, "error": "NIK must be exactly 16 digits"}


def test_console_exit_status(tmp_path: Path) -> None:
    ok = run_siaga(tmp_path, "nik", "3374021708850001")
    assert ok.returncode == 0, ok.stderr
    assert "Semarang Utara" in ok.stdout
    bad = run_siaga(tmp_path, "nik", "2074021708850001")
    assert bad.returncode == 1
    assert "2074021708850001" in bad.stdout
    assert bad.stderr.strip()
    assert "Traceback" not in bad.stderr
