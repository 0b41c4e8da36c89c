from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditEntry
from siaga.registry import services
from siaga.registry.models import Household, Resident


def valid_data(world, **overrides):
    data = {
        "nik": "3374021708900001",
        "name": "  Agus   Santoso ",
        "sex": "L",
        "birth_date": dt.date(1990, 8, 17),
        "phone": "0812-3456-7890",
        "household": world.households["rt003"].pk,
        "relation": "anak",
        "status": "tetap",
    }
    data.update(overrides)
    return data


def test_create_resident_cleans_and_audits(world) -> None:
    actor = world.users["pengurus.rt003"]
    resident = services.create_resident(actor=actor, data=valid_data(world))
    assert resident.name == "Agus Santoso"
    assert resident.phone == "+6281234567890"
    assert resident.rt_id == world.t["rt003"].id  # follows the household
    entry = AuditEntry.objects.get(object_type="registry.resident", object_id=str(resident.pk))
    assert entry.action == "create"
    assert entry.actor == actor
    assert entry.territory_id == world.t["rt003"].id
    assert entry.changes["nik"] == [None, "3374021708900001"]


def test_invalid_input_reports_every_field_and_writes_nothing(world) -> None:
    before = (Resident.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        services.create_resident(
            actor=world.users["pengurus.rt003"],
            data=valid_data(
                world,
                nik="3374023102900001",  # 31 February
                name="",
                sex="X",
                phone="12",
                birth_date=dt.date(2999, 1, 1),
            ),
        )
    assert set(exc.value.errors) >= {"nik", "name", "sex", "phone", "birth_date"}
    assert (Resident.objects.count(), AuditEntry.objects.count()) == before


def test_duplicate_nik_is_refused(world) -> None:
    existing = world.residents["rt003"]
    with pytest.raises(ValidationFailed) as exc:
        services.create_resident(
            actor=world.users["admin"], data=valid_data(world, nik=existing.nik)
        )
    assert "nik" in exc.value.errors


def test_residents_without_nik_are_allowed(world) -> None:
    resident = services.create_resident(
        actor=world.users["pengurus.rt003"], data=valid_data(world, nik="", name="Bayi")
    )
    assert resident.without_nik
    second = services.create_resident(
        actor=world.users["pengurus.rt003"], data=valid_data(world, nik="", name="Bayi Dua")
    )
    assert second.pk != resident.pk


def test_household_outside_scope_is_refused(world) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.create_resident(
            actor=world.users["pengurus.rt003"],
            data=valid_data(world, household=world.households["rt004"].pk),
        )
    assert "household" in exc.value.errors


def test_rt_must_be_an_rt_in_scope(world) -> None:
    data = valid_data(world, household=None, rt=world.t["rw006"].code)
    with pytest.raises(ValidationFailed) as exc:
        services.create_resident(actor=world.users["pengurus.rw006"], data=data)
    assert "rt" in exc.value.errors
    data["rt"] = world.t["bandar_rt001"].code
    with pytest.raises(ValidationFailed):
        services.create_resident(actor=world.users["pengurus.rw006"], data=data)


def test_nik_mismatch_keeps_recorded_values_and_warns(world) -> None:
    resident = services.create_resident(
        actor=world.users["admin"],
        data=valid_data(world, birth_date=dt.date(1990, 8, 18), sex="P", hamil=False),
    )
    assert resident.birth_date == dt.date(1990, 8, 18)
    assert resident.sex == "P"
    assert len(resident.warnings) == 2


def test_update_records_only_the_change(world) -> None:
    resident = world.residents["rt003"]
    services.update_resident(
        actor=world.users["pengurus.rt003"], resident=resident, data={"phone": "081298765432"}
    )
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.changes == {"phone": ["", "+6281298765432"]}


def test_update_out_of_scope_is_not_found_and_changes_nothing(world) -> None:
    resident = world.residents["rt004"]
    with pytest.raises(Http404):
        services.update_resident(
            actor=world.users["pengurus.rt003"], resident=resident, data={"name": "X"}
        )
    resident.refresh_from_db()
    assert resident.name == "Budi rt004"


def test_moving_a_household_moves_its_members(world) -> None:
    household = world.households["rt003"]
    services.update_household(
        actor=world.users["pengurus.rw006"], household=household, data={"rt": world.t["rt004"]}
    )
    assert set(household.members.values_list("rt_id", flat=True)) == {world.t["rt004"].id}


def test_household_kk_validated_and_unique(world) -> None:
    actor = world.users["pengurus.rt003"]
    with pytest.raises(ValidationFailed) as exc:
        services.create_household(actor=actor, data={"kk": "123", "rt": world.t["rt003"]})
    assert "kk" in exc.value.errors
    with pytest.raises(ValidationFailed):
        services.create_household(
            actor=actor, data={"kk": world.households["rt003"].kk, "rt": world.t["rt003"]}
        )
    household = services.create_household(
        actor=actor,
        data={"kk": "3374021709200007", "rt": world.t["rt003"].code, "address": "Jl. A"},
    )
    assert Household.objects.filter(pk=household.pk).exists()


def test_household_with_members_cannot_be_deleted(world) -> None:
    with pytest.raises(ValidationFailed):
        services.delete_household(actor=world.users["admin"], household=world.households["rt003"])


def test_head_must_belong_to_the_household(world) -> None:
    household = world.households["rt003"]
    with pytest.raises(ValidationFailed) as exc:
        services.update_household(
            actor=world.users["admin"],
            household=household,
            data={"head": world.residents["rt004"].pk},
        )
    assert "head" in exc.value.errors


def test_vulnerability_filters(world) -> None:
    assert Resident.objects.vulnerable("lansia").count() == 5  # the Sitis, born 1950
    assert Resident.objects.vulnerable("komorbid").count() == 5
    assert Resident.objects.vulnerable("hamil").count() == 0
