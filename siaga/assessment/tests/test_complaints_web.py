"""Complaint pages: filing with a photo, the handlers' queue with overdue highlighted,
"Pengaduan saya", the detail page with history, answering, the photo; 404 outside scope and for
the volunteer the complaint is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from siaga.accounts.models import User
from siaga.assessment import services
from siaga.assessment.models import Complaint, ComplaintEvent

from .fb_helpers import HANDLERS_RT003, USERS, login, make_delivery, make_volunteer

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _complaint(world: Any, **kwargs: Any) -> Complaint:
    kwargs.setdefault("household", world.households["rt003"])
    return services.file_complaint(
        actor=world.users[kwargs.pop("user", "warga.rt003")],
        category=kwargs.pop("category", "layanan"),
        description="Paket bantuan kurang beras",
        **kwargs,
    )


def test_warga_files_a_complaint_with_a_photo(client: Any, world: Any) -> None:
    login(client, world, "warga.rt003")
    page = client.get("/penilaian/pengaduan/baru/")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 no", content_type="image/jpeg")
    refused = client.post(
        "/penilaian/pengaduan/baru/",
        {"category": "layanan", "description": "Beras basah", "photo": fake},
    )
    assert refused.status_code == 200
    assert "JPEG, PNG or WebP" in refused.content.decode()
    assert Complaint.objects.count() == 0
    empty = client.post("/penilaian/pengaduan/baru/", {"category": "layanan"})
    assert "Describe what happened" in empty.content.decode()
    photo = SimpleUploadedFile("x.png", PNG, content_type="image/png")
    done = client.post(
        "/penilaian/pengaduan/baru/",
        {"category": "layanan", "description": "Beras basah", "photo": photo},
    )
    complaint = Complaint.objects.get()
    assert done.status_code == 302 and done.url == f"/penilaian/pengaduan/{complaint.pk}/"
    assert complaint.household == world.households["rt003"] and complaint.channel == "web"
    detail = client.get(done.url)
    assert "Beras basah" in detail.content.decode()
    image = client.get(f"/penilaian/pengaduan/{complaint.pk}/foto/")
    assert image.status_code == 200 and b"".join(image.streaming_content).startswith(PNG[:8])


def test_warga_names_a_volunteer_of_their_rw(client: Any, world: Any) -> None:
    volunteer = make_volunteer(world)
    login(client, world, "warga.rt003")
    assert volunteer.name in client.get("/penilaian/pengaduan/baru/").content.decode()
    client.post(
        "/penilaian/pengaduan/baru/",
        {"category": "relawan", "volunteer": volunteer.pk, "description": "Kasar"},
    )
    assert Complaint.objects.get().volunteer == volunteer


def test_relawan_files_for_an_rt(client: Any, world: Any) -> None:
    login(client, world, "relawan.rw006")
    response = client.post(
        "/penilaian/pengaduan/baru/",
        {"rt": world.t["rt004"].pk, "category": "lainnya", "description": "Lampu posko mati"},
    )
    assert response.status_code == 302
    assert Complaint.objects.get().rt == world.t["rt004"]


@pytest.mark.parametrize("user", USERS)
def test_complaint_detail_matrix(client: Any, world: Any, user: str) -> None:
    complaint = _complaint(world, photo=SimpleUploadedFile("p.png", PNG))
    login(client, world, user)
    response = client.get(f"/penilaian/pengaduan/{complaint.pk}/")
    photo = client.get(f"/penilaian/pengaduan/{complaint.pk}/foto/")
    if user in HANDLERS_RT003 or user == "warga.rt003":
        assert response.status_code == 200 and photo.status_code == 200
        assert ("Save response" in response.content.decode()) == (user in HANDLERS_RT003)
    else:
        assert response.status_code == 404 and photo.status_code == 404


@pytest.mark.parametrize("user", USERS)
def test_respond_matrix(client: Any, world: Any, user: str) -> None:
    complaint = _complaint(world)
    login(client, world, user)
    response = client.post(
        f"/penilaian/pengaduan/{complaint.pk}/tanggapi/",
        {"state": "selesai", "response": "Sudah diganti"},
    )
    complaint.refresh_from_db()
    if user in HANDLERS_RT003:
        assert response.status_code == 302
        assert complaint.state == "selesai" and complaint.response == "Sudah diganti"
    else:
        assert response.status_code == 404
        assert complaint.state == "diterima" and ComplaintEvent.objects.count() == 1


def test_respond_errors_are_shown_and_resolved_is_final(client: Any, world: Any) -> None:
    complaint = _complaint(world)
    login(client, world, "pengurus.rw006")
    url = f"/penilaian/pengaduan/{complaint.pk}/tanggapi/"
    empty = client.post(url, {"state": "selesai", "response": ""})
    assert empty.status_code == 422 and "Write a response" in empty.content.decode()
    client.post(url, {"state": "selesai", "response": "Beres"})
    again = client.post(url, {"state": "ditindaklanjuti", "response": "Lagi"})
    assert again.status_code == 422 and "cannot change any more" in again.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).state == "selesai"
    detail = client.get(f"/penilaian/pengaduan/{complaint.pk}/").content.decode()
    assert "Save response" not in detail and "Beres" in detail


def test_volunteer_pengurus_does_not_see_the_complaint_about_them(client: Any, world: Any) -> None:
    volunteer = make_volunteer(world, "pengurus.rw006")
    about = _complaint(world, category="relawan", volunteer=volunteer)
    login(client, world, "pengurus.rw006")
    assert client.get(f"/penilaian/pengaduan/{about.pk}/").status_code == 404
    assert client.get(f"/penilaian/pengaduan/{about.pk}/foto/").status_code == 404
    response = client.post(
        f"/penilaian/pengaduan/{about.pk}/tanggapi/", {"state": "selesai", "response": "x"}
    )
    assert response.status_code == 404
    for url in ("/penilaian/", "/penilaian/pengaduan/"):
        assert f"/penilaian/pengaduan/{about.pk}/" not in client.get(url).content.decode()
    login(client, world, "pengurus.rt003")
    assert (
        f"/penilaian/pengaduan/{about.pk}/" in client.get("/penilaian/pengaduan/").content.decode()
    )


def test_queue_highlights_overdue_and_home_lists_my_complaints(client: Any, world: Any) -> None:
    old = _complaint(world, now=timezone.now() - dt.timedelta(days=4))
    login(client, world, "pengurus.rw006")
    queue = client.get("/penilaian/pengaduan/").content.decode()
    assert "complaint overdue" in queue and "Overdue" in queue
    login(client, world, "warga.rt003")
    home = client.get("/penilaian/").content.decode()
    assert f"/penilaian/pengaduan/{old.pk}/" in home
    mine = client.get("/penilaian/pengaduan/").content.decode()
    assert "Pengaduan saya" in mine and f"/penilaian/pengaduan/{old.pk}/" in mine


def test_complaint_pages_are_404_without_a_role(client: Any, world: Any) -> None:
    client.force_login(User.objects.create_user("nobody", password="x-pass-123"))
    assert client.get("/penilaian/pengaduan/").status_code == 404
    assert client.get("/penilaian/pengaduan/baru/").status_code == 404


def test_queue_and_home_query_counts(
    client: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    volunteer = make_volunteer(world)
    for i in range(25):
        _complaint(world, category="relawan" if i % 2 else "layanan", volunteer=volunteer)
    login(client, world, "pengurus.rw006")
    with django_assert_max_num_queries(14):
        assert client.get("/penilaian/pengaduan/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get("/penilaian/").status_code == 200


@pytest.mark.parametrize("user", USERS)
def test_file_for_a_place_matrix(client: Any, world: Any, user: str) -> None:
    """On the web a warga files for their own household and territory members for an RT of
    their territory; any other household or RT answers 404 and nothing is saved."""
    login(client, world, user)
    data = {"category": "data", "description": "Alamat salah"}
    other_household = {**data, "household": world.households["rt004"].pk}
    assert client.post("/penilaian/pengaduan/baru/", other_household).status_code == 404
    response = client.post("/penilaian/pengaduan/baru/", {**data, "rt": world.t["rt004"].pk})
    covers_rt004 = user in {
        "admin",
        "fasilitator.kota",
        "fasilitator.utara",
        "lurah.panggunglor",
        "pengurus.rw006",
        "relawan.rw006",
    }
    if covers_rt004:
        assert response.status_code == 302
        assert Complaint.objects.get().rt == world.t["rt004"]
    else:
        assert response.status_code == 404
        assert Complaint.objects.count() == 0


@pytest.mark.parametrize("user", USERS)
def test_complaint_list_page_matrix(client: Any, world: Any, user: str) -> None:
    complaint = _complaint(world)
    login(client, world, user)
    response = client.get("/penilaian/pengaduan/")
    assert response.status_code == 200
    listed = f"/penilaian/pengaduan/{complaint.pk}/" in response.content.decode()
    assert listed == (user in HANDLERS_RT003 or user == "warga.rt003")


def test_complain_about_a_service_from_the_list(client: Any, world: Any) -> None:
    volunteer = make_volunteer(world)
    delivery = make_delivery(world)
    home = world.households["rt003"]
    login(client, world, "warga.rt003")
    assert f"service=delivery&amp;id={delivery.pk}" in client.get("/penilaian/").content.decode()
    url = f"/penilaian/pengaduan/baru/?household={home.pk}&service=delivery&id={delivery.pk}"
    page = client.get(url).content.decode()
    assert f'name="service_id" value="{delivery.pk}"' in page
    response = client.post(
        url,
        {
            "household": home.pk,
            "category": "relawan",
            "service": "delivery",
            "service_id": delivery.pk,
            "description": "Paket dilempar ke teras",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.service, complaint.service_id) == ("delivery", delivery.pk)
    assert complaint.volunteer == volunteer


def test_the_menu_offers_the_volunteer_report_only_where_it_opens(client: Any, world: Any) -> None:
    """Issue 12 (browser walk): an RT head's menu linked the volunteer report, which answers 404
    below RW level (volunteers belong to an RW)."""
    client.force_login(world.users["pengurus.rt003"])
    assert 'href="/penilaian/laporan/"' not in client.get("/penilaian/").content.decode()
    assert client.get("/penilaian/laporan/").status_code == 404
    client.force_login(world.users["pengurus.rw006"])
    assert 'href="/penilaian/laporan/"' in client.get("/penilaian/").content.decode()
    assert client.get("/penilaian/laporan/").status_code == 200
