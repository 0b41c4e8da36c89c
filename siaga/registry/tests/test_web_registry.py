"""Registry web pages: the role × territory matrix, forms through services, audit, queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from siaga.core.models import AuditEntry
from siaga.registry.models import Household, Resident

USERS = [
    "admin",
    "fasilitator.kota",
    "fasilitator.utara",
    "lurah.panggunglor",
    "puskesmas.bandarharjo",
    "pengurus.rw006",
    "pengurus.rt003",
    "relawan.rw006",
    "warga.rt003",
]
_WIDE = {"admin", "fasilitator.kota", "fasilitator.utara"}
# Who may change (REGISTRY_CHANGE) the people of each fixture RT.
CHANGE = {
    "rt003": _WIDE | {"lurah.panggunglor", "pengurus.rw006", "pengurus.rt003"},
    "rt004": _WIDE | {"lurah.panggunglor", "pengurus.rw006"},
    "bandar_rt001": _WIDE | {"puskesmas.bandarharjo"},
    "timur_rt001": {"admin", "fasilitator.kota"},
}
# Who may view them: changers, plus the volunteer of RW 006, plus the warga in their own home.
VIEW = {
    "rt003": CHANGE["rt003"] | {"relawan.rw006", "warga.rt003"},
    "rt004": CHANGE["rt004"] | {"relawan.rw006"},
    "bandar_rt001": CHANGE["bandar_rt001"],
    "timur_rt001": CHANGE["timur_rt001"],
}
CREATORS = _WIDE | {
    "lurah.panggunglor",
    "puskesmas.bandarharjo",
    "pengurus.rw006",
    "pengurus.rt003",
}


def client_for(world, name: str) -> Client:
    """A signed-in client reading English, so assertions do not depend on translations."""
    user = world.users[name]
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(world.users[name])
    return client


def snapshot() -> tuple[list[tuple], list[tuple], int]:
    return (
        list(Resident.objects.order_by("id").values_list()),
        list(Household.objects.order_by("id").values_list()),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("name", USERS)
def test_registry_pages_answer_200_in_scope_and_404_outside(world, name) -> None:
    client = client_for(world, name)
    wrong: list[tuple[object, ...]] = []
    for place in VIEW:
        resident = world.residents[place]
        household = world.households[place]
        pages = [
            ("registry:resident_detail", resident.pk, VIEW[place]),
            ("registry:household_detail", household.pk, VIEW[place]),
            ("registry:resident_edit", resident.pk, CHANGE[place]),
            ("registry:resident_delete", resident.pk, CHANGE[place]),
            ("registry:household_edit", household.pk, CHANGE[place]),
            ("registry:household_delete", household.pk, CHANGE[place]),
        ]
        for url_name, pk, allowed in pages:
            status = client.get(reverse(url_name, args=[pk])).status_code
            expected = 200 if name in allowed else 404
            if status != expected:
                wrong.append((url_name, place, status, expected))
        url = reverse("registry:resident_create") + f"?household={household.pk}"
        status = client.get(url).status_code
        if status != (200 if name in CHANGE[place] else 404):
            wrong.append(("resident_create?household", place, status))
    for url_name in ("registry:resident_create", "registry:household_create"):
        status = client.get(reverse(url_name)).status_code
        if status != (200 if name in CREATORS else 404):
            wrong.append((url_name, status))
    for url_name in ("registry:residents", "registry:households"):
        if client.get(reverse(url_name)).status_code != 200:
            wrong.append((url_name, "list"))
    assert wrong == []


@pytest.mark.parametrize("name", USERS)
def test_posts_to_out_of_scope_objects_are_404_and_change_nothing(world, name) -> None:
    client = client_for(world, name)
    for place, allowed in CHANGE.items():
        if name in allowed:
            continue
        resident = world.residents[place]
        household = world.households[place]
        before = snapshot()
        edit = {
            "name": "Diganti",
            "sex": "L",
            "relation": "kepala",
            "status": "tetap",
            "rt": resident.rt.code,
        }
        posts = [
            (reverse("registry:resident_edit", args=[resident.pk]), edit),
            (reverse("registry:resident_delete", args=[resident.pk]), {}),
            (
                reverse("registry:household_edit", args=[household.pk]),
                {"kk": household.kk, "rt": household.rt.code, "address": "Diganti"},
            ),
            (reverse("registry:household_delete", args=[household.pk]), {}),
            (
                reverse("registry:resident_create") + f"?household={household.pk}",
                {**edit, "kk": household.kk},
            ),
        ]
        for url, data in posts:
            assert client.post(url, data).status_code == 404, (url, place)
        assert snapshot() == before, place


@pytest.mark.parametrize("name", sorted(CREATORS))
def test_creating_in_an_rt_outside_scope_is_refused_and_writes_nothing(world, name) -> None:
    client = client_for(world, name)
    for place, allowed in CHANGE.items():
        if name in allowed:
            continue
        before = snapshot()
        response = client.post(
            reverse("registry:resident_create"),
            {
                "name": "Penyusup",
                "sex": "L",
                "relation": "lainnya",
                "status": "tetap",
                "rt": world.t[place].code,
            },
        )
        assert response.status_code == 200
        assert "Unknown RT, or outside your area." in response.content.decode()
        response = client.post(
            reverse("registry:resident_create"),
            {
                "name": "Penyusup",
                "sex": "L",
                "relation": "lainnya",
                "status": "tetap",
                "kk": world.households[place].kk,
            },
        )
        assert "No household with this No. KK in your area." in response.content.decode()
        response = client.post(
            reverse("registry:household_create"),
            {"kk": "3374021508990999", "rt": world.t[place].code},
        )
        assert "Unknown RT, or outside your area." in response.content.decode()
        assert snapshot() == before


def test_viewing_a_resident_writes_a_web_view_audit_entry(world) -> None:
    resident = world.residents["rt004"]
    client = client_for(world, "relawan.rw006")
    response = client.get(reverse("registry:resident_detail", args=[resident.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="view").get()
    assert entry.interface == "web"
    assert entry.actor == world.users["relawan.rw006"]
    assert (entry.object_type, entry.object_id) == ("registry.resident", str(resident.pk))
    assert entry.territory_id == resident.rt_id


def test_invalid_nik_shows_the_field_error_and_writes_nothing(world) -> None:
    client = client_for(world, "pengurus.rt003")
    before = snapshot()
    response = client.post(
        reverse("registry:resident_create"),
        {
            "name": "Warga Baru",
            "nik": "33740212",
            "sex": "P",
            "relation": "anak",
            "status": "tetap",
            "rt": world.t["rt003"].code,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["nik"] == ["NIK must be exactly 16 digits"]
    html = response.content.decode()
    # The message is rendered inside the NIK field's group, next to its input.
    nik_block = html[html.index('for="id_nik"') : html.index('id="id_sex"')]
    assert "NIK must be exactly 16 digits" in nik_block
    assert snapshot() == before


def test_creating_a_resident_in_a_household_uses_its_rt(world) -> None:
    household = world.households["rt003"]
    client = client_for(world, "pengurus.rt003")
    page = client.get(reverse("registry:resident_create") + f"?household={household.pk}")
    assert f'value="{household.kk}"' in page.content.decode()
    response = client.post(
        reverse("registry:resident_create") + f"?household={household.pk}",
        {
            "name": "Anak Baru",
            "nik": "",
            "sex": "P",
            "birth_date": "2020-02-03",
            "relation": "anak",
            "status": "tetap",
            "kk": household.kk,
            "rt": "",
            "comorbidities": ["diabetes"],
        },
    )
    assert response.status_code == 302
    created = Resident.objects.get(name="Anak Baru")
    assert (created.household, created.rt_id, created.birth_date) == (
        household,
        household.rt_id,
        dt.date(2020, 2, 3),
    )
    assert created.comorbidities == ["diabetes"]
    assert AuditEntry.objects.filter(action="create", object_id=str(created.pk)).exists()
    detail = client.get(response["Location"]).content.decode()
    assert "tanpa NIK" in detail or "no NIK" in detail


def test_editing_a_resident_goes_through_the_service(world) -> None:
    resident = world.residents["rt003"]
    client = client_for(world, "pengurus.rt003")
    page = client.get(reverse("registry:resident_edit", args=[resident.pk])).content.decode()
    assert f'value="{resident.nik}"' in page
    response = client.post(
        reverse("registry:resident_edit", args=[resident.pk]),
        {
            "name": "Budi Santoso",
            "nik": resident.nik,
            "sex": "L",
            "birth_date": "1985-08-17",
            "relation": "kepala",
            "status": "tetap",
            "kk": resident.household.kk,
            "rt": resident.rt.code,
            "phone": "0812 3456 7890",
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.name, resident.phone) == ("Budi Santoso", "+6281234567890")
    assert AuditEntry.objects.filter(action="update", object_id=str(resident.pk)).exists()


def test_service_errors_land_on_their_fields(world) -> None:
    resident = world.residents["rt003"]
    client = client_for(world, "pengurus.rt003")
    response = client.post(
        reverse("registry:resident_edit", args=[resident.pk]),
        {
            "name": "",
            "nik": world.residents["rt004"].nik,
            "sex": "L",
            "relation": "kepala",
            "status": "tetap",
            "kk": resident.household.kk,
            "rt": "",
            "hamil": "on",
        },
    )
    errors = response.context["form"].errors
    assert errors["nik"] == ["Another resident already has this NIK."]
    assert errors["name"] == ["This field is required."]
    assert errors["hamil"] == ["Only a female resident can be recorded as pregnant."]


def test_resident_detail_shows_flags_and_nik_warnings(world) -> None:
    resident = world.residents["rt003"]
    Resident.objects.filter(pk=resident.pk).update(birth_date=dt.date(1950, 1, 2))
    wife = Resident.objects.get(name="Siti rt003")
    client = client_for(world, "pengurus.rt003")
    html = client.get(reverse("registry:resident_detail", args=[resident.pk])).content.decode()
    assert "differs from the recorded birth date" in html
    assert 'class="badge lansia"' in html
    html = client.get(reverse("registry:resident_detail", args=[wife.pk])).content.decode()
    assert 'class="badge komorbid"' in html
    assert "Edit" in html or "Ubah" in html


def test_change_buttons_only_for_those_who_may_change(world) -> None:
    resident = world.residents["rt003"]
    edit_url = reverse("registry:resident_edit", args=[resident.pk])
    detail = reverse("registry:resident_detail", args=[resident.pk])
    assert edit_url in client_for(world, "pengurus.rt003").get(detail).content.decode()
    assert edit_url not in client_for(world, "relawan.rw006").get(detail).content.decode()
    assert edit_url not in client_for(world, "warga.rt003").get(detail).content.decode()


def test_deletes_need_confirmation_and_respect_service_rules(world) -> None:
    client = client_for(world, "pengurus.rw006")
    household = world.households["rt004"]
    # A household with members cannot go: the service's message is shown, nothing changes.
    response = client.post(reverse("registry:household_delete", args=[household.pk]), follow=True)
    assert "still has members" in response.content.decode()
    assert Household.objects.filter(pk=household.pk).exists()
    members = list(household.members.all())
    for member in members:
        page = client.get(reverse("registry:resident_delete", args=[member.pk]))
        assert page.status_code == 200 and Resident.objects.filter(pk=member.pk).exists()
        assert client.post(reverse("registry:resident_delete", args=[member.pk])).status_code == 302
    assert not household.members.exists()
    client.post(reverse("registry:household_delete", args=[household.pk]))
    assert not Household.objects.filter(pk=household.pk).exists()
    assert AuditEntry.objects.filter(action="delete").count() == len(members) + 1


def test_household_create_and_edit_with_head_among_members(world) -> None:
    client = client_for(world, "pengurus.rt003")
    response = client.post(
        reverse("registry:household_create"),
        {"kk": "3374 0215 0899 0999", "rt": world.t["rt003"].code, "address": "Jl. Baru 5"},
    )
    assert response.status_code == 302
    household = Household.objects.get(kk="3374021508990999")
    outsider = Resident.objects.get(name="Siti rt003")
    before = snapshot()
    response = client.post(
        reverse("registry:household_edit", args=[household.pk]),
        {"kk": household.kk, "rt": household.rt.code, "address": "Jl. Lain", "head": outsider.pk},
    )
    # Only the household's own members are offered as its head.
    assert response.status_code == 200 and "head" in response.context["form"].errors
    assert snapshot() == before


def test_lists_show_only_what_is_in_scope_and_filter(world) -> None:
    names = lambda response: [r.name for r in response.context["page"].object_list]  # noqa: E731
    warga = client_for(world, "warga.rt003")
    assert sorted(names(warga.get(reverse("registry:residents")))) == [
        "Budi rt003",
        "Siti rt003",
    ]
    kota = client_for(world, "fasilitator.kota")
    url = reverse("registry:residents")
    assert len(names(kota.get(url))) == 10
    assert names(kota.get(url, {"wilayah": world.t["rw006"].code, "rentan": "lansia"})) == [
        "Siti rt003",
        "Siti rt004",
    ]
    assert names(kota.get(url, {"q": "budi timur"})) == ["Budi timur_rt001"]
    assert names(kota.get(url, {"q": world.households["rt004"].kk})) == [
        "Budi rt004",
        "Siti rt004",
    ]
    Resident.objects.filter(name="Siti rt004").update(status="pindah")
    assert names(kota.get(url, {"status": "pindah"})) == ["Siti rt004"]
    # A territory outside the user's area is refused as a filter (404, as an unknown code),
    # not silently widened.
    rt = client_for(world, "pengurus.rt003")
    assert rt.get(url, {"wilayah": world.t["rt004"].code}).status_code == 404
    assert rt.get(url, {"wilayah": "99.99"}).status_code == 404
    households = kota.get(reverse("registry:households"), {"wilayah": world.t["rt003"].code})
    assert list(households.context["page"].object_list) == [world.households["rt003"]]


def test_live_search_answers_with_just_the_results(world) -> None:
    client = client_for(world, "fasilitator.kota")
    response = client.get(reverse("registry:residents"), {"q": "Siti"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html
    assert "Siti rt003" in html and "Budi rt003" not in html
    assert "HX-Request" in response["Vary"]
    # Going back in history asks for the whole page again.
    restore = client.get(
        reverse("registry:residents"),
        {"q": "Siti"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in restore.content.decode()


def test_rt_options_are_limited_to_the_users_scope(world) -> None:
    client = client_for(world, "pengurus.rw006")
    response = client.get(reverse("registry:rt_options"), {"rt": "33.74.02"})
    codes = [code for code, _label in response.context["rt_options"]]
    assert codes == [world.t["rt003"].code, world.t["rt004"].code]
    assert "RT 003 / RW 006 · Panggung Lor" in response.content.decode()
    page = client.get(reverse("registry:household_create")).content.decode()
    assert world.t["rt004"].code in page and world.t["rw007rt001"].code not in page


def _many_residents(world, n: int) -> None:
    rt = world.t["rt003"]
    for i in range(n):
        household = Household.objects.create(kk=f"337403150890{i + 1:04d}", rt=rt)
        head = Resident.objects.create(
            nik=f"3374030101{90 - i % 40:02d}{i + 1:04d}",
            name=f"Warga {i:03d}",
            sex="L",
            birth_date=dt.date(1950 + i % 50, 1, 1),
            household=household,
            rt=rt,
            comorbidities=["diabetes"] if i % 3 else [],
        )
        household.head = head
        household.save()


@pytest.mark.parametrize("url_name", ["registry:residents", "registry:households"])
def test_lists_have_no_n_plus_one(world, url_name, django_assert_max_num_queries) -> None:
    _many_residents(world, 60)
    client = client_for(world, "fasilitator.utara")
    with django_assert_max_num_queries(10):
        response = client.get(reverse(url_name))
    assert len(response.context["page"].object_list) == 50


def test_opening_a_resident_edit_form_is_an_audited_view(world) -> None:
    resident = world.residents["rt003"]
    client = client_for(world, "pengurus.rt003")
    response = client.get(reverse("registry:resident_edit", args=[resident.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="view").get()
    assert (entry.object_id, entry.interface) == (str(resident.pk), "web")


def test_an_rt_head_with_one_rt_gets_it_preselected_not_a_placeholder(world) -> None:
    """Issue 12: the RT field showed a placeholder code (looked filled, was empty) and an RT
    head had to type a 21-character code; the RTs in reach are now offered as a select."""
    client = client_for(world, "pengurus.rt003")
    html = client.get(reverse("registry:household_create")).content.decode()
    assert 'placeholder="33.74' not in html
    rt = world.t["rt003"].code
    assert '<select name="rt"' in html and f'<option value="{rt}" selected>' in html
    response = client.post(
        reverse("registry:household_create"), {"kk": "3374021508990999", "rt": rt}
    )
    assert response.status_code == 302 and Household.objects.get(kk="3374021508990999").rt_id
    wider = client_for(world, "pengurus.rw006").get(reverse("registry:household_create"))
    options = wider.content.decode()
    assert (
        f'<option value="{rt}">' in options
        and f'<option value="{world.t["rt004"].code}">' in options
    )
    assert '<option value="" selected>' in options  # two RTs: the head chooses


def test_a_resident_page_offers_to_add_another_member_of_the_household(world) -> None:
    resident = world.residents["rt003"]
    client = client_for(world, "pengurus.rt003")
    html = client.get(reverse("registry:resident_detail", args=[resident.pk])).content.decode()
    add = f"{reverse('registry:resident_create')}?household={resident.household_id}"
    assert add in html and "Add another member" in html
    form = client.get(add).content.decode()
    assert f'value="{resident.household.kk}"' in form
