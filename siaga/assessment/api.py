"""/api/v1 co-assessment: feedback on services, the satisfaction summary, and complaints
(pengaduan) with their public history and responses.

Scoped by the access policy (out of reach: 404). A warga gives feedback and files complaints for
their own household; relawan and pengurus record feedback for households of their territory;
pengurus and fasilitator answer complaints of their territory. A complaint about a volunteer is
never shown to that volunteer (404). Anonymous feedback carries no author, no household and only
the day it was given.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict

from siaga.api.errors import ERRORS
from siaga.api.pagination import Page, PageQuery, paginate
from siaga.core import policy
from siaga.core.errors import ValidationFailed
from siaga.core.roles import Perm
from siaga.registry.models import Household
from siaga.territory.models import Territory
from siaga.territory.selectors import territory_param
from siaga.volunteers.models import Volunteer

from . import selectors, services
from .models import (
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintLevel,
    ComplaintState,
    Feedback,
    ServiceKind,
)

router = Router(tags=["co-assessment"])

MAX_ID = 2**63 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
# The optional complaint photo of a multipart request.
PHOTO = File(None, description="JPEG, PNG or WebP, at most 5 MB.")


def _enum(values: list[Any]) -> dict[str, Any]:
    return {"enum": values}


def _territory(code: str) -> Territory | None:
    if not code:
        return None
    territory = Territory.objects.filter(code=code.strip()).first()
    if territory is None:
        raise Http404("not found")
    return territory


def _household(user: Any, pk: int | None, perm: Perm) -> Household | None:
    if pk is None:
        return None
    return policy.get_or_404(Household.objects.all(), user, perm, pk=pk)


# ---------------------------------------------------------------- feedback


class FeedbackOut(Schema):
    id: int
    rt: str = Field(description="Code of the RT.")
    household: int | None = Field(description="Null for anonymous feedback.")
    anonymous: bool
    service: str = Field(json_schema_extra=_enum(list(ServiceKind.values)))
    service_id: int | None = Field(
        description="The delivery, case, referral or meeting id (null when anonymous, except "
        "for meetings)."
    )
    volunteer: int | None = Field(description="The volunteer who served, when known.")
    rating: int = Field(ge=1, le=5)
    comment: str
    channel: str = Field(json_schema_extra=_enum(list(Channel.values)))
    created_at: dt.datetime = Field(description="Anonymous feedback: midnight of the day.")

    @staticmethod
    def resolve_rt(obj: Feedback) -> str:
        return obj.rt.code

    @staticmethod
    def resolve_household(obj: Feedback) -> int | None:
        return obj.household_id

    @staticmethod
    def resolve_volunteer(obj: Feedback) -> int | None:
        return obj.volunteer_id


class FeedbackIn(Schema):
    model_config = ConfigDict(extra="forbid")
    household: BodyId = Field(description="The household that received the service.")
    service: str = Field(json_schema_extra=_enum(list(ServiceKind.values)))
    service_id: BodyId | None = Field(
        None, description="Id of the delivery, case, referral or meeting; omit for `other`."
    )
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=2000)
    anonymous: bool = Field(False, description="Keep no author or household (not reversible).")


class FeedbackQuery(PageQuery):
    territory: str = Field("", description="Code of a territory to narrow to.")
    service: str = Field("", json_schema_extra=_enum(["", *ServiceKind.values]))
    since: dt.date | None = None


@router.get(
    "/feedback",
    response={200: Page[FeedbackOut], **ERRORS},
    summary="List feedback",
    description="Feedback of the caller's territory (needs the assessment view permission) and "
    "the named feedback of the caller's own household; newest first.",
)
def list_feedback(request: HttpRequest, filters: Query[FeedbackQuery]) -> dict[str, Any]:
    queryset = selectors.feedback(
        request.user,
        territory=territory_param(request.user, Perm.ASSESSMENT_VIEW, filters.territory),
        service=filters.service if filters.service in ServiceKind.values else "",
        since=filters.since,
    )
    return paginate(queryset, filters.limit, filters.offset)


@router.post(
    "/feedback",
    response={201: FeedbackOut, **ERRORS},
    summary="Rate a service",
    description="A household rates a finished service it received (1–5). A warga rates for "
    "their own household; relawan and pengurus record for a household of their territory. "
    "The service record must exist, belong to the household and be finished (422 otherwise). "
    "A household rates each service once.",
)
def create_feedback(request: HttpRequest, payload: FeedbackIn) -> Status[Feedback]:
    household = _household(request.user, payload.household, Perm.FEEDBACK_GIVE)
    assert household is not None
    feedback = services.give_feedback(
        actor=request.user,
        household=household,
        service=payload.service,
        service_id=payload.service_id,
        rating=payload.rating,
        comment=payload.comment,
        anonymous=payload.anonymous,
        channel=Channel.API,
    )
    return Status(201, feedback)


class FeedbackServiceSummaryOut(Schema):
    service: str
    label: str
    n: int
    mean: float | None
    distribution: dict[str, int] = Field(description="Count per rating, keys '1' … '5'.")


class FeedbackSummaryOut(Schema):
    n: int
    mean: float | None
    distribution: dict[str, int]
    by_service: list[FeedbackServiceSummaryOut]


class FeedbackSummaryQuery(Schema):
    territory: str = Field("", description="Code of a territory to narrow to.")
    since: dt.date | None = None


@router.get(
    "/feedback/summary",
    response={200: FeedbackSummaryOut, **ERRORS},
    summary="Satisfaction summary",
    description="Mean rating, number of ratings and distribution, overall and per service, of "
    "the caller's territory (assessment view permission; 404 without it).",
)
def feedback_summary(request: HttpRequest, filters: Query[FeedbackSummaryQuery]) -> dict[str, Any]:
    policy.require_somewhere(request.user, Perm.ASSESSMENT_VIEW)
    territory = territory_param(request.user, Perm.ASSESSMENT_VIEW, filters.territory)
    summary = selectors.satisfaction_summary(request.user, territory=territory, since=filters.since)
    overall = summary.overall.as_dict()
    return {
        "n": overall["n"],
        "mean": overall["mean"],
        "distribution": overall["distribution"],
        "by_service": [s.as_dict() for s in summary.by_service],
    }


class RateableServiceOut(Schema):
    service: str = Field(json_schema_extra=_enum(list(ServiceKind.values)))
    service_id: int | None
    at: dt.datetime | None
    label: str


@router.get(
    "/feedback/services",
    response={200: list[RateableServiceOut], **ERRORS},
    summary="Services a household can rate",
    description="Finished services of the last 30 days (deliveries, ended isolations, "
    "acknowledged referrals, meetings held in its RT, RW or kelurahan) not rated yet.",
)
def rateable(request: HttpRequest, household: int = Query(..., ge=1, le=MAX_ID)) -> list[Any]:
    found = _household(request.user, household, Perm.FEEDBACK_GIVE)
    assert found is not None
    return [
        {"service": r.kind, "service_id": r.record_id, "at": r.at, "label": r.label}
        for r in selectors.rateable_services(found)
    ]


# ---------------------------------------------------------------- complaints


class ComplaintEventOut(Schema):
    at: dt.datetime
    state: str = Field(json_schema_extra=_enum(list(ComplaintState.values)))
    level: str = Field(json_schema_extra=_enum(list(ComplaintLevel.values)))
    note: str


class ComplaintOut(Schema):
    id: int
    rt: str
    household: int | None
    category: str = Field(json_schema_extra=_enum(list(ComplaintCategory.values)))
    service: str
    service_id: int | None
    volunteer: int | None
    description: str
    has_photo: bool
    state: str = Field(json_schema_extra=_enum(list(ComplaintState.values)))
    level: str = Field(json_schema_extra=_enum(list(ComplaintLevel.values)))
    answer_by: dt.datetime
    overdue: bool = Field(description="Not answered and past its answer-by time.")
    escalated_at: dt.datetime | None
    response: str
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    channel: str
    created_at: dt.datetime

    @staticmethod
    def resolve_rt(obj: Complaint) -> str:
        return obj.rt.code

    @staticmethod
    def resolve_household(obj: Complaint) -> int | None:
        return obj.household_id

    @staticmethod
    def resolve_volunteer(obj: Complaint) -> int | None:
        return obj.volunteer_id

    @staticmethod
    def resolve_has_photo(obj: Complaint) -> bool:
        return bool(obj.photo)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(getattr(obj, "overdue", False))


class ComplaintDetailOut(ComplaintOut):
    events: list[ComplaintEventOut]

    @staticmethod
    def resolve_events(obj: Complaint) -> list[ComplaintEvent]:
        return [e for e in obj.events.all() if e.public]


class ComplaintIn(Schema):
    category: str = Field(json_schema_extra=_enum(list(ComplaintCategory.values)))
    description: str = Field(max_length=2000)
    household: BodyId | None = Field(None, description="The household concerned (warga: own).")
    rt: str = Field("", description="Code of the RT, when no household is given.")
    service: str = Field("", json_schema_extra=_enum(["", *ServiceKind.values]))
    service_id: BodyId | None = None
    volunteer: BodyId | None = Field(None, description="Required for category `relawan`.")


class ComplaintQuery(PageQuery):
    mine: bool = Field(False, description="Only the complaints the caller filed or of their home.")
    state: str = Field("", json_schema_extra=_enum(["", *ComplaintState.values]))
    territory: str = Field("", description="Code of a territory to narrow to.")


class ComplaintResponseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    state: str = Field(
        json_schema_extra=_enum([ComplaintState.IN_PROGRESS.value, ComplaintState.DONE.value])
    )
    response: str = Field(max_length=2000, description="Shown to the complainant.")


@router.get(
    "/complaints",
    response={200: Page[ComplaintOut], **ERRORS},
    summary="List complaints",
    description="The complaints the caller handles in their territory and their own; never "
    "those about the caller as a volunteer. `mine=true`: only their own (Pengaduan saya).",
)
def list_complaints(request: HttpRequest, filters: Query[ComplaintQuery]) -> dict[str, Any]:
    user = request.user
    queryset = selectors.my_complaints(user) if filters.mine else selectors.visible_complaints(user)
    territory = territory_param(user, Perm.COMPLAINT_HANDLE, filters.territory)
    if territory is not None:
        queryset = queryset.filter(policy.in_subtree("rt_id", territory.bounds))
    if filters.state in ComplaintState.values:
        queryset = queryset.filter(state=filters.state)
    return paginate(queryset, filters.limit, filters.offset)


@router.post(
    "/complaints",
    response={201: ComplaintDetailOut, **ERRORS},
    summary="File a complaint",
    description="multipart/form-data (or form-urlencoded): the fields below and an optional "
    "`photo` (JPEG, PNG or WebP, at most 5 MB; checked before anything is saved). Routed to "
    "the RW pengurus, due within 3 days, then escalated to the kelurahan.",
)
def create_complaint(
    request: HttpRequest,
    payload: Form[ComplaintIn],
    photo: UploadedFile | None = PHOTO,
) -> Status[Complaint]:
    user = request.user
    household = _household(user, payload.household, Perm.COMPLAINT_FILE)
    rt = None
    if household is None and payload.rt:
        rt = _territory(payload.rt)
    volunteer = None
    if payload.volunteer is not None:
        volunteer = Volunteer.objects.filter(pk=payload.volunteer).first()
        if volunteer is None:
            raise ValidationFailed.single("volunteer", _("Choose a volunteer of this RW."))
    complaint = services.file_complaint(
        actor=user,
        household=household,
        rt=rt,
        category=payload.category,
        description=payload.description,
        service=payload.service,
        service_id=payload.service_id,
        volunteer=volunteer,
        photo=photo,
        channel=Channel.API,
    )
    return Status(201, selectors.complaint_or_404(user, complaint.pk))


@router.get(
    "/complaints/{complaint_id}",
    response={200: ComplaintDetailOut, **ERRORS},
    summary="One complaint with its history",
    description="The complaint, its response and public history. 404 outside the caller's "
    "reach and for the volunteer the complaint is about.",
)
def get_complaint(request: HttpRequest, complaint_id: Id) -> Complaint:
    return selectors.complaint_or_404(request.user, complaint_id)


@router.post(
    "/complaints/{complaint_id}/respond",
    response={200: ComplaintDetailOut, **ERRORS},
    summary="Answer a complaint",
    description="Pengurus and fasilitator of the territory: follow up (`ditindaklanjuti`) or "
    "resolve (`selesai`) with a response shown to the complainant. A resolved complaint is "
    "final (422).",
)
def respond(request: HttpRequest, complaint_id: Id, payload: ComplaintResponseIn) -> Complaint:
    complaint = selectors.complaint_or_404(request.user, complaint_id)
    if not services.can_handle(request.user, complaint):
        raise Http404("not found")
    services.respond_to_complaint(
        actor=request.user, complaint=complaint, state=payload.state, response=payload.response
    )
    return selectors.complaint_or_404(request.user, complaint_id)
