"""Forms of the lumbung pangan pages: transfers between posko, package templates, the public
kitchen log and equipment registration.

They render and parse; the services validate the rules and write. Choices come from what the
user may reach through ``core.policy``; a value outside them is refused by the form.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.core import policy
from siaga.core.forms import ServiceForm
from siaga.core.roles import Perm
from siaga.volunteers.forms import rw_choices
from siaga.volunteers.models import Posko

from .models import EquipmentKind, StockItem

CHOICE_LIMIT = 300
PACKAGE_LINES = 8
_QUANTITY = forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0.01"})
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


def item_choices(user: Any, perm: Perm, rw_id: int | None = None) -> list[tuple[str, str]]:
    items = policy.scope(StockItem.objects.select_related("rw"), user, perm)
    if rw_id is not None:
        items = items.filter(rw_id=rw_id)
    return [(str(i.pk), f"{i.rw.display_name} · {i.name} ({i.unit})") for i in items[:CHOICE_LIMIT]]


def posko_choices(user: Any, perm: Perm) -> list[tuple[str, str]]:
    posko = policy.scope(Posko.objects.select_related("rw"), user, perm)
    return [(str(p.pk), f"{p.rw.display_name} · {p.name}") for p in posko[:CHOICE_LIMIT]]


class TransferForm(ServiceForm):
    item = forms.ChoiceField(label=_("Item"))
    source = forms.ChoiceField(label=_("From posko"))
    target = forms.ChoiceField(label=_("To posko"))
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=2,
        widget=_QUANTITY,
        error_messages={
            "required": _("Enter the quantity to move."),
            "invalid": _("Enter a number, e.g. 5 or 2.5."),
            "max_decimal_places": _("At most two decimals."),
        },
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "item", item_choices(user, Perm.LOGISTICS_RECORD))
        places = posko_choices(user, Perm.LOGISTICS_RECORD)
        _set_choices(self, "source", places)
        _set_choices(self, "target", places)


class KitchenDayForm(ServiceForm):
    rw = forms.ChoiceField(label=_("RW"))
    day = forms.DateField(
        label=_("Day"),
        widget=_DATE,
        error_messages={
            "required": _("Enter the day."),
            "invalid": _("Enter a date as YYYY-MM-DD."),
        },
    )
    meals = forms.IntegerField(
        label=_("Meals served"),
        min_value=0,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        error_messages={
            "required": _("Enter the number of meals served."),
            "invalid": _("Enter a whole number."),
            "min_value": _("The number of meals cannot be negative."),
            "max_value": _("Enter the number of meals served (0 to 100000)."),
        },
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "rw", rw_choices(user, Perm.LOGISTICS_RECORD))


class EquipmentForm(ServiceForm):
    rw = forms.ChoiceField(label=_("RW"))
    kind = forms.ChoiceField(label=_("Kind of device"), choices=EquipmentKind.choices)
    label = forms.CharField(
        label=_("Label"),
        max_length=60,
        help_text=_("As written on the device, e.g. OX-1."),
        error_messages={"required": _("Give the device a label, e.g. OX-1, as written on it.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "rw", rw_choices(user, Perm.LOGISTICS_MANAGE))


class PackageForm(ServiceForm):
    """A package template with up to ``PACKAGE_LINES`` lines (item, quantity)."""

    rw = forms.ChoiceField(label=_("RW"))
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("E.g. sembako harian."),
        error_messages={"required": _("Give the package a name, e.g. sembako harian.")},
    )
    for_isolation = forms.BooleanField(
        label=_("Daily package for isolating households"), required=False
    )

    def __init__(self, *args: Any, user: Any, rw_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rw_id is not None:
            del self.fields["rw"]
        else:
            _set_choices(self, "rw", rw_choices(user, Perm.LOGISTICS_MANAGE))
        choices = [("", "—"), *item_choices(user, Perm.LOGISTICS_MANAGE, rw_id)]
        for n in range(PACKAGE_LINES):
            self.fields[f"item_{n}"] = forms.ChoiceField(
                label=_("Item %(n)d") % {"n": n + 1}, choices=choices, required=False
            )
            self.fields[f"quantity_{n}"] = forms.DecimalField(
                label=_("Quantity %(n)d") % {"n": n + 1},
                max_digits=12,
                decimal_places=2,
                required=False,
                widget=_QUANTITY,
                error_messages={
                    "invalid": _("Enter a number, e.g. 5 or 2.5."),
                    "max_decimal_places": _("At most two decimals."),
                },
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lines = []
        for n in range(PACKAGE_LINES):
            item, quantity = cleaned.get(f"item_{n}"), cleaned.get(f"quantity_{n}")
            if item and quantity is None and f"quantity_{n}" not in self.errors:
                self.add_error(f"quantity_{n}", _("Enter the quantity for this item."))
            elif quantity is not None and not item:
                self.add_error(f"item_{n}", _("Choose the item for this quantity."))
            elif item:
                lines.append((int(item), quantity))
        cleaned["lines"] = lines
        return cleaned

    def line_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"item_{n}"], self[f"quantity_{n}"]) for n in range(PACKAGE_LINES)]


def package_initial(template: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"name": template.name, "for_isolation": template.for_isolation}
    for n, line in enumerate(list(template.lines.all())[:PACKAGE_LINES]):
        initial[f"item_{n}"] = str(line.item_id)
        initial[f"quantity_{n}"] = line.quantity.normalize()
    return initial
