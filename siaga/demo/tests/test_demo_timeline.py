"""The demo's clock: nothing stamped after the build, and co-commissioning and co-design acts on
their own days, before the deliveries they led to (they were all stamped with the build's
minute, and deliveries at 08:15-16:15 of a demo built at 00:15)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Max, Min
from django.utils import timezone

from siaga.commissioning.models import Need, Round, Support, Vote
from siaga.core.models import Contribution, Phase
from siaga.demo.commissioning import FINISHED_TITLE, build_commissioning_demo
from siaga.demo.health import build_health_demo
from siaga.demo.logistics import build_logistics_demo
from siaga.demo.volunteers import build_volunteers_demo
from siaga.logistics.models import Delivery
from siaga.planning.models import Meeting, Plan

# Deadlines and schedules, not record times: they may lie ahead.
SCHEDULES = {
    ("health", "Referral", "acknowledge_by"),
    ("volunteers", "Shift", "starts_at"),
    ("volunteers", "Shift", "ends_at"),
    ("volunteers", "Task", "due_at"),
    ("assessment", "Complaint", "answer_by"),
    ("planning", "Meeting", "starts_at"),
    ("sessions", "Session", "expire_date"),
}


def _build(today: dt.date) -> dt.datetime:
    build_health_demo(seed=5, today=today)
    build_volunteers_demo(seed=5, today=today)
    build_logistics_demo(seed=5, today=today)
    build_commissioning_demo(seed=5, today=today)
    return timezone.now()


def _after(limit: dt.datetime) -> list[str]:
    late = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            key = (model._meta.app_label, model.__name__, field.name)
            if not isinstance(field, models.DateTimeField) or key in SCHEDULES:
                continue
            count = model._default_manager.filter(**{f"{field.name}__gt": limit}).count()
            if count:
                last = model._default_manager.aggregate(m=Max(field.name))["m"]
                late.append(f"{'.'.join(key)}: {count} after the build (up to {last})")
    return late


def test_a_demo_built_at_the_start_of_the_day_has_nothing_after_its_build_time(
    world: Any,
) -> None:
    # Built for the day that starts at the next midnight, i.e. at its first minutes: every
    # "today at 10:00" or "today at 16:15" of the builders would lie ahead.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    built = _build(tomorrow)
    assert Delivery.objects.exists() and Vote.objects.exists()
    assert _after(built) == []


def test_commissioning_and_design_acts_precede_the_deliveries_they_led_to(world: Any) -> None:
    today = timezone.localdate()
    built = _build(today)
    assert _after(built) == []
    first_delivery = Delivery.objects.aggregate(first=Min("delivered_at"))["first"]
    assert first_delivery is not None
    finished = Round.objects.get(title=FINISHED_TITLE)
    plans = Plan.objects.filter(proposal__round=finished)
    meetings = Meeting.objects.filter(starts_at__lt=first_delivery)
    chain: dict[str, list[Any]] = {
        "needs": list(Need.objects.values_list("created_at", flat=True)),
        "supports": list(Support.objects.values_list("created_at", flat=True)),
        "votes": list(Vote.objects.filter(round=finished).values_list("cast_at", flat=True)),
        "round closed": [finished.closed_at],
        "plans": list(plans.values_list("created_at", flat=True)),
        "meetings": list(meetings.values_list("created_at", flat=True))
        + list(meetings.values_list("minutes_at", flat=True)),
    }
    assert plans.count() == 2 and meetings.count() == 3
    for what, times in chain.items():
        assert times and all(t is not None and t < first_delivery for t in times), what
    # The ledger says the same: the acts on the records' own times, not the build's.
    ledger = Contribution.objects.filter(phase__in=[Phase.CO_COMMISSIONING, Phase.CO_DESIGN])
    need_acts = ledger.filter(kind="need.raise").values_list("at", flat=True)
    assert sorted(need_acts) == sorted(chain["needs"])
    finished_votes = ledger.filter(kind="vote.cast", at__lt=first_delivery).count()
    assert finished_votes == len(chain["votes"])
    on_build_day = set(
        ledger.filter(at__date__gte=today - dt.timedelta(days=1)).values_list("kind", flat=True)
    )
    assert on_build_day <= {"vote.cast"}  # only the open round's ballots are that recent
