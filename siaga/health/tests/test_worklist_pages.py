"""The monitoring worklist is paged and filtered (issue 12: 801 rows at kota scope)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from .conftest import make_case

pytestmark = pytest.mark.django_db


def test_worklist_pages_and_filters(client: Client, world: Any, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    for place in ("rt003", "rt004", "rw007rt001"):
        make_case(world, place)
    user = world.users["fasilitator.kota"]
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    first = client.get("/kesehatan/")
    assert len(first.context["page"].object_list) == 2
    assert first.context["counts"]["due"] + first.context["counts"]["overdue"] == 3  # all rows
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/kesehatan/?page=2")
    assert len(second.context["page"].object_list) == 1
    shown = {i.subject.pk for i in first.context["page"]} | {
        i.subject.pk for i in second.context["page"]
    }
    assert len(shown) == 3
    done = client.get("/kesehatan/?status=done")
    assert list(done.context["page"]) == []
    risky = client.get("/kesehatan/?risk=1")
    assert all(i.at_risk for i in risky.context["page"])
