"""The JSON error format of /api/v1: ``{"code", "detail"}`` plus ``"fields"`` on 422."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema


class ErrorOut(Schema):
    code: str
    detail: str
    fields: dict[str, list[str]] | None = None


class ApiError(Exception):
    """Raise from an endpoint to answer {"code", "detail"} with ``status``."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.fields = status, code, detail, fields


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    detail: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "detail": detail}
    if fields:
        body["fields"] = fields
    return api.create_response(request, body, status=status)


def _message(error: dict[str, Any]) -> str:
    """A translated message for the common pydantic error types, else pydantic's own."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind in ("string_type",):
        return _("Enter a text value.")
    if kind in ("list_type",):
        return _("Enter a list.")
    if kind in ("json_invalid", "model_attributes_type", "dict_type", "model_type"):
        return _("The request body must be a JSON object.")
    if kind == "greater_than_equal":
        return _("Enter a value of at least %(limit)s.") % {"limit": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("Enter a value of at most %(limit)s.") % {"limit": ctx.get("le")}
    if kind == "string_too_long":
        return _("At most %(limit)s characters.") % {"limit": ctx.get("max_length")}
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


def validation_details(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Pydantic/ninja errors → {field: [messages]}."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        loc = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "payload", "query", "filters", "path", "form", "file")
        ]
        name = ".".join(loc) or "__all__"
        fields.setdefault(name, []).append(_message(error))
    return fields


def invalid(fields: dict[str, list[str]]) -> ApiError:
    return ApiError(422, "invalid", _("Input is not valid."), fields)


NOT_FOUND = {404: ErrorOut}
# The error answers every authenticated endpoint may give, for the OpenAPI document.
ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
