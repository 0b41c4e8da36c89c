"""Test helper: the translations waiting in docs/i18n-pending/*.po, live for one test.

Branches do not edit siaga/locale (they would conflict); their new messages wait in
docs/i18n-pending/ until the lead merges them. A test that checks a page in Indonesian wraps
itself in ``pending_translations()``; once merged (or when the folder is gone) it changes
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PENDING = Path(__file__).resolve().parents[3] / "docs" / "i18n-pending"


@contextmanager
def pending_translations(language: str = "id") -> Iterator[None]:
    import polib
    from django.utils.translation import trans_real

    catalog = trans_real.translation(language)._catalog  # type: ignore[attr-defined]
    added = []
    for path in sorted(PENDING.glob("*.po")):
        for entry in polib.pofile(str(path)):
            if entry.msgid and entry.msgstr and catalog.get(entry.msgid) is None:
                catalog[entry.msgid] = entry.msgstr
                added.append(entry.msgid)
    try:
        yield
    finally:
        for msgid in added:
            for part in catalog._catalogs:
                part.pop(msgid, None)
