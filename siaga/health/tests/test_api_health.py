"""/api/v1 health endpoints: the contract, and the role × territory matrix (404 outside scope,
nothing changed; warga sees only their own household's records; views audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from siaga.api.tests.helpers import PLACE_CODES as CODES
from siaga.api.tests.helpers import PLACES, USERS, Api, assert_error, can_view_place, covers
from siaga.core.models import AuditEntry
from siaga.health import services
from siaga.health.models import Case, Contact, Monitoring, Newcomer, Referral, Vaccination
from siaga.registry.models import Resident

from .conftest import make_case

MANAGERS = {
    "admin",
    "fasilitator.kota",
    "fasilitator.utara",
    "lurah.panggunglor",
    "puskesmas.bandarharjo",
}


def can_record(user: str, place: str) -> bool:
    return user != "warga.rt003" and covers(user, CODES[place])


def can_manage(user: str, place: str) -> bool:
    return user in MANAGERS and covers(user, CODES[place])


@pytest.fixture
def cases(world: Any) -> dict[str, Case]:
    return {place: make_case(world, place) for place in PLACES}


def health_snapshot() -> Any:
    return (
        list(Case.objects.order_by("id").values()),
        list(Monitoring.objects.order_by("id").values()),
        list(Referral.objects.order_by("id").values()),
        list(Contact.objects.order_by("id").values()),
        list(Newcomer.objects.order_by("id").values()),
        list(Vaccination.objects.order_by("id").values()),
    )


# ---------------------------------------------------------------- contract


def test_create_case_by_nik_answers_201_with_end(api: Api, world: Any) -> None:
    today = timezone.localdate()
    body = {
        "nik": world.residents["rt003"].nik,
        "category": "konfirmasi",
        "specimen_on": str(today - dt.timedelta(days=1)),
        "confirmed_on": str(today),
        "onset_on": None,
        "isolation_place": "isoman",
    }
    response = api.post("/api/v1/cases", "relawan.rw006", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"] and data["isolation_ends_on"] == str(today + dt.timedelta(days=9))
    assert data["protocol"] == "KMK 4641/2021" and data["end_reasons"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"specimen_on": "2999-01-01"}, "specimen_on"),
        ({"confirmed_on": "2021-01-01"}, "confirmed_on"),
        ({"category": "positif"}, "category"),
        ({"specimen_on": "yesterday"}, "specimen_on"),
    ],
)
def test_invalid_case_answers_422(api: Api, world: Any, change: dict[str, Any], field: str) -> None:
    body = {
        "resident": world.residents["rt003"].pk,
        "category": "konfirmasi",
        "specimen_on": "2021-07-01",
        "confirmed_on": "2021-07-02",
        "onset_on": None,
        "isolation_place": "isoman",
    } | change
    body_out = assert_error(api.post("/api/v1/cases", "admin", body), 422, "invalid")
    assert field in body_out["fields"]
    assert not Case.objects.exists()


def test_monitoring_answers_triage_reasons_and_referral(api: Api, world: Any, case: Case) -> None:
    response = api.post(
        f"/api/v1/cases/{case.pk}/monitoring",
        "relawan.rw006",
        {
            "method": "kunjungan",
            "temperature_c": 37.0,
            "spo2": 92,
            "respiratory_rate": 22,
            "pulse": 90,
            "symptoms": ["batuk"],
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["triage"] == "darurat" and len(data["reasons"]) == 2
    assert data["referral"] == Referral.objects.get().pk
    normal = api.post(f"/api/v1/cases/{case.pk}/monitoring", "relawan.rw006", {"spo2": 92}).json()
    assert normal["referral"] == data["referral"]


@pytest.mark.parametrize(
    ("field", "value"), [("spo2", 101), ("temperature_c", 46), ("symptoms", ["pusing"])]
)
def test_impossible_monitoring_answers_422(api: Api, case: Case, field: str, value: Any) -> None:
    body = {"spo2": 97, field: value}
    data = assert_error(
        api.post(f"/api/v1/cases/{case.pk}/monitoring", "relawan.rw006", body), 422, "invalid"
    )
    assert field in data["fields"]
    assert not Monitoring.objects.exists()


def test_unauthenticated_answers_401(api: Api, case: Case) -> None:
    assert_error(api.get(f"/api/v1/cases/{case.pk}"), 401, "unauthenticated")
    assert_error(api.get("/api/v1/zones?territory=33.74"), 401, "unauthenticated")


def test_zones_contract(api: Api, world: Any, case: Case) -> None:
    response = api.get(
        f"/api/v1/zones?territory=33.74.02.1006&date={timezone.localdate()}", "lurah.panggunglor"
    )
    assert response.status_code == 200
    rows = {r["code"]: r for r in response.json()}
    assert rows["33.74.02.1006.006.003"] == {
        "code": "33.74.02.1006.006.003",
        "houses": 1,
        "zone": "kuning",
    }
    assert rows["33.74.02.1006.007.001"]["zone"] == "hijau"
    assert "Budi" not in response.content.decode()
    future = timezone.localdate() + dt.timedelta(days=1)
    assert_error(api.get(f"/api/v1/zones?territory=33.74&date={future}", "admin"), 422, "invalid")


# ---------------------------------------------------------------- matrix


@pytest.mark.parametrize("user", USERS)
def test_case_detail_matrix_and_audit(
    api: Api, world: Any, cases: dict[str, Case], user: str
) -> None:
    for place, case in cases.items():
        before = AuditEntry.objects.filter(
            action="view", object_type="health.case", object_id=str(case.pk)
        ).count()
        response = api.get(f"/api/v1/cases/{case.pk}", user)
        after = AuditEntry.objects.filter(
            action="view", object_type="health.case", object_id=str(case.pk)
        ).count()
        if can_view_place(user, place):
            assert response.status_code == 200, (user, place)
            assert after == before + 1
        else:
            assert_error(response, 404, "not_found")
            assert after == before


@pytest.mark.parametrize("user", USERS)
def test_case_list_matrix(api: Api, world: Any, cases: dict[str, Case], user: str) -> None:
    response = api.get("/api/v1/cases?limit=100", user)
    assert response.status_code == 200
    seen = {item["id"] for item in response.json()["items"]}
    assert seen == {c.pk for p, c in cases.items() if can_view_place(user, p)}


@pytest.mark.parametrize("user", USERS)
def test_case_patch_matrix(api: Api, world: Any, cases: dict[str, Case], user: str) -> None:
    for place, case in cases.items():
        before = health_snapshot()
        response = api.patch(f"/api/v1/cases/{case.pk}", user, {"isolation_place": "terpusat"})
        if can_record(user, place):
            assert response.status_code == 200, (user, place, response.content)
            assert response.json()["isolation_place"] == "terpusat"
        else:
            assert_error(response, 404, "not_found")
            assert health_snapshot() == before


@pytest.mark.parametrize("user", USERS)
def test_monitoring_matrix(api: Api, world: Any, cases: dict[str, Case], user: str) -> None:
    for place, case in cases.items():
        before = health_snapshot()
        response = api.post(f"/api/v1/cases/{case.pk}/monitoring", user, {"spo2": 97})
        if can_view_place(user, place):  # the health team, or the warga's own household (mandiri)
            assert response.status_code == 201, (user, place, response.content)
            expected = "mandiri" if user == "warga.rt003" else "kunjungan"
            assert response.json()["method"] == expected
        else:
            assert_error(response, 404, "not_found")
            assert health_snapshot() == before


@pytest.mark.parametrize("user", USERS)
def test_referral_acknowledge_matrix(
    api: Api, world: Any, cases: dict[str, Case], user: str
) -> None:
    referrals: dict[str, Any] = {}
    for place, case in cases.items():
        _r, referrals[place] = services.record_monitoring(
            actor=world.users["root"], case=case, data={"spo2": 94}
        )
    for place, referral in referrals.items():
        before = health_snapshot()
        response = api.patch(f"/api/v1/referrals/{referral.pk}", user, {"state": "diterima"})
        if can_manage(user, place):
            assert response.status_code == 200, (user, place)
            assert response.json()["state"] == "diterima"
        else:
            assert_error(response, 404, "not_found")
            assert health_snapshot() == before
        view = api.get(f"/api/v1/referrals/{referral.pk}", user)
        assert view.status_code == (200 if can_view_place(user, place) else 404)


@pytest.mark.parametrize("user", USERS)
def test_contact_newcomer_vaccination_matrix(
    api: Api, world: Any, cases: dict[str, Case], user: str
) -> None:
    today = timezone.localdate()
    root = world.users["root"]
    for place, case in cases.items():
        wife = Resident.objects.get(name=f"Siti {place}")
        contact = services.create_contact(
            actor=root, data={"case": case.pk, "resident": wife.pk, "last_exposure_on": today}
        )
        newcomer = services.create_newcomer(
            actor=root,
            data={
                "name": "N",
                "arrived_on": today,
                "origin_code": "31.71",
                "household": world.households[place].pk,
            },
        )
        dose = services.record_vaccination(
            actor=root,
            data={"resident": wife.pk, "given_on": today, "vaccine": "sinovac", "dose": 1},
        )
        for url, body in (
            (
                f"/api/v1/contacts/{contact.pk}",
                {"entry_test_result": "negatif", "entry_test_on": str(today)},
            ),
            (
                f"/api/v1/newcomers/{newcomer.pk}",
                {"test_result": "negatif", "tested_on": str(today)},
            ),
            (f"/api/v1/vaccinations/{dose.pk}", {"vaccine": "astrazeneca"}),
        ):
            if "vaccinations" not in url:
                assert api.get(url, user).status_code == (
                    200 if can_view_place(user, place) else 404
                ), (user, url)
            before = health_snapshot()
            response = api.patch(url, user, body)
            if can_record(user, place):
                assert response.status_code == 200, (user, place, url, response.content)
            else:
                assert_error(response, 404, "not_found")
                assert health_snapshot() == before
    for kind in ("contacts", "newcomers", "vaccinations"):
        listed = api.get(f"/api/v1/{kind}?limit=100", user).json()["items"]
        assert {i["rt"] for i in listed} == {CODES[p] for p in PLACES if can_view_place(user, p)}


@pytest.mark.parametrize("user", USERS)
def test_create_out_of_scope_is_refused_without_change(api: Api, world: Any, user: str) -> None:
    for place in PLACES:
        before = health_snapshot()
        body = {
            "resident": world.residents[place].pk,
            "category": "suspek",
            "specimen_on": str(timezone.localdate()),
            "confirmed_on": None,
            "onset_on": None,
            "isolation_place": "isoman",
        }
        response = api.post("/api/v1/cases", user, body)
        if can_record(user, place):
            assert response.status_code == 201
            Case.objects.filter(pk=response.json()["id"]).delete()
        else:
            assert_error(response, 422, "invalid")
            assert health_snapshot() == before


@pytest.mark.parametrize("user", USERS)
def test_zones_matrix(api: Api, world: Any, user: str) -> None:
    for code in ("33.74.02.1006", "33.74.02.1001.001", "33.74.03"):
        response = api.get(f"/api/v1/zones?territory={code}", user)
        if covers(user, code):
            assert response.status_code == 200, (user, code)
        else:
            assert_error(response, 404, "not_found")
