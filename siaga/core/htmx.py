"""List pages that answer htmx with just their list (django-htmx's ``request.htmx``).

A filter form or a pager link carries ``hx-get`` and ``hx-target="#results"``; the view renders
the whole page, or only the partial that holds ``<div id="results">`` when htmx asks for it. A
boosted navigation or a history restore still gets the whole page, and ``Vary: HX-Request`` keeps
caches from serving one for the other.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request for just the results (filtering, paging), not a boosted page load."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not (htmx.boosted or htmx.history_restore_request)  # type: ignore[union-attr]


def render_list(
    request: HttpRequest, page: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """The full ``page`` template, or only its ``partial`` for htmx."""
    response = render(request, partial if wants_partial(request) else page, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
