"""The co-commissioning demo content is built through the services and is idempotent."""

from __future__ import annotations

import pytest
from django.utils import timezone

from siaga.commissioning.models import Decision, Need, Round, RoundResult, Vote
from siaga.demo.commissioning import build_commissioning_demo
from siaga.planning.models import Meeting, MeetingDecision, Plan

pytestmark = pytest.mark.django_db


def test_demo_content_is_complete_and_a_rerun_adds_nothing(world) -> None:
    today = timezone.localdate()
    result = build_commissioning_demo(seed=2021, today=today)
    assert result.skipped_reason == ""
    finished = Round.objects.get(pk=result.rounds[0])
    open_round = Round.objects.get(pk=result.rounds[1])
    assert finished.closed_at is not None
    assert open_round.phase(today) == "pemungutan_suara"
    funded = RoundResult.objects.filter(round=finished, outcome="funded")
    assert {r.proposal.title for r in funded} >= {
        "Ruang isolasi RW 006",
        "Lumbung pangan Panggung Lor",
    }
    assert Plan.objects.filter(status="active").count() == 2
    assert Decision.objects.count() == funded.count()
    assert Meeting.objects.filter(minutes__gt="").count() == 4
    assert MeetingDecision.objects.filter(activity__isnull=False).count() == 2
    assert Need.objects.filter(supports__isnull=False).distinct().count() >= 3
    counts = (Need.objects.count(), Vote.objects.count(), Meeting.objects.count())
    assert build_commissioning_demo(seed=2021, today=today).skipped_reason == "already"
    assert (Need.objects.count(), Vote.objects.count(), Meeting.objects.count()) == counts
