"""An oximeter lent by the lumbung pangan makes a household meet health's home-isolation condition
(logistics registers the answer with health from its AppConfig; health does not import logistics).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from siaga.health.tests.conftest import make_case
from siaga.logistics import services as logistics


def _lend_oximeter(world: Any, *, lent_days_ago: int = 1, returned: bool = False) -> Any:
    root = world.users["root"]
    today = timezone.localdate()
    device = logistics.add_equipment(actor=root, rw=world.t["rw006"], kind="oximeter", label="OX-1")
    loan = logistics.lend(
        actor=root,
        equipment=device,
        household=world.households["rt003"],
        lent_on=today - dt.timedelta(days=lent_days_ago),
        due_on=today + dt.timedelta(days=10),
    )
    if returned:
        logistics.close_loan(actor=root, loan=loan, on=today - dt.timedelta(days=1))
    return loan


def test_without_an_oximeter_home_isolation_is_not_met(world: Any) -> None:
    case = make_case(world, separate_room=True, own_oximeter=False)
    assert "own_oximeter" in case.eligibility_unmet


def test_a_lent_oximeter_counts_as_the_households_own(world: Any) -> None:
    _lend_oximeter(world)
    case = make_case(world, separate_room=True, own_oximeter=False)
    assert "own_oximeter" not in case.eligibility_unmet


def test_a_returned_oximeter_no_longer_counts(world: Any) -> None:
    _lend_oximeter(world, lent_days_ago=5, returned=True)
    case = make_case(world, separate_room=True)
    assert "own_oximeter" in case.eligibility_unmet


def test_an_oximeter_lent_to_another_household_does_not_count(world: Any) -> None:
    _lend_oximeter(world)
    case = make_case(world, "rt004", separate_room=True)
    assert "own_oximeter" in case.eligibility_unmet
