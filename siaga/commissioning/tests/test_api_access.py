"""Role × territory matrix on the co-commissioning endpoints: out of reach answers 404 and
changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from siaga.api.tests.helpers import USERS
from siaga.commissioning import services
from siaga.commissioning.models import Need, Round, Support, Vote

pytestmark = pytest.mark.django_db

# Who reads the community data of Panggung Lor (every member of the kelurahan or above).
READS_PANGGUNG_LOR = set(USERS) - {"puskesmas.bandarharjo"}
READS_BANDARHARJO = {"admin", "fasilitator.kota", "fasilitator.utara", "puskesmas.bandarharjo"}


def call(client: Client, world: Any, method: str, url: str, user: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[user]}"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def snapshot() -> Any:
    return (
        list(Need.objects.order_by("id").values()),
        list(Support.objects.order_by("id").values()),
        list(Round.objects.order_by("id").values()),
        Vote.objects.count(),
    )


@pytest.fixture
def needs(world: Any) -> dict[str, Need]:
    data = {"category": "pangan", "title": "Lumbung pangan"}
    return {
        "rt004": services.raise_need(
            actor=world.users["pengurus.rw006"], territory=world.t["rt004"], data=data
        ),
        "bandar": services.raise_need(
            actor=world.users["admin"], territory=world.t["bandar_rt001"], data=data
        ),
    }


@pytest.mark.parametrize("user", USERS)
def test_reading_needs_follows_the_community_scope(world, needs, client, user) -> None:
    for place, readers in (("rt004", READS_PANGGUNG_LOR), ("bandar", READS_BANDARHARJO)):
        response = call(client, world, "get", f"/api/v1/needs/{needs[place].pk}", user)
        assert response.status_code == (200 if user in readers else 404), (place, user)
    listed = {n["id"] for n in call(client, world, "get", "/api/v1/needs", user).json()["items"]}
    expected = {
        needs[p].pk
        for p, r in (("rt004", READS_PANGGUNG_LOR), ("bandar", READS_BANDARHARJO))
        if user in r
    }
    assert listed == expected


CLOSERS_RT004 = {
    "admin",
    "fasilitator.kota",
    "fasilitator.utara",
    "lurah.panggunglor",
    "pengurus.rw006",
}


@pytest.mark.parametrize("user", USERS)
def test_closing_a_need_is_for_leaders_of_the_place(world, needs, client, user) -> None:
    before = snapshot()
    response = call(
        client, world, "post", f"/api/v1/needs/{needs['rt004'].pk}/close", user, {"reason": "ok"}
    )
    if user in CLOSERS_RT004:
        assert response.status_code == 200
        assert response.json()["status"] == "closed"
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert snapshot() == before


ROUND_MANAGERS = {"admin", "fasilitator.kota", "fasilitator.utara", "lurah.panggunglor"}


@pytest.mark.parametrize("user", USERS)
def test_closing_a_round_is_for_facilitators_of_the_place(world, ballot, client, user) -> None:
    before = snapshot()
    response = call(client, world, "post", f"/api/v1/rounds/{ballot.round.pk}/close", user)
    if user in ROUND_MANAGERS:
        assert response.status_code == 200
        assert len(response.json()["results"]) == 3
    else:
        assert response.status_code == 404
        assert snapshot() == before


def test_warga_votes_through_the_api_and_others_cannot_vote_as_residents(
    world, ballot, client
) -> None:
    url = f"/api/v1/rounds/{ballot.round.pk}/votes"
    first = call(client, world, "post", url, "warga.rt003", {"proposal": ballot.isolation.pk})
    assert first.status_code == 200
    assert first.json()["changed"] is False
    again = call(client, world, "post", url, "warga.rt003", {"proposal": ballot.lumbung.pk})
    assert again.json() == {
        "round": ballot.round.pk,
        "proposal": ballot.lumbung.pk,
        "channel": "account",
        "changed": True,
    }
    refused = call(client, world, "post", url, "relawan.rw006", {"proposal": ballot.lumbung.pk})
    assert refused.status_code == 422
    outsider = call(
        client, world, "post", url, "puskesmas.bandarharjo", {"proposal": ballot.lumbung.pk}
    )
    assert outsider.status_code == 404
    assert Vote.objects.count() == 1


def test_need_create_and_support_via_api(world, client) -> None:
    created = call(
        client,
        world,
        "post",
        "/api/v1/needs",
        "warga.rt003",
        {"territory": "33.74.02.1006.006.003", "category": "kesehatan", "title": "Oksimeter"},
    )
    assert created.status_code == 201, created.content
    need_id = created.json()["id"]
    url = f"/api/v1/needs/{need_id}/supports"
    assert call(client, world, "post", url, "relawan.rw006").json()["supports"] == 1
    assert call(client, world, "post", url, "relawan.rw006").status_code == 422
    assert call(client, world, "delete", url, "relawan.rw006").json()["supported"] is False
