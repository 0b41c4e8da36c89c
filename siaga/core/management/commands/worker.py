"""``siaga worker``: the background worker (Huey consumer); ``--check`` reports its heartbeat."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey

from siaga.core.management.base import SiagaCommand
from siaga.core.tasks import last_worker_run

# The heartbeat runs every minute; allow for a busy minute before calling the worker stopped.
STALE_AFTER_SECONDS = 3 * 60


class Command(SiagaCommand, RunHuey):
    help = gettext_lazy(  # type: ignore[assignment]
        "Run the background worker: scheduled tasks (heartbeat every minute, expired-session "
        "cleanup daily) and queued work. Stop with Ctrl+C. Other options are Huey's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--check",
            action="store_true",
            help=_(
                "Do not run the worker; print when it last ran. Exit status 1 if it never ran "
                "or not in the last 3 minutes."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.pop("check"):
            self.check_heartbeat()
            return
        self.stdout.write(_("Kampung Siaga worker starting (Ctrl+C stops)."))
        # Huey gives its logger a handler of its own; without this, the root console handler
        # from settings.LOGGING would print every line twice.
        logging.getLogger("huey").propagate = False
        super().handle(*args, **options)

    def check_heartbeat(self) -> None:
        last = last_worker_run()
        if last is None:
            raise CommandError(_("The worker has not run (no heartbeat recorded)."))
        age = (timezone.now() - last).total_seconds()
        when = timezone.localtime(last).isoformat(timespec="seconds")
        if age > STALE_AFTER_SECONDS:
            raise CommandError(
                _("The worker last ran at %(when)s, %(minutes)d minutes ago: it seems stopped.")
                % {"when": when, "minutes": age // 60}
            )
        self.stdout.write(
            _("The worker is running: last heartbeat at %(when)s (%(seconds)d seconds ago).")
            % {"when": when, "seconds": age}
        )
