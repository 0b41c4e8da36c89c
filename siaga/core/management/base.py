"""Shared behaviour of the `siaga` console commands: plain error messages, exit status 1."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from siaga.core.errors import ValidationFailed


class SiagaCommand(BaseCommand):
    """A command whose CommandError reaches the console as ``Error: <message>`` (exit status 1).

    Django prints ``CommandError: <message>``; the people running these commands (kelurahan and
    Dinkes staff) should not have to read a Python class name. ``call_command`` still raises.
    """

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        # Help texts are translated lazily; argparse needs real strings.
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            self.stderr.write(_("Error: %(message)s") % {"message": exc})
            sys.exit(exc.returncode)


def validation_message(exc: ValidationFailed) -> str:
    """One readable line per field of a service's ValidationFailed."""
    lines = []
    for field, messages in exc.errors.items():
        text = " ".join(str(m) for m in messages)
        lines.append(text if field == "__all__" else f"{field}: {text}")
    return "\n".join(lines)
