"""The user acting in a request, typed, for services that take ``actor: User`` (ADR 10).

Core names the user model only for type checking (Django's AUTH_USER_MODEL is the seam); at run
time the model comes from ``get_user_model()``, so the base still imports no domain app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest

if TYPE_CHECKING:
    from siaga.accounts.models import User


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``login_required`` or an API call behind its auth.

    Anything else answers 404, as the access policy does (it cannot happen behind either).
    """
    user = request.user
    if isinstance(user, get_user_model()) and user.is_authenticated:
        return user
    raise Http404("not found")
