"""A synthetic COVID-19 wave for the demo, on the synthetic residents of Semarang Utara.

``build_health_demo(seed=..., today=...)`` adds 60 days shaped like June–July 2021 ending at
``today``: confirmed cases clustered in a few RWs, home isolation with twice-daily monitoring
(triaged under the protocol in force), rujuk/darurat referrals in every state, close contacts in
quarantine, newcomers, vaccinations, and the zone of every RT kept for each past day. Everything
here is made up. Idempotent: a summary audit entry (``health.demo``/``demo``) marks a finished
run, and a second call adds nothing. Records are written in bulk (the services are for people),
with the values the services would derive (triage and isolation ends under the protocol in
force) and the ledger rows they would write (``core.contributions.contribution_for``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from siaga.accounts.models import User
from siaga.core import codes
from siaga.core.contributions import ActorGroups, bulk_record_contributions, contribution_for
from siaga.core.models import AuditAction, AuditEntry, Contribution, Phase
from siaga.demo.base import coordinator
from siaga.health import protocols as rules
from siaga.health import zoning
from siaga.health.models import (
    Case,
    Contact,
    Destination,
    Method,
    Monitoring,
    OnwardReferral,
    OnwardState,
    ProtocolKind,
    Puskesmas,
    Referral,
    Vaccination,
)
from siaga.health.services import (
    create_destination,
    create_newcomer,
    create_puskesmas,
    kelurahan_team,
    puskesmas_for,
    puskesmas_team,
    refer_onward,
)
from siaga.health.triage import Vitals, slot_for, triage
from siaga.registry.models import Resident
from siaga.territory.models import Territory

KECAMATAN = "33.74.02"
BANDARHARJO = "33.74.02.1001"
PANGGUNG_LOR = "33.74.02.1006"
PUSKESMAS_NAME = "Puskesmas Bandarharjo"
# The demo puskesmas's working area (wilayah kerja) is illustrative: a deployment sets the real
# ones (``siaga puskesmas``, the Puskesmas page, or the API).
PUSKESMAS_AREA = (BANDARHARJO, PANGGUNG_LOR)
HOSPITAL = "RSUD K.R.M.T. Wongsonegoro"
ISOLATION_CENTRE = "Rumah Dinas Wali Kota (isolasi terpusat)"
PANGGUNG_LOR_RW006 = "33.74.02.1006.006"
DAYS = 60
PEAK_DAY = 40  # the wave peaks two-thirds of the way in, as in mid-July 2021
PEAK_CASES = 40  # new confirmed cases a day at the peak, for the whole kecamatan
MARKER_TYPE, MARKER_ID = "health.demo", "demo"
ORIGINS = ("31.71", "31.74", "32.73", "33.22", "33.21", "33.24", "35.78", "33.74.01", "34.71")


@dataclass
class HealthDemoResult:
    skipped_reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def build_health_demo(*, seed: int = 2021, today: dt.date | None = None) -> HealthDemoResult:
    today = today or timezone.localdate()
    result = HealthDemoResult()
    kecamatan = Territory.objects.filter(code=KECAMATAN).first()
    if kecamatan is None:
        result.skipped_reason = "no-territory"
        return result
    if AuditEntry.objects.filter(object_type=MARKER_TYPE, object_id=MARKER_ID).exists():
        result.skipped_reason = "already"
        return result
    low, high = kecamatan.bounds
    people = list(
        Resident.objects.filter(rt_id__gte=low, rt_id__lte=high, status__in=["tetap", "pendatang"])
        .order_by("id")
        .values_list("id", "rt_id", "household_id", "birth_date", "comorbidities")
    )
    if not people:
        result.skipped_reason = "no-residents"
        return result
    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        _build(rng, today, kecamatan, people, result)
        zoning_start = time.perf_counter()
        stats = zoning.store_days(
            today - dt.timedelta(days=DAYS - 1), today - dt.timedelta(days=1), kecamatan
        )
        result.timings["zones"] = time.perf_counter() - zoning_start
        result.counts["zone_rows"] = stats.rows_written
        AuditEntry.objects.create(
            action=AuditAction.IMPORT,
            object_type=MARKER_TYPE,
            object_id=MARKER_ID,
            territory_id=kecamatan.pk,
            summary=f"synthetic health wave: {result.counts}"[:255],
            changes={"seed": seed, "today": today.isoformat(), **result.counts},
        )
    result.timings["total"] = time.perf_counter() - started
    return result


def _build(
    rng: random.Random,
    today: dt.date,
    kecamatan: Territory,
    people: list[tuple[Any, ...]],
    result: HealthDemoResult,
) -> None:
    start = today - dt.timedelta(days=DAYS - 1)
    now = timezone.now()  # the build time: nothing is stamped after it
    by_rt: dict[int, list[tuple[Any, ...]]] = {}
    by_household: dict[int, list[int]] = {}
    for person in people:
        by_rt.setdefault(person[1], []).append(person)
        if person[2]:
            by_household.setdefault(person[2], []).append(person[0])
    rts = sorted(by_rt)
    rws = sorted({codes.ancestor_key(rt, codes.LEVEL_RW) for rt in rts})
    hot_rws = set(rng.sample(rws, max(1, len(rws) // 6)))
    rw006 = Territory.objects.filter(code=PANGGUNG_LOR_RW006).first()
    if rw006 is not None:
        hot_rws.add(rw006.pk)  # the demo accounts' RW sees the wave
    weights = [8.0 if codes.ancestor_key(rt, codes.LEVEL_RW) in hot_rws else 1.0 for rt in rts]

    iso_book = rules.ProtocolBook(ProtocolKind.ISOLATION)
    tri_book = rules.ProtocolBook(ProtocolKind.TRIAGE)
    _ensure_puskesmas()
    puskesmas_of: dict[int, Any] = {}

    # ---- cases
    sick: set[int] = set()
    cases: list[Case] = []
    plans: list[dict[str, Any]] = []
    for offset in range(DAYS):
        day = start + dt.timedelta(days=offset)
        mean = PEAK_CASES * math.exp(-((offset - PEAK_DAY) ** 2) / (2 * 11.0**2)) + 1
        for _ in range(max(0, round(rng.gauss(mean, math.sqrt(mean))))):
            rt = rng.choices(rts, weights)[0]
            person = rng.choice(by_rt[rt])
            if person[0] in sick:
                continue
            sick.add(person[0])
            # a second case in the same house now and then: clusters, as households were
            confirmed = min(day + dt.timedelta(days=rng.choice((0, 1, 1, 2))), today)
            symptomatic = rng.random() < 0.6
            onset = day - dt.timedelta(days=rng.randint(0, 3)) if symptomatic else None
            place = rng.choices(["isoman", "terpusat", "rumah_sakit"], [80, 15, 5])[0]
            category = rng.choices(["konfirmasi", "probable", "suspek"], [90, 4, 6])[0]
            protocol = iso_book.on(day)
            course = (
                rng.choices(["mild", "worse", "severe"], [85, 11, 4])[0]
                if place == "isoman"
                else "mild"
            )
            cases.append(
                Case(
                    resident_id=person[0],
                    rt_id=person[1],
                    household_id=person[2],
                    category=category,
                    specimen_on=day,
                    confirmed_on=confirmed if category == "konfirmasi" else None,
                    onset_on=onset,
                    isolation_place=place,
                    protocol=protocol,
                    isolation_ends_on=day,
                    created_at=min(_at(confirmed, 10, 0), now),
                )
            )
            plans.append({"course": course, "symptomatic": symptomatic})
            if person[2] and rng.random() < 0.35:
                for other in by_household.get(person[2], []):
                    if other not in sick and rng.random() < 0.5:
                        sick.add(other)
                        cases.append(
                            Case(
                                resident_id=other,
                                rt_id=person[1],
                                household_id=person[2],
                                category="konfirmasi",
                                specimen_on=min(day + dt.timedelta(days=2), today),
                                confirmed_on=min(day + dt.timedelta(days=3), today),
                                onset_on=None,
                                isolation_place="isoman",
                                protocol=iso_book.on(day),
                                isolation_ends_on=day,
                                created_at=min(
                                    _at(min(day + dt.timedelta(days=3), today), 10, 0), now
                                ),
                            )
                        )
                        plans.append({"course": "mild", "symptomatic": False})
    # ---- monitoring, triage, planned ends, outcomes, referrals
    records: list[tuple[int, Monitoring]] = []
    referral_rows: list[tuple[int, Referral]] = []
    for index, (case, plan) in enumerate(zip(cases, plans, strict=True)):
        params = iso_book.params(case.protocol)
        symptom_days: list[dt.date] = []
        if case.isolation_place == "isoman":
            previous_spo2: int | None = None
            fever_days: set[dt.date] = set()
            opened = False
            day = case.specimen_on
            horizon = case.specimen_on + dt.timedelta(days=14)
            while day <= min(horizon, today):
                t = (day - case.specimen_on).days
                for hour in (7, 17):
                    taken = _at(day, hour, rng.randint(0, 59))
                    if taken > now or rng.random() < 0.07:  # a few missed slots
                        continue
                    vitals = _vitals(rng, plan, t)
                    tp_protocol = tri_book.on(day)
                    tp = tri_book.params(tp_protocol)
                    if (
                        vitals.temperature_c is not None
                        and float(vitals.temperature_c) >= tp.rujuk_fever_c
                    ):
                        fever_days.add(day)
                    outcome = triage(
                        vitals, tp, previous_spo2=previous_spo2, fever_days=len(fever_days)
                    )
                    previous_spo2 = vitals.spo2
                    if rules.symptom_day(
                        temperature_c=vitals.temperature_c, symptoms=vitals.symptoms, params=params
                    ):
                        symptom_days.append(day)
                    record = Monitoring(
                        rt_id=case.rt_id,
                        household_id=case.household_id,
                        taken_at=taken,
                        day=day,
                        slot=slot_for(timezone.localtime(taken).time(), tp),
                        method=rng.choices(["kunjungan", "telepon", "mandiri"], [40, 35, 25])[0],
                        temperature_c=vitals.temperature_c,
                        spo2=vitals.spo2,
                        respiratory_rate=vitals.respiratory_rate,
                        pulse=vitals.pulse,
                        symptoms=list(vitals.symptoms),
                        triage=outcome.level,
                        reasons=outcome.reasons,
                        protocol=tp_protocol,
                        created_at=taken,
                    )
                    records.append((index, record))
                    if outcome.level in ("rujuk", "darurat") and not opened:
                        opened = True
                        minutes = (
                            tp.acknowledge_minutes_darurat
                            if outcome.level == "darurat"
                            else tp.acknowledge_minutes_rujuk
                        )
                        referral_rows.append(
                            (
                                index,
                                Referral(
                                    resident_id=case.resident_id,
                                    rt_id=case.rt_id,
                                    household_id=case.household_id,
                                    puskesmas=puskesmas_of.setdefault(
                                        case.rt_id, puskesmas_for(case.rt_id)
                                    ),
                                    level=outcome.level,
                                    reasons=outcome.reasons,
                                    created_at=taken,
                                    acknowledge_by=taken + dt.timedelta(minutes=minutes),
                                ),
                            )
                        )
                day += dt.timedelta(days=1)
        planned = rules.isolation_end(
            specimen_on=case.specimen_on,
            onset_on=case.onset_on,
            symptom_days=symptom_days,
            params=params,
        )
        case.isolation_ends_on, case.end_reasons = planned.ends_on, planned.reasons
        if case.isolation_place == "isoman":
            unmet = rules.home_isolation_unmet(
                age=None,
                comorbidities=[],
                separate_room=True,
                own_oximeter=rng.random() < 0.7,
                params=params,
            )
            case.eligibility_unmet = [u for u in unmet if u != "age"]
        if planned.ends_on < today:
            case.outcome = rng.choices(
                ["selesai", "dirujuk", "meninggal", "pindah"], [93, 4, 2, 1]
            )[0]
            case.ended_on = (
                planned.ends_on
                if case.outcome == "selesai"
                else case.specimen_on + dt.timedelta(days=rng.randint(3, 9))
            )
    official = _officials()
    for case in cases:
        reporter = official(case.rt_id)  # reported by the puskesmas
        case.created_by_id = reporter.pk if reporter else None
    Case.objects.bulk_create(cases, batch_size=2000)
    # The ledger rows the services write for each act, tagged by the same builder.
    groups = ActorGroups()
    acts: list[Contribution] = []

    def act(actor: Any, kind: str, obj: Any, at: dt.datetime, **person: str) -> None:
        acts.append(
            contribution_for(
                actor=actor,
                phase=Phase.CO_DELIVERY,
                kind=kind,
                territory_id=obj.rt_id,
                obj=obj,
                at=at,
                groups=groups,
                **person,
            )
        )

    for case in cases:
        if case.created_by_id is not None:
            act(official(case.rt_id), "case_reported", case, case.created_at)
    # referral states: older ones completed, recent ones acknowledged or still waiting
    referrals = []
    for index, referral in referral_rows:
        referral.case_id = cases[index].pk
        age = now - referral.created_at
        if age > dt.timedelta(days=3):
            referral.state, referral.outcome = (
                "selesai",
                rng.choice(["rawat_inap", "terpusat", "isoman", "isoman"]),
            )
            referral.acknowledged_at = referral.created_at + dt.timedelta(
                minutes=rng.randint(10, 50)
            )
            referral.completed_at = referral.acknowledged_at + dt.timedelta(
                hours=rng.randint(2, 20)
            )
        elif age > dt.timedelta(hours=2) and rng.random() < 0.7:
            referral.state = "diterima"
            referral.acknowledged_at = referral.created_at + dt.timedelta(
                minutes=rng.randint(10, 90)
            )
        elif referral.acknowledge_by <= now:
            referral.escalated_at = referral.acknowledge_by
        handler = official(referral.rt_id)
        if referral.acknowledged_at is not None and handler is not None:
            referral.acknowledged_by_id = handler.pk
            if referral.completed_at is not None:
                referral.completed_by_id = handler.pk
        referrals.append(referral)
    Referral.objects.bulk_create(referrals, batch_size=2000)
    for referral in referrals:
        handler = official(referral.rt_id)
        if referral.acknowledged_by_id is not None and referral.acknowledged_at is not None:
            act(handler, "referral_acknowledged", referral, referral.acknowledged_at)
        if referral.completed_by_id is not None and referral.completed_at is not None:
            act(handler, "referral_completed", referral, referral.completed_at)
    onward = _onward_referrals(referrals, official, act, rng)
    by_case_referral = {
        index: ref for (index, _r), ref in zip(referral_rows, referrals, strict=True)
    }
    monitoring = []
    for index, record in records:
        record.case_id = cases[index].pk
        ref = by_case_referral.get(index)
        if (
            ref is not None
            and record.triage in ("rujuk", "darurat")
            and record.taken_at >= ref.created_at
        ):
            record.referral_id = ref.pk
        monitoring.append(record)
    Monitoring.objects.bulk_create(monitoring, batch_size=5000)
    # Self-reports (mandiri) are the isolating resident's own act; visits and calls are
    # credited when the volunteers demo gives them their recorder.
    for index, record in records:
        if record.method == Method.MANDIRI:
            resident = f"resident:{cases[index].resident_id}"
            act(
                None,
                "monitoring",
                record,
                record.taken_at,
                person_key=resident,
                actor_group="resident",
            )
    bulk_record_contributions(acts)
    result.counts["contributions"] = len(acts)

    # ---- close contacts (household members and neighbours), quarantine per protocol
    contacts = []
    for case in cases:
        household = by_household.get(case.household_id or 0, [])
        candidates = [p for p in household if p != case.resident_id and p not in sick][:3]
        neighbours = by_rt[case.rt_id]
        if rng.random() < 0.5:
            candidates.append(rng.choice(neighbours)[0])
        for resident_id in dict.fromkeys(candidates):
            if resident_id == case.resident_id:
                continue
            info = next((p for p in neighbours if p[0] == resident_id), None)
            exposure = max(
                case.specimen_on - dt.timedelta(days=rng.randint(0, 2)),
                case.specimen_on - dt.timedelta(days=2),
            )
            protocol = iso_book.on(exposure)
            params = iso_book.params(protocol)
            tested = exposure + dt.timedelta(days=params.quarantine_test_exit_day or 14)
            result_ = (
                rng.choices(["negatif", "", "positif"], [70, 25, 5])[0] if tested <= today else ""
            )
            planned = rules.quarantine_end(
                last_exposure_on=exposure,
                exit_test_result=result_ if result_ != "positif" else "",
                exit_test_on=tested if result_ else None,
                had_symptoms=False,
                params=params,
            )
            contacts.append(
                Contact(
                    case=case,
                    resident_id=resident_id,
                    rt_id=info[1] if info else case.rt_id,
                    household_id=info[2] if info else case.household_id,
                    last_exposure_on=exposure,
                    protocol=protocol,
                    quarantine_ends_on=planned.ends_on,
                    end_reasons=planned.reasons,
                    exit_test_on=tested if result_ else None,
                    exit_test_result=result_,
                    status="kasus"
                    if result_ == "positif"
                    else ("selesai" if planned.ends_on < today else "karantina"),
                    created_at=min(_at(case.specimen_on, 12, 0), now),
                )
            )
    Contact.objects.bulk_create(contacts, batch_size=5000, ignore_conflicts=True)

    # ---- newcomers: a few a day, screened by the coordinator of their RW through the service
    # (which sets the quarantine from the protocol in force on arrival)
    newcomers = []
    for _ in range(150):
        person = rng.choice(people)
        arrived = start + dt.timedelta(days=rng.randint(0, DAYS - 1))
        test = rng.choices(["negatif", "", "positif"], [70, 28, 2])[0]
        data = {
            "name": f"Pendatang {rng.randint(1000, 9999)} (sintetis)",
            "nik": "",
            "arrived_on": arrived,
            "origin_code": rng.choice(ORIGINS),
            "household": person[2],
            "test_result": test,
            "tested_on": arrived if test else None,
        }
        actor = coordinator(person[1])
        if person[2] and actor is not None:
            newcomers.append(create_newcomer(actor=actor, data=data, today=today))

    # ---- vaccinations: lower coverage among the elderly, as in mid-2021
    doses = []
    vaccines = ["sinovac", "sinovac", "sinovac", "astrazeneca", "moderna"]
    for person in people:
        birth = person[3]
        years = (today - birth).days // 365 if birth else 30
        if years < 12:
            continue
        coverage = 0.25 if years >= 60 else 0.45
        if rng.random() >= coverage:
            continue
        vaccine = rng.choice(vaccines)
        first = start - dt.timedelta(days=rng.randint(0, 120))
        doses.append(
            Vaccination(
                resident_id=person[0],
                rt_id=person[1],
                household_id=person[2],
                given_on=first,
                vaccine=vaccine,
                dose=1,
            )
        )
        second = first + dt.timedelta(days=28)
        if second <= today and rng.random() < 0.7:
            doses.append(
                Vaccination(
                    resident_id=person[0],
                    rt_id=person[1],
                    household_id=person[2],
                    given_on=second,
                    vaccine=vaccine,
                    dose=2,
                )
            )
    Vaccination.objects.bulk_create(doses, batch_size=5000)
    result.counts.update(
        cases=len(cases),
        monitoring=len(monitoring),
        referrals=len(referrals),
        onward_referrals=len(onward),
        contacts=len(contacts),
        newcomers=len(newcomers),
        vaccinations=len(doses),
    )


def _vitals(rng: random.Random, plan: dict[str, Any], t: int) -> Vitals:
    """Vitals on day ``t`` of the episode for a mild, worsening or severe course."""
    course = plan["course"]
    fever = plan["symptomatic"] and t <= 4 and rng.random() < 0.6
    temperature = Decimal(
        str(round(rng.uniform(37.6, 38.8) if fever else rng.uniform(36.2, 37.3), 1))
    )
    spo2 = rng.randint(96, 99)
    rr = rng.randint(14, 22)
    symptoms: list[str] = []
    if plan["symptomatic"] and t <= 7:
        symptoms = rng.sample(
            ["batuk", "pilek", "sakit_tenggorokan", "anosmia", "lemas"], rng.randint(0, 2)
        )
        if fever:
            symptoms.append("demam")
    if course in ("worse", "severe") and 4 <= t <= 9:
        spo2 = rng.randint(93, 95) if course == "worse" else rng.randint(88, 93)
        rr = rng.randint(22, 28) if course == "worse" else rng.randint(26, 34)
        if rng.random() < 0.5:
            symptoms.append("sesak_napas")
    return Vitals(
        temperature_c=temperature,
        spo2=spo2,
        respiratory_rate=rr,
        pulse=rng.randint(70, 110),
        symptoms=tuple(dict.fromkeys(symptoms)),
    )


def _officials() -> Any:
    """Who acts for the government on an RT's cases and referrals: the puskesmas staff, else
    the kelurahan (or kecamatan) facilitators, as the referral alerts go; first one, cached."""
    cache: dict[int, User | None] = {}

    def official(rt_id: int) -> User | None:
        if rt_id not in cache:
            team = puskesmas_team(rt_id, puskesmas_for(rt_id)) or kelurahan_team(rt_id, None)
            cache[rt_id] = team[0] if team else None
        return cache[rt_id]

    return official


def _ensure_puskesmas() -> None:
    """Puskesmas Bandarharjo with an illustrative working area (Bandarharjo and Panggung Lor)
    and the demo puskesmas account as its staff, through the service (which gives the staff the
    puskesmas role on each kelurahan); the city hospital and isolation centre as destinations."""
    kota = Territory.objects.filter(code="33.74").first()
    area = list(Territory.objects.filter(code__in=PUSKESMAS_AREA).order_by("code"))
    if kota is None or len(area) != len(PUSKESMAS_AREA):
        return
    if not Puskesmas.objects.filter(name=PUSKESMAS_NAME).exists():
        staff = list(User.objects.filter(username="puskesmas.bandarharjo", is_active=True))
        create_puskesmas(actor=None, name=PUSKESMAS_NAME, location=area[0], area=area, staff=staff)
    for name, kind in ((HOSPITAL, "rumah_sakit"), (ISOLATION_CENTRE, "isolasi_terpusat")):
        if not Destination.objects.filter(name=name).exists():
            create_destination(actor=None, name=name, kind=kind, location=kota)


def _onward_referrals(
    referrals: list[Referral], official: Any, act: Any, rng: random.Random
) -> list[OnwardReferral]:
    """Completed hospital and isolation-centre outcomes of the demo puskesmas's area went there
    by an onward referral; one acknowledged referral is on its way to the hospital now."""
    destinations = {
        d.kind: d for d in Destination.objects.filter(name__in=[HOSPITAL, ISOLATION_CENTRE])
    }
    if len(destinations) < 2:
        return []
    kind_of = {"rawat_inap": "rumah_sakit", "terpusat": "isolasi_terpusat"}
    rows: list[OnwardReferral] = []
    for referral in referrals:
        if (
            referral.puskesmas_id is None
            or referral.outcome not in kind_of
            or referral.acknowledged_at is None
            or referral.completed_at is None
        ):
            continue
        sent = referral.acknowledged_at + (referral.completed_at - referral.acknowledged_at) / 2
        handler = official(referral.rt_id)
        rows.append(
            OnwardReferral(
                referral=referral,
                rt_id=referral.rt_id,
                household_id=referral.household_id,
                destination=destinations[kind_of[referral.outcome]],
                state=OnwardState.DITERIMA,
                created_at=sent,
                created_by=handler,
                closed_at=referral.completed_at,
                closed_by=handler,
            )
        )
    OnwardReferral.objects.bulk_create(rows, batch_size=2000)
    for onward in rows:
        if onward.created_by is not None:
            act(onward.created_by, "referral_onward", onward, onward.created_at)
    waiting = [
        r
        for r in referrals
        if r.puskesmas_id is not None and r.state == "diterima" and r.acknowledged_by_id
    ]
    if waiting:
        referral = rng.choice(waiting)
        staff = referral.acknowledged_by
        assert staff is not None  # filtered above
        rows.append(
            refer_onward(
                actor=staff,
                referral=referral,
                destination=destinations["rumah_sakit"],
                note="SpO2 turun; keluarga setuju dirujuk (sintetis).",
            )
        )
    return rows
