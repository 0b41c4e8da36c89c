from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
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


def validation_details(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Pydantic/ninja errors → {field: [messages]}."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        loc = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "payload", "query", "path")
        ]
        name = ".".join(loc) or "__all__"
        message = str(error.get("msg", "invalid"))
        fields.setdefault(name, []).append(message.removeprefix("Value error, "))
    return fields


def invalid(fields: dict[str, list[str]]) -> ApiError:
    return ApiError(422, "invalid", "Input is not valid.", fields)


NOT_FOUND = {404: ErrorOut}
