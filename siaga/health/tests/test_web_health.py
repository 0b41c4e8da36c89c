"""Health pages: the role × territory matrix (404 outside scope, nothing changed), audited views,
and the zone board showing counts and colours only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from siaga.api.tests.helpers import PLACE_CODES, PLACES, USERS, can_view_place, covers
from siaga.core.models import AuditEntry, Notification
from siaga.health import services
from siaga.health.models import Case, Monitoring, Referral

from .conftest import make_case
from .test_api_health import can_manage, can_record, health_snapshot


def login(client: Client, world: Any, user: str) -> Client:
    client.force_login(world.users[user])
    return client


@pytest.fixture
def cases(world: Any) -> dict[str, Case]:
    return {place: make_case(world, place) for place in PLACES}


@pytest.mark.parametrize("user", USERS)
def test_case_page_matrix_is_audited(
    client: Client, world: Any, cases: dict[str, Case], user: str
) -> None:
    login(client, world, user)
    for place, case in cases.items():
        before = AuditEntry.objects.filter(
            action="view", object_type="health.case", object_id=str(case.pk)
        ).count()
        response = client.get(f"/kesehatan/kasus/{case.pk}/")
        after = AuditEntry.objects.filter(
            action="view", object_type="health.case", object_id=str(case.pk)
        ).count()
        if can_view_place(user, place):
            assert response.status_code == 200, (user, place)
            assert case.resident.name in response.content.decode()
            assert after == before + 1
        else:
            assert response.status_code == 404
            assert after == before


@pytest.mark.parametrize("user", USERS)
def test_monitoring_form_matrix(
    client: Client, world: Any, cases: dict[str, Case], user: str
) -> None:
    login(client, world, user)
    for place, case in cases.items():
        before = health_snapshot()
        method = "mandiri" if user == "warga.rt003" else "kunjungan"
        response = client.post(
            f"/kesehatan/kasus/{case.pk}/pantau/", {"method": method, "spo2": "92"}
        )
        if can_view_place(user, place):
            assert response.status_code == 302, (user, place, response.status_code)
            assert Monitoring.objects.filter(case=case).get().triage == "darurat"
        else:
            assert response.status_code == 404
            assert health_snapshot() == before


def test_impossible_value_is_shown_not_saved(client: Client, world: Any, case: Case) -> None:
    login(client, world, "relawan.rw006")
    response = client.post(
        f"/kesehatan/kasus/{case.pk}/pantau/", {"method": "kunjungan", "spo2": "104"}
    )
    assert response.status_code == 422
    assert not Monitoring.objects.exists()


@pytest.mark.parametrize("user", USERS)
def test_referral_acknowledge_page_matrix(
    client: Client, world: Any, cases: dict[str, Case], user: str
) -> None:
    referrals = {}
    for place, case in cases.items():
        _r, referrals[place] = services.record_monitoring(
            actor=world.users["root"], case=case, data={"spo2": 94}
        )
    login(client, world, user)
    for place, referral in referrals.items():
        assert referral is not None
        before = health_snapshot()
        response = client.post(f"/kesehatan/rujukan/{referral.pk}/terima/")
        if can_manage(user, place):
            assert response.status_code == 302
            assert Referral.objects.get(pk=referral.pk).state == "diterima"
        else:
            assert response.status_code == 404
            assert health_snapshot() == before


@pytest.mark.parametrize("user", USERS)
def test_lists_show_only_records_in_scope(
    client: Client, world: Any, cases: dict[str, Case], user: str
) -> None:
    login(client, world, user)
    for url in (
        "/kesehatan/",
        "/kesehatan/kasus/",
        "/kesehatan/rujukan/",
        "/kesehatan/kontak/",
        "/kesehatan/pendatang/",
        "/kesehatan/vaksinasi/",
    ):
        response = client.get(url)
        assert response.status_code == 200, (user, url)
    page = client.get("/kesehatan/kasus/").content.decode()
    for place, case in cases.items():
        assert (f"/kesehatan/kasus/{case.pk}/" in page) == can_view_place(user, place), (
            user,
            place,
        )


@pytest.mark.parametrize("user", USERS)
def test_zone_board_matrix_counts_only(
    client: Client, world: Any, cases: dict[str, Case], user: str
) -> None:
    login(client, world, user)
    for code in ("33.74", "33.74.02.1006", "33.74.02.1006.006"):
        response = client.get(f"/kesehatan/zona/?wilayah={code}")
        if covers(user, code):
            assert response.status_code == 200, (user, code)
            body = response.content.decode()
            assert "Budi" not in body and "Siti" not in body
            assert "kuning" in body
        else:
            assert response.status_code == 404


def test_create_case_page(client: Client, world: Any) -> None:
    login(client, world, "pengurus.rt003")
    response = client.post(
        "/kesehatan/kasus/baru/",
        {
            "nik": world.residents["rt003"].nik,
            "category": "suspek",
            "specimen_on": "2021-07-01",
            "isolation_place": "isoman",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.eligibility_unmet == ["separate_room", "own_oximeter"]
    response = client.post(
        "/kesehatan/kasus/baru/",
        {
            "nik": world.residents["bandar_rt001"].nik,
            "category": "suspek",
            "specimen_on": "2021-07-01",
            "isolation_place": "isoman",
        },
    )
    assert response.status_code == 200 and Case.objects.count() == 1


def test_inbox_lists_own_notifications(client: Client, world: Any, case: Case) -> None:
    services.record_monitoring(actor=world.users["relawan.rw006"], case=case, data={"spo2": 90})
    login(client, world, "pengurus.rw006")
    body = client.get("/kesehatan/kotak-masuk/").content.decode()
    assert (
        "#" in body
        and Notification.objects.filter(recipient=world.users["pengurus.rw006"]).exists()
    )
    client.post("/kesehatan/kotak-masuk/")
    assert not Notification.objects.filter(
        recipient=world.users["pengurus.rw006"], read_at__isnull=True
    ).exists()
    assert Notification.objects.filter(
        recipient=world.users["relawan.rw006"], read_at__isnull=True
    ).exists()


def test_codes_used_in_matrix_exist() -> None:
    assert set(PLACE_CODES) == set(PLACES) and can_record("admin", "rt003")


def test_case_list_answers_htmx_with_just_the_list(
    client: Client, world: Any, cases: dict[str, Case]
) -> None:
    login(client, world, "admin")
    response = client.get("/kesehatan/kasus/", {"status": "semua"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html
    assert f"/kesehatan/kasus/{cases['rt003'].pk}/" in html
    assert "HX-Request" in response["Vary"]
    assert "<html" in client.get("/kesehatan/kasus/").content.decode()
