"""The journeys of issue 12, each clicked through the real UI from the role's home page on a
phone (390 px), every step ``checked()``.

They share the demo: the volunteer's referral (journey 2) is the one the puskesmas acknowledges
(journey 3), so the file runs in order (``-p no:randomly``, as ``make test-e2e`` does). Values
that must be unique (No. KK, NIK) are drawn fresh, so the journeys also run again on a kept demo
(``E2E_DATA_DIR``).
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from e2e.checks import checked, login
from e2e.conftest import PASSWORD

# What journey 2 leaves for journey 3: the referral's number and the puskesmas alerted.
REFERRAL: dict[str, str] = {}


def _tap(page: Any, locator: Any) -> None:
    """Click a link or button and wait for the page it leads to."""
    locator.click()
    page.wait_for_load_state("networkidle")


def _home(page: Any, artefacts: Path, username: str) -> None:
    login(page, username, PASSWORD)
    assert "/akun/masuk/" not in page.url, f"{username} could not log in"
    checked(page, artefacts, f"journey-{username}-home")


def _message(page: Any) -> str:
    return page.locator("ul.messages").first.inner_text()


def _digits(count: int) -> str:
    return "".join(random.choice("0123456789") for _ in range(count))


def _nik(*, day: int, month: int, year: int, woman: bool) -> str:
    """A NIK of Semarang Utara (33 74 02) whose embedded birth date matches the form's."""
    return f"337402{day + (40 if woman else 0):02d}{month:02d}{year % 100:02d}{_digits(4)}"


def test_rt_head_registers_a_household_with_three_members(page: Any, artefacts: Path) -> None:
    _home(page, artefacts, "pengurus.rt003")
    _tap(page, page.locator("section#quick a", has_text="Tambah keluarga"))
    checked(page, artefacts, "journey-1-household-form")
    kk = "337402" + _digits(10)
    page.fill("input[name=kk]", kk)
    rt = page.locator("select[name=rt]")
    if rt.count() and not rt.input_value():  # one RT only: the form has chosen it already
        rt.select_option(index=1)
    page.fill("input[name=address]", "Jl. Empu Tantular No. 12")
    _tap(page, page.locator("form button[type=submit].primary"))
    assert "/registrasi/keluarga/" in page.url and "/baru/" not in page.url, page.url
    checked(page, artefacts, "journey-1-household")

    members = [
        ("Slamet Riyadi", "L", "1970-03-14", "kepala"),
        ("Sri Wahyuni", "P", "1974-08-02", "istri"),
        ("Dimas Saputra", "L", "2001-11-23", "anak"),
    ]
    _tap(page, page.get_by_role("link", name="Tambah anggota", exact=True))
    for number, (name, sex, born, relation) in enumerate(members, start=1):
        checked(page, artefacts, f"journey-1-member-{number}-form")
        year, month, day = (int(part) for part in born.split("-"))
        page.fill("input[name=name]", name)
        page.fill("input[name=nik]", _nik(day=day, month=month, year=year, woman=sex == "P"))
        page.check(f"input[name=sex][value={sex}]")
        page.fill("input[name=birth_date]", born)
        assert page.input_value("input[name=kk]") == kk, "the member form forgot the household"
        page.select_option("select[name=relation]", relation)
        _tap(page, page.locator("form button[type=submit].primary"))
        assert re.search(r"/registrasi/warga/\d+/$", page.url), page.url
        checked(page, artefacts, f"journey-1-member-{number}")
        if number < len(members):
            _tap(page, page.get_by_role("link", name="Tambah anggota keluarga"))

    _tap(page, page.locator("nav.crumbs a", has_text=kk))
    checked(page, artefacts, "journey-1-household-complete")
    for name, *_rest in members:
        assert page.get_by_role("link", name=name).count() == 1, f"{name} is not in the household"


def test_volunteer_records_a_low_spo2_check_and_a_referral_is_made(
    page: Any, artefacts: Path
) -> None:
    _home(page, artefacts, "relawan.rw006")
    visits = page.locator("section#visits")
    # An isolating case (a contact in quarantine has no monitoring form to tap).
    _tap(page, visits.locator("a.button", has_text="Catat pemantauan").first)
    assert page.url.endswith("#pantau"), page.url
    checked(page, artefacts, "journey-2-case")
    form = page.locator("form", has=page.locator("input[name=spo2]"))
    form.locator("input[name=temperature_c]").fill("37.8")
    form.locator("input[name=spo2]").fill("93")
    _tap(page, form.locator("button[type=submit]"))
    checked(page, artefacts, "journey-2-recorded")
    text = _message(page)
    found = re.search(r"Rujukan #(\d+) telah dibuat; (.+?) sudah diberi tahu", text)
    assert found, f"no referral in the message: {text!r}"
    REFERRAL["id"], REFERRAL["puskesmas"] = found.group(1), found.group(2)
    assert "Bandarharjo" in REFERRAL["puskesmas"], text
    history = page.locator("ul.rows li").first.inner_text()
    assert "SpO2 93" in history, history
    # The case page lists the referral, and it opens.
    _tap(page, page.get_by_role("link", name=f"#{REFERRAL['id']}"))
    checked(page, artefacts, "journey-2-referral")


def test_puskesmas_acknowledges_the_referral_in_one_tap(page: Any, artefacts: Path) -> None:
    if "id" not in REFERRAL:
        pytest.skip("journey 2 made no referral")
    _home(page, artefacts, "puskesmas.bandarharjo")
    href = f"/kesehatan/rujukan/{REFERRAL['id']}/"
    row = page.locator("section#referral_inbox li", has=page.locator(f"a[href='{href}']"))
    if not row.count():  # not among the first rows of home: the inbox lists them all
        _tap(page, page.locator("section#referral_inbox a", has_text="Kotak masuk rujukan"))
        checked(page, artefacts, "journey-3-inbox")
        row = page.locator("ul.rows li", has=page.locator(f"a[href='{href}']"))
    assert row.count() == 1, f"referral #{REFERRAL['id']} is not waiting for the puskesmas"
    _tap(page, row.locator("button[type=submit]"))
    checked(page, artefacts, "journey-3-acknowledged")
    assert "Rujukan telah ditanggapi" in _message(page), _message(page)


def test_rw_head_records_an_aid_delivery(page: Any, artefacts: Path) -> None:
    _home(page, artefacts, "pengurus.rw006")
    _tap(page, page.locator("section#quick a", has_text="Catat pengantaran"))
    checked(page, artefacts, "journey-4-aid")
    _tap(page, page.locator("a.button", has_text="Catat pengantaran").first)
    assert re.search(r"/logistik/bantuan/\d+/kirim/$", page.url), page.url
    checked(page, artefacts, "journey-4-deliver-form")
    page.fill("input[name=received_by]", "Sri Wahyuni")
    page.fill("input[name=note]", "Diterima di depan rumah")
    stocked = page.locator("select[name=posko] option:not(:has-text('stok kurang'))")
    if not stocked.count():
        pytest.skip("every posko is short of the package: a kept demo run many times (new demo)")
    page.select_option("select[name=posko]", stocked.first.get_attribute("value"))
    _tap(page, page.get_by_role("button", name="Diantar"))
    assert page.url.endswith("/logistik/bantuan/"), (page.url, _message(page))
    checked(page, artefacts, "journey-4-delivered")
    assert "Pengantaran dicatat" in _message(page), _message(page)
    assert "Sri Wahyuni" in page.locator("section").last.inner_text()


def test_resident_votes_in_the_open_budget_round(page: Any, artefacts: Path) -> None:
    _home(page, artefacts, "warga.rt003")
    _tap(page, page.locator("section#vote a.button", has_text="Beri suara").first)
    assert re.search(r"/usulan/putaran/\d+/$", page.url), page.url
    checked(page, artefacts, "journey-5-ballot")
    choice = page.locator("fieldset label.card").first
    title = choice.locator("strong").inner_text()
    choice.locator("input[type=radio]").check()
    _tap(page, page.get_by_role("button", name="Simpan suara"))
    checked(page, artefacts, "journey-5-voted")
    assert "Suara Anda telah disimpan" in _message(page), _message(page)
    chosen = page.locator("fieldset label.card", has=page.locator("input:checked"))
    assert chosen.locator("strong").inner_text() == title


def test_lurah_downloads_the_volunteer_report_pdf(page: Any, artefacts: Path) -> None:
    _home(page, artefacts, "lurah.panggunglor")
    _tap(page, page.get_by_role("link", name="Laporan Kinerja Relawan"))
    checked(page, artefacts, "journey-6-report")
    with page.expect_download() as info:
        page.get_by_role("link", name="PDF (Bahasa Indonesia)").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"%PDF"), body[:16]
    assert len(body) > 4_000, f"the PDF is only {len(body)} bytes"
    assert b"/Type /Page" in body, "the PDF has no page"
    checked(page, artefacts, "journey-6-downloaded")
