"""The /api/v1 NinjaAPI: bearer-token auth and the JSON error format (``siaga.api.v1`` adds the
apps' routers to it)."""

from __future__ import annotations

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
