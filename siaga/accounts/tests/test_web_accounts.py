"""Sign-in with the failed-login throttle, sign-out, and the language switch."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from siaga.accounts.models import User
from siaga.accounts.views import client_address
from siaga.core.models import AuditEntry


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def login(client: Client, username: str, password: str, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_in_and_out(world) -> None:
    client = Client()
    response = login(client, "pengurus.rt003", "demo-pass-123")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert signed_in(client)
    assert AuditEntry.objects.filter(action="login", actor=world.users["pengurus.rt003"]).exists()
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and not signed_in(client)


def test_sign_in_follows_only_local_next(world) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:login") + "?next=/registrasi/warga/",
        {"username": "admin", "password": "demo-pass-123"},
    )
    assert response["Location"] == "/registrasi/warga/"
    other = Client()
    response = other.post(
        reverse("accounts:login"),
        {"username": "admin", "password": "demo-pass-123", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_wrong_password_is_refused_and_recorded(world) -> None:
    client = Client()
    response = login(client, "admin", "wrong")
    assert response.status_code == 200 and not signed_in(client)
    assert response.context["form"].non_field_errors()
    assert AuditEntry.objects.filter(action="login_failed", object_id="admin").count() == 1


def test_after_too_many_failures_even_the_right_password_is_refused(world) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert not signed_in(client)
        login(client, "pengurus.rw006", "wrong-guess")
    failures = AuditEntry.objects.filter(action="login_failed").count()
    response = login(client, "pengurus.rw006", "demo-pass-123")
    assert response.status_code == 429
    assert not signed_in(client)
    assert "Too many failed sign-in attempts" in response.content.decode()
    # Blocked attempts are not even checked: no new failure is counted or recorded.
    assert AuditEntry.objects.filter(action="login_failed").count() == failures
    # The same address is blocked for other usernames too, a different address is not.
    assert login(Client(), "admin", "demo-pass-123").status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert login(other, "admin", "demo-pass-123").status_code == 302
    assert (
        login(Client(REMOTE_ADDR="10.0.0.10"), "pengurus.rw006", "demo-pass-123").status_code == 429
    )


def test_indonesian_is_the_default_language(world) -> None:
    page = Client().get(reverse("accounts:login")).content.decode()
    assert '<html lang="id">' in page
    client = Client()
    client.force_login(world.users["relawan.rw006"])
    assert world.users["relawan.rw006"].language == "id"
    assert '<html lang="id">' in client.get(reverse("home")).content.decode()


def test_language_switch_saves_the_users_choice(world) -> None:
    user = world.users["relawan.rw006"]
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:language"), {"language": "en", "next": reverse("territory:index")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("territory:index")
    user.refresh_from_db()
    assert user.language == "en"
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()
    # The choice follows the user to a new session (another phone).
    fresh = Client()
    fresh.force_login(user)
    assert '<html lang="en">' in fresh.get(reverse("home")).content.decode()
    client.post(reverse("accounts:language"), {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"


def test_anonymous_language_switch_uses_django_set_language(world) -> None:
    client = Client()
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert '<html lang="en">' in client.get(reverse("accounts:login")).content.decode()
    assert User.objects.filter(language="en").count() == 0


def test_throttle_uses_the_address_added_by_trusted_proxies(world, settings) -> None:
    from django.test import RequestFactory

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4"
    )
    assert client_address(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "1.2.3.4"  # the left entries are the client's to forge
