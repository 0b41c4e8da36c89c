"""Referrals: opened by hand, acknowledged, completed, escalated when overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core import audit, policy
from siaga.core.errors import ErrorCollector, ValidationFailed
from siaga.core.models import AuditAction
from siaga.core.notifications import notify
from siaga.core.roles import Perm
from siaga.health import protocols as rules
from siaga.health.models import (
    Case,
    IsolationPlace,
    ProtocolKind,
    Referral,
    ReferralOutcome,
    ReferralState,
    Triage,
)
from siaga.health.services._common import _choice, _contribute, _link, _refer
from siaga.health.services.alerts import kelurahan_team


@transaction.atomic
def open_referral(
    *, actor: Any, case: Case, level: str, note: str = "", now: dt.datetime | None = None
) -> Referral:
    """A referral opened by hand (a volunteer's judgement), alerting like an automatic one."""
    now = now or timezone.now()
    policy.require(actor, Perm.HEALTH_RECORD, case)
    errors = ErrorCollector()
    level = _choice(level, "level", [Triage.RUJUK, Triage.DARURAT], errors)
    if not case.active:
        errors.add("case", _("This case has ended."))
    errors.raise_if_any()
    params = rules.triage_params(rules.in_force(ProtocolKind.TRIAGE, timezone.localdate(now)))
    referral = _refer(
        actor=actor,
        subject=case,
        level=level,
        reasons=[{"level": level, "code": "manual", "note": note[:200]}],
        params=params,
        now=now,
    )
    if note and not referral.note:
        referral.note = note[:255]
        referral.save(update_fields=["note"])
    return referral


@transaction.atomic
def acknowledge_referral(
    *, actor: Any, referral: Referral, now: dt.datetime | None = None
) -> Referral:
    now = now or timezone.now()
    policy.require(actor, Perm.HEALTH_MANAGE, referral)
    if referral.state != ReferralState.DIBUAT:
        raise ValidationFailed.single("state", _("Only a new referral can be acknowledged."))
    referral.state, referral.acknowledged_at, referral.acknowledged_by = (
        ReferralState.DITERIMA,
        now,
        actor,
    )
    referral.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=referral,
        territory_id=referral.rt_id,
        changes={"state": ["dibuat", "diterima"]},
    )
    _contribute(actor, "referral_acknowledged", referral)
    return referral


_PLACE_AFTER = {
    ReferralOutcome.RAWAT_INAP: IsolationPlace.RUMAH_SAKIT,
    ReferralOutcome.TERPUSAT: IsolationPlace.TERPUSAT,
    ReferralOutcome.ISOMAN: IsolationPlace.ISOMAN,
}


@transaction.atomic
def complete_referral(
    *, actor: Any, referral: Referral, outcome: str, note: str = "", now: dt.datetime | None = None
) -> Referral:
    """diterima → selesai (a new one is acknowledged on the way); the case moves accordingly."""
    now = now or timezone.now()
    policy.require(actor, Perm.HEALTH_MANAGE, referral)
    errors = ErrorCollector()
    outcome = _choice(outcome, "outcome", [o for o in ReferralOutcome.values if o], errors)
    if referral.state == ReferralState.SELESAI:
        errors.add("state", _("This referral is already completed."))
    errors.raise_if_any()
    before = referral.state
    if referral.state == ReferralState.DIBUAT:
        referral.acknowledged_at, referral.acknowledged_by = now, actor
    referral.state, referral.completed_at, referral.completed_by = ReferralState.SELESAI, now, actor
    referral.outcome, referral.note = outcome, (note or referral.note)[:255]
    referral.save()
    case = referral.case
    if (
        case is not None
        and case.active
        and case.isolation_place != _PLACE_AFTER[ReferralOutcome(outcome)]
    ):
        old = case.isolation_place
        case.isolation_place = _PLACE_AFTER[ReferralOutcome(outcome)]
        case.place_chosen_by = actor
        case.save(update_fields=["isolation_place", "place_chosen_by", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=case,
            territory_id=case.rt_id,
            changes={"isolation_place": [old, case.isolation_place]},
        )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=referral,
        territory_id=referral.rt_id,
        changes={"state": [before, "selesai"], "outcome": ["", outcome]},
    )
    _contribute(actor, "referral_completed", referral)
    return referral


def escalate_overdue_referrals(*, now: dt.datetime | None = None) -> int:
    """Referrals not acknowledged by their deadline (darurat 1 h, rujuk 24 h by default) go to the
    kelurahan facilitators, once. Returns how many were escalated."""
    now = now or timezone.now()
    count = 0
    due = Referral.objects.filter(
        state=ReferralState.DIBUAT, escalated_at__isnull=True, acknowledge_by__lte=now
    )
    for referral_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            referral = (
                Referral.objects.select_for_update(of=("self",))
                .select_related("puskesmas")
                .filter(pk=referral_id, state=ReferralState.DIBUAT, escalated_at__isnull=True)
                .first()
            )
            if referral is None:
                continue
            referral.escalated_at = now
            referral.save(update_fields=["escalated_at"])
            audit.record(
                actor=None,
                action=AuditAction.UPDATE,
                obj=referral,
                territory_id=referral.rt_id,
                summary="referral escalated",
                changes={"escalated_at": [None, now.isoformat()]},
            )
            notify(
                recipients=kelurahan_team(referral.rt_id, referral.puskesmas),
                kind="referral_escalated",
                title=_("Unacknowledged %(level)s referral #%(id)s")
                % {"level": referral.get_level_display(), "id": referral.pk},
                body=_("The puskesmas has not acknowledged this referral since %(time)s.")
                % {"time": timezone.localtime(referral.created_at).strftime("%d-%m %H:%M")},
                link=_link("referral", referral.pk),
                territory_id=referral.rt_id,
            )
            count += 1
    return count
