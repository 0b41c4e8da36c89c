"""What every page a journey visits must satisfy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()

# English UI words that never belong in the visible text of an Indonesian page. Each is matched
# as a whole word, case-sensitively, so Indonesian that merely contains the letters passes and
# so do names and addresses (the demo's are Indonesian). Not listed: words Indonesian borrows
# ("Edit", "Online", "Monitoring", "Login", "Email"), "No" ("No. KK") and language names.
ENGLISH = (
    "Save",
    "Cancel",
    "Sign in",
    "Log in",
    "Log out",
    "Submit",
    "Delete",
    "Search",
    "Next",
    "Previous",
    "None",
    "object (",
    "Add",
    "Back",
    "Show",
    "Close",
    "Loading",
    "Required",
    "This field",
    "Welcome",
    "Household",
    "Resident",
    "Volunteer",
    "Referral",
    "Delivery",
    "Record",
    "Yes",
    "hours",
    "days",
    "ago",
    "Page",
    "Download",
    "Export",
    "Apply",
    "Please",
    "You",
    "Your",
    "the",
    "and",
    "of",
    "with",
)


def _whole(word: str) -> str:
    """The word as a pattern that does not match inside a longer word."""
    start = r"(?<![\w-])" if word[0].isalnum() else ""
    end = r"(?![\w-])" if word[-1].isalnum() else ""
    return start + re.escape(word) + end


_ENGLISH = re.compile("|".join(_whole(word) for word in ENGLISH))


def login(page: Any, username: str, password: str) -> None:
    page.goto("/akun/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


def english_left(page: Any) -> list[str]:
    """The English UI words in the text of a page served in Indonesian: what is on screen, the
    title, and the labels a screen reader reads (aria-label, title, alt, placeholder)."""
    if not str(page.evaluate("document.documentElement.lang")).startswith("id"):
        return []
    # The visible text, and what a screen reader or the tab strip reads out.
    text = page.evaluate(
        """() => [document.title, document.body.innerText,
             ...[...document.querySelectorAll('[aria-label], [title], img[alt], [placeholder],'
                 + ' input[type=submit], input[type=button]')]
             .map(el => ['aria-label', 'title', 'alt', 'placeholder']
                 .map(name => el.getAttribute(name) || '')
                 .concat(el.matches('input[type=submit], input[type=button]') ? [el.value] : [])
                 .join(' '))].join('\\n')"""
    )
    found = []
    for match in _ENGLISH.finditer(text):
        start, end = match.span()
        found.append(text[max(0, start - 30) : end + 30].replace("\n", " ⏎ "))
    return found


def checked(page: Any, artefacts: Path, name: str) -> None:
    """No console error, no 4xx/5xx, no sideways scroll, axe-core: no serious or critical issue,
    and no English UI words left on an Indonesian page."""
    page.wait_for_load_state("networkidle")
    page.screenshot(
        path=str(artefacts / f"{re.sub(r'[^a-z0-9_.-]+', '-', name.lower())}.png"), full_page=True
    )
    console, failed = page.watch.take()
    assert not console, f"{name}: console errors {console[:5]}"
    assert not failed, f"{name}: failed responses {failed[:5]}"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
    english = english_left(page)
    assert not english, f"{name}: English left on an Indonesian page: {english[:8]}"
    results = _axe.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s), first "
        f"{v['nodes'][0]['target']}: {v['nodes'][0].get('failureSummary', '')}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not bad, f"{name}: accessibility {bad}"
