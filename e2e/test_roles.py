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


FASILITATOR = ("zones", "referrals", "decisions", "indicators")
PENGURUS = ("alerts", "isolating", "newcomers", "roster", "stock", "complaints", "quick")
SECTIONS = {
    "admin": FASILITATOR,
    "fasilitator.kota": FASILITATOR,
    "fasilitator.utara": FASILITATOR,
    "lurah.panggunglor": FASILITATOR,
    "puskesmas.bandarharjo": ("referral_inbox", "isolations_ending", "contacts_to_test"),
    "pengurus.rw006": PENGURUS,
    "pengurus.rt003": PENGURUS,
    "relawan.rw006": ("alerts", "visits", "tasks", "shifts"),
    "warga.rt003": ("household", "self_report", "vote", "feedback", "aid", "public"),
}


def nav_fits(page: Any) -> None:
    """Every main-menu entry is on screen (the menu wraps; nothing to scroll sideways to)."""
    width = page.viewport_size["width"]
    boxes = page.eval_on_selector_all(
        "nav.main-nav a",
        "links => links.map(a => { const r = a.getBoundingClientRect();"
        " return [a.textContent.trim(), r.left, r.right, r.width]; })",
    )
    assert boxes, "the main menu is empty"
    off = [label for label, left, right, w in boxes if left < 0 or right > width or w == 0]
    assert not off, f"menu entries off-screen at {width}px: {off}"
    overflow = page.eval_on_selector("nav.main-nav", "n => n.scrollWidth - n.clientWidth")
    assert overflow <= 0, f"the menu scrolls sideways by {overflow}px"


def test_login_page_works_on_a_phone(page: Any, artefacts: Path) -> None:
    page.goto("/akun/masuk/")
    checked(page, artefacts, "login")


@pytest.mark.parametrize("username", ACCOUNTS)
def test_each_role_lands_on_a_working_home(page: Any, artefacts: Path, username: str) -> None:
    login(page, username, PASSWORD)
    assert "/akun/masuk/" not in page.url
    checked(page, artefacts, f"home-{username}")
    for key in SECTIONS[username]:
        heading = page.locator(f"section#{key} h2")
        assert heading.count() == 1, f"{username}: no section {key}"
        assert heading.inner_text().strip(), f"{username}: section {key} has no heading"
    nav_fits(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    nav_fits(page)
    page.screenshot(path=str(artefacts / f"home-{username}-1280.png"))
