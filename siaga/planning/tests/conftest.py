from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the source strings), whatever translations exist."""
    from django.utils import translation

    with translation.override("en"):
        yield
