"""Compile and check the translation catalogues without GNU gettext (polib, a dev dependency).

`python -m siaga.core.i18n compile` writes every locale's django.mo from its django.po;
`python -m siaga.core.i18n check` exits 1 when a message is untranslated, fuzzy or the .mo is stale.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogues() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def compile_all() -> list[Path]:
    import polib

    written = []
    for po_path in catalogues():
        po = polib.pofile(str(po_path))
        mo_path = po_path.with_suffix(".mo")
        po.save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def problems(language: str = "id") -> list[str]:
    """Untranslated or fuzzy entries of a language, and whether its .mo is out of date."""
    import polib

    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    if not po_path.exists():
        return [f"{po_path} is missing"]
    po = polib.pofile(str(po_path))
    found = [f"untranslated: {entry.msgid!r}" for entry in po.untranslated_entries()]
    found += [f"fuzzy: {entry.msgid!r}" for entry in po.fuzzy_entries()]
    mo_path = po_path.with_suffix(".mo")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "django.mo"
        po.save_as_mofile(str(fresh))
        if not mo_path.exists() or mo_path.read_bytes() != fresh.read_bytes():
            found.append(f"{mo_path} is stale: run `make messages`")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "compile":
        for path in compile_all():
            print(f"compiled {path}")
        return 0
    issues = problems()
    for issue in issues:
        print(issue)
    return 1 if issues else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
