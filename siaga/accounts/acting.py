"""The user acting in a request, typed, for services that take ``actor: User`` (ADR 9)."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from siaga.accounts.models import User


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``login_required`` or an API call behind its auth.

    Anything else answers 404, as the access policy does (it cannot happen behind either).
    """
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        return user
    raise Http404("not found")
