"""Writes of the health co-delivery: each call checks permission through the policy, validates,
runs in one transaction with its audit entry and contribution, and alerts through
``core.notifications``. Time is passed in (``now``/``today``) wherever a rule depends on it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.accounts.models import Membership, User
from siaga.core import audit, codes, policy
from siaga.core.contributions import record_contribution
from siaga.core.errors import ErrorCollector, ValidationFailed
from siaga.core.models import AuditAction, Phase
from siaga.core.notifications import notify
from siaga.core.roles import Perm, Role
from siaga.health import protocols as rules
from siaga.health import selectors
from siaga.health.models import (
    Case,
    Category,
    Contact,
    ContactStatus,
    IsolationPlace,
    Method,
    MissedSlot,
    Monitoring,
    Newcomer,
    Outcome,
    Protocol,
    ProtocolKind,
    Puskesmas,
    Referral,
    ReferralOutcome,
    ReferralState,
    TestResult,
    Triage,
    Vaccination,
    Vaccine,
    ZoneDay,
)
from siaga.health.triage import Vitals, slot_for, triage, vitals_errors
from siaga.registry.identity import IdentityError, decode_nik
from siaga.registry.models import Household, Resident
from siaga.territory.models import Level
from siaga.volunteers.models import OPEN_TASK_STATES, Priority, TaskKind
from siaga.volunteers.services import close_rule_task, ensure_task

# ---------------------------------------------------------------- helpers


def _link(name: str, pk: int) -> str:
    try:
        return reverse(f"health:{name}", args=[pk])
    except NoReverseMatch:
        return ""


def _date(
    value: Any, field: str, errors: ErrorCollector, *, today: dt.date, required: bool
) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            errors.add(field, _("Enter a date as YYYY-MM-DD."))
            return None
    if value > today:
        errors.add(field, _("The date cannot be in the future."))
        return None
    return value


def _choice(
    value: Any, field: str, choices: list[str], errors: ErrorCollector, *, required: bool = True
) -> str:
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return ""
    if value not in choices:
        errors.add(
            field, _("Choose one of: %(values)s") % {"values": ", ".join(c for c in choices if c)}
        )
        return ""
    return str(value)


def _resident(
    actor: Any, perm: Perm, data: dict[str, Any], errors: ErrorCollector
) -> Resident | None:
    """The resident named by ``resident`` (id) or ``nik``, if within the actor's reach."""
    queryset = policy.scope(Resident.objects.select_related("rt"), actor, perm)
    if data.get("resident") not in (None, ""):
        resident = (
            queryset.filter(pk=data["resident"]).first()
            if str(data["resident"]).isdigit()
            else None
        )
    elif data.get("nik"):
        resident = queryset.filter(nik=str(data["nik"]).strip()).first()
    else:
        errors.add("resident", _("Give the resident's id or NIK."))
        return None
    if resident is None:
        errors.add("resident", _("Unknown resident, or outside your area."))
    return resident


def _today() -> dt.date:
    return timezone.localdate()


def _contribute(actor: Any, kind: str, obj: Any) -> None:
    if actor is not None and getattr(actor, "is_authenticated", False):
        record_contribution(
            actor=actor, phase=Phase.CO_DELIVERY, kind=kind, territory_id=obj.rt_id, obj=obj
        )


# ---------------------------------------------------------------- who is alerted


def rw_team(rt_id: int) -> list[User]:
    """Pengurus and relawan of the RT's RW (memberships on the RW or on the RT itself)."""
    keys = [codes.ancestor_key(rt_id, Level.RW), rt_id]
    user_ids = Membership.objects.filter(
        role__in=[Role.PENGURUS, Role.RELAWAN], territory_id__in=keys
    ).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def puskesmas_for(rt_id: int) -> Puskesmas | None:
    keys = codes.ancestor_keys(rt_id, from_level=Level.KECAMATAN, to_level=Level.RT)
    return (
        Puskesmas.objects.filter(territory_id__in=keys).order_by("-territory__level", "pk").first()
    )


def _facilitators_at(key: int, exclude: set[int]) -> list[User]:
    user_ids = Membership.objects.filter(role=Role.FASILITATOR, territory_id=key).values("user_id")
    return [u for u in User.objects.filter(pk__in=user_ids, is_active=True) if u.pk not in exclude]


def puskesmas_team(rt_id: int, puskesmas: Puskesmas | None) -> list[User]:
    """The puskesmas staff; without a registered puskesmas, the kelurahan facilitators."""
    if puskesmas is not None:
        staff = list(puskesmas.staff.filter(is_active=True))
        if staff:
            return staff
    return _facilitators_at(codes.ancestor_key(rt_id, Level.KELURAHAN), set())


def kelurahan_team(rt_id: int, puskesmas: Puskesmas | None) -> list[User]:
    """Kelurahan facilitators (not the puskesmas staff); else the kecamatan facilitators."""
    exclude = set(puskesmas.staff.values_list("pk", flat=True)) if puskesmas else set()
    users = _facilitators_at(codes.ancestor_key(rt_id, Level.KELURAHAN), exclude)
    return users or _facilitators_at(codes.ancestor_key(rt_id, Level.KECAMATAN), exclude)


# ---------------------------------------------------------------- protocols


@transaction.atomic
def create_protocol(
    *,
    actor: Any,
    kind: str,
    name: str,
    effective_from: dt.date,
    params: dict[str, Any],
    source: str = "",
) -> Protocol:
    if not policy.is_global(actor, Perm.HEALTH_PROTOCOL):
        raise ValidationFailed.single("__all__", _("Only an administrator may publish protocols."))
    rules.validate_params(kind, params)
    if Protocol.objects.filter(
        Q(kind=kind) & (Q(name=name) | Q(effective_from=effective_from))
    ).exists():
        raise ValidationFailed.single(
            "name", _("A protocol of this kind with this name or date exists.")
        )
    protocol = Protocol.objects.create(
        kind=kind, name=name, effective_from=effective_from, params=params, source=source
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=protocol, changes={"params": params})
    return protocol


def protocol_in_use(protocol: Protocol) -> bool:
    models: tuple[Any, ...] = (Case, Contact, Monitoring, Newcomer, ZoneDay)
    return any(model.objects.filter(protocol=protocol).exists() for model in models)


@transaction.atomic
def update_protocol(
    *, actor: Any, protocol: Protocol, params: dict[str, Any], source: str | None = None
) -> Protocol:
    """Change an unused protocol's parameters. A used one is refused: results already computed
    under it must keep meaning what they meant, so publish a new version instead."""
    if not policy.is_global(actor, Perm.HEALTH_PROTOCOL):
        raise ValidationFailed.single("__all__", _("Only an administrator may change protocols."))
    rules.validate_params(protocol.kind, params)
    if protocol_in_use(protocol):
        raise ValidationFailed.single(
            "params",
            _(
                "This protocol has been used for recorded results; publish a new version with its own date instead."
            ),
        )
    changes = audit.diff({"params": protocol.params}, {"params": params})
    protocol.params = params
    fields = ["params"]
    if source is not None:
        protocol.source = source
        fields.append("source")
    protocol.save(update_fields=fields)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=protocol, changes=changes)
    return protocol


# ---------------------------------------------------------------- cases


CASE_FIELDS = ("category", "specimen_on", "confirmed_on", "onset_on", "isolation_place")


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


def _symptom_days(case: Case, params: rules.IsolationParams) -> list[dt.date]:
    days = set()
    for day, temp, symptoms in case.monitoring.values_list("day", "temperature_c", "symptoms"):
        if rules.symptom_day(temperature_c=temp, symptoms=symptoms or [], params=params):
            days.add(day)
    return sorted(days)


def _plan_end(case: Case) -> None:
    params = rules.isolation_params(case.protocol)
    days = _symptom_days(case, params) if case.pk else []
    planned = rules.isolation_end(
        specimen_on=case.specimen_on,
        onset_on=case.onset_on,
        symptom_days=days,
        params=params,
        extended_until=case.extended_until,
    )
    case.isolation_ends_on = planned.ends_on
    case.end_reasons = planned.reasons


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
    before = {f: getattr(case, f) for f in (*CASE_FIELDS, "extended_until", "extension_note")}
    cleaned = _clean_case(data, errors, today=today, base=case)
    if "extended_until" in data or "extension_note" in data:
        if not policy.can_act_on(actor, Perm.HEALTH_MANAGE, case):
            errors.add("extended_until", _("Only the puskesmas or kelurahan may extend isolation."))
        else:
            raw = data.get("extended_until", case.extended_until)
            extended: dt.date | None = None
            if raw not in (None, ""):
                try:
                    extended = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
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
    case.save()
    after = {f: getattr(case, f) for f in before}
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        territory_id=case.rt_id,
        changes=audit.diff(before, after),
    )
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


# ---------------------------------------------------------------- monitoring and triage


def _subject_perm(actor: Any, subject: Case | Contact) -> str:
    """ "record" for the health team, "self" for the resident's household; 404 otherwise."""
    if policy.can_act_on(actor, Perm.HEALTH_RECORD, subject):
        return "record"
    if policy.can_act_on(actor, Perm.HEALTH_SELF_REPORT, subject):
        return "self"
    raise Http404("not found")


def _clean_vitals(data: dict[str, Any], errors: ErrorCollector) -> Vitals:
    for field, problems in vitals_errors(data).items():
        for problem in problems:
            errors.add(field, problem)
    temperature = None
    if data.get("temperature_c") is not None and "temperature_c" not in errors.errors:
        try:
            temperature = Decimal(str(data["temperature_c"])).quantize(Decimal("0.1"))
        except InvalidOperation:
            errors.add("temperature_c", _("Enter a number."))

    def whole(name: str) -> int | None:
        value = data.get(name)
        if value is None or name in errors.errors:
            return None
        number = float(value)
        if number != int(number):
            errors.add(name, _("Enter a whole number."))
            return None
        return int(number)

    return Vitals(
        temperature_c=temperature,
        spo2=whole("spo2"),
        respiratory_rate=whole("respiratory_rate"),
        pulse=whole("pulse"),
        symptoms=tuple(dict.fromkeys(data.get("symptoms") or [])),
    )


def _taken_at(value: Any, errors: ErrorCollector, now: dt.datetime) -> dt.datetime | None:
    if value in (None, ""):
        return now
    if not isinstance(value, dt.datetime):
        try:
            value = dt.datetime.fromisoformat(str(value))
        except ValueError:
            errors.add("taken_at", _("Enter a date and time, e.g. 2021-07-01T07:30+07:00."))
            return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + dt.timedelta(minutes=5):
        errors.add("taken_at", _("The time cannot be in the future."))
        return None
    return value


@transaction.atomic
def record_monitoring(
    *,
    actor: Any,
    data: dict[str, Any],
    case: Case | None = None,
    contact: Contact | None = None,
    now: dt.datetime | None = None,
) -> tuple[Monitoring, Referral | None]:
    """Record one check, triage it under the protocol in force on its day, open (or raise) a
    referral on rujuk/darurat, and move the planned end of isolation when it shows symptoms."""
    now = now or timezone.now()
    subject: Case | Contact = case if case is not None else contact  # type: ignore[assignment]
    assert subject is not None
    access = _subject_perm(actor, subject)
    errors = ErrorCollector()
    if case is not None and not case.active:
        errors.add("__all__", _("This case has ended."))
    if contact is not None and contact.status != ContactStatus.KARANTINA:
        errors.add("__all__", _("This contact is no longer in quarantine."))
    method = _choice(
        data.get("method") or (Method.MANDIRI if access == "self" else Method.KUNJUNGAN),
        "method",
        Method.values,
        errors,
    )
    if access == "self" and method and method != Method.MANDIRI:
        errors.add("method", _("Residents record self-reports (mandiri)."))
    taken_at = _taken_at(data.get("taken_at"), errors, now)
    vitals = _clean_vitals(data, errors)
    start = case.specimen_on if case is not None else contact.last_exposure_on  # type: ignore[union-attr]
    if taken_at is not None and timezone.localdate(taken_at) < start:
        errors.add("taken_at", _("The record is earlier than the start of the episode."))
    errors.raise_if_any()
    assert taken_at is not None
    day = timezone.localdate(taken_at)
    protocol = rules.in_force(ProtocolKind.TRIAGE, day)
    params = rules.triage_params(protocol)
    history = (
        Monitoring.objects.filter(case=case)
        if case is not None
        else Monitoring.objects.filter(contact=contact)
    )
    previous_spo2 = (
        history.filter(taken_at__lt=taken_at, spo2__isnull=False)
        .order_by("-taken_at")
        .values_list("spo2", flat=True)
        .first()
    )
    fever_days = set(
        history.filter(temperature_c__gte=Decimal(str(params.rujuk_fever_c))).values_list(
            "day", flat=True
        )
    )
    if vitals.temperature_c is not None and float(vitals.temperature_c) >= params.rujuk_fever_c:
        fever_days.add(day)
    result = triage(vitals, params, previous_spo2=previous_spo2, fever_days=len(fever_days))
    record = Monitoring.objects.create(
        case=case,
        contact=contact,
        rt_id=subject.rt_id,
        household_id=subject.household_id,
        taken_at=taken_at,
        day=day,
        slot=slot_for(timezone.localtime(taken_at).time(), params),
        method=method,
        recorder=actor if getattr(actor, "is_authenticated", False) else None,
        temperature_c=vitals.temperature_c,
        spo2=vitals.spo2,
        respiratory_rate=vitals.respiratory_rate,
        pulse=vitals.pulse,
        symptoms=list(vitals.symptoms),
        triage=result.level,
        reasons=result.reasons,
        protocol=protocol,
    )
    referral = None
    if result.level in (Triage.RUJUK, Triage.DARURAT):
        referral = _refer(
            actor=actor,
            subject=subject,
            level=result.level,
            reasons=result.reasons,
            params=params,
            now=now,
        )
        record.referral = referral
        record.save(update_fields=["referral"])
    if case is not None:
        iso = rules.isolation_params(case.protocol)
        if rules.symptom_day(
            temperature_c=vitals.temperature_c, symptoms=vitals.symptoms, params=iso
        ):
            old_end = case.isolation_ends_on
            _plan_end(case)
            if case.isolation_ends_on != old_end:
                case.save(update_fields=["isolation_ends_on", "end_reasons", "updated_at"])
                audit.record(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    obj=case,
                    territory_id=case.rt_id,
                    changes={"isolation_ends_on": [str(old_end), str(case.isolation_ends_on)]},
                )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        territory_id=record.rt_id,
        summary=f"monitoring {record.triage}",
    )
    _contribute(actor, "monitoring", record)
    return record, referral


def _refer(
    *,
    actor: Any,
    subject: Case | Contact,
    level: str,
    reasons: list[dict[str, Any]],
    params: rules.TriageParams,
    now: dt.datetime,
) -> Referral:
    """Open a referral, or raise the open one to darurat; alert the RW team and the puskesmas."""
    minutes = (
        params.acknowledge_minutes_darurat
        if level == Triage.DARURAT
        else params.acknowledge_minutes_rujuk
    )
    lookup: dict[str, Any] = (
        {"case": subject} if isinstance(subject, Case) else {"contact": subject}
    )
    open_referral = (
        Referral.objects.select_for_update()
        .filter(**lookup)
        .exclude(state=ReferralState.SELESAI)
        .order_by("-created_at")
        .first()
    )
    if open_referral is not None:
        if level == Triage.DARURAT and open_referral.level != Triage.DARURAT:
            open_referral.level = Triage.DARURAT
            open_referral.reasons = reasons
            if open_referral.state == ReferralState.DIBUAT:
                open_referral.acknowledge_by = min(
                    open_referral.acknowledge_by, now + dt.timedelta(minutes=minutes)
                )
            open_referral.save(update_fields=["level", "reasons", "acknowledge_by"])
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=open_referral,
                territory_id=open_referral.rt_id,
                changes={"level": ["rujuk", "darurat"]},
            )
            _alert_referral(open_referral)
        return open_referral
    referral = Referral.objects.create(
        resident_id=subject.resident_id,
        case=subject if isinstance(subject, Case) else None,
        contact=subject if isinstance(subject, Contact) else None,
        rt_id=subject.rt_id,
        household_id=subject.household_id,
        puskesmas=puskesmas_for(subject.rt_id),
        level=level,
        reasons=reasons,
        created_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        acknowledge_by=now + dt.timedelta(minutes=minutes),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=referral,
        territory_id=referral.rt_id,
        summary=f"referral {level}",
    )
    _alert_referral(referral)
    return referral


def _alert_referral(referral: Referral) -> None:
    level = referral.get_level_display()
    recipients = rw_team(referral.rt_id) + puskesmas_team(referral.rt_id, referral.puskesmas)
    notify(
        recipients=recipients,
        kind=f"referral_{referral.level}",
        title=_("%(level)s referral #%(id)s") % {"level": level, "id": referral.pk},
        body=_("A resident needs the puskesmas. Acknowledge by %(time)s.")
        % {"time": timezone.localtime(referral.acknowledge_by).strftime("%d-%m %H:%M")},
        link=_link("referral", referral.pk),
        territory_id=referral.rt_id,
    )


@transaction.atomic
def open_referral(
    *, actor: Any, case: Case, level: str, note: str = "", now: dt.datetime | None = None
) -> Referral:
    """A referral opened by hand (a volunteer's judgement), alerting like an automatic one."""
    now = now or timezone.now()
    policy.require(actor, Perm.HEALTH_RECORD, case)
    errors = ErrorCollector()
    level = _choice(level, "level", [Triage.RUJUK, Triage.DARURAT], errors)
    if not case.active:
        errors.add("case", _("This case has ended."))
    errors.raise_if_any()
    params = rules.triage_params(rules.in_force(ProtocolKind.TRIAGE, timezone.localdate(now)))
    referral = _refer(
        actor=actor,
        subject=case,
        level=level,
        reasons=[{"level": level, "code": "manual", "note": note[:200]}],
        params=params,
        now=now,
    )
    if note and not referral.note:
        referral.note = note[:255]
        referral.save(update_fields=["note"])
    return referral


@transaction.atomic
def acknowledge_referral(
    *, actor: Any, referral: Referral, now: dt.datetime | None = None
) -> Referral:
    now = now or timezone.now()
    policy.require(actor, Perm.HEALTH_MANAGE, referral)
    if referral.state != ReferralState.DIBUAT:
        raise ValidationFailed.single("state", _("Only a new referral can be acknowledged."))
    referral.state, referral.acknowledged_at, referral.acknowledged_by = (
        ReferralState.DITERIMA,
        now,
        actor,
    )
    referral.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=referral,
        territory_id=referral.rt_id,
        changes={"state": ["dibuat", "diterima"]},
    )
    _contribute(actor, "referral_acknowledged", referral)
    return referral


_PLACE_AFTER = {
    ReferralOutcome.RAWAT_INAP: IsolationPlace.RUMAH_SAKIT,
    ReferralOutcome.TERPUSAT: IsolationPlace.TERPUSAT,
    ReferralOutcome.ISOMAN: IsolationPlace.ISOMAN,
}


@transaction.atomic
def complete_referral(
    *, actor: Any, referral: Referral, outcome: str, note: str = "", now: dt.datetime | None = None
) -> Referral:
    """diterima → selesai (a new one is acknowledged on the way); the case moves accordingly."""
    now = now or timezone.now()
    policy.require(actor, Perm.HEALTH_MANAGE, referral)
    errors = ErrorCollector()
    outcome = _choice(outcome, "outcome", [o for o in ReferralOutcome.values if o], errors)
    if referral.state == ReferralState.SELESAI:
        errors.add("state", _("This referral is already completed."))
    errors.raise_if_any()
    before = referral.state
    if referral.state == ReferralState.DIBUAT:
        referral.acknowledged_at, referral.acknowledged_by = now, actor
    referral.state, referral.completed_at, referral.completed_by = ReferralState.SELESAI, now, actor
    referral.outcome, referral.note = outcome, (note or referral.note)[:255]
    referral.save()
    case = referral.case
    if (
        case is not None
        and case.active
        and case.isolation_place != _PLACE_AFTER[ReferralOutcome(outcome)]
    ):
        old = case.isolation_place
        case.isolation_place = _PLACE_AFTER[ReferralOutcome(outcome)]
        case.place_chosen_by = actor
        case.save(update_fields=["isolation_place", "place_chosen_by", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=case,
            territory_id=case.rt_id,
            changes={"isolation_place": [old, case.isolation_place]},
        )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=referral,
        territory_id=referral.rt_id,
        changes={"state": [before, "selesai"], "outcome": ["", outcome]},
    )
    _contribute(actor, "referral_completed", referral)
    return referral


def escalate_overdue_referrals(*, now: dt.datetime | None = None) -> int:
    """Referrals not acknowledged by their deadline (darurat 1 h, rujuk 24 h by default) go to the
    kelurahan facilitators, once. Returns how many were escalated."""
    now = now or timezone.now()
    count = 0
    due = Referral.objects.filter(
        state=ReferralState.DIBUAT, escalated_at__isnull=True, acknowledge_by__lte=now
    )
    for referral_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            referral = (
                Referral.objects.select_for_update(of=("self",))
                .select_related("puskesmas")
                .filter(pk=referral_id, state=ReferralState.DIBUAT, escalated_at__isnull=True)
                .first()
            )
            if referral is None:
                continue
            referral.escalated_at = now
            referral.save(update_fields=["escalated_at"])
            audit.record(
                actor=None,
                action=AuditAction.UPDATE,
                obj=referral,
                territory_id=referral.rt_id,
                summary="referral escalated",
                changes={"escalated_at": [None, now.isoformat()]},
            )
            notify(
                recipients=kelurahan_team(referral.rt_id, referral.puskesmas),
                kind="referral_escalated",
                title=_("Unacknowledged %(level)s referral #%(id)s")
                % {"level": referral.get_level_display(), "id": referral.pk},
                body=_("The puskesmas has not acknowledged this referral since %(time)s.")
                % {"time": timezone.localtime(referral.created_at).strftime("%d-%m %H:%M")},
                link=_link("referral", referral.pk),
                territory_id=referral.rt_id,
            )
            count += 1
    return count


def flag_missed_slots(*, now: dt.datetime | None = None) -> int:
    """For each slot of today whose deadline has passed, flag every isolating (isoman) case and
    quarantined contact without a record in it to its RW health team (once per slot)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    day = local.date()
    params = rules.triage_params(rules.in_force(ProtocolKind.TRIAGE, day))
    slots = []
    if local.time() >= params.pagi_until:
        slots.append("pagi")
    if local.time() >= params.sore_until:
        slots.append("sore")
    flagged = 0
    for slot in slots:
        missing = selectors.unmonitored(day=day, slot=slot)
        if not missing:
            continue
        with transaction.atomic():
            per_rw: dict[int, int] = {}
            for subject in missing:
                lookup: dict[str, Any] = (
                    {"case": subject} if isinstance(subject, Case) else {"contact": subject}
                )
                _row, created = MissedSlot.objects.get_or_create(
                    day=day,
                    slot=slot,
                    **lookup,
                    defaults={
                        "rt_id": subject.rt_id,
                        "household_id": subject.household_id,
                        "flagged_at": now,
                    },
                )
                if created:
                    rw = codes.ancestor_key(subject.rt_id, Level.RW)
                    per_rw[rw] = per_rw.get(rw, 0) + 1
                    flagged += 1
            for rw_key, n in per_rw.items():
                notify(
                    recipients=rw_team(rw_key),
                    kind="monitoring_missed",
                    title=_("%(n)s missed %(slot)s checks") % {"n": n, "slot": slot},
                    body=_(
                        "%(n)s isolating or quarantined residents have no %(slot)s record today."
                    )
                    % {"n": n, "slot": slot},
                    link=_worklist_link(),
                    territory_id=rw_key,
                )
    return flagged


def _worklist_link() -> str:
    try:
        return reverse("health:worklist")
    except NoReverseMatch:
        return ""


# ---------------------------------------------------------------- contacts


def _contact_end(contact: Contact) -> None:
    params = rules.isolation_params(contact.protocol)
    had_symptoms = False
    if contact.pk:
        for temp, symptoms in contact.monitoring.values_list("temperature_c", "symptoms"):
            if rules.symptom_day(temperature_c=temp, symptoms=symptoms or [], params=params):
                had_symptoms = True
                break
    planned = rules.quarantine_end(
        last_exposure_on=contact.last_exposure_on,
        exit_test_result=contact.exit_test_result,
        exit_test_on=contact.exit_test_on,
        had_symptoms=had_symptoms,
        params=params,
    )
    contact.quarantine_ends_on, contact.end_reasons = planned.ends_on, planned.reasons


@transaction.atomic
def create_contact(*, actor: Any, data: dict[str, Any], today: dt.date | None = None) -> Contact:
    today = today or _today()
    errors = ErrorCollector()
    case = None
    if str(data.get("case") or "").isdigit():
        case = (
            policy.scope(Case.objects.all(), actor, Perm.HEALTH_RECORD)
            .filter(pk=data["case"])
            .first()
        )
    if case is None:
        errors.add("case", _("Unknown case, or outside your area."))
    # The contact may live in another RT of the actor's area.
    resident = _resident(actor, Perm.HEALTH_RECORD, data, errors)
    exposure = _date(
        data.get("last_exposure_on"), "last_exposure_on", errors, today=today, required=True
    )
    if case is not None and resident is not None:
        if resident.pk == case.resident_id:
            errors.add("resident", _("A case cannot be its own contact."))
        elif Contact.objects.filter(case=case, resident=resident).exists():
            errors.add("resident", _("This resident is already a contact of this case."))
    errors.raise_if_any()
    assert case is not None and resident is not None and exposure is not None
    contact = Contact(
        case=case,
        resident=resident,
        rt_id=resident.rt_id,
        household_id=resident.household_id,
        last_exposure_on=exposure,
        protocol=rules.in_force(ProtocolKind.ISOLATION, exposure),
        created_by=actor,
    )
    _contact_end(contact)
    contact.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=contact, territory_id=contact.rt_id)
    _contribute(actor, "contact_traced", contact)
    return contact


@transaction.atomic
def update_contact(
    *, actor: Any, contact: Contact, data: dict[str, Any], today: dt.date | None = None
) -> Contact:
    """Tests and exposure date; a positive test turns the contact into a case in one step;
    ``status: "selesai"`` ends the quarantine once its planned end has come."""
    today = today or _today()
    policy.require(actor, Perm.HEALTH_RECORD, contact)
    errors = ErrorCollector()
    if contact.status != ContactStatus.KARANTINA:
        errors.add("__all__", _("This quarantine has ended."))
    errors.raise_if_any()
    before = {
        f: getattr(contact, f)
        for f in (
            "last_exposure_on",
            "entry_test_on",
            "entry_test_result",
            "exit_test_on",
            "exit_test_result",
            "status",
        )
    }
    if "last_exposure_on" in data:
        contact.last_exposure_on = (
            _date(data["last_exposure_on"], "last_exposure_on", errors, today=today, required=True)
            or contact.last_exposure_on
        )
    for prefix in ("entry", "exit"):
        if f"{prefix}_test_result" in data:
            setattr(
                contact,
                f"{prefix}_test_result",
                _choice(
                    data[f"{prefix}_test_result"],
                    f"{prefix}_test_result",
                    TestResult.values,
                    errors,
                    required=False,
                ),
            )
        if f"{prefix}_test_on" in data:
            setattr(
                contact,
                f"{prefix}_test_on",
                _date(
                    data[f"{prefix}_test_on"],
                    f"{prefix}_test_on",
                    errors,
                    today=today,
                    required=False,
                ),
            )
        if getattr(contact, f"{prefix}_test_result") and not getattr(contact, f"{prefix}_test_on"):
            errors.add(f"{prefix}_test_on", _("Give the date of the test."))
    end_now = data.get("status") == ContactStatus.SELESAI
    if data.get("status") not in (None, "", ContactStatus.KARANTINA, ContactStatus.SELESAI):
        errors.add("status", _("Set the status to selesai to end the quarantine."))
    errors.raise_if_any()
    positive = next(
        (
            getattr(contact, f"{p}_test_on")
            for p in ("entry", "exit")
            if getattr(contact, f"{p}_test_result") == TestResult.POSITIF
        ),
        None,
    )
    _contact_end(contact)
    if positive is not None:
        contact.status = ContactStatus.KASUS
        contact.save()
        case = create_case(
            actor=actor,
            data={
                "resident": contact.resident_id,
                "category": Category.KONFIRMASI,
                "specimen_on": positive,
                "confirmed_on": positive,
                "onset_on": None,
                "isolation_place": data.get("isolation_place") or IsolationPlace.ISOMAN,
                "separate_room": data.get("separate_room"),
                "own_oximeter": data.get("own_oximeter"),
            },
            today=today,
        )
        contact.became_case = case
        contact.save(update_fields=["became_case"])
    else:
        if end_now:
            if today < contact.quarantine_ends_on:
                raise ValidationFailed.single(
                    "status",
                    _("Quarantine is planned until %(date)s.")
                    % {"date": contact.quarantine_ends_on},
                )
            contact.status = ContactStatus.SELESAI
        contact.save()
    after = {f: getattr(contact, f) for f in before}
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=contact,
        territory_id=contact.rt_id,
        changes=audit.diff(before, after),
    )
    return contact


# ---------------------------------------------------------------- newcomers


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
    before = {f: getattr(newcomer, f) for f in fields}
    cleaned = _clean_newcomer(actor, data, errors, today, newcomer)
    errors.raise_if_any()
    household: Household = cleaned.pop("household")
    for name, value in cleaned.items():
        setattr(newcomer, name, value)
    newcomer.household, newcomer.rt_id = household, household.rt_id
    if "arrived_on" in data:
        newcomer.protocol = rules.in_force(ProtocolKind.ISOLATION, newcomer.arrived_on)
    _newcomer_quarantine(newcomer)
    newcomer.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=newcomer,
        territory_id=newcomer.rt_id,
        changes=audit.diff(before, {f: getattr(newcomer, f) for f in fields}),
    )
    return newcomer


# ---------------------------------------------------------------- vaccination


def _clean_dose(
    data: dict[str, Any], errors: ErrorCollector, today: dt.date, base: Vaccination | None
) -> dict[str, Any]:
    def pick(name: str) -> Any:
        return data[name] if name in data else (getattr(base, name) if base is not None else None)

    cleaned: dict[str, Any] = {
        "given_on": _date(pick("given_on"), "given_on", errors, today=today, required=True),
        "vaccine": _choice(pick("vaccine"), "vaccine", Vaccine.values, errors),
    }
    dose = pick("dose")
    if not isinstance(dose, int) or not 1 <= dose <= 5:
        errors.add("dose", _("Enter a dose number from 1 to 5."))
    cleaned["dose"] = dose
    return cleaned


@transaction.atomic
def record_vaccination(
    *, actor: Any, data: dict[str, Any], today: dt.date | None = None
) -> Vaccination:
    today = today or _today()
    errors = ErrorCollector()
    resident = _resident(actor, Perm.HEALTH_RECORD, data, errors)
    cleaned = _clean_dose(data, errors, today, None)
    if resident is not None and isinstance(cleaned["dose"], int):
        others = Vaccination.objects.filter(resident=resident)
        if others.filter(dose=cleaned["dose"]).exists():
            errors.add("dose", _("This dose is already recorded."))
        earlier = others.filter(dose__lt=cleaned["dose"]).order_by("-dose").first()
        if earlier is not None and cleaned["given_on"] and cleaned["given_on"] < earlier.given_on:
            errors.add(
                "given_on", _("This dose cannot be earlier than dose %(n)s.") % {"n": earlier.dose}
            )
    errors.raise_if_any()
    assert resident is not None
    try:
        with transaction.atomic():
            dose = Vaccination.objects.create(
                resident=resident,
                rt_id=resident.rt_id,
                household_id=resident.household_id,
                recorded_by=actor,
                **cleaned,
            )
    except IntegrityError:
        raise ValidationFailed.single("dose", _("This dose is already recorded.")) from None
    audit.record(actor=actor, action=AuditAction.CREATE, obj=dose, territory_id=dose.rt_id)
    _contribute(actor, "vaccination_recorded", dose)
    return dose


@transaction.atomic
def update_vaccination(
    *, actor: Any, vaccination: Vaccination, data: dict[str, Any], today: dt.date | None = None
) -> Vaccination:
    today = today or _today()
    policy.require(actor, Perm.HEALTH_RECORD, vaccination)
    errors = ErrorCollector()
    before = {f: getattr(vaccination, f) for f in ("given_on", "vaccine", "dose")}
    cleaned = _clean_dose(data, errors, today, vaccination)
    if (
        isinstance(cleaned["dose"], int)
        and Vaccination.objects.filter(resident_id=vaccination.resident_id, dose=cleaned["dose"])
        .exclude(pk=vaccination.pk)
        .exists()
    ):
        errors.add("dose", _("This dose is already recorded."))
    errors.raise_if_any()
    for name, value in cleaned.items():
        setattr(vaccination, name, value)
    vaccination.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=vaccination,
        territory_id=vaccination.rt_id,
        changes=audit.diff(before, cleaned),
    )
    return vaccination


# ---------------------------------------------------------------- volunteers' tasks


def ensure_monitoring_tasks(*, day: dt.date, now: dt.datetime | None = None) -> int:
    """One volunteers' task per due monitoring slot (pagi, sore) of every isolating case and
    quarantined contact on ``day``; slots already recorded close their task. Returns tasks created.

    Health makes work for the volunteers, never the other way round (docs/adr/0009)."""
    now = now or timezone.now()
    params = rules.triage_params(rules.in_force(ProtocolKind.TRIAGE, day))
    tz = timezone.get_current_timezone()
    deadlines = {
        "pagi": timezone.make_aware(dt.datetime.combine(day, params.pagi_until), tz),
        "sore": timezone.make_aware(dt.datetime.combine(day, params.sore_until), tz),
    }
    cases, contacts = selectors.monitored_subjects(Case.objects.all(), Contact.objects.all(), day)
    done = set(Monitoring.objects.filter(day=day).values_list("case_id", "contact_id", "slot"))
    created = 0
    with transaction.atomic():
        for kind, subjects in (("case", cases), ("contact", contacts)):
            for subject in subjects:
                for slot, due in deadlines.items():
                    key = (subject.pk, None) if kind == "case" else (None, subject.pk)
                    recorded = (*key, slot) in done
                    task, new = ensure_task(
                        source_key=selectors.monitoring_task_key(kind, subject.pk, day, slot),
                        territory_id=subject.rt_id,
                        kind=TaskKind.MONITORING,
                        title=_("Monitoring %(slot)s: %(kind)s #%(id)s")
                        % {"slot": slot, "kind": kind, "id": subject.pk},
                        due_at=due,
                        priority=Priority.HIGH,
                        team_kind="kesehatan",
                        subject=subject,
                    )
                    created += int(new)
                    if recorded and task.state in OPEN_TASK_STATES:
                        close_rule_task(task)
    return created
