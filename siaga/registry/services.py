"""Writes to the household and resident registry. Each call is one transaction with its audit."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from siaga.core import audit, policy
from siaga.core.errors import ErrorCollector, ValidationFailed
from siaga.core.models import AuditAction
from siaga.core.roles import Perm
from siaga.registry.identity import IdentityError, decode_nik, normalise_phone, validate_kk
from siaga.registry.models import (
    Comorbidity,
    DomicileStatus,
    Household,
    Relation,
    Resident,
)
from siaga.registry.rules import birth_date_error, clean_name, name_error
from siaga.territory.models import Level, Territory

if TYPE_CHECKING:
    from siaga.accounts.models import User  # registry does not import accounts at run time

RESIDENT_FIELDS = (
    "nik",
    "name",
    "sex",
    "birth_date",
    "birth_place",
    "phone",
    "household",
    "relation",
    "rt",
    "status",
    "comorbidities",
    "hamil",
    "disabilitas",
)
HOUSEHOLD_FIELDS = ("kk", "rt", "address", "head")


def _rt_in_scope(
    actor: Any, value: Any, errors: ErrorCollector, field: str = "rt"
) -> Territory | None:
    if value in (None, ""):
        errors.add(field, _("This field is required."))
        return None
    territory = value
    if not isinstance(value, Territory):
        lookup = {"code": value} if isinstance(value, str) else {"id": value}
        territory = Territory.objects.filter(**lookup).first()
    if territory is None or not policy.can_act_on(actor, Perm.REGISTRY_CHANGE, territory):
        errors.add(field, _("Unknown RT, or outside your area."))
        return None
    if territory.level != Level.RT:
        errors.add(field, _("Choose an RT (not a higher level)."))
        return None
    return territory


def _household_in_scope(actor: Any, value: Any, errors: ErrorCollector) -> Household | None:
    if value in (None, ""):
        return None
    household = (
        value if isinstance(value, Household) else Household.objects.filter(pk=value).first()
    )
    if household is None or not policy.can_act_on(actor, Perm.REGISTRY_CHANGE, household):
        errors.add("household", _("Unknown household, or outside your area."))
        return None
    return household


def _clean_resident(actor: Any, data: dict[str, Any], instance: Resident | None) -> dict[str, Any]:
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}

    nik = str(data.get("nik") or "").strip()
    if nik:
        try:
            nik = decode_nik(nik).nik
        except IdentityError as exc:
            errors.add("nik", str(exc))
        else:
            clash = Resident.objects.filter(nik=nik).exclude(
                nik=""
            )  # uses the partial unique index
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                errors.add("nik", _("Another resident already has this NIK."))
    cleaned["nik"] = nik

    name = clean_name(data.get("name"))
    name_problem = name_error(name)
    if name_problem:
        errors.add("name", name_problem)
    cleaned["name"] = name

    sex = str(data.get("sex") or "").strip().upper()
    if sex not in ("L", "P"):
        errors.add("sex", _("Choose L (male) or P (female)."))
    cleaned["sex"] = sex

    birth_date = data.get("birth_date")
    if isinstance(birth_date, str):
        try:
            birth_date = dt.date.fromisoformat(birth_date) if birth_date else None
        except ValueError:
            errors.add("birth_date", _("Enter a date as YYYY-MM-DD."))
            birth_date = None
    birth_problem = birth_date_error(birth_date)
    if birth_problem:
        errors.add("birth_date", birth_problem)
    cleaned["birth_date"] = birth_date
    cleaned["birth_place"] = str(data.get("birth_place") or "").strip()[:100]

    try:
        cleaned["phone"] = normalise_phone(str(data.get("phone") or ""))
    except IdentityError as exc:
        errors.add("phone", str(exc))

    relation = data.get("relation") or Relation.LAINNYA
    if relation not in Relation.values:
        errors.add("relation", _("Unknown relation to the head of household."))
    cleaned["relation"] = relation

    status = data.get("status") or DomicileStatus.TETAP
    if status not in DomicileStatus.values:
        errors.add("status", _("Unknown domicile status."))
    cleaned["status"] = status

    comorbidities = data.get("comorbidities") or []
    if isinstance(comorbidities, str):
        comorbidities = [c.strip() for c in comorbidities.split(",") if c.strip()]
    unknown = [c for c in comorbidities if c not in Comorbidity.values]
    if unknown:
        errors.add(
            "comorbidities", _("Unknown comorbidity: %(names)s") % {"names": ", ".join(unknown)}
        )
    cleaned["comorbidities"] = sorted(set(comorbidities) - set(unknown))
    cleaned["hamil"] = bool(data.get("hamil"))
    cleaned["disabilitas"] = bool(data.get("disabilitas"))
    if cleaned["hamil"] and sex == "L":
        errors.add("hamil", _("Only a female resident can be recorded as pregnant."))

    household = _household_in_scope(actor, data.get("household"), errors)
    cleaned["household"] = household
    if household is not None:
        rt_value = data.get("rt")
        if rt_value not in (None, "") and rt_value not in (
            household.rt_id,
            household.rt.code,
            household.rt,
        ):
            errors.add("rt", _("The RT must be the household's RT."))
        cleaned["rt"] = household.rt
    else:
        cleaned["rt"] = _rt_in_scope(actor, data.get("rt"), errors)
    errors.raise_if_any()
    return cleaned


def _save_resident(resident: Resident, update_fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            resident.save(update_fields=update_fields)
    except IntegrityError:
        raise ValidationFailed.single("nik", _("Another resident already has this NIK.")) from None


@transaction.atomic
def create_resident(*, actor: Any, data: dict[str, Any]) -> Resident:
    cleaned = _clean_resident(actor, data, None)
    resident = Resident(**cleaned)
    _save_resident(resident)
    _maybe_set_head(resident)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=resident,
        territory_id=resident.rt_id,
        changes=audit.diff({}, audit.snapshot(resident, RESIDENT_FIELDS)),
    )
    return resident


@transaction.atomic
def update_resident(*, actor: User, resident: Resident, data: dict[str, Any]) -> Resident:
    """Apply ``data`` (any subset of the fields) to a resident the actor may change."""
    policy.require(actor, Perm.REGISTRY_CHANGE, resident)
    before = audit.snapshot(resident, RESIDENT_FIELDS)
    merged = {
        **before,
        "household": resident.household,
        "rt": resident.rt,
        **{k: v for k, v in data.items() if k in RESIDENT_FIELDS},
    }
    if "household" in data and "rt" not in data:
        merged["rt"] = None
    cleaned = _clean_resident(actor, merged, resident)
    audit.audited_update(
        actor=actor,
        obj=resident,
        changes=cleaned,
        fields=RESIDENT_FIELDS,
        territory_id=cleaned["rt"].id,
        also_save=("updated_at",),
        save=lambda update_fields: _save_resident(resident, update_fields),
    )
    _maybe_set_head(resident)
    return resident


@transaction.atomic
def delete_resident(*, actor: Any, resident: Resident) -> None:
    policy.require(actor, Perm.REGISTRY_CHANGE, resident)
    if resident.memberships.exists():
        raise ValidationFailed.single(
            "__all__", _("This resident has a user account; remove the account first.")
        )
    Household.objects.filter(head=resident).update(head=None)
    audit.record(actor=actor, action=AuditAction.DELETE, obj=resident, territory_id=resident.rt_id)
    resident.delete()


def _maybe_set_head(resident: Resident) -> None:
    if resident.relation == Relation.KEPALA and resident.household_id:
        Household.objects.filter(pk=resident.household_id, head__isnull=True).update(head=resident)


def _clean_household(
    actor: Any, data: dict[str, Any], instance: Household | None
) -> dict[str, Any]:
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    try:
        kk = validate_kk(str(data.get("kk") or ""))
    except IdentityError as exc:
        errors.add("kk", str(exc))
        kk = ""
    if kk:
        clash = Household.objects.filter(kk=kk)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors.add("kk", _("Another household already has this No. KK."))
    cleaned["kk"] = kk
    cleaned["rt"] = _rt_in_scope(actor, data.get("rt"), errors)
    cleaned["address"] = " ".join(str(data.get("address") or "").split())[:255]
    head: Any = data.get("head")
    if head is None or head == "":
        cleaned["head"] = None
    else:
        head_obj = (
            head if isinstance(head, Resident) else Resident.objects.filter(pk=str(head)).first()
        )
        if head_obj is None or instance is None or head_obj.household_id != instance.pk:
            errors.add("head", _("The head must be a member of this household."))
        cleaned["head"] = head_obj
    if instance is not None and cleaned["rt"] is not None and cleaned["rt"].id != instance.rt_id:
        # Members move with their household.
        cleaned["_move_members"] = True
    errors.raise_if_any()
    return cleaned


def _save_household(household: Household, update_fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            household.save(update_fields=update_fields)
    except IntegrityError:
        raise ValidationFailed.single(
            "kk", _("Another household already has this No. KK.")
        ) from None


@transaction.atomic
def create_household(*, actor: Any, data: dict[str, Any]) -> Household:
    if data.get("head") not in (None, ""):
        raise ValidationFailed.single(
            "head", _("Add the household first, then choose its head among its members.")
        )
    cleaned = _clean_household(actor, data, None)
    household = Household(**cleaned)
    _save_household(household)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=household,
        territory_id=household.rt_id,
        changes=audit.diff({}, audit.snapshot(household, HOUSEHOLD_FIELDS)),
    )
    return household


@transaction.atomic
def update_household(*, actor: User, household: Household, data: dict[str, Any]) -> Household:
    policy.require(actor, Perm.REGISTRY_CHANGE, household)
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    merged = {
        **before,
        "rt": household.rt,
        **{k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS},
    }
    cleaned = _clean_household(actor, merged, household)
    move = cleaned.pop("_move_members", False)
    audit.audited_update(
        actor=actor,
        obj=household,
        changes=cleaned,
        fields=HOUSEHOLD_FIELDS,
        territory_id=cleaned["rt"].id,
        also_save=("updated_at",),
        save=lambda update_fields: _save_household(household, update_fields),
    )
    if move:
        Resident.objects.filter(household=household).update(rt=household.rt)
    return household


@transaction.atomic
def delete_household(*, actor: Any, household: Household) -> None:
    policy.require(actor, Perm.REGISTRY_CHANGE, household)
    if household.members.exists():
        raise ValidationFailed.single(
            "__all__", _("The household still has members; move or remove them first.")
        )
    audit.record(
        actor=actor, action=AuditAction.DELETE, obj=household, territory_id=household.rt_id
    )
    household.delete()
