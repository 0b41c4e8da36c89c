"""/api/v1/residents: the role × territory matrix for every endpoint, audit, filters, refusals."""

from __future__ import annotations

import datetime as dt
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
from siaga.registry.models import Resident


@pytest.fixture
def api(client: Any, world: Any) -> Api:
    return Api(client, world)


def wife(place: str) -> Resident:
    """The second resident of each household: no user account, so it can be deleted."""
    return Resident.objects.get(name=f"Siti {place}")


def audit_for(resident_pk: int, action: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type="registry.resident", object_id=str(resident_pk), action=action
        )
    )


@pytest.mark.parametrize("user", USERS)
def test_get_resident_matrix_audits_only_what_was_shown(api: Api, world: Any, user: str) -> None:
    wrong = []
    for place in PLACES:
        for resident in (world.residents[place], wife(place)):
            audit_before = AuditEntry.objects.count()
            response = api.get(f"/api/v1/residents/{resident.pk}", user)
            expected = 200 if can_view_place(user, place) else 404
            if response.status_code != expected:
                wrong.append((resident.name, response.status_code, expected))
                continue
            if expected == 200:
                assert response.json()["id"] == resident.pk
                [entry] = audit_for(resident.pk, "view")
                assert (entry.interface, entry.actor) == ("api", world.users[user])
                assert entry.territory_id == resident.rt_id
            else:
                assert_error(response, 404, "not_found")
                assert AuditEntry.objects.count() == audit_before
    assert not wrong


@pytest.mark.parametrize("user", USERS)
def test_list_residents_matrix(api: Api, world: Any, user: str) -> None:
    response = api.get("/api/v1/residents", user)
    assert response.status_code == 200
    expected = {
        r.pk for p in PLACES if can_view_place(user, p) for r in (world.residents[p], wife(p))
    }
    assert {item["id"] for item in response.json()["items"]} == expected
    assert response.json()["count"] == len(expected)


def test_warga_sees_only_their_own_household(api: Api, world: Any) -> None:
    body = api.get("/api/v1/residents", "warga.rt003").json()
    assert sorted(item["name"] for item in body["items"]) == ["Budi rt003", "Siti rt003"]
    other = world.residents["rt004"]
    assert_error(api.get(f"/api/v1/residents/{other.pk}", "warga.rt003"), 404, "not_found")
    households = api.get("/api/v1/households", "warga.rt003").json()["items"]
    assert [h["id"] for h in households] == [world.households["rt003"].pk]


@pytest.mark.parametrize("user", USERS)
def test_create_resident_matrix(api: Api, world: Any, user: str) -> None:
    wrong = []
    for place in PLACES:
        before = snapshot()
        body = {"name": f"Ani {place}", "sex": "P", "rt": PLACE_CODES[place]}
        response = api.post("/api/v1/residents", user, body)
        if can_change_place(user, place):
            if response.status_code != 201:
                wrong.append((place, response.status_code, 201))
                continue
            created = Resident.objects.get(name=f"Ani {place}")
            assert response.json()["id"] == created.pk
            assert created.rt_id == world.t[place].id
            [entry] = audit_for(created.pk, "create")
            assert (entry.interface, entry.actor) == ("api", world.users[user])
        else:
            if response.status_code != 422:
                wrong.append((place, response.status_code, 422))
                continue
            assert list(assert_error(response, 422, "invalid")["fields"]) == ["rt"]
            assert snapshot() == before
    assert not wrong


@pytest.mark.parametrize("user", USERS)
def test_create_resident_in_household_matrix(api: Api, world: Any, user: str) -> None:
    wrong = []
    for place in PLACES:
        before = snapshot()
        household = world.households[place]
        body = {"name": f"Anak {place}", "sex": "L", "household": household.pk, "relation": "anak"}
        response = api.post("/api/v1/residents", user, body)
        if can_change_place(user, place):
            if response.status_code != 201:
                wrong.append((place, response.status_code, 201))
                continue
            assert response.json()["household"] == household.pk
            assert response.json()["rt"] == PLACE_CODES[place]
        else:
            if response.status_code != 422:
                wrong.append((place, response.status_code, 422))
                continue
            assert "household" in assert_error(response, 422, "invalid")["fields"]
            assert snapshot() == before
    assert not wrong


@pytest.mark.parametrize("user", USERS)
def test_update_resident_matrix(api: Api, world: Any, user: str) -> None:
    wrong = []
    for place in PLACES:
        resident = wife(place)
        before = snapshot()
        response = api.patch(
            f"/api/v1/residents/{resident.pk}", user, {"phone": "0812 3456 7890", "hamil": True}
        )
        if can_change_place(user, place):
            if response.status_code != 200:
                wrong.append((place, response.status_code, 200))
                continue
            resident.refresh_from_db()
            assert (resident.phone, resident.hamil) == ("+6281234567890", True)
            assert response.json()["phone"] == "+6281234567890"
            assert "hamil" in response.json()["flags"]
            [entry] = audit_for(resident.pk, "update")
            assert entry.interface == "api"
            assert entry.changes == {"phone": ["", "+6281234567890"], "hamil": [False, True]}
        else:
            if response.status_code != 404:
                wrong.append((place, response.status_code, 404))
                continue
            assert_error(response, 404, "not_found")
            assert snapshot() == before
    assert not wrong


@pytest.mark.parametrize("user", USERS)
def test_delete_resident_matrix(api: Api, world: Any, user: str) -> None:
    wrong = []
    for place in PLACES:
        resident = wife(place)
        before = snapshot()
        response = api.delete(f"/api/v1/residents/{resident.pk}", user)
        if can_change_place(user, place):
            if response.status_code != 204:
                wrong.append((place, response.status_code, 204))
                continue
            assert not Resident.objects.filter(pk=resident.pk).exists()
            [entry] = audit_for(resident.pk, "delete")
            assert entry.interface == "api"
        else:
            if response.status_code != 404:
                wrong.append((place, response.status_code, 404))
                continue
            assert snapshot() == before
    assert not wrong


def test_unauthenticated_calls_answer_401_and_write_nothing(api: Api, world: Any) -> None:
    pk = wife("rt003").pk
    before = snapshot()
    for method, url, body in (
        ("GET", "/api/v1/residents", None),
        ("POST", "/api/v1/residents", {"name": "A", "sex": "L", "rt": PLACE_CODES["rt003"]}),
        ("GET", f"/api/v1/residents/{pk}", None),
        ("PATCH", f"/api/v1/residents/{pk}", {"name": "B"}),
        ("DELETE", f"/api/v1/residents/{pk}", None),
    ):
        assert_error(api.call(method, url, body=body), 401, "unauthenticated")
        assert_error(api.call(method, url, body=body, token="ks_nope"), 401, "unauthenticated")
        assert_error(
            api.call(method, url, body=body, HTTP_AUTHORIZATION="Token abc"), 401, "unauthenticated"
        )
    assert snapshot() == before


def test_resident_shape(api: Api, world: Any) -> None:
    siti = wife("rt003")
    body = api.get(f"/api/v1/residents/{siti.pk}", "pengurus.rt003").json()
    warnings = body.pop("warnings")
    assert body == {
        "id": siti.pk,
        "nik": siti.nik,
        "name": "Siti rt003",
        "sex": "P",
        "birth_date": "1950-08-17",
        "phone": "",
        "household": world.households["rt003"].pk,
        "relation": "istri",
        "rt": PLACE_CODES["rt003"],
        "status": "tetap",
        "flags": ["lansia", "komorbid"],
        "comorbidities": ["diabetes"],
        "hamil": False,
        "disabilitas": False,
    }
    # Her NIK encodes 17-08-1985, the recorded birth date is 1950: a warning, not an error.
    assert len(warnings) == 1
    assert "17-08-1985" in warnings[0]


def test_create_with_every_writable_field(api: Api, world: Any) -> None:
    body = {
        "nik": "3374 0257 0890 0009",
        "name": "  Dewi   Lestari ",
        "sex": "P",
        "birth_date": "1990-08-17",
        "phone": "+62 812-3456-7890",
        "household": world.households["rt004"].pk,
        "relation": "anak",
        "status": "pendatang",
        "comorbidities": ["hipertensi", "diabetes"],
        "hamil": True,
        "disabilitas": True,
    }
    response = api.post("/api/v1/residents", "pengurus.rw006", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["nik"] == "3374025708900009"
    assert created["name"] == "Dewi Lestari"
    assert created["phone"] == "+6281234567890"
    assert created["rt"] == PLACE_CODES["rt004"]
    assert created["comorbidities"] == ["diabetes", "hipertensi"]
    assert created["flags"] == ["komorbid", "hamil", "disabilitas"]
    assert created["warnings"] == []
    # Reading it back answers the same record.
    assert api.get(f"/api/v1/residents/{created['id']}", "pengurus.rw006").json() == created
    [entry] = audit_for(created["id"], "create")
    assert entry.interface == "api"
    assert entry.changes["nik"] == [None, "3374025708900009"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nik": "3374023102900001"}, "nik"),  # 31 February
        ({"nik": "12345"}, "nik"),
        ({"nik": "3.37402E+15"}, "nik"),  # a spreadsheet float, cannot be repaired
        ({"nik": "3374021708850001"}, "nik"),  # duplicate of Budi rt003
        ({"phone": "12"}, "phone"),
        ({"birth_date": "1990-13-01"}, "birth_date"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"sex": "X"}, "sex"),
        ({"name": ""}, "name"),
        ({"hamil": True, "sex": "L"}, "hamil"),
        ({"comorbidities": ["flu"]}, "comorbidities"),
        ({"comorbidities": "diabetes"}, "comorbidities"),
        ({"relation": "cousin"}, "relation"),
        ({"status": "gone"}, "status"),
        ({"rt": "33.74.02.1006.006.004"}, "rt"),  # outside the RT head's area
        ({"rt": "33.74.02.1006.006"}, "rt"),  # an RW, not an RT
        ({"rt": None}, "rt"),
        ({"household": 999999}, "household"),
        ({"household": "abc"}, "household"),
        ({"id": 77}, "id"),
    ],
)
def test_create_refusals_answer_422_and_write_nothing(
    api: Api, world: Any, overrides: dict[str, Any], field: str
) -> None:
    body = {"name": "Agus", "sex": "L", "rt": PLACE_CODES["rt003"], **overrides}
    before = snapshot()
    response = api.post("/api/v1/residents", "pengurus.rt003", body)
    error = assert_error(response, 422, "invalid")
    assert field in error["fields"], error
    assert all(isinstance(m, str) and m for m in error["fields"][field])
    assert snapshot() == before


def test_missing_fields_are_reported_together(api: Api) -> None:
    before = snapshot()
    error = assert_error(api.post("/api/v1/residents", "admin", {}), 422, "invalid")
    assert set(error["fields"]) == {"name", "sex"}
    assert snapshot() == before


def test_update_refusals_answer_422_and_change_nothing(api: Api, world: Any) -> None:
    resident = wife("rt003")
    url = f"/api/v1/residents/{resident.pk}"
    for body, field in (
        ({"nik": world.residents["rt004"].nik}, "nik"),
        ({"phone": "abc"}, "phone"),
        ({"household": world.households["bandar_rt001"].pk}, "household"),
        ({"rt": PLACE_CODES["rt004"]}, "rt"),  # not the household's RT
        ({"birth_date": "17-08-1950"}, "birth_date"),
        ({"name": None}, "name"),
    ):
        before = snapshot()
        error = assert_error(api.patch(url, "pengurus.rw006", body), 422, "invalid")
        assert field in error["fields"], (body, error)
        assert snapshot() == before


def test_patch_changes_only_the_given_fields(api: Api, world: Any) -> None:
    resident = wife("rt003")
    response = api.patch(f"/api/v1/residents/{resident.pk}", "pengurus.rt003", {"status": "pindah"})
    assert response.status_code == 200
    resident.refresh_from_db()
    assert (resident.status, resident.name, resident.comorbidities) == (
        "pindah",
        "Siti rt003",
        ["diabetes"],
    )
    [entry] = audit_for(resident.pk, "update")
    assert entry.changes == {"status": ["tetap", "pindah"]}


def test_resident_with_an_account_cannot_be_deleted(api: Api, world: Any) -> None:
    before = snapshot()
    budi = world.residents["rt003"]  # warga.rt003's own record
    response = api.delete(f"/api/v1/residents/{budi.pk}", "pengurus.rt003")
    assert "__all__" in assert_error(response, 422, "invalid")["fields"]
    assert snapshot() == before


def test_filters(api: Api, world: Any) -> None:
    def names(query: str, user: str = "admin") -> set[str]:
        response = api.get(f"/api/v1/residents?{query}", user)
        assert response.status_code == 200, response.content
        return {item["name"] for item in response.json()["items"]}

    assert names("territory=33.74.02.1006.006") == {
        "Budi rt003",
        "Siti rt003",
        "Budi rt004",
        "Siti rt004",
    }
    assert names("q=siti bandar") == {"Siti bandar_rt001"}
    assert names(f"q={world.residents['rt004'].nik}") == {"Budi rt004"}
    assert names(f"q={world.households['timur_rt001'].kk}") == {
        "Budi timur_rt001",
        "Siti timur_rt001",
    }
    wives = {f"Siti {p}" for p in PLACES}
    assert names("vulnerable=lansia") == wives
    assert names("vulnerable=komorbid") == wives
    assert names("vulnerable=hamil") == set()
    Resident.objects.filter(name="Budi rt004").update(status="pindah", disabilitas=True)
    assert names("status=pindah") == {"Budi rt004"}
    assert names("vulnerable=disabilitas&territory=33.74.02.1006") == {"Budi rt004"}
    assert names("vulnerable=lansia", "pengurus.rt003") == {"Siti rt003"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("vulnerable=old", "vulnerable"),
        ("status=gone", "status"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
        ("limit=ten", "limit"),
    ],
)
def test_bad_list_parameters_answer_422(api: Api, query: str, field: str) -> None:
    response = api.get(f"/api/v1/residents?{query}", "lurah.panggunglor")
    assert field in assert_error(response, 422, "invalid")["fields"]


@pytest.mark.parametrize("code", ["33.74.03.1001", "nonsense"])
def test_territory_filter_outside_area_or_unknown_is_404(api: Api, code: str) -> None:
    response = api.get(f"/api/v1/residents?territory={code}", "lurah.panggunglor")
    assert_error(response, 404, "not_found")


def test_list_is_paginated_in_name_order(api: Api) -> None:
    everyone = api.get("/api/v1/residents?limit=500", "admin").json()
    names = [item["name"] for item in everyone["items"]]
    assert names == sorted(names)
    page = api.get("/api/v1/residents?limit=3&offset=3", "admin").json()
    assert (page["count"], page["limit"], page["offset"]) == (10, 3, 3)
    assert [item["name"] for item in page["items"]] == names[3:6]
    assert api.get("/api/v1/residents?offset=10", "admin").json()["items"] == []
    assert api.get("/api/v1/residents", "admin").json()["limit"] == 50


@pytest.mark.parametrize("user", ["admin", "pengurus.rw006", "warga.rt003"])
def test_list_takes_a_fixed_number_of_queries(
    api: Api, world: Any, user: str, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(10) as small:
        api.get("/api/v1/residents", user)
    baseline = len(small)  # read now: the next request resets the connection's query log
    household = world.households["rt003"]
    for n in range(40):
        Resident.objects.create(
            name=f"Extra {n:02d}",
            sex="P",
            birth_date=dt.date(1940 + n, 1, 1),
            rt=household.rt,
            household=household,
            comorbidities=["paru"] if n % 2 else [],
        )
    with django_assert_max_num_queries(baseline):
        response = api.get("/api/v1/residents?limit=100", user)
    assert len(response.json()["items"]) >= 42
