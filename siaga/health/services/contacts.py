"""Contacts and their quarantine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from siaga.core import audit, policy
from siaga.core.errors import ErrorCollector, ValidationFailed
from siaga.core.models import AuditAction
from siaga.core.roles import Perm
from siaga.health import protocols as rules
from siaga.health.models import (
    Case,
    Category,
    Contact,
    ContactStatus,
    IsolationPlace,
    ProtocolKind,
    TestResult,
)
from siaga.health.services._common import _choice, _contribute, _date, _resident, _today
from siaga.health.services.cases import create_case


def _contact_end(contact: Contact) -> None:
    params = rules.isolation_params(contact.protocol)
    had_symptoms = False
    if contact.pk:
        for temp, symptoms in contact.monitoring.values_list("temperature_c", "symptoms"):
            if rules.symptom_day(temperature_c=temp, symptoms=symptoms or [], params=params):
                had_symptoms = True
                break
    planned = rules.quarantine_end(
        last_exposure_on=contact.last_exposure_on,
        exit_test_result=contact.exit_test_result,
        exit_test_on=contact.exit_test_on,
        had_symptoms=had_symptoms,
        params=params,
    )
    contact.quarantine_ends_on, contact.end_reasons = planned.ends_on, planned.reasons


@transaction.atomic
def create_contact(*, actor: Any, data: dict[str, Any], today: dt.date | None = None) -> Contact:
    today = today or _today()
    errors = ErrorCollector()
    case = None
    if str(data.get("case") or "").isdigit():
        case = (
            policy.scope(Case.objects.all(), actor, Perm.HEALTH_RECORD)
            .filter(pk=data["case"])
            .first()
        )
    if case is None:
        errors.add("case", _("Unknown case, or outside your area."))
    # The contact may live in another RT of the actor's area.
    resident = _resident(actor, Perm.HEALTH_RECORD, data, errors)
    exposure = _date(
        data.get("last_exposure_on"), "last_exposure_on", errors, today=today, required=True
    )
    if case is not None and resident is not None:
        if resident.pk == case.resident_id:
            errors.add("resident", _("A case cannot be its own contact."))
        elif Contact.objects.filter(case=case, resident=resident).exists():
            errors.add("resident", _("This resident is already a contact of this case."))
    errors.raise_if_any()
    assert case is not None and resident is not None and exposure is not None
    contact = Contact(
        case=case,
        resident=resident,
        rt_id=resident.rt_id,
        household_id=resident.household_id,
        last_exposure_on=exposure,
        protocol=rules.in_force(ProtocolKind.ISOLATION, exposure),
        created_by=actor,
    )
    _contact_end(contact)
    contact.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=contact, territory_id=contact.rt_id)
    _contribute(actor, "contact_traced", contact)
    return contact


@transaction.atomic
def update_contact(
    *, actor: Any, contact: Contact, data: dict[str, Any], today: dt.date | None = None
) -> Contact:
    """Tests and exposure date; a positive test turns the contact into a case in one step;
    ``status: "selesai"`` ends the quarantine once its planned end has come."""
    today = today or _today()
    policy.require(actor, Perm.HEALTH_RECORD, contact)
    errors = ErrorCollector()
    if contact.status != ContactStatus.KARANTINA:
        errors.add("__all__", _("This quarantine has ended."))
    errors.raise_if_any()
    before = {
        f: getattr(contact, f)
        for f in (
            "last_exposure_on",
            "entry_test_on",
            "entry_test_result",
            "exit_test_on",
            "exit_test_result",
            "status",
        )
    }
    if "last_exposure_on" in data:
        contact.last_exposure_on = (
            _date(data["last_exposure_on"], "last_exposure_on", errors, today=today, required=True)
            or contact.last_exposure_on
        )
    for prefix in ("entry", "exit"):
        if f"{prefix}_test_result" in data:
            setattr(
                contact,
                f"{prefix}_test_result",
                _choice(
                    data[f"{prefix}_test_result"],
                    f"{prefix}_test_result",
                    TestResult.values,
                    errors,
                    required=False,
                ),
            )
        if f"{prefix}_test_on" in data:
            setattr(
                contact,
                f"{prefix}_test_on",
                _date(
                    data[f"{prefix}_test_on"],
                    f"{prefix}_test_on",
                    errors,
                    today=today,
                    required=False,
                ),
            )
        if getattr(contact, f"{prefix}_test_result") and not getattr(contact, f"{prefix}_test_on"):
            errors.add(f"{prefix}_test_on", _("Give the date of the test."))
    end_now = data.get("status") == ContactStatus.SELESAI
    if data.get("status") not in (None, "", ContactStatus.KARANTINA, ContactStatus.SELESAI):
        errors.add("status", _("Set the status to selesai to end the quarantine."))
    errors.raise_if_any()
    positive = next(
        (
            getattr(contact, f"{p}_test_on")
            for p in ("entry", "exit")
            if getattr(contact, f"{p}_test_result") == TestResult.POSITIF
        ),
        None,
    )
    _contact_end(contact)
    if positive is not None:
        contact.status = ContactStatus.KASUS
        contact.save()
        case = create_case(
            actor=actor,
            data={
                "resident": contact.resident_id,
                "category": Category.KONFIRMASI,
                "specimen_on": positive,
                "confirmed_on": positive,
                "onset_on": None,
                "isolation_place": data.get("isolation_place") or IsolationPlace.ISOMAN,
                "separate_room": data.get("separate_room"),
                "own_oximeter": data.get("own_oximeter"),
            },
            today=today,
        )
        contact.became_case = case
        contact.save(update_fields=["became_case"])
    else:
        if end_now:
            if today < contact.quarantine_ends_on:
                raise ValidationFailed.single(
                    "status",
                    _("Quarantine is planned until %(date)s.")
                    % {"date": contact.quarantine_ends_on},
                )
            contact.status = ContactStatus.SELESAI
        contact.save()
    after = {f: getattr(contact, f) for f in before}
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=contact,
        territory_id=contact.rt_id,
        changes=audit.diff(before, after),
    )
    return contact
