"""The one kit between a web form and a service.

Forms render and parse; services validate and write, refusing input with
``siaga.core.errors.ValidationFailed``. ``submit`` runs a service call for a valid form and,
when the service refuses, shows its messages on the form: next to the field they name (through
``ERROR_ALIASES`` when the service's name differs from the form's), on top otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from siaga.core.errors import ValidationFailed

T = TypeVar("T")


def add_service_errors(
    form: forms.BaseForm,
    errors: Mapping[str, list[str]],
    aliases: Mapping[str, str] | None = None,
) -> None:
    """Show a service's ``ValidationFailed.errors`` next to the matching fields.

    A key that names no field of the form ("__all__", or a field the form does not have) goes to
    the form's non-field errors.
    """
    for field, field_messages in errors.items():
        name = (aliases or {}).get(field, field)
        target = name if name in form.fields else None
        for message in field_messages:
            form.add_error(target, message)


class ServiceErrorsMixin:
    """For any form class: ``add_service_errors`` with the class's ``ERROR_ALIASES``."""

    ERROR_ALIASES: ClassVar[Mapping[str, str]] = {}

    def add_service_errors(self, errors: Mapping[str, list[str]]) -> None:
        add_service_errors(self, errors, self.ERROR_ALIASES)  # type: ignore[arg-type]


class ServiceForm(ServiceErrorsMixin, forms.Form):
    """A plain form whose input a service validates."""


def submit(
    form: forms.BaseForm,
    call: Callable[[], T],
    *,
    on_errors: Callable[[Mapping[str, list[str]]], Any] | None = None,
) -> T | None:
    """Run ``call`` (a service call made from ``form``'s cleaned data) and return its result.

    When the service raises ``ValidationFailed`` its messages go onto ``form`` (see
    ``add_service_errors``), ``on_errors`` is called with them, and the answer is ``None``. For
    a service that returns nothing use ``accepted``.
    """
    try:
        return call()
    except ValidationFailed as exc:
        _place(form, exc.errors)
        if on_errors is not None:
            on_errors(exc.errors)
        return None


def accepted(
    form: forms.BaseForm,
    call: Callable[[], object],
    *,
    on_errors: Callable[[Mapping[str, list[str]]], Any] | None = None,
) -> bool:
    """``submit`` for services that return nothing: True when the service took the input."""
    try:
        call()
    except ValidationFailed as exc:
        _place(form, exc.errors)
        if on_errors is not None:
            on_errors(exc.errors)
        return False
    return True


def _place(form: forms.BaseForm, errors: Mapping[str, list[str]]) -> None:
    method = getattr(form, "add_service_errors", None)
    if method is not None:
        method(errors)
    else:
        add_service_errors(form, errors, getattr(form, "ERROR_ALIASES", None))


def flash_service_errors(
    request: HttpRequest, errors: Mapping[str, list[str]], *, name_fields: bool = False
) -> None:
    """For a service called without a form (a button): its messages as error messages.

    ``name_fields``: prefix each message with the field it is about ("__all__" stays bare).
    """
    for field, field_messages in errors.items():
        for message in field_messages:
            named = name_fields and field != "__all__"
            messages.error(request, f"{field}: {message}" if named else message)
