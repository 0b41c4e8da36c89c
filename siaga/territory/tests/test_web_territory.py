"""Territory drill-down pages: the role × territory matrix, counts, and creating RW/RT."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from siaga.core.models import AuditEntry
from siaga.territory.models import Territory

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
_KOTA = {"admin", "fasilitator.kota"}
_UTARA = _KOTA | {"fasilitator.utara"}
_PANGGUNG = _UTARA | {"lurah.panggunglor"}
_RW006 = _PANGGUNG | {"pengurus.rw006", "relawan.rw006"}
# Who may view each node (a warga has no territory view: only their household).
VIEW = {
    "33": {"admin"},
    "33.74": _KOTA,
    "33.74.02": _UTARA,
    "33.74.02.1006": _PANGGUNG,
    "33.74.02.1006.006": _RW006,
    "33.74.02.1006.006.003": _RW006 | {"pengurus.rt003"},
    "33.74.02.1006.006.004": _RW006,
    "33.74.02.1006.007": _PANGGUNG,
    "33.74.02.1001": _UTARA | {"puskesmas.bandarharjo"},
    "33.74.02.1001.001.001": _UTARA | {"puskesmas.bandarharjo"},
    "33.74.03": _KOTA,
    "33.74.03.1001.001": _KOTA,
}
# Who may add an RW/RT under each kelurahan/RW.
CREATE = {
    "33.74.02.1006": _PANGGUNG,
    "33.74.02.1006.006": _PANGGUNG | {"pengurus.rw006"},
    "33.74.02.1001.001": _UTARA | {"puskesmas.bandarharjo"},
    "33.74.03.1001": _KOTA,
}


def client_for(world, name: str) -> Client:
    user = world.users[name]
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(world.users[name])
    return client


@pytest.mark.parametrize("name", USERS)
def test_territory_pages_answer_200_in_scope_and_404_outside(world, name) -> None:
    client = client_for(world, name)
    wrong: list[tuple[object, ...]] = []
    for code, allowed in VIEW.items():
        status = client.get(reverse("territory:detail", args=[code])).status_code
        if status != (200 if name in allowed else 404):
            wrong.append((code, status))
    assert client.get(reverse("territory:index")).status_code == 200
    assert wrong == []


@pytest.mark.parametrize("name", USERS)
def test_creating_outside_scope_is_404_and_creates_nothing(world, name) -> None:
    client = client_for(world, name)
    for code, allowed in CREATE.items():
        if name in allowed:
            continue
        before = (Territory.objects.count(), AuditEntry.objects.count())
        response = client.post(reverse("territory:detail", args=[code]), {"number": 42})
        assert response.status_code == 404, code
        assert (Territory.objects.count(), AuditEntry.objects.count()) == before


def test_create_form_shown_only_to_those_who_may_create(world) -> None:
    url = reverse("territory:detail", args=["33.74.02.1006.006"])
    assert 'name="number"' in client_for(world, "pengurus.rw006").get(url).content.decode()
    assert 'name="number"' not in client_for(world, "relawan.rw006").get(url).content.decode()
    rt_url = reverse("territory:detail", args=["33.74.02.1006.006.003"])
    assert 'name="number"' not in client_for(world, "admin").get(rt_url).content.decode()


def test_rw_leader_creates_an_rt_and_duplicates_are_refused(world) -> None:
    client = client_for(world, "pengurus.rw006")
    url = reverse("territory:detail", args=["33.74.02.1006.006"])
    response = client.post(url, {"number": 5})
    assert response.status_code == 302
    assert response["Location"] == reverse("territory:detail", args=["33.74.02.1006.006.005"])
    assert Territory.objects.filter(code="33.74.02.1006.006.005", name="RT 005").exists()
    count = Territory.objects.count()
    response = client.post(url, {"number": 5})
    assert response.status_code == 200
    assert "RT 005 already exists here." in response.context["form"].non_field_errors()
    assert "RT 005 already exists here." in response.content.decode()
    response = client.post(url, {"number": 0})
    assert "number" in response.context["form"].errors
    assert Territory.objects.count() == count


def test_detail_shows_breadcrumbs_counts_and_children(world) -> None:
    client = client_for(world, "lurah.panggunglor")
    response = client.get(reverse("territory:detail", args=["33.74.02.1006"]))
    assert response.context["counts"] == {"rw": 2, "rt": 3, "households": 3, "residents": 6}
    children = {child.code: counts for child, counts in response.context["children"]}
    assert children["33.74.02.1006.006"]["residents"] == 4
    html = response.content.decode()
    assert 'href="/wilayah/33.74.02.1006.006/"' in html
    # Ancestors above the user's own node are named but not linked.
    assert "Semarang Utara" in html and 'href="/wilayah/33.74.02/"' not in html
    deeper = client.get(reverse("territory:detail", args=["33.74.02.1006.006.003"]))
    html = deeper.content.decode()
    assert 'href="/wilayah/33.74.02.1006/"' in html
    assert 'href="/wilayah/33.74.02.1006.006/"' in html
    # At RT level, links to its households and residents, filtered by the RT.
    assert "/registrasi/keluarga/?wilayah=33.74.02.1006.006.003" in html
    assert "/registrasi/warga/?wilayah=33.74.02.1006.006.003" in html


def test_index_lists_the_users_roots(world) -> None:
    response = client_for(world, "puskesmas.bandarharjo").get(reverse("territory:index"))
    assert [t.code for t in response.context["roots"]] == ["33.74.02.1001"]
    assert 'href="/wilayah/33.74.02.1001/"' in response.content.decode()


def test_footer_attribution_speaks_the_page_language(client) -> None:
    """Issue 12: the code-list attribution was an English sentence in the Indonesian UI."""
    html = client.get("/akun/masuk/").content.decode()
    assert "dari dataset cahyadsn/wilayah" in html and "from the" not in html
    english = client.get("/akun/masuk/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "from the cahyadsn/wilayah dataset" in english
