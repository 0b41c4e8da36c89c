"""Writes of the Laporan Kinerja Relawan: the coordinator's narrative, and the audit entry left by
every view or download of a report (it holds personal data about volunteers)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.assessment.models import ReportNarrative
from siaga.core import audit, policy
from siaga.core.contributions import record_contribution
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditAction, Phase
from siaga.core.roles import Perm
from siaga.territory.models import Territory
from siaga.volunteers.models import Volunteer

from .figures import Period, ReportAccess

MAX_NARRATIVE = 5000
REPORT_OBJECT = "assessment.volunteer_report"


def record_report_access(
    *, actor: Any, access: ReportAccess, period: Period, fmt: str = "html"
) -> None:
    """Audit a view (web page, JSON) or an export (PDF, XLSX) of a report."""
    action = AuditAction.VIEW if fmt in ("html", "json") else AuditAction.EXPORT
    audit.record(
        actor=actor,
        action=action,
        object_type=REPORT_OBJECT,
        object_id=access.territory.code,
        territory_id=access.territory.id,
        summary=(
            f"Laporan Kinerja Relawan {access.territory.code} "
            f"{period.start.isoformat()}..{period.end.isoformat()} {fmt}"
            + (" (own row)" if access.own_only else "")
        ),
        changes={"format": fmt, "from": period.start.isoformat(), "to": period.end.isoformat()},
    )


def save_narrative(
    *,
    actor: Any,
    territory: Territory,
    period: Period,
    text: str,
    volunteer: Volunteer | None = None,
) -> ReportNarrative | None:
    """Write (or, with an empty text, remove) the narrative of a report; audited and recorded
    as a co-assessment contribution. Needs ``Perm.REPORT_NARRATE`` on the territory (else 404)."""
    policy.require(actor, Perm.REPORT_NARRATE, territory)
    text = (text or "").strip()
    if volunteer is not None and not territory.contains(volunteer.rw_id):
        raise ValidationFailed({"volunteer": [_("This volunteer is not in the report's area.")]})
    if len(text) > MAX_NARRATIVE:
        raise ValidationFailed(
            {"text": [_("Keep the narrative under %(n)d characters.") % {"n": MAX_NARRATIVE}]}
        )
    lookup = {
        "territory": territory,
        "volunteer": volunteer,
        "period_from": period.start,
        "period_to": period.end,
    }
    with transaction.atomic():
        existing = ReportNarrative.objects.select_for_update().filter(**lookup).first()
        if not text:
            if existing is None:
                raise ValidationFailed({"text": [_("Write the narrative first.")]})
            audit.record(
                actor=actor,
                action=AuditAction.DELETE,
                obj=existing,
                territory_id=territory.id,
                summary=f"narrative {territory.code} {period.start}..{period.end}",
            )
            existing.delete()
            return None
        if existing is None:
            narrative = ReportNarrative.objects.create(
                **lookup, text=text, author=actor, updated_at=timezone.now()
            )
            action = AuditAction.CREATE
        else:
            narrative = existing
            narrative.text, narrative.author, narrative.updated_at = text, actor, timezone.now()
            narrative.save(update_fields=["text", "author", "updated_at"])
            action = AuditAction.UPDATE
        audit.record(
            actor=actor,
            action=action,
            obj=narrative,
            territory_id=territory.id,
            summary=f"narrative {territory.code} {period.start}..{period.end}",
            changes={"volunteer": volunteer.pk if volunteer else None, "length": len(text)},
        )
        record_contribution(
            actor=actor,
            phase=Phase.CO_ASSESSMENT,
            kind="report_narrative",
            territory_id=territory.id,
            obj=narrative,
        )
    return narrative
