"""The volunteers and logistics demos: consistent ledger, tasks in every state, idempotent."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.utils import timezone

from siaga.logistics.demo import build_logistics_demo
from siaga.logistics.models import StockBalance, StockMovement
from siaga.volunteers.demo import build_volunteers_demo
from siaga.volunteers.models import Shift, Task

from .conftest import make_case


def test_demos_are_consistent_and_idempotent(world: Any) -> None:
    make_case(world, "rt003")
    today = timezone.localdate()
    volunteers = build_volunteers_demo(seed=1, today=today)
    logistics = build_logistics_demo(seed=1, today=today)
    assert volunteers.counts["shifts"] and logistics.counts["deliveries"] >= 3
    assert {"baru", "diambil", "selesai", "batal"} <= set(
        Task.objects.values_list("state", flat=True)
    )
    assert Shift.objects.exists()
    for balance in StockBalance.objects.all():
        ledger = StockMovement.objects.filter(item=balance.item, posko=balance.posko).aggregate(
            s=Sum("delta")
        )["s"]
        assert balance.quantity == ledger and balance.quantity >= 0
    before = (Task.objects.count(), StockMovement.objects.count())
    assert build_volunteers_demo(seed=1, today=today).skipped_reason == "already"
    assert build_logistics_demo(seed=1, today=today).skipped_reason == "already"
    assert (Task.objects.count(), StockMovement.objects.count()) == before
