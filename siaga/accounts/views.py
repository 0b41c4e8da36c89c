"""Sign in and out (with the failed-login throttle) and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from siaga.accounts import services
from siaga.accounts.forms import LoginForm
from siaga.accounts.models import User


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the entry our trusted proxies added to XFF."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated:
        return redirect(_safe_next(request, next_url))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = client_address(request)
        if services.login_blocked(username, address):
            # Blocked: the password is not even checked.
            form.add_error(
                None,
                _("Too many failed sign-in attempts. Wait %(minutes)d minutes and try again.")
                % {"minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60},
            )
            status = 429
        else:
            user = auth.authenticate(
                request, username=username, password=form.cleaned_data["password"]
            )
            if user is None:
                services.login_failed(username, address)
                form.add_error(None, _("Wrong username or password."))
            else:
                auth.login(request, user)
                services.login_succeeded(user, address)
                return redirect(_safe_next(request, next_url))
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_POST
@login_required
def language(request: HttpRequest) -> HttpResponse:
    """Save the signed-in user's language, then let Django set the cookie and redirect."""
    chosen = request.POST.get("language", "")
    user = request.user
    if chosen in dict(settings.LANGUAGES) and isinstance(user, User):
        user.language = chosen
        user.save(update_fields=["language"])
    response = set_language(request)
    if not isinstance(response, HttpResponseRedirect) or not response.url:
        return redirect("home")
    return response
