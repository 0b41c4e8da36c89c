"""The sections of each role's home. Each builder reads through the owning app's selectors
(scoped by siaga.core.policy) in a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from siaga.assessment import selectors as assessment_selectors
from siaga.commissioning import selectors as commissioning_selectors
from siaga.core import policy
from siaga.core.roles import Perm, Role
from siaga.core.templatetags.siaga_ui import rt_label
from siaga.health import selectors as health_selectors
from siaga.health import zoning
from siaga.health.models import Slot, Triage
from siaga.indicators import selectors as indicator_selectors
from siaga.logistics import selectors as logistics_selectors
from siaga.registry.models import Household
from siaga.territory.models import Territory
from siaga.volunteers import selectors as volunteer_selectors

from .sections import HomeContext, Item, Link, Section, section

SHOWN = 8  # rows per section; the section's link opens the full list

TRIAGE_LABELS = dict(Triage.choices)  # lazy: translated when shown
SLOT_LABELS = dict(Slot.choices)
DANGER = ("darurat", "rujuk")


def _when(value: dt.datetime | None) -> str:
    return formats.date_format(timezone.localtime(value), "j M H:i") if value else ""


def _day(value: dt.date | None) -> str:
    return formats.date_format(value, "j M Y") if value else ""


def _can(user: Any, perm: Perm) -> bool:
    return not policy.scope_for(user, perm).empty


def _reaches(user: Any, perm: Perm) -> bool:
    return policy.reaches_any_territory(user, perm)


def _worklist(ctx: HomeContext) -> dict[str, Any]:
    return ctx.once("worklist", lambda: health_selectors.worklist(ctx.user, now=ctx.now))


# ---------------------------------------------------------------- alerts (relawan, pengurus)


def _tone(triage: str) -> str:
    return "danger" if triage in DANGER else "warn" if triage == "waspada" else ""


def _referral_item(ref: Any, now: dt.datetime) -> Item:
    badges = [(str(TRIAGE_LABELS.get(ref.level, ref.level)), _tone(ref.level))]
    if ref.state == "dibuat" and ref.acknowledge_by < now:
        badges.append((_("not acknowledged in time"), "danger"))
    return Item(
        label=ref.resident.name,
        url=reverse("health:referral", args=[ref.pk]),
        detail=f"{rt_label(ref.rt.code)} · {ref.get_state_display()} · {_when(ref.created_at)}",
        badges=badges,
    )


@section(Role.RELAWAN, Role.PENGURUS)
def alerts(ctx: HomeContext) -> Section | None:
    """Emergencies and referrals first, then (for whoever keeps the area) missed slots."""
    if not _reaches(ctx.user, Perm.HEALTH_VIEW):
        return None
    refs = list(health_selectors.open_referrals(ctx.user).filter(level__in=DANGER)[:SHOWN])
    items = [_referral_item(ref, ctx.now) for ref in refs]
    overdue = _worklist(ctx)["counts"]["overdue"]
    if overdue:
        items.append(
            Item(
                label=ngettext(
                    "%(count)s monitoring slot missed", "%(count)s monitoring slots missed", overdue
                )
                % {"count": overdue},
                url=reverse("health:worklist"),
                badges=[(_("overdue"), "danger")],
            )
        )
    if refs:
        health_selectors.audit_list(ctx.user, "health.referral", None, len(refs))
    return Section(
        key="alerts",
        title=_("Emergencies and referrals"),
        items=items,
        empty=_("No emergency, no referral waiting."),
        actions=[Link(_("All referrals"), reverse("health:referrals"))],
        alert=True,
    )


# ---------------------------------------------------------------- relawan


@section(Role.RELAWAN)
def visits(ctx: HomeContext) -> Section | None:
    """Hari ini: due and overdue monitoring, each one tap from its monitoring form."""
    if not _reaches(ctx.user, Perm.HEALTH_RECORD):
        return None
    data = _worklist(ctx)
    todo = [i for i in data["items"] if i.status != "done"]
    items = []
    for work in todo[:SHOWN]:
        subject = work.subject
        case_id = subject.pk if work.kind == "case" else subject.case_id
        url = reverse("health:case", args=[case_id]) if case_id else reverse("health:contacts")
        overdue = work.status == "overdue"
        badges = [(_("overdue"), "danger") if overdue else (_("due"), "warn")]
        if work.last_triage:
            badges.append(
                (
                    str(TRIAGE_LABELS.get(work.last_triage, work.last_triage)),
                    _tone(work.last_triage),
                )
            )
        if work.kind == "contact":
            badges.append((_("quarantine"), ""))
        items.append(
            Item(
                label=subject.resident.name,
                url=url,
                detail=" · ".join(
                    part
                    for part in (
                        rt_label(subject.rt.code),
                        str(SLOT_LABELS.get(data["slot"], data["slot"])),
                        _("last: %(when)s") % {"when": _when(work.last_at)}
                        if work.last_at
                        else _("not visited yet"),
                    )
                    if part
                ),
                badges=badges,
                action=Link(_("Record monitoring"), f"{url}#pantau") if case_id else None,
            )
        )
    health_selectors.audit_list(ctx.user, "health.worklist", None, len(items))
    return Section(
        key="visits",
        title=_("Today: monitoring visits"),
        items=items,
        empty=_("No visit due in this slot."),
        actions=[
            Link(
                _("Full worklist (%(count)s to visit)") % {"count": len(todo)},
                reverse("health:worklist"),
            )
        ],
    )


@section(Role.RELAWAN)
def tasks(ctx: HomeContext) -> Section | None:
    if not _can(ctx.user, Perm.VOLUNTEER_WORK):
        return None
    mine = list(volunteer_selectors.my_tasks(ctx.user)[:SHOWN])  # subjects named for the user
    items = []
    for task in mine:
        task_url = reverse("volunteers:task", args=[task.pk])
        subject = task.subject_name
        badges = [(str(task.get_kind_display()), "")] if subject else []
        badges.append((str(task.get_state_display()), ""))
        if task.due_at and task.due_at < ctx.now:
            badges.append((_("overdue"), "danger"))
        items.append(
            Item(
                label=task.subject_name if subject else task.display_title,
                url=task.subject_url if subject else task_url,
                detail=" · ".join(
                    p
                    for p in (
                        "" if subject else task.territory.display_name,
                        _("due %(when)s") % {"when": _when(task.due_at)} if task.due_at else "",
                    )
                    if p
                ),
                badges=badges,
                action=Link(_("Open task"), task_url),
            )
        )
    return Section(
        key="tasks",
        title=_("My tasks"),
        items=items,
        empty=_("Nothing to do right now."),
        actions=[Link(_("All my tasks"), reverse("volunteers:my_tasks"))],
    )


@section(Role.RELAWAN)
def shifts(ctx: HomeContext) -> Section | None:
    if not _can(ctx.user, Perm.VOLUNTEER_WORK):
        return None
    places = list(volunteer_selectors.my_shifts(ctx.user, now=ctx.now)[:4])
    items = []
    for place in places:
        shift = place.shift
        url = reverse("volunteers:shift", args=[shift.pk])
        action = None
        if place.checked_in_at is None and shift.starts_at - dt.timedelta(hours=1) <= ctx.now:
            action = Link(
                _("Check in"), reverse("volunteers:shift_action", args=[shift.pk, "checkin"]), True
            )
        elif place.checked_in_at is not None and place.checked_out_at is None:
            action = Link(
                _("Check out"),
                reverse("volunteers:shift_action", args=[shift.pk, "checkout"]),
                True,
            )
        items.append(
            Item(
                label=f"{shift.name} · {shift.posko.name}",
                url=url,
                detail=f"{_when(shift.starts_at)}–{timezone.localtime(shift.ends_at):%H:%M}",
                badges=[(_("checked in"), "ok")] if place.checked_in_at else [],
                action=action,
            )
        )
    return Section(
        key="shifts",
        title=_("My next shifts"),
        items=items,
        empty=_("You are on no shift yet."),
        actions=[Link(_("Roster"), reverse("volunteers:roster"))],
    )


# ---------------------------------------------------------------- pengurus RT/RW


@section(Role.PENGURUS)  # first after the alerts: the pengurus' one-tap forms
def quick_actions(ctx: HomeContext) -> Section | None:
    actions = []
    if _reaches(ctx.user, Perm.REGISTRY_CHANGE):
        actions.append(Link(_("Add a household"), reverse("registry:household_create")))
    if _reaches(ctx.user, Perm.HEALTH_RECORD):
        actions.append(Link(_("Record a newcomer"), reverse("health:newcomers") + "#catat"))
    if _reaches(ctx.user, Perm.LOGISTICS_RECORD):
        actions.append(Link(_("Record a delivery"), reverse("logistics:aid")))
    if not actions:
        return None
    return Section(key="quick", title=_("Quick actions"), actions=actions, tiles=True)


@section(Role.PENGURUS)
def isolating(ctx: HomeContext) -> Section | None:
    """Isolating households and when their aid last came (over 24 hours: flagged)."""
    if not _reaches(ctx.user, Perm.HEALTH_VIEW):
        return None
    cases = list(health_selectors.isolating_in_reach(ctx.user, ctx.today)[:50])
    by_household: dict[int, Any] = {}
    for case in cases:
        if case.household_id is not None:  # always: isolating cases are at home
            by_household.setdefault(case.household_id, case)
    last = logistics_selectors.last_delivery_at(list(by_household))
    items = []
    for household_id, case in list(by_household.items())[:SHOWN]:
        delivered = last.get(household_id)
        since = delivered or case.created_at
        late = ctx.now - since > dt.timedelta(hours=24)
        household = case.household
        head = household.head.name if household.head else household.address
        items.append(
            Item(
                label=head,
                url=reverse("registry:household_detail", args=[household_id]),
                detail=" · ".join(
                    (
                        rt_label(case.rt.code),
                        _("isolating until %(day)s")
                        % {"day": _day(case.extended_until or case.isolation_ends_on)},
                        _("last aid %(when)s") % {"when": _when(delivered)}
                        if delivered
                        else _("no aid delivered yet"),
                    )
                ),
                badges=[(_("aid over 24 h ago"), "danger")] if late else [(_("aid on time"), "ok")],
                action=Link(_("Record a delivery"), reverse("logistics:aid")) if late else None,
            )
        )
    if items:
        health_selectors.audit_list(ctx.user, "health.case", None, len(items))
    return Section(
        key="isolating",
        title=_("Isolating households and their aid"),
        items=items,
        empty=_("No household is isolating at home."),
        actions=[Link(_("Aid and deliveries"), reverse("logistics:aid"))],
    )


@section(Role.PENGURUS)
def newcomers(ctx: HomeContext) -> Section | None:
    if not _reaches(ctx.user, Perm.HEALTH_RECORD):
        return None
    recent = list(
        health_selectors.newcomers(ctx.user)
        .filter(arrived_on__gte=ctx.today - dt.timedelta(days=14), test_result="")
        .select_related("rt")[:SHOWN]
    )
    items = [
        Item(
            label=n.name,
            url=reverse("health:newcomers"),
            detail=f"{rt_label(n.rt.code)} · {_('arrived %(day)s') % {'day': _day(n.arrived_on)}}",
            badges=[(_("no test result"), "warn")],
        )
        for n in recent
    ]
    return Section(
        key="newcomers",
        title=_("Newcomers"),
        items=items,
        empty=_("No newcomer waiting for a test result."),
        actions=[Link(_("Record a newcomer"), reverse("health:newcomers") + "#catat")],
    )


@section(Role.PENGURUS)
def roster_gaps(ctx: HomeContext) -> Section | None:
    if not _reaches(ctx.user, Perm.VOLUNTEER_VIEW):
        return None
    gaps = list(
        volunteer_selectors.roster_gaps(
            volunteer_selectors.shifts(ctx.user),
            start=ctx.today,
            end=ctx.today + dt.timedelta(days=7),
        )[:SHOWN]
    )
    items = [
        Item(
            label=f"{s.name} · {s.posko.name}",
            url=reverse("volunteers:shift", args=[s.pk]),
            detail=_when(s.starts_at),
            badges=[
                (
                    _("%(people)s of %(min)s people")
                    % {"people": getattr(s, "people", 0), "min": s.min_people},
                    "warn",
                )
            ],
        )
        for s in gaps
    ]
    return Section(
        key="roster",
        title=_("Roster gaps (next 7 days)"),
        items=items,
        empty=_("Every shift of the week has its people."),
        actions=[Link(_("Roster"), reverse("volunteers:roster"))],
    )


@section(Role.PENGURUS)
def low_stock(ctx: HomeContext) -> Section | None:
    if not _reaches(ctx.user, Perm.LOGISTICS_VIEW):
        return None
    low = list(logistics_selectors.low_stock(ctx.user)[:SHOWN])
    items = [
        Item(
            label=item.name,
            url=reverse("logistics:stock"),
            detail=f"{item.rw.display_name}",
            badges=[
                (
                    f"{formats.number_format(getattr(item, 'on_hand', 0) or 0, 0)} {item.unit}",
                    "warn",
                )
            ],
        )
        for item in low
    ]
    return Section(
        key="stock",
        title=_("Low stock"),
        items=items,
        empty=_("No item is running low."),
        actions=[Link(_("Lumbung pangan stock"), reverse("logistics:stock"))],
    )


@section(Role.PENGURUS)
def complaints(ctx: HomeContext) -> Section | None:
    if not _reaches(ctx.user, Perm.COMPLAINT_HANDLE):
        return None
    queue = list(
        assessment_selectors.complaint_queue(ctx.user, open_only=True, now=ctx.now)[:SHOWN]
    )
    items = [
        Item(
            label=c.get_category_display(),
            url=reverse("assessment:complaint", args=[c.pk]),
            detail=" · ".join(
                (
                    Truncator(c.description).chars(60),
                    rt_label(c.rt.code),
                    str(c.get_state_display()),
                    _when(c.created_at),
                )
            ),
            badges=[(_("overdue"), "danger")] if getattr(c, "overdue", False) else [],
        )
        for c in queue
    ]
    return Section(
        key="complaints",
        title=_("Open complaints"),
        items=items,
        empty=_("No open complaint."),
        actions=[Link(_("Complaints"), reverse("assessment:complaints"))],
    )


# ---------------------------------------------------------------- puskesmas staff


@section(Role.PUSKESMAS)
def referral_inbox(ctx: HomeContext) -> Section | None:
    """Incoming referrals of the working area: new first, darurat first, longest waiting first;
    a new one is acknowledged in one tap."""
    refs = list(health_selectors.referral_inbox(ctx.user)[:SHOWN])
    if refs:
        health_selectors.audit_list(ctx.user, "health.referral", None, len(refs))
    items = []
    for ref in refs:
        item = _referral_item(ref, ctx.now)
        if ref.state == "dibuat":
            item.action = Link(
                _("Acknowledge"), reverse("health:referral_acknowledge", args=[ref.pk]), post=True
            )
        items.append(item)
    return Section(
        key="referral_inbox",
        title=_("Incoming referrals"),
        items=items,
        empty=_("No referral waiting."),
        actions=[Link(_("Referral inbox"), reverse("health:referral_inbox"))],
        alert=any(r.state == "dibuat" and r.acknowledge_by < ctx.now for r in refs),
    )


@section(Role.PUSKESMAS)
def isolations_ending(ctx: HomeContext) -> Section | None:
    cases = list(health_selectors.isolations_ending(ctx.user, ctx.today)[:SHOWN])
    if cases:
        health_selectors.audit_list(ctx.user, "health.case", None, len(cases))
    return Section(
        key="isolations_ending",
        title=_("Isolations due to end"),
        items=[
            Item(
                label=case.resident.name,
                url=reverse("health:case", args=[case.pk]),
                detail=f"{rt_label(case.rt.code)} · {_day(case.isolation_ends_on)}",
                badges=[(_("overdue"), "danger")] if case.isolation_ends_on < ctx.today else [],
            )
            for case in cases
        ],
        empty=_("No isolation ends in the next two days."),
        actions=[Link(_("Cases"), reverse("health:cases"))],
    )


@section(Role.PUSKESMAS)
def contacts_to_test(ctx: HomeContext) -> Section | None:
    contacts = list(health_selectors.contacts_due_for_test(ctx.user, ctx.today)[:SHOWN])
    if contacts:
        health_selectors.audit_list(ctx.user, "health.contact", None, len(contacts))
    return Section(
        key="contacts_to_test",
        title=_("Contacts due for testing"),
        items=[
            Item(
                label=contact.resident.name,
                url=reverse("health:case", args=[contact.case_id]),
                detail=" · ".join(
                    (
                        rt_label(contact.rt.code),
                        str(_("entry test"))
                        if not contact.entry_test_result
                        else str(_("exit test")),
                        _day(contact.quarantine_ends_on),
                    )
                ),
            )
            for contact in contacts
        ],
        empty=_("No contact is due for a test."),
        actions=[Link(_("Contacts"), reverse("health:contacts"))],
    )


# ---------------------------------------------------------------- fasilitator


def _area(ctx: HomeContext) -> Territory | None:
    """The highest territory the user may view (a facilitator's area)."""

    def find() -> Territory | None:
        reach = policy.scope_for(ctx.user, Perm.TERRITORY_VIEW)
        if reach.everywhere:
            return (
                Territory.objects.filter(code="33.74").first()
                or Territory.objects.order_by("level", "id").first()
            )
        if not reach.ranges:
            return None
        lows = [low for low, _high in reach.ranges]
        return Territory.objects.filter(id__in=lows).order_by("level", "id").first()

    return ctx.once("area", find)


ZONE_LABELS = {
    "merah": gettext_lazy("Red (merah)"),
    "oranye": gettext_lazy("Orange (oranye)"),
    "kuning": gettext_lazy("Yellow (kuning)"),
    "hijau": gettext_lazy("Green (hijau)"),
}


@section(Role.FASILITATOR, Role.ADMIN)
def zone_board(ctx: HomeContext) -> Section | None:
    area = _area(ctx)
    if area is None:
        return None
    counts = zoning.summary(zoning.zones_on(ctx.today, area))
    url = reverse("health:zones") + f"?wilayah={area.code}"
    items = [
        Item(
            label=str(ZONE_LABELS[zone]),
            url=url,
            detail=_("%(count)s RT") % {"count": counts.get(zone, 0)},
            badges=[(str(counts.get(zone, 0)), f"zone-{zone}")],
        )
        for zone in ("merah", "oranye", "kuning", "hijau")
    ]
    return Section(
        key="zones",
        title=_("Zone board: %(area)s") % {"area": area.display_name},
        items=items,
        actions=[Link(_("Open the zone board"), url)],
    )


@section(Role.FASILITATOR, Role.ADMIN)
def referrals_waiting(ctx: HomeContext) -> Section | None:
    """Open referrals, emergencies and overdue acknowledgements first (the puskesmas' queue)."""
    if not _reaches(ctx.user, Perm.HEALTH_VIEW):
        return None
    refs = list(health_selectors.open_referrals(ctx.user)[:SHOWN])
    if refs:
        health_selectors.audit_list(ctx.user, "health.referral", None, len(refs))
    overdue = sum(1 for r in refs if r.state == "dibuat" and r.acknowledge_by < ctx.now)
    return Section(
        key="referrals",
        title=_("Referrals waiting"),
        items=[_referral_item(ref, ctx.now) for ref in refs],
        empty=_("No referral waiting."),
        actions=[Link(_("All referrals"), reverse("health:referrals"))],
        alert=bool(overdue),
    )


@section(Role.FASILITATOR, Role.ADMIN)
def decisions(ctx: HomeContext) -> Section | None:
    items = []
    for proposal in commissioning_selectors.proposals_to_assess(ctx.user, today=ctx.today)[:SHOWN]:
        items.append(
            Item(
                label=proposal.title,
                url=reverse("commissioning:assess", args=[proposal.pk]),
                detail=" · ".join(
                    (
                        proposal.territory.display_name,
                        proposal.round.title if proposal.round else "",
                    )
                ),
                badges=[(_("to assess"), "warn")],
            )
        )
    for spent in logistics_selectors.spending_to_approve(ctx.user)[:SHOWN]:
        items.append(
            Item(
                label=spent.purpose,
                url=reverse("logistics:money"),
                detail=f"{spent.rw.display_name} · Rp {formats.number_format(spent.amount, 0)}"
                f" · {_day(spent.spent_on)}",
                badges=[(_("to approve"), "warn")],
            )
        )
    if not items and not (
        _reaches(ctx.user, Perm.ROUND_MANAGE) or _reaches(ctx.user, Perm.LOGISTICS_MANAGE)
    ):
        return None
    return Section(
        key="decisions",
        title=_("Decisions waiting"),
        items=items,
        empty=_("No proposal to assess, no spending to approve."),
        actions=[
            Link(_("Budget rounds"), reverse("commissioning:rounds")),
            Link(_("Money"), reverse("logistics:money")),
        ],
    )


def _value(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    text = formats.number_format(value, 1 if isinstance(value, float) else 0)
    return {"percent": f"{text}%", "minutes": f"{text} min", "hours": f"{text} h"}.get(unit, text)


@section(Role.FASILITATOR, Role.ADMIN)
def indicators(ctx: HomeContext) -> Section | None:
    if not _can(ctx.user, Perm.INDICATOR_VIEW):
        return None
    territory = indicator_selectors.default_territory(ctx.user)
    if territory is None:
        return None
    day_from, day_to = indicator_selectors.default_period(ctx.today)
    headline = [
        s for s in indicator_selectors.series(territory, day_from, day_to) if s.indicator.headline
    ]
    url = reverse("indicators:dashboard") + f"?territory={territory.code}"
    items = [
        Item(
            label=str(s.indicator.label),
            url=url,
            detail=_value(s.total, s.indicator.unit),
        )
        for s in headline[:6]
    ]
    return Section(
        key="indicators",
        title=_("Indicators in brief: %(area)s, last 90 days") % {"area": territory.display_name},
        items=items,
        actions=[
            Link(_("All indicators"), url),
            Link(_("Volunteer report (Laporan Kinerja Relawan)"), reverse("assessment:report")),
        ],
    )


# ---------------------------------------------------------------- warga


def _households(ctx: HomeContext) -> list[Household]:
    def find() -> list[Household]:
        ids = sorted(policy.scope_for(ctx.user, Perm.REGISTRY_VIEW).households)
        return list(
            Household.objects.filter(pk__in=ids).select_related("head", "rt__parent").order_by("pk")
        )

    return ctx.once("households", find)


@section(Role.WARGA)
def my_household(ctx: HomeContext) -> Section | None:
    households = _households(ctx)
    if not households:
        return None
    return Section(
        key="household",
        title=_("My household"),
        items=[
            Item(
                label=h.head.name if h.head else h.address,
                url=reverse("registry:household_detail", args=[h.pk]),
                detail=f"{h.address} · {rt_label(h.rt.code)}",
            )
            for h in households
        ],
    )


@section(Role.WARGA)
def self_report(ctx: HomeContext) -> Section | None:
    if not _can(ctx.user, Perm.HEALTH_SELF_REPORT):
        return None
    cases = list(health_selectors.active_cases_of_households(ctx.user)[:SHOWN])
    items = []
    for case in cases:
        url = reverse("health:case", args=[case.pk])
        items.append(
            Item(
                label=case.resident.name,
                url=url,
                detail=_("isolation ends %(day)s")
                % {"day": _day(case.extended_until or case.isolation_ends_on)},
                action=Link(_("Self-report today"), f"{url}#pantau"),
            )
        )
    return Section(
        key="self_report",
        title=_("Isolation and self-report"),
        items=items,
        empty=_("Nobody in your household is isolating."),
        alert=bool(items),
    )


@section(Role.WARGA)
def open_vote(ctx: HomeContext) -> Section | None:
    if not _can(ctx.user, Perm.COMMUNITY_VIEW):
        return None
    rounds = list(commissioning_selectors.open_votes(ctx.user, today=ctx.today)[:SHOWN])
    return Section(
        key="vote",
        title=_("Vote on the budget"),
        items=[
            Item(
                label=r.title,
                url=reverse("commissioning:round", args=[r.pk]),
                detail=_("voting until %(day)s") % {"day": _day(r.voting_until)},
                action=Link(_("Vote"), reverse("commissioning:round", args=[r.pk])),
            )
            for r in rounds
        ],
        empty=_("No vote is open."),
        actions=[Link(_("Needs and proposals"), reverse("commissioning:needs"))],
    )


@section(Role.WARGA)
def feedback(ctx: HomeContext) -> Section | None:
    if not _can(ctx.user, Perm.COMPLAINT_FILE):
        return None
    mine = list(assessment_selectors.my_complaints(ctx.user, now=ctx.now)[:3])
    return Section(
        key="feedback",
        title=_("Feedback and complaints"),
        items=[
            Item(
                label=c.get_category_display(),
                url=reverse("assessment:complaint", args=[c.pk]),
                detail=f"{c.get_state_display()} · {_when(c.created_at)}",
            )
            for c in mine
        ],
        actions=[
            Link(_("Rate a service"), reverse("assessment:home")),
            Link(_("File a complaint"), reverse("assessment:complaint_new")),
        ],
    )


@section(Role.WARGA)
def aid_received(ctx: HomeContext) -> Section | None:
    households = _households(ctx)
    if not households:
        return None
    delivered = list(
        logistics_selectors.deliveries(ctx.user)
        .filter(household_id__in=[h.pk for h in households])
        .order_by("-delivered_at", "-id")[:5]
    )
    return Section(
        key="aid",
        title=_("Aid received"),
        items=[
            Item(
                label=_when(d.delivered_at),
                url=reverse("logistics:aid"),
                detail=_("received by %(name)s") % {"name": d.received_by},
            )
            for d in delivered
        ],
        empty=_("No aid delivered to your household yet."),
        actions=[
            Link(_("Ask for aid"), reverse("logistics:aid_request") + f"?household={h.pk}")
            for h in households
            if policy.can_act_on(ctx.user, Perm.LOGISTICS_REQUEST, h)
        ],
    )


@section(Role.WARGA)
def public_pages(ctx: HomeContext) -> Section | None:
    rws = {h.rt.parent for h in _households(ctx) if h.rt.parent is not None}
    actions = []
    for rw in sorted(rws, key=lambda t: t.pk):
        actions.append(
            Link(
                _("Transparency of %(rw)s") % {"rw": rw.display_name},
                reverse("transparency:rw", args=[rw.code]),
            )
        )
        actions.append(
            Link(
                _("Accountability of %(rw)s") % {"rw": rw.display_name},
                reverse("planning:accountability", args=[rw.code]),
            )
        )
    if not actions:
        return None
    return Section(key="public", title=_("Public pages of my RW"), actions=actions, tiles=True)
