"""Feedback pages: the landing page per role, rating a service (stars without JavaScript),
recording feedback for a household, the feedback list with its summary; 404 outside scope."""

from __future__ import annotations

from typing import Any

import pytest

from siaga.accounts.models import User
from siaga.assessment import services
from siaga.assessment.models import Feedback

from .fb_helpers import USERS, login, make_services


@pytest.mark.parametrize("user", USERS)
def test_home_renders_for_every_role(client: Any, world: Any, user: str) -> None:
    make_services(world)
    login(client, world, user)
    response = client.get("/penilaian/")
    assert response.status_code == 200
    body = response.content.decode()
    if user == "warga.rt003":
        assert "Rate a service" in body and "Pengaduan saya" in body
        assert "Complaints to answer" not in body
    if user == "pengurus.rw006":
        assert "Complaints to answer" in body and "Satisfaction in your area" in body


def test_home_is_404_without_any_assessment_role(client: Any, world: Any) -> None:
    client.force_login(User.objects.create_user("nobody", password="x-pass-123"))
    assert client.get("/penilaian/").status_code == 404


def test_warga_rates_a_delivery_on_the_web(client: Any, world: Any) -> None:
    s = make_services(world)
    home = world.households["rt003"]
    login(client, world, "warga.rt003")
    url = f"/penilaian/nilai/?household={home.pk}&service=delivery&id={s.delivery.pk}"
    page = client.get(url)
    assert page.status_code == 200 and 'type="radio"' in page.content.decode()
    data = {"household": home.pk, "service": "delivery", "id": s.delivery.pk}
    missing = client.post("/penilaian/nilai/", {**data, "comment": "x"})
    assert missing.status_code == 200 and "1 to 5 stars" in missing.content.decode()
    assert Feedback.objects.count() == 0
    done = client.post("/penilaian/nilai/", {**data, "rating": "5", "comment": "Mantap"})
    assert done.status_code == 302 and done.url == "/penilaian/"
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.channel, feedback.volunteer) == (5, "web", s.volunteer)
    again = client.post("/penilaian/nilai/", {**data, "rating": "4"})
    assert "already rated" in again.content.decode()
    assert Feedback.objects.count() == 1


def test_anonymous_checkbox_on_the_web(client: Any, world: Any) -> None:
    home = world.households["rt003"]
    login(client, world, "warga.rt003")
    client.post(
        "/penilaian/nilai/",
        {"household": home.pk, "service": "other", "rating": "2", "anonymous": "on"},
    )
    feedback = Feedback.objects.get()
    assert feedback.anonymous and feedback.household_id is None and feedback.author_id is None


def test_rate_page_is_404_outside_scope(client: Any, world: Any) -> None:
    s = make_services(world)
    other = world.households["rt004"]
    login(client, world, "warga.rt003")
    assert client.get(f"/penilaian/nilai/?household={other.pk}&service=other").status_code == 404
    response = client.post(
        "/penilaian/nilai/", {"household": other.pk, "service": "other", "rating": "1"}
    )
    assert response.status_code == 404
    # A delivery of another household through one's own household id: 404 too.
    login(client, world, "pengurus.rt003")
    home = world.households["rt004"]
    url = f"/penilaian/nilai/?household={home.pk}&service=delivery&id={s.delivery.pk}"
    assert client.get(url).status_code == 404
    assert Feedback.objects.count() == 0


def test_relawan_records_feedback_for_a_household(client: Any, world: Any) -> None:
    s = make_services(world)
    home = world.households["rt003"]
    login(client, world, "relawan.rw006")
    found = client.get(f"/penilaian/nilai/catat/?kk={home.kk}")
    assert found.status_code == 200 and f"id={s.case.pk}" in found.content.decode()
    far = world.households["bandar_rt001"]
    missing = client.get(f"/penilaian/nilai/catat/?kk={far.kk}")
    assert "No household with this No. KK" in missing.content.decode()
    done = client.post(
        "/penilaian/nilai/",
        {"household": home.pk, "service": "isolation", "id": s.case.pk, "rating": "4"},
    )
    assert done.status_code == 302 and "catat" in done.url
    assert Feedback.objects.get().author == world.users["relawan.rw006"]
    login(client, world, "warga.rt003")
    assert client.get("/penilaian/nilai/catat/").status_code == 404


@pytest.mark.parametrize("user", USERS)
def test_feedback_list_matrix(client: Any, world: Any, user: str) -> None:
    services.give_feedback(
        actor=world.users["root"],
        household=world.households["rt003"],
        service="other",
        rating=4,
        comment="Komentar RT003",
    )
    login(client, world, user)
    response = client.get("/penilaian/umpan-balik/")
    if user in {"relawan.rw006", "warga.rt003"}:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    shown = "Komentar RT003" in response.content.decode()
    assert shown == (user != "puskesmas.bandarharjo")


def test_feedback_list_query_count(
    client: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    root = world.users["root"]
    for i in range(40):
        services.give_feedback(
            actor=root, household=world.households["rt003"], service="other", rating=1 + i % 5
        )
    login(client, world, "pengurus.rw006")
    with django_assert_max_num_queries(14):
        assert client.get("/penilaian/umpan-balik/").status_code == 200
