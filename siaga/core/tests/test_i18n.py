"""Bahasa Indonesia is the default language: its catalogue must be complete and compiled."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from siaga.core.i18n import problems


def test_indonesian_catalogue_is_complete_and_compiled() -> None:
    assert problems("id") == []


@pytest.mark.django_db
def test_pages_speak_indonesian_by_default_and_english_on_request() -> None:
    page = Client().get("/akun/masuk/")
    assert page.status_code == 200
    assert '<html lang="id">' in page.content.decode()
    with translation.override("id"):
        assert translation.gettext("Residents") != "Residents"
    with translation.override("en"):
        assert translation.gettext("Residents") == "Residents"
