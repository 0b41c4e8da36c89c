"""One vote per resident under concurrency: real parallel transactions, on PostgreSQL only.

A module of its own because it is a transactional test (the database is flushed after it), so it
builds its own world instead of sharing the module's (``fresh_world``, see conftest.py).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from siaga.commissioning import services
from siaga.commissioning.models import Vote
from siaga.core.errors import ValidationFailed


@pytest.fixture
def world(fresh_world: Any) -> Any:
    return fresh_world


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write transaction, so there is no real race to test",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_votes_of_one_resident_leave_one_ballot(world, ballot) -> None:
    """Several requests for the same voter at the same moment, in real parallel transactions."""
    voter = world.residents["rt004"]
    leaders = [world.users["pengurus.rw006"]] * 6
    barrier = threading.Barrier(len(leaders))
    outcomes: list[str] = []

    def record(actor: Any) -> None:
        try:
            barrier.wait()
            services.record_vote(
                actor=actor, round=ballot.round, proposal=ballot.isolation, nik=voter.nik
            )
            outcomes.append("ok")
        except ValidationFailed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    def own(actor: Any) -> None:
        try:
            barrier.wait()
            services.cast_vote(actor=actor, round=ballot.round, proposal=ballot.lumbung)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(a,)) for a in leaders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 5
    assert Vote.objects.filter(resident=voter).count() == 1

    warga = world.users["warga.rt003"]
    barrier = threading.Barrier(4)
    threads = [threading.Thread(target=own, args=(warga,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Vote.objects.filter(resident=world.residents["rt003"]).count() == 1
