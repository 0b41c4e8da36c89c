"""Monitoring and triage: one check recorded and triaged; missed slots flagged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core import audit, codes, policy
from siaga.core.errors import ErrorCollector
from siaga.core.models import AuditAction
from siaga.core.notifications import notify
from siaga.core.roles import Perm
from siaga.health import protocols as rules
from siaga.health import selectors
from siaga.health.models import (
    Case,
    Contact,
    ContactStatus,
    Method,
    MissedSlot,
    Monitoring,
    ProtocolKind,
    Referral,
    Triage,
)
from siaga.health.services._common import _choice, _contribute, _plan_end, _refer
from siaga.health.services.alerts import rw_team
from siaga.health.triage import Vitals, slot_for, triage, vitals_errors
from siaga.territory.models import Level


def _subject_perm(actor: Any, subject: Case | Contact) -> str:
    """ "record" for the health team, "self" for the resident's household; 404 otherwise."""
    if policy.can_act_on(actor, Perm.HEALTH_RECORD, subject):
        return "record"
    if policy.can_act_on(actor, Perm.HEALTH_SELF_REPORT, subject):
        return "self"
    raise Http404("not found")


def _clean_vitals(data: dict[str, Any], errors: ErrorCollector) -> Vitals:
    for field, problems in vitals_errors(data).items():
        for problem in problems:
            errors.add(field, problem)
    temperature = None
    if data.get("temperature_c") is not None and "temperature_c" not in errors.errors:
        try:
            temperature = Decimal(str(data["temperature_c"])).quantize(Decimal("0.1"))
        except InvalidOperation:
            errors.add("temperature_c", _("Enter a number."))

    def whole(name: str) -> int | None:
        value = data.get(name)
        if value is None or name in errors.errors:
            return None
        number = float(value)
        if number != int(number):
            errors.add(name, _("Enter a whole number."))
            return None
        return int(number)

    return Vitals(
        temperature_c=temperature,
        spo2=whole("spo2"),
        respiratory_rate=whole("respiratory_rate"),
        pulse=whole("pulse"),
        symptoms=tuple(dict.fromkeys(data.get("symptoms") or [])),
    )


def _taken_at(value: Any, errors: ErrorCollector, now: dt.datetime) -> dt.datetime | None:
    if value in (None, ""):
        return now
    if not isinstance(value, dt.datetime):
        try:
            value = dt.datetime.fromisoformat(str(value))
        except ValueError:
            errors.add("taken_at", _("Enter a date and time, e.g. 2021-07-01T07:30+07:00."))
            return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + dt.timedelta(minutes=5):
        errors.add("taken_at", _("The time cannot be in the future."))
        return None
    return value


@transaction.atomic
def record_monitoring(
    *,
    actor: Any,
    data: dict[str, Any],
    case: Case | None = None,
    contact: Contact | None = None,
    now: dt.datetime | None = None,
) -> tuple[Monitoring, Referral | None]:
    """Record one check, triage it under the protocol in force on its day, open (or raise) a
    referral on rujuk/darurat, and move the planned end of isolation when it shows symptoms."""
    now = now or timezone.now()
    subject: Case | Contact = case if case is not None else contact  # type: ignore[assignment]
    assert subject is not None
    access = _subject_perm(actor, subject)
    errors = ErrorCollector()
    if case is not None and not case.active:
        errors.add("__all__", _("This case has ended."))
    if contact is not None and contact.status != ContactStatus.KARANTINA:
        errors.add("__all__", _("This contact is no longer in quarantine."))
    method = _choice(
        data.get("method") or (Method.MANDIRI if access == "self" else Method.KUNJUNGAN),
        "method",
        Method.values,
        errors,
    )
    if access == "self" and method and method != Method.MANDIRI:
        errors.add("method", _("Residents record self-reports (mandiri)."))
    taken_at = _taken_at(data.get("taken_at"), errors, now)
    vitals = _clean_vitals(data, errors)
    start = case.specimen_on if case is not None else contact.last_exposure_on  # type: ignore[union-attr]
    if taken_at is not None and timezone.localdate(taken_at) < start:
        errors.add("taken_at", _("The record is earlier than the start of the episode."))
    errors.raise_if_any()
    assert taken_at is not None
    day = timezone.localdate(taken_at)
    protocol = rules.in_force(ProtocolKind.TRIAGE, day)
    params = rules.triage_params(protocol)
    history = (
        Monitoring.objects.filter(case=case)
        if case is not None
        else Monitoring.objects.filter(contact=contact)
    )
    previous_spo2 = (
        history.filter(taken_at__lt=taken_at, spo2__isnull=False)
        .order_by("-taken_at")
        .values_list("spo2", flat=True)
        .first()
    )
    fever_days = set(
        history.filter(temperature_c__gte=Decimal(str(params.rujuk_fever_c))).values_list(
            "day", flat=True
        )
    )
    if vitals.temperature_c is not None and float(vitals.temperature_c) >= params.rujuk_fever_c:
        fever_days.add(day)
    result = triage(vitals, params, previous_spo2=previous_spo2, fever_days=len(fever_days))
    record = Monitoring.objects.create(
        case=case,
        contact=contact,
        rt_id=subject.rt_id,
        household_id=subject.household_id,
        taken_at=taken_at,
        day=day,
        slot=slot_for(timezone.localtime(taken_at).time(), params),
        method=method,
        recorder=actor if getattr(actor, "is_authenticated", False) else None,
        temperature_c=vitals.temperature_c,
        spo2=vitals.spo2,
        respiratory_rate=vitals.respiratory_rate,
        pulse=vitals.pulse,
        symptoms=list(vitals.symptoms),
        triage=result.level,
        reasons=result.reasons,
        protocol=protocol,
    )
    referral = None
    if result.level in (Triage.RUJUK, Triage.DARURAT):
        referral = _refer(
            actor=actor,
            subject=subject,
            level=result.level,
            reasons=result.reasons,
            params=params,
            now=now,
        )
        record.referral = referral
        record.save(update_fields=["referral"])
    if case is not None:
        iso = rules.isolation_params(case.protocol)
        if rules.symptom_day(
            temperature_c=vitals.temperature_c, symptoms=vitals.symptoms, params=iso
        ):
            old_end = case.isolation_ends_on
            _plan_end(case)
            if case.isolation_ends_on != old_end:
                case.save(update_fields=["isolation_ends_on", "end_reasons", "updated_at"])
                audit.record(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    obj=case,
                    territory_id=case.rt_id,
                    changes={"isolation_ends_on": [str(old_end), str(case.isolation_ends_on)]},
                )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        territory_id=record.rt_id,
        summary=f"monitoring {record.triage}",
    )
    _contribute(actor, "monitoring", record)
    return record, referral


def flag_missed_slots(*, now: dt.datetime | None = None) -> int:
    """For each slot of today whose deadline has passed, flag every isolating (isoman) case and
    quarantined contact without a record in it to its RW health team (once per slot)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    day = local.date()
    params = rules.triage_params(rules.in_force(ProtocolKind.TRIAGE, day))
    slots = []
    if local.time() >= params.pagi_until:
        slots.append("pagi")
    if local.time() >= params.sore_until:
        slots.append("sore")
    flagged = 0
    for slot in slots:
        missing = selectors.unmonitored(day=day, slot=slot)
        if not missing:
            continue
        with transaction.atomic():
            per_rw: dict[int, int] = {}
            for subject in missing:
                lookup: dict[str, Any] = (
                    {"case": subject} if isinstance(subject, Case) else {"contact": subject}
                )
                _row, created = MissedSlot.objects.get_or_create(
                    day=day,
                    slot=slot,
                    **lookup,
                    defaults={
                        "rt_id": subject.rt_id,
                        "household_id": subject.household_id,
                        "flagged_at": now,
                    },
                )
                if created:
                    rw = codes.ancestor_key(subject.rt_id, Level.RW)
                    per_rw[rw] = per_rw.get(rw, 0) + 1
                    flagged += 1
            for rw_key, n in per_rw.items():
                notify(
                    recipients=rw_team(rw_key),
                    kind="monitoring_missed",
                    title=_("%(n)s missed %(slot)s checks") % {"n": n, "slot": slot},
                    body=_(
                        "%(n)s isolating or quarantined residents have no %(slot)s record today."
                    )
                    % {"n": n, "slot": slot},
                    link=_worklist_link(),
                    territory_id=rw_key,
                )
    return flagged


def _worklist_link() -> str:
    return reverse("health:worklist")
