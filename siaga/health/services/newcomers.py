"""Newcomers (pendatang) and their quarantine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from siaga.core import audit, codes, policy
from siaga.core.errors import ErrorCollector
from siaga.core.models import AuditAction
from siaga.core.roles import Perm
from siaga.health import protocols as rules
from siaga.health.models import Newcomer, ProtocolKind, TestResult
from siaga.health.services._common import _choice, _contribute, _date, _today
from siaga.registry.identity import IdentityError, decode_nik
from siaga.registry.models import Household, Resident
from siaga.territory.models import Level


def _newcomer_quarantine(newcomer: Newcomer) -> None:
    params = rules.isolation_params(newcomer.protocol)
    days = params.newcomer_quarantine_days
    exempt = params.newcomer_negative_test_exempts and newcomer.test_result == TestResult.NEGATIF
    newcomer.quarantine_required = days > 0 and not exempt
    newcomer.quarantine_ends_on = (
        newcomer.arrived_on + dt.timedelta(days=days) if newcomer.quarantine_required else None
    )


def _clean_newcomer(
    actor: Any, data: dict[str, Any], errors: ErrorCollector, today: dt.date, base: Newcomer | None
) -> dict[str, Any]:
    def pick(name: str) -> Any:
        return data[name] if name in data else (getattr(base, name) if base is not None else None)

    cleaned: dict[str, Any] = {}
    name = " ".join(str(pick("name") or "").split())
    if not name:
        errors.add("name", _("This field is required."))
    cleaned["name"] = name[:150]
    nik = str(pick("nik") or "").strip()
    if nik:
        try:
            nik = decode_nik(nik).nik
        except IdentityError as exc:
            errors.add("nik", str(exc))
    cleaned["nik"] = nik
    cleaned["arrived_on"] = _date(
        pick("arrived_on"), "arrived_on", errors, today=today, required=True
    )
    origin = str(pick("origin_code") or "").strip()
    try:
        parsed = codes.parse_code(origin)
        if parsed.level > Level.KELURAHAN:
            raise codes.CodeError(origin)
    except codes.CodeError:
        errors.add("origin_code", _("Enter a region code such as 33.74 or 31.71.01."))
    cleaned["origin_code"] = origin
    cleaned["test_result"] = _choice(
        pick("test_result") or "", "test_result", TestResult.values, errors, required=False
    )
    cleaned["tested_on"] = _date(
        pick("tested_on"), "tested_on", errors, today=today, required=False
    )
    if cleaned["test_result"] and not cleaned["tested_on"]:
        errors.add("tested_on", _("Give the date of the test."))
    household_id = (
        pick("household") if "household" in data else (base.household_id if base else None)
    )
    household = None
    if household_id not in (None, ""):
        household = (
            policy.scope(Household.objects.all(), actor, Perm.HEALTH_RECORD)
            .filter(pk=int(str(household_id)))
            .first()
            if str(household_id).isdigit()
            else None
        )
    if household is None:
        errors.add("household", _("Unknown household, or outside your area."))
    cleaned["household"] = household
    return cleaned


@transaction.atomic
def create_newcomer(*, actor: Any, data: dict[str, Any], today: dt.date | None = None) -> Newcomer:
    today = today or _today()
    errors = ErrorCollector()
    cleaned = _clean_newcomer(actor, data, errors, today, None)
    errors.raise_if_any()
    household: Household = cleaned.pop("household")
    newcomer = Newcomer(
        **cleaned,
        household=household,
        rt_id=household.rt_id,
        protocol=rules.in_force(ProtocolKind.ISOLATION, cleaned["arrived_on"]),
        recorded_by=actor,
        resident=Resident.objects.filter(nik=cleaned["nik"]).first() if cleaned["nik"] else None,
    )
    _newcomer_quarantine(newcomer)
    newcomer.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=newcomer, territory_id=newcomer.rt_id)
    _contribute(actor, "newcomer_screened", newcomer)
    return newcomer


@transaction.atomic
def update_newcomer(
    *, actor: Any, newcomer: Newcomer, data: dict[str, Any], today: dt.date | None = None
) -> Newcomer:
    today = today or _today()
    policy.require(actor, Perm.HEALTH_RECORD, newcomer)
    errors = ErrorCollector()
    fields = (
        "name",
        "nik",
        "arrived_on",
        "origin_code",
        "test_result",
        "tested_on",
        "household_id",
        "quarantine_required",
        "quarantine_ends_on",
    )
    cleaned = _clean_newcomer(actor, data, errors, today, newcomer)
    errors.raise_if_any()
    household: Household = cleaned.pop("household")
    with audit.tracked_update(
        actor=actor,
        obj=newcomer,
        fields=fields,
        territory_id=household.rt_id,
        also_save=("rt", "protocol"),
    ):
        for name, value in cleaned.items():
            setattr(newcomer, name, value)
        newcomer.household, newcomer.rt_id = household, household.rt_id
        if "arrived_on" in data:
            newcomer.protocol = rules.in_force(ProtocolKind.ISOLATION, newcomer.arrived_on)
        _newcomer_quarantine(newcomer)
    return newcomer
