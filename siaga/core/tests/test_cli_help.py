"""Every `siaga` command of the project prints its help (lazy translations included)."""

from __future__ import annotations

import io

import pytest
from django.core.management import get_commands, load_command_class

SIAGA_COMMANDS = sorted(name for name, app in get_commands().items() if app.startswith("siaga."))


def test_project_commands_are_found() -> None:
    assert {"territory", "nik", "user", "token", "serve", "worker", "demo", "synth"} <= set(
        SIAGA_COMMANDS
    )


@pytest.mark.parametrize("name", SIAGA_COMMANDS)
def test_help_prints(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    command = load_command_class(get_commands()[name], name)
    command.stdout = io.StringIO()  # type: ignore[assignment]
    with pytest.raises(SystemExit) as exc:
        command.run_from_argv(["siaga", name, "--help"])
    assert exc.value.code == 0
    assert "usage: siaga " + name in capsys.readouterr().out
