"""Cases and isolation: create, update, end."""

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
from siaga.health import selectors
from siaga.health.models import Case, Category, IsolationPlace, Outcome, ProtocolKind
from siaga.health.services._common import _choice, _contribute, _date, _plan_end, _resident, _today
from siaga.registry.models import Resident

CASE_FIELDS = ("category", "specimen_on", "confirmed_on", "onset_on", "isolation_place")
_DERIVED_CASE_FIELDS = (
    "extended_until",
    "extension_note",
    "isolation_ends_on",
    "end_reasons",
    "protocol",
    "place_chosen_by",
    "eligibility_unmet",
)


def _clean_case(
    data: dict[str, Any], errors: ErrorCollector, *, today: dt.date, base: Case | None
) -> dict[str, Any]:
    def pick(name: str) -> Any:
        if name in data:
            return data[name]
        return getattr(base, name) if base is not None else None

    cleaned: dict[str, Any] = {}
    cleaned["category"] = _choice(pick("category"), "category", Category.values, errors)
    cleaned["specimen_on"] = _date(
        pick("specimen_on"), "specimen_on", errors, today=today, required=True
    )
    cleaned["confirmed_on"] = _date(
        pick("confirmed_on"), "confirmed_on", errors, today=today, required=False
    )
    cleaned["onset_on"] = _date(pick("onset_on"), "onset_on", errors, today=today, required=False)
    cleaned["isolation_place"] = _choice(
        pick("isolation_place"), "isolation_place", IsolationPlace.values, errors
    )
    specimen, confirmed = cleaned["specimen_on"], cleaned["confirmed_on"]
    if specimen and confirmed and confirmed < specimen:
        errors.add("confirmed_on", _("The confirmation cannot come before the specimen date."))
    if (
        cleaned["category"] == Category.KONFIRMASI
        and not confirmed
        and "confirmed_on" not in errors.errors
    ):
        errors.add("confirmed_on", _("A confirmed case needs its confirmation date."))
    return cleaned


def _eligibility(
    resident: Resident, data: dict[str, Any], params: rules.IsolationParams, today: dt.date
) -> list[str]:
    own_oximeter = data.get("own_oximeter")
    if not own_oximeter and resident.household_id is not None:
        # An oximeter lent by the RW's lumbung pangan counts as the household's own (logistics,
        # which depends on health, registers that answer: see selectors.register_oximeter_lender).
        own_oximeter = selectors.household_has_lent_oximeter(resident.household_id, today)
    return rules.home_isolation_unmet(
        age=resident.age(today),
        comorbidities=list(resident.comorbidities or []),
        separate_room=data.get("separate_room"),
        own_oximeter=own_oximeter,
        params=params,
    )


@transaction.atomic
def create_case(*, actor: Any, data: dict[str, Any], today: dt.date | None = None) -> Case:
    """Open a case for a resident. Choosing isoman records which home-isolation conditions are
    unmet (``eligibility_unmet``: the page suggests isolasi terpusat) and who chose."""
    today = today or _today()
    errors = ErrorCollector()
    resident = _resident(actor, Perm.HEALTH_RECORD, data, errors)
    cleaned = _clean_case(data, errors, today=today, base=None)
    if resident is not None and Case.objects.filter(resident=resident, outcome="").exists():
        errors.add("resident", _("This resident already has an ongoing case."))
    errors.raise_if_any()
    assert resident is not None
    protocol = rules.in_force(ProtocolKind.ISOLATION, cleaned["specimen_on"])
    case = Case(
        resident=resident,
        rt_id=resident.rt_id,
        household_id=resident.household_id,
        protocol=protocol,
        created_by=actor,
        place_chosen_by=actor,
        **cleaned,
    )
    if case.isolation_place == IsolationPlace.ISOMAN:
        case.eligibility_unmet = _eligibility(
            resident, data, rules.isolation_params(protocol), today
        )
    _plan_end(case)
    case.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        territory_id=case.rt_id,
        changes={k: audit._jsonable(v) for k, v in cleaned.items()}
        | {"eligibility_unmet": case.eligibility_unmet},
    )
    _contribute(actor, "case_reported", case)
    return case


@transaction.atomic
def update_case(
    *, actor: Any, case: Case, data: dict[str, Any], today: dt.date | None = None
) -> Case:
    """Correct a case's facts (health.record), or extend its isolation by hand with a note
    (``extended_until`` + ``extension_note``: health.manage)."""
    today = today or _today()
    policy.require(actor, Perm.HEALTH_RECORD, case)
    if not case.active:
        raise ValidationFailed.single(
            "__all__", _("This case has ended; it can no longer be changed.")
        )
    errors = ErrorCollector()
    # The end of isolation, its reasons and the protocol follow from the dates: watched too, so
    # a recomputed end is saved and audited like a typed change.
    with audit.tracked_update(
        actor=actor,
        obj=case,
        fields=(*CASE_FIELDS, *_DERIVED_CASE_FIELDS),
        territory_id=case.rt_id,
        also_save=("updated_at",),
    ):
        cleaned = _clean_case(data, errors, today=today, base=case)
        if "extended_until" in data or "extension_note" in data:
            if not policy.can_act_on(actor, Perm.HEALTH_MANAGE, case):
                errors.add(
                    "extended_until", _("Only the puskesmas or kelurahan may extend isolation.")
                )
            else:
                raw = data.get("extended_until", case.extended_until)
                extended: dt.date | None = None
                if raw not in (None, ""):
                    try:
                        extended = (
                            raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
                        )
                    except ValueError:
                        errors.add("extended_until", _("Enter a date as YYYY-MM-DD."))
                note = str(data.get("extension_note", case.extension_note) or "").strip()
                if extended is not None and not note:
                    errors.add("extension_note", _("Say why isolation is extended."))
                if (
                    extended is not None
                    and extended <= case.isolation_ends_on
                    and case.extended_until is None
                ):
                    errors.add("extended_until", _("An extension must end after the planned end."))
                case.extended_until, case.extension_note = extended, note[:255]
        errors.raise_if_any()
        if "isolation_place" in data and cleaned["isolation_place"] != case.isolation_place:
            case.place_chosen_by = actor
            if cleaned["isolation_place"] == IsolationPlace.ISOMAN:
                params = rules.isolation_params(case.protocol)
                case.eligibility_unmet = _eligibility(case.resident, data, params, today)
            else:
                case.eligibility_unmet = []
        if cleaned["specimen_on"] != case.specimen_on:
            case.protocol = rules.in_force(ProtocolKind.ISOLATION, cleaned["specimen_on"])
        for name, value in cleaned.items():
            setattr(case, name, value)
        _plan_end(case)
    return case


@transaction.atomic
def end_isolation(
    *,
    actor: Any,
    case: Case,
    outcome: str,
    ended_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Case:
    """The recorded act that ends a case (puskesmas/kelurahan staff: health.manage)."""
    today = today or _today()
    policy.require(actor, Perm.HEALTH_MANAGE, case)
    errors = ErrorCollector()
    outcome = _choice(outcome, "outcome", [o for o in Outcome.values if o], errors)
    ended = _date(ended_on or today, "ended_on", errors, today=today, required=True)
    if not case.active:
        errors.add("outcome", _("This case has already ended."))
    if outcome == Outcome.SELESAI and ended and ended < case.isolation_ends_on:
        errors.add(
            "ended_on",
            _("Isolation is planned until %(date)s; it cannot be completed earlier.")
            % {"date": case.isolation_ends_on},
        )
    errors.raise_if_any()
    case.outcome, case.ended_on, case.ended_by = outcome, ended, actor
    case.save(update_fields=["outcome", "ended_on", "ended_by", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        territory_id=case.rt_id,
        changes={"outcome": ["", outcome], "ended_on": [None, str(ended)]},
    )
    _contribute(actor, "isolation_ended", case)
    return case
