"""Forms for the registry pages: they render and parse; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from siaga.core import codes, policy
from siaga.core.forms import ServiceForm
from siaga.core.roles import Perm
from siaga.registry.models import (
    Comorbidity,
    DomicileStatus,
    Household,
    Relation,
    Resident,
    Sex,
    Vulnerability,
)
from siaga.territory.models import Level, Territory

RT_OPTION_LIMIT = 200
# Up to this many RTs in reach, the RT field is a select of them instead of a typed code.
RT_SELECT_LIMIT = 60


def rt_options(user: Any, prefix: str = "", limit: int = RT_OPTION_LIMIT) -> list[tuple[str, str]]:
    """(code, label) of the RTs the user may register people in, optionally under a code prefix.

    Labels name the kelurahan, fetched in one extra query for the whole list.
    """
    rts = policy.scope(Territory.objects.filter(level=Level.RT), user, Perm.REGISTRY_CHANGE)
    prefix = prefix.strip().rstrip(".")
    if prefix:
        rts = rts.filter(code__startswith=prefix)
    found = list(rts.order_by("id").values_list("id", "code")[:limit])
    kelurahan_span = codes.span_for_level(Level.KELURAHAN)
    kelurahan_ids = {key // kelurahan_span * kelurahan_span for key, _code in found}
    names = dict(Territory.objects.filter(id__in=kelurahan_ids).values_list("id", "name"))
    options = []
    for key, code in found:
        parts = code.split(".")
        label = f"RT {parts[5]} / RW {parts[4]}"
        kelurahan = names.get(key // kelurahan_span * kelurahan_span)
        options.append((code, f"{label} · {kelurahan}" if kelurahan else label))
    return options


def _rt_widget() -> forms.TextInput:
    """A text input suggesting in-scope RTs; with htmx the suggestions follow what is typed."""
    return forms.TextInput(
        attrs={
            "list": "rt-options",
            "autocomplete": "off",
            "hx-get": reverse_lazy("registry:rt_options"),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": "#rt-options",
            "hx-swap": "outerHTML",
        }
    )


def _offer_rts(form: forms.Form, options: list[tuple[str, str]] | None, *, optional: bool) -> None:
    """Make the ``rt`` field a select of the RTs in reach when they are few.

    The field stays a text field for validation: the service says which code is unknown or out
    of reach. One RT in reach is preselected (an RT head never types a 21-character code).
    """
    if options is None or not options or len(options) > RT_SELECT_LIMIT:
        return
    field = form.fields["rt"]
    blank = [("", _("(choose an RT)"))] if optional or len(options) > 1 else []
    field.widget = forms.Select(choices=[*blank, *options])
    field.help_text = ""
    if len(options) == 1 and not form.initial.get("rt"):
        form.initial["rt"] = options[0][0]


class _ListFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, NIK or No. KK")}),
    )
    wilayah = forms.CharField(
        label=_("Territory code"),
        required=False,
        max_length=21,
        widget=forms.TextInput(attrs={"placeholder": "33.74.02.1006.006.003"}),
    )


class HouseholdFilterForm(_ListFilterForm):
    pass


class ResidentFilterForm(_ListFilterForm):
    status = forms.ChoiceField(
        label=_("Domicile status"),
        required=False,
        choices=[("", _("All")), *DomicileStatus.choices],
    )
    rentan = forms.ChoiceField(
        label=_("Vulnerability"),
        required=False,
        choices=[("", _("All")), *Vulnerability.choices],
    )


class ResidentForm(ServiceForm):
    # Service field → form field, for mapping ValidationFailed.errors.
    ERROR_ALIASES = {"household": "kk"}

    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    nik = forms.CharField(
        label=_("NIK"),
        required=False,
        max_length=32,
        help_text=_("16 digits. Leave empty if the resident has no NIK."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    birth_place = forms.CharField(label=_("Birth place"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    kk = forms.CharField(
        label=_("No. KK (household)"),
        required=False,
        max_length=32,
        help_text=_("The household's 16-digit No. KK; leave empty if not known yet."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    relation = forms.ChoiceField(
        label=_("Relation to head"), choices=Relation.choices, initial=Relation.LAINNYA
    )
    rt = forms.CharField(
        label=_("RT code"),
        required=False,
        max_length=32,
        help_text=_("Not needed when a No. KK is given: the household's RT is used."),
        widget=_rt_widget(),
    )
    status = forms.ChoiceField(
        label=_("Domicile status"), choices=DomicileStatus.choices, initial=DomicileStatus.TETAP
    )
    comorbidities = forms.MultipleChoiceField(
        label=_("Comorbidities"),
        required=False,
        choices=Comorbidity.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    hamil = forms.BooleanField(label=_("Pregnant"), required=False)
    disabilitas = forms.BooleanField(label=_("Disability"), required=False)

    def __init__(
        self, *args: Any, rt_choices: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _offer_rts(self, rt_choices, optional=True)

    @staticmethod
    def initial_for(resident: Resident) -> dict[str, Any]:
        return {
            "name": resident.name,
            "nik": resident.nik,
            "sex": resident.sex,
            "birth_date": resident.birth_date,
            "birth_place": resident.birth_place,
            "phone": resident.phone,
            "kk": resident.household.kk if resident.household else "",
            "relation": resident.relation,
            "rt": resident.rt.code,
            "status": resident.status,
            "comorbidities": list(resident.comorbidities),
            "hamil": resident.hamil,
            "disabilitas": resident.disabilitas,
        }

    def service_data(self) -> dict[str, Any]:
        """The cleaned values for registry.services, without the household (the view adds it)."""
        data = dict(self.cleaned_data)
        data.pop("kk", None)
        data["rt"] = data.get("rt", "").strip()
        return data


class HouseholdForm(ServiceForm):
    kk = forms.CharField(
        label=_("No. KK"),
        max_length=32,
        required=False,
        help_text=_("16 digits, as on the Kartu Keluarga."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    rt = forms.CharField(
        label=_("RT code"),
        required=False,
        max_length=32,
        widget=_rt_widget(),
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    head = forms.ChoiceField(label=_("Head of household"), required=False, choices=())

    def __init__(
        self,
        *args: Any,
        members: list[Resident] | None = None,
        rt_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _offer_rts(self, rt_choices, optional=False)
        if members is None:
            del self.fields["head"]
        else:
            self.fields["head"].choices = [  # type: ignore[attr-defined]
                ("", _("(none)")),
                *((str(m.pk), m.name) for m in members),
            ]

    @staticmethod
    def initial_for(household: Household) -> dict[str, Any]:
        return {
            "kk": household.kk,
            "rt": household.rt.code,
            "address": household.address,
            "head": str(household.head_id or ""),
        }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["rt"] = data.get("rt", "").strip()
        return data
