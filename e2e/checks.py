"""What every page a journey visits must satisfy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def login(page: Any, username: str, password: str) -> None:
    page.goto("/akun/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


def checked(page: Any, artefacts: Path, name: str) -> None:
    """No console error, no 4xx/5xx, no sideways scroll, axe-core: no serious or critical issue."""
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artefacts / f"{re.sub(r'[^a-z0-9_.-]+', '-', name.lower())}.png"))
    console, failed = page.watch.take()
    assert not console, f"{name}: console errors {console[:5]}"
    assert not failed, f"{name}: failed responses {failed[:5]}"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
    results = _axe.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s), first "
        f"{v['nodes'][0]['target']}: {v['nodes'][0].get('failureSummary', '')}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not bad, f"{name}: accessibility {bad}"
