"""Who may vote: resident of the round's territory, valid NIK, 17+ on the voting day, tetap."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.commissioning import services
from siaga.commissioning.models import Vote
from siaga.commissioning.tests.helpers import today
from siaga.core.errors import ValidationFailed
from siaga.registry.models import Resident

pytestmark = pytest.mark.django_db


def _resident(world, *, nik: str, birth: dt.date | None, status: str = "tetap", place="rt003"):
    return Resident.objects.create(
        nik=nik, name="Ani", sex="P", birth_date=birth, rt=world.t[place], status=status
    )


def _nik_for(birth: dt.date, serial: int = 9001) -> str:
    return f"337402{birth.day + 40:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def test_adult_permanent_resident_with_valid_nik_is_eligible(world, ballot) -> None:
    assert services.eligibility_problems(world.residents["rt003"], ballot.round, today()) == []


def test_age_17_is_counted_on_the_voting_day(world, ballot) -> None:
    voting_day = dt.date(2024, 6, 10)
    birth = dt.date(2007, 6, 10)
    resident = _resident(world, nik=_nik_for(birth), birth=birth)
    assert services.eligibility_problems(resident, ballot.round, voting_day) == []
    problems = services.eligibility_problems(resident, ballot.round, voting_day - dt.timedelta(1))
    assert problems == ["Younger than 17 on the voting day."]


def test_missing_or_invalid_nik_is_not_eligible(world, ballot) -> None:
    birth = dt.date(1980, 1, 1)
    no_nik = _resident(world, nik="", birth=birth)
    assert "No NIK is recorded." in services.eligibility_problems(no_nik, ballot.round, today())
    bad = _resident(world, nik="3374029913800001", birth=birth)  # month 13: not a NIK
    assert "The recorded NIK is not valid." in services.eligibility_problems(
        bad, ballot.round, today()
    )


def test_newcomer_or_resident_elsewhere_is_not_eligible(world, ballot) -> None:
    birth = dt.date(1980, 1, 1)
    newcomer = _resident(world, nik=_nik_for(birth), birth=birth, status="pendatang")
    assert services.eligibility_problems(newcomer, ballot.round, today()) == [
        "Domicile is not tetap (permanent)."
    ]
    outsider = world.residents["bandar_rt001"]
    assert services.eligibility_problems(outsider, ballot.round, today()) == [
        "Not a resident of Panggung Lor."
    ]


def test_without_recorded_birth_date_the_nik_date_is_used(world, ballot) -> None:
    child_birth = today().replace(year=today().year - 10)
    child = _resident(world, nik=_nik_for(child_birth), birth=None)
    assert services.eligibility_problems(child, ballot.round, today()) == [
        "Younger than 17 on the voting day."
    ]


def test_ineligible_resident_cannot_vote_and_nothing_is_written(world, ballot) -> None:
    resident = world.residents["rt003"]
    resident.status = "pindah"
    resident.save()
    with pytest.raises(ValidationFailed) as exc:
        services.cast_vote(
            actor=world.users["warga.rt003"], round=ballot.round, proposal=ballot.isolation
        )
    assert exc.value.errors["__all__"] == ["Domicile is not tetap (permanent)."]
    birth = dt.date(2010, 2, 3)
    young = _resident(world, nik=_nik_for(birth), birth=birth)
    with pytest.raises(ValidationFailed):
        services.record_vote(
            actor=world.users["pengurus.rt003"],
            round=ballot.round,
            proposal=ballot.isolation,
            nik=young.nik,
        )
    assert not Vote.objects.exists()
