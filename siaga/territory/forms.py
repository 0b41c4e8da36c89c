from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ChildForm(forms.Form):
    """A new RW (under a kelurahan) or RT (under an RW), by number."""

    number = forms.IntegerField(
        label=_("Number"),
        min_value=1,
        max_value=999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    name = forms.CharField(label=_("Name (optional)"), max_length=150, required=False)
