"""Web forms of the health pages: they only shape input; services validate and decide."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.accounts.models import User
from siaga.core.errors import ValidationFailed
from siaga.core.forms import ServiceForm
from siaga.health.models import (
    Category,
    Destination,
    DestinationKind,
    IsolationPlace,
    Method,
    OnwardState,
    Outcome,
    ProtocolKind,
    ReferralOutcome,
    Symptom,
    TestResult,
    Vaccine,
)
from siaga.health.protocols import validate_params
from siaga.territory.models import Territory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MonitoringForm(ServiceForm):
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, initial=Method.KUNJUNGAN)
    temperature_c = forms.DecimalField(
        label=_("Temperature (°C)"),
        required=False,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    spo2 = forms.IntegerField(
        label=_("SpO2 (%)"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    respiratory_rate = forms.IntegerField(label=_("Respiratory rate (/min)"), required=False)
    pulse = forms.IntegerField(label=_("Pulse (/min)"), required=False)
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"),
        choices=Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["symptoms"] = list(data.get("symptoms") or [])
        return data


class CaseForm(ServiceForm):
    nik = forms.CharField(label=_("Resident's NIK"), max_length=16)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    specimen_on = forms.DateField(label=_("Specimen date"), widget=DATE)
    confirmed_on = forms.DateField(label=_("Confirmation date"), widget=DATE, required=False)
    onset_on = forms.DateField(
        label=_("Symptom onset (empty when asymptomatic)"), widget=DATE, required=False
    )
    isolation_place = forms.ChoiceField(
        label=_("Place of isolation"), choices=IsolationPlace.choices
    )
    separate_room = forms.BooleanField(label=_("Separate room and bathroom"), required=False)
    own_oximeter = forms.BooleanField(label=_("Own pulse oximeter"), required=False)


class EndForm(ServiceForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[c for c in Outcome.choices if c[0]])
    ended_on = forms.DateField(label=_("Date"), widget=DATE)


class ExtendForm(ServiceForm):
    extended_until = forms.DateField(label=_("Extend until"), widget=DATE)
    extension_note = forms.CharField(label=_("Why"), max_length=255)


class CompleteReferralForm(ServiceForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[c for c in ReferralOutcome.choices if c[0]]
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class ContactForm(ServiceForm):
    nik = forms.CharField(label=_("Contact's NIK"), max_length=16)
    last_exposure_on = forms.DateField(label=_("Last exposure"), widget=DATE)


class NewcomerForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    nik = forms.CharField(label=_("NIK"), max_length=16, required=False)
    arrived_on = forms.DateField(label=_("Arrival date"), widget=DATE)
    origin_code = forms.CharField(label=_("Region of origin (code)"), max_length=13)
    household = forms.IntegerField(label=_("Destination household (id)"))
    test_result = forms.ChoiceField(
        label=_("Test result"), choices=TestResult.choices, required=False
    )
    tested_on = forms.DateField(label=_("Test date"), widget=DATE, required=False)


class VaccinationForm(ServiceForm):
    resident = forms.IntegerField(widget=forms.HiddenInput)
    given_on = forms.DateField(label=_("Date"), widget=DATE)
    vaccine = forms.ChoiceField(label=_("Vaccine"), choices=Vaccine.choices)
    dose = forms.IntegerField(label=_("Dose number"), min_value=1, max_value=5)


# ---------------------------------------------------------------- protocols


def _params_json(value: str) -> dict[str, Any]:
    try:
        params = json.loads(value)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(
            _("Not valid JSON (line %(line)s, column %(column)s): %(error)s"),
            params={"line": exc.lineno, "column": exc.colno, "error": exc.msg},
        ) from None
    if not isinstance(params, dict):
        raise forms.ValidationError(_("The parameters must be a JSON object."))
    return params


class ProtocolParamsForm(ServiceForm):
    """The parameters as JSON, checked against the schema of the protocol's kind (one message per
    wrong field, named by its path)."""

    params = forms.CharField(
        label=_("Parameters (JSON)"),
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code"}),
    )
    source = forms.CharField(label=_("Source (regulation)"), max_length=255, required=False)

    def __init__(self, *args: Any, kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_kind = kind

    def clean_params(self) -> dict[str, Any]:
        return _params_json(self.cleaned_data["params"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind", self.fixed_kind)
        if kind and "params" in cleaned:
            try:
                validate_params(kind, cleaned["params"])
            except ValidationFailed as exc:
                self.add_service_errors(exc.errors)
        return cleaned


class ProtocolForm(ProtocolParamsForm):
    """A new dated version of a protocol."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ProtocolKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    effective_from = forms.DateField(label=_("In force from"), widget=DATE)

    field_order = ["kind", "name", "effective_from", "params", "source"]


# ---------------------------------------------------------------- puskesmas, destinations, onward


def _territory_by_code(code: str) -> Territory:
    territory = Territory.objects.filter(code=code.strip()).first()
    if territory is None:
        raise forms.ValidationError(_("Unknown territory code."))
    return territory


class _DestinationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class _KelurahanChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class OnwardForm(ServiceForm):
    destination = _DestinationChoice(
        label=_("Send on to"), queryset=Destination.objects.none(), empty_label=None
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["destination"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Destination.objects.filter(active=True).order_by("kind", "name")


class OnwardCloseForm(ServiceForm):
    state = forms.ChoiceField(
        label=_("Result"), choices=[c for c in OnwardState.choices if c[0] != OnwardState.DIKIRIM]
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class PuskesmasForm(ServiceForm):
    """Name, place, working area (kelurahan within the manager's reach) and staff usernames."""

    name = forms.CharField(label=_("Name"), max_length=150)
    location = forms.CharField(
        label=_("Location (territory code)"),
        max_length=30,
        help_text=_("The kelurahan or kecamatan where the puskesmas stands, e.g. 33.74.02.1001."),
    )
    area = _KelurahanChoices(
        label=_("Working area (kelurahan)"),
        queryset=Territory.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    staff = forms.CharField(
        label=_("Staff (usernames, separated by commas)"), required=False, max_length=2000
    )

    def __init__(self, *args: Any, kelurahan: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = kelurahan if kelurahan is not None else Territory.objects.none()

    def clean_location(self) -> Territory:
        return _territory_by_code(self.cleaned_data["location"])

    def clean_staff(self) -> list[User]:
        names = [n.strip() for n in self.cleaned_data["staff"].replace("\n", ",").split(",")]
        names = [n for n in names if n]
        users = list(User.objects.filter(username__in=names))
        unknown = sorted(set(names) - {u.username for u in users})
        if unknown:
            raise forms.ValidationError(
                _("Unknown users: %(names)s") % {"names": ", ".join(unknown)}
            )
        return users


class DestinationForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=DestinationKind.choices)
    location = forms.CharField(
        label=_("Location (territory code)"),
        max_length=30,
        help_text=_("Where it stands, e.g. 33.74 for a city-wide centre."),
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    active = forms.BooleanField(label=_("Receiving referrals"), required=False, initial=True)

    def clean_location(self) -> Territory:
        return _territory_by_code(self.cleaned_data["location"])
