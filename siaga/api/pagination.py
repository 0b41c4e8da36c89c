"""Offset pagination for list endpoints: query ``limit`` and ``offset``, answer
``{"count", "limit", "offset", "items"}``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field, Schema

T = TypeVar("T")
MAX_LIMIT = 500


class Page(Schema, Generic[T]):
    count: int
    limit: int
    offset: int
    items: list[T]


class PageQuery(Schema):
    """The query parameters of every list endpoint (use as ``filters: Query[...]``)."""

    limit: int = Field(
        settings.PAGE_SIZE, ge=1, le=MAX_LIMIT, description="How many items to return."
    )
    offset: int = Field(0, ge=0, le=10**9, description="How many items to skip.")


def paginate(queryset: QuerySet[Any], limit: int, offset: int) -> dict[str, Any]:
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {
        "count": queryset.count(),
        "limit": limit,
        "offset": offset,
        "items": list(queryset[offset : offset + limit]),
    }


def paginate_sequence(items: Sequence[Any], limit: int, offset: int) -> dict[str, Any]:
    """The same page shape over an already computed sequence."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {
        "count": len(items),
        "limit": limit,
        "offset": offset,
        "items": list(items[offset : offset + limit]),
    }
