"""Reads of health records, always through the access policy; every view of a record (and of a
list of records) is written to the audit trail."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import Count, IntegerField, Max, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from siaga.core import audit, policy
from siaga.core.models import AuditAction
from siaga.core.policy import in_subtree
from siaga.core.roles import Perm
from siaga.health import protocols as rules
from siaga.health.models import (
    TRIAGE_RANK,
    Case,
    Contact,
    ContactStatus,
    Destination,
    IsolationPlace,
    Monitoring,
    Newcomer,
    OnwardReferral,
    OnwardState,
    Protocol,
    ProtocolKind,
    Puskesmas,
    Referral,
    ReferralState,
    Vaccination,
)
from siaga.registry.models import LANSIA_AGE, Resident, _years_before
from siaga.territory.models import Territory
from siaga.volunteers.models import Task

# ---------------------------------------------------------------- audit of views


def audit_view(user: Any, obj: Any) -> None:
    audit.record(actor=user, action=AuditAction.VIEW, obj=obj, territory_id=obj.rt_id)


def audit_list(user: Any, object_type: str, territory: Territory | None, count: int) -> None:
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        object_type=object_type,
        territory_id=territory.pk if territory is not None else None,
        summary=f"list of {count}",
    )


def _within(queryset: QuerySet[Any], territory: Territory | None) -> QuerySet[Any]:
    return (
        queryset.filter(in_subtree("rt_id", territory.bounds))
        if territory is not None
        else queryset
    )


# ---------------------------------------------------------------- cases


def cases(
    user: Any, *, territory: Territory | None = None, active: bool | None = None
) -> QuerySet[Case]:
    queryset = policy.scope(
        Case.objects.select_related("resident", "rt", "protocol"), user, Perm.HEALTH_VIEW
    )
    queryset = _within(queryset, territory)
    if active is True:
        queryset = queryset.filter(outcome="")
    elif active is False:
        queryset = queryset.exclude(outcome="")
    return queryset.order_by("-specimen_on", "-id")


def case_for_view(user: Any, pk: Any) -> Case:
    case = policy.get_or_404(
        Case.objects.select_related("resident", "rt", "protocol", "household"),
        user,
        Perm.HEALTH_VIEW,
        pk=pk,
    )
    audit_view(user, case)
    return case


def case_for_record(user: Any, pk: Any) -> Case:
    """A case the user may add monitoring to (health team, or the resident's household)."""
    queryset = Case.objects.select_related("resident", "protocol")
    try:
        return policy.get_or_404(queryset, user, Perm.HEALTH_RECORD, pk=pk)
    except Http404:
        return policy.get_or_404(queryset, user, Perm.HEALTH_SELF_REPORT, pk=pk)


def case_for_change(user: Any, pk: Any) -> Case:
    return policy.get_or_404(
        Case.objects.select_related("resident", "protocol"), user, Perm.HEALTH_RECORD, pk=pk
    )


def case_for_manage(user: Any, pk: Any) -> Case:
    return policy.get_or_404(
        Case.objects.select_related("resident", "protocol"), user, Perm.HEALTH_MANAGE, pk=pk
    )


def monitoring_of(subject: Case | Contact) -> QuerySet[Monitoring]:
    queryset = Monitoring.objects.select_related("recorder")
    lookup: dict[str, Any] = (
        {"case": subject} if isinstance(subject, Case) else {"contact": subject}
    )
    return queryset.filter(**lookup).order_by("-taken_at", "-id")


# ---------------------------------------------------------------- referrals


def referrals(
    user: Any, *, territory: Territory | None = None, state: str = ""
) -> QuerySet[Referral]:
    queryset = policy.scope(
        Referral.objects.select_related("resident", "rt", "puskesmas"), user, Perm.HEALTH_VIEW
    )
    queryset = _within(queryset, territory)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("state", "acknowledge_by", "-id")


def referral_for_view(user: Any, pk: Any) -> Referral:
    referral = policy.get_or_404(
        Referral.objects.select_related("resident", "rt", "case", "puskesmas"),
        user,
        Perm.HEALTH_VIEW,
        pk=pk,
    )
    audit_view(user, referral)
    return referral


def referral_for_manage(user: Any, pk: Any) -> Referral:
    return policy.get_or_404(
        Referral.objects.select_related("case", "puskesmas"), user, Perm.HEALTH_MANAGE, pk=pk
    )


def referral_inbox(user: Any) -> QuerySet[Referral]:
    """The referrals waiting for ``user`` as puskesmas staff (or kelurahan facilitator): new and
    acknowledged ones of their area, new first, then darurat before rujuk, longest waiting first.
    Each carries ``onward_open``: the destination it is on the way to, if any."""
    open_onward = Prefetch(
        "onward",
        queryset=OnwardReferral.objects.filter(state=OnwardState.DIKIRIM).select_related(
            "destination"
        ),
        to_attr="onward_open",
    )
    queryset = policy.scope(
        Referral.objects.select_related("resident", "rt", "puskesmas").prefetch_related(
            open_onward
        ),
        user,
        Perm.HEALTH_MANAGE,
    )
    return (
        queryset.filter(state__in=[ReferralState.DIBUAT, ReferralState.DITERIMA])
        .annotate(
            new_first=CaseWhen(
                When(state=ReferralState.DIBUAT, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            urgency=CaseWhen(
                When(level="darurat", then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("new_first", "urgency", "created_at", "id")
    )


def onward_of(referral: Referral) -> list[OnwardReferral]:
    return list(
        OnwardReferral.objects.filter(referral=referral)
        .select_related("destination")
        .order_by("-created_at", "-id")
    )


def onward_for_manage(user: Any, pk: Any) -> OnwardReferral:
    return policy.get_or_404(
        OnwardReferral.objects.select_related("referral", "destination"),
        user,
        Perm.HEALTH_MANAGE,
        pk=pk,
    )


# ---------------------------------------------------------------- puskesmas and destinations


def puskesmas_list(user: Any) -> QuerySet[Puskesmas]:
    """The puskesmas ``user`` manages (by where they stand) or works at."""
    managed = policy.scope_q(Puskesmas, user, Perm.PUSKESMAS_MANAGE)
    queryset = Puskesmas.objects.all()
    if managed is not None:
        queryset = queryset.filter(managed | Q(staff=user)).distinct()
    return (
        queryset.select_related("territory")
        .prefetch_related("area_rows__kelurahan", "staff")
        .order_by("name")
    )


def puskesmas_for_manage(user: Any, pk: Any) -> Puskesmas:
    return policy.get_or_404(
        Puskesmas.objects.select_related("territory"), user, Perm.PUSKESMAS_MANAGE, pk=pk
    )


def destinations(*, active_only: bool = False) -> QuerySet[Destination]:
    """Hospitals and isolation centres: reference data with no personal data, open to every
    health manager choosing where to send a resident."""
    queryset = Destination.objects.select_related("territory")
    if active_only:
        queryset = queryset.filter(active=True)
    return queryset.order_by("kind", "name")


def destination_for_manage(user: Any, pk: Any) -> Destination:
    return policy.get_or_404(
        Destination.objects.select_related("territory"), user, Perm.PUSKESMAS_MANAGE, pk=pk
    )


# ---------------------------------------------------------------- contacts, newcomers, doses


def contacts(
    user: Any, *, territory: Territory | None = None, status: str = ""
) -> QuerySet[Contact]:
    queryset = policy.scope(
        Contact.objects.select_related("resident", "rt", "case"), user, Perm.HEALTH_VIEW
    )
    queryset = _within(queryset, territory)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-last_exposure_on", "-id")


def contact_for_view(user: Any, pk: Any) -> Contact:
    contact = policy.get_or_404(
        Contact.objects.select_related("resident", "rt", "case"), user, Perm.HEALTH_VIEW, pk=pk
    )
    audit_view(user, contact)
    return contact


def contact_for_change(user: Any, pk: Any) -> Contact:
    return policy.get_or_404(
        Contact.objects.select_related("resident", "protocol"), user, Perm.HEALTH_RECORD, pk=pk
    )


def contact_for_record(user: Any, pk: Any) -> Contact:
    queryset = Contact.objects.select_related("resident", "protocol")
    try:
        return policy.get_or_404(queryset, user, Perm.HEALTH_RECORD, pk=pk)
    except Http404:
        return policy.get_or_404(queryset, user, Perm.HEALTH_SELF_REPORT, pk=pk)


def newcomers(user: Any, *, territory: Territory | None = None) -> QuerySet[Newcomer]:
    queryset = policy.scope(
        Newcomer.objects.select_related("rt", "household"), user, Perm.HEALTH_VIEW
    )
    return _within(queryset, territory).order_by("-arrived_on", "-id")


def newcomer_for_view(user: Any, pk: Any) -> Newcomer:
    newcomer = policy.get_or_404(
        Newcomer.objects.select_related("rt", "household"), user, Perm.HEALTH_VIEW, pk=pk
    )
    audit_view(user, newcomer)
    return newcomer


def newcomer_for_change(user: Any, pk: Any) -> Newcomer:
    return policy.get_or_404(Newcomer.objects.all(), user, Perm.HEALTH_RECORD, pk=pk)


def vaccinations(
    user: Any, *, territory: Territory | None = None, resident: int | None = None
) -> QuerySet[Vaccination]:
    queryset = policy.scope(
        Vaccination.objects.select_related("resident", "rt"), user, Perm.HEALTH_VIEW
    )
    queryset = _within(queryset, territory)
    if resident is not None:
        queryset = queryset.filter(resident_id=resident)
    return queryset.order_by("rt_id", "resident_id", "dose")


def vaccination_for_change(user: Any, pk: Any) -> Vaccination:
    return policy.get_or_404(Vaccination.objects.all(), user, Perm.HEALTH_RECORD, pk=pk)


COMPLETE_DOSES = 2


def outreach(
    user: Any, *, territory: Territory | None = None, today: dt.date | None = None
) -> QuerySet[Resident]:
    """Residents aged 60+ or with a comorbidity who have fewer than two doses, by RT."""
    today = today or timezone.localdate()
    queryset = policy.scope(Resident.objects.select_related("rt"), user, Perm.HEALTH_VIEW)
    if territory is not None:
        queryset = queryset.filter(in_subtree("rt_id", territory.bounds))
    priority = Q(birth_date__lte=_years_before(today, LANSIA_AGE)) | ~Q(comorbidities=[])
    return (
        queryset.filter(priority, status__in=["tetap", "pendatang"])
        .annotate(doses=Count("vaccinations"))
        .filter(doses__lt=COMPLETE_DOSES)
        .order_by("rt_id", "name", "id")
    )


# ---------------------------------------------------------------- worklist


@dataclass
class WorkItem:
    subject: Case | Contact
    kind: str  # "case" | "contact"
    slot_done: bool
    status: str  # done | due | overdue
    at_risk: bool
    last_triage: str
    last_at: dt.datetime | None
    task: Any = None  # the volunteers' monitoring Task of this slot, if the rule made one


def monitoring_task_key(kind: str, subject_id: int, day: dt.date, slot: str) -> str:
    """The ``source_key`` of the volunteer task made for a due monitoring slot (one mechanism:
    ``siaga.health.services.ensure_monitoring_tasks`` writes the same key)."""
    return f"monitoring:{kind}:{subject_id}:{day:%Y-%m-%d}:{slot}"


def _attach_monitoring_tasks(items: list[WorkItem], day: dt.date, slot: str) -> None:
    """The task state and assignee of each item's slot, in one query."""
    keys = {monitoring_task_key(i.kind, i.subject.pk, day, slot): i for i in items}
    if not keys:
        return
    for task in Task.objects.filter(source_key__in=list(keys)).select_related(
        "assignee", "team", "taken_by"
    ):
        keys[task.source_key].task = task


def monitored_subjects(
    queryset_cases: QuerySet[Case], queryset_contacts: QuerySet[Contact], day: dt.date
) -> tuple[list[Case], list[Contact]]:
    cases_ = list(
        queryset_cases.filter(
            outcome="", isolation_place=IsolationPlace.ISOMAN, specimen_on__lte=day
        )
    )
    contacts_ = list(
        queryset_contacts.filter(
            status=ContactStatus.KARANTINA, quarantine_ends_on__gte=day, last_exposure_on__lte=day
        )
    )
    return cases_, contacts_


def unmonitored(*, day: dt.date, slot: str) -> list[Case | Contact]:
    """Every isolating (isoman) case and quarantined contact with no record in this slot."""
    cases_, contacts_ = monitored_subjects(Case.objects.all(), Contact.objects.all(), day)
    done_cases = set(
        Monitoring.objects.filter(day=day, slot=slot, case__isnull=False).values_list(
            "case_id", flat=True
        )
    )
    done_contacts = set(
        Monitoring.objects.filter(day=day, slot=slot, contact__isnull=False).values_list(
            "contact_id", flat=True
        )
    )
    missing: list[Case | Contact] = [c for c in cases_ if c.pk not in done_cases]
    missing += [c for c in contacts_ if c.pk not in done_contacts]
    return missing


def worklist(
    user: Any, *, territory: Territory | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Who is due, overdue (no record in a slot whose deadline passed) or at risk, per slot, in a
    fixed number of queries."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    day = local.date()
    params = rules.triage_params(rules.in_force(ProtocolKind.TRIAGE, day))
    slot = "pagi" if local.time() < params.pagi_until else "sore"
    cases_qs = _within(
        policy.scope(Case.objects.select_related("resident", "rt"), user, Perm.HEALTH_VIEW),
        territory,
    )
    contacts_qs = _within(
        policy.scope(Contact.objects.select_related("resident", "rt"), user, Perm.HEALTH_VIEW),
        territory,
    )
    cases_, contacts_ = monitored_subjects(cases_qs, contacts_qs, day)
    records = Monitoring.objects.filter(
        Q(case_id__in=[c.pk for c in cases_]) | Q(contact_id__in=[c.pk for c in contacts_]),
        taken_at__gte=now - dt.timedelta(hours=24),
        taken_at__lte=now,
    ).values("case_id", "contact_id", "day", "slot", "triage", "taken_at")
    by_subject: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in records:
        key = ("case", row["case_id"]) if row["case_id"] else ("contact", row["contact_id"])
        by_subject[key].append(dict(row))
    open_refs = set(
        Referral.objects.filter(
            Q(case_id__in=[c.pk for c in cases_]) | Q(contact_id__in=[c.pk for c in contacts_])
        )
        .exclude(state=ReferralState.SELESAI)
        .values_list("case_id", "contact_id")
    )
    referred_cases = {c for c, _ in open_refs if c}
    referred_contacts = {c for _, c in open_refs if c}
    items: list[WorkItem] = []
    for kind, subjects, referred in (
        ("case", cases_, referred_cases),
        ("contact", contacts_, referred_contacts),
    ):
        for subject in subjects:
            rows = sorted(by_subject.get((kind, subject.pk), []), key=lambda r: r["taken_at"])
            in_slot = any(r["day"] == day and r["slot"] == slot for r in rows)
            pagi_missed = slot == "sore" and not any(
                r["day"] == day and r["slot"] == "pagi" for r in rows
            )
            last = rows[-1] if rows else None
            last_triage = last["triage"] if last else ""
            recheck_due = (
                last is not None
                and last_triage == "waspada"
                and now - last["taken_at"] >= dt.timedelta(hours=params.recheck_hours)
            )
            at_risk = subject.pk in referred or any(
                TRIAGE_RANK[r["triage"]] >= TRIAGE_RANK["waspada"] for r in rows
            )
            if in_slot and not recheck_due:
                status = "done"
            elif pagi_missed or recheck_due:
                status = "overdue"
            else:
                status = "due"
            items.append(
                WorkItem(
                    subject,
                    kind,
                    in_slot,
                    status,
                    at_risk,
                    last_triage,
                    last["taken_at"] if last else None,
                )
            )
    order = {"overdue": 0, "due": 1, "done": 2}
    items.sort(key=lambda i: (order[i.status], not i.at_risk, i.subject.rt_id, i.subject.pk))
    _attach_monitoring_tasks(items, day, slot)
    return {
        "day": day,
        "slot": slot,
        "items": items,
        "counts": {
            "due": sum(1 for i in items if i.status == "due"),
            "overdue": sum(1 for i in items if i.status == "overdue"),
            "at_risk": sum(1 for i in items if i.at_risk),
            "done": sum(1 for i in items if i.status == "done"),
        },
    }


def last_monitoring_at(case: Case) -> dt.datetime | None:
    return case.monitoring.aggregate(m=Max("taken_at"))["m"]


# ---------------------------------------------------------------- protocols


def protocols() -> QuerySet[Protocol]:
    """Every protocol version, by kind, newest first (protocols are not territorial)."""
    return Protocol.objects.order_by("kind", "-effective_from")


def protocols_in_force(day: dt.date) -> dict[str, int]:
    """The id of the version of each kind in force on ``day`` (kinds without versions omitted)."""
    in_force: dict[str, int] = {}
    for kind in ProtocolKind.values:
        if Protocol.objects.filter(kind=kind).exists():
            in_force[kind] = rules.in_force(kind, day).pk
    return in_force


def protocol_for_view(user: Any, pk: Any) -> Protocol:
    """A protocol for anyone who may read health data; 404 for everyone else."""
    if policy.scope_for(user, Perm.HEALTH_VIEW).empty and not policy.is_global(
        user, Perm.HEALTH_PROTOCOL
    ):
        raise Http404("not found")
    protocol = Protocol.objects.filter(pk=pk).first()
    if protocol is None:
        raise Http404("not found")
    return protocol


def isolating_cases(day: dt.date) -> QuerySet[Case]:
    """Cases in isolation at home on ``day`` (no outcome yet, started, not past their end)."""
    return (
        Case.objects.filter(
            outcome="",
            isolation_place=IsolationPlace.ISOMAN,
            household__isnull=False,
            specimen_on__lte=day,
        )
        .filter(Q(isolation_ends_on__gte=day) | Q(extended_until__gte=day))
        .select_related("household__rt")
    )


# An oximeter lent to a household (by the RW's lumbung pangan) counts as the household's own for
# home isolation. Logistics depends on health, so it registers its answer here from its
# AppConfig.ready() instead of health importing logistics.
_OXIMETER_LENDERS: list[Callable[[int, dt.date], bool]] = []


def register_oximeter_lender(lends: Callable[[int, dt.date], bool]) -> None:
    if lends not in _OXIMETER_LENDERS:
        _OXIMETER_LENDERS.append(lends)


def household_has_lent_oximeter(household_id: int, day: dt.date) -> bool:
    return any(lends(household_id, day) for lends in _OXIMETER_LENDERS)


# ---------------------------------------------------------------- home page (siaga.home)


def open_referrals(user: Any) -> QuerySet[Referral]:
    """Referrals not yet completed in the user's area: emergencies first, then the oldest
    acknowledge-by (what a puskesmas or a kelurahan acts on)."""
    rank = CaseWhen(
        *(When(level=level, then=Value(value)) for level, value in TRIAGE_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        policy.scope(
            Referral.objects.select_related("resident", "rt", "case"), user, Perm.HEALTH_VIEW
        )
        .exclude(state=ReferralState.SELESAI)
        .annotate(urgency=rank)
        .order_by("-urgency", "acknowledge_by", "id")
    )


def isolating_in_reach(user: Any, day: dt.date) -> QuerySet[Case]:
    """Cases isolating at home on ``day`` in the user's area, with resident and household."""
    return policy.scope(
        isolating_cases(day).select_related("resident", "rt", "household__head"),
        user,
        Perm.HEALTH_VIEW,
    ).order_by("rt_id", "household_id", "id")


def active_cases_of_households(user: Any) -> QuerySet[Case]:
    """Ongoing cases the user may self-report on (a warga: their own household)."""
    return policy.scope(
        Case.objects.select_related("resident").filter(outcome=""),
        user,
        Perm.HEALTH_SELF_REPORT,
    ).order_by("isolation_ends_on", "id")


def isolations_ending(user: Any, today: dt.date, *, within_days: int = 2) -> QuerySet[Case]:
    """Ongoing cases of the user's area whose isolation ends within ``within_days`` (or is
    overdue for its end): what the puskesmas checks before ending isolation."""
    return policy.scope(
        Case.objects.select_related("resident", "rt").filter(
            outcome="", isolation_ends_on__lte=today + dt.timedelta(days=within_days)
        ),
        user,
        Perm.HEALTH_VIEW,
    ).order_by("isolation_ends_on", "id")


def contacts_due_for_test(user: Any, today: dt.date) -> QuerySet[Contact]:
    """Quarantined contacts of the user's area still waiting for their entry test, or whose
    quarantine ends by tomorrow without an exit test."""
    due = Q(entry_test_result="") | Q(
        quarantine_ends_on__lte=today + dt.timedelta(days=1), exit_test_result=""
    )
    return policy.scope(
        Contact.objects.select_related("resident", "rt")
        .filter(status=ContactStatus.KARANTINA)
        .filter(due),
        user,
        Perm.HEALTH_VIEW,
    ).order_by("quarantine_ends_on", "id")
