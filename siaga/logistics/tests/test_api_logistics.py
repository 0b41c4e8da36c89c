"""/api/v1 logistics: the role × territory matrix (404 outside scope, nothing changed)."""

from __future__ import annotations

from typing import Any

import pytest

from siaga.api.tests.helpers import USERS, Api, assert_error, covers
from siaga.logistics import services
from siaga.logistics.models import AidRequest, StockBalance, StockMovement
from siaga.volunteers.models import Task

RW006 = "33.74.02.1006.006"
RT003 = "33.74.02.1006.006.003"
# Who records stock at RW 006 (relawan and up with a membership covering the RW itself).
RECORDERS = {u for u in USERS if covers(u, RW006)} - {"warga.rt003"}


@pytest.mark.parametrize("user", USERS)
def test_issuing_stock_matrix(api: Api, world: Any, lumbung: Any, user: str) -> None:
    body = {"item": lumbung.beras.pk, "posko": lumbung.posko.pk, "kind": "aid", "quantity": "1"}
    before = (StockMovement.objects.count(), StockBalance.objects.get(item=lumbung.beras).quantity)
    response = api.post("/api/v1/stock-movements", user, body)
    if user in RECORDERS:
        assert response.status_code == 201, response.content
        assert response.json()["delta"] == "-1.00" or float(response.json()["delta"]) == -1
    else:
        assert_error(response, 404, "not_found")
        after = (
            StockMovement.objects.count(),
            StockBalance.objects.get(item=lumbung.beras).quantity,
        )
        assert after == before


def test_issuing_more_than_stock_answers_422_with_a_clear_message(
    api: Api, world: Any, lumbung: Any
) -> None:
    body = {"item": lumbung.beras.pk, "posko": lumbung.posko.pk, "kind": "aid", "quantity": "25"}
    response = assert_error(
        api.post("/api/v1/stock-movements", "relawan.rw006", body, HTTP_ACCEPT_LANGUAGE="en"),
        422,
        "invalid",
    )
    assert "left" in response["fields"]["quantity"][0]


@pytest.mark.parametrize("user", USERS)
def test_aid_request_visibility_matrix(api: Api, world: Any, lumbung: Any, user: str) -> None:
    aid = services.request_aid(actor=world.users["root"], household=world.households["rt003"])
    response = api.get(f"/api/v1/aid-requests/{aid.pk}", user)
    if covers(user, RT003) or user == "warga.rt003":
        assert response.status_code == 200
        assert response.json()["household"] == world.households["rt003"].pk
    else:
        assert_error(response, 404, "not_found")
    listed = api.get("/api/v1/aid-requests", user).json()
    assert (aid.pk in [i["id"] for i in listed["items"]]) == (response.status_code == 200)


def test_warga_requests_aid_only_for_own_household(api: Api, world: Any, lumbung: Any) -> None:
    own = api.post(
        "/api/v1/aid-requests", "warga.rt003", {"household": world.households["rt003"].pk}
    )
    assert own.status_code == 201, own.content
    assert own.json()["source"] == "warga"
    before = AidRequest.objects.count()
    other = api.post(
        "/api/v1/aid-requests", "warga.rt003", {"household": world.households["rt004"].pk}
    )
    assert_error(other, 404, "not_found")
    assert AidRequest.objects.count() == before


def test_delivery_via_api_issues_stock_and_closes_task(api: Api, world: Any, lumbung: Any) -> None:
    aid = services.request_aid(
        actor=world.users["relawan.rw006"], household=world.households["rt004"]
    )
    task = Task.objects.get(source_key=f"aid:{aid.pk}")
    assert task.kind == "delivery" and task.team == lumbung.team
    body = {"request": aid.pk, "posko": lumbung.posko.pk, "received_by": "Ibu Siti"}
    denied = api.post("/api/v1/deliveries", "pengurus.rt003", body)
    assert_error(denied, 404, "not_found")
    response = api.post("/api/v1/deliveries", "relawan.rw006", body)
    assert response.status_code == 201, response.content
    assert StockBalance.objects.get(item=lumbung.beras).quantity == 18
    task.refresh_from_db()
    assert task.state == "selesai"
    again = api.post("/api/v1/deliveries", "relawan.rw006", body)
    assert_error(again, 422, "invalid")


def test_in_kind_donation_goes_into_the_ledger(api: Api, world: Any, lumbung: Any) -> None:
    body = {
        "rw": RW006,
        "kind": "in_kind",
        "received_on": "2021-07-01",
        "anonymous": True,
        "items": [{"item": lumbung.beras.pk, "posko": lumbung.posko.pk, "quantity": "50"}],
    }
    response = api.post("/api/v1/donations", "pengurus.rw006", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201, response.content
    assert response.json()["donor"] == "Anonymous"
    assert StockBalance.objects.get(item=lumbung.beras).quantity == 70
    cash = api.post(
        "/api/v1/donations",
        "relawan.rw006",
        {"rw": RW006, "kind": "cash", "received_on": "2021-07-01", "amount": 500000},
    )
    assert_error(cash, 422, "invalid")
