"""The report demo writes last month's narrative once (nothing but the demo imports the demo)."""

from __future__ import annotations

from typing import Any

import pytest

from siaga.assessment import report as rpt
from siaga.assessment.models import ReportNarrative
from siaga.assessment.tests.test_report import ReportWorld, make_report_world
from siaga.demo.assessment_report import build_report_demo


@pytest.fixture
def rw(world: Any) -> ReportWorld:
    return make_report_world(world)


def test_report_demo_writes_last_months_narrative_once(rw: ReportWorld) -> None:
    first = build_report_demo(seed=2021)
    assert "narrative written for 33.74.02.1006.006" in first
    period = rpt.last_month()
    narrative = ReportNarrative.objects.get(
        territory=rw.world.t["rw006"], period_from=period.start, period_to=period.end
    )
    assert "relawan" in narrative.text and narrative.author.username == "pengurus.rw006"
    assert "already there" in build_report_demo(seed=2021)
    assert ReportNarrative.objects.count() == 1
