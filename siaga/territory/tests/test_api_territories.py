"""/api/v1/territories: the role × territory matrix, counts, creation and its refusals."""

from __future__ import annotations

from typing import Any

import pytest

from siaga.api.tests.helpers import USERS, Api, assert_error, covers, snapshot
from siaga.core.models import AuditEntry
from siaga.registry.models import Household, Resident
from siaga.territory.models import Territory
from siaga.territory.services import create_child

TARGETS = (
    "33",
    "33.74",
    "33.74.02",
    "33.74.02.1001",
    "33.74.02.1006",
    "33.74.02.1006.006",
    "33.74.02.1006.006.003",
    "33.74.02.1006.006.004",
    "33.74.02.1006.007",
    "33.74.02.1006.007.001",
    "33.74.02.1001.001.001",
    "33.74.03.1001.001",
)
# Parents to add an RW (under a kelurahan) or an RT (under an RW) to.
PARENTS = (
    "33.74.02.1006",
    "33.74.02.1006.006",
    "33.74.02.1006.007",
    "33.74.02.1001.001",
    "33.74.03.1001.001",
)
CREATORS = frozenset(USERS) - {"relawan.rw006", "warga.rt003"}


@pytest.fixture
def api(client: Any, world: Any) -> Api:
    return Api(client, world)


@pytest.mark.parametrize("user", USERS)
def test_get_territory_matrix(api: Api, user: str) -> None:
    wrong = []
    for code in TARGETS:
        response = api.get(f"/api/v1/territories/{code}", user)
        expected = 200 if covers(user, code) else 404
        if response.status_code != expected:
            wrong.append((code, response.status_code, expected))
        elif expected == 404:
            assert response.json() == {"code": "not_found", "detail": response.json()["detail"]}
        else:
            assert response.json()["code"] == code
    assert not wrong


@pytest.mark.parametrize("user", USERS)
def test_children_matrix(api: Api, user: str) -> None:
    wrong = []
    for code in TARGETS:
        response = api.get(f"/api/v1/territories/{code}/children", user)
        expected = 200 if covers(user, code) else 404
        if response.status_code != expected:
            wrong.append((code, response.status_code, expected))
        elif expected == 200:
            assert all(item["parent"] == code for item in response.json()["items"])
    assert not wrong


@pytest.mark.parametrize("user", USERS)
def test_create_matrix_writes_only_where_allowed(api: Api, user: str) -> None:
    wrong = []
    for parent in PARENTS:
        before = snapshot()
        response = api.post("/api/v1/territories", user, {"parent": parent, "number": 9})
        allowed = user in CREATORS and covers(user, parent)
        expected = 201 if allowed else 404
        if response.status_code != expected:
            wrong.append((parent, response.status_code, expected))
            continue
        code = f"{parent}.009"
        if allowed:
            assert response.json()["code"] == code
            assert Territory.objects.filter(code=code).exists()
            entry = AuditEntry.objects.get(
                object_type="territory.territory",
                object_id=str(Territory.objects.get(code=code).pk),
            )
            assert (entry.action, entry.interface, entry.actor) == (
                "create",
                "api",
                api.world.users[user],
            )
        else:
            assert_error(response, 404, "not_found")
            assert snapshot() == before
            assert not Territory.objects.filter(code=code).exists()
    assert not wrong


def test_unauthenticated_calls_answer_401_and_write_nothing(api: Api) -> None:
    before = snapshot()
    for method, url, body in (
        ("GET", "/api/v1/territories/33.74.02.1006", None),
        ("GET", "/api/v1/territories/33.74.02.1006/children", None),
        ("POST", "/api/v1/territories", {"parent": "33.74.02.1006", "number": 9}),
    ):
        assert_error(api.call(method, url, body=body), 401, "unauthenticated")
        assert_error(api.call(method, url, body=body, token="ks_wrong"), 401, "unauthenticated")
    assert snapshot() == before


def test_territory_shape_and_counts(api: Api) -> None:
    response = api.get("/api/v1/territories/33.74.02.1006", "lurah.panggunglor")
    assert response.status_code == 200
    assert response.json() == {
        "code": "33.74.02.1006",
        "name": "Panggung Lor",
        "level": "kelurahan",
        "parent": "33.74.02",
        "counts": {"rw": 2, "rt": 3, "households": 3, "residents": 6},
    }
    province = api.get("/api/v1/territories/33", "admin").json()
    assert (province["level"], province["parent"]) == ("provinsi", None)
    assert province["counts"] == {"rw": 4, "rt": 5, "households": 5, "residents": 10}


def test_children_have_their_own_counts(api: Api) -> None:
    body = api.get("/api/v1/territories/33.74.02.1006/children", "lurah.panggunglor").json()
    assert body["count"] == 2
    assert [(i["code"], i["level"], i["name"], i["counts"]) for i in body["items"]] == [
        (
            "33.74.02.1006.006",
            "rw",
            "RW 006",
            {"rw": 0, "rt": 2, "households": 2, "residents": 4},
        ),
        (
            "33.74.02.1006.007",
            "rw",
            "RW 007",
            {"rw": 0, "rt": 1, "households": 1, "residents": 2},
        ),
    ]
    kecamatan = api.get("/api/v1/territories/33.74.02/children", "admin").json()
    assert [
        (i["code"], i["counts"]["rw"], i["counts"]["residents"]) for i in kecamatan["items"]
    ] == [
        ("33.74.02.1001", 1, 2),
        ("33.74.02.1006", 2, 6),
    ]


def test_children_are_paginated(api: Api) -> None:
    url = "/api/v1/territories/33.74.02.1006/children"
    page = api.get(f"{url}?limit=1&offset=1", "lurah.panggunglor").json()
    assert (page["count"], page["limit"], page["offset"]) == (2, 1, 1)
    assert [i["code"] for i in page["items"]] == ["33.74.02.1006.007"]
    assert api.get(f"{url}?offset=5", "lurah.panggunglor").json()["items"] == []
    body = assert_error(api.get(f"{url}?limit=0", "lurah.panggunglor"), 422, "invalid")
    assert "limit" in body["fields"]


def test_children_take_a_fixed_number_of_queries(
    api: Api, world: Any, django_assert_max_num_queries: Any
) -> None:
    url = "/api/v1/territories/33.74.02.1006/children"
    with django_assert_max_num_queries(12) as small:
        api.get(url, "lurah.panggunglor")
    baseline = len(small)
    root = world.users["root"]

    parent = world.t["33.74.02.1006"]
    for number in range(10, 30):
        rw = create_child(actor=root, parent=parent, number=number)
        rt = create_child(actor=root, parent=rw, number=1)
        household = Household.objects.create(kk=f"3374021508{number:02d}1{number:03d}", rt=rt)
        Resident.objects.create(name=f"R{number}", sex="L", rt=rt, household=household)
    with django_assert_max_num_queries(baseline):
        response = api.get(url, "lurah.panggunglor")
    assert response.json()["count"] == 22


def test_create_rw_under_kelurahan(api: Api) -> None:
    response = api.post(
        "/api/v1/territories",
        "puskesmas.bandarharjo",
        {"parent": "33.74.02.1001", "number": 7, "name": "RW Tujuh"},
    )
    assert response.status_code == 201
    assert response.json() == {
        "code": "33.74.02.1001.007",
        "name": "RW Tujuh",
        "level": "rw",
        "parent": "33.74.02.1001",
        "counts": {"rw": 0, "rt": 0, "households": 0, "residents": 0},
    }
    default = api.post("/api/v1/territories", "admin", {"parent": "33.74.02.1001", "number": 8})
    assert default.json()["name"] == "RW 008"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"parent": "33.74.02.1006", "number": 6}, "number"),  # RW 006 exists
        ({"parent": "33.74.02.1006.006", "number": 3}, "number"),  # RT 003 exists
        ({"parent": "33.74.02.1006.006", "number": 0}, "number"),
        ({"parent": "33.74.02.1006.006", "number": 1000}, "number"),
        ({"parent": "33.74.02.1006.006.003", "number": 1}, "parent"),  # under an RT
        ({"parent": "33.74.02", "number": 1}, "parent"),  # under a kecamatan
        ({"parent": "33.74.02.1006", "number": "seven"}, "number"),
        ({"parent": "33.74.02.1006", "number": 9, "name": "x" * 151}, "name"),
        ({"parent": "33.74.02.1006"}, "number"),
        ({"parent": "33.74.02.1006", "number": 9, "level": "rt"}, "level"),
    ],
)
def test_create_refusals_answer_422_with_fields(api: Api, body: dict[str, Any], field: str) -> None:
    before = snapshot()
    response = api.post("/api/v1/territories", "fasilitator.utara", body)
    error = assert_error(response, 422, "invalid")
    assert list(error["fields"]) == [field]
    assert all(isinstance(m, str) and m for m in error["fields"][field])
    assert snapshot() == before


def test_unknown_parent_answers_404(api: Api) -> None:
    before = snapshot()
    for parent in ("33.74.02.1009", "not-a-code", "33.74.03.1001.001"):
        response = api.post(
            "/api/v1/territories", "fasilitator.utara", {"parent": parent, "number": 1}
        )
        assert_error(response, 404, "not_found")
    assert snapshot() == before


def test_not_json_body_answers_400(api: Api) -> None:
    before = snapshot()
    response = api.post("/api/v1/territories", "admin", "{not json")
    assert_error(response, 400, "bad_request")
    assert snapshot() == before
