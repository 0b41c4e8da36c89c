"""Triage of one monitoring record under a triage protocol: the highest level wins, with reasons.

Pure functions: the service gathers the history (previous SpO2, fever days) and passes it in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siaga.health.models import TRIAGE_RANK, Slot, Symptom
from siaga.health.protocols import TriageParams

SYMPTOM_LABELS = dict(Symptom.choices)

# Physiologically possible ranges: anything outside is a typing error, refused with a message.
LIMITS: dict[str, tuple[float, float, Any]] = {
    "temperature_c": (30, 45, gettext_lazy("Temperature must be between 30 and 45 °C.")),
    "spo2": (50, 100, gettext_lazy("SpO2 must be between 50 and 100 %.")),
    "respiratory_rate": (
        4,
        80,
        gettext_lazy("Respiratory rate must be between 4 and 80 per minute."),
    ),
    "pulse": (20, 250, gettext_lazy("Pulse must be between 20 and 250 per minute.")),
}


@dataclass(frozen=True)
class Vitals:
    temperature_c: Decimal | None = None
    spo2: int | None = None
    respiratory_rate: int | None = None
    pulse: int | None = None
    symptoms: tuple[str, ...] = ()


@dataclass
class Result:
    level: str = "normal"
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def add(self, level: str, code: str, **values: Any) -> None:
        self.reasons.append({"level": level, "code": code, **values})
        if TRIAGE_RANK[level] > TRIAGE_RANK[self.level]:
            self.level = level


def vitals_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors for impossible values and unknown symptoms (empty when all is well)."""
    errors: dict[str, list[str]] = {}
    for name, (low, high, message) in LIMITS.items():
        value = data.get(name)
        if value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[name] = [_("Enter a number.")]
            continue
        if not low <= number <= high:
            errors[name] = [str(message)]
    symptoms = data.get("symptoms") or []
    unknown = [s for s in symptoms if s not in SYMPTOM_LABELS]
    if unknown:
        errors["symptoms"] = [
            _("Unknown symptom %(name)s; choose from: %(values)s")
            % {"name": ", ".join(map(str, unknown)), "values": ", ".join(SYMPTOM_LABELS)}
        ]
    if all(data.get(n) is None for n in LIMITS) and not symptoms:
        errors.setdefault("__all__", []).append(_("Record at least one measurement or symptom."))
    return errors


def triage(
    vitals: Vitals,
    params: TriageParams,
    *,
    previous_spo2: int | None = None,
    fever_days: int = 0,
) -> Result:
    """``fever_days``: distinct days of the episode with temperature ≥ rujuk_fever_c, this record
    included."""
    result = Result()
    spo2, rr, temp = vitals.spo2, vitals.respiratory_rate, vitals.temperature_c
    symptoms = set(vitals.symptoms)
    # darurat
    if spo2 is not None and spo2 < params.darurat_spo2_below:
        result.add("darurat", "spo2_below", value=spo2, limit=params.darurat_spo2_below)
    if rr is not None and rr > params.darurat_rr_above:
        result.add("darurat", "rr_above", value=rr, limit=params.darurat_rr_above)
    for s in params.darurat_symptoms:
        if s in symptoms:
            result.add("darurat", "symptom", symptom=s)
    # rujuk
    if spo2 is not None and params.darurat_spo2_below <= spo2 < params.rujuk_spo2_below:
        result.add(
            "rujuk",
            "spo2_between",
            value=spo2,
            low=params.darurat_spo2_below,
            high=params.rujuk_spo2_below - 1,
        )
    if rr is not None and params.rujuk_rr_at_least <= rr <= params.darurat_rr_above:
        result.add(
            "rujuk",
            "rr_between",
            value=rr,
            low=params.rujuk_rr_at_least,
            high=params.darurat_rr_above,
        )
    for s in params.rujuk_symptoms:
        if s in symptoms:
            result.add("rujuk", "symptom", symptom=s)
    if fever_days >= params.rujuk_fever_days:
        result.add("rujuk", "fever_days", days=fever_days, limit=params.rujuk_fever_c)
    # waspada
    if temp is not None and float(temp) >= params.waspada_temperature_c:
        result.add("waspada", "temperature", value=float(temp), limit=params.waspada_temperature_c)
    flagged = set(params.darurat_symptoms) | set(params.rujuk_symptoms)
    for s in sorted(symptoms - flagged):
        result.add("waspada", "symptom", symptom=s)
    if (
        spo2 is not None
        and previous_spo2 is not None
        and previous_spo2 - spo2 >= params.waspada_spo2_drop
    ):
        result.add(
            "waspada", "spo2_drop", value=spo2, previous=previous_spo2, drop=previous_spo2 - spo2
        )
    return result


def reason_text(reason: dict[str, Any]) -> str:
    code = reason.get("code")
    if code == "spo2_below":
        return _("SpO2 %(value)s %% is below %(limit)s %%.") % reason
    if code == "rr_above":
        return _("Respiratory rate %(value)s/min is above %(limit)s.") % reason
    if code == "spo2_between":
        return _("SpO2 %(value)s %% is between %(low)s and %(high)s %%.") % reason
    if code == "rr_between":
        return _("Respiratory rate %(value)s/min is between %(low)s and %(high)s.") % reason
    if code == "fever_days":
        return _("Temperature of %(limit)s °C or more on %(days)s different days.") % reason
    if code == "temperature":
        return _("Temperature %(value)s °C is %(limit)s °C or more.") % reason
    if code == "spo2_drop":
        return (
            _(
                "SpO2 dropped by %(drop)s points since the previous record (%(previous)s → %(value)s)."
            )
            % reason
        )
    if code == "symptom":
        return _("Symptom: %(name)s.") % {
            "name": SYMPTOM_LABELS.get(reason.get("symptom", ""), reason.get("symptom"))
        }
    return str(code)


def reason_texts(reasons: Iterable[dict[str, Any]]) -> list[str]:
    return [reason_text(r) for r in reasons]


def slot_for(local_time: dt.time, params: TriageParams) -> str:
    return Slot.PAGI if local_time < params.pagi_until else Slot.SORE
