"""core.forms: the one kit between a web form and a service."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from siaga.core.errors import ValidationFailed
from siaga.core.forms import ServiceForm, accepted, submit


class _Form(ServiceForm):
    ERROR_ALIASES = {"household": "kk"}

    name = forms.CharField()
    kk = forms.CharField(required=False)


def _refuse(errors: dict[str, list[str]]) -> None:
    raise ValidationFailed(errors)


def _valid() -> _Form:
    form = _Form({"name": "Budi", "kk": ""})
    assert form.is_valid()
    return form


def test_submit_answers_the_service_result() -> None:
    form = _valid()
    assert submit(form, lambda: 42) == 42
    assert form.is_valid()


def test_refused_input_goes_next_to_the_fields_aliases_and_unknown_keys_on_top() -> None:
    form = _valid()
    seen: list[Mapping[str, list[str]]] = []
    result = submit(
        form,
        lambda: _refuse({"name": ["Too short."], "household": ["No."], "nik": ["Bad."]}),
        on_errors=seen.append,
    )
    assert result is None
    assert form.errors["name"] == ["Too short."]
    assert form.errors["kk"] == ["No."]
    assert form.non_field_errors() == ["Bad."]
    assert len(seen) == 1


def test_accepted_is_for_services_that_return_nothing() -> None:
    form = _valid()
    assert accepted(form, lambda: None) is True
    assert accepted(form, lambda: _refuse({"__all__": ["Closed."]})) is False
    assert form.non_field_errors() == ["Closed."]


def test_any_form_works_without_the_mixin() -> None:
    class Plain(forms.Form):
        name = forms.CharField()

    form = Plain({"name": "x"})
    assert form.is_valid()
    assert submit(form, lambda: _refuse({"name": ["No."]})) is None
    assert form.errors["name"] == ["No."]
