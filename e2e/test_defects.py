"""Defects from the walk (issue 12) that only a browser shows: charts, date inputs, contrast."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from e2e.checks import checked, login
from e2e.conftest import PASSWORD


def test_indicator_charts_draw_under_indonesian(page: Any, artefacts: Path) -> None:
    """SVG coordinates written with decimal commas left every chart blank (console errors)."""
    login(page, "fasilitator.kota", PASSWORD)
    page.goto("/indikator/")
    checked(page, artefacts, "defects-indicators")
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('svg.ind-chart rect, svg.ind-chart polyline')]
             .filter(el => { const b = el.getBBox(); return b.width > 0 || b.height > 0; })
             .length"""
    )
    assert drawn > 0


def test_end_isolation_date_arrives_filled(page: Any, artefacts: Path) -> None:
    """The server sent 04-12-2026; a date input needs 2026-12-04 or it shows empty."""
    login(page, "fasilitator.kota", PASSWORD)
    page.goto("/kesehatan/kasus/")
    page.locator("ul.rows a[href^='/kesehatan/kasus/']").first.click()
    page.wait_for_load_state("networkidle")
    checked(page, artefacts, "defects-case-detail")
    value = page.input_value("input[name=ended_on]")
    assert dt.date.fromisoformat(value)  # ISO, so the browser shows it


def test_coproduction_matrix_cells_are_readable(page: Any, artefacts: Path) -> None:
    """The darkest cells had grey counts on green (1.04:1); axe checks the contrast."""
    login(page, "fasilitator.kota", PASSWORD)
    page.goto("/indikator/koproduksi/")
    checked(page, artefacts, "defects-coproduction")


def test_high_priority_badge_is_readable(page: Any, artefacts: Path) -> None:
    """The "Tinggi" badge was white on #f3f5f7."""
    login(page, "pengurus.rw006", PASSWORD)
    page.goto("/relawan/tugas/")
    checked(page, artefacts, "defects-task-queue")
    badges = page.locator(".badge.danger")
    if badges.count():
        colour = badges.first.evaluate("el => getComputedStyle(el).backgroundColor")
        assert colour == "rgb(180, 35, 24)"  # --danger
