"""Which interface a piece of work came through (web, api, cli, system), for the audit trail."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

WEB, API, CLI, SYSTEM = "web", "api", "cli", "system"
INTERFACES = (WEB, API, CLI, SYSTEM)

_interface: ContextVar[str] = ContextVar("siaga_interface", default=SYSTEM)


def current_interface() -> str:
    return _interface.get()


@contextlib.contextmanager
def interface(name: str) -> Iterator[None]:
    token = _interface.set(name)
    try:
        yield
    finally:
        _interface.reset(token)


def set_interface(name: str) -> None:
    """Set the interface for the rest of this context (the CLI entry point uses this)."""
    _interface.set(name)


class InterfaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with interface(API if request.path.startswith("/api/") else WEB):
            return self.get_response(request)
