"""Home page and the read-only audit browser."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from siaga.core.models import AuditEntry

AUDITORS = {
    "admin",
    "fasilitator.kota",
    "fasilitator.utara",
    "lurah.panggunglor",
    "puskesmas.bandarharjo",
}
USERS = sorted(AUDITORS | {"pengurus.rw006", "pengurus.rt003", "relawan.rw006", "warga.rt003"})


def client_for(world, name: str) -> Client:
    user = world.users[name]
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(world.users[name])
    return client


@pytest.mark.parametrize("name", USERS)
def test_audit_is_404_without_audit_view_and_nav_link_follows(world, name) -> None:
    client = client_for(world, name)
    response = client.get(reverse("core:audit"))
    assert response.status_code == (200 if name in AUDITORS else 404)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert (reverse("core:audit") in home.content.decode()) == (name in AUDITORS)


def test_audit_shows_only_entries_in_the_users_territory(world) -> None:
    timur = world.residents["timur_rt001"]
    bandar = world.residents["bandar_rt001"]
    admin = client_for(world, "admin")
    admin.get(reverse("registry:resident_detail", args=[timur.pk]))
    admin.get(reverse("registry:resident_detail", args=[bandar.pk]))

    def viewed(name: str) -> set[str]:
        response = client_for(world, name).get(reverse("core:audit"), {"action": "view"})
        return {entry.object_id for entry in response.context["page"].object_list}

    assert viewed("fasilitator.kota") == {str(timur.pk), str(bandar.pk)}
    assert viewed("fasilitator.utara") == {str(bandar.pk)}
    assert viewed("lurah.panggunglor") == set()


def test_audit_filters_by_action_interface_and_object_type(world) -> None:
    client = client_for(world, "fasilitator.kota")
    client.get(reverse("registry:resident_detail", args=[world.residents["rt003"].pk]))
    url = reverse("core:audit")
    entries = lambda **q: list(client.get(url, q).context["page"].object_list)  # noqa: E731
    assert {e.action for e in entries(action="grant")} == {"grant"}
    web = entries(interface="web")
    assert [(e.action, e.object_type) for e in web] == [("view", "registry.resident")]
    assert {e.object_type for e in entries(object_type="territory.territory")} == {
        "territory.territory"
    }
    assert len(entries()) == AuditEntry.objects.exclude(territory__isnull=True).count()


def test_audit_is_read_only(world) -> None:
    client = client_for(world, "admin")
    before = AuditEntry.objects.count()
    assert client.post(reverse("core:audit"), {"action": "view"}).status_code == 405
    assert AuditEntry.objects.count() == before
    html = client.get(reverse("core:audit")).content.decode()
    assert 'method="post"' not in html.split("<main>")[1].split("</main>")[0]


def test_pages_need_sign_in(client, world) -> None:
    for url in (
        reverse("home"),
        reverse("territory:index"),
        reverse("territory:detail", args=["33.74"]),
        reverse("registry:residents"),
        reverse("registry:resident_detail", args=[world.residents["rt003"].pk]),
        reverse("core:audit"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_dates_render_in_jakarta_time(world) -> None:
    entry = AuditEntry.objects.filter(territory__isnull=False).first()
    assert entry is not None
    jakarta = entry.at.astimezone(ZoneInfo("Asia/Jakarta"))
    html = client_for(world, "admin").get(reverse("core:audit")).content.decode()
    assert f'datetime="{jakarta.isoformat()}"' in html
    assert jakarta.strftime("%H:%M") in html
