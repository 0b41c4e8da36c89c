"""/api/v1/households: the role × territory matrix for every endpoint, filters, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from siaga.api.tests.helpers import (
    PLACE_CODES,
    PLACES,
    USERS,
    Api,
    assert_error,
    can_change_place,
    can_view_place,
    snapshot,
)
from siaga.core.models import AuditEntry
from siaga.registry.models import Household, Resident


@pytest.fixture
def api(client: Any, world: Any) -> Api:
    return Api(client, world)


def kk(serial: int) -> str:
    return f"337402010190{serial:04d}"


@pytest.mark.parametrize("user", USERS)
def test_get_household_matrix(api: Api, world: Any, user: str) -> None:
    wrong = []
    for place in PLACES:
        household = world.households[place]
        response = api.get(f"/api/v1/households/{household.pk}", user)
        expected = 200 if can_view_place(user, place) else 404
        if response.status_code != expected:
            wrong.append((place, response.status_code, expected))
        elif expected == 200:
            assert response.json()["id"] == household.pk
        else:
            assert_error(response, 404, "not_found")
    assert not wrong


@pytest.mark.parametrize("user", USERS)
def test_list_households_matrix(api: Api, world: Any, user: str) -> None:
    response = api.get("/api/v1/households", user)
    assert response.status_code == 200
    expected = {world.households[p].pk for p in PLACES if can_view_place(user, p)}
    assert {item["id"] for item in response.json()["items"]} == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("user", USERS)
def test_create_household_matrix(api: Api, world: Any, user: str) -> None:
    wrong = []
    for serial, place in enumerate(PLACES, start=1):
        before = snapshot()
        body = {"kk": kk(serial), "rt": PLACE_CODES[place], "address": "Jl. Baru 1"}
        response = api.post("/api/v1/households", user, body)
        if can_change_place(user, place):
            if response.status_code != 201:
                wrong.append((place, response.status_code, 201))
                continue
            created = Household.objects.get(kk=kk(serial))
            assert response.json() == {
                "id": created.pk,
                "kk": kk(serial),
                "rt": PLACE_CODES[place],
                "address": "Jl. Baru 1",
                "head": None,
            }
            entry = AuditEntry.objects.get(
                object_type="registry.household", object_id=str(created.pk)
            )
            assert (entry.action, entry.interface) == ("create", "api")
        else:
            # The RT is input here: outside the caller's area it is an invalid choice.
            if response.status_code != 422:
                wrong.append((place, response.status_code, 422))
                continue
            assert list(assert_error(response, 422, "invalid")["fields"]) == ["rt"]
            assert snapshot() == before
    assert not wrong


@pytest.mark.parametrize("user", USERS)
def test_update_household_matrix(api: Api, world: Any, user: str) -> None:
    wrong = []
    for place in PLACES:
        household = world.households[place]
        before = snapshot()
        response = api.patch(f"/api/v1/households/{household.pk}", user, {"address": "Jl. Ubah"})
        if can_change_place(user, place):
            if response.status_code != 200:
                wrong.append((place, response.status_code, 200))
                continue
            household.refresh_from_db()
            assert household.address == "Jl. Ubah"
            assert response.json()["address"] == "Jl. Ubah"
            entry = AuditEntry.objects.filter(
                object_type="registry.household", object_id=str(household.pk)
            ).first()
            assert entry is not None
            assert (entry.action, entry.interface, entry.changes["address"]) == (
                "update",
                "api",
                [f"Jl. {place} 1", "Jl. Ubah"],
            )
        else:
            if response.status_code != 404:
                wrong.append((place, response.status_code, 404))
                continue
            assert_error(response, 404, "not_found")
            assert snapshot() == before
    assert not wrong


@pytest.mark.parametrize("user", USERS)
def test_delete_household_matrix(api: Api, world: Any, user: str) -> None:
    empty = {
        place: Household.objects.create(kk=kk(50 + i), rt=world.t[place])
        for i, place in enumerate(PLACES)
    }
    wrong = []
    for place, household in empty.items():
        before = snapshot()
        response = api.delete(f"/api/v1/households/{household.pk}", user)
        if can_change_place(user, place):
            if response.status_code != 204:
                wrong.append((place, response.status_code, 204))
                continue
            assert not Household.objects.filter(pk=household.pk).exists()
            assert AuditEntry.objects.filter(
                action="delete", object_id=str(household.pk), interface="api"
            ).exists()
        else:
            if response.status_code != 404:
                wrong.append((place, response.status_code, 404))
                continue
            assert snapshot() == before
    assert not wrong


def test_unauthenticated_calls_answer_401_and_write_nothing(api: Api, world: Any) -> None:
    pk = world.households["rt003"].pk
    before = snapshot()
    for method, url, body in (
        ("GET", "/api/v1/households", None),
        ("POST", "/api/v1/households", {"kk": kk(1), "rt": PLACE_CODES["rt003"]}),
        ("GET", f"/api/v1/households/{pk}", None),
        ("PATCH", f"/api/v1/households/{pk}", {"address": "x"}),
        ("DELETE", f"/api/v1/households/{pk}", None),
    ):
        assert_error(api.call(method, url, body=body), 401, "unauthenticated")
        assert_error(api.call(method, url, body=body, token="ks_nope"), 401, "unauthenticated")
    assert snapshot() == before


def test_filters(api: Api, world: Any) -> None:
    def ids(query: str, user: str = "admin") -> set[int]:
        response = api.get(f"/api/v1/households?{query}", user)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    h = world.households
    assert ids("territory=33.74.02.1006") == {h["rt003"].pk, h["rt004"].pk, h["rw007rt001"].pk}
    assert ids("territory=33.74.02.1006.006.004") == {h["rt004"].pk}
    assert ids("q=rt004") == {h["rt004"].pk}  # address
    assert ids("q=Budi bandar") == {h["bandar_rt001"].pk}  # head's name
    assert ids(f"q={h['timur_rt001'].kk[:12]}") == {h["timur_rt001"].pk}  # No. KK prefix
    # Combined with the caller's area: a search never widens it.
    assert ids("q=Jl", "pengurus.rt003") == {h["rt003"].pk}
    assert ids("q=Jl", "warga.rt003") == {h["rt003"].pk}


def test_territory_filter_outside_area_or_unknown_is_404(api: Api) -> None:
    # One answer for both (territory.selectors.territory_param): existence is never revealed.
    for code in ("33.74.02.1006.006.004", "33.99", "junk"):
        response = api.get(f"/api/v1/households?territory={code}", "pengurus.rt003")
        assert_error(response, 404, "not_found")


def test_list_is_paginated_and_takes_a_fixed_number_of_queries(
    api: Api, world: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(10) as small:
        first = api.get("/api/v1/households?limit=2", "admin").json()
    baseline = len(small)  # read now: the next request resets the connection's query log
    assert (first["count"], first["limit"], first["offset"], len(first["items"])) == (5, 2, 0, 2)
    rest = api.get("/api/v1/households?limit=2&offset=4", "admin").json()
    assert len(rest["items"]) == 1
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in rest["items"]})
    for serial in range(1, 41):
        household = Household.objects.create(kk=kk(serial), rt=world.t["rt003"])
        head = Resident.objects.create(name=f"Head {serial}", sex="L", rt=world.t["rt003"])
        household.head = head
        household.save()
    with django_assert_max_num_queries(baseline):
        page = api.get("/api/v1/households?limit=500", "admin").json()
    assert len(page["items"]) == 45


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kk": "33740201019", "rt": "33.74.02.1006.006.003"}, "kk"),  # not 16 digits
        ({"kk": "3.37402E+15", "rt": "33.74.02.1006.006.003"}, "kk"),  # spreadsheet float
        ({"kk": "3374021508010001", "rt": "33.74.02.1006.006.003"}, "kk"),  # duplicate
        ({"kk": kk(1), "rt": "33.74.02.1006.006.004"}, "rt"),  # outside the RT head's area
        ({"kk": kk(1), "rt": "33.74.02.1006.006"}, "rt"),  # an RW is not an RT
        ({"kk": kk(1), "rt": "33.74.02.1006.006.003", "head": 1}, "head"),
        ({"rt": "33.74.02.1006.006.003"}, "kk"),
        ({"kk": kk(1), "rt": "33.74.02.1006.006.003", "id": 5}, "id"),
    ],
)
def test_create_refusals_answer_422_and_write_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    before = snapshot()
    response = api.post("/api/v1/households", "pengurus.rt003", body)
    error = assert_error(response, 422, "invalid")
    assert field in error["fields"], error
    assert snapshot() == before


def test_update_refusals_answer_422_and_change_nothing(api: Api, world: Any) -> None:
    household = world.households["rt003"]
    url = f"/api/v1/households/{household.pk}"
    outsider = world.residents["rt004"]
    for body, field in (
        ({"head": outsider.pk}, "head"),
        ({"kk": "123"}, "kk"),
        ({"rt": PLACE_CODES["bandar_rt001"]}, "rt"),
        ({"kk": world.households["rt004"].kk}, "kk"),
    ):
        before = snapshot()
        error = assert_error(api.patch(url, "pengurus.rw006", body), 422, "invalid")
        assert list(error["fields"]) == [field]
        assert snapshot() == before


def test_moving_a_household_moves_its_members(api: Api, world: Any) -> None:
    household = world.households["rt003"]
    response = api.patch(
        f"/api/v1/households/{household.pk}", "pengurus.rw006", {"rt": PLACE_CODES["rt004"]}
    )
    assert response.status_code == 200
    assert response.json()["rt"] == PLACE_CODES["rt004"]
    assert set(household.members.values_list("rt_id", flat=True)) == {world.t["rt004"].id}


def test_household_with_members_cannot_be_deleted(api: Api, world: Any) -> None:
    before = snapshot()
    household = world.households["rt003"]
    response = api.delete(f"/api/v1/households/{household.pk}", "pengurus.rt003")
    assert "__all__" in assert_error(response, 422, "invalid")["fields"]
    assert snapshot() == before


def test_bad_ids_answer_422_or_404(api: Api) -> None:
    assert_error(api.get("/api/v1/households/abc", "admin"), 422, "invalid")
    assert_error(api.get("/api/v1/households/0", "admin"), 422, "invalid")
    assert_error(api.get(f"/api/v1/households/{2**63}", "admin"), 422, "invalid")
    assert_error(api.get("/api/v1/households/999999", "admin"), 404, "not_found")
