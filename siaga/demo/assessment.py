"""Synthetic co-assessment for the demo: households of Semarang Utara rate the services they
really received in the demo (aid deliveries, ended isolations, referrals, held meetings), some
anonymously; and a handful of complaints in RW 006 Panggung Lor in every state, one escalated to
the kelurahan and one about a volunteer. Everything here is made up.

Run after the health, volunteers, logistics and planning demos. Idempotent: an audit entry
(``assessment.demo``/``demo``) marks a finished run. Feedback is written in bulk (it is paper
feedback collected by the posko: no author account), with its ledger rows built by
``core.contributions.contribution_for``; complaints go through the services, so they carry their
history, audit entries and notifications like real ones.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.accounts.models import User
from siaga.assessment import selectors, services
from siaga.assessment.models import Channel, Complaint, Feedback, ServiceKind
from siaga.core import audit
from siaga.core.contributions import bulk_record_contributions, contribution_for
from siaga.core.models import ActorGroup, AuditAction, AuditEntry, Phase
from siaga.demo.console import number
from siaga.health.models import Case, Referral, ReferralState
from siaga.logistics.models import Delivery
from siaga.planning.models import Meeting, MeetingStatus
from siaga.registry.models import Household
from siaga.territory.models import Territory
from siaga.volunteers.models import Volunteer, VolunteerStatus

KECAMATAN = "33.74.02"
RW006 = "33.74.02.1006.006"
MARKER_TYPE, MARKER_ID = "assessment.demo", "demo"
# Most residents are content; a few are not (weights for ratings 1..5).
RATING_WEIGHTS = (4, 6, 15, 35, 40)
COMMENTS = {
    ServiceKind.DELIVERY: [
        "Paket datang tepat waktu, terima kasih relawan.",
        "Berasnya cukup, telurnya ada yang pecah.",
        "Datang sore sekali, anak-anak sudah lapar.",
        "",
    ],
    ServiceKind.ISOLATION: [
        "Dipantau tiap hari, kami merasa diperhatikan.",
        "Surat selesai isolasi lama keluarnya.",
        "",
    ],
    ServiceKind.REFERRAL: [
        "Ambulans cepat datang.",
        "Menunggu lama di puskesmas.",
        "",
    ],
    ServiceKind.MEETING: [
        "Musyawarahnya terbuka, usulan kami dicatat.",
        "Undangan terlambat sampai.",
        "",
    ],
}


def _rating(rng: random.Random) -> int:
    return rng.choices(range(1, 6), weights=RATING_WEIGHTS)[0]


def _day(moment: dt.datetime, rng: random.Random, hours: int = 72) -> dt.datetime:
    return moment + dt.timedelta(hours=rng.randint(2, hours))


def _feedback_rows(
    rng: random.Random, now: dt.datetime, low: int, high: int
) -> list[tuple[Feedback, str]]:
    """(unsaved feedback, person key) for services of the kecamatan in the last 30 days."""
    since = now - dt.timedelta(days=services.RATEABLE_DAYS)
    rows: list[tuple[Feedback, str]] = []
    seen: set[tuple[int, str, int]] = set()

    profiles: dict[tuple[int | None, int], int] = {
        (user_id, rw_id): volunteer_id
        for volunteer_id, user_id, rw_id in Volunteer.objects.filter(
            user__isnull=False, rw_id__gte=low, rw_id__lte=high
        ).values_list("id", "user_id", "rw_id")
    }

    def add(
        household: Any,
        kind: str,
        record_id: int,
        at: dt.datetime | None,
        volunteer_id: int | None = None,
    ) -> None:
        if household is None or (household.pk, kind, record_id) in seen:
            return
        seen.add((household.pk, kind, record_id))
        anonymous = rng.random() < 0.25
        moment = min(_day(at or now, rng), now)
        comment = rng.choice(COMMENTS[ServiceKind(kind)])
        person = f"resident:{household.head_id}" if household.head_id else "anonymous"
        rows.append(
            (
                Feedback(
                    rt_id=household.rt_id,
                    household=None if anonymous else household,
                    anonymous=anonymous,
                    service=kind,
                    service_id=None
                    if anonymous and kind in services.PERSONAL_SERVICES
                    else record_id,
                    rating=_rating(rng),
                    comment=comment,
                    volunteer_id=volunteer_id,
                    channel=rng.choice([Channel.WEB, Channel.WEB, Channel.MESSAGE]),
                    created_at=services.day_start(moment) if anonymous else moment,
                ),
                "anonymous" if anonymous else person,
            )
        )

    deliveries = list(
        Delivery.objects.filter(rt_id__gte=low, rt_id__lte=high, delivered_at__gte=since)
        .select_related("household")
        .order_by("pk")
    )
    for delivery in rng.sample(deliveries, min(len(deliveries), 80)):
        add(
            delivery.household,
            ServiceKind.DELIVERY,
            delivery.pk,
            delivery.delivered_at,
            profiles.get((delivery.delivered_by_id, services.rw_key(delivery.rt_id))),
        )
    cases = list(
        Case.objects.filter(
            rt_id__gte=low,
            rt_id__lte=high,
            household__isnull=False,
            ended_on__gte=timezone.localdate(since),
        )
        .exclude(outcome="")
        .select_related("household")
        .order_by("pk")
    )
    for case in rng.sample(cases, min(len(cases), 40)):
        assert case.ended_on is not None
        ended = timezone.make_aware(dt.datetime.combine(case.ended_on, dt.time(10)))
        add(case.household, ServiceKind.ISOLATION, case.pk, ended)
    referrals = list(
        Referral.objects.filter(
            rt_id__gte=low,
            rt_id__lte=high,
            household__isnull=False,
            state__in=[ReferralState.DITERIMA, ReferralState.SELESAI],
            created_at__gte=since,
        )
        .select_related("household")
        .order_by("pk")
    )
    for referral in rng.sample(referrals, min(len(referrals), 20)):
        add(
            referral.household,
            ServiceKind.REFERRAL,
            referral.pk,
            referral.completed_at or referral.acknowledged_at,
        )
    meetings = list(
        Meeting.objects.filter(
            territory_id__gte=low,
            territory_id__lte=high,
            status=MeetingStatus.HELD,
            starts_at__gte=since,
            starts_at__lte=now,
        ).order_by("pk")[:12]
    )
    for meeting in meetings:
        bounds = Territory.objects.get(pk=meeting.territory_id).bounds
        households = list(
            Household.objects.filter(rt_id__gte=bounds[0], rt_id__lte=bounds[1]).order_by("pk")[
                :200
            ]
        )
        for household in rng.sample(households, min(len(households), 6)):
            add(household, ServiceKind.MEETING, meeting.pk, meeting.starts_at)
    return rows


def _complaints(now: dt.datetime) -> list[Complaint]:
    """A few complaints in RW 006 by the demo accounts, in every state."""
    users = {u.username: u for u in User.objects.filter(username__contains=".")}
    warga, relawan = users.get("warga.rt003"), users.get("relawan.rw006")
    pengurus_rw, pengurus_rt = users.get("pengurus.rw006"), users.get("pengurus.rt003")
    rw = Territory.objects.filter(code=RW006).first()
    if not (warga and relawan and pengurus_rw and pengurus_rt and rw):
        return []
    home = selectors.own_households(warga).first()
    rts = list(Territory.objects.filter(parent=rw).order_by("code"))
    if home is None or not rts:
        return []
    other_rt = rts[-1]
    volunteer = (
        Volunteer.objects.filter(rw=rw, status=VolunteerStatus.ACTIVE)
        .exclude(user__in=[pengurus_rw, pengurus_rt])
        .order_by("pk")
        .first()
    )
    delivery = Delivery.objects.filter(household=home).order_by("-delivered_at").first()
    made: list[Complaint] = []

    def at(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    # 1. diterima, fresh: the aid package of the warga's household was short.
    made.append(
        services.file_complaint(
            actor=warga,
            household=home,
            category="layanan",
            description="Paket sembako kemarin tidak ada minyak gorengnya.",
            service=ServiceKind.DELIVERY if delivery else "",
            service_id=delivery.pk if delivery else None,
            now=at(0.5),
        )
    )
    # 2. diterima, never answered: escalated to the kelurahan after three days.
    escalated = services.file_complaint(
        actor=relawan,
        rt=other_rt,
        category="lainnya",
        description="Lampu di pos jaga mati sejak seminggu, warga takut lewat malam hari.",
        now=at(5),
    )
    services.escalate_overdue(now=at(5) + services.ANSWER_WITHIN + dt.timedelta(minutes=15))
    made.append(escalated)
    # 3. ditindaklanjuti: wrong data about the warga.
    data = services.file_complaint(
        actor=warga,
        household=home,
        category="data",
        description="Tanggal lahir ibu saya tercatat salah di data RT.",
        now=at(2),
    )
    services.respond_to_complaint(
        actor=pengurus_rt,
        complaint=data,
        state="ditindaklanjuti",
        response="Kami cocokkan dengan Kartu Keluarga minggu ini.",
        now=at(1.5),
    )
    made.append(data)
    # 4. selesai: a late delivery, answered and resolved.
    late = services.file_complaint(
        actor=warga,
        household=home,
        category="layanan",
        description="Bantuan hari Senin baru datang malam hari.",
        now=at(9),
    )
    services.respond_to_complaint(
        actor=pengurus_rw,
        complaint=late,
        state="ditindaklanjuti",
        response="Jadwal antar sedang kami atur ulang.",
        now=at(8.5),
    )
    services.respond_to_complaint(
        actor=pengurus_rw,
        complaint=late,
        state="selesai",
        response="Mulai minggu ini paket diantar sebelum jam 12 siang.",
        now=at(7),
    )
    made.append(late)
    # 5. about a volunteer (never shown to that volunteer).
    if volunteer is not None:
        about = services.file_complaint(
            actor=warga,
            household=home,
            category="relawan",
            volunteer=volunteer,
            description="Relawan yang mengantar bicara kasar kepada ibu saya.",
            now=at(1),
        )
        services.respond_to_complaint(
            actor=pengurus_rw,
            complaint=about,
            state="ditindaklanjuti",
            response="Terima kasih, kami bicarakan dengan koordinator relawan.",
            now=at(0.8),
        )
        made.append(about)
    return made


@transaction.atomic
def build_assessment_demo(seed: int = 2021, *, today: dt.date | None = None) -> str:
    """Build the co-assessment demo (idempotent); returns a one-line summary."""
    kecamatan = Territory.objects.filter(code=KECAMATAN).first()
    if kecamatan is None:
        return _("assessment demo: skipped (no Semarang Utara territory)")
    if AuditEntry.objects.filter(object_type=MARKER_TYPE, object_id=MARKER_ID).exists():
        return _("assessment demo: already there")
    rng = random.Random(seed)
    now = timezone.now()
    if today is not None and today != timezone.localdate(now):
        now = timezone.make_aware(dt.datetime.combine(today, dt.time(18)))
    low, high = kecamatan.bounds
    rows = _feedback_rows(rng, now, low, high)
    created = Feedback.objects.bulk_create([f for f, _ in rows], batch_size=1000)
    # Paper feedback has no author account: the household's head (or nobody, when anonymous)
    # is credited, as ``give_feedback`` credits an anonymous rating.
    bulk_record_contributions(
        contribution_for(
            actor=None,
            phase=Phase.CO_ASSESSMENT,
            kind="assessment.feedback",
            territory_id=feedback.rt_id,
            obj=None if feedback.anonymous else feedback,
            actor_group=ActorGroup.RESIDENT,
            person_key=person,
            at=feedback.created_at,
        )
        for feedback, (_, person) in zip(created, rows, strict=True)
    )
    complaints = _complaints(now)
    audit.record(
        actor=None,
        action=AuditAction.CREATE,
        object_type=MARKER_TYPE,
        object_id=MARKER_ID,
        summary="assessment demo",
    )
    anonymous = sum(1 for f in created if f.anonymous)
    by_kind = {kind: sum(1 for f in created if f.service == kind) for kind in ServiceKind.values}
    kinds = ", ".join(
        f"{number(n)} {ServiceKind(kind).label}".lower() for kind, n in by_kind.items() if n
    )
    return _(
        "assessment demo: %(feedback)s feedback (%(anonymous)s anonymous; %(kinds)s), "
        "%(complaints)s complaints"
    ) % {
        "feedback": number(len(created)),
        "anonymous": number(anonymous),
        "kinds": kinds or _("none"),
        "complaints": number(len(complaints)),
    }
