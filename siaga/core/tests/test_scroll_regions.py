"""Every sideways-scrolling table wrapper (``<div class="scroll">``) can be reached by keyboard.

A wide table on a phone scrolls inside its wrapper; without ``tabindex="0"`` a keyboard user
cannot scroll it (axe-core: scrollable-region-focusable, serious). The volunteer report's tables
failed it at 390 px.
"""

from __future__ import annotations

import re
from pathlib import Path

import siaga

WRAPPER = re.compile(r"<div\b[^>]*\bclass=\"(?:[^\"]* )?scroll(?: [^\"]*)?\"[^>]*>")


def test_every_scroll_wrapper_is_focusable() -> None:
    root = Path(siaga.__file__).parent
    wrappers = [
        (path.relative_to(root), tag)
        for path in sorted(root.rglob("*.html"))
        for tag in WRAPPER.findall(path.read_text(encoding="utf-8"))
    ]
    assert wrappers, "no scroll wrapper found: the pattern is stale"
    unreachable = [f"{path}: {tag}" for path, tag in wrappers if 'tabindex="0"' not in tag]
    assert not unreachable, unreachable
