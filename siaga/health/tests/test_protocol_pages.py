"""Protocol versions editable by an administrator, on the web and the API: a change is a new dated
version (results keep the version they used), invalid parameters write nothing, and everyone else
gets 404 with nothing changed."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from siaga.api.tests.helpers import USERS, assert_error
from siaga.core.models import AuditEntry
from siaga.health.models import Protocol, ProtocolKind

from .conftest import Api, make_case


def login(client: Client, world: Any, user: str) -> Client:
    account = world.users[user]
    account.language = "en"
    account.save(update_fields=["language"])
    client.force_login(account)
    return client


def state() -> dict[str, Any]:
    return {
        "protocols": list(Protocol.objects.order_by("id").values()),
        "audit": AuditEntry.objects.exclude(action="view").count(),
    }


def isolation_params() -> dict[str, Any]:
    return copy.deepcopy(Protocol.objects.get(kind="isolation", name="KMK 4641/2021").params)


def form_data(params: Any, **extra: Any) -> dict[str, Any]:
    import json

    return {
        "kind": "isolation",
        "name": "Isolasi 2022",
        "effective_from": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        "params": params if isinstance(params, str) else json.dumps(params),
        "source": "SE Menkes 2022",
    } | extra


# ---------------------------------------------------------------- web


def test_list_shows_versions_and_the_one_in_force(client: Client, world: Any) -> None:
    login(client, world, "relawan.rw006")
    response = client.get("/kesehatan/protokol/")
    assert response.status_code == 200
    page = response.content.decode()
    for protocol in Protocol.objects.all():
        assert protocol.name in page
    assert "in force today" in page
    assert "New version" not in page  # read-only for non-admins


def test_detail_shows_the_parameters(client: Client, world: Any) -> None:
    login(client, world, "pengurus.rt003")
    protocol = Protocol.objects.get(kind="isolation", name="KMK 4641/2021")
    response = client.get(f"/kesehatan/protokol/{protocol.pk}/")
    assert response.status_code == 200
    assert "Days free of fever and respiratory symptoms" in response.content.decode()


def test_admin_publishes_a_new_version_and_past_results_keep_theirs(
    client: Client, world: Any
) -> None:
    case = make_case(world)
    used = case.protocol
    login(client, world, "admin")
    params = isolation_params() | {"asymptomatic_days": 7}
    response = client.post("/kesehatan/protokol/baru/", form_data(params))
    assert response.status_code == 302
    new = Protocol.objects.get(kind="isolation", name="Isolasi 2022")
    assert response["Location"] == f"/kesehatan/protokol/{new.pk}/"
    assert new.params["asymptomatic_days"] == 7
    assert new.effective_from == timezone.localdate() + dt.timedelta(days=1)
    case.refresh_from_db()
    assert case.protocol_id == used.pk
    used.refresh_from_db()
    assert used.params["asymptomatic_days"] != 7
    assert AuditEntry.objects.filter(
        action="create", object_type="health.protocol", object_id=str(new.pk)
    ).exists()


def test_invalid_parameters_show_the_field_and_write_nothing(client: Client, world: Any) -> None:
    login(client, world, "admin")
    before = state()
    params = isolation_params() | {"asymptomatic_days": 0}
    response = client.post("/kesehatan/protokol/baru/", form_data(params))
    assert response.status_code == 422
    errors = response.context["form"].errors["params"]
    assert any(e.startswith("asymptomatic_days:") for e in errors), errors
    assert "greater than or equal to 1" in response.content.decode()
    response = client.post("/kesehatan/protokol/baru/", form_data("{not json"))
    assert response.status_code == 422
    assert "Not valid JSON" in response.content.decode()
    assert state() == before


def test_used_protocol_is_not_edited_in_place(client: Client, world: Any) -> None:
    used = make_case(world).protocol
    login(client, world, "admin")
    before = state()
    params = copy.deepcopy(used.params) | {"asymptomatic_days": 7}
    response = client.post(
        f"/kesehatan/protokol/{used.pk}/ubah/", form_data(params, source=used.source)
    )
    assert response.status_code == 422
    assert "publish a new version" in response.content.decode()
    assert state() == before


def test_unused_protocol_is_edited_in_place(client: Client, world: Any) -> None:
    login(client, world, "admin")
    client.post("/kesehatan/protokol/baru/", form_data(isolation_params()))
    new = Protocol.objects.get(name="Isolasi 2022")
    params = isolation_params() | {"quarantine_days": 5}
    response = client.post(f"/kesehatan/protokol/{new.pk}/ubah/", form_data(params))
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.params["quarantine_days"] == 5


@pytest.mark.parametrize("user", [u for u in USERS if u != "admin"])
def test_non_admin_cannot_publish_or_edit(client: Client, world: Any, user: str) -> None:
    login(client, world, user)
    protocol = Protocol.objects.get(kind="isolation", name="KMK 4641/2021")
    before = state()
    params = isolation_params() | {"asymptomatic_days": 7}
    assert client.get("/kesehatan/protokol/baru/").status_code == 404
    assert client.post("/kesehatan/protokol/baru/", form_data(params)).status_code == 404
    response = client.post(f"/kesehatan/protokol/{protocol.pk}/ubah/", form_data(params))
    assert response.status_code == 404
    assert state() == before


def test_anonymous_is_sent_to_login(client: Client, world: Any) -> None:
    response = client.get("/kesehatan/protokol/")
    assert response.status_code == 302
    assert "login" in response["Location"] or "masuk" in response["Location"]


# ---------------------------------------------------------------- API


def api_body(**extra: Any) -> dict[str, Any]:
    return {
        "kind": ProtocolKind.ISOLATION,
        "name": "Isolasi API",
        "effective_from": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        "params": isolation_params() | {"symptomatic_days": 12},
        "source": "API",
    } | extra


def test_api_admin_creates_a_version(api: Api) -> None:
    response = api.post("/api/v1/protocols", "admin", api_body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["name"] == "Isolasi API" and data["params"]["symptomatic_days"] == 12
    assert Protocol.objects.filter(pk=data["id"], kind="isolation").exists()


def test_api_invalid_parameters_answer_422(api: Api) -> None:
    before = state()
    bad = api_body(params=isolation_params() | {"symptomatic_days": 0, "unknown_field": 1})
    body = assert_error(api.post("/api/v1/protocols", "admin", bad), 422, "invalid")
    messages = " ".join(body["fields"]["params"])
    assert "symptomatic_days" in messages and "unknown_field" in messages
    duplicate = api_body(name="KMK 4641/2021")
    body = assert_error(api.post("/api/v1/protocols", "admin", duplicate), 422, "invalid")
    assert "name" in body["fields"]
    assert state() == before


@pytest.mark.parametrize("user", [u for u in USERS if u != "admin"])
def test_api_non_admin_gets_404(api: Api, user: str) -> None:
    before = state()
    assert_error(api.post("/api/v1/protocols", user, api_body()), 404, "not_found")
    assert state() == before


@pytest.mark.parametrize("kind", ["isolation", "zoning", "triage"])
def test_protocol_page_names_parameters_instead_of_json_keys(
    client: Client, world: Any, kind: str
) -> None:
    """Issue 12: the parameters were shown as raw JSON (asymptomatic_days, sesak_napas, …)."""
    from siaga.health.protocols import PARAM_LABELS

    protocol = Protocol.objects.filter(kind=kind).first()
    assert protocol is not None
    login(client, world, "fasilitator.utara")
    html = client.get(f"/kesehatan/protokol/{protocol.pk}/").content.decode()
    keys = [k for k in protocol.params if k in PARAM_LABELS]
    assert keys
    for key in keys:
        assert str(PARAM_LABELS[key]) in html
        assert f"{key}" not in html, key
