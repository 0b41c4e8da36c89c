"""Writes of co-assessment: feedback on a service, complaints (pengaduan) and their answers.

Every write checks the access policy (out of scope: 404), runs in one transaction and records
its co-assessment contribution. Complaint writes are audited (personal data).

Anonymous feedback keeps no link to its author: no author or household on the row (a DB check
enforces it), no audit entry, a contribution without actor (``person_key="anonymous"``), and
its time truncated to the day (Asia/Jakarta midnight) on the row and on the contribution, so
that the moment of rating cannot be matched with a login or a page view. For the same reason
the record id of a personal service (a delivery, an isolation, a referral) is not kept on
anonymous feedback, only its kind and the volunteer who served (meetings are public, their
id is kept).

A complaint is answered by the pengurus of its RW; if nobody answers within three days
(``ANSWER_WITHIN``) ``escalate_overdue`` hands it to the kelurahan. States go diterima →
ditindaklanjuti → selesai; a resolved complaint never changes again (no reopening: the
complainant files a new pengaduan, which keeps each answer's history honest).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.accounts.models import Membership, User
from siaga.core import audit, policy
from siaga.core.contributions import record_contribution
from siaga.core.errors import ErrorCollector, ValidationFailed
from siaga.core.models import ActorGroup, AuditAction, Contribution, Phase
from siaga.core.notifications import notify
from siaga.core.roles import Perm, Role
from siaga.health.models import Case, Referral, ReferralState
from siaga.logistics.models import Delivery
from siaga.planning.models import Meeting, MeetingStatus
from siaga.registry.models import Household
from siaga.territory.models import Level, Territory
from siaga.volunteers.models import Volunteer

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

ANSWER_WITHIN = dt.timedelta(days=3)
RATEABLE_DAYS = 30
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_TEXT = 2000
# Services whose record belongs to one household: anonymous feedback does not keep their id.
PERSONAL_SERVICES = frozenset({ServiceKind.DELIVERY, ServiceKind.ISOLATION, ServiceKind.REFERRAL})
# Allowed moves of a complaint (selesai is final).
TRANSITIONS: dict[str, frozenset[str]] = {
    ComplaintState.RECEIVED: frozenset({ComplaintState.IN_PROGRESS, ComplaintState.DONE}),
    ComplaintState.IN_PROGRESS: frozenset({ComplaintState.IN_PROGRESS, ComplaintState.DONE}),
    ComplaintState.DONE: frozenset(),
}


def rw_key(key: int) -> int:
    return policy.ancestor_key(key, Level.RW)


def kelurahan_key(key: int) -> int:
    return policy.ancestor_key(key, Level.KELURAHAN)


def day_start(moment: dt.datetime) -> dt.datetime:
    """Local (Asia/Jakarta) midnight of ``moment``'s day, as an aware datetime."""
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


# ---------------------------------------------------------------- uploads


def check_photo(upload: UploadedFile | None, field: str = "photo") -> None:
    """Refuse files over 5 MB and anything but JPEG, PNG or WebP (by content, not by name)."""
    if upload is None:
        return
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        raise ValidationFailed.single(field, _("The photo is larger than 5 MB."))
    head = upload.read(16)
    upload.seek(0)
    is_image = (
        head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    )
    if not is_image:
        raise ValidationFailed.single(field, _("The photo must be a JPEG, PNG or WebP image."))


# ---------------------------------------------------------------- services received


@dataclass(frozen=True)
class ServiceRef:
    """A finished service a household received (what feedback or a complaint is about)."""

    kind: str
    record_id: int | None
    at: dt.datetime | None
    label: str
    volunteer: Volunteer | None = None

    @property
    def kind_label(self) -> str:
        return str(ServiceKind(self.kind).label)


def _volunteer_for(user_id: int | None, rw_id: int) -> Volunteer | None:
    if user_id is None:
        return None
    return Volunteer.objects.filter(user_id=user_id, rw_id=rw_id).order_by("pk").first()


def _unknown() -> ValidationFailed:
    return ValidationFailed.single(
        "service_id", _("This service was not found for this household.")
    )


def resolve_service(*, household: Household, kind: str, record_id: int | None) -> ServiceRef:
    """Check that ``record_id`` of ``kind`` exists, belongs to ``household`` and is finished.

    ``other`` needs no record. Raises ValidationFailed with a clear message otherwise.
    """
    if kind not in ServiceKind.values:
        raise ValidationFailed.single("service", _("Choose a service."))
    if kind == ServiceKind.OTHER:
        return ServiceRef(kind=kind, record_id=None, at=None, label=_("Other service"))
    if record_id is None:
        raise ValidationFailed.single("service_id", _("Choose the service you received."))
    if kind == ServiceKind.DELIVERY:
        delivery = Delivery.objects.filter(pk=record_id, household_id=household.pk).first()
        if delivery is None:
            raise _unknown()
        return ServiceRef(
            kind=kind,
            record_id=delivery.pk,
            at=delivery.delivered_at,
            label=_("Aid delivery"),
            volunteer=_volunteer_for(delivery.delivered_by_id, rw_key(delivery.rt_id)),
        )
    if kind == ServiceKind.ISOLATION:
        case = Case.objects.filter(pk=record_id, household_id=household.pk).first()
        if case is None:
            raise _unknown()
        if case.outcome == "" or case.ended_on is None:
            raise ValidationFailed.single(
                "service_id", _("This isolation has not ended yet: rate it when it is over.")
            )
        ended = timezone.make_aware(dt.datetime.combine(case.ended_on, dt.time(12)))
        return ServiceRef(kind=kind, record_id=case.pk, at=ended, label=_("End of isolation"))
    if kind == ServiceKind.REFERRAL:
        referral = Referral.objects.filter(pk=record_id, household_id=household.pk).first()
        if referral is None:
            raise _unknown()
        if referral.state == ReferralState.DIBUAT:
            raise ValidationFailed.single(
                "service_id",
                _("The puskesmas has not acknowledged this referral yet: rate it afterwards."),
            )
        return ServiceRef(
            kind=kind,
            record_id=referral.pk,
            at=referral.completed_at or referral.acknowledged_at,
            label=_("Referral to the puskesmas"),
        )
    meeting = Meeting.objects.filter(
        pk=record_id, territory_id__in=meeting_places(household.rt_id)
    ).first()
    if meeting is None:
        raise _unknown()
    if meeting.status != MeetingStatus.HELD:
        raise ValidationFailed.single(
            "service_id", _("This meeting has not been held: rate it after it took place.")
        )
    return ServiceRef(kind=kind, record_id=meeting.pk, at=meeting.starts_at, label=meeting.title)


def meeting_places(rt_id: int) -> list[int]:
    """The territories whose meetings concern a household of this RT: its kelurahan, RW, RT."""
    return [kelurahan_key(rt_id), rw_key(rt_id), rt_id]


# ---------------------------------------------------------------- feedback


def _rating(value: Any, errors: ErrorCollector) -> int:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        errors.add("rating", _("Choose a rating from 1 to 5 stars."))
        return 0
    if not 1 <= rating <= 5:
        errors.add("rating", _("Choose a rating from 1 to 5 stars."))
    return rating


@transaction.atomic
def give_feedback(
    *,
    actor: Any,
    household: Household,
    service: str,
    service_id: int | None = None,
    rating: Any,
    comment: str = "",
    anonymous: bool = False,
    channel: str = Channel.WEB,
    now: dt.datetime | None = None,
) -> Feedback:
    """A household rates a service it received (warga: their own; relawan and pengurus record
    it for a household of their territory, e.g. collected on paper).

    ``channel`` is "web", "api" or "message" (for the future inbound message parser).
    """
    policy.require(actor, Perm.FEEDBACK_GIVE, household)
    errors = ErrorCollector()
    rating = _rating(rating, errors)
    comment = (comment or "").strip()
    if len(comment) > MAX_TEXT:
        errors.add("comment", _("Keep the comment under %(n)s characters.") % {"n": MAX_TEXT})
    if channel not in Channel.values:
        errors.add("channel", _("Unknown channel."))
    errors.raise_if_any()
    ref = resolve_service(household=household, kind=service, record_id=service_id)
    now = now or timezone.now()
    if anonymous:
        feedback = Feedback.objects.create(
            rt_id=household.rt_id,
            anonymous=True,
            service=ref.kind,
            service_id=None if ref.kind in PERSONAL_SERVICES else ref.record_id,
            volunteer=ref.volunteer,
            rating=rating,
            comment=comment,
            channel=channel,
            created_at=day_start(now),
        )
        contribution = record_contribution(
            actor=None,
            phase=Phase.CO_ASSESSMENT,
            kind="assessment.feedback",
            territory_id=household.rt_id,
            actor_group=ActorGroup.RESIDENT,
            person_key="anonymous",
        )
        Contribution.objects.filter(pk=contribution.pk).update(at=day_start(now))
        return feedback
    if (
        ref.record_id is not None
        and Feedback.objects.filter(
            household_id=household.pk, service=ref.kind, service_id=ref.record_id
        ).exists()
    ):
        raise ValidationFailed.single("service_id", _("This household already rated this service."))
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                rt_id=household.rt_id,
                household=household,
                author=actor,
                service=ref.kind,
                service_id=ref.record_id,
                volunteer=ref.volunteer,
                rating=rating,
                comment=comment,
                channel=channel,
                created_at=now,
            )
    except IntegrityError as exc:  # a concurrent rating of the same service
        raise ValidationFailed.single(
            "service_id", _("This household already rated this service.")
        ) from exc
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=feedback,
        territory_id=household.rt_id,
        changes={"rating": [None, rating], "service": [None, ref.kind]},
    )
    record_contribution(
        actor=actor,
        phase=Phase.CO_ASSESSMENT,
        kind="assessment.feedback",
        territory_id=household.rt_id,
        obj=feedback,
    )
    return feedback


# ---------------------------------------------------------------- complaints


def pengurus_of(territory_key: int) -> list[User]:
    """The pengurus of the complaint's RW (and of its RT)."""
    keys = {rw_key(territory_key), territory_key}
    user_ids = Membership.objects.filter(role=Role.PENGURUS, territory_id__in=keys).values(
        "user_id"
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def kelurahan_handlers(territory_key: int) -> list[User]:
    """The fasilitator members covering the kelurahan of ``territory_key``: those of the
    kelurahan itself, else those of the nearest level above that has any."""
    kelurahan = kelurahan_key(territory_key)
    ancestors = {
        level: policy.ancestor_key(kelurahan, level)
        for level in (Level.KELURAHAN, Level.KECAMATAN, Level.KABUPATEN, Level.PROVINSI)
    }
    by_territory: dict[int, list[int]] = {}
    for user_id, territory_id in Membership.objects.filter(
        role=Role.FASILITATOR, territory_id__in=set(ancestors.values())
    ).values_list("user_id", "territory_id"):
        by_territory.setdefault(territory_id, []).append(user_id)
    for key in ancestors.values():  # deepest level first
        if by_territory.get(key):
            return list(User.objects.filter(pk__in=by_territory[key], is_active=True))
    return []


def _not_about(users: list[User], complaint: Complaint) -> list[User]:
    """Never tell a volunteer about a complaint on them (even when they are pengurus)."""
    if complaint.volunteer_id is None:
        return users
    volunteer_user = (
        Volunteer.objects.filter(pk=complaint.volunteer_id)
        .values_list("user_id", flat=True)
        .first()
    )
    return [u for u in users if u.pk != volunteer_user]


def _link(complaint: Complaint) -> str:
    return reverse("assessment:complaint", args=[complaint.pk])


@transaction.atomic
def file_complaint(
    *,
    actor: Any,
    category: str,
    description: str,
    household: Household | None = None,
    rt: Territory | None = None,
    service: str = "",
    service_id: int | None = None,
    volunteer: Volunteer | None = None,
    photo: UploadedFile | None = None,
    channel: str = Channel.WEB,
    now: dt.datetime | None = None,
) -> Complaint:
    """File a pengaduan: for a household (warga: their own) or, for a relawan or pengurus, for
    an RT of their territory. Routed to the pengurus of the RW, due within three days."""
    if household is not None:
        policy.require(actor, Perm.COMPLAINT_FILE, household)
        rt_id = household.rt_id
    elif rt is not None:
        if rt.level != Level.RT or not policy.covers_territory(actor, Perm.COMPLAINT_FILE, rt.pk):
            raise Http404("not found")
        rt_id = rt.pk
    else:
        raise ValidationFailed.single("household", _("Choose the household or RT concerned."))
    errors = ErrorCollector()
    description = (description or "").strip()
    if category not in ComplaintCategory.values:
        errors.add("category", _("Choose what the complaint is about."))
    if not description:
        errors.add("description", _("Describe what happened."))
    elif len(description) > MAX_TEXT:
        errors.add(
            "description", _("Keep the description under %(n)s characters.") % {"n": MAX_TEXT}
        )
    if channel not in Channel.values:
        errors.add("channel", _("Unknown channel."))
    if service and service not in ServiceKind.values:
        errors.add("service", _("Choose a service."))
    if volunteer is not None and volunteer.rw_id != rw_key(rt_id):
        errors.add("volunteer", _("Choose a volunteer of this RW."))
    errors.raise_if_any()
    if service and service != ServiceKind.OTHER and service_id is not None:
        if household is None:
            raise ValidationFailed.single(
                "service_id", _("Choose the household that received the service.")
            )
        ref = resolve_service(household=household, kind=service, record_id=service_id)
        if volunteer is None and category == ComplaintCategory.VOLUNTEER:
            volunteer = ref.volunteer
    elif service != ServiceKind.OTHER:
        service_id = None
    if category == ComplaintCategory.VOLUNTEER and volunteer is None:
        raise ValidationFailed.single(
            "volunteer", _("Choose the volunteer the complaint is about.")
        )
    check_photo(photo)
    now = now or timezone.now()
    complaint = Complaint.objects.create(
        rt_id=rt_id,
        rw_id=rw_key(rt_id),
        household=household,
        complainant=actor,
        category=category,
        service=service,
        service_id=service_id if service else None,
        volunteer=volunteer,
        description=description,
        answer_by=now + ANSWER_WITHIN,
        channel=channel,
        created_at=now,
    )
    if photo is not None:
        extension = {b"\xff\xd8": "jpg", b"\x89P": "png"}.get(photo.read(2), "webp")
        photo.seek(0)
        complaint.photo.save(f"{complaint.pk}.{extension}", photo, save=True)
    ComplaintEvent.objects.create(
        complaint=complaint,
        at=now,
        actor=actor,
        state=ComplaintState.RECEIVED,
        level=ComplaintLevel.RW,
        note=_("Complaint received; the RW pengurus answer within 3 days."),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=complaint,
        territory_id=rt_id,
        changes={"category": [None, category]},
    )
    record_contribution(
        actor=actor,
        phase=Phase.CO_ASSESSMENT,
        kind="assessment.complaint",
        territory_id=rt_id,
        obj=complaint,
    )
    recipients = _not_about([u for u in pengurus_of(rt_id) if u.pk != actor.pk], complaint)
    notify(
        recipients=recipients,
        kind="complaint_new",
        title=_("New complaint (pengaduan) to answer within 3 days"),
        body=complaint.get_category_display(),
        link=_link(complaint),
        territory_id=rt_id,
    )
    return complaint


def can_handle(user: Any, complaint: Complaint) -> bool:
    """May ``user`` answer this complaint? Never the volunteer it is about."""
    if not policy.can_act_on(user, Perm.COMPLAINT_HANDLE, complaint):
        return False
    if complaint.volunteer_id is None:
        return True
    return not Volunteer.objects.filter(pk=complaint.volunteer_id, user_id=user.pk).exists()


@transaction.atomic
def respond_to_complaint(
    *,
    actor: Any,
    complaint: Complaint,
    state: str,
    response: str,
    now: dt.datetime | None = None,
) -> Complaint:
    """Answer a complaint: follow it up (ditindaklanjuti) or resolve it (selesai). The response
    is shown to the complainant with the public history. A resolved complaint is final."""
    if not can_handle(actor, complaint):
        raise Http404("not found")
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    errors = ErrorCollector()
    response = (response or "").strip()
    if state not in ComplaintState.values:
        errors.add("state", _("Choose the new state."))
    elif complaint.state == ComplaintState.DONE:
        errors.add("state", _("This complaint is resolved (selesai): it cannot change any more."))
    elif state not in TRANSITIONS[complaint.state]:
        errors.add(
            "state",
            _("A complaint cannot go from %(old)s to %(new)s.")
            % {
                "old": ComplaintState(complaint.state).label,
                "new": ComplaintState(state).label,
            },
        )
    if not response:
        errors.add("response", _("Write a response for the complainant."))
    elif len(response) > MAX_TEXT:
        errors.add("response", _("Keep the response under %(n)s characters.") % {"n": MAX_TEXT})
    errors.raise_if_any()
    now = now or timezone.now()
    old_state = complaint.state
    complaint.state = state
    complaint.response = response
    complaint.responded_by = actor
    complaint.first_response_at = complaint.first_response_at or now
    fields = ["state", "response", "responded_by", "first_response_at", "updated_at"]
    if state == ComplaintState.DONE:
        complaint.resolved_at = now
        fields.append("resolved_at")
    complaint.save(update_fields=fields)
    ComplaintEvent.objects.create(
        complaint=complaint,
        at=now,
        actor=actor,
        state=state,
        level=complaint.level,
        note=response,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=complaint,
        territory_id=complaint.rt_id,
        changes={"state": [old_state, state]},
    )
    resolved = state == ComplaintState.DONE
    record_contribution(
        actor=actor,
        phase=Phase.CO_ASSESSMENT,
        kind="assessment.complaint_resolved" if resolved else "assessment.complaint_answered",
        territory_id=complaint.rt_id,
        obj=complaint,
    )
    notify(
        recipients=[complaint.complainant] if complaint.complainant_id != actor.pk else [],
        kind="complaint_answered",
        title=_("Your complaint was resolved (selesai)")
        if resolved
        else _("Your complaint is being followed up (ditindaklanjuti)"),
        body=response[:500],
        link=_link(complaint),
        territory_id=complaint.rt_id,
    )
    return complaint


def overdue_complaints(now: dt.datetime) -> Any:
    """Complaints still at the RW, never answered, past their answer-by time."""
    return Complaint.objects.filter(
        level=ComplaintLevel.RW,
        first_response_at__isnull=True,
        answer_by__lte=now,
    ).exclude(state=ComplaintState.DONE)


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Hand every unanswered complaint older than three days to the kelurahan (idempotent: an
    escalated complaint is at the kelurahan level and is not picked again). Returns how many."""
    now = now or timezone.now()
    escalated = 0
    for pk in list(overdue_complaints(now).order_by("answer_by").values_list("pk", flat=True)):
        with transaction.atomic():
            complaint = overdue_complaints(now).select_for_update().filter(pk=pk).first()
            if complaint is None:  # answered or escalated meanwhile
                continue
            complaint.level = ComplaintLevel.KELURAHAN
            complaint.escalated_at = now
            complaint.save(update_fields=["level", "escalated_at", "updated_at"])
            ComplaintEvent.objects.create(
                complaint=complaint,
                at=now,
                actor=None,
                state=complaint.state,
                level=ComplaintLevel.KELURAHAN,
                note=_("Not answered within 3 days: handed to the kelurahan."),
            )
            audit.record(
                actor=None,
                action=AuditAction.UPDATE,
                obj=complaint,
                territory_id=complaint.rt_id,
                changes={"level": [ComplaintLevel.RW, ComplaintLevel.KELURAHAN]},
            )
            notify(
                recipients=_not_about(kelurahan_handlers(complaint.rt_id), complaint),
                kind="complaint_escalated",
                title=_("A complaint (pengaduan) was not answered within 3 days"),
                body=complaint.get_category_display(),
                link=_link(complaint),
                territory_id=complaint.rt_id,
            )
            escalated += 1
    return escalated
