"""/api/v1/households and /api/v1/residents: the registry through the access policy.

Reads go through ``registry.selectors`` (a single resident's record is an audited view), writes
through ``registry.services`` (which validate, refuse with ``ValidationFailed`` → 422, and write
the audit trail). Anything outside the caller's area answers 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from siaga.api.errors import ERRORS, ErrorOut, invalid
from siaga.api.pagination import Page, PageQuery, paginate
from siaga.core.acting import acting_user
from siaga.core.roles import Perm
from siaga.registry import selectors, services
from siaga.registry.models import (
    Comorbidity,
    DomicileStatus,
    Household,
    Relation,
    Resident,
    Vulnerability,
)
from siaga.territory.selectors import territory_param

router = Router()

MAX_ID = 2**63 - 1
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _enum(values: list[str]) -> dict[str, Any]:
    return {"enum": values}


# ---------------------------------------------------------------- schemas


class HouseholdOut(Schema):
    id: int
    kk: str = Field(description="No. KK, 16 digits.")
    rt: str = Field(description="Code of the household's RT.", examples=["33.74.02.1006.006.003"])
    address: str
    head: int | None = Field(description="Id of the head of household (a resident), or null.")


class HouseholdIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kk: str = Field(description="No. KK, 16 digits.", examples=["3374021508010001"])
    rt: str = Field(description="Code of an RT in your area.", examples=["33.74.02.1006.006.003"])
    address: str = ""
    head: ObjectId | None = Field(None, description="Choose the head after adding members.")


class HouseholdPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    kk: str | None = None
    rt: str | None = Field(None, description="Moving a household moves its members.")
    address: str | None = None
    head: ObjectId | None = Field(None, description="A member of this household, or null.")


class ResidentOut(Schema):
    id: int
    nik: str = Field(description="16 digits, or empty when unknown.")
    name: str
    sex: str = Field(json_schema_extra=_enum(["L", "P"]))
    birth_date: dt.date | None
    phone: str = Field(description="E.164, e.g. +6281234567890, or empty.")
    household: int | None
    relation: str = Field(json_schema_extra=_enum(list(Relation.values)))
    rt: str = Field(description="Code of the resident's RT.")
    status: str = Field(json_schema_extra=_enum(list(DomicileStatus.values)))
    flags: list[str] = Field(description="Vulnerability flags: " + ", ".join(Vulnerability.values))
    comorbidities: list[str]
    hamil: bool
    disabilitas: bool
    warnings: list[str] = Field(
        description="Where the date or sex encoded in the NIK differ from the recorded values."
    )


class _ResidentFields(Schema):
    # Loose types on purpose: the registry service validates and answers translated messages.
    model_config = ConfigDict(extra="forbid")

    nik: str | None = Field(None, description="16 digits; empty or null when unknown.")
    birth_date: str | None = Field(
        None, description="YYYY-MM-DD.", json_schema_extra={"format": "date"}
    )
    phone: str | None = Field(None, description="Indonesian or international number.")
    household: ObjectId | None = Field(None, description="Household id; sets the RT too.")
    relation: str | None = Field(None, json_schema_extra=_enum(list(Relation.values)))
    rt: str | None = Field(None, description="RT code; required without a household.")
    status: str | None = Field(None, json_schema_extra=_enum(list(DomicileStatus.values)))
    comorbidities: list[str] | None = Field(
        None, json_schema_extra={"items": _enum(list(Comorbidity.values))}
    )
    hamil: bool | None = None
    disabilitas: bool | None = None


class ResidentIn(_ResidentFields):
    name: str
    sex: str = Field(json_schema_extra=_enum(["L", "P"]))


class ResidentPatch(_ResidentFields):
    name: str | None = None
    sex: str | None = Field(None, json_schema_extra=_enum(["L", "P"]))


class HouseholdQuery(PageQuery):
    territory: str = Field("", description="Only within this territory code (in your area).")
    q: str = Field("", description="No. KK prefix (4+ digits), or address / head name text.")


class ResidentQuery(PageQuery):
    territory: str = Field("", description="Only within this territory code (in your area).")
    q: str = Field("", description="NIK or No. KK prefix (4+ digits), or name text.")
    vulnerable: str = Field("", json_schema_extra=_enum(["", *Vulnerability.values]))
    status: str = Field("", json_schema_extra=_enum(["", *DomicileStatus.values]))


# ---------------------------------------------------------------- shapes


def household_out(household: Household) -> dict[str, Any]:
    return {
        "id": household.pk,
        "kk": household.kk,
        "rt": household.rt.code,
        "address": household.address,
        "head": household.head_id,
    }


def resident_out(resident: Resident) -> dict[str, Any]:
    return {
        "id": resident.pk,
        "nik": resident.nik,
        "name": resident.name,
        "sex": resident.sex,
        "birth_date": resident.birth_date,
        "phone": resident.phone,
        "household": resident.household_id,
        "relation": resident.relation,
        "rt": resident.rt.code,
        "status": resident.status,
        "flags": resident.flags,
        "comorbidities": list(resident.comorbidities),
        "hamil": resident.hamil,
        "disabilitas": resident.disabilitas,
        "warnings": resident.warnings,
    }


def _data(payload: Schema, *, partial: bool) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=partial, exclude_none=not partial)


# ---------------------------------------------------------------- households

HouseholdId = Annotated[int, Path(ge=1, le=MAX_ID)]
ResidentId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/households", response={200: Page[HouseholdOut], **ERRORS}, tags=["households"])
def list_households(request: HttpRequest, filters: Query[HouseholdQuery]) -> dict[str, Any]:
    territory = territory_param(request.user, Perm.TERRITORY_VIEW, filters.territory)
    queryset = selectors.households(request.user, territory=territory, q=filters.q)
    page = paginate(queryset, filters.limit, filters.offset)
    page["items"] = [household_out(h) for h in page["items"]]
    return page


@router.post("/households", response={201: HouseholdOut, **ERRORS}, tags=["households"])
def create_household(request: HttpRequest, payload: HouseholdIn) -> Status[dict[str, Any]]:
    household = services.create_household(actor=request.user, data=_data(payload, partial=False))
    return Status(201, household_out(household))


@router.get(
    "/households/{household_id}", response={200: HouseholdOut, **ERRORS}, tags=["households"]
)
def get_household(request: HttpRequest, household_id: HouseholdId) -> dict[str, Any]:
    return household_out(selectors.household_for_view(request.user, household_id))


@router.patch(
    "/households/{household_id}", response={200: HouseholdOut, **ERRORS}, tags=["households"]
)
def update_household(
    request: HttpRequest, household_id: HouseholdId, payload: HouseholdPatch
) -> dict[str, Any]:
    household = selectors.household_for_change(request.user, household_id)
    household = services.update_household(
        actor=acting_user(request), household=household, data=_data(payload, partial=True)
    )
    return household_out(household)


@router.delete(
    "/households/{household_id}",
    response={204: None, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    tags=["households"],
)
def delete_household(request: HttpRequest, household_id: HouseholdId) -> Status[None]:
    household = selectors.household_for_change(request.user, household_id)
    services.delete_household(actor=request.user, household=household)
    return Status(204, None)


# ---------------------------------------------------------------- residents


@router.get("/residents", response={200: Page[ResidentOut], **ERRORS}, tags=["residents"])
def list_residents(request: HttpRequest, filters: Query[ResidentQuery]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if filters.vulnerable and filters.vulnerable not in Vulnerability.values:
        errors["vulnerable"] = [
            _("Choose one of: %(values)s") % {"values": ", ".join(Vulnerability.values)}
        ]
    if filters.status and filters.status not in DomicileStatus.values:
        errors["status"] = [
            _("Choose one of: %(values)s") % {"values": ", ".join(DomicileStatus.values)}
        ]
    if errors:
        raise invalid(errors)
    territory = territory_param(request.user, Perm.TERRITORY_VIEW, filters.territory)
    queryset = selectors.residents(
        request.user,
        territory=territory,
        q=filters.q,
        status=filters.status,
        vulnerable=filters.vulnerable,
    )
    page = paginate(queryset, filters.limit, filters.offset)
    page["items"] = [resident_out(r) for r in page["items"]]
    return page


@router.post("/residents", response={201: ResidentOut, **ERRORS}, tags=["residents"])
def create_resident(request: HttpRequest, payload: ResidentIn) -> Status[dict[str, Any]]:
    resident = services.create_resident(actor=request.user, data=_data(payload, partial=False))
    return Status(201, resident_out(resident))


@router.get("/residents/{resident_id}", response={200: ResidentOut, **ERRORS}, tags=["residents"])
def get_resident(request: HttpRequest, resident_id: ResidentId) -> dict[str, Any]:
    # An audited view: the audit entry records interface "api".
    return resident_out(selectors.resident_for_view(request.user, resident_id))


@router.patch("/residents/{resident_id}", response={200: ResidentOut, **ERRORS}, tags=["residents"])
def update_resident(
    request: HttpRequest, resident_id: ResidentId, payload: ResidentPatch
) -> dict[str, Any]:
    resident = selectors.resident_for_change(request.user, resident_id)
    resident = services.update_resident(
        actor=acting_user(request), resident=resident, data=_data(payload, partial=True)
    )
    return resident_out(resident)


@router.delete(
    "/residents/{resident_id}",
    response={204: None, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    tags=["residents"],
)
def delete_resident(request: HttpRequest, resident_id: ResidentId) -> Status[None]:
    resident = selectors.resident_for_change(request.user, resident_id)
    services.delete_resident(actor=request.user, resident=resident)
    return Status(204, None)
