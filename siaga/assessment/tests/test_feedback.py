"""Feedback on services: who may rate what, service resolution, anonymity that holds even for
admins, the co-assessment contribution, and the list of services a household can rate."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from siaga.assessment import selectors, services
from siaga.assessment.models import Feedback
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditEntry, Contribution

from .fb_helpers import (
    make_case,
    make_delivery,
    make_meeting,
    make_referral,
    make_services,
    make_volunteer,
)


def test_warga_rates_a_delivery_and_the_volunteer_is_resolved(world: Any) -> None:
    s = make_services(world)
    warga = world.users["warga.rt003"]
    feedback = services.give_feedback(
        actor=warga,
        household=world.households["rt003"],
        service="delivery",
        service_id=s.delivery.pk,
        rating=4,
        comment="Tepat waktu",
    )
    assert feedback.volunteer == s.volunteer
    assert feedback.author == warga and feedback.household == world.households["rt003"]
    contribution = Contribution.objects.get(kind="assessment.feedback")
    assert contribution.phase == "co_assessment"
    assert contribution.actor == warga and contribution.actor_group == "resident"
    assert AuditEntry.objects.filter(
        object_type="assessment.feedback", object_id=str(feedback.pk), actor=warga
    ).exists()


def test_anonymous_feedback_keeps_no_trace_of_its_author(world: Any) -> None:
    s = make_services(world)
    warga = world.users["warga.rt003"]
    audit_before = AuditEntry.objects.count()
    moment = timezone.make_aware(dt.datetime(2026, 11, 20, 15, 42))
    feedback = services.give_feedback(
        actor=warga,
        household=world.households["rt003"],
        service="delivery",
        service_id=s.delivery.pk,
        rating=2,
        comment="Beras kurang",
        anonymous=True,
        now=moment,
    )
    row = Feedback.objects.filter(pk=feedback.pk).values().get()
    assert row["author_id"] is None and row["household_id"] is None
    # The delivery id would lead back to the household: not kept; the volunteer is.
    assert row["service_id"] is None and row["volunteer_id"] == s.volunteer.pk
    # The time is only the day (midnight, Asia/Jakarta).
    local = timezone.localtime(row["created_at"])
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 11, 20), 0, 0)
    # No audit entry at all, and a contribution that names nobody.
    assert AuditEntry.objects.count() == audit_before
    contribution = Contribution.objects.get(kind="assessment.feedback")
    assert contribution.actor_id is None and contribution.person_key == "anonymous"
    assert contribution.actor_group == "resident" and contribution.object_id == ""
    assert timezone.localtime(contribution.at).hour == 0
    # Admins see it without any author either.
    listed = selectors.feedback(world.users["admin"]).get(pk=feedback.pk)
    assert listed.author_id is None and listed.household_id is None


def test_anonymous_meeting_feedback_keeps_the_meeting(world: Any) -> None:
    meeting = make_meeting(world)
    feedback = services.give_feedback(
        actor=world.users["warga.rt003"],
        household=world.households["rt003"],
        service="meeting",
        service_id=meeting.pk,
        rating=5,
        anonymous=True,
    )
    assert feedback.service_id == meeting.pk and feedback.household_id is None


@pytest.mark.parametrize(
    "user,place,allowed",
    [
        ("warga.rt003", "rt003", True),
        ("warga.rt003", "rt004", False),
        ("relawan.rw006", "rt004", True),
        ("pengurus.rt003", "rt004", False),
        ("pengurus.rw006", "rt003", True),
        ("puskesmas.bandarharjo", "rt003", False),
        ("lurah.panggunglor", "rw007rt001", True),
        ("lurah.panggunglor", "bandar_rt001", False),
    ],
)
def test_who_may_give_feedback_for_which_household(
    world: Any, user: str, place: str, allowed: bool
) -> None:
    household = world.households[place]
    before = (Feedback.objects.count(), AuditEntry.objects.count(), Contribution.objects.count())

    def give() -> Feedback:
        return services.give_feedback(
            actor=world.users[user], household=household, service="other", rating=3
        )

    if allowed:
        feedback = give()
        assert feedback.household == household and feedback.author == world.users[user]
    else:
        with pytest.raises(Http404):
            give()
        after = (Feedback.objects.count(), AuditEntry.objects.count(), Contribution.objects.count())
        assert after == before


def test_relawan_records_paper_feedback_with_its_channel(world: Any) -> None:
    s = make_services(world)
    feedback = services.give_feedback(
        actor=world.users["relawan.rw006"],
        household=world.households["rt003"],
        service="referral",
        service_id=s.referral.pk,
        rating=5,
        channel="message",
    )
    assert feedback.channel == "message" and feedback.author == world.users["relawan.rw006"]
    assert Contribution.objects.get(kind="assessment.feedback").actor_group == "volunteer"


def _error(exc: pytest.ExceptionInfo[ValidationFailed], field: str) -> str:
    return " ".join(exc.value.errors[field])


def test_service_must_belong_to_the_household_and_be_finished(world: Any) -> None:
    warga, home = world.users["warga.rt003"], world.households["rt003"]
    other_delivery = make_delivery(world, "rt004")
    running = make_case(world, "rt003", ended=False)
    waiting = make_referral(world, "rt003", state="dibuat")
    planned = make_meeting(world, status="planned")
    elsewhere = make_meeting(world, "rw007")
    cases = [
        ("delivery", other_delivery.pk, "not found for this household"),
        ("isolation", running.pk, "has not ended"),
        ("referral", waiting.pk, "not acknowledged"),
        ("meeting", planned.pk, "not been held"),
        ("meeting", elsewhere.pk, "not found for this household"),
        ("delivery", None, "Choose the service"),
    ]
    for kind, pk, message in cases:
        with pytest.raises(ValidationFailed) as exc:
            services.give_feedback(
                actor=warga, household=home, service=kind, service_id=pk, rating=4
            )
        assert message in _error(exc, "service_id"), (kind, exc.value.errors)
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize("rating", [0, 6, "x", None])
def test_rating_must_be_one_to_five(world: Any, rating: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.give_feedback(
            actor=world.users["warga.rt003"],
            household=world.households["rt003"],
            service="other",
            rating=rating,
        )
    assert "1 to 5" in _error(exc, "rating")
    assert Feedback.objects.count() == 0


def test_unknown_channel_and_long_comment_are_refused(world: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.give_feedback(
            actor=world.users["warga.rt003"],
            household=world.households["rt003"],
            service="other",
            rating=3,
            comment="x" * 2001,
            channel="fax",
        )
    assert set(exc.value.errors) == {"comment", "channel"}


def test_a_household_rates_a_service_once(world: Any) -> None:
    s = make_services(world)
    kwargs = {
        "household": world.households["rt003"],
        "service": "isolation",
        "service_id": s.case.pk,
        "rating": 4,
    }
    services.give_feedback(actor=world.users["warga.rt003"], **kwargs)
    with pytest.raises(ValidationFailed) as exc:
        services.give_feedback(actor=world.users["relawan.rw006"], **kwargs)
    assert "already rated" in _error(exc, "service_id")
    assert Feedback.objects.count() == 1


def test_rateable_services_lists_recent_finished_unrated_services(world: Any) -> None:
    s = make_services(world)
    make_case(world, "rt003", ended=False)
    make_meeting(world, "rw007")
    make_meeting(world, "33.74.02.1006")  # a kelurahan meeting concerns the household too
    home = world.households["rt003"]
    refs = selectors.rateable_services(home)
    kinds = sorted(r.kind for r in refs)
    assert kinds == ["delivery", "isolation", "meeting", "meeting", "referral"]
    assert next(r for r in refs if r.kind == "delivery").volunteer == s.volunteer
    services.give_feedback(
        actor=world.users["warga.rt003"],
        household=home,
        service="delivery",
        service_id=s.delivery.pk,
        rating=5,
    )
    assert "delivery" not in [r.kind for r in selectors.rateable_services(home)]
    later = timezone.now() + dt.timedelta(days=40)
    assert [r.kind for r in selectors.rateable_services(home, now=later)] == []


def test_rateable_services_query_count(world: Any, django_assert_max_num_queries: Any) -> None:
    make_services(world)
    for _ in range(5):
        make_delivery(world)
    home = world.households["rt003"]
    with django_assert_max_num_queries(6):
        refs = selectors.rateable_services(home)
        assert len(refs) == 9


def test_satisfaction_summary_is_scoped_and_grouped(world: Any) -> None:
    make_volunteer(world)
    root = world.users["root"]
    for place, rating in [("rt003", 5), ("rt003", 3), ("rt004", 4), ("bandar_rt001", 1)]:
        services.give_feedback(
            actor=root, household=world.households[place], service="other", rating=rating
        )
    services.give_feedback(
        actor=root,
        household=world.households["rt003"],
        service="meeting",
        service_id=make_meeting(world).pk,
        rating=2,
        anonymous=True,
    )
    rw = selectors.satisfaction_summary(world.users["pengurus.rw006"])
    assert rw.overall.n == 4 and rw.overall.mean == 3.5
    assert rw.overall.distribution == {1: 0, 2: 1, 3: 1, 4: 1, 5: 1}
    by = {s.service: (s.n, s.mean) for s in rw.by_service}
    assert by == {"other": (3, 4.0), "meeting": (1, 2.0)}
    assert selectors.satisfaction_summary(world.users["admin"]).overall.n == 5
    assert selectors.satisfaction_summary(world.users["warga.rt003"]).overall.n == 0
    assert selectors.satisfaction_summary(world.users["relawan.rw006"]).overall.n == 0
