"""Forms of the volunteer pages (posko, shift templates, roster generation).

They render and parse; the services validate the rules and write. RW choices come from what the
user may reach through ``core.policy``.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.core import policy
from siaga.core.forms import ServiceForm
from siaga.core.roles import Perm
from siaga.territory.models import Level, Territory

from .models import DEFAULT_WITHDRAW_CUTOFF_HOURS, PoskoKind, Skill

RW_CHOICE_LIMIT = 300
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
_PEOPLE = forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 50})


def rw_choices(user: Any, perm: Perm) -> list[tuple[str, str]]:
    """(pk, label) of the RWs ``user`` may act on with ``perm``."""
    rws = policy.scope(Territory.objects.filter(level=Level.RW), user, perm).order_by("id")
    return [(str(t.pk), f"{t.display_name} ({t.code})") for t in rws[:RW_CHOICE_LIMIT]]


class PoskoForm(ServiceForm):
    rw = forms.ChoiceField(label=_("RW"))
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("E.g. Posko RW 006 or Pos jaga gang 3."),
        error_messages={"required": _("Give the posko a name.")},
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PoskoKind.choices)

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["rw"]
        else:
            field = cast(forms.ChoiceField, self.fields["rw"])
            field.choices = rw_choices(user, Perm.VOLUNTEER_MANAGE)


class _ShiftTimesForm(ServiceForm):
    """The start, end and head counts every kind of shift asks for."""

    starts = forms.TimeField(
        label=_("Starts"),
        widget=_TIME,
        error_messages={
            "required": _("Enter the start time, e.g. 06:00."),
            "invalid": _("Enter a time as HH:MM, e.g. 06:00."),
        },
    )
    ends = forms.TimeField(
        label=_("Ends"),
        widget=_TIME,
        help_text=_("Earlier than the start means the shift ends the next morning."),
        error_messages={
            "required": _("Enter the end time, e.g. 14:00."),
            "invalid": _("Enter a time as HH:MM, e.g. 14:00."),
        },
    )
    min_people = forms.IntegerField(
        label=_("At least (people)"),
        initial=2,
        widget=_PEOPLE,
        error_messages={"required": _("How many people at least?")},
    )
    max_people = forms.IntegerField(
        label=_("At most (people)"),
        initial=4,
        widget=_PEOPLE,
        error_messages={"required": _("How many people at most?")},
    )


class ShiftTemplateForm(_ShiftTimesForm):
    field_order = ["name", "starts", "ends", "min_people", "max_people"]

    name = forms.CharField(
        label=_("Shift name"),
        max_length=60,
        help_text=_("E.g. pagi or malam."),
        error_messages={"required": _("Give the shift a name, e.g. pagi or malam.")},
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every day."),
    )
    active = forms.BooleanField(label=_("Active (used for new rosters)"), required=False)
    withdraw_cutoff_hours = forms.IntegerField(
        label=_("Withdrawals close (hours before the start)"),
        initial=DEFAULT_WITHDRAW_CUTOFF_HOURS,
        required=False,
        help_text=_("Empty: 12 hours."),
        min_value=0,
        max_value=168,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 168}),
        error_messages={
            "min_value": _("The withdrawal cutoff is 0 to 168 hours (a week) before the start."),
            "max_value": _("The withdrawal cutoff is 0 to 168 hours (a week) before the start."),
        },
    )
    requires_confirmation = forms.BooleanField(
        label=_("Sign-ups wait for the pengurus to confirm"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = dict(kwargs.get("initial") or {})
        for skill, count in (initial.pop("skill_requirements", None) or {}).items():
            initial[f"skill_{skill}"] = count
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for value, label in Skill.choices:
            self.fields[f"skill_{value}"] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=50,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 50}),
            )

    def skill_fields(self) -> list[forms.BoundField]:
        return [self[f"skill_{value}"] for value in Skill.values]

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned data as the services take it: the skill counts as one mapping."""
        data = dict(self.cleaned_data)
        needs = {}
        for value in Skill.values:
            count = data.pop(f"skill_{value}", None)
            if count:
                needs[value] = count
        if data.get("withdraw_cutoff_hours") is None:
            data["withdraw_cutoff_hours"] = DEFAULT_WITHDRAW_CUTOFF_HOURS
        return data | {"skill_requirements": needs}


class OneOffShiftForm(_ShiftTimesForm):
    field_order = ["name", "day", "starts", "ends", "min_people", "max_people"]

    name = forms.CharField(
        label=_("Shift name"),
        max_length=60,
        help_text=_("E.g. vaksinasi or kerja bakti."),
        error_messages={"required": _("Give the shift a name, e.g. pagi or malam.")},
    )
    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the day of the shift."),
            "invalid": _("Enter a date as YYYY-MM-DD."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["min_people"].initial = 1  # a one-off shift is often one person


class RosterForm(ServiceForm):
    ERROR_ALIASES = {"days": "weeks"}

    weeks = forms.IntegerField(
        label=_("Weeks ahead"),
        min_value=1,
        max_value=12,
        initial=4,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 12}),
        error_messages={
            "required": _("How many weeks ahead?"),
            "min_value": _("Plan at least one week ahead."),
            "max_value": _("Plan at most 12 weeks ahead."),
        },
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: today."),
    )
