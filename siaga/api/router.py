"""The /api/v1 router: bearer-token auth, the JSON error format, and the domain routers."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from siaga.api.auth import BearerToken
from siaga.api.errors import ApiError, error_response, validation_details
from siaga.core.errors import ValidationFailed

api = NinjaAPI(
    title="Kampung Siaga API",
    version="1",
    description=(
        "Kampung Siaga Candi Hebat: territory, registry and co-production data. "
        "Authenticate with `Authorization: Bearer <token>` (create one with "
        '`siaga token create USERNAME`). Errors are `{"code", "detail"}`; objects outside '
        "the caller's territory answer 404."
    ),
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(api, request, exc.status, exc.code, exc.detail, exc.fields)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(
        api, request, 422, "invalid", _("Input is not valid."), validation_details(exc.errors)
    )


@api.exception_handler(ValidationFailed)
def _service_refused(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
    # A service refused the input (it wrote nothing): the same 422 shape as schema errors.
    return error_response(api, request, 422, "invalid", _("Input is not valid."), exc.errors)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(
        api, request, 401, "unauthenticated", _("A valid bearer token is required.")
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(api, request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises HttpError(400) for a body that is not JSON; keep the code stable.
    if exc.status_code == 400:
        return error_response(
            api, request, 400, "bad_request", _("The request body is not valid JSON.")
        )
    return error_response(api, request, exc.status_code, "error", str(exc))


def _register() -> None:
    from siaga.registry.api import router as registry_router
    from siaga.territory.api import router as territory_router

    routers: list[tuple[str, Any]] = [("/territories", territory_router), ("", registry_router)]
    # ---- co-commissioning and co-design ----
    from siaga.commissioning.api import router as commissioning_router
    from siaga.planning.api import router as planning_router

    routers += [("", commissioning_router), ("", planning_router)]
    from siaga.health.api import router as health_router

    routers.append(("", health_router))
    # ---- co-delivery: volunteers and logistics ----
    from siaga.logistics.api import router as logistics_router
    from siaga.volunteers.api import router as volunteers_router

    routers += [("", volunteers_router), ("", logistics_router)]
    # ---- co-assessment ----
    from siaga.assessment.api import router as assessment_router
    from siaga.assessment.report.api import router as report_router
    from siaga.indicators.api import router as indicators_router

    routers += [("", assessment_router), ("", report_router), ("", indicators_router)]
    for prefix, router in routers:
        api.add_router(prefix, router)


_register()
