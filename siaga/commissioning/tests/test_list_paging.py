"""The needs list pages and keeps its status filter (issue 12: no paging at kota scope)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from siaga.commissioning.models import Need

pytestmark = pytest.mark.django_db


def test_needs_page_and_keep_the_status_filter(world: Any, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    for n in range(3):
        Need.objects.create(territory=world.t["rt003"], category="pangan", title=f"Beras {n}")
    user = world.users["fasilitator.kota"]
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    first = client.get("/usulan/").content.decode()
    assert "Page 1 of 2" in first
    assert "status=open&amp;page=2" in client.get("/usulan/?status=open").content.decode()
    second = client.get("/usulan/?page=2").content.decode()
    assert sum(f"Beras {n}<" in page for n in range(3) for page in (first, second)) == 3
    assert client.get("/usulan/putaran/").status_code == 200
