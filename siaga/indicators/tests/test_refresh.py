"""Each indicator computed from the hand-counted fixture; rollups; idempotence; the command."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Sum

from siaga.core import codes
from siaga.indicators import selectors, services
from siaga.indicators.models import IndicatorValue
from siaga.indicators.registry import BY_KEY, INDICATORS, percentile

from .conftest import DAY, plus

pytestmark = pytest.mark.django_db


def _value(territory: Any, key: str, day_from: Any = None, day_to: Any = None) -> Any:
    day_from, day_to = day_from or DAY, day_to or DAY
    for item in selectors.series(territory, day_from, day_to, "day"):
        if item.indicator.key == key:
            return item.total
    raise KeyError(key)


EXPECTED_ON_DAY = {
    # key: (territory, value on DAY)
    "active_cases": ("rw006", 2.0),
    "isolating_households": ("rw006", 1.0),
    "monitoring_on_time": ("rw006", 66.7),
    "referral_ack_median": ("rw006", 60.0),
    "referral_ack_p90": ("rw006", 84.0),
    "referral_hospital": ("rw006", 1),
    "referral_central": ("rw006", 0),
    "referral_home": ("rw006", 0),
    "vaccination_60plus": ("rw006", 50.0),
    "aid_within_24h": ("rw006", 100.0),
    "shifts_staffed": ("rw006", 50.0),
    "tasks_on_time": ("rw006", 33.3),
    "volunteer_hours": ("rw006", 4.0),
    "needs_raised": ("33.74", 1),
    "proposals_funded": ("33.74", 1),
    "voter_turnout": ("rw006", 25.0),
    "meetings_held": ("33.74.02.1006", 1),
    "attendance_government": ("rw006", 1),
    "attendance_community_leader": ("rw006", 0),
    "attendance_volunteer": ("rw006", 0),
    "attendance_resident": ("rw006", 2),
    "satisfaction": ("rt003", 4.5),
    "complaints_resolved_3d": ("rw006", 50.0),
}


def test_every_indicator_has_an_expectation() -> None:
    assert set(EXPECTED_ON_DAY) | {"contacts_quarantine_48h"} == set(BY_KEY)


@pytest.mark.parametrize("key", sorted(EXPECTED_ON_DAY))
def test_indicator_value_on_the_day(refreshed: Any, key: str) -> None:
    place, expected = EXPECTED_ON_DAY[key]
    assert _value(refreshed.world.t[place], key) == expected


def test_contacts_in_quarantine_within_48_hours(refreshed: Any) -> None:
    rw = refreshed.world.t["rw006"]
    assert _value(rw, "contacts_quarantine_48h", plus(1), plus(1)) == 100.0
    assert _value(rw, "contacts_quarantine_48h", plus(3), plus(3)) == 0.0
    assert _value(rw, "contacts_quarantine_48h", DAY, plus(6)) == 50.0


def test_snapshot_values_are_daily_means(refreshed: Any) -> None:
    # Case A is active DAY-2 … DAY+6 (refreshed to DAY+6); case B on DAY only.
    rw = refreshed.world.t["rw006"]
    assert _value(rw, "active_cases", plus(1), plus(2)) == 1.0
    assert _value(rw, "active_cases", plus(-1), DAY) == 1.5
    # Vaccination coverage of the whole kota: 1 of the 5 residents aged 60+.
    assert _value(refreshed.world.t["33.74"], "vaccination_60plus") == 20.0


def test_rollup_sums_equal_rt_sums(refreshed: Any) -> None:
    world = refreshed.world
    rts = IndicatorValue.objects.filter(territory__level=6)
    for parent in ("rw006", "33.74.02.1006", "33.74.02", "33.74", "33"):
        node = world.t[parent]
        low, high = node.bounds
        for key in ("active_cases", "monitoring_on_time", "satisfaction", "vaccination_60plus"):
            below = rts.filter(indicator=key, territory_id__gte=low, territory_id__lte=high)
            mine = IndicatorValue.objects.filter(indicator=key, territory=node)
            a = below.aggregate(n=Sum("numerator"), d=Sum("denominator"))
            b = mine.aggregate(n=Sum("numerator"), d=Sum("denominator"))
            assert a == b, (parent, key)
    # Samples merge: the kota holds both acknowledgement times of its RTs.
    kota = IndicatorValue.objects.get(indicator="referral_ack", territory=world.t["33.74"], day=DAY)
    assert kota.samples == [30.0, 90.0]


def test_refresh_is_idempotent(refreshed: Any) -> None:
    def snapshot() -> list[tuple[Any, ...]]:
        return list(
            IndicatorValue.objects.order_by("indicator", "territory_id", "day").values_list(
                "indicator", "territory_id", "day", "numerator", "denominator", "samples"
            )
        )

    def matrix_days() -> list[tuple[Any, ...]]:
        from siaga.indicators.models import CoproductionDay

        return list(
            CoproductionDay.objects.order_by(
                "territory_id", "day", "phase", "actor_group"
            ).values_list("territory_id", "day", "phase", "actor_group", "acts", "people")
        )

    before, days = snapshot(), matrix_days()
    assert days
    services.refresh(day_from=plus(-3), day_to=plus(6))
    assert snapshot() == before and matrix_days() == days
    services.refresh(day_from=DAY, day_to=DAY, territory=refreshed.world.t["rt003"])
    assert snapshot() == before and matrix_days() == days


def test_territory_refresh_rebuilds_ancestors(refreshed: Any) -> None:
    from siaga.assessment.models import Feedback

    world = refreshed.world
    Feedback.objects.filter(rt=world.t["rt003"]).update(rating=1)
    services.refresh(day_from=DAY, day_to=DAY, territory=world.t["rt003"])
    for place in ("rt003", "rw006", "33.74", "33"):
        assert _value(world.t[place], "satisfaction") == 1.0


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([30, 90], 50) == 60
    assert percentile([10, 20, 30, 40], 90) == 37.0
    assert percentile([5], 90) == 5


def test_registry_is_consistent() -> None:
    assert len({i.key for i in INDICATORS}) == len(INDICATORS)
    for indicator in INDICATORS:
        assert indicator.unit in {"count", "percent", "minutes", "hours", "rating"}
        assert indicator.chart in {"line", "bar"}
        assert indicator.combine in {"sum", "daily_mean", "percent", "mean", "percentile"}


def test_level_and_ancestors() -> None:
    assert codes.level_of(3374020000000000) == 3
    assert codes.level_of(3374021006006003) == 6
    assert codes.ancestors(3374021006006003) == [
        3300000000000000,
        3374000000000000,
        3374020000000000,
        3374021006000000,
        3374021006006000,
    ]


def test_command_refresh_shows_progress(sources: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "indicators", "refresh", "--from", "2021-06-01", "--to", "2021-07-10",
        stdout=out, stderr=err,
    )  # fmt: skip
    assert "2021-06-01 … 2021-07-01" in err.getvalue()
    assert "(40/40 days)" in err.getvalue()
    assert "Refreshed 40 days" in out.getvalue()
    assert _value(sources.world.t["33.74"], "active_cases") == 2.0


def test_command_rejects_bad_input(sources: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown territory"):
        call_command("indicators", "refresh", "--territory", "99.99")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("indicators", "refresh", "--from", "5 July")
    with pytest.raises(CommandError, match="before"):
        call_command("indicators", "refresh", "--from", "2021-07-05", "--to", "2021-07-01")


def test_periodic_tasks_refresh_today(world: Any) -> None:
    from siaga.indicators import tasks
    from siaga.indicators.models import RefreshRun

    tasks.refresh_today.call_local()
    tasks.refresh_nightly.call_local()
    assert list(RefreshRun.objects.values_list("trigger", flat=True)) == ["nightly", "hourly"]


def test_demo_builder_summary(sources: Any) -> None:
    from django.utils import timezone

    from siaga.demo.indicators import build_indicators_demo
    from siaga.indicators.models import RefreshRun

    summary = build_indicators_demo()
    run = RefreshRun.objects.get(trigger="demo")
    today = timezone.localdate()
    # The fixture's records are from 2021: the range is capped at a year before today.
    assert (run.day_from, run.day_to) == (today - dt.timedelta(days=366), today)
    assert summary == f"indicators: {run.rows} aggregate rows for {run.day_from} … {today}"
    # Case A (still open) is active over the whole range.
    assert IndicatorValue.objects.filter(indicator="active_cases", day=today).exists()


def test_matrix_days_match_the_ledger(refreshed: Any) -> None:
    """Kota … kelurahan read the kept days; the counts equal a live count of the ledger."""
    from django.db.models import Count

    from siaga.core.models import Contribution
    from siaga.indicators.models import CoproductionDay

    world = refreshed.world
    for code in ("33", "33.74", "33.74.02", "33.74.02.1006", "rw006", "rt003"):
        node = world.t[code]
        low, high = node.bounds
        live = {
            (r["phase"], r["actor_group"]): (r["acts"], r["people"])
            for r in Contribution.objects.filter(
                territory_id__gte=low, territory_id__lte=high, at__date=DAY
            )
            .values("phase", "actor_group")
            .annotate(acts=Count("id"), people=Count("person_key", distinct=True))
        }
        cells = {
            (c["phase"], c["actor_group"]): (c["acts"], c["people"])
            for c in selectors.matrix(node, DAY, DAY)
            if c["acts"]
        }
        assert cells == live, code
    assert not CoproductionDay.objects.filter(territory__level__gt=4).exists()
    kept = CoproductionDay.objects.get(
        territory=world.t["33.74"], day=DAY, phase="co_design", actor_group="resident"
    )
    assert (kept.acts, kept.people) == (2, "r:1")
