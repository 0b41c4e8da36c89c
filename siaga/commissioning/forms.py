"""Forms for the co-commissioning pages: they render and parse; the services validate and write.

Choices (places, rounds, needs, ballot proposals) are offered from what the user may reach
through ``core.policy``; the services check again and have the last word.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from siaga.core import policy
from siaga.core.forms import ServiceForm
from siaga.core.roles import Perm
from siaga.territory.models import Level, Territory

from . import selectors
from .models import ContributionKind, DecisionOutcome, FundedBy, NeedStatus, Proposal, Round

PLACE_LIMIT = 200
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_RUPIAH = forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 1})


def place_choices(user: Any, perm: Perm, levels: tuple[int, ...]) -> list[tuple[str, str]]:
    """(code, label) of the territories at ``levels`` the user may act on with ``perm``."""
    places = policy.scope(Territory.objects.filter(level__in=levels), user, perm).order_by("id")
    return [(t.code, f"{t.display_name} ({t.code})") for t in places[:PLACE_LIMIT]]


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


def territory_for(code: str) -> Territory | None:
    return Territory.objects.filter(code=code).first() if code else None


class RoundForm(ServiceForm):
    territory = forms.ChoiceField(label=_("RW or kelurahan"))
    title = forms.CharField(label=_("Title"), max_length=150)
    envelope_source = forms.CharField(
        label=_("Source of funds"),
        max_length=150,
        help_text=_("e.g. Dana Kelurahan, RW operational funds"),
    )
    envelope_amount = forms.IntegerField(label=_("Envelope (Rp)"), min_value=0, widget=_RUPIAH)
    proposals_until = forms.DateField(label=_("Proposals (usulan) until"), widget=_DATE)
    assessment_until = forms.DateField(label=_("Assessment (penilaian) until"), widget=_DATE)
    voting_from = forms.DateField(label=_("Voting from"), widget=_DATE)
    voting_until = forms.DateField(label=_("Voting until"), widget=_DATE)

    def __init__(self, *args: Any, user: Any, round: Round | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if round is not None:  # the place of a round does not change
            del self.fields["territory"]
        else:
            set_choices(
                self,
                "territory",
                place_choices(user, Perm.ROUND_MANAGE, (Level.KELURAHAN, Level.RW)),
            )

    @staticmethod
    def initial_for(round_: Round) -> dict[str, Any]:
        return {
            name: getattr(round_, name)
            for name in (
                "title",
                "envelope_source",
                "envelope_amount",
                "proposals_until",
                "assessment_until",
                "voting_from",
                "voting_until",
            )
        }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("territory", None)
        return data


class ProposalForm(ServiceForm):
    territory = forms.ChoiceField(label=_("Place (RT, RW or kelurahan)"))
    round = forms.ChoiceField(label=_("Budget round"), required=False)
    needs = forms.MultipleChoiceField(
        label=_("Needs it answers"), required=False, widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(label=_("What is proposed"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    location = forms.CharField(label=_("Where"), max_length=255, required=False)
    implementer = forms.CharField(label=_("Who will carry it out"), max_length=255, required=False)
    community_contribution = forms.CharField(
        label=_("What the community contributes"),
        required=False,
        help_text=_("labour, money, materials"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    government_request = forms.CharField(
        label=_("What is asked of the government"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "territory",
            place_choices(user, Perm.PROPOSAL_MANAGE, (Level.KELURAHAN, Level.RW, Level.RT)),
        )
        open_rounds = [r for r in selectors.rounds(user)[:50] if not r.is_closed]
        set_choices(
            self,
            "round",
            [("", _("No round yet"))]
            + [(str(r.pk), f"{r.title} · {r.territory.display_name}") for r in open_rounds],
        )
        set_choices(
            self,
            "needs",
            [
                (str(n.pk), f"{n.title} · {n.territory.display_name}")
                for n in selectors.needs(user, status=NeedStatus.OPEN)[:100]
            ],
        )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("territory", "round", "needs"):
            data.pop(name, None)
        return data


class ProposalItemForm(forms.Form):
    description = forms.CharField(label=_("Item"), max_length=200, required=False)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        initial=1,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
    )
    unit_cost = forms.IntegerField(
        label=_("Unit cost (Rp)"), min_value=0, required=False, widget=_RUPIAH
    )
    funded_by = forms.ChoiceField(
        label=_("Funded by"), choices=FundedBy.choices, initial=FundedBy.ENVELOPE
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ContributionKind.choices, initial=ContributionKind.MONEY
    )
    stock_item = forms.CharField(
        label=_("Lumbung pangan stock item"), max_length=150, required=False
    )


ProposalItemFormSet = formset_factory(ProposalItemForm, extra=4, max_num=30)


def item_rows(formset: Any) -> list[tuple[int, dict[str, Any]]]:
    """(form index, values) of the item rows the user filled in (untouched rows are skipped)."""
    return [
        (index, form.cleaned_data)
        for index, form in enumerate(formset.forms)
        if form.has_changed() and form.cleaned_data
    ]


def add_item_errors(formset: Any, rows: list[tuple[int, Any]], errors: Mapping[str, Any]) -> None:
    """Put the service's ``items.N`` errors on the N-th filled row."""
    for field, messages in errors.items():
        if not field.startswith("items."):
            continue
        position = int(field.split(".", 1)[1])
        if position < len(rows):
            for message in messages:
                formset.forms[rows[position][0]].add_error(None, message)


class AssessmentForm(ServiceForm):
    feasible = forms.TypedChoiceField(
        label=_("Is the proposal feasible?"),
        choices=[("yes", _("Feasible")), ("no", _("Not feasible"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    corrected_amount = forms.IntegerField(
        label=_("Corrected cost (Rp)"),
        min_value=0,
        required=False,
        help_text=_("Leave empty when the requested amount is right."),
        widget=_RUPIAH,
    )

    @staticmethod
    def initial_for(proposal: Proposal) -> dict[str, Any]:
        assessment = getattr(proposal, "assessment", None)
        if assessment is None:
            return {}
        return {
            "feasible": "yes" if assessment.feasible else "no",
            "reason": assessment.reason,
            "corrected_amount": assessment.corrected_amount,
        }


class RecordVoteForm(ServiceForm):
    nik = forms.CharField(
        label=_("Voter's NIK"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    proposal = forms.ChoiceField(label=_("Their choice"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, ballot: list[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "proposal", [(str(p.pk), p.title) for p in ballot])


class DecisionForm(ServiceForm):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason (shown to the community)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    changes = forms.CharField(
        label=_("Changes required"),
        required=False,
        help_text=_("Required when approving with changes."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    approved_amount = forms.IntegerField(
        label=_("Approved amount (Rp)"),
        min_value=0,
        required=False,
        help_text=_("Leave empty to approve the funded amount."),
        widget=_RUPIAH,
    )
