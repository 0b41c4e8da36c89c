"""`siaga user create|grant|list`."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from siaga.accounts.models import Membership, User
from siaga.core.context import CLI, interface
from siaga.core.models import AuditEntry

STRONG = "kampung-siaga-2025!"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are checked in their English source form, whatever the default language.
    with translation.override("en"):
        yield


class Stdin(io.StringIO):
    def __init__(self, text: str, tty: bool) -> None:
        super().__init__(text)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def run(monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "", tty: bool = False) -> str:
    monkeypatch.setattr(sys, "stdin", Stdin(stdin, tty))
    out = io.StringIO()
    with interface(CLI):
        call_command("user", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def snapshot() -> tuple[int, int, int]:
    return User.objects.count(), Membership.objects.count(), AuditEntry.objects.count()


def test_create_reads_the_password_from_piped_stdin(world: Any, monkeypatch) -> None:
    output = run(
        monkeypatch,
        "create",
        "kader.rt004",
        "--role",
        "relawan",
        "--territory",
        world.t["rt004"].code,
        "--email",
        "kader@example.org",
        stdin=STRONG + "\n",
    )
    assert "kader.rt004" in output
    assert STRONG not in output
    user = User.objects.get(username="kader.rt004")
    assert user.check_password(STRONG)
    assert user.email == "kader@example.org"
    membership = user.memberships.get()
    assert (membership.role, membership.territory) == ("relawan", world.t["rt004"])
    grant = AuditEntry.objects.get(
        action="grant", object_type="accounts.membership", object_id=str(membership.pk)
    )
    assert grant.interface == "cli"


def test_generate_password_prints_one_that_works(world: Any, monkeypatch) -> None:
    output = run(
        monkeypatch,
        "create",
        "lurah.bandarharjo",
        "--role",
        "fasilitator",
        "--territory",
        "33.74.02.1001",
        "--generate-password",
    )
    password = output.strip().splitlines()[-1].rsplit(": ", 1)[1]
    assert len(password) >= 16
    assert User.objects.get(username="lurah.bandarharjo").check_password(password)


def test_terminal_asks_twice_and_refuses_a_mismatch(world: Any, monkeypatch) -> None:
    answers = iter([STRONG, STRONG + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    before = snapshot()
    with pytest.raises(CommandError, match="differ"):
        run(monkeypatch, "create", "x", "--role", "relawan", "--territory", "33.74", tty=True)
    assert snapshot() == before
    answers = iter([STRONG, STRONG])
    run(monkeypatch, "create", "x", "--role", "relawan", "--territory", "33.74", tty=True)
    assert User.objects.get(username="x").check_password(STRONG)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--role", "lurah", "--territory", "33.74"], "role"),
        (["--role", "relawan", "--territory", "33.74.99"], "33.74.99"),
        (["--role", "relawan"], "territory"),
        (["--role", "warga", "--territory", "33.74"], "resident"),
        (["--role", "warga", "--territory", "33.74", "--resident", "3374021708850099"], "resident"),
    ],
)
def test_invalid_input_names_the_problem_and_writes_nothing(
    world: Any, monkeypatch, args: list[str], problem: str
) -> None:
    before = snapshot()
    with pytest.raises(CommandError, match=problem):
        run(monkeypatch, "create", "baru", *args, stdin=STRONG)
    assert snapshot() == before


def test_weak_password_and_taken_username_are_refused(world: Any, monkeypatch) -> None:
    before = snapshot()
    with pytest.raises(CommandError, match="password"):
        run(monkeypatch, "create", "baru", "--role", "relawan", "--territory", "33.74", stdin="123")
    with pytest.raises(CommandError, match="username"):
        run(monkeypatch, "create", "admin", "--role", "admin", stdin=STRONG)
    with pytest.raises(CommandError, match="No password"):
        run(monkeypatch, "create", "baru", "--role", "admin", stdin="")
    assert snapshot() == before


def test_warga_is_linked_to_their_resident(world: Any, monkeypatch) -> None:
    resident = world.residents["rt004"]
    run(
        monkeypatch,
        "create",
        "budi",
        "--role",
        "warga",
        "--territory",
        world.t["rt004"].code,
        "--resident",
        resident.nik,
        stdin=STRONG,
    )
    assert User.objects.get(username="budi").memberships.get().resident == resident


def test_grant_adds_a_membership(world: Any, monkeypatch) -> None:
    output = run(
        monkeypatch, "grant", "relawan.rw006", "--role", "pengurus", "--territory", "33.74.03"
    )
    assert "pengurus@33.74.03" in output
    roles = set(world.users["relawan.rw006"].memberships.values_list("role", "territory__code"))
    assert ("pengurus", "33.74.03") in roles
    before = snapshot()
    with pytest.raises(CommandError, match="No user"):
        run(monkeypatch, "grant", "nobody", "--role", "relawan", "--territory", "33.74")
    with pytest.raises(CommandError, match="role"):
        run(monkeypatch, "grant", "relawan.rw006", "--role", "raja", "--territory", "33.74")
    assert snapshot() == before


def test_list_filters_by_territory_subtree(world: Any, monkeypatch) -> None:
    everyone = run(monkeypatch, "list")
    assert "puskesmas.bandarharjo" in everyone and "admin" in everyone
    panggung_lor = run(monkeypatch, "list", "--territory", "33.74.02.1006")
    assert "lurah.panggunglor\tfasilitator@33.74.02.1006" in panggung_lor
    assert "pengurus.rt003" in panggung_lor
    assert "puskesmas.bandarharjo" not in panggung_lor
    assert "fasilitator.kota" not in panggung_lor  # a role above, not inside


def test_wrong_role_or_territory_is_named_before_asking_for_a_password(
    world: Any, monkeypatch
) -> None:
    def no_prompt(prompt: str = "") -> str:
        raise AssertionError("the password was asked for")

    monkeypatch.setattr("getpass.getpass", no_prompt)
    with pytest.raises(CommandError, match="role"):
        run(monkeypatch, "create", "baru", "--role", "lurah", "--territory", "33.74", tty=True)
    with pytest.raises(CommandError, match=r"33\.74\.99"):
        run(monkeypatch, "create", "baru", "--role", "relawan", "--territory", "33.74.99", tty=True)
