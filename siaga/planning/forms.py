"""Forms for the co-design pages (meetings, attendance, meeting decisions, moderation).

They render and parse; the services validate and write. Choices come from what the user may
reach through ``core.policy``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from siaga.commissioning import selectors as commissioning_selectors
from siaga.commissioning.forms import place_choices, set_choices
from siaga.commissioning.models import Category, NeedStatus, Urgency
from siaga.core.forms import ServiceForm
from siaga.core.models import ActorGroup
from siaga.core.policy import in_subtree
from siaga.core.roles import Perm
from siaga.territory.models import Level

from . import selectors
from .models import (
    Activity,
    ActivityStatus,
    DecisionEffect,
    Meeting,
    MeetingKind,
    Plan,
    PlanStatus,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_NUMBER = forms.NumberInput(attrs={"inputmode": "numeric", "min": 0})


class MeetingForm(ServiceForm):
    territory = forms.ChoiceField(label=_("Place (kelurahan, RW or RT)"))
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=150)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        help_text=_("One item per line"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "territory",
            place_choices(user, Perm.MEETING_MANAGE, (Level.KELURAHAN, Level.RW, Level.RT)),
        )


class InvitationForm(forms.Form):
    invitee = forms.CharField(
        label=_("Invitee"),
        max_length=200,
        required=False,
        help_text=_("A person or a group, e.g. all heads of household of RT 003"),
    )
    actor_group = forms.ChoiceField(
        label=_("Group"), choices=ActorGroup.choices, initial=ActorGroup.RESIDENT
    )


InvitationFormSet = formset_factory(InvitationForm, extra=3, max_num=50)


def filled_rows(formset: Any) -> list[dict[str, Any]]:
    return [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]


class AttendanceForm(forms.Form):
    niks = forms.CharField(
        label=_("Residents present: NIK, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "inputmode": "numeric", "autocomplete": "off"}),
    )
    usernames = forms.CharField(
        label=_("Volunteers, leaders and officials with an account: username, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )

    def attendees(self, guests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The list ``planning.services.record_attendance`` takes."""
        rows: list[dict[str, Any]] = []
        for line in self.cleaned_data["niks"].splitlines():
            if line.strip():
                rows.append({"nik": line.strip()})
        for line in self.cleaned_data["usernames"].splitlines():
            if line.strip():
                rows.append({"username": line.strip()})
        rows.extend({"name": g["name"], "actor_group": g["actor_group"]} for g in guests)
        return rows


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Name (without an account)"), max_length=150, required=False)
    actor_group = forms.ChoiceField(
        label=_("Group"), choices=ActorGroup.choices, initial=ActorGroup.GOVERNMENT
    )


GuestFormSet = formset_factory(GuestForm, extra=2, max_num=50)


class MeetingDecisionForm(ServiceForm):
    """A decision and what it does: the fields that matter depend on the chosen effect."""

    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    effect = forms.ChoiceField(
        label=_("What it does"),
        choices=DecisionEffect.choices,
        initial=DecisionEffect.NOTE,
        widget=forms.RadioSelect,
    )
    plan = forms.ChoiceField(label=_("Plan (new activity)"), required=False)
    activity = forms.ChoiceField(label=_("Activity to change"), required=False)
    need = forms.ChoiceField(label=_("Need to change"), required=False)
    # -- a new or changed activity
    activity_title = forms.CharField(label=_("Activity title"), max_length=200, required=False)
    responsible_team = forms.CharField(label=_("Responsible team"), max_length=150, required=False)
    starts_on = forms.DateField(label=_("Start"), required=False, widget=_DATE)
    ends_on = forms.DateField(label=_("End"), required=False, widget=_DATE)
    budget = forms.IntegerField(
        label=_("Budget line (Rp)"), min_value=0, required=False, widget=_NUMBER
    )
    status = forms.ChoiceField(
        label=_("Activity status"),
        choices=[("", "—"), *ActivityStatus.choices],
        required=False,
    )
    percent = forms.IntegerField(
        label=_("Progress (%)"), min_value=0, max_value=100, required=False, widget=_NUMBER
    )
    # -- a new or changed need
    need_category = forms.ChoiceField(
        label=_("Need category"), choices=[("", "—"), *Category.choices], required=False
    )
    need_title = forms.CharField(label=_("Need title"), max_length=150, required=False)
    households_affected = forms.IntegerField(
        label=_("Households affected"), min_value=0, required=False, widget=_NUMBER
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[("", "—"), *Urgency.choices], required=False
    )
    close_reason = forms.CharField(
        label=_("Close the need, with this reason"), max_length=500, required=False
    )

    ERROR_ALIASES = {"title": "activity_title", "category": "need_category"}
    ACTIVITY_FIELDS = (
        "plan",
        "activity",
        "activity_title",
        "responsible_team",
        "starts_on",
        "ends_on",
        "budget",
        "status",
        "percent",
    )
    NEED_FIELDS = (
        "need",
        "need_category",
        "need_title",
        "households_affected",
        "urgency",
        "close_reason",
    )

    @property
    def activity_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ACTIVITY_FIELDS]

    @property
    def need_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.NEED_FIELDS]

    def __init__(self, *args: Any, user: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = in_subtree("territory_id", meeting.territory.bounds)
        plans = selectors.plans(user).filter(area).order_by("title")[:100]
        set_choices(self, "plan", [("", "—")] + [(str(p.pk), p.title) for p in plans])
        activities = (
            Activity.objects.filter(plan__in=[p.pk for p in plans])
            .select_related("plan")
            .order_by("plan__title", "position", "id")
        )
        set_choices(
            self,
            "activity",
            [("", "—")] + [(str(a.pk), f"{a.plan.title}: {a.title}") for a in activities],
        )
        needs = commissioning_selectors.needs(user, status=NeedStatus.OPEN).filter(area)[:100]
        set_choices(self, "need", [("", "—")] + [(str(n.pk), n.title) for n in needs])

    def service_data(self) -> dict[str, Any]:
        """The ``data`` for ``record_meeting_decision``: only the fields of the chosen effect,
        and only those filled in (a change touches nothing else)."""
        c = self.cleaned_data
        effect = c["effect"]
        if effect == DecisionEffect.CREATE_ACTIVITY:
            data = {
                "title": c["activity_title"],
                "responsible_team": c["responsible_team"],
                "starts_on": c["starts_on"],
                "ends_on": c["ends_on"],
                "budget": c["budget"] or 0,
            }
            if c["status"]:
                data["status"] = c["status"]
            return data
        if effect == DecisionEffect.CHANGE_ACTIVITY:
            names = ("responsible_team", "starts_on", "ends_on", "budget", "status", "percent")
            data = {name: c[name] for name in names if c[name] not in (None, "")}
            if c["activity_title"]:
                data["title"] = c["activity_title"]
            return data
        if effect == DecisionEffect.CREATE_NEED:
            return {
                "category": c["need_category"],
                "title": c["need_title"],
                "households_affected": c["households_affected"] or 0,
                "urgency": c["urgency"] or Urgency.SEDANG,
                "description": c["text"],
            }
        if effect == DecisionEffect.CHANGE_NEED:
            return {
                name: c[name]
                for name in ("households_affected", "urgency", "close_reason")
                if c[name] not in (None, "")
            }
        return {}


class ModerationForm(forms.Form):
    hidden = forms.TypedChoiceField(
        choices=[("1", _("Hide")), ("0", _("Restore"))], coerce=lambda value: value == "1"
    )
    reason = forms.CharField(label=_("Reason for hiding"), max_length=255, required=False)


# ---------------------------------------------------------------- plans and activities (web
# editing; ``planning.services`` validates, writes and versions every change)


class PlanForm(ServiceForm):
    territory = forms.ChoiceField(label=_("Place (kelurahan, RW or RT)"))
    title = forms.CharField(label=_("Title"), max_length=150)
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 4}))
    status = forms.ChoiceField(
        label=_("Status"), choices=PlanStatus.choices, initial=PlanStatus.ACTIVE
    )
    budget = forms.IntegerField(label=_("Budget (Rp)"), min_value=0, initial=0, widget=_NUMBER)

    FIELDS = ("title", "goal", "status", "budget")

    def __init__(self, *args: Any, user: Any, plan: Plan | None = None, **kwargs: Any) -> None:
        if plan is not None:
            kwargs.setdefault("initial", {name: getattr(plan, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        if plan is not None:  # the place of a plan does not change
            del self.fields["territory"]
        else:
            set_choices(
                self,
                "territory",
                place_choices(user, Perm.PLAN_EDIT, (Level.KELURAHAN, Level.RW, Level.RT)),
            )

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ActivityForm(ServiceForm):
    title = forms.CharField(label=_("Activity"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible_team = forms.CharField(label=_("Responsible team"), max_length=150, required=False)
    responsible_user = forms.CharField(
        label=_("Responsible volunteer (username)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    starts_on = forms.DateField(label=_("Start"), required=False, widget=_DATE)
    ends_on = forms.DateField(label=_("End"), required=False, widget=_DATE)
    budget = forms.IntegerField(
        label=_("Budget line (Rp)"), min_value=0, initial=0, required=False, widget=_NUMBER
    )
    spent = forms.IntegerField(
        label=_("Spent (Rp)"), min_value=0, initial=0, required=False, widget=_NUMBER
    )
    stock_items = forms.CharField(
        label=_("Stock items"),
        max_length=255,
        required=False,
        help_text=_("e.g. lumbung pangan stock used by this activity"),
    )
    is_milestone = forms.BooleanField(label=_("Milestone"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ActivityStatus.choices, initial=ActivityStatus.PLANNED
    )
    percent = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        required=False,
        widget=_NUMBER,
    )

    FIELDS = (
        "title",
        "description",
        "responsible_team",
        "responsible_user",
        "starts_on",
        "ends_on",
        "budget",
        "spent",
        "stock_items",
        "is_milestone",
        "status",
        "percent",
    )

    def __init__(self, *args: Any, activity: Activity | None = None, **kwargs: Any) -> None:
        if activity is not None:
            initial = {name: getattr(activity, name) for name in self.FIELDS}
            user = activity.responsible_user
            initial["responsible_user"] = user.get_username() if user else ""
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        for name in ("budget", "spent", "percent"):
            data[name] = data[name] or 0
        return data
