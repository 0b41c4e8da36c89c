"""One way for a list page to page: ``settings.PAGE_SIZE`` rows, ``?page=``, and the
``includes/pagination.html`` links (which keep the other query parameters, i.e. the filters)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def page_of(request: HttpRequest, rows: Any, per_page: int | None = None) -> Page[Any]:
    """The requested page of ``rows`` (a queryset or a list); a bad number gives the last/first."""
    return Paginator(rows, per_page or settings.PAGE_SIZE).get_page(request.GET.get("page"))
