"""The demo wave: plausible, every referral state reachable, zones kept, idempotent."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from siaga.accounts.models import Membership
from siaga.core.models import Contribution
from siaga.demo.health import DAYS, build_health_demo
from siaga.health.models import (
    Case,
    Destination,
    Monitoring,
    Newcomer,
    OnwardReferral,
    Puskesmas,
    Referral,
    ZoneDay,
)


def test_demo_wave_is_built_once(world: Any) -> None:
    today = timezone.localdate()
    first = build_health_demo(seed=7, today=today)
    assert first.skipped_reason == ""
    assert first.counts["cases"] == Case.objects.count() > 0
    assert Monitoring.objects.exists()
    assert set(Monitoring.objects.values_list("slot", flat=True)) <= {"pagi", "sore"}
    rts_utara = 4  # RTs of the world under Semarang Utara (Semarang Timur has the fifth)
    assert ZoneDay.objects.count() == (DAYS - 1) * rts_utara
    # The ledger holds what the services would have written for each act, once.
    reported = Contribution.objects.filter(kind="case_reported")
    assert reported.count() == Case.objects.filter(created_by__isnull=False).count() > 0
    assert set(reported.values_list("actor_group", flat=True)) == {"government"}
    self_reports = Contribution.objects.filter(kind="monitoring", actor__isnull=True)
    assert self_reports.count() == Monitoring.objects.filter(method="mandiri").count()
    assert set(self_reports.values_list("actor_group", flat=True)) <= {"resident"}
    # Newcomers were screened through the service (quarantine from the protocol in force).
    assert Newcomer.objects.exists()
    assert not Newcomer.objects.filter(recorded_by__isnull=True).exists()
    screened = Contribution.objects.filter(kind="newcomer_screened").count()
    assert screened == Newcomer.objects.count()
    ledger = Contribution.objects.count()
    again = build_health_demo(seed=7, today=today)
    assert again.skipped_reason == "already"
    assert Case.objects.count() == first.counts["cases"]
    assert Contribution.objects.count() == ledger


def test_demo_puskesmas_covers_panggung_lor_and_receives_its_referrals(world: Any) -> None:
    result = build_health_demo(seed=7, today=timezone.localdate())
    puskesmas = Puskesmas.objects.get(name="Puskesmas Bandarharjo")
    area = sorted(puskesmas.area_rows.values_list("kelurahan__code", flat=True))
    assert area == ["33.74.02.1001", "33.74.02.1006"]  # illustrative, as the demo says
    staff_roles = set(
        Membership.objects.filter(
            user__username="puskesmas.bandarharjo", role="puskesmas"
        ).values_list("territory__code", flat=True)
    )
    assert staff_roles == {"33.74.02.1001", "33.74.02.1006"}
    panggung_lor = Referral.objects.filter(rt__code__startswith="33.74.02.1006.")
    assert panggung_lor.exists()
    assert not panggung_lor.exclude(puskesmas=puskesmas).exists()
    assert Destination.objects.count() == 2
    assert OnwardReferral.objects.count() == result.counts["onward_referrals"]
