"""Protocols as data: the parameter schemas, the version in force on a date, and the rules that
read them (isolation end, quarantine end, home-isolation eligibility).

The presets ("KMK 413/2020", "KMK 4641/2021", "Inmendagri 3/2021", "Juni 2021 (Inmendagri
14/2021)", "default") are written by the data migration ``0002_protocol_presets``; admins may
publish new versions. Everything here is pure except ``in_force`` / ``ProtocolBook``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from siaga.core.errors import ValidationFailed
from siaga.health.models import Protocol, ProtocolKind, Symptom, Zone

SYMPTOMS = tuple(Symptom.values)
ZONES = tuple(Zone.values)

# What each zone requires (codes kept in protocol data; labels translated here).
MEASURES: dict[str, Any] = {
    "active_surveillance": gettext_lazy("Active surveillance"),
    "test_suspects": gettext_lazy("Test suspected cases"),
    "trace_contacts": gettext_lazy("Trace close contacts"),
    "supervised_isoman": gettext_lazy("Strictly supervised home isolation"),
    "close_worship_places": gettext_lazy("Close places of worship"),
    "close_playgrounds": gettext_lazy("Close playgrounds"),
    "close_public_places": gettext_lazy("Close non-essential public places"),
    "central_isolation": gettext_lazy("Central isolation (isolasi terpusat)"),
    "no_gatherings_over_3": gettext_lazy("No gatherings of more than 3 people"),
    "limit_access_after_20": gettext_lazy("Limit access to the RT after 20:00"),
    "stop_social_events": gettext_lazy("Stop social events"),
}


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- schemas


class HomeIsolationParams(_Params):
    max_age: int = Field(45, ge=0, le=120)
    no_comorbidity: bool = True
    separate_room: bool = True
    own_oximeter: bool = True


class IsolationParams(_Params):
    asymptomatic_days: int = Field(ge=1, le=60, description="Isolation from the specimen date.")
    symptomatic_days: int = Field(ge=1, le=60, description="Isolation from symptom onset.")
    symptom_free_days: int = Field(ge=0, le=30, description="Days free of fever/resp. symptoms.")
    fever_c: float = Field(37.5, ge=36, le=42, description="A temperature counting as fever.")
    symptom_free_of: list[str] = Field(description="Symptoms that must have stopped.")
    quarantine_days: int = Field(ge=1, le=60)
    quarantine_test_exit_day: int | None = Field(
        None, ge=1, le=30, description="A negative exit test without symptoms ends quarantine."
    )
    newcomer_quarantine_days: int = Field(0, ge=0, le=60, description="0: no quarantine.")
    newcomer_negative_test_exempts: bool = True
    home_isolation: HomeIsolationParams = Field(
        default_factory=lambda: HomeIsolationParams(max_age=45)
    )

    @model_validator(mode="after")
    def _symptoms_known(self) -> IsolationParams:
        unknown = [s for s in self.symptom_free_of if s not in SYMPTOMS]
        if unknown:
            raise ValueError(f"unknown symptoms: {', '.join(unknown)}")
        return self


class Band(_Params):
    zone: str
    min_houses: int = Field(ge=0)


class ZoningParams(_Params):
    window_days: int = Field(7, ge=1, le=60, description="D-(window-1) … D.")
    bands: list[Band]
    measures: dict[str, list[str]]

    @model_validator(mode="after")
    def _bands_ordered(self) -> ZoningParams:
        zones = [b.zone for b in self.bands]
        if zones != list(ZONES):
            raise ValueError(f"bands must be, in order: {', '.join(ZONES)}")
        mins = [b.min_houses for b in self.bands]
        if mins[0] != 0 or any(a >= b for a, b in itertools.pairwise(mins)):
            raise ValueError("band minimums must start at 0 and increase")
        for zone, codes in self.measures.items():
            if zone not in ZONES:
                raise ValueError(f"unknown zone {zone}")
            unknown = [c for c in codes if c not in MEASURES]
            if unknown:
                raise ValueError(f"unknown measures: {', '.join(unknown)}")
        return self


class TriageParams(_Params):
    darurat_spo2_below: int = Field(ge=50, le=100)
    darurat_rr_above: int = Field(ge=4, le=80)
    darurat_symptoms: list[str]
    rujuk_spo2_below: int = Field(ge=50, le=100)
    rujuk_rr_at_least: int = Field(ge=4, le=80)
    rujuk_symptoms: list[str]
    rujuk_fever_c: float = Field(ge=36, le=42)
    rujuk_fever_days: int = Field(ge=1, le=30)
    waspada_temperature_c: float = Field(ge=36, le=42)
    waspada_spo2_drop: int = Field(ge=1, le=50)
    recheck_hours: int = Field(4, ge=1, le=24)
    acknowledge_minutes_darurat: int = Field(60, ge=1)
    acknowledge_minutes_rujuk: int = Field(24 * 60, ge=1)
    pagi_until: dt.time = Field(dt.time(12, 0), description="Records before this are pagi.")
    sore_until: dt.time = Field(dt.time(21, 0), description="Deadline of the sore slot.")

    @model_validator(mode="after")
    def _consistent(self) -> TriageParams:
        unknown = [s for s in self.darurat_symptoms + self.rujuk_symptoms if s not in SYMPTOMS]
        if unknown:
            raise ValueError(f"unknown symptoms: {', '.join(unknown)}")
        if self.darurat_spo2_below > self.rujuk_spo2_below:
            raise ValueError("darurat SpO2 limit must not exceed the rujuk limit")
        if self.pagi_until >= self.sore_until:
            raise ValueError("pagi must end before the sore deadline")
        return self


SCHEMAS: dict[str, type[_Params]] = {
    ProtocolKind.ISOLATION: IsolationParams,
    ProtocolKind.ZONING: ZoningParams,
    ProtocolKind.TRIAGE: TriageParams,
}


def validate_params(kind: str, params: Any) -> _Params:
    """The parsed parameters, or ValidationFailed({"params": [...]}) naming what is wrong."""
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise ValidationFailed.single("kind", _("Unknown protocol kind."))
    try:
        return schema.model_validate(params)
    except ValidationError as exc:
        messages = [
            f"{'.'.join(str(p) for p in e['loc']) or '—'}: {e['msg']}" for e in exc.errors()
        ]
        raise ValidationFailed({"params": messages}) from None


def isolation_params(protocol: Protocol) -> IsolationParams:
    params = validate_params(ProtocolKind.ISOLATION, protocol.params)
    assert isinstance(params, IsolationParams)
    return params


def zoning_params(protocol: Protocol) -> ZoningParams:
    params = validate_params(ProtocolKind.ZONING, protocol.params)
    assert isinstance(params, ZoningParams)
    return params


def triage_params(protocol: Protocol) -> TriageParams:
    params = validate_params(ProtocolKind.TRIAGE, protocol.params)
    assert isinstance(params, TriageParams)
    return params


# ---------------------------------------------------------------- the version in force


def in_force(kind: str, day: dt.date) -> Protocol:
    """The protocol of ``kind`` in force on ``day`` (the earliest one for days before them all)."""
    protocol = (
        Protocol.objects.filter(kind=kind, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )
    if protocol is None:
        protocol = Protocol.objects.filter(kind=kind).order_by("effective_from").first()
    if protocol is None:
        raise ValidationFailed.single(
            "protocol", _("No %(kind)s protocol is defined.") % {"kind": kind}
        )
    return protocol


class ProtocolBook:
    """All versions of one kind loaded once, for bulk work (zoning a year, the demo)."""

    def __init__(self, kind: str) -> None:
        self.versions = list(Protocol.objects.filter(kind=kind).order_by("effective_from"))
        if not self.versions:
            raise ValidationFailed.single(
                "protocol", _("No %(kind)s protocol is defined.") % {"kind": kind}
            )
        self._dates = [p.effective_from for p in self.versions]
        self._parsed: dict[int, Any] = {}

    def on(self, day: dt.date) -> Protocol:
        index = bisect.bisect_right(self._dates, day) - 1
        return self.versions[max(index, 0)]

    def params(self, protocol: Protocol) -> Any:
        if protocol.pk not in self._parsed:
            self._parsed[protocol.pk] = validate_params(protocol.kind, protocol.params)
        return self._parsed[protocol.pk]


# ---------------------------------------------------------------- isolation and quarantine


@dataclass(frozen=True)
class PlannedEnd:
    ends_on: dt.date
    reasons: list[dict[str, Any]]


def symptom_day(
    *, temperature_c: float | Decimal | None, symptoms: Iterable[str], params: IsolationParams
) -> bool:
    """Does a record show fever or one of the symptoms that must have stopped?"""
    if temperature_c is not None and float(temperature_c) >= params.fever_c:
        return True
    return any(s in params.symptom_free_of for s in symptoms)


def isolation_end(
    *,
    specimen_on: dt.date,
    onset_on: dt.date | None,
    symptom_days: Iterable[dt.date],
    params: IsolationParams,
    extended_until: dt.date | None = None,
) -> PlannedEnd:
    """Planned end of isolation, with the reasons that set it.

    Asymptomatic: specimen + asymptomatic_days. Symptomatic (an onset date, or fever/respiratory
    symptoms in monitoring, whose first day then counts as onset): the later of onset +
    symptomatic_days + symptom_free_days and the last symptom day + symptom_free_days.
    A facilitator's extension can only push the end later.
    """
    days = sorted(set(symptom_days))
    reasons: list[dict[str, Any]] = []
    onset = onset_on or (days[0] if days else None)
    if onset is None:
        ends = specimen_on + dt.timedelta(days=params.asymptomatic_days)
        reasons.append(
            {
                "code": "asymptomatic",
                "from": specimen_on.isoformat(),
                "days": params.asymptomatic_days,
            }
        )
    else:
        ends = onset + dt.timedelta(days=params.symptomatic_days + params.symptom_free_days)
        reasons.append(
            {
                "code": "symptomatic",
                "from": onset.isoformat(),
                "days": params.symptomatic_days + params.symptom_free_days,
                "onset_from_monitoring": onset_on is None,
            }
        )
        if days:
            after_last = days[-1] + dt.timedelta(days=params.symptom_free_days)
            if after_last > ends:
                ends = after_last
                reasons.append(
                    {
                        "code": "last_symptom",
                        "from": days[-1].isoformat(),
                        "days": params.symptom_free_days,
                    }
                )
    if extended_until is not None and extended_until > ends:
        ends = extended_until
        reasons.append({"code": "extended", "until": extended_until.isoformat()})
    return PlannedEnd(ends_on=ends, reasons=reasons)


def quarantine_end(
    *,
    last_exposure_on: dt.date,
    exit_test_result: str,
    exit_test_on: dt.date | None,
    had_symptoms: bool,
    params: IsolationParams,
) -> PlannedEnd:
    """End of a contact's quarantine: exposure + test-exit day with a negative exit test and no
    symptoms (when the protocol allows it), else exposure + quarantine_days."""
    exit_day = params.quarantine_test_exit_day
    if (
        exit_day is not None
        and exit_test_result == "negatif"
        and not had_symptoms
        and exit_test_on is not None
        and exit_test_on >= last_exposure_on + dt.timedelta(days=exit_day)
    ):
        return PlannedEnd(
            last_exposure_on + dt.timedelta(days=exit_day),
            [
                {
                    "code": "negative_exit_test",
                    "from": last_exposure_on.isoformat(),
                    "days": exit_day,
                }
            ],
        )
    reasons: list[dict[str, Any]] = [
        {
            "code": "full_quarantine",
            "from": last_exposure_on.isoformat(),
            "days": params.quarantine_days,
        }
    ]
    if exit_day is not None and had_symptoms:
        reasons.append({"code": "symptoms_in_quarantine"})
    return PlannedEnd(last_exposure_on + dt.timedelta(days=params.quarantine_days), reasons)


def home_isolation_unmet(
    *,
    age: int | None,
    comorbidities: list[str],
    separate_room: bool | None,
    own_oximeter: bool | None,
    params: IsolationParams,
) -> list[str]:
    """Codes of the home-isolation conditions that are not met (empty: eligible)."""
    rules = params.home_isolation
    unmet = []
    if age is None or age > rules.max_age:
        unmet.append("age")
    if rules.no_comorbidity and comorbidities:
        unmet.append("comorbidity")
    if rules.separate_room and not separate_room:
        unmet.append("separate_room")
    if rules.own_oximeter and not own_oximeter:
        unmet.append("own_oximeter")
    return unmet


ELIGIBILITY_LABELS: dict[str, Any] = {
    "age": gettext_lazy("Older than the home-isolation age limit (or age unknown)"),
    "comorbidity": gettext_lazy("Has a comorbidity"),
    "separate_room": gettext_lazy("No separate room and bathroom"),
    "own_oximeter": gettext_lazy("No own pulse oximeter"),
}


def end_reason_text(reason: dict[str, Any]) -> str:
    code = reason.get("code")
    if code == "asymptomatic":
        return _("Asymptomatic: %(days)s days from the specimen date (%(from)s).") % reason
    if code == "symptomatic":
        text = _("Symptomatic: %(days)s days from onset (%(from)s).") % reason
        if reason.get("onset_from_monitoring"):
            text += " " + _("Onset taken from the first symptom in monitoring.")
        return text
    if code == "last_symptom":
        return (
            _("Last fever or respiratory symptom on %(from)s, plus %(days)s symptom-free days.")
            % reason
        )
    if code == "extended":
        return _("Extended by a facilitator until %(until)s.") % reason
    if code == "negative_exit_test":
        return (
            _("Negative exit test without symptoms: %(days)s days from exposure (%(from)s).")
            % reason
        )
    if code == "full_quarantine":
        return _("%(days)s days from last exposure (%(from)s).") % reason
    if code == "symptoms_in_quarantine":
        return _("Symptoms during quarantine: the short quarantine does not apply.")
    return str(code)


# ---------------------------------------------------------------- parameters for people

PARAM_LABELS: dict[str, Any] = {
    # isolation
    "asymptomatic_days": gettext_lazy("Isolation days without symptoms (from the specimen date)"),
    "symptomatic_days": gettext_lazy("Isolation days with symptoms (from symptom onset)"),
    "symptom_free_days": gettext_lazy("Days free of fever and respiratory symptoms"),
    "fever_c": gettext_lazy("Fever from (°C)"),
    "symptom_free_of": gettext_lazy("Symptoms that must have stopped"),
    "quarantine_days": gettext_lazy("Quarantine days of a close contact"),
    "quarantine_test_exit_day": gettext_lazy("Day of the exit test that can end quarantine"),
    "newcomer_quarantine_days": gettext_lazy("Quarantine days of a newcomer (0: none)"),
    "newcomer_negative_test_exempts": gettext_lazy("A negative test exempts a newcomer"),
    "home_isolation": gettext_lazy("Home isolation"),
    "max_age": gettext_lazy("Maximum age"),
    "no_comorbidity": gettext_lazy("Without comorbidity"),
    "separate_room": gettext_lazy("Separate room"),
    "own_oximeter": gettext_lazy("Own oximeter"),
    # zoning
    "window_days": gettext_lazy("Window (days)"),
    "bands": gettext_lazy("Zones by houses with a confirmed case"),
    "measures": gettext_lazy("Measures"),
    # triage
    "darurat_spo2_below": gettext_lazy("Emergency when SpO2 is below (%)"),
    "darurat_rr_above": gettext_lazy("Emergency when breathing rate is above (/min)"),
    "darurat_symptoms": gettext_lazy("Emergency symptoms"),
    "rujuk_spo2_below": gettext_lazy("Referral when SpO2 is below (%)"),
    "rujuk_rr_at_least": gettext_lazy("Referral when breathing rate is at least (/min)"),
    "rujuk_symptoms": gettext_lazy("Referral symptoms"),
    "rujuk_fever_c": gettext_lazy("Referral fever from (°C)"),
    "rujuk_fever_days": gettext_lazy("Referral after days of fever"),
    "waspada_temperature_c": gettext_lazy("Watch when temperature is from (°C)"),
    "waspada_spo2_drop": gettext_lazy("Watch when SpO2 drops by (points)"),
    "recheck_hours": gettext_lazy("Recheck after (hours)"),
    "acknowledge_minutes_darurat": gettext_lazy("Emergency referral answered within (minutes)"),
    "acknowledge_minutes_rujuk": gettext_lazy("Referral answered within (minutes)"),
    "pagi_until": gettext_lazy("Morning slot until"),
    "sore_until": gettext_lazy("Evening slot deadline"),
}


def _param_value(value: Any) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(_param_value(v) for v in value)
    if isinstance(value, str):
        labels = {**dict(Symptom.choices), **dict(Zone.choices), **MEASURES}
        return str(labels.get(value, value))
    if isinstance(value, int | float | Decimal):
        return str(formats.localize(value, use_l10n=True))
    return str(value)


def param_rows(params: Any) -> list[tuple[str, str]]:
    """A protocol's parameters as (label, value) for people: labels and symptom/zone/measure
    names in the reader's language instead of the JSON keys and codes."""
    rows: list[tuple[str, str]] = []
    if not isinstance(params, dict):
        return rows
    zone_labels: dict[Any, Any] = dict(Zone.choices)
    for key, value in params.items():
        label = str(PARAM_LABELS.get(key, key))
        if key == "bands" and isinstance(value, list):
            text = ", ".join(
                f"{zone_labels.get(b.get('zone'), b.get('zone'))} ≥ {b.get('min_houses')}"
                for b in value
                if isinstance(b, dict)
            )
            rows.append((label, text))
        elif key == "measures" and isinstance(value, dict):
            for zone, codes in value.items():
                rows.append((f"{label}: {zone_labels.get(zone, zone)}", _param_value(codes)))
        elif isinstance(value, dict):
            for sub, item in value.items():
                rows.append((f"{label}: {PARAM_LABELS.get(sub, sub)}", _param_value(item)))
        else:
            rows.append((label, _param_value(value)))
    return rows
