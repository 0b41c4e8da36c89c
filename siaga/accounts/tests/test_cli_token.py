"""`siaga token create|list|revoke`."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from siaga.accounts.models import ApiToken, hash_token


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are checked in their English source form, whatever the default language.
    with translation.override("en"):
        yield


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def api_status(raw: str) -> int:
    response = Client().get("/api/v1/territories/33.74.02", HTTP_AUTHORIZATION=f"Bearer {raw}")
    return response.status_code


def test_create_prints_a_working_token_stored_only_as_a_hash(world: Any) -> None:
    raw = run("create", "fasilitator.utara", "--name", "laptop kelurahan").strip()
    token = ApiToken.objects.get(key_hash=hash_token(raw))
    assert token.user == world.users["fasilitator.utara"]
    assert token.name == "laptop kelurahan"
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert api_status(raw) == 200


def test_list_never_shows_the_token_and_revoke_stops_it(world: Any) -> None:
    raw = run("create", "fasilitator.utara", "--name", "skrip").strip()
    listing = run("list", "fasilitator.utara")
    assert raw not in listing
    token = ApiToken.objects.get(key_hash=hash_token(raw))
    assert f"{token.id}\tskrip\t" in listing
    assert "revoked" not in listing
    run("revoke", str(token.id))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked" in run("list", "fasilitator.utara")
    assert api_status(raw) == 401


def test_unknown_user_or_token_is_an_error(world: Any) -> None:
    count = ApiToken.objects.count()
    with pytest.raises(CommandError, match="No user"):
        run("create", "nobody")
    with pytest.raises(CommandError, match="No token"):
        run("revoke", "999999")
    assert ApiToken.objects.count() == count
