"""Reads of co-assessment: feedback lists and the satisfaction summary, the services a household
can rate, and complaints (the handlers' queue, "Pengaduan saya", one complaint with its history).

Complaints about a volunteer are never shown to that volunteer, in lists or in detail (404),
even when the volunteer is also pengurus of the RW.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.fields import BooleanField
from django.http import Http404
from django.utils import timezone

from siaga.core import policy
from siaga.core.roles import Perm
from siaga.health.models import Case as HealthCase
from siaga.health.models import Referral, ReferralState
from siaga.logistics.models import Delivery
from siaga.planning.models import Meeting, MeetingStatus
from siaga.registry.models import Household
from siaga.territory.models import Level, Territory
from siaga.volunteers.models import Volunteer, VolunteerStatus

from .models import Complaint, ComplaintState, Feedback, ServiceKind
from .services import RATEABLE_DAYS, ServiceRef, meeting_places, rw_key

# ---------------------------------------------------------------- households


def own_households(user: Any) -> QuerySet[Household]:
    """The households a warga account stands for (feedback and complaints of their own)."""
    ids = sorted(policy.scope_for(user, Perm.FEEDBACK_GIVE).households)
    return Household.objects.filter(pk__in=ids).select_related("rt")


def can_record_for_others(user: Any) -> bool:
    """Relawan, pengurus and fasilitator record feedback for households of their territory."""
    return policy.reaches_any_territory(user, Perm.FEEDBACK_GIVE)


def volunteers_to_name(user: Any, households: list[Household]) -> QuerySet[Any]:
    """The active volunteers a complaint may name: of the warga's own RW, or of the RWs in
    the filer's territory (the service checks the volunteer's RW against the complaint's)."""
    active = Volunteer.objects.filter(status=VolunteerStatus.ACTIVE).select_related("rw")
    condition = Q(rw_id__in=sorted({rw_key(h.rt_id) for h in households}))
    reach = policy.scope_for(user, Perm.COMPLAINT_FILE)
    if reach.everywhere:
        return active.order_by("name")
    for bounds in reach.ranges:
        condition |= policy.in_subtree(
            "rw_id", (policy.ancestor_key(bounds[0], Level.RW), bounds[1])
        )
    return active.filter(condition).order_by("name")


# ---------------------------------------------------------------- feedback


def _in_territory(queryset: QuerySet[Any], territory: Territory | None, field: str) -> Any:
    if territory is None:
        return queryset
    return queryset.filter(policy.in_subtree(field, territory.bounds))


def feedback(
    user: Any,
    *,
    territory: Territory | None = None,
    service: str = "",
    since: dt.date | None = None,
) -> QuerySet[Feedback]:
    """Feedback the user may read: of their territory (ASSESSMENT_VIEW) and the named feedback
    of their own household. Newest first."""
    condition = policy.scope_q(Feedback, user, Perm.ASSESSMENT_VIEW)
    queryset = Feedback.objects.select_related("rt", "volunteer")
    if condition is not None:
        households = policy.scope_for(user, Perm.FEEDBACK_GIVE).households
        if households:
            condition |= Q(household_id__in=sorted(households))
        if policy.scope_for(user, Perm.ASSESSMENT_VIEW).empty and not households:
            return queryset.none()
        queryset = queryset.filter(condition)
    queryset = _in_territory(queryset, territory, "rt_id")
    if service:
        queryset = queryset.filter(service=service)
    if since is not None:
        queryset = queryset.filter(created_at__date__gte=since)
    return queryset.order_by("-created_at", "-id")


@dataclass
class ServiceSummary:
    service: str
    label: str
    n: int = 0
    total: int = 0
    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))

    @property
    def mean(self) -> float | None:
        return round(self.total / self.n, 2) if self.n else None

    def add(self, rating: int, count: int) -> None:
        self.n += count
        self.total += rating * count
        self.distribution[rating] = self.distribution.get(rating, 0) + count

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "label": str(self.label),
            "n": self.n,
            "mean": self.mean,
            "distribution": {str(k): v for k, v in sorted(self.distribution.items())},
        }


@dataclass
class Summary:
    overall: ServiceSummary
    by_service: list[ServiceSummary]


def satisfaction_summary(
    user: Any, *, territory: Territory | None = None, since: dt.date | None = None
) -> Summary:
    """Mean rating, count and distribution, overall and by service, of the user's territory
    (ASSESSMENT_VIEW only; one grouped query)."""
    queryset = policy.scope(Feedback.objects.all(), user, Perm.ASSESSMENT_VIEW)
    queryset = _in_territory(queryset, territory, "rt_id")
    if since is not None:
        queryset = queryset.filter(created_at__date__gte=since)
    rows = queryset.order_by().values("service", "rating").annotate(n=Count("id"))
    overall = ServiceSummary(service="", label="")
    per = {
        kind.value: ServiceSummary(service=kind.value, label=str(kind.label))
        for kind in ServiceKind
    }
    for row in rows:
        per[row["service"]].add(row["rating"], row["n"])
        overall.add(row["rating"], row["n"])
    return Summary(overall=overall, by_service=[s for s in per.values() if s.n])


# ---------------------------------------------------------------- services to rate


def rateable_services(household: Household, *, now: dt.datetime | None = None) -> list[ServiceRef]:
    """Finished services of the last 30 days that this household has not rated yet (named
    feedback): deliveries, ended isolations, acknowledged or completed referrals, and meetings
    held in its RT, RW or kelurahan. Newest first; six queries."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=RATEABLE_DAYS)
    rated = set(
        Feedback.objects.filter(household_id=household.pk, service_id__isnull=False).values_list(
            "service", "service_id"
        )
    )
    refs: list[ServiceRef] = []
    deliveries = list(
        Delivery.objects.filter(household_id=household.pk, delivered_at__gte=since)
        .select_related("request__template")
        .order_by("-delivered_at")[:20]
    )
    volunteers = {
        v.user_id: v
        for v in Volunteer.objects.filter(
            rw_id=rw_key(household.rt_id),
            user_id__in={d.delivered_by_id for d in deliveries if d.delivered_by_id},
        )
    }
    for d in deliveries:
        refs.append(
            ServiceRef(
                kind=ServiceKind.DELIVERY,
                record_id=d.pk,
                at=d.delivered_at,
                label=d.request.template.name,
                volunteer=volunteers.get(d.delivered_by_id) if d.delivered_by_id else None,
            )
        )
    for case in HealthCase.objects.filter(
        household_id=household.pk, ended_on__gte=timezone.localdate(since)
    ).exclude(outcome="")[:10]:
        assert case.ended_on is not None
        refs.append(
            ServiceRef(
                kind=ServiceKind.ISOLATION,
                record_id=case.pk,
                at=timezone.make_aware(dt.datetime.combine(case.ended_on, dt.time(12))),
                label=str(ServiceKind.ISOLATION.label),
            )
        )
    for referral in Referral.objects.filter(
        household_id=household.pk,
        state__in=[ReferralState.DITERIMA, ReferralState.SELESAI],
        created_at__gte=since,
    )[:10]:
        refs.append(
            ServiceRef(
                kind=ServiceKind.REFERRAL,
                record_id=referral.pk,
                at=referral.completed_at or referral.acknowledged_at or referral.created_at,
                label=str(ServiceKind.REFERRAL.label),
            )
        )
    for meeting in Meeting.objects.filter(
        territory_id__in=meeting_places(household.rt_id),
        status=MeetingStatus.HELD,
        starts_at__gte=since,
        starts_at__lte=now,
    )[:10]:
        refs.append(
            ServiceRef(
                kind=ServiceKind.MEETING,
                record_id=meeting.pk,
                at=meeting.starts_at,
                label=meeting.title,
            )
        )
    refs = [r for r in refs if (r.kind, r.record_id) not in rated]
    refs.sort(key=lambda r: r.at or now, reverse=True)
    return refs


# ---------------------------------------------------------------- complaints


def _annotate_overdue(queryset: QuerySet[Complaint], now: dt.datetime) -> QuerySet[Complaint]:
    """``overdue``: not answered and past its answer-by time (at either level)."""
    return queryset.annotate(
        overdue=Case(
            When(
                Q(first_response_at__isnull=True, answer_by__lt=now)
                & ~Q(state=ComplaintState.DONE),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _not_about_viewer(user: Any) -> Q:
    return ~Q(volunteer__user_id=user.pk)


def _base(now: dt.datetime | None = None) -> QuerySet[Complaint]:
    return _annotate_overdue(
        Complaint.objects.select_related("rt", "rw", "volunteer"), now or timezone.now()
    )


def complaint_queue(
    user: Any,
    *,
    state: str = "",
    open_only: bool = False,
    territory: Territory | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Complaint]:
    """Complaints the user handles (COMPLAINT_HANDLE in their territory), never those about
    the user as a volunteer. Overdue first, then oldest answer-by."""
    queryset = policy.scope(_base(now), user, Perm.COMPLAINT_HANDLE).filter(_not_about_viewer(user))
    queryset = _in_territory(queryset, territory, "rt_id")
    if state:
        queryset = queryset.filter(state=state)
    if open_only:
        queryset = queryset.exclude(state=ComplaintState.DONE)
    return queryset.order_by("-overdue", "answer_by", "id")


def my_complaints(user: Any, *, now: dt.datetime | None = None) -> QuerySet[Complaint]:
    """ "Pengaduan saya": complaints the user filed, and those of their own household."""
    condition = Q(complainant_id=user.pk)
    households = policy.scope_for(user, Perm.COMPLAINT_FILE).households
    if households:
        condition |= Q(household_id__in=sorted(households))
    return (
        _base(now).filter(condition).filter(_not_about_viewer(user)).order_by("-created_at", "-id")
    )


def visible_complaints(user: Any, *, now: dt.datetime | None = None) -> QuerySet[Complaint]:
    """Every complaint the user may read: handled ones and their own."""
    condition = policy.scope_q(Complaint, user, Perm.COMPLAINT_HANDLE)
    queryset = _base(now)
    if condition is not None:
        if policy.scope_for(user, Perm.COMPLAINT_HANDLE).empty:
            condition = Q(pk__in=[])
        condition |= Q(complainant_id=user.pk)
        households = policy.scope_for(user, Perm.COMPLAINT_FILE).households
        if households:
            condition |= Q(household_id__in=sorted(households))
        queryset = queryset.filter(condition)
    return queryset.filter(_not_about_viewer(user)).order_by("-created_at", "-id")


def complaint_or_404(user: Any, pk: Any) -> Complaint:
    """One complaint with its history, if the user may read it (else 404)."""
    try:
        return visible_complaints(user).prefetch_related("events__actor").get(pk=int(pk))
    except (Complaint.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("not found") from exc
