"""/api/v1 health endpoints: cases and monitoring, referrals, contacts, newcomers, vaccinations,
RT zones. Reads go through ``health.selectors`` (every view of a record is audited), writes through
``health.services`` (422 with field messages when refused). Outside the caller's area: 404."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from siaga.accounts.models import User
from siaga.api.errors import ERRORS, invalid
from siaga.api.pagination import Page, PageQuery, paginate
from siaga.core import policy
from siaga.core.acting import acting_user
from siaga.core.codes import LEVEL_RT, code_from_key
from siaga.core.roles import Perm
from siaga.health import selectors, services, zoning
from siaga.health.models import (
    Case,
    Category,
    Contact,
    ContactStatus,
    Destination,
    DestinationKind,
    IsolationPlace,
    Method,
    Monitoring,
    Newcomer,
    OnwardReferral,
    OnwardState,
    Outcome,
    Protocol,
    ProtocolKind,
    Puskesmas,
    Referral,
    ReferralOutcome,
    ReferralState,
    Symptom,
    TestResult,
    Triage,
    Vaccination,
    Vaccine,
    Zone,
)
from siaga.health.protocols import end_reason_text
from siaga.health.triage import reason_texts
from siaga.territory import selectors as territory_selectors
from siaga.territory.models import Territory
from siaga.territory.selectors import territory_param

router = Router()

MAX_ID = 2**63 - 1
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _enum(values: list[str]) -> dict[str, Any]:
    return {"enum": values}


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


def _data(payload: Schema, *, partial: bool) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=partial)


def _code(territory_id: int) -> str:
    return code_from_key(territory_id, LEVEL_RT)


# ---------------------------------------------------------------- cases


class CaseIn(_In):
    resident: RefId | None = Field(None, description="Resident id (or give nik).")
    nik: str | None = Field(None, description="The resident's NIK (or give resident).")
    category: str = Field(json_schema_extra=_enum(list(Category.values)))
    specimen_on: dt.date
    confirmed_on: dt.date | None = None
    onset_on: dt.date | None = Field(None, description="Null when asymptomatic.")
    isolation_place: str = Field(json_schema_extra=_enum(list(IsolationPlace.values)))
    separate_room: bool | None = Field(None, description="For the home-isolation check.")
    own_oximeter: bool | None = Field(None, description="For the home-isolation check.")


class CasePatch(_In):
    category: str | None = Field(None, json_schema_extra=_enum(list(Category.values)))
    specimen_on: dt.date | None = None
    confirmed_on: dt.date | None = None
    onset_on: dt.date | None = None
    isolation_place: str | None = Field(None, json_schema_extra=_enum(list(IsolationPlace.values)))
    separate_room: bool | None = None
    own_oximeter: bool | None = None
    extended_until: dt.date | None = Field(None, description="Puskesmas/kelurahan only.")
    extension_note: str | None = Field(None, max_length=255)
    outcome: str | None = Field(
        None,
        description="Ends the case (puskesmas/kelurahan only).",
        json_schema_extra=_enum([o for o in Outcome.values if o]),
    )
    ended_on: dt.date | None = None


class CaseOut(Schema):
    id: int
    resident: int
    rt: str
    category: str
    specimen_on: dt.date
    confirmed_on: dt.date | None
    onset_on: dt.date | None
    isolation_place: str
    isolation_ends_on: dt.date = Field(description="Planned end of isolation.")
    end_reasons: list[str] = Field(description="Why the planned end is that date.")
    extended_until: dt.date | None
    extension_note: str
    eligibility_unmet: list[str] = Field(
        description="Unmet home-isolation conditions (isolasi terpusat is suggested)."
    )
    protocol: str
    outcome: str
    ended_on: dt.date | None
    active: bool


def case_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "resident": case.resident_id,
        "rt": _code(case.rt_id),
        "category": case.category,
        "specimen_on": case.specimen_on,
        "confirmed_on": case.confirmed_on,
        "onset_on": case.onset_on,
        "isolation_place": case.isolation_place,
        "isolation_ends_on": case.isolation_ends_on,
        "end_reasons": [end_reason_text(r) for r in case.end_reasons],
        "extended_until": case.extended_until,
        "extension_note": case.extension_note,
        "eligibility_unmet": list(case.eligibility_unmet),
        "protocol": case.protocol.name,
        "outcome": case.outcome,
        "ended_on": case.ended_on,
        "active": case.active,
    }


class CaseQuery(PageQuery):
    territory: str = Field("", description="Only within this territory code.")
    active: bool | None = Field(None, description="true: ongoing only; false: ended only.")


@router.get("/cases", response={200: Page[CaseOut], **ERRORS}, tags=["health"])
def list_cases(request: HttpRequest, filters: Query[CaseQuery]) -> dict[str, Any]:
    territory = territory_param(request.user, Perm.TERRITORY_VIEW, filters.territory)
    page = paginate(
        selectors.cases(request.user, territory=territory, active=filters.active),
        filters.limit,
        filters.offset,
    )
    page["items"] = [case_out(c) for c in page["items"]]
    selectors.audit_list(request.user, "health.case", territory, len(page["items"]))
    return page


@router.post("/cases", response={201: CaseOut, **ERRORS}, tags=["health"])
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    case = services.create_case(actor=request.user, data=_data(payload, partial=False))
    return Status(201, case_out(case))


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS}, tags=["health"])
def get_case(request: HttpRequest, case_id: ObjectId) -> dict[str, Any]:
    return case_out(selectors.case_for_view(request.user, case_id))


@router.patch("/cases/{case_id}", response={200: CaseOut, **ERRORS}, tags=["health"])
def update_case(request: HttpRequest, case_id: ObjectId, payload: CasePatch) -> dict[str, Any]:
    case = selectors.case_for_change(request.user, case_id)
    data = _data(payload, partial=True)
    outcome = data.pop("outcome", None)
    ended_on = data.pop("ended_on", None)
    if data:
        case = services.update_case(actor=request.user, case=case, data=data)
    if outcome:
        if not policy.can_act_on(request.user, Perm.HEALTH_MANAGE, case):
            raise invalid({"outcome": [_("Only the puskesmas or kelurahan may end a case.")]})
        case = services.end_isolation(
            actor=request.user, case=case, outcome=outcome, ended_on=ended_on
        )
    return case_out(case)


# ---------------------------------------------------------------- monitoring


class MonitoringIn(_In):
    taken_at: dt.datetime | None = Field(None, description="Defaults to now.")
    method: str | None = Field(None, json_schema_extra=_enum(list(Method.values)))
    temperature_c: float | None = Field(None, description="°C, 30–45.")
    spo2: int | None = Field(None, description="%, 50–100.")
    respiratory_rate: int | None = Field(None, description="Breaths per minute, 4–80.")
    pulse: int | None = Field(None, description="Beats per minute, 20–250.")
    symptoms: list[str] = Field(
        default_factory=list, json_schema_extra={"items": _enum(list(Symptom.values))}
    )


class MonitoringOut(Schema):
    id: int
    case: int | None
    contact: int | None
    taken_at: dt.datetime
    slot: str
    method: str
    temperature_c: float | None
    spo2: int | None
    respiratory_rate: int | None
    pulse: int | None
    symptoms: list[str]
    triage: str = Field(json_schema_extra=_enum(list(Triage.values)))
    reasons: list[str]
    referral: int | None = Field(description="The referral opened or raised, if any.")
    protocol: str


def monitoring_out(record: Monitoring, protocol_name: str | None = None) -> dict[str, Any]:
    return {
        "id": record.pk,
        "case": record.case_id,
        "contact": record.contact_id,
        "taken_at": record.taken_at,
        "slot": record.slot,
        "method": record.method,
        "temperature_c": float(record.temperature_c) if record.temperature_c is not None else None,
        "spo2": record.spo2,
        "respiratory_rate": record.respiratory_rate,
        "pulse": record.pulse,
        "symptoms": list(record.symptoms),
        "triage": record.triage,
        "reasons": reason_texts(record.reasons),
        "referral": record.referral_id,
        "protocol": protocol_name or record.protocol.name,
    }


@router.post(
    "/cases/{case_id}/monitoring", response={201: MonitoringOut, **ERRORS}, tags=["health"]
)
def add_case_monitoring(
    request: HttpRequest, case_id: ObjectId, payload: MonitoringIn
) -> Status[dict[str, Any]]:
    case = selectors.case_for_record(request.user, case_id)
    record, _referral = services.record_monitoring(
        actor=request.user, case=case, data=_data(payload, partial=False)
    )
    return Status(201, monitoring_out(record, record.protocol.name))


@router.get(
    "/cases/{case_id}/monitoring", response={200: list[MonitoringOut], **ERRORS}, tags=["health"]
)
def list_case_monitoring(request: HttpRequest, case_id: ObjectId) -> list[dict[str, Any]]:
    case = selectors.case_for_view(request.user, case_id)
    return [
        monitoring_out(r) for r in selectors.monitoring_of(case).select_related("protocol")[:500]
    ]


@router.post(
    "/contacts/{contact_id}/monitoring", response={201: MonitoringOut, **ERRORS}, tags=["health"]
)
def add_contact_monitoring(
    request: HttpRequest, contact_id: ObjectId, payload: MonitoringIn
) -> Status[dict[str, Any]]:
    contact = selectors.contact_for_record(request.user, contact_id)
    record, _referral = services.record_monitoring(
        actor=request.user, contact=contact, data=_data(payload, partial=False)
    )
    return Status(201, monitoring_out(record, record.protocol.name))


# ---------------------------------------------------------------- referrals


class ReferralIn(_In):
    case: RefId
    level: str = Field(json_schema_extra=_enum([Triage.RUJUK, Triage.DARURAT]))
    note: str = Field("", max_length=255)


class ReferralPatch(_In):
    state: str = Field(
        json_schema_extra=_enum([ReferralState.DITERIMA, ReferralState.SELESAI]),
        description="diterima (acknowledge) or selesai (complete, with outcome).",
    )
    outcome: str | None = Field(
        None, json_schema_extra=_enum([o for o in ReferralOutcome.values if o])
    )
    note: str = Field("", max_length=255)


class ReferralOut(Schema):
    id: int
    resident: int
    rt: str
    case: int | None
    contact: int | None
    puskesmas: str | None
    level: str
    reasons: list[str]
    state: str = Field(json_schema_extra=_enum(list(ReferralState.values)))
    created_at: dt.datetime
    acknowledge_by: dt.datetime
    acknowledged_at: dt.datetime | None
    escalated_at: dt.datetime | None
    completed_at: dt.datetime | None
    outcome: str
    note: str


def referral_out(referral: Referral) -> dict[str, Any]:
    reasons = [
        r.get("note") or _("Referred by hand.") if r.get("code") == "manual" else None
        for r in referral.reasons
    ]
    texts = reason_texts([r for r in referral.reasons if r.get("code") != "manual"])
    return {
        "id": referral.pk,
        "resident": referral.resident_id,
        "rt": _code(referral.rt_id),
        "case": referral.case_id,
        "contact": referral.contact_id,
        "puskesmas": referral.puskesmas.name if referral.puskesmas_id else None,  # type: ignore[union-attr]
        "level": referral.level,
        "reasons": [r for r in reasons if r] + texts,
        "state": referral.state,
        "created_at": referral.created_at,
        "acknowledge_by": referral.acknowledge_by,
        "acknowledged_at": referral.acknowledged_at,
        "escalated_at": referral.escalated_at,
        "completed_at": referral.completed_at,
        "outcome": referral.outcome,
        "note": referral.note,
    }


class ReferralQuery(PageQuery):
    territory: str = ""
    state: str = Field("", json_schema_extra=_enum(["", *ReferralState.values]))


@router.get("/referrals", response={200: Page[ReferralOut], **ERRORS}, tags=["health"])
def list_referrals(request: HttpRequest, filters: Query[ReferralQuery]) -> dict[str, Any]:
    if filters.state and filters.state not in ReferralState.values:
        raise invalid({"state": [_("Choose one of: %(v)s") % {"v": ", ".join(ReferralState)}]})
    territory = territory_param(request.user, Perm.TERRITORY_VIEW, filters.territory)
    page = paginate(
        selectors.referrals(request.user, territory=territory, state=filters.state),
        filters.limit,
        filters.offset,
    )
    page["items"] = [referral_out(r) for r in page["items"]]
    selectors.audit_list(request.user, "health.referral", territory, len(page["items"]))
    return page


@router.post("/referrals", response={201: ReferralOut, **ERRORS}, tags=["health"])
def create_referral(request: HttpRequest, payload: ReferralIn) -> Status[dict[str, Any]]:
    case = selectors.case_for_change(request.user, payload.case)
    referral = services.open_referral(
        actor=request.user, case=case, level=payload.level, note=payload.note
    )
    return Status(201, referral_out(referral))


@router.get("/referrals/{referral_id}", response={200: ReferralOut, **ERRORS}, tags=["health"])
def get_referral(request: HttpRequest, referral_id: ObjectId) -> dict[str, Any]:
    return referral_out(selectors.referral_for_view(request.user, referral_id))


@router.patch("/referrals/{referral_id}", response={200: ReferralOut, **ERRORS}, tags=["health"])
def update_referral(
    request: HttpRequest, referral_id: ObjectId, payload: ReferralPatch
) -> dict[str, Any]:
    referral = selectors.referral_for_manage(request.user, referral_id)
    if payload.state == ReferralState.DITERIMA:
        referral = services.acknowledge_referral(actor=request.user, referral=referral)
    elif payload.state == ReferralState.SELESAI:
        referral = services.complete_referral(
            actor=request.user, referral=referral, outcome=payload.outcome or "", note=payload.note
        )
    else:
        raise invalid({"state": [_("Choose diterima or selesai.")]})
    return referral_out(referral)


@router.get("/referrals-inbox", response={200: Page[ReferralOut], **ERRORS}, tags=["health"])
def referral_inbox(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    """Referrals waiting for the caller as puskesmas staff (or kelurahan facilitator): new first,
    darurat first, longest waiting first."""
    user = acting_user(request)
    policy.require_somewhere(user, Perm.HEALTH_MANAGE)
    page = paginate(selectors.referral_inbox(user), filters.limit, filters.offset)
    page["items"] = [referral_out(r) for r in page["items"]]
    selectors.audit_list(user, "health.referral", None, len(page["items"]))
    return page


# ---------------------------------------------------------------- onward referral


class OnwardIn(_In):
    destination: RefId = Field(description="A destination that receives referrals.")
    note: str = Field("", max_length=255)


class OnwardPatch(_In):
    state: str = Field(
        json_schema_extra=_enum([OnwardState.DITERIMA, OnwardState.DITOLAK]),
        description="diterima (admitted: the referral completes) or ditolak (refused).",
    )
    note: str = Field("", max_length=255)


class OnwardOut(Schema):
    id: int
    referral: int
    destination: int
    destination_name: str
    destination_kind: str = Field(json_schema_extra=_enum(list(DestinationKind.values)))
    state: str = Field(json_schema_extra=_enum(list(OnwardState.values)))
    note: str
    created_at: dt.datetime
    closed_at: dt.datetime | None


def onward_out(onward: OnwardReferral) -> dict[str, Any]:
    return {
        "id": onward.pk,
        "referral": onward.referral_id,
        "destination": onward.destination_id,
        "destination_name": onward.destination.name,
        "destination_kind": onward.destination.kind,
        "state": onward.state,
        "note": onward.note,
        "created_at": onward.created_at,
        "closed_at": onward.closed_at,
    }


@router.get(
    "/referrals/{referral_id}/onward", response={200: list[OnwardOut], **ERRORS}, tags=["health"]
)
def list_onward(request: HttpRequest, referral_id: ObjectId) -> list[dict[str, Any]]:
    referral = selectors.referral_for_view(acting_user(request), referral_id)
    return [onward_out(o) for o in selectors.onward_of(referral)]


@router.post(
    "/referrals/{referral_id}/onward", response={201: OnwardOut, **ERRORS}, tags=["health"]
)
def create_onward(
    request: HttpRequest, referral_id: ObjectId, payload: OnwardIn
) -> Status[dict[str, Any]]:
    """Send the resident on to a hospital or the isolation centre (puskesmas/kelurahan)."""
    user = acting_user(request)
    referral = selectors.referral_for_manage(user, referral_id)
    destination = selectors.destinations(active_only=True).filter(pk=payload.destination).first()
    onward = services.refer_onward(
        actor=user, referral=referral, destination=destination, note=payload.note
    )
    return Status(201, onward_out(onward))


@router.patch("/onward-referrals/{onward_id}", response={200: OnwardOut, **ERRORS}, tags=["health"])
def update_onward(
    request: HttpRequest, onward_id: ObjectId, payload: OnwardPatch
) -> dict[str, Any]:
    user = acting_user(request)
    onward = selectors.onward_for_manage(user, onward_id)
    onward = services.close_onward(
        actor=user, onward=onward, state=payload.state, note=payload.note
    )
    return onward_out(onward)


# ---------------------------------------------------------------- puskesmas and destinations


class PuskesmasIn(_In):
    name: str = Field(min_length=1, max_length=150)
    location: str = Field(description="Territory code where the puskesmas stands.")
    area: list[str] = Field(description="Kelurahan codes of the working area (wilayah kerja).")
    staff: list[str] = Field(default_factory=list, description="Usernames of the staff.")


class PuskesmasPatch(_In):
    name: str | None = Field(None, min_length=1, max_length=150)
    location: str | None = None
    area: list[str] | None = Field(None, description="Replaces the working area.")
    staff: list[str] | None = Field(None, description="Replaces the staff list.")


class PuskesmasOut(Schema):
    id: int
    name: str
    location: str
    area: list[str]
    staff: list[str]


def puskesmas_out(puskesmas: Puskesmas) -> dict[str, Any]:
    return {
        "id": puskesmas.pk,
        "name": puskesmas.name,
        "location": puskesmas.territory.code,
        "area": sorted(row.kelurahan.code for row in puskesmas.area_rows.all()),
        "staff": sorted(u.get_username() for u in puskesmas.staff.all()),
    }


def _territories(field: str, codes: list[str]) -> list[Territory]:
    found = {t.code: t for t in Territory.objects.filter(code__in=codes)}
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise invalid({field: [_("Unknown territory code %(code)s.") % {"code": unknown[0]}]})
    return [found[c] for c in dict.fromkeys(codes)]


def _users(names: list[str]) -> list[User]:
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    unknown = sorted(set(names) - set(found))
    if unknown:
        raise invalid({"staff": [_("Unknown users: %(names)s") % {"names": ", ".join(unknown)}]})
    return list(found.values())


@router.get("/puskesmas", response={200: list[PuskesmasOut], **ERRORS}, tags=["health"])
def list_puskesmas(request: HttpRequest) -> list[dict[str, Any]]:
    """The puskesmas the caller manages (by where they stand) or works at."""
    return [puskesmas_out(p) for p in selectors.puskesmas_list(acting_user(request))]


@router.post("/puskesmas", response={201: PuskesmasOut, **ERRORS}, tags=["health"])
def create_puskesmas(request: HttpRequest, payload: PuskesmasIn) -> Status[dict[str, Any]]:
    user = acting_user(request)
    policy.require_somewhere(user, Perm.PUSKESMAS_MANAGE)
    puskesmas = services.create_puskesmas(
        actor=user,
        name=payload.name,
        location=_territories("location", [payload.location])[0],
        area=_territories("area", payload.area),
        staff=_users(payload.staff),
    )
    return Status(201, puskesmas_out(selectors.puskesmas_for_manage(user, puskesmas.pk)))


@router.patch("/puskesmas/{puskesmas_id}", response={200: PuskesmasOut, **ERRORS}, tags=["health"])
def update_puskesmas(
    request: HttpRequest, puskesmas_id: ObjectId, payload: PuskesmasPatch
) -> dict[str, Any]:
    """Rename or move it, replace its working area or its staff; the staff's access follows."""
    user = acting_user(request)
    puskesmas = selectors.puskesmas_for_manage(user, puskesmas_id)
    location = (
        _territories("location", [payload.location])[0] if payload.location is not None else None
    )
    area = _territories("area", payload.area) if payload.area is not None else None
    staff = _users(payload.staff) if payload.staff is not None else None
    with transaction.atomic():
        services.update_puskesmas(
            actor=user, puskesmas=puskesmas, name=payload.name, location=location
        )
        if area is not None:
            services.set_working_area(actor=user, puskesmas=puskesmas, area=area)
        if staff is not None:
            services.set_staff(actor=user, puskesmas=puskesmas, staff=staff)
    return puskesmas_out(selectors.puskesmas_for_manage(user, puskesmas.pk))


class DestinationIn(_In):
    name: str = Field(min_length=1, max_length=150)
    kind: str = Field(json_schema_extra=_enum(list(DestinationKind.values)))
    location: str = Field(description="Territory code where it stands (33.74: city-wide).")
    address: str = Field("", max_length=255)
    phone: str = Field("", max_length=30)


class DestinationPatch(_In):
    name: str | None = Field(None, min_length=1, max_length=150)
    address: str | None = Field(None, max_length=255)
    phone: str | None = Field(None, max_length=30)
    active: bool | None = Field(None, description="False: no longer receiving referrals.")


class DestinationOut(Schema):
    id: int
    name: str
    kind: str = Field(json_schema_extra=_enum(list(DestinationKind.values)))
    location: str
    address: str
    phone: str
    active: bool


def destination_out(destination: Destination) -> dict[str, Any]:
    return {
        "id": destination.pk,
        "name": destination.name,
        "kind": destination.kind,
        "location": destination.territory.code,
        "address": destination.address,
        "phone": destination.phone,
        "active": destination.active,
    }


@router.get("/destinations", response={200: list[DestinationOut], **ERRORS}, tags=["health"])
def list_destinations(request: HttpRequest) -> list[dict[str, Any]]:
    """Hospitals and isolation centres (no personal data): for anyone handling referrals."""
    user = acting_user(request)
    if policy.scope_for(user, Perm.HEALTH_MANAGE).empty:
        policy.require_somewhere(user, Perm.PUSKESMAS_MANAGE)
    return [destination_out(d) for d in selectors.destinations()]


@router.post("/destinations", response={201: DestinationOut, **ERRORS}, tags=["health"])
def create_destination(request: HttpRequest, payload: DestinationIn) -> Status[dict[str, Any]]:
    user = acting_user(request)
    policy.require_somewhere(user, Perm.PUSKESMAS_MANAGE)
    destination = services.create_destination(
        actor=user,
        name=payload.name,
        kind=payload.kind,
        location=_territories("location", [payload.location])[0],
        address=payload.address,
        phone=payload.phone,
    )
    return Status(201, destination_out(destination))


@router.patch(
    "/destinations/{destination_id}", response={200: DestinationOut, **ERRORS}, tags=["health"]
)
def update_destination(
    request: HttpRequest, destination_id: ObjectId, payload: DestinationPatch
) -> dict[str, Any]:
    user = acting_user(request)
    destination = selectors.destination_for_manage(user, destination_id)
    services.update_destination(actor=user, destination=destination, **payload.model_dump())
    return destination_out(destination)


# ---------------------------------------------------------------- contacts


class ContactIn(_In):
    case: RefId
    resident: RefId | None = None
    nik: str | None = None
    last_exposure_on: dt.date


class ContactPatch(_In):
    last_exposure_on: dt.date | None = None
    entry_test_on: dt.date | None = None
    entry_test_result: str | None = Field(None, json_schema_extra=_enum(list(TestResult.values)))
    exit_test_on: dt.date | None = None
    exit_test_result: str | None = Field(None, json_schema_extra=_enum(list(TestResult.values)))
    status: str | None = Field(
        None, description="selesai ends the quarantine once its planned end has come."
    )
    isolation_place: str | None = Field(
        None,
        description="Where the new case isolates when a test is positive.",
        json_schema_extra=_enum(list(IsolationPlace.values)),
    )
    separate_room: bool | None = None
    own_oximeter: bool | None = None


class ContactOut(Schema):
    id: int
    case: int
    resident: int
    rt: str
    last_exposure_on: dt.date
    quarantine_ends_on: dt.date
    end_reasons: list[str]
    entry_test_on: dt.date | None
    entry_test_result: str
    exit_test_on: dt.date | None
    exit_test_result: str
    status: str = Field(json_schema_extra=_enum(list(ContactStatus.values)))
    became_case: int | None
    protocol: str


def contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "case": contact.case_id,
        "resident": contact.resident_id,
        "rt": _code(contact.rt_id),
        "last_exposure_on": contact.last_exposure_on,
        "quarantine_ends_on": contact.quarantine_ends_on,
        "end_reasons": [end_reason_text(r) for r in contact.end_reasons],
        "entry_test_on": contact.entry_test_on,
        "entry_test_result": contact.entry_test_result,
        "exit_test_on": contact.exit_test_on,
        "exit_test_result": contact.exit_test_result,
        "status": contact.status,
        "became_case": contact.became_case_id,
        "protocol": contact.protocol.name,
    }


class ContactQuery(PageQuery):
    territory: str = ""
    status: str = Field("", json_schema_extra=_enum(["", *ContactStatus.values]))


@router.get("/contacts", response={200: Page[ContactOut], **ERRORS}, tags=["health"])
def list_contacts(request: HttpRequest, filters: Query[ContactQuery]) -> dict[str, Any]:
    territory = territory_param(request.user, Perm.TERRITORY_VIEW, filters.territory)
    queryset = selectors.contacts(request.user, territory=territory, status=filters.status)
    page = paginate(queryset.select_related("protocol"), filters.limit, filters.offset)
    page["items"] = [contact_out(c) for c in page["items"]]
    selectors.audit_list(request.user, "health.contact", territory, len(page["items"]))
    return page


@router.post("/contacts", response={201: ContactOut, **ERRORS}, tags=["health"])
def create_contact(request: HttpRequest, payload: ContactIn) -> Status[dict[str, Any]]:
    contact = services.create_contact(actor=request.user, data=_data(payload, partial=False))
    return Status(201, contact_out(contact))


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS}, tags=["health"])
def get_contact(request: HttpRequest, contact_id: ObjectId) -> dict[str, Any]:
    return contact_out(selectors.contact_for_view(request.user, contact_id))


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **ERRORS}, tags=["health"])
def update_contact(
    request: HttpRequest, contact_id: ObjectId, payload: ContactPatch
) -> dict[str, Any]:
    contact = selectors.contact_for_change(request.user, contact_id)
    contact = services.update_contact(
        actor=request.user, contact=contact, data=_data(payload, partial=True)
    )
    return contact_out(contact)


# ---------------------------------------------------------------- newcomers


class NewcomerIn(_In):
    name: str
    nik: str = ""
    arrived_on: dt.date
    origin_code: str = Field(description="Region code of origin, e.g. 31.71 or 33.22.05.")
    household: RefId = Field(description="Destination household id.")
    test_result: str = Field("", json_schema_extra=_enum(list(TestResult.values)))
    tested_on: dt.date | None = None


class NewcomerPatch(_In):
    name: str | None = None
    nik: str | None = None
    arrived_on: dt.date | None = None
    origin_code: str | None = None
    household: RefId | None = None
    test_result: str | None = Field(None, json_schema_extra=_enum(list(TestResult.values)))
    tested_on: dt.date | None = None


class NewcomerOut(Schema):
    id: int
    name: str
    nik: str
    resident: int | None
    arrived_on: dt.date
    origin_code: str
    household: int | None
    rt: str
    test_result: str
    tested_on: dt.date | None
    quarantine_required: bool
    quarantine_ends_on: dt.date | None
    protocol: str


def newcomer_out(newcomer: Newcomer) -> dict[str, Any]:
    return {
        "id": newcomer.pk,
        "name": newcomer.name,
        "nik": newcomer.nik,
        "resident": newcomer.resident_id,
        "arrived_on": newcomer.arrived_on,
        "origin_code": newcomer.origin_code,
        "household": newcomer.household_id,
        "rt": _code(newcomer.rt_id),
        "test_result": newcomer.test_result,
        "tested_on": newcomer.tested_on,
        "quarantine_required": newcomer.quarantine_required,
        "quarantine_ends_on": newcomer.quarantine_ends_on,
        "protocol": newcomer.protocol.name,
    }


class TerritoryQuery(PageQuery):
    territory: str = ""


@router.get("/newcomers", response={200: Page[NewcomerOut], **ERRORS}, tags=["health"])
def list_newcomers(request: HttpRequest, filters: Query[TerritoryQuery]) -> dict[str, Any]:
    territory = territory_param(request.user, Perm.TERRITORY_VIEW, filters.territory)
    queryset = selectors.newcomers(request.user, territory=territory).select_related("protocol")
    page = paginate(queryset, filters.limit, filters.offset)
    page["items"] = [newcomer_out(n) for n in page["items"]]
    selectors.audit_list(request.user, "health.newcomer", territory, len(page["items"]))
    return page


@router.post("/newcomers", response={201: NewcomerOut, **ERRORS}, tags=["health"])
def create_newcomer(request: HttpRequest, payload: NewcomerIn) -> Status[dict[str, Any]]:
    newcomer = services.create_newcomer(actor=request.user, data=_data(payload, partial=False))
    return Status(201, newcomer_out(newcomer))


@router.get("/newcomers/{newcomer_id}", response={200: NewcomerOut, **ERRORS}, tags=["health"])
def get_newcomer(request: HttpRequest, newcomer_id: ObjectId) -> dict[str, Any]:
    return newcomer_out(selectors.newcomer_for_view(request.user, newcomer_id))


@router.patch("/newcomers/{newcomer_id}", response={200: NewcomerOut, **ERRORS}, tags=["health"])
def update_newcomer(
    request: HttpRequest, newcomer_id: ObjectId, payload: NewcomerPatch
) -> dict[str, Any]:
    newcomer = selectors.newcomer_for_change(request.user, newcomer_id)
    newcomer = services.update_newcomer(
        actor=request.user, newcomer=newcomer, data=_data(payload, partial=True)
    )
    return newcomer_out(newcomer)


# ---------------------------------------------------------------- vaccinations


class VaccinationIn(_In):
    resident: RefId | None = None
    nik: str | None = None
    given_on: dt.date
    vaccine: str = Field(json_schema_extra=_enum(list(Vaccine.values)))
    dose: int = Field(ge=1, le=5)


class VaccinationPatch(_In):
    given_on: dt.date | None = None
    vaccine: str | None = Field(None, json_schema_extra=_enum(list(Vaccine.values)))
    dose: int | None = Field(None, ge=1, le=5)


class VaccinationOut(Schema):
    id: int
    resident: int
    rt: str
    given_on: dt.date
    vaccine: str
    dose: int


def vaccination_out(dose: Vaccination) -> dict[str, Any]:
    return {
        "id": dose.pk,
        "resident": dose.resident_id,
        "rt": _code(dose.rt_id),
        "given_on": dose.given_on,
        "vaccine": dose.vaccine,
        "dose": dose.dose,
    }


class VaccinationQuery(PageQuery):
    territory: str = ""
    resident: int | None = Field(None, ge=1, le=MAX_ID)


class OutreachOut(Schema):
    resident: int
    name: str
    rt: str
    age: int | None
    comorbidities: list[str]
    doses: int


@router.get("/vaccinations", response={200: Page[VaccinationOut], **ERRORS}, tags=["health"])
def list_vaccinations(request: HttpRequest, filters: Query[VaccinationQuery]) -> dict[str, Any]:
    territory = territory_param(request.user, Perm.TERRITORY_VIEW, filters.territory)
    queryset = selectors.vaccinations(request.user, territory=territory, resident=filters.resident)
    page = paginate(queryset, filters.limit, filters.offset)
    page["items"] = [vaccination_out(v) for v in page["items"]]
    selectors.audit_list(request.user, "health.vaccination", territory, len(page["items"]))
    return page


@router.get("/vaccinations/outreach", response={200: Page[OutreachOut], **ERRORS}, tags=["health"])
def vaccination_outreach(request: HttpRequest, filters: Query[TerritoryQuery]) -> dict[str, Any]:
    """Residents 60+ or with a comorbidity who are unvaccinated or incomplete, by RT."""
    territory = territory_param(request.user, Perm.TERRITORY_VIEW, filters.territory)
    page = paginate(
        selectors.outreach(request.user, territory=territory), filters.limit, filters.offset
    )
    page["items"] = [
        {
            "resident": r.pk,
            "name": r.name,
            "rt": r.rt.code,
            "age": r.age(),
            "comorbidities": list(r.comorbidities),
            "doses": r.doses,
        }
        for r in page["items"]
    ]
    selectors.audit_list(request.user, "health.outreach", territory, len(page["items"]))
    return page


@router.post("/vaccinations", response={201: VaccinationOut, **ERRORS}, tags=["health"])
def create_vaccination(request: HttpRequest, payload: VaccinationIn) -> Status[dict[str, Any]]:
    dose = services.record_vaccination(actor=request.user, data=_data(payload, partial=False))
    return Status(201, vaccination_out(dose))


@router.patch(
    "/vaccinations/{vaccination_id}", response={200: VaccinationOut, **ERRORS}, tags=["health"]
)
def update_vaccination(
    request: HttpRequest, vaccination_id: ObjectId, payload: VaccinationPatch
) -> dict[str, Any]:
    dose = selectors.vaccination_for_change(request.user, vaccination_id)
    dose = services.update_vaccination(
        actor=request.user, vaccination=dose, data=_data(payload, partial=True)
    )
    return vaccination_out(dose)


# ---------------------------------------------------------------- zones and protocols


class ZoneOut(Schema):
    code: str = Field(description="RT code.")
    houses: int = Field(description="Distinct houses with a confirmed case in D-6…D.")
    zone: str = Field(json_schema_extra=_enum(list(Zone.values)))


class ZoneQuery(Schema):
    territory: str = Field(description="Territory code (RW, kelurahan, kecamatan, kota …).")
    date: dt.date | None = Field(None, description="YYYY-MM-DD; today when omitted.")


@router.get("/zones", response={200: list[ZoneOut], **ERRORS}, tags=["health"])
def list_zones(request: HttpRequest, filters: Query[ZoneQuery]) -> list[dict[str, Any]]:
    """The zone of every RT in the territory on the date: counts only, never names."""
    territory = territory_selectors.get_visible(request.user, filters.territory)
    day = filters.date or timezone.localdate()
    if day > timezone.localdate():
        raise invalid({"date": [_("The date cannot be in the future.")]})
    rows = zoning.zones_on(day, territory)
    return [{"code": r.code, "houses": r.houses, "zone": r.zone} for r in rows]


class ProtocolOut(Schema):
    id: int
    kind: str
    name: str
    effective_from: dt.date
    params: dict[str, Any]
    source: str


@router.get("/protocols", response={200: list[ProtocolOut], **ERRORS}, tags=["health"])
def list_protocols(request: HttpRequest) -> list[Protocol]:
    return list(Protocol.objects.order_by("kind", "effective_from"))


class ProtocolIn(_In):
    kind: str = Field(json_schema_extra=_enum(list(ProtocolKind.values)))
    name: str = Field(min_length=1, max_length=100)
    effective_from: dt.date = Field(description="The date this version takes effect.")
    params: dict[str, Any] = Field(description="Validated by the schema of the kind.")
    source: str = Field("", max_length=255)


@router.post("/protocols", response={201: ProtocolOut, **ERRORS}, tags=["health"])
def create_protocol(request: HttpRequest, payload: ProtocolIn) -> Status[Protocol]:
    """Publish a new dated version (administrators only; 404 for everyone else). Results already
    recorded keep the version they used."""
    if not policy.is_global(request.user, Perm.HEALTH_PROTOCOL):
        raise Http404("not found")
    protocol = services.create_protocol(actor=request.user, **_data(payload, partial=False))
    return Status(201, protocol)
