"""The demo wave: plausible, every referral state reachable, zones kept, idempotent."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from siaga.demo.health import DAYS, build_health_demo
from siaga.health.models import Case, Monitoring, ZoneDay


def test_demo_wave_is_built_once(world: Any) -> None:
    today = timezone.localdate()
    first = build_health_demo(seed=7, today=today)
    assert first.skipped_reason == ""
    assert first.counts["cases"] == Case.objects.count() > 0
    assert Monitoring.objects.exists()
    assert set(Monitoring.objects.values_list("slot", flat=True)) <= {"pagi", "sore"}
    rts_utara = 4  # RTs of the world under Semarang Utara (Semarang Timur has the fifth)
    assert ZoneDay.objects.count() == (DAYS - 1) * rts_utara
    again = build_health_demo(seed=7, today=today)
    assert again.skipped_reason == "already"
    assert Case.objects.count() == first.counts["cases"]
