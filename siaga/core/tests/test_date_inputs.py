"""Every <input type=date/time/datetime-local> a form renders carries an ISO value.

A browser's date input only understands ``2026-12-04``: with the Indonesian input format
(``04-12-2026``) the field arrives empty and the user re-types a date the server already had.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from collections.abc import Iterator

import pytest
from django import forms
from django.apps import apps
from django.utils import translation

ISO = {
    "date": (dt.date(2026, 12, 4), "2026-12-04"),
    "time": (dt.time(7, 30), "07:30"),
    "datetime-local": (dt.datetime(2026, 12, 4, 7, 30), "2026-12-04T07:30"),
}


def _form_classes() -> Iterator[type[forms.BaseForm]]:
    for config in apps.get_app_configs():
        if not config.name.startswith("siaga."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def _date_widgets() -> Iterator[tuple[str, forms.Widget, str]]:
    for cls in _form_classes():
        for name, field in getattr(cls, "base_fields", {}).items():
            kind = field.widget.attrs.get("type") or getattr(field.widget, "input_type", "")
            if kind in ISO:
                yield f"{cls.__module__}.{cls.__name__}.{name}", field.widget, kind


def test_the_project_has_date_inputs() -> None:
    assert len(list(_date_widgets())) > 10


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_date_and_time_input_renders_iso(language: str) -> None:
    wrong = []
    with translation.override(language):
        for where, widget, kind in _date_widgets():
            value, expected = ISO[kind]
            html = widget.render("x", value)
            if f'value="{expected}"' not in html:
                wrong.append((where, html))
    assert not wrong
