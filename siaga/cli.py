"""The `siaga` console command: Django's management entry point with settings preset."""

from __future__ import annotations

import os
import sys

from siaga.core.context import CLI, set_interface
from siaga.env import ConfigError


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siaga.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "siaga"
    try:
        import django

        django.setup()
    except ConfigError as exc:
        sys.stderr.write(f"siaga: configuration error: {exc}\n")
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line

    set_interface(CLI)
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
