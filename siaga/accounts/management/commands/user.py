"""``siaga user create|grant|list``: accounts from the console, through accounts.services."""

from __future__ import annotations

import getpass
import secrets
import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from siaga.accounts.models import Membership, User
from siaga.accounts.services import check_assignment, create_user, grant_role
from siaga.core.errors import ValidationFailed
from siaga.core.management.base import SiagaCommand, validation_message
from siaga.core.policy import in_subtree
from siaga.core.roles import Role
from siaga.territory.models import Territory


def generate_password() -> str:
    """A random password that passes the configured validators (about 120 bits)."""
    return secrets.token_urlsafe(15)


class Command(SiagaCommand):
    help = gettext_lazy("Create user accounts, grant roles on territories, list users.")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        roles = ", ".join(Role.values)

        create = sub.add_parser(
            "create",
            help=_("Create a user holding one role on one territory."),
            description=_(
                "Create a user. The password is read from standard input when it is not a "
                "terminal (one line), otherwise asked twice; or use --generate-password."
            ),
        )
        create.add_argument("username")
        create.add_argument("--role", required=True, help=_("One of: %(roles)s") % {"roles": roles})
        create.add_argument(
            "--territory",
            metavar="CODE",
            help=_("Territory code, e.g. 33.74.02.1006 (optional for admin only)."),
        )
        create.add_argument(
            "--resident", metavar="NIK", help=_("For warga: the NIK of the resident they are.")
        )
        create.add_argument("--email", default="", help=_("E-mail address (optional)."))
        create.add_argument(
            "--generate-password",
            action="store_true",
            help=_("Generate a random password and print it once."),
        )

        grant = sub.add_parser("grant", help=_("Give an existing user a role on a territory."))
        grant.add_argument("username")
        grant.add_argument("--role", required=True, help=_("One of: %(roles)s") % {"roles": roles})
        grant.add_argument("--territory", metavar="CODE", help=_("Territory code."))
        grant.add_argument(
            "--resident", metavar="NIK", help=_("For warga: the NIK of the resident they are.")
        )

        listing = sub.add_parser("list", help=_("List users and their roles."))
        listing.add_argument(
            "--territory",
            metavar="CODE",
            help=_("Only users with a role on this territory or inside it."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self.create(options)
        elif action == "grant":
            self.grant(options)
        else:
            self.list(options["territory"])

    # ---- create ------------------------------------------------------------------------------

    def create(self, options: dict[str, Any]) -> None:
        try:
            # Name a wrong role or territory before asking for a password; create_user checks
            # everything again (and the username) in its transaction.
            check_assignment(options["role"], options["territory"])
            password = generate_password() if options["generate_password"] else self.read_password()
            user = create_user(
                actor=None,
                username=options["username"],
                password=password,
                role=options["role"],
                territory_code=options["territory"],
                resident_nik=options["resident"],
                email=options["email"],
            )
        except ValidationFailed as exc:
            raise CommandError(validation_message(exc)) from exc
        where = options["territory"] or "*"
        self.stdout.write(
            _("Created user %(username)s (%(role)s on %(where)s).")
            % {"username": user.get_username(), "role": options["role"], "where": where}
        )
        if options["generate_password"]:
            self.stdout.write(_("Password (shown only now): %(password)s") % {"password": password})

    def read_password(self) -> str:
        stdin = sys.stdin
        if stdin is None or not stdin.isatty():
            password = (stdin.readline() if stdin is not None else "").rstrip("\r\n")
        else:
            password = getpass.getpass(_("Password: "))
            if password != getpass.getpass(_("Password (again): ")):
                raise CommandError(_("The two passwords differ; nothing was created."))
        if not password:
            raise CommandError(
                _("No password given (pipe one on standard input, or use --generate-password).")
            )
        return password

    # ---- grant -------------------------------------------------------------------------------

    def grant(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("No user %(username)s.") % {"username": options["username"]})
        try:
            membership = grant_role(
                actor=None,
                user=user,
                role=options["role"],
                territory_code=options["territory"],
                resident_nik=options["resident"],
            )
        except ValidationFailed as exc:
            raise CommandError(validation_message(exc)) from exc
        self.stdout.write(_("Granted: %(membership)s") % {"membership": membership})

    # ---- list --------------------------------------------------------------------------------

    def list(self, territory_code: str | None) -> None:
        memberships = Membership.objects.select_related("territory").order_by("role", "territory")
        users = User.objects.order_by("username")
        if territory_code:
            territory = Territory.objects.filter(code=territory_code).first()
            if territory is None:
                raise CommandError(_("Unknown territory code %(code)s.") % {"code": territory_code})
            memberships = memberships.filter(in_subtree("territory_id", territory.bounds))
            users = users.filter(memberships__in=memberships).distinct()
        users = users.prefetch_related(Prefetch("memberships", queryset=memberships))
        count = 0
        for user in users:
            count += 1
            roles = ", ".join(
                f"{m.role}@{m.territory.code if m.territory else '*'}"
                for m in user.memberships.all()
            )
            flags = "" if user.is_active else " " + _("(inactive)")
            self.stdout.write(f"{user.get_username()}{flags}\t{roles or '-'}")
        self.stdout.write(ngettext("%(count)d user.", "%(count)d users.", count) % {"count": count})
