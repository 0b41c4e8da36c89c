"""The shift planner demo: built through the services on top of the volunteers demo, once."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from siaga.demo.shift_planner import build_shift_planner_demo
from siaga.demo.volunteers import build_volunteers_demo
from siaga.volunteers.models import Shift, ShiftTemplate


def test_shift_planner_demo_is_built_once(world: Any) -> None:
    today = timezone.localdate()
    assert build_shift_planner_demo(today=today).startswith("skipped")
    build_volunteers_demo(seed=1, today=today)
    summary = build_shift_planner_demo(today=today)
    assert "1 one-off shift" in summary
    template = ShiftTemplate.objects.get(name="vaksinasi")
    assert template.requires_confirmation and template.skill_requirements == {"nakes": 1}
    assert Shift.objects.filter(template__isnull=True, name="Kerja bakti").count() == 1
    assert build_shift_planner_demo(today=today) == "already"
