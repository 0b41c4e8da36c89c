"""Puskesmas in their real place: working area, the staff role kept in step with it, routing of
referrals, the inbox, onward referrals, and the role × territory matrix of the new endpoints."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from siaga.accounts.models import Membership, User
from siaga.accounts.services import create_token
from siaga.api.tests.helpers import PLACES, USERS, Api, covers
from siaga.core.contributions import actor_group_for
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditEntry, Notification
from siaga.core.roles import Role
from siaga.health import selectors, services
from siaga.health.models import (
    Destination,
    OnwardReferral,
    Puskesmas,
    PuskesmasArea,
    Referral,
)

from .conftest import make_case
from .test_api_health import can_manage

BANDARHARJO, PANGGUNG_LOR, KEMIJEN = "33.74.02.1001", "33.74.02.1006", "33.74.03.1001"


@pytest.fixture
def staff(world: Any) -> User:
    """A puskesmas nurse with no membership of her own: the puskesmas gives her reach."""
    user = User.objects.create_user("staf.pkm", password="demo-pass-123")
    world.users["staf.pkm"] = user
    world.tokens["staf.pkm"] = create_token(actor=world.users["root"], user=user)[1]
    return user


@pytest.fixture
def puskesmas(world: Any, staff: User) -> Puskesmas:
    return services.create_puskesmas(
        actor=world.users["fasilitator.utara"],
        name="Puskesmas Bandarharjo",
        location=world.t[BANDARHARJO],
        area=[world.t[BANDARHARJO], world.t[PANGGUNG_LOR]],
        staff=[staff],
    )


@pytest.fixture
def hospital(world: Any) -> Destination:
    return services.create_destination(
        actor=world.users["fasilitator.kota"],
        name="RSUD K.R.M.T. Wongsonegoro",
        kind="rumah_sakit",
        location=world.t["33.74"],
    )


def _roles(user: User) -> set[tuple[str, str]]:
    return set(
        Membership.objects.filter(user=user, role=Role.PUSKESMAS).values_list(
            "territory__code", "role"
        )
    )


def _refer(world: Any, place: str = "rt003") -> Referral:
    case = make_case(world, place)
    _record, referral = services.record_monitoring(
        actor=world.users["root"], case=case, data={"spo2": 94}, now=timezone.now()
    )
    assert referral is not None
    return referral


# ---------------------------------------------------------------- working area and memberships


def test_staff_reach_follows_the_working_area_and_the_staff_list(
    world: Any, staff: User, puskesmas: Puskesmas
) -> None:
    assert _roles(staff) == {(BANDARHARJO, "puskesmas"), (PANGGUNG_LOR, "puskesmas")}
    actor = world.users["fasilitator.utara"]
    services.set_working_area(actor=actor, puskesmas=puskesmas, area=[world.t[BANDARHARJO]])
    assert _roles(staff) == {(BANDARHARJO, "puskesmas")}
    assert AuditEntry.objects.filter(
        object_type="health.puskesmas", action="update", changes__has_key="area"
    ).exists()
    services.set_staff(actor=actor, puskesmas=puskesmas, staff=[])
    assert _roles(staff) == set()
    assert (
        AuditEntry.objects.filter(object_type="accounts.membership", action="delete").count() == 2
    )


def test_working_area_is_kelurahan_only_and_one_puskesmas_each(
    world: Any, puskesmas: Puskesmas
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.create_puskesmas(
            actor=world.users["admin"],
            name="Puskesmas Lain",
            location=world.t[PANGGUNG_LOR],
            area=[world.t["rw006"], world.t[PANGGUNG_LOR]],
        )
    assert set(exc.value.errors) == {"area"} and len(exc.value.errors["area"]) == 2
    # and the database itself refuses an RW or a second puskesmas for a kelurahan
    with pytest.raises(IntegrityError), transaction.atomic():
        PuskesmasArea.objects.create(puskesmas=puskesmas, kelurahan=world.t["rw006"])
    other = Puskesmas.objects.create(name="Puskesmas Lain", territory=world.t[PANGGUNG_LOR])
    with pytest.raises(IntegrityError), transaction.atomic():
        PuskesmasArea.objects.create(puskesmas=other, kelurahan=world.t[PANGGUNG_LOR])


def test_kelurahan_facilitator_cannot_put_another_kelurahan_in_an_area(world: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.create_puskesmas(
            actor=world.users["lurah.panggunglor"],
            name="Puskesmas Panggung",
            location=world.t[PANGGUNG_LOR],
            area=[world.t[BANDARHARJO]],
        )
    assert set(exc.value.errors) == {"area"}
    assert not Puskesmas.objects.exists()


# ---------------------------------------------------------------- referrals reach the puskesmas


def test_referral_goes_to_the_covering_puskesmas_staff_not_the_lurah(
    world: Any, staff: User, puskesmas: Puskesmas
) -> None:
    referral = _refer(world)
    assert referral.puskesmas == puskesmas
    told = set(
        Notification.objects.filter(kind="referral_rujuk").values_list(
            "recipient__username", flat=True
        )
    )
    assert "staf.pkm" in told and "lurah.panggunglor" not in told
    assert services.puskesmas_notified(referral.puskesmas) == puskesmas


def test_without_a_puskesmas_the_kelurahan_is_told_and_the_volunteer_hears_so(
    client: Client, world: Any
) -> None:
    case = make_case(world)
    client.force_login(world.users["relawan.rw006"])
    response = client.post(
        f"/kesehatan/kasus/{case.pk}/pantau/",
        {"method": "kunjungan", "spo2": "94"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = response.content.decode()
    assert "tidak ada puskesmas yang mencakup wilayah ini" in text  # the page speaks Indonesian
    referral = Referral.objects.get()
    assert referral.puskesmas is None
    assert Notification.objects.filter(
        kind="referral_rujuk", recipient=world.users["lurah.panggunglor"]
    ).exists()


def test_volunteer_is_told_which_puskesmas_was_alerted(
    client: Client, world: Any, puskesmas: Puskesmas
) -> None:
    case = make_case(world)
    client.force_login(world.users["relawan.rw006"])
    response = client.post(
        f"/kesehatan/kasus/{case.pk}/pantau/",
        {"method": "kunjungan", "spo2": "94"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Puskesmas Bandarharjo sudah diberi tahu" in response.content.decode()


def test_staff_see_and_acknowledge_referrals_of_their_area_in_one_tap(
    client: Client, world: Any, staff: User, puskesmas: Puskesmas
) -> None:
    referral = _refer(world)
    outside = _refer(world, "timur_rt001")
    client.force_login(staff)
    inbox = client.get("/kesehatan/rujukan/masuk/")
    assert inbox.status_code == 200
    assert f"#{referral.pk} " in inbox.content.decode()
    assert f"#{outside.pk} " not in inbox.content.decode()
    assert client.get(f"/kesehatan/rujukan/{outside.pk}/").status_code == 404
    response = client.post(
        f"/kesehatan/rujukan/{referral.pk}/terima/", {"next": "inbox"}, follow=False
    )
    assert response.status_code == 302 and response["Location"].endswith("/rujukan/masuk/")
    referral.refresh_from_db()
    assert referral.state == "diterima" and referral.acknowledged_by == staff
    # the act counts for the government in the co-production ledger
    assert actor_group_for(staff, referral.rt_id) == "government"
    assert client.post(f"/kesehatan/rujukan/{outside.pk}/terima/").status_code == 404
    outside.refresh_from_db()
    assert outside.state == "dibuat"


def test_inbox_puts_new_emergencies_and_the_longest_waiting_first(
    world: Any, staff: User, puskesmas: Puskesmas
) -> None:
    now = timezone.now()
    old_rujuk = _refer(world, "rt003")
    Referral.objects.filter(pk=old_rujuk.pk).update(created_at=now - dt.timedelta(hours=5))
    darurat_case = make_case(world, "rt004")
    _r, darurat = services.record_monitoring(
        actor=world.users["root"], case=darurat_case, data={"spo2": 88}, now=now
    )
    assert darurat is not None
    acknowledged = _refer(world, "rw007rt001")
    services.acknowledge_referral(actor=staff, referral=acknowledged)
    order = [r.pk for r in selectors.referral_inbox(staff)]
    assert order == [darurat.pk, old_rujuk.pk, acknowledged.pk]


# ---------------------------------------------------------------- onward referral


def test_onward_referral_admitted_completes_the_referral(
    world: Any, staff: User, puskesmas: Puskesmas, hospital: Destination
) -> None:
    referral = _refer(world)
    onward = services.refer_onward(actor=staff, referral=referral, destination=hospital)
    referral.refresh_from_db()
    assert referral.state == "diterima" and onward.state == "dikirim"
    assert AuditEntry.objects.filter(
        object_type="health.onwardreferral", object_id=str(onward.pk), action="create"
    ).exists()
    with pytest.raises(ValidationFailed):  # one open onward referral at a time
        services.refer_onward(actor=staff, referral=referral, destination=hospital)
    services.close_onward(actor=staff, onward=onward, state="diterima")
    referral.refresh_from_db()
    assert referral.state == "selesai" and referral.outcome == "rawat_inap"
    assert referral.case is not None and referral.case.isolation_place == "rumah_sakit"


def test_refused_onward_referral_leaves_the_referral_open_for_another_destination(
    world: Any, staff: User, puskesmas: Puskesmas, hospital: Destination
) -> None:
    centre = services.create_destination(
        actor=None, name="Rumah Dinas Wali Kota", kind="isolasi_terpusat", location=world.t["33.74"]
    )
    referral = _refer(world)
    first = services.refer_onward(actor=staff, referral=referral, destination=hospital)
    services.close_onward(actor=staff, onward=first, state="ditolak", note="penuh")
    referral.refresh_from_db()
    assert referral.state == "diterima"
    second = services.refer_onward(actor=staff, referral=referral, destination=centre)
    services.close_onward(actor=staff, onward=second, state="diterima")
    referral.refresh_from_db()
    assert referral.outcome == "terpusat"


# ---------------------------------------------------------------- API: role × territory


@pytest.fixture
def api(client: Client, world: Any) -> Api:
    return Api(client, world)


def _world_snapshot() -> Any:
    return (
        list(Puskesmas.objects.order_by("id").values()),
        list(PuskesmasArea.objects.order_by("id").values()),
        list(Membership.objects.order_by("id").values()),
        list(Referral.objects.order_by("id").values()),
        list(OnwardReferral.objects.order_by("id").values()),
    )


@pytest.mark.parametrize("user", USERS)
def test_api_working_area_matrix(api: Api, world: Any, puskesmas: Puskesmas, user: str) -> None:
    before = _world_snapshot()
    response = api.patch(f"/api/v1/puskesmas/{puskesmas.pk}", user, {"area": [BANDARHARJO]})
    if can_manage(user, "bandar_rt001"):
        assert response.status_code == 200, response.content
        # a kelurahan beyond the manager's reach stays in the area: it is not theirs to drop
        kept = [BANDARHARJO] if covers(user, PANGGUNG_LOR) else [BANDARHARJO, PANGGUNG_LOR]
        assert response.json()["area"] == kept
        assert _roles(world.users["staf.pkm"]) == {(code, "puskesmas") for code in kept}
    else:
        assert response.status_code == 404
        assert _world_snapshot() == before


@pytest.mark.parametrize("user", [*USERS, "staf.pkm"])
def test_api_onward_referral_matrix(
    api: Api, world: Any, puskesmas: Puskesmas, hospital: Destination, user: str
) -> None:
    referrals = {place: _refer(world, place) for place in PLACES}
    for place, referral in referrals.items():
        before = _world_snapshot()
        response = api.post(
            f"/api/v1/referrals/{referral.pk}/onward", user, {"destination": hospital.pk}
        )
        allowed = (
            place in ("rt003", "rt004", "rw007rt001", "bandar_rt001")
            if user == "staf.pkm"
            else can_manage(user, place)
        )
        if allowed:
            assert response.status_code == 201, (user, place, response.content)
            assert response.json()["destination_name"] == hospital.name
        else:
            assert response.status_code == 404, (user, place)
            assert _world_snapshot() == before


def test_api_lists_the_puskesmas_and_inbox_for_its_staff(
    api: Api, world: Any, puskesmas: Puskesmas
) -> None:
    referral = _refer(world)
    listed = api.get("/api/v1/puskesmas", "staf.pkm").json()
    assert [p["name"] for p in listed] == ["Puskesmas Bandarharjo"]
    assert listed[0]["area"] == [BANDARHARJO, PANGGUNG_LOR] and listed[0]["staff"] == ["staf.pkm"]
    inbox = api.get("/api/v1/referrals-inbox", "staf.pkm").json()
    assert [r["id"] for r in inbox["items"]] == [referral.pk]
    assert api.get("/api/v1/referrals-inbox", "relawan.rw006").status_code == 404
    # staff may not rearrange their own puskesmas
    assert (
        api.patch(f"/api/v1/puskesmas/{puskesmas.pk}", "staf.pkm", {"staff": []}).status_code == 404
    )


def test_api_creates_puskesmas_and_destinations(api: Api, world: Any, staff: User) -> None:
    body = {
        "name": "Puskesmas Bulu Lor",
        "location": PANGGUNG_LOR,
        "area": [PANGGUNG_LOR],
        "staff": ["staf.pkm"],
    }
    assert api.post("/api/v1/puskesmas", "pengurus.rw006", body).status_code == 404
    response = api.post("/api/v1/puskesmas", "lurah.panggunglor", body)
    assert response.status_code == 201, response.content
    assert _roles(staff) == {(PANGGUNG_LOR, "puskesmas")}
    wrong = api.post("/api/v1/puskesmas", "admin", body | {"name": "X", "area": [KEMIJEN, "9"]})
    assert wrong.status_code == 422
    destination = {"name": "RS Panti Wilasa", "kind": "rumah_sakit", "location": "33.74"}
    assert api.post("/api/v1/destinations", "lurah.panggunglor", destination).status_code == 422
    created = api.post("/api/v1/destinations", "fasilitator.kota", destination)
    assert created.status_code == 201, created.content
    listed = api.get("/api/v1/destinations", "staf.pkm").json()
    assert [d["name"] for d in listed] == ["RS Panti Wilasa"]


# ---------------------------------------------------------------- web management and the console


def test_web_puskesmas_pages_follow_where_the_puskesmas_stands(
    client: Client, world: Any, puskesmas: Puskesmas, staff: User
) -> None:
    client.force_login(world.users["lurah.panggunglor"])
    assert client.get(f"/kesehatan/puskesmas/{puskesmas.pk}/").status_code == 404
    client.force_login(world.users["fasilitator.utara"])
    page = client.get(f"/kesehatan/puskesmas/{puskesmas.pk}/")
    assert page.status_code == 200
    response = client.post(
        f"/kesehatan/puskesmas/{puskesmas.pk}/",
        {
            "name": "Puskesmas Bandarharjo",
            "location": BANDARHARJO,
            "area": [world.t[BANDARHARJO].pk],
            "staff": "staf.pkm",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _roles(staff) == {(BANDARHARJO, "puskesmas")}
    client.force_login(world.users["relawan.rw006"])
    assert client.get("/kesehatan/puskesmas/").status_code == 404


def test_web_onward_form_sends_the_resident_on(
    client: Client, world: Any, staff: User, puskesmas: Puskesmas, hospital: Destination
) -> None:
    referral = _refer(world)
    client.force_login(staff)
    page = client.get(f"/kesehatan/rujukan/{referral.pk}/")
    assert hospital.name in page.content.decode()
    client.post(f"/kesehatan/rujukan/{referral.pk}/lanjut/", {"destination": hospital.pk})
    onward = OnwardReferral.objects.get()
    assert onward.destination == hospital and onward.created_by == staff
    client.post(f"/kesehatan/rujukan/lanjut/{onward.pk}/hasil/", {"state": "diterima"})
    referral.refresh_from_db()
    assert referral.state == "selesai"


def test_console_creates_and_lists_puskesmas(world: Any, staff: User) -> None:
    out = io.StringIO()
    call_command(
        "puskesmas",
        "create",
        "Puskesmas Bandarharjo",
        "--location",
        BANDARHARJO,
        "--area",
        BANDARHARJO,
        PANGGUNG_LOR,
        "--staff",
        "staf.pkm",
        stdout=out,
    )
    assert _roles(staff) == {(BANDARHARJO, "puskesmas"), (PANGGUNG_LOR, "puskesmas")}
    out = io.StringIO()
    call_command("puskesmas", "list", "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == [
        {
            "name": "Puskesmas Bandarharjo",
            "location": BANDARHARJO,
            "area": [BANDARHARJO, PANGGUNG_LOR],
            "staff": ["staf.pkm"],
        }
    ]
    call_command("puskesmas", "staff", "Puskesmas Bandarharjo", stdout=io.StringIO())
    assert _roles(staff) == set()


def test_staff_cover_their_area_only(world: Any, staff: User, puskesmas: Puskesmas) -> None:
    case = make_case(world, "timur_rt001")
    with pytest.raises(Http404):
        selectors.case_for_manage(staff, case.pk)
    assert selectors.case_for_manage(staff, make_case(world, "rt004").pk)


def test_inbox_page_queries_do_not_grow_with_referrals(
    client: Client,
    world: Any,
    staff: User,
    puskesmas: Puskesmas,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(staff)
    _refer(world, "rt003")
    client.get("/kesehatan/rujukan/masuk/")
    with CaptureQueriesContext(connection) as one:
        client.get("/kesehatan/rujukan/masuk/")
    for place in ("rt004", "rw007rt001", "bandar_rt001"):
        _refer(world, place)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/kesehatan/rujukan/masuk/")
    assert response.content.decode().count('name="next" value="inbox"') == 4
