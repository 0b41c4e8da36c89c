from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from siaga.commissioning.models import Proposal, Round
from siaga.commissioning.tests.helpers import proposal, voting_round


@pytest.fixture
def world(shared_world: Any) -> Any:
    """The world is built once per module (see ``shared_world`` in conftest.py): building it for
    every test took longer than most of the tests themselves."""
    return shared_world


@dataclass
class Ballot:
    round: Round
    isolation: Proposal
    lumbung: Proposal
    handwash: Proposal


@pytest.fixture
def ballot(world: Any) -> Ballot:
    round_ = voting_round(world)
    return Ballot(
        round=round_,
        isolation=proposal(world, round_, "Ruang isolasi RW 006", 20_000_000),
        lumbung=proposal(world, round_, "Lumbung pangan", 8_000_000, place="rt003"),
        handwash=proposal(world, round_, "Tempat cuci tangan", 4_000_000, place="rw007"),
    )


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the source strings), whatever translations exist."""
    from django.utils import translation

    with translation.override("en"):
        yield
