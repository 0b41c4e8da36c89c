"""`siaga territory load`."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from siaga.core.tests.cli_helpers import run_siaga
from siaga.territory.models import Territory
from siaga.territory.reference import ATTRIBUTION

pytestmark = pytest.mark.django_db

CSV = """code,name
33,Jawa Tengah
33.74,Kota Semarang
33.74.02,Semarang Utara
33.74.02.1006,Panggung Lor
33.74.02.1006.006,RW 006
33.74.02.1006.006.003,RT 003
"""


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are checked in their English source form, whatever the default language.
    with translation.override("en"):
        yield


def run(*args: str, stderr: io.StringIO | None = None) -> str:
    out = io.StringIO()
    call_command("territory", *args, stdout=out, stderr=stderr or io.StringIO())
    return out.getvalue()


def test_load_csv_then_again_reports_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "wilayah.csv"
    path.write_text(CSV)
    assert "6 created, 0 updated, 0 unchanged" in run("load", str(path))
    assert Territory.objects.get(code="33.74.02.1006.006.003").name == "RT 003"
    output = run("load", str(path))
    assert "0 created, 0 updated, 6 unchanged" in output
    assert ATTRIBUTION not in output  # only the packaged list carries its attribution


def test_packaged_list_with_prefix_prints_the_attribution() -> None:
    output = run("load", "--prefix", "33.74.02")
    # Jawa Tengah, Kota Semarang, Semarang Utara and its 9 kelurahan.
    assert "12 created" in output
    assert ATTRIBUTION in output
    assert set(
        Territory.objects.filter(code__startswith="33.74.02.").values_list("name", flat=True)
    ) >= {"Bandarharjo", "Panggung Lor", "Dadapsari"}
    assert not Territory.objects.filter(code="33.74.03").exists()


def test_errors_name_the_problem_and_write_nothing(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        run("load", str(tmp_path / "missing.csv"))
    orphan = tmp_path / "orphan.csv"
    orphan.write_text("33,Jawa Tengah\n33.74.02.1006,Panggung Lor\n")
    with pytest.raises(CommandError, match=r"no parent.*33\.74\.02\.1006"):
        run("load", str(orphan))
    with pytest.raises(CommandError, match=r"33\.99"):
        run("load", "--prefix", "33.99")
    assert not Territory.objects.exists()


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "wilayah.csv"
    path.write_text(CSV)
    piped = io.StringIO()
    run("load", str(path), stderr=piped)
    assert piped.getvalue() == ""
    terminal = FakeTerminal()
    run("load", str(path), stderr=terminal)
    assert "/6 [" in terminal.getvalue()  # a tqdm bar counting the 6 codes


def test_console_exit_status_and_message_on_error(tmp_path: Path) -> None:
    result = run_siaga(tmp_path, "territory", "load", str(tmp_path / "missing.csv"))
    assert result.returncode == 1
    assert "missing.csv" in result.stderr
    assert "Traceback" not in result.stderr
