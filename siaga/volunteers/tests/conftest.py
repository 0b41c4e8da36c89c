from __future__ import annotations

from typing import Any

import pytest

from siaga.api.tests.helpers import Api


@pytest.fixture
def api(client: Any, world: Any) -> Api:
    return Api(client, world)


@pytest.fixture(autouse=True)
def _english() -> Any:
    # Messages are asserted in English; the API activates the caller's language, do not leak it.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def world(shared_world: Any) -> Any:
    """The world is built once per module (see ``shared_world`` in conftest.py): building it for
    every test took longer than most of the tests themselves."""
    return shared_world
