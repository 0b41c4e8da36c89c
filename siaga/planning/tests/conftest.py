from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the source strings), whatever translations exist."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def world(shared_world: Any) -> Any:
    """The world is built once per module (see ``shared_world`` in conftest.py): building it for
    every test took longer than most of the tests themselves."""
    return shared_world
