"""The indicators demo builder refreshes a year of aggregates over the co-delivery acts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from siaga.demo.indicators import build_indicators_demo
from siaga.indicators.models import IndicatorValue, RefreshRun
from siaga.indicators.tests.conftest import Sources, build_sources


@pytest.fixture
def sources(world: Any) -> Sources:
    return build_sources(world)


def test_demo_builder_summary(sources: Any) -> None:
    summary = build_indicators_demo()
    run = RefreshRun.objects.get(trigger="demo")
    today = timezone.localdate()
    # The fixture's records are from 2021: the range is capped at a year before today.
    assert (run.day_from, run.day_to) == (today - dt.timedelta(days=366), today)
    assert summary == f"indicators: {run.rows:,} aggregate rows for {run.day_from} … {today}"
    # Case A (still open) is active over the whole range.
    assert IndicatorValue.objects.filter(indicator="active_cases", day=today).exists()
