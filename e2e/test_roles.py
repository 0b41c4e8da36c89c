"""Each demo account logs in on a phone and lands on a page that works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from e2e.checks import checked, login
from e2e.conftest import PASSWORD

ACCOUNTS = [
    "admin",
    "fasilitator.kota",
    "fasilitator.utara",
    "lurah.panggunglor",
    "puskesmas.bandarharjo",
    "pengurus.rw006",
    "pengurus.rt003",
    "relawan.rw006",
    "warga.rt003",
]


def test_login_page_works_on_a_phone(page: Any, artefacts: Path) -> None:
    page.goto("/akun/masuk/")
    checked(page, artefacts, "login")


@pytest.mark.parametrize("username", ACCOUNTS)
def test_each_role_lands_on_a_working_home(page: Any, artefacts: Path, username: str) -> None:
    login(page, username, PASSWORD)
    assert "/akun/masuk/" not in page.url
    checked(page, artefacts, f"home-{username}")
