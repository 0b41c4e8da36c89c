"""Forms of the feedback and complaint pages. They render and parse; the services validate
and write (their messages are shown next to the fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from siaga.core.forms import ServiceForm
from siaga.volunteers.models import Volunteer

from .models import ComplaintCategory, ComplaintState, ServiceKind

RATINGS = [
    (5, _("5 — very good")),
    (4, _("4 — good")),
    (3, _("3 — fair")),
    (2, _("2 — poor")),
    (1, _("1 — very poor")),
]


class FeedbackForm(ServiceForm):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "stars"}),
        error_messages={"required": _("Choose a rating from 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    anonymous = forms.BooleanField(
        label=_("Send anonymously"),
        required=False,
        help_text=_(
            "Nobody, not even the administrators, will know who sent it: your name and "
            "household are not kept, and the time is kept only as the day."
        ),
    )


class ComplaintForm(ServiceForm):
    category = forms.ChoiceField(
        label=_("What is the complaint about?"), choices=ComplaintCategory.choices
    )
    volunteer = forms.TypedChoiceField(
        label=_("Which volunteer? (for a complaint about a volunteer)"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    service = forms.ChoiceField(
        label=_("Which service? (optional)"),
        required=False,
        choices=[("", "—"), *ServiceKind.choices],
    )
    service_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("Describe what happened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Describe what happened.")},
    )
    photo = forms.FileField(
        label=_("Photo (optional, JPEG/PNG/WebP, at most 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
        ),
    )

    def __init__(self, *args: Any, volunteers: QuerySet[Volunteer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((v.pk, f"{v.name} · {v.rw.display_name}") for v in volunteers[:300]),
        ]


class RespondForm(ServiceForm):
    state = forms.ChoiceField(
        label=_("New state"),
        choices=[
            (ComplaintState.IN_PROGRESS.value, ComplaintState.IN_PROGRESS.label),
            (ComplaintState.DONE.value, ComplaintState.DONE.label),
        ],
    )
    response = forms.CharField(
        label=_("Response to the complainant"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a response for the complainant.")},
    )


class HouseholdLookupForm(forms.Form):
    kk = forms.CharField(
        label=_("No. KK of the household"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
