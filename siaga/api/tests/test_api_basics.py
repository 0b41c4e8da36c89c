"""/api/v1 as a whole: authentication, the error format, the OpenAPI document and docs page."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone, translation

from siaga.accounts.models import ApiToken
from siaga.api.tests.helpers import Api, assert_error

EXPECTED_OPERATIONS = {
    "/api/v1/territories": {"post"},
    "/api/v1/territories/{code}": {"get"},
    "/api/v1/territories/{code}/children": {"get"},
    "/api/v1/households": {"get", "post"},
    "/api/v1/households/{household_id}": {"get", "patch", "delete"},
    "/api/v1/residents": {"get", "post"},
    "/api/v1/residents/{resident_id}": {"get", "patch", "delete"},
    # ---- co-delivery: volunteers and logistics ----
    "/api/v1/teams": {"get", "post"},
    "/api/v1/volunteers": {"get", "post"},
    "/api/v1/volunteers/offer": {"post"},
    "/api/v1/volunteers/{volunteer_id}": {"get"},
    "/api/v1/volunteers/{volunteer_id}/approve": {"post"},
    "/api/v1/shifts": {"get"},
    "/api/v1/shifts/{shift_id}/signup": {"post"},
    "/api/v1/shifts/{shift_id}/checkin": {"post"},
    "/api/v1/shifts/{shift_id}/checkout": {"post"},
    "/api/v1/shifts/{shift_id}/screenings": {"post"},
    "/api/v1/tasks": {"get", "post"},
    "/api/v1/tasks/{task_id}": {"get"},
    "/api/v1/tasks/{task_id}/take": {"post"},
    "/api/v1/tasks/{task_id}/complete": {"post"},
    "/api/v1/tasks/{task_id}/cancel": {"post"},
    "/api/v1/tasks/{task_id}/assign": {"post"},
    "/api/v1/stock-items": {"get", "post"},
    "/api/v1/stock-movements": {"get", "post"},
    "/api/v1/aid-requests": {"get", "post"},
    "/api/v1/aid-requests/{request_id}": {"get"},
    "/api/v1/deliveries": {"get", "post"},
    "/api/v1/donations": {"get", "post"},
    "/api/v1/loans": {"get", "post"},
    "/api/v1/loans/{loan_id}/close": {"post"},
    # ---- co-delivery: health (the contract) ----
    "/api/v1/cases": {"get", "post"},
    "/api/v1/cases/{case_id}": {"get", "patch"},
    "/api/v1/cases/{case_id}/monitoring": {"get", "post"},
    "/api/v1/referrals": {"get", "post"},
    "/api/v1/referrals/{referral_id}": {"get", "patch"},
    "/api/v1/contacts": {"get", "post"},
    "/api/v1/contacts/{contact_id}": {"get", "patch"},
    "/api/v1/newcomers": {"get", "post"},
    "/api/v1/newcomers/{newcomer_id}": {"get", "patch"},
    "/api/v1/vaccinations": {"get", "post"},
    "/api/v1/zones": {"get"},
    # ---- co-commissioning and co-design ----
    "/api/v1/needs": {"get", "post"},
    "/api/v1/needs/{need_id}/supports": {"post", "delete"},
    "/api/v1/proposals": {"get", "post"},
    "/api/v1/rounds": {"get", "post"},
    "/api/v1/rounds/{round_id}/votes": {"post"},
    "/api/v1/rounds/{round_id}/results": {"get"},
    "/api/v1/decisions": {"get"},
    "/api/v1/plans": {"get", "post"},
    "/api/v1/plans/{plan_id}/activities": {"get", "post"},
    "/api/v1/meetings": {"get", "post"},
    "/api/v1/meetings/{meeting_id}/attendance": {"get", "post"},
}
# Open to everyone without a token by design (no personal data).
PUBLIC_PATHS = {"/api/v1/accountability/{rw_code}"}
# The foundation's endpoints document their 401 and 404 answers.
FOUNDATION_PREFIXES = ("/api/v1/territories", "/api/v1/households", "/api/v1/residents")


@pytest.fixture
def api(client: Any, world: Any) -> Api:
    return Api(client, world)


@pytest.fixture(autouse=True)
def _restore_language() -> Any:
    # The API activates the caller's language; do not let it leak into other tests.
    with translation.override("en"):
        yield


def test_openapi_document_lists_every_path_with_bearer_auth(client: Any, db: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    operations = {
        path: {method for method in item if method in ("get", "post", "patch", "delete")}
        for path, item in document["paths"].items()
    }
    for path, methods in EXPECTED_OPERATIONS.items():
        assert methods <= operations.get(path, set()), path
    schemes = document["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]
    for path, item in document["paths"].items():
        for operation in item.values():
            if path in PUBLIC_PATHS:
                assert not operation.get("security"), operation["operationId"]
                continue
            assert operation["security"], operation["operationId"]
            if path.startswith(FOUNDATION_PREFIXES):
                assert {"401", "404"} <= set(operation["responses"]), operation["operationId"]
    schemas = document["components"]["schemas"]
    assert set(schemas["ResidentOut"]["properties"]) == {
        "id",
        "nik",
        "name",
        "sex",
        "birth_date",
        "phone",
        "household",
        "relation",
        "rt",
        "status",
        "flags",
        "comorbidities",
        "hamil",
        "disabilitas",
        "warnings",
    }
    assert set(schemas["HouseholdOut"]["properties"]) == {"id", "kk", "rt", "address", "head"}
    assert set(schemas["TerritoryOut"]["properties"]) == {
        "code",
        "name",
        "level",
        "parent",
        "counts",
    }
    assert set(schemas["ErrorOut"]["properties"]) == {"code", "detail", "fields"}


def test_docs_page_uses_local_assets(client: Any, db: Any) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    assert "cdn." not in html and "unpkg" not in html
    for asset in ("ninja/swagger-ui.css", "ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js"):
        assert f"/static/{asset}" in html
        served = client.get(f"/static/{asset}")
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content if served.streaming else [served.content])


def test_error_format_without_and_with_bad_token(api: Api) -> None:
    for token in (None, "", "ks_not-a-token"):
        response = api.call("GET", "/api/v1/residents", token=token, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 401
        assert response.json() == {
            "code": "unauthenticated",
            "detail": "A valid bearer token is required.",
        }
    basic = api.get("/api/v1/residents", HTTP_AUTHORIZATION="Basic YWRtaW46YWRtaW4=")
    assert_error(basic, 401, "unauthenticated")


def test_token_of_inactive_user_answers_401(api: Api, world: Any) -> None:
    user = world.users["pengurus.rt003"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_error(api.get("/api/v1/residents", "pengurus.rt003"), 401, "unauthenticated")


def test_revoked_token_answers_401(api: Api, world: Any) -> None:
    ApiToken.objects.filter(user=world.users["admin"]).update(revoked_at=timezone.now())
    assert_error(api.get("/api/v1/households", "admin"), 401, "unauthenticated")


def test_token_use_is_recorded(api: Api, world: Any) -> None:
    token = ApiToken.objects.get(user=world.users["relawan.rw006"])
    assert token.last_used_at is None
    assert api.get("/api/v1/residents", "relawan.rw006").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_not_found_and_invalid_shapes(api: Api) -> None:
    missing = api.get("/api/v1/territories/99", "admin", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "detail": "Not found."}
    invalid = api.post("/api/v1/residents", "admin", {"name": 5, "sex": "L", "hamil": "maybe"})
    body = assert_error(invalid, 422, "invalid")
    assert set(body) == {"code", "detail", "fields"}
    assert set(body["fields"]) == {"name", "hamil"}
    assert all(
        isinstance(messages, list) and all(isinstance(m, str) for m in messages)
        for messages in body["fields"].values()
    )
    assert_error(api.post("/api/v1/residents", "admin", "[1, 2"), 400, "bad_request")


def test_messages_follow_the_callers_language(api: Api, world: Any) -> None:
    def message(user: str, **headers: str) -> str:
        response = api.post("/api/v1/households", user, {"rt": "33"}, **headers)
        return str(assert_error(response, 422, "invalid")["fields"]["kk"][0])

    # Django's own catalogue has Indonesian for "This field is required.".
    assert message("admin") == "Bidang ini tidak boleh kosong."  # the default language
    admin = world.users["admin"]
    admin.language = "en"
    admin.save(update_fields=["language"])
    assert message("admin") == "This field is required."
    assert message("admin", HTTP_ACCEPT_LANGUAGE="id") == "Bidang ini tidak boleh kosong."
