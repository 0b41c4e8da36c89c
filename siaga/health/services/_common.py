"""Helpers shared by the health services: links, date and choice cleaning, the resident
lookup, contributions, the planned end of isolation and opening a referral."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core import audit, policy
from siaga.core.contributions import record_contribution
from siaga.core.errors import ErrorCollector
from siaga.core.models import AuditAction, Phase
from siaga.core.notifications import notify
from siaga.core.roles import Perm
from siaga.health import protocols as rules
from siaga.health.models import Case, Contact, Referral, ReferralState, Triage
from siaga.health.services.alerts import puskesmas_for, puskesmas_team, rw_team
from siaga.registry.models import Resident


def _link(name: str, pk: int) -> str:
    return reverse(f"health:{name}", args=[pk])


def _date(
    value: Any, field: str, errors: ErrorCollector, *, today: dt.date, required: bool
) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            errors.add(field, _("Enter a date as YYYY-MM-DD."))
            return None
    if value > today:
        errors.add(field, _("The date cannot be in the future."))
        return None
    return value


def _choice(
    value: Any, field: str, choices: list[str], errors: ErrorCollector, *, required: bool = True
) -> str:
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return ""
    if value not in choices:
        errors.add(
            field, _("Choose one of: %(values)s") % {"values": ", ".join(c for c in choices if c)}
        )
        return ""
    return str(value)


def _resident(
    actor: Any, perm: Perm, data: dict[str, Any], errors: ErrorCollector
) -> Resident | None:
    """The resident named by ``resident`` (id) or ``nik``, if within the actor's reach."""
    queryset = policy.scope(Resident.objects.select_related("rt"), actor, perm)
    if data.get("resident") not in (None, ""):
        resident = (
            queryset.filter(pk=data["resident"]).first()
            if str(data["resident"]).isdigit()
            else None
        )
    elif data.get("nik"):
        resident = queryset.filter(nik=str(data["nik"]).strip()).first()
    else:
        errors.add("resident", _("Give the resident's id or NIK."))
        return None
    if resident is None:
        errors.add("resident", _("Unknown resident, or outside your area."))
    return resident


def _today() -> dt.date:
    return timezone.localdate()


def _contribute(actor: Any, kind: str, obj: Any) -> None:
    if actor is not None and getattr(actor, "is_authenticated", False):
        record_contribution(
            actor=actor, phase=Phase.CO_DELIVERY, kind=kind, territory_id=obj.rt_id, obj=obj
        )


# ---------------------------------------------------------------- cases


def _symptom_days(case: Case, params: rules.IsolationParams) -> list[dt.date]:
    days = set()
    for day, temp, symptoms in case.monitoring.values_list("day", "temperature_c", "symptoms"):
        if rules.symptom_day(temperature_c=temp, symptoms=symptoms or [], params=params):
            days.add(day)
    return sorted(days)


def _plan_end(case: Case) -> None:
    params = rules.isolation_params(case.protocol)
    days = _symptom_days(case, params) if case.pk else []
    planned = rules.isolation_end(
        specimen_on=case.specimen_on,
        onset_on=case.onset_on,
        symptom_days=days,
        params=params,
        extended_until=case.extended_until,
    )
    case.isolation_ends_on = planned.ends_on
    case.end_reasons = planned.reasons


# ---------------------------------------------------------------- monitoring and triage


def _refer(
    *,
    actor: Any,
    subject: Case | Contact,
    level: str,
    reasons: list[dict[str, Any]],
    params: rules.TriageParams,
    now: dt.datetime,
) -> Referral:
    """Open a referral, or raise the open one to darurat; alert the RW team and the puskesmas."""
    minutes = (
        params.acknowledge_minutes_darurat
        if level == Triage.DARURAT
        else params.acknowledge_minutes_rujuk
    )
    lookup: dict[str, Any] = (
        {"case": subject} if isinstance(subject, Case) else {"contact": subject}
    )
    open_referral = (
        Referral.objects.select_for_update()
        .filter(**lookup)
        .exclude(state=ReferralState.SELESAI)
        .order_by("-created_at")
        .first()
    )
    if open_referral is not None:
        if level == Triage.DARURAT and open_referral.level != Triage.DARURAT:
            open_referral.level = Triage.DARURAT
            open_referral.reasons = reasons
            if open_referral.state == ReferralState.DIBUAT:
                open_referral.acknowledge_by = min(
                    open_referral.acknowledge_by, now + dt.timedelta(minutes=minutes)
                )
            open_referral.save(update_fields=["level", "reasons", "acknowledge_by"])
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=open_referral,
                territory_id=open_referral.rt_id,
                changes={"level": ["rujuk", "darurat"]},
            )
            _alert_referral(open_referral)
        return open_referral
    referral = Referral.objects.create(
        resident_id=subject.resident_id,
        case=subject if isinstance(subject, Case) else None,
        contact=subject if isinstance(subject, Contact) else None,
        rt_id=subject.rt_id,
        household_id=subject.household_id,
        puskesmas=puskesmas_for(subject.rt_id),
        level=level,
        reasons=reasons,
        created_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        acknowledge_by=now + dt.timedelta(minutes=minutes),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=referral,
        territory_id=referral.rt_id,
        summary=f"referral {level}",
    )
    _alert_referral(referral)
    return referral


def _alert_referral(referral: Referral) -> None:
    level = referral.get_level_display()
    recipients = rw_team(referral.rt_id) + puskesmas_team(referral.rt_id, referral.puskesmas)
    notify(
        recipients=recipients,
        kind=f"referral_{referral.level}",
        title=_("%(level)s referral #%(id)s") % {"level": level, "id": referral.pk},
        body=_("A resident needs the puskesmas. Acknowledge by %(time)s.")
        % {"time": timezone.localtime(referral.acknowledge_by).strftime("%d-%m %H:%M")},
        link=_link("referral", referral.pk),
        territory_id=referral.rt_id,
    )
