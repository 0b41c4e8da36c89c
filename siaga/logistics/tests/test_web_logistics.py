"""The logistics and volunteer pages render for the team, answer 404 outside scope, and the
delivery photo is checked (size and type) before anything is saved."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from siaga.logistics import services
from siaga.logistics.models import AidRequest, StockBalance
from siaga.volunteers import services as volunteer_services

PAGES = [
    "/logistik/",
    "/logistik/bantuan/",
    "/logistik/keuangan/",
    "/logistik/pinjaman/",
    "/logistik/ekspor/stok.csv",
    "/logistik/ekspor/donasi.xlsx",
    "/relawan/",
    "/relawan/tugas/",
    "/relawan/jadwal/",
    "/relawan/daftar/",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_for_a_volunteer(client: Any, world: Any, lumbung: Any, url: str) -> None:
    services.request_aid(actor=world.users["root"], household=world.households["rt003"])
    client.force_login(world.users["relawan.rw006"])
    assert client.get(url).status_code == 200


def test_delivery_page_is_404_outside_scope(client: Any, world: Any, lumbung: Any) -> None:
    aid = services.request_aid(actor=world.users["root"], household=world.households["rt004"])
    task = volunteer_services.create_task(
        actor=world.users["root"], territory=world.t["rt004"], title="Cek"
    )
    client.force_login(world.users["pengurus.rt003"])
    assert client.get(f"/logistik/bantuan/{aid.pk}/kirim/").status_code == 404
    assert client.get(f"/relawan/tugas/{task.pk}/").status_code == 404
    assert client.post(f"/relawan/tugas/{task.pk}/take/").status_code == 404


def test_delivery_photo_is_checked(client: Any, world: Any, lumbung: Any) -> None:
    aid = services.request_aid(actor=world.users["root"], household=world.households["rt003"])
    client.force_login(world.users["relawan.rw006"])
    url = f"/logistik/bantuan/{aid.pk}/kirim/"
    fake = SimpleUploadedFile("x.jpg", b"MZ not an image", content_type="image/jpeg")
    client.post(url, {"posko": lumbung.posko.pk, "received_by": "Siti", "photo": fake})
    assert AidRequest.objects.get(pk=aid.pk).state == "baru"
    assert StockBalance.objects.get(item=lumbung.beras).quantity == 20
    png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    response = client.post(url, {"posko": lumbung.posko.pk, "received_by": "Siti", "photo": png})
    assert response.status_code == 302
    aid.refresh_from_db()
    assert aid.state == "dikirim" and aid.delivery.photo.name.endswith(".png")


def test_loans_list_answers_htmx_with_just_the_filtered_list(client: Any, world: Any) -> None:
    root = world.users["root"]
    device = services.add_equipment(actor=root, rw=world.t["rw006"], kind="oximeter", label="OX-7")
    today = timezone.localdate()
    services.lend(
        actor=root,
        equipment=device,
        household=world.households["rt003"],
        lent_on=today,
        due_on=today + dt.timedelta(days=7),
    )
    client.force_login(world.users["relawan.rw006"])
    response = client.get("/logistik/pinjaman/", {"state": "lent"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html and "OX-7" in html
    assert "HX-Request" in response["Vary"]
    returned = client.get("/logistik/pinjaman/", {"state": "returned"}, HTTP_HX_REQUEST="true")
    assert "OX-7" not in returned.content.decode()
    assert "<html" in client.get("/logistik/pinjaman/").content.decode()


def test_delivery_form_defaults_to_a_stocked_posko_and_keeps_input_when_refused(
    client: Any, world: Any, lumbung: Any
) -> None:
    """Issue 12: the form chose the first posko (without stock), a refused save cleared
    "Diterima oleh", and the form did not say which household it is for."""
    root = world.users["root"]
    empty = volunteer_services.create_posko(actor=root, rw=world.t["rw006"], name="A Posko kosong")
    aid = services.request_aid(actor=root, household=world.households["rt003"])
    client.force_login(world.users["relawan.rw006"])
    url = f"/logistik/bantuan/{aid.pk}/kirim/"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<option value="{lumbung.posko.pk}" selected>' in html
    assert f'<option value="{empty.pk}">A Posko kosong (stok kurang)' in html
    assert world.households["rt003"].address in html and "RT 003 / RW 006" in html
    response = client.post(url, {"posko": empty.pk, "received_by": "Bu Siti", "note": "pagar"})
    html = response.content.decode()
    assert response.status_code == 200 and AidRequest.objects.get(pk=aid.pk).state == "baru"
    assert 'value="Bu Siti"' in html and 'value="pagar"' in html
    assert f'<option value="{empty.pk}" selected>' in html


def test_a_residents_money_page_shows_the_public_figures_of_their_rw(
    client: Any, world: Any
) -> None:
    """Issue 12: a warga read "Donasi: Belum ada" while /transparansi/<RW>/ showed the money."""
    services.record_donation(
        actor=world.users["root"],
        rw=world.t["rw006"],
        kind="cash",
        received_on=timezone.localdate(),
        donor_name="Toko Makmur",
        amount=1_500_000,
        method="transfer",
    )
    warga = world.users["warga.rt003"]
    warga.language = "en"
    warga.save(update_fields=["language"])
    client.force_login(warga)
    html = client.get("/logistik/keuangan/").content.decode()
    assert "Rp 1,500,000" in html
    assert "None yet." not in html.split("<h2>Donations</h2>")[1].split("</section>")[0]
    assert "/transparansi/33.74.02.1006.006/" in html
    assert "/rencana/akuntabilitas/33.74.02.1006.006/" in html
    public = client.get("/transparansi/33.74.02.1006.006/").content.decode()
    assert "Rp 1,500,000" in public  # the same figure


def test_transparency_and_accountability_pages_link_to_each_other(client: Any, world: Any) -> None:
    transparency = client.get("/transparansi/33.74.02.1006.006/").content.decode()
    accountability = client.get("/rencana/akuntabilitas/33.74.02.1006.006/").content.decode()
    assert 'href="/rencana/akuntabilitas/33.74.02.1006.006/"' in transparency
    assert 'href="/transparansi/33.74.02.1006.006/"' in accountability


@pytest.mark.parametrize(
    "url", ["/logistik/", "/logistik/bantuan/", "/logistik/paket/", "/logistik/pinjaman/"]
)
def test_long_lists_page(client: Any, world: Any, lumbung: Any, settings: Any, url: str) -> None:
    """Issue 12: the open aid requests, packages and loans rendered up to 200 rows at once."""
    from siaga.logistics.models import PackageTemplate

    settings.PAGE_SIZE = 1
    root = world.users["root"]
    PackageTemplate.objects.create(rw=world.t["rw006"], name="Sembako mingguan")
    for place in ("rt003", "rt004"):
        services.request_aid(actor=root, household=world.households[place])
        device = services.add_equipment(
            actor=root, rw=world.t["rw006"], kind="oximeter", label=f"OX-{place}"
        )
        services.lend(
            actor=root,
            equipment=device,
            household=world.households[place],
            lent_on=timezone.localdate(),
            due_on=timezone.localdate() + dt.timedelta(days=7),
        )
    user = world.users["pengurus.rw006"]
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    assert "Page 1 of 2" in client.get(url).content.decode()
    assert "Page 2 of 2" in client.get(url + "?page=2").content.decode()


@pytest.mark.parametrize("page", ["/logistik/", "/logistik/keuangan/", "/logistik/pinjaman/"])
def test_a_residents_logistics_menu_leads_nowhere_they_are_refused(
    client: Any, world: Any, page: str
) -> None:
    """Issue 12 (browser walk): a warga's logistics menu offered "Pindah stok", which answers
    404 for anyone who may not record stock, and a volunteer's "Tugas saya"."""
    client.force_login(world.users["warga.rt003"])
    html = client.get(page).content.decode()
    nav = html.split('<nav class="actions"')[1].split("</nav>")[0]
    assert "/logistik/pindah/" not in nav
    assert 'href="/relawan/"' not in nav
    links = re.findall(r'href="(/[^"]+)"', nav)
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_the_team_still_finds_the_transfer_form_in_the_logistics_menu(
    client: Any, world: Any
) -> None:
    client.force_login(world.users["pengurus.rw006"])
    nav = client.get("/logistik/").content.decode().split('<nav class="actions"')[1]
    assert "/logistik/pindah/" in nav.split("</nav>")[0]
