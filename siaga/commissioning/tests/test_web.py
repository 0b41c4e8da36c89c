"""The co-commissioning and co-design pages: render for residents, 404 out of reach."""

from __future__ import annotations

import pytest
from django.test import Client

from siaga.accounts.models import User
from siaga.commissioning import services
from siaga.commissioning.models import Need, Vote

pytestmark = pytest.mark.django_db


def login(client: Client, world, name: str) -> Client:
    User.objects.filter(pk=world.users[name].pk).update(language="en")  # assert source strings
    client.force_login(world.users[name])
    return client


def test_resident_raises_supports_and_votes_on_the_pages(world, ballot, client) -> None:
    login(client, world, "warga.rt003")
    assert client.get("/usulan/").status_code == 200
    response = client.post(
        "/usulan/",
        {"territory": "33.74.02.1006.006.003", "category": "pangan", "title": "Beras darurat"},
    )
    need = Need.objects.get(title="Beras darurat")
    assert response.status_code == 302
    client.post(f"/usulan/kebutuhan/{need.pk}/", {"action": "support"})
    assert need.supports.count() == 1
    page = client.get(f"/usulan/putaran/{ballot.round.pk}/").content.decode()
    assert "Ruang isolasi RW 006" in page and "secret" in page
    client.post(f"/usulan/putaran/{ballot.round.pk}/", {"proposal": ballot.lumbung.pk})
    assert Vote.objects.get().proposal_id == ballot.lumbung.pk
    for url in ("/rencana/", "/rencana/rapat/", f"/usulan/proposal/{ballot.lumbung.pk}/"):
        assert client.get(url).status_code == 200, url


def test_pages_out_of_reach_answer_404_and_change_nothing(world, ballot, client) -> None:
    need = services.raise_need(
        actor=world.users["pengurus.rw006"],
        territory=world.t["rt004"],
        data={"category": "sosial", "title": "Dapur umum"},
    )
    login(client, world, "puskesmas.bandarharjo")
    assert client.get(f"/usulan/kebutuhan/{need.pk}/").status_code == 404
    assert client.get(f"/usulan/putaran/{ballot.round.pk}/").status_code == 404
    assert client.post(f"/usulan/kebutuhan/{need.pk}/", {"action": "support"}).status_code == 404
    assert (
        client.post(f"/usulan/putaran/{ballot.round.pk}/", {"action": "close"}).status_code == 404
    )
    login(client, world, "warga.rt003")
    client.post(f"/usulan/kebutuhan/{need.pk}/", {"action": "close", "reason": "x"})
    need.refresh_from_db()
    assert need.status == "open" and not need.supports.exists()
    ballot.round.refresh_from_db()
    assert ballot.round.closed_at is None
    assert client.get("/usulan/").status_code == 200
    client.logout()
    assert client.get("/usulan/").status_code == 302  # login required


def test_needs_list_answers_htmx_with_just_the_list(world, client) -> None:
    services.raise_need(
        actor=world.users["pengurus.rw006"],
        territory=world.t["rt003"],
        data={"category": "sosial", "title": "Dapur umum"},
    )
    login(client, world, "pengurus.rw006")
    response = client.get("/usulan/", {"status": "open"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html and "Record a need" not in html
    assert "Dapur umum" in html
    assert "HX-Request" in response["Vary"]
    assert "<html" in client.get("/usulan/").content.decode()
