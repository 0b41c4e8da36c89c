"""``siaga serve``: the web application under gunicorn (not Django's development server)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db import connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from siaga.core.gunicorn_app import SiagaServer, bind_address, default_workers
from siaga.core.management.base import SiagaCommand


class Command(SiagaCommand):
    help = gettext_lazy(  # type: ignore[assignment]
        "Serve Kampung Siaga with gunicorn; static files are served by WhiteNoise. In production "
        "(SIAGA_ENV=production) static files are collected first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help=_("Address to listen on (default: 127.0.0.1).")
        )
        parser.add_argument(
            "--port", type=int, default=8000, help=_("Port to listen on (default: 8000).")
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=_("Worker processes (default: 2 × CPU cores + 1, at most 8)."),
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=120,
            help=_("Seconds a request may take before its worker is restarted (default: 120)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workers = max(1, options["workers"] or default_workers())
        if settings.PRODUCTION:
            self.stdout.write(_("Collecting static files…"))
            call_command("collectstatic", interactive=False, verbosity=0)
        self.check_migrations()
        # The master process forks the workers: no database connection may cross the fork.
        connections.close_all()
        self.stdout.write(
            ngettext(
                "Kampung Siaga: http://%(address)s/ (gunicorn, %(workers)d worker). Ctrl+C stops.",
                "Kampung Siaga: http://%(address)s/ (gunicorn, %(workers)d workers). Ctrl+C stops.",
                workers,
            )
            % {"address": bind_address(options["host"], options["port"]), "workers": workers}
        )
        self.stdout.flush()
        SiagaServer(
            {
                "bind": bind_address(options["host"], options["port"]),
                "workers": workers,
                "timeout": options["timeout"],
                "preload_app": True,
                "accesslog": "-",
                "errorlog": "-",
                "proc_name": "siaga",
                # One shared socket in $HOME would clash between instances; we do not use it.
                "control_socket_disable": True,
            }
        ).run()
