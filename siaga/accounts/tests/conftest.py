"""Accounts fixtures: the shared ``world`` (conftest.py at the root), built once per module."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def world(shared_world: Any) -> Any:
    """The world is built once per module (see ``shared_world`` in conftest.py): building it for
    every test took longer than most of the tests themselves."""
    return shared_world
