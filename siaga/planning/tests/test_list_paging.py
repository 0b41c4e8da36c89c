"""Plan, meeting and moderation lists page (issue 12: lists at kota scope had no paging)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from siaga.planning.models import Meeting, Plan

pytestmark = pytest.mark.django_db


def _client(world: Any, name: str) -> Client:
    user = world.users[name]
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/rencana/", "/rencana/rapat/"])
def test_lists_page_and_keep_their_filters(world: Any, settings: Any, url: str) -> None:
    settings.PAGE_SIZE = 2
    for n in range(3):
        Plan.objects.create(territory=world.t["rw006"], title=f"Rencana {n}", goal="-")
        Meeting.objects.create(
            territory=world.t["rw006"], kind="musyawarah_rw", title=f"Rapat {n}",
            starts_at=timezone.now(),
        )  # fmt: skip
    client = _client(world, "pengurus.rw006")
    first = client.get(url).content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get(url + "?page=2").content.decode()
    assert "Page 2 of 2" in second
    shown = sum(f"{kind} {n}<" in page for n in range(3) for page in (first, second)
                for kind in ("Rencana", "Rapat"))  # fmt: skip
    assert shown == 3
