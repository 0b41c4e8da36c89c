"""`siaga demo` speaks the active language (Indonesian by default): every line it prints goes
through gettext, figures included (the builders' summaries were English f-strings, and numbers
were printed as 117,600 and 203.0 whatever the language)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import trans_real


class Marked(trans_real.DjangoTranslation):
    """Indonesian, with every translated message wrapped in ⟪ ⟫ to show it went through
    gettext (the catalogue may not know the newest messages yet)."""

    def gettext(self, message: str) -> str:
        return f"⟪{super().gettext(message)}⟫"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"⟪{super().ngettext(msgid1, msgid2, n)}⟫"


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> Any:
    # Whoever activates Indonesian (migrate reactivates the language it found) gets Marked.
    monkeypatch.setitem(trans_real._translations, "id", Marked("id"))  # type: ignore[attr-defined]
    with translation.override("id"):
        yield


def _lines(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--residents", "150", *args, stdout=out, verbosity=2)
    return [line for line in out.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
def test_every_line_of_the_demo_command_goes_through_gettext(marked: Any) -> None:
    for run in (_lines(), _lines()):  # building, then finding it all there
        # The accounts table (username, role code, territory code) is data.
        untranslated = [line for line in run if "⟪" not in line and not line.startswith("  ")]
        assert untranslated == []
        summaries = [line for line in run if line.count("⟪") >= 3 and " — " in line]
        assert len(summaries) == 8  # one per builder
        # Figures in Indonesian: a decimal comma (0,4 s), never a decimal point.
        seconds = re.findall(r"(\d+[.,]\d) (?:s|dtk|detik)\b", "\n".join(run))
        assert seconds and all("," in figure for figure in seconds)
