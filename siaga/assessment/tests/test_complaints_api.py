"""/api/v1/complaints: the role × territory matrix for filing, reading and answering (404
outside scope and nothing changed), multipart photo upload, the volunteer exclusion, and the
list's query count."""

from __future__ import annotations

from typing import Any

import pytest

from siaga.api.tests.helpers import Api, assert_error
from siaga.assessment import services
from siaga.assessment.models import Complaint, ComplaintEvent
from siaga.core.models import AuditEntry

from .fb_helpers import COVER_RT003, HANDLERS_RT003, USERS, make_volunteer

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api(client: Any, world: Any) -> Api:
    return Api(client, world)


def _post_form(client: Any, world: Any, user: str, data: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/complaints", data, HTTP_AUTHORIZATION=f"Bearer {world.tokens[user]}"
    )


def _complaint(world: Any, **kwargs: Any) -> Complaint:
    kwargs.setdefault("household", world.households["rt003"])
    return services.file_complaint(
        actor=world.users[kwargs.pop("user", "warga.rt003")],
        category=kwargs.pop("category", "layanan"),
        description="Bantuan terlambat",
        **kwargs,
    )


def _state() -> tuple[int, int, int]:
    return Complaint.objects.count(), ComplaintEvent.objects.count(), AuditEntry.objects.count()


@pytest.mark.parametrize("user", USERS)
def test_file_complaint_matrix(client: Any, world: Any, user: str) -> None:
    before = _state()
    response = _post_form(
        client,
        world,
        user,
        {
            "household": world.households["rt003"].pk,
            "category": "layanan",
            "description": "Paket tidak lengkap",
        },
    )
    if user in COVER_RT003 or user == "warga.rt003":
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["state"] == "diterima" and data["channel"] == "api"
        assert [e["state"] for e in data["events"]] == ["diterima"]
    else:
        assert_error(response, 404, "not_found")
        assert _state() == before


def test_photo_upload_is_checked(client: Any, world: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    base = {
        "household": world.households["rt003"].pk,
        "category": "data",
        "description": "Nama saya salah ketik",
    }
    fake = SimpleUploadedFile("a.png", b"GIF89a not allowed", content_type="image/png")
    response = assert_error(
        _post_form(client, world, "warga.rt003", {**base, "photo": fake}), 422, "invalid"
    )
    # warga.rt003 reads Indonesian (their account's language).
    assert "JPEG, PNG, atau WebP" in response["fields"]["photo"][0]
    assert Complaint.objects.count() == 0
    good = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    response = _post_form(client, world, "warga.rt003", {**base, "photo": good})
    assert response.status_code == 201 and response.json()["has_photo"] is True


def test_missing_fields_answer_422(client: Any, world: Any) -> None:
    response = assert_error(
        _post_form(client, world, "warga.rt003", {"household": world.households["rt003"].pk}),
        422,
        "invalid",
    )
    # Form fields are named as the client sent them, without ninja's "form." location.
    assert {"category", "description"} <= set(response["fields"])


@pytest.mark.parametrize("user", USERS)
def test_read_complaint_matrix(api: Api, world: Any, user: str) -> None:
    complaint = _complaint(world)
    response = api.get(f"/api/v1/complaints/{complaint.pk}", user)
    if user in HANDLERS_RT003 or user == "warga.rt003":
        assert response.status_code == 200
        assert response.json()["id"] == complaint.pk
    else:
        assert_error(response, 404, "not_found")
    listed = api.get("/api/v1/complaints", user).json()
    assert (complaint.pk in [i["id"] for i in listed["items"]]) == (response.status_code == 200)


@pytest.mark.parametrize("user", USERS)
def test_respond_matrix(api: Api, world: Any, user: str) -> None:
    complaint = _complaint(world)
    before = _state()
    response = api.post(
        f"/api/v1/complaints/{complaint.pk}/respond",
        user,
        {"state": "ditindaklanjuti", "response": "Kami tindak lanjuti"},
    )
    if user in HANDLERS_RT003:
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["state"] == "ditindaklanjuti" and data["response"] == "Kami tindak lanjuti"
        assert [e["state"] for e in data["events"]] == ["diterima", "ditindaklanjuti"]
    else:
        assert_error(response, 404, "not_found")
        assert _state() == before
        assert Complaint.objects.get(pk=complaint.pk).state == "diterima"


def test_resolved_complaint_cannot_change(api: Api, world: Any) -> None:
    complaint = _complaint(world)
    url = f"/api/v1/complaints/{complaint.pk}/respond"
    ok = api.post(url, "pengurus.rw006", {"state": "selesai", "response": "Selesai"})
    assert ok.status_code == 200 and ok.json()["resolved_at"]
    again = assert_error(
        api.post(url, "pengurus.rw006", {"state": "ditindaklanjuti", "response": "Buka lagi"}),
        422,
        "invalid",
    )
    assert "tidak dapat diubah" in again["fields"]["state"][0]  # an Indonesian account
    # The complainant reads the answer and history.
    mine = api.get(f"/api/v1/complaints/{complaint.pk}", "warga.rt003").json()
    assert mine["response"] == "Selesai" and mine["state"] == "selesai"


def test_volunteer_gets_404_on_a_complaint_about_them(api: Api, world: Any) -> None:
    volunteer = make_volunteer(world, "pengurus.rw006")
    about = _complaint(world, category="relawan", volunteer=volunteer)
    assert_error(api.get(f"/api/v1/complaints/{about.pk}", "pengurus.rw006"), 404, "not_found")
    assert_error(
        api.post(
            f"/api/v1/complaints/{about.pk}/respond",
            "pengurus.rw006",
            {"state": "selesai", "response": "x"},
        ),
        404,
        "not_found",
    )
    assert api.get("/api/v1/complaints", "pengurus.rw006").json()["count"] == 0
    assert api.get(f"/api/v1/complaints/{about.pk}", "pengurus.rt003").status_code == 200


def test_mine_filter_and_state_filter(api: Api, world: Any) -> None:
    mine = _complaint(world, user="pengurus.rw006")
    _complaint(world)
    data = api.get("/api/v1/complaints?mine=true", "pengurus.rw006").json()
    assert [i["id"] for i in data["items"]] == [mine.pk]
    assert api.get("/api/v1/complaints?state=selesai", "pengurus.rw006").json()["count"] == 0
    assert api.get("/api/v1/complaints?state=diterima", "pengurus.rw006").json()["count"] == 2


def test_complaint_list_query_count(
    api: Api, world: Any, django_assert_max_num_queries: Any
) -> None:
    volunteer = make_volunteer(world)
    for i in range(12):
        _complaint(world, category="relawan" if i % 2 else "layanan", volunteer=volunteer)
    with django_assert_max_num_queries(8):
        data = api.get("/api/v1/complaints?limit=50", "pengurus.rw006").json()
    assert data["count"] == 12
