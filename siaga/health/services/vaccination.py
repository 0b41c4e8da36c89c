"""Vaccination doses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from siaga.core import audit, policy
from siaga.core.errors import ErrorCollector, ValidationFailed
from siaga.core.models import AuditAction
from siaga.core.roles import Perm
from siaga.health.models import Vaccination, Vaccine
from siaga.health.services._common import _choice, _contribute, _date, _resident, _today


def _clean_dose(
    data: dict[str, Any], errors: ErrorCollector, today: dt.date, base: Vaccination | None
) -> dict[str, Any]:
    def pick(name: str) -> Any:
        return data[name] if name in data else (getattr(base, name) if base is not None else None)

    cleaned: dict[str, Any] = {
        "given_on": _date(pick("given_on"), "given_on", errors, today=today, required=True),
        "vaccine": _choice(pick("vaccine"), "vaccine", Vaccine.values, errors),
    }
    dose = pick("dose")
    if not isinstance(dose, int) or not 1 <= dose <= 5:
        errors.add("dose", _("Enter a dose number from 1 to 5."))
    cleaned["dose"] = dose
    return cleaned


@transaction.atomic
def record_vaccination(
    *, actor: Any, data: dict[str, Any], today: dt.date | None = None
) -> Vaccination:
    today = today or _today()
    errors = ErrorCollector()
    resident = _resident(actor, Perm.HEALTH_RECORD, data, errors)
    cleaned = _clean_dose(data, errors, today, None)
    if resident is not None and isinstance(cleaned["dose"], int):
        others = Vaccination.objects.filter(resident=resident)
        if others.filter(dose=cleaned["dose"]).exists():
            errors.add("dose", _("This dose is already recorded."))
        earlier = others.filter(dose__lt=cleaned["dose"]).order_by("-dose").first()
        if earlier is not None and cleaned["given_on"] and cleaned["given_on"] < earlier.given_on:
            errors.add(
                "given_on", _("This dose cannot be earlier than dose %(n)s.") % {"n": earlier.dose}
            )
    errors.raise_if_any()
    assert resident is not None
    try:
        with transaction.atomic():
            dose = Vaccination.objects.create(
                resident=resident,
                rt_id=resident.rt_id,
                household_id=resident.household_id,
                recorded_by=actor,
                **cleaned,
            )
    except IntegrityError:
        raise ValidationFailed.single("dose", _("This dose is already recorded.")) from None
    audit.record(actor=actor, action=AuditAction.CREATE, obj=dose, territory_id=dose.rt_id)
    _contribute(actor, "vaccination_recorded", dose)
    return dose


@transaction.atomic
def update_vaccination(
    *, actor: Any, vaccination: Vaccination, data: dict[str, Any], today: dt.date | None = None
) -> Vaccination:
    today = today or _today()
    policy.require(actor, Perm.HEALTH_RECORD, vaccination)
    errors = ErrorCollector()
    cleaned = _clean_dose(data, errors, today, vaccination)
    if (
        isinstance(cleaned["dose"], int)
        and Vaccination.objects.filter(resident_id=vaccination.resident_id, dose=cleaned["dose"])
        .exclude(pk=vaccination.pk)
        .exists()
    ):
        errors.add("dose", _("This dose is already recorded."))
    errors.raise_if_any()
    audit.audited_update(
        actor=actor, obj=vaccination, changes=cleaned, territory_id=vaccination.rt_id
    )
    return vaccination
