"""Helpers for API tests: calls with a demo user's token, the expected access table, snapshots.

The access table is written out by hand from the demo world (conftest.py), on purpose not derived
from ``core.policy``: the tests check the policy's answers against what the program intends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

from siaga.core.models import AuditEntry
from siaga.registry.models import Household, Resident
from siaga.territory.models import Territory

USERS = (
    "admin",
    "fasilitator.kota",
    "fasilitator.utara",
    "lurah.panggunglor",
    "puskesmas.bandarharjo",
    "pengurus.rw006",
    "pengurus.rt003",
    "relawan.rw006",
    "warga.rt003",
)

# The territory each demo user's membership covers ("" = everywhere, None = no territory).
AREA: dict[str, str | None] = {
    "admin": "",
    "fasilitator.kota": "33.74",
    "fasilitator.utara": "33.74.02",
    "lurah.panggunglor": "33.74.02.1006",
    "puskesmas.bandarharjo": "33.74.02.1001",
    "pengurus.rw006": "33.74.02.1006.006",
    "pengurus.rt003": "33.74.02.1006.006.003",
    "relawan.rw006": "33.74.02.1006.006",
    "warga.rt003": None,
}
# Roles that may change the registry and add RW/RT (relawan and warga only read).
WRITERS = frozenset(USERS) - {"relawan.rw006", "warga.rt003"}
# The warga's own household (the place name of the world fixture).
WARGA_HOUSEHOLD = "rt003"

PLACES = ("rt003", "rt004", "rw007rt001", "bandar_rt001", "timur_rt001")
PLACE_CODES = {
    "rt003": "33.74.02.1006.006.003",
    "rt004": "33.74.02.1006.006.004",
    "rw007rt001": "33.74.02.1006.007.001",
    "bandar_rt001": "33.74.02.1001.001.001",
    "timur_rt001": "33.74.03.1001.001.001",
}


def covers(user: str, code: str) -> bool:
    """Does ``user``'s territory membership cover ``code``?"""
    area = AREA[user]
    if area is None:
        return False
    return area == "" or code == area or code.startswith(area + ".")


def can_view_place(user: str, place: str) -> bool:
    """May ``user`` read the registry of the household living at ``place``?"""
    return covers(user, PLACE_CODES[place]) or (user == "warga.rt003" and place == WARGA_HOUSEHOLD)


def can_change_place(user: str, place: str) -> bool:
    return user in WRITERS and covers(user, PLACE_CODES[place])


@dataclass
class Api:
    client: Client
    world: Any

    def call(
        self,
        method: str,
        url: str,
        user: str | None = None,
        body: Any = None,
        token: str | None = None,
        **headers: str,
    ) -> Any:
        if token is None and user is not None:
            token = self.world.tokens[user]
        if token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        kwargs: dict[str, Any] = dict(headers)
        if body is not None:
            kwargs["data"] = body if isinstance(body, str) else json.dumps(body, default=str)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method.lower())(url, **kwargs)

    def get(self, url: str, user: str | None = None, **kw: Any) -> Any:
        return self.call("GET", url, user, **kw)

    def post(self, url: str, user: str | None, body: Any, **kw: Any) -> Any:
        return self.call("POST", url, user, body, **kw)

    def patch(self, url: str, user: str | None, body: Any, **kw: Any) -> Any:
        return self.call("PATCH", url, user, body, **kw)

    def delete(self, url: str, user: str | None = None, **kw: Any) -> Any:
        return self.call("DELETE", url, user, **kw)


def snapshot() -> dict[str, Any]:
    """Every row that an API write could touch, with its field values."""
    return {
        "territories": list(Territory.objects.order_by("id").values_list("id", "code", "name")),
        "households": list(Household.objects.order_by("id").values()),
        "residents": list(Resident.objects.order_by("id").values()),
        "audit": AuditEntry.objects.count(),
    }


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body
