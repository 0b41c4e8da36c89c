"""The shift planner on a phone: the roster, a shift, Jadwal saya and the calendar address
(relawan), and a shift and a posko as a pengurus sees them (seat management, one-off shifts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e.checks import checked, login
from e2e.conftest import PASSWORD


def _first_shift(page: Any) -> None:
    page.goto("/relawan/jadwal/")
    link = page.locator("table a[href^='/relawan/jadwal/']").first
    if link.count():
        link.click()
        page.wait_for_load_state("networkidle")


def test_a_volunteer_plans_their_shifts_on_a_phone(page: Any, artefacts: Path) -> None:
    login(page, "relawan.rw006", PASSWORD)
    page.goto("/relawan/jadwal/")
    checked(page, artefacts, "relawan-roster")
    _first_shift(page)
    checked(page, artefacts, "relawan-shift")
    page.goto("/relawan/jadwal-saya/")
    checked(page, artefacts, "relawan-jadwal-saya")
    page.goto("/relawan/kalender/")
    checked(page, artefacts, "relawan-kalender")
    page.click("form button.primary")
    page.wait_for_load_state("networkidle")
    checked(page, artefacts, "relawan-kalender-issued")


def test_a_pengurus_manages_seats_and_one_off_shifts(page: Any, artefacts: Path) -> None:
    login(page, "pengurus.rw006", PASSWORD)
    _first_shift(page)
    checked(page, artefacts, "pengurus-shift")
    page.goto("/relawan/posko/")
    posko = page.locator("li.card a[href^='/relawan/posko/']").first
    if posko.count():
        posko.click()
        page.wait_for_load_state("networkidle")
    checked(page, artefacts, "pengurus-posko")
