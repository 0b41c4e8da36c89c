"""``siaga token create|list|revoke``: API bearer tokens (only their hash is stored)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siaga.accounts.models import ApiToken, User
from siaga.accounts.services import create_token, revoke_token
from siaga.core.management.base import SiagaCommand


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


class Command(SiagaCommand):
    help = gettext_lazy("Create, list and revoke API bearer tokens for /api/v1.")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        create = sub.add_parser(
            "create",
            help=_("Create a token for a user and print it (shown only once)."),
        )
        create.add_argument("username")
        create.add_argument("--name", default="", help=_("A label, e.g. the device or script."))

        listing = sub.add_parser("list", help=_("List a user's tokens (never their values)."))
        listing.add_argument("username")

        revoke = sub.add_parser("revoke", help=_("Revoke a token by its number (see list)."))
        revoke.add_argument("id", type=int, metavar="ID")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            user = self.user(options["username"])
            _token, raw = create_token(actor=None, user=user, name=options["name"])
            self.stdout.write(raw)
            self.stderr.write(
                _("This token is shown only now; store it safely. Use it as: %(header)s")
                % {"header": "Authorization: Bearer <token>"}
            )
        elif action == "list":
            user = self.user(options["username"])
            for token in ApiToken.objects.filter(user=user).order_by("id"):
                state = (
                    _("revoked %(at)s") % {"at": local(token.revoked_at)}
                    if token.revoked_at
                    else _("active")
                )
                used = local(token.last_used_at) if token.last_used_at else _("never used")
                self.stdout.write(
                    f"{token.id}\t{token.name or '-'}\t{local(token.created_at)}\t{used}\t{state}"
                )
        else:
            found = ApiToken.objects.select_related("user").filter(id=options["id"]).first()
            if found is None:
                raise CommandError(_("No token %(id)d.") % {"id": options["id"]})
            revoke_token(actor=None, token=found)
            self.stdout.write(
                _("Token %(id)d of %(username)s is revoked.")
                % {"id": found.id, "username": found.user.get_username()}
            )

    def user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user %(username)s.") % {"username": username})
        return user
