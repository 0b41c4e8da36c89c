"""Gunicorn run from Python (``siaga serve``): the WSGI app with options given in code."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication

MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """Gunicorn's rule of thumb, 2 × cores + 1, capped: more workers only cost memory here."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class SiagaServer(BaseApplication):
    """``siaga.wsgi.application`` under gunicorn; ``options`` are gunicorn settings by name."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        assert self.cfg is not None
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Imported here: loading the WSGI application sets Django up, once gunicorn has its config.
        from siaga.wsgi import application

        return application
