"""The stock ledger: stock on hand is the ledger's sum and never goes negative, even when two
volunteers issue the last sack at the same moment (PostgreSQL, real parallel transactions)."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import translation

from siaga.core.errors import ValidationFailed
from siaga.core.models import Contribution
from siaga.logistics import selectors, services
from siaga.logistics.models import StockBalance, StockMovement

from .conftest import make_lumbung


def _on_hand(item: Any) -> Decimal:
    return StockBalance.objects.get(item=item).quantity


def test_balance_is_the_sum_of_the_ledger(world: Any, lumbung: Any) -> None:
    relawan = world.users["relawan.rw006"]
    services.move_stock(
        actor=relawan, item=lumbung.beras, posko=lumbung.posko, kind="aid", quantity="2.5"
    )
    services.move_stock(
        actor=relawan, item=lumbung.beras, posko=lumbung.posko, kind="donation", quantity=4
    )
    assert _on_hand(lumbung.beras) == Decimal("21.5")
    assert selectors.ledger_total(lumbung.beras) == Decimal("21.5")
    contribution = Contribution.objects.filter(kind="logistics.stock_out").get()
    assert (contribution.phase, contribution.actor_group) == ("co_delivery", "volunteer")


def test_issuing_more_than_on_hand_is_refused_and_changes_nothing(world: Any, lumbung: Any) -> None:
    before = StockMovement.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.move_stock(
            actor=world.users["relawan.rw006"],
            item=lumbung.beras,
            posko=lumbung.posko,
            kind="aid",
            quantity=21,
        )
    assert "20 kg left" in refused.value.errors["quantity"][0]
    assert _on_hand(lumbung.beras) == 20
    assert StockMovement.objects.count() == before


def test_database_refuses_a_negative_balance(world: Any, lumbung: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(item=lumbung.beras).update(quantity=-1)


def test_delivery_takes_the_package_out_of_stock_atomically(world: Any, lumbung: Any) -> None:
    relawan = world.users["relawan.rw006"]
    household = world.households["rt003"]
    # Only 5 eggs: the second line of the package cannot be issued, so nothing is.
    services.move_stock(
        actor=relawan, item=lumbung.telur, posko=lumbung.posko, kind="spoilage", quantity=55
    )
    request = services.request_aid(actor=relawan, household=household)
    with pytest.raises(ValidationFailed):
        services.deliver(actor=relawan, request=request, posko=lumbung.posko, received_by="Siti")
    request.refresh_from_db()
    assert request.state == "baru"
    assert _on_hand(lumbung.beras) == 20
    assert not request.__class__.objects.get(pk=request.pk).__dict__.get("delivery")


@pytest.mark.django_db(transaction=True)
def test_two_volunteers_issue_the_last_sack_at_once(fresh_world: Any) -> None:
    world = fresh_world  # a transactional test builds its own world
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; real concurrency needs PostgreSQL")
    lumbung = make_lumbung(world, beras=1, telur=0)
    users = [world.users["relawan.rw006"], world.users["pengurus.rw006"]]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def issue(user: Any) -> None:
        translation.activate("en")  # each thread has its own active language
        try:
            barrier.wait(timeout=10)
            services.move_stock(
                actor=user, item=lumbung.beras, posko=lumbung.posko, kind="aid", quantity=1
            )
            outcomes.append("ok")
        except ValidationFailed as refused:
            outcomes.append(refused.errors["quantity"][0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=lambda o: o != "ok")[0] == "ok"
    assert outcomes.count("ok") == 1, outcomes
    refused = next(o for o in outcomes if o != "ok")
    assert "Not enough Beras" in refused and "0 kg left" in refused
    assert _on_hand(lumbung.beras) == 0
    assert selectors.ledger_total(lumbung.beras) == 0
    assert StockMovement.objects.filter(kind="aid").count() == 1
