"""/api/v1/feedback: the role × territory matrix (404 outside scope and nothing changed), the
summary, the services to rate, anonymity over the API and clear 422 messages."""

from __future__ import annotations

from typing import Any

import pytest

from siaga.api.tests.helpers import Api, assert_error
from siaga.assessment import services
from siaga.assessment.models import Feedback
from siaga.core.models import AuditEntry, Contribution

from .fb_helpers import COVER_RT003, USERS, make_meeting, make_services

# Who may read feedback of RT 003 (assessment view): pengurus, fasilitator, admin.
VIEWERS_RT003 = COVER_RT003 - {"relawan.rw006"}


@pytest.fixture
def api(client: Any, world: Any) -> Api:
    return Api(client, world)


def _state() -> tuple[int, int, int]:
    return Feedback.objects.count(), AuditEntry.objects.count(), Contribution.objects.count()


@pytest.mark.parametrize("user", USERS)
def test_give_feedback_matrix(api: Api, world: Any, user: str) -> None:
    s = make_services(world)
    body = {
        "household": world.households["rt003"].pk,
        "service": "delivery",
        "service_id": s.delivery.pk,
        "rating": 4,
        "comment": "Baik",
    }
    before = _state()
    response = api.post("/api/v1/feedback", user, body)
    if user in COVER_RT003 or user == "warga.rt003":
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["channel"] == "api" and data["volunteer"] == s.volunteer.pk
        assert data["household"] == world.households["rt003"].pk
    else:
        assert_error(response, 404, "not_found")
        assert _state() == before


@pytest.mark.parametrize("user", USERS)
def test_list_feedback_matrix(api: Api, world: Any, user: str) -> None:
    root = world.users["root"]
    own = services.give_feedback(
        actor=root, household=world.households["rt003"], service="other", rating=5
    )
    far = services.give_feedback(
        actor=root, household=world.households["bandar_rt001"], service="other", rating=1
    )
    response = api.get("/api/v1/feedback", user)
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    assert (own.pk in ids) == (user in VIEWERS_RT003 or user == "warga.rt003")
    sees_far = user in {"admin", "fasilitator.kota", "fasilitator.utara", "puskesmas.bandarharjo"}
    assert (far.pk in ids) == sees_far


@pytest.mark.parametrize("user", USERS)
def test_summary_matrix(api: Api, world: Any, user: str) -> None:
    root = world.users["root"]
    for rating in (5, 4):
        services.give_feedback(
            actor=root, household=world.households["rt003"], service="other", rating=rating
        )
    response = api.get("/api/v1/feedback/summary", user)
    if user in VIEWERS_RT003:
        assert response.status_code == 200
        data = response.json()
        assert data["n"] == 2 and data["mean"] == 4.5
        assert data["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
        assert data["by_service"][0]["service"] == "other"
    elif user == "puskesmas.bandarharjo":
        assert response.json()["n"] == 0
    else:
        assert_error(response, 404, "not_found")


def test_summary_of_a_territory_outside_scope_is_404(api: Api, world: Any) -> None:
    assert_error(
        api.get("/api/v1/feedback/summary?territory=33.74.02.1001", "lurah.panggunglor"),
        404,
        "not_found",
    )
    ok = api.get("/api/v1/feedback/summary?territory=33.74.02.1006.006", "lurah.panggunglor")
    assert ok.status_code == 200


@pytest.mark.parametrize("user", USERS)
def test_rateable_services_matrix(api: Api, world: Any, user: str) -> None:
    make_services(world)
    response = api.get(f"/api/v1/feedback/services?household={world.households['rt003'].pk}", user)
    if user in COVER_RT003 or user == "warga.rt003":
        assert response.status_code == 200
        assert sorted(r["service"] for r in response.json()) == [
            "delivery",
            "isolation",
            "meeting",
            "referral",
        ]
    else:
        assert_error(response, 404, "not_found")


def test_anonymous_over_the_api_shows_no_author(api: Api, world: Any) -> None:
    meeting = make_meeting(world)
    body = {
        "household": world.households["rt003"].pk,
        "service": "meeting",
        "service_id": meeting.pk,
        "rating": 3,
        "anonymous": True,
    }
    audit_before = AuditEntry.objects.count()
    response = api.post("/api/v1/feedback", "warga.rt003", body)
    assert response.status_code == 201, response.content
    assert response.json()["household"] is None and response.json()["anonymous"] is True
    assert response.json()["created_at"].endswith("T00:00:00+07:00")
    assert AuditEntry.objects.count() == audit_before
    assert not AuditEntry.objects.filter(actor=world.users["warga.rt003"]).exists()
    # The warga does not find it among their own feedback (nothing links it to them).
    mine = api.get("/api/v1/feedback", "warga.rt003").json()
    assert mine["count"] == 0
    admin = api.get("/api/v1/feedback", "admin").json()["items"][0]
    assert admin["household"] is None


def test_bad_input_answers_422_with_field_messages(api: Api, world: Any) -> None:
    home = world.households["rt003"].pk
    response = assert_error(
        api.post(
            "/api/v1/feedback", "warga.rt003", {"household": home, "service": "x", "rating": 9}
        ),
        422,
        "invalid",
    )
    assert "rating" in response["fields"]
    response = assert_error(
        api.post(
            "/api/v1/feedback",
            "warga.rt003",
            {"household": home, "service": "delivery", "service_id": 999999, "rating": 3},
        ),
        422,
        "invalid",
    )
    assert "tidak ditemukan" in response["fields"]["service_id"][0]  # an Indonesian account
    assert Feedback.objects.count() == 0


def test_feedback_list_paginates_with_few_queries(
    api: Api, world: Any, django_assert_max_num_queries: Any
) -> None:
    root = world.users["root"]
    for i in range(30):
        services.give_feedback(
            actor=root, household=world.households["rt003"], service="other", rating=1 + i % 5
        )
    with django_assert_max_num_queries(8):
        data = api.get("/api/v1/feedback?limit=25", "pengurus.rw006").json()
    assert data["count"] == 30 and len(data["items"]) == 25
