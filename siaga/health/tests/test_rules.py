"""The clinical rules under the shipped protocols: isolation, quarantine, triage, zoning bands."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from siaga.core.errors import ValidationFailed
from siaga.health import protocols as rules
from siaga.health.models import Protocol, ProtocolKind
from siaga.health.triage import Vitals, triage, vitals_errors
from siaga.health.zoning import band

pytestmark = pytest.mark.django_db

D = dt.date(2021, 8, 1)


def params(kind: str, name: str) -> object:
    return rules.validate_params(kind, Protocol.objects.get(kind=kind, name=name).params)


@pytest.fixture
def kmk4641() -> rules.IsolationParams:
    p = params(ProtocolKind.ISOLATION, "KMK 4641/2021")
    assert isinstance(p, rules.IsolationParams)
    return p


@pytest.fixture
def kmk413() -> rules.IsolationParams:
    p = params(ProtocolKind.ISOLATION, "KMK 413/2020")
    assert isinstance(p, rules.IsolationParams)
    return p


@pytest.fixture
def tp() -> rules.TriageParams:
    p = params(ProtocolKind.TRIAGE, "default")
    assert isinstance(p, rules.TriageParams)
    return p


# ---------------------------------------------------------------- isolation


def test_asymptomatic_isolation_ends_ten_days_after_specimen(
    kmk4641: rules.IsolationParams,
) -> None:
    end = rules.isolation_end(specimen_on=D, onset_on=None, symptom_days=[], params=kmk4641)
    assert end.ends_on == D + dt.timedelta(days=10)
    assert end.reasons[0]["code"] == "asymptomatic"


def test_symptomatic_isolation_ends_thirteen_days_after_onset(
    kmk4641: rules.IsolationParams,
) -> None:
    onset = D - dt.timedelta(days=2)
    end = rules.isolation_end(specimen_on=D, onset_on=onset, symptom_days=[onset], params=kmk4641)
    assert end.ends_on == onset + dt.timedelta(days=13)


def test_late_symptoms_move_the_end_to_three_days_after_the_last(
    kmk4641: rules.IsolationParams,
) -> None:
    onset = D
    last = D + dt.timedelta(days=12)
    end = rules.isolation_end(specimen_on=D, onset_on=onset, symptom_days=[D, last], params=kmk4641)
    assert end.ends_on == last + dt.timedelta(days=3)
    assert [r["code"] for r in end.reasons] == ["symptomatic", "last_symptom"]
    # a symptom day that ends before onset + 10 does not move it
    early = rules.isolation_end(
        specimen_on=D, onset_on=onset, symptom_days=[D + dt.timedelta(days=9)], params=kmk4641
    )
    assert early.ends_on == onset + dt.timedelta(days=13)


def test_symptoms_in_monitoring_make_an_asymptomatic_case_symptomatic(
    kmk4641: rules.IsolationParams,
) -> None:
    first = D + dt.timedelta(days=4)
    end = rules.isolation_end(specimen_on=D, onset_on=None, symptom_days=[first], params=kmk4641)
    assert end.ends_on == first + dt.timedelta(days=13)
    assert end.reasons[0]["onset_from_monitoring"] is True


def test_extension_only_pushes_the_end_later(kmk4641: rules.IsolationParams) -> None:
    later = D + dt.timedelta(days=20)
    end = rules.isolation_end(
        specimen_on=D, onset_on=None, symptom_days=[], params=kmk4641, extended_until=later
    )
    assert end.ends_on == later
    earlier = rules.isolation_end(
        specimen_on=D, onset_on=None, symptom_days=[], params=kmk4641, extended_until=D
    )
    assert earlier.ends_on == D + dt.timedelta(days=10)


def test_fever_and_respiratory_symptoms_count_as_symptom_days(
    kmk4641: rules.IsolationParams,
) -> None:
    assert rules.symptom_day(temperature_c=Decimal("37.5"), symptoms=[], params=kmk4641)
    assert not rules.symptom_day(temperature_c=Decimal("37.4"), symptoms=["diare"], params=kmk4641)
    assert rules.symptom_day(temperature_c=None, symptoms=["batuk"], params=kmk4641)


# ---------------------------------------------------------------- quarantine


def test_quarantine_ends_after_five_days_with_negative_exit_test(
    kmk4641: rules.IsolationParams,
) -> None:
    end = rules.quarantine_end(
        last_exposure_on=D,
        exit_test_result="negatif",
        exit_test_on=D + dt.timedelta(days=5),
        had_symptoms=False,
        params=kmk4641,
    )
    assert end.ends_on == D + dt.timedelta(days=5)


@pytest.mark.parametrize(
    ("result", "tested", "symptoms"),
    [("", None, False), ("negatif", 5, True), ("negatif", 3, False), ("positif", 5, False)],
)
def test_quarantine_is_fourteen_days_otherwise(
    kmk4641: rules.IsolationParams, result: str, tested: int | None, symptoms: bool
) -> None:
    end = rules.quarantine_end(
        last_exposure_on=D,
        exit_test_result=result,
        exit_test_on=D + dt.timedelta(days=tested) if tested else None,
        had_symptoms=symptoms,
        params=kmk4641,
    )
    assert end.ends_on == D + dt.timedelta(days=14)


def test_kmk413_quarantine_is_always_fourteen_days(kmk413: rules.IsolationParams) -> None:
    end = rules.quarantine_end(
        last_exposure_on=D,
        exit_test_result="negatif",
        exit_test_on=D + dt.timedelta(days=5),
        had_symptoms=False,
        params=kmk413,
    )
    assert end.ends_on == D + dt.timedelta(days=14)


def test_home_isolation_eligibility_lists_unmet_conditions(kmk4641: rules.IsolationParams) -> None:
    assert (
        rules.home_isolation_unmet(
            age=45, comorbidities=[], separate_room=True, own_oximeter=True, params=kmk4641
        )
        == []
    )
    assert rules.home_isolation_unmet(
        age=46, comorbidities=["diabetes"], separate_room=False, own_oximeter=None, params=kmk4641
    ) == ["age", "comorbidity", "separate_room", "own_oximeter"]


# ---------------------------------------------------------------- triage


@pytest.mark.parametrize(
    ("vitals", "expected"),
    [
        (Vitals(spo2=95, respiratory_rate=24, temperature_c=Decimal("37.4")), "normal"),
        (Vitals(spo2=92), "darurat"),
        (Vitals(spo2=93), "rujuk"),
        (Vitals(spo2=94), "rujuk"),
        (Vitals(spo2=95), "normal"),
        (Vitals(respiratory_rate=31), "darurat"),
        (Vitals(respiratory_rate=30), "rujuk"),
        (Vitals(respiratory_rate=25), "rujuk"),
        (Vitals(respiratory_rate=24), "normal"),
        (Vitals(symptoms=("nyeri_dada",)), "darurat"),
        (Vitals(symptoms=("penurunan_kesadaran",)), "darurat"),
        (Vitals(symptoms=("sesak_napas",)), "rujuk"),
        (Vitals(temperature_c=Decimal("37.5")), "waspada"),
        (Vitals(temperature_c=Decimal("37.4")), "normal"),
        (Vitals(symptoms=("batuk",)), "waspada"),
        (Vitals(spo2=92, symptoms=("batuk",)), "darurat"),
    ],
)
def test_triage_levels_and_boundaries(
    tp: rules.TriageParams, vitals: Vitals, expected: str
) -> None:
    result = triage(vitals, tp)
    assert result.level == expected
    assert bool(result.reasons) == (expected != "normal")


def test_highest_level_wins_and_every_reason_is_kept(tp: rules.TriageParams) -> None:
    result = triage(Vitals(spo2=92, respiratory_rate=27, symptoms=("batuk",)), tp)
    assert result.level == "darurat"
    assert {(r["level"], r["code"]) for r in result.reasons} == {
        ("darurat", "spo2_below"),
        ("rujuk", "rr_between"),
        ("waspada", "symptom"),
    }


def test_fever_on_three_days_refers(tp: rules.TriageParams) -> None:
    assert triage(Vitals(temperature_c=Decimal("38.0")), tp, fever_days=2).level == "waspada"
    assert triage(Vitals(temperature_c=Decimal("38.0")), tp, fever_days=3).level == "rujuk"


def test_spo2_drop_of_three_is_waspada(tp: rules.TriageParams) -> None:
    assert triage(Vitals(spo2=96), tp, previous_spo2=99).level == "waspada"
    assert triage(Vitals(spo2=97), tp, previous_spo2=99).level == "normal"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("spo2", 101),
        ("spo2", 49),
        ("temperature_c", 29.9),
        ("temperature_c", 45.1),
        ("respiratory_rate", 90),
        ("pulse", 300),
    ],
)
def test_impossible_vitals_are_rejected_with_a_message(field: str, value: float) -> None:
    errors = vitals_errors({field: value})
    assert field in errors and errors[field][0]


def test_unknown_symptoms_and_empty_records_are_rejected() -> None:
    assert "symptoms" in vitals_errors({"symptoms": ["pusing"], "spo2": 97})
    assert "__all__" in vitals_errors({})


# ---------------------------------------------------------------- zoning and protocols


@pytest.mark.parametrize(
    ("houses", "juni", "februari"),
    [
        (0, "hijau", "hijau"),
        (1, "kuning", "kuning"),
        (2, "kuning", "kuning"),
        (3, "oranye", "kuning"),
        (5, "oranye", "kuning"),
        (6, "merah", "oranye"),
        (10, "merah", "oranye"),
        (11, "merah", "merah"),
    ],
)
def test_zoning_bands_under_both_protocols(houses: int, juni: str, februari: str) -> None:
    jp = params(ProtocolKind.ZONING, "Juni 2021 (Inmendagri 14/2021)")
    fp = params(ProtocolKind.ZONING, "Inmendagri 3/2021")
    assert isinstance(jp, rules.ZoningParams) and isinstance(fp, rules.ZoningParams)
    assert band(houses, jp) == juni
    assert band(houses, fp) == februari


def test_protocol_in_force_by_date() -> None:
    assert rules.in_force(ProtocolKind.ZONING, dt.date(2021, 6, 21)).name == "Inmendagri 3/2021"
    assert (
        rules.in_force(ProtocolKind.ZONING, dt.date(2021, 6, 22)).name
        == "Juni 2021 (Inmendagri 14/2021)"
    )
    assert rules.in_force(ProtocolKind.ISOLATION, dt.date(2021, 7, 18)).name == "KMK 413/2020"
    assert rules.in_force(ProtocolKind.ISOLATION, dt.date(2021, 7, 19)).name == "KMK 4641/2021"
    # before every version: the earliest applies
    assert rules.in_force(ProtocolKind.ISOLATION, dt.date(2020, 1, 1)).name == "KMK 413/2020"


def test_protocol_parameters_are_validated() -> None:
    with pytest.raises(ValidationFailed) as exc:
        rules.validate_params(
            ProtocolKind.ZONING, {"bands": [{"zone": "merah", "min_houses": 0}], "measures": {}}
        )
    assert "params" in exc.value.errors
    with pytest.raises(ValidationFailed):
        rules.validate_params(ProtocolKind.TRIAGE, {"darurat_spo2_below": 200})
