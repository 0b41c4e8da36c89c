"""Health fixtures on top of the shared ``world``: a case in RT 003 and helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from siaga.api.tests.helpers import Api
from siaga.health import services

# A fixed moment in the Juni 2021 / KMK 4641 era would make the protocol explicit; most tests use
# dates relative to "today" because services refuse future dates.
TODAY = timezone.localdate


def make_case(world: Any, place: str = "rt003", *, days_ago: int = 3, **extra: Any) -> Any:
    today = timezone.localdate()
    data = {
        "resident": world.residents[place].pk,
        "category": "konfirmasi",
        "specimen_on": today - dt.timedelta(days=days_ago),
        "confirmed_on": today - dt.timedelta(days=days_ago),
        "onset_on": None,
        "isolation_place": "isoman",
    } | extra
    return services.create_case(actor=world.users["root"], data=data)


@pytest.fixture
def api(client: Client, world: Any) -> Api:
    return Api(client, world)


@pytest.fixture
def case(world: Any) -> Any:
    return make_case(world)


@pytest.fixture
def world(shared_world: Any) -> Any:
    """The world is built once per module (see ``shared_world`` in conftest.py): building it for
    every test took longer than most of the tests themselves."""
    return shared_world
