from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from siaga.core import codes
from siaga.core.models import AuditAction, AuditEntry
from siaga.registry.identity import decode_nik, normalise_phone, validate_kk
from siaga.registry.models import Household, Resident
from siaga.registry.synth import AUDIT_OBJECT_TYPE, SynthError, synthesize
from siaga.territory.models import Level, Territory

TODAY = dt.date(2026, 3, 1)


def _new_residents(before: set[int]) -> list[Resident]:
    return [r for r in Resident.objects.order_by("id") if r.id not in before]


def _wipe_generated(kelurahan: Territory, keep_territories: set[int]) -> None:
    low, high = kelurahan.bounds
    Household.objects.filter(rt_id__gte=low, rt_id__lte=high).update(head=None)
    Resident.objects.filter(rt_id__gte=low, rt_id__lte=high).delete()
    Household.objects.filter(rt_id__gte=low, rt_id__lte=high).delete()
    for level in (Level.RT, Level.RW):
        Territory.objects.filter(level=level, id__gte=low, id__lte=high).exclude(
            id__in=keep_territories
        ).delete()


def test_generated_people_have_valid_unique_identity_numbers_and_whole_households(
    world: Any,
) -> None:
    kecamatan = world.t["33.74.02"]
    before = set(Resident.objects.values_list("id", flat=True))
    households_before = set(Household.objects.values_list("id", flat=True))
    audit_before = AuditEntry.objects.count()

    stats = synthesize(under=kecamatan, residents=1200, seed=7, today=TODAY)

    new = _new_residents(before)
    assert len(new) == stats.residents == 1200
    households = Household.objects.exclude(id__in=households_before)
    assert households.count() == stats.households > 200

    niks = [r.nik for r in new if r.nik]
    assert len(niks) == len(set(niks))
    assert Resident.objects.exclude(nik="").values("nik").distinct().count() == len(before) + len(
        niks
    )
    assert 0 < len(new) - len(niks) < len(new) * 0.08  # a few percent without NIK
    decoded = {r.id: decode_nik(r.nik, today=TODAY) for r in new if r.nik}
    home = [r for r in new if r.nik and r.status != "pendatang"]
    assert all(r.nik.startswith("337402") for r in home)
    # The NIK encodes sex and birth date; a few keep a wrong date, as real data does.
    assert all(decoded[r.id].sex == r.sex for r in new if r.nik)
    mismatched = [r for r in new if r.nik and r.warnings]
    assert 0 < len(mismatched) < len(new) * 0.05

    kks = list(households.values_list("kk", flat=True))
    assert len(kks) == len(set(kks))
    assert all(validate_kk(kk) == kk and kk.startswith("337402") for kk in kks)

    by_id = {r.id: r for r in new}
    for household in households:
        assert household.head_id is not None
        head = by_id[household.head_id]
        assert head.household_id == household.id
        assert head.relation == "kepala"
        assert head.status in ("tetap", "pendatang")
    assert all(
        r.household is not None and r.rt_id == r.household.rt_id
        for r in Resident.objects.select_related("household")
    )
    assert all(Territory.objects.get(id=r.rt_id).level == Level.RT for r in new[:50])

    phones = [r.phone for r in new if r.phone]
    assert len(phones) > len(new) * 0.4
    assert all(normalise_phone(p) == p and p.startswith("+628") for p in phones)

    ages = [r.age(TODAY) or 0 for r in new]
    elderly = sum(a >= 60 for a in ages) / len(ages)
    assert 0.05 < elderly < 0.16
    adults = [r for r, a in zip(new, ages, strict=True) if a >= 18]
    komorbid = sum(bool(r.comorbidities) for r in adults) / len(adults)
    assert 0.05 < komorbid < 0.2
    assert any(r.hamil for r in new) and all(r.sex == "P" for r in new if r.hamil)
    statuses = Counter(r.status for r in new)
    assert statuses["tetap"] > len(new) * 0.8 and statuses["pendatang"] > 0
    relations = Counter(r.relation for r in new)
    assert {"kepala", "istri", "anak"} <= set(relations)

    # One summary audit entry for the whole batch, not one per row.
    assert AuditEntry.objects.count() == audit_before + 1
    entry = AuditEntry.objects.get(object_type=AUDIT_OBJECT_TYPE)
    assert entry.action == AuditAction.IMPORT and entry.territory_id == kecamatan.id
    assert entry.changes["residents"] == 1200 and entry.changes["synthetic"] is True


def test_generator_creates_named_rw_and_rt_and_reuses_existing_ones(world: Any) -> None:
    panggung_lor = world.t["33.74.02.1006"]
    synthesize(under=panggung_lor, residents=2000, seed=3, today=TODAY)

    low, high = panggung_lor.bounds
    rws = Territory.objects.filter(level=Level.RW, id__gte=low, id__lte=high)
    rts = Territory.objects.filter(level=Level.RT, id__gte=low, id__lte=high)
    assert {rw.code for rw in rws} >= {world.t["rw006"].code, world.t["rw007"].code}
    for territory in [*rws, *rts]:
        number = territory.code.rsplit(".", 1)[1]
        assert territory.name == f"{'RW' if territory.level == Level.RW else 'RT'} {number}"
        assert codes.parse_code(territory.code).key == territory.id
    # The existing RT 003 of RW 006 received synthetic residents.
    assert Resident.objects.filter(rt=world.t["rt003"]).count() > 2
    assert len({rw.code for rw in rws}) == rws.count()


def test_same_seed_gives_identical_people_and_another_seed_does_not(world: Any) -> None:
    kelurahan = world.t["33.74.02.1001"]
    keep = set(
        Territory.objects.filter(level__gte=Level.RW).values_list("id", flat=True)
    )  # the fixture's own RW/RT
    before = set(Resident.objects.values_list("id", flat=True))

    def run(seed: int) -> list[tuple[Any, ...]]:
        synthesize(under=kelurahan, residents=400, seed=seed, today=TODAY)
        rows = [
            (
                r.name,
                r.nik,
                r.sex,
                r.birth_date,
                r.birth_place,
                r.rt.code,
                r.household.kk if r.household else "",
                r.relation,
                r.phone,
                r.status,
                r.comorbidities,
            )
            for r in Resident.objects.select_related("rt", "household")
            .exclude(id__in=before)
            .order_by("id")
        ]
        _wipe_generated(kelurahan, keep)
        return rows

    first = run(11)
    assert len(first) == 400
    assert run(11) == first
    assert run(12) != first


def test_family_members_share_plausible_names(world: Any) -> None:
    synthesize(under=world.t["33.74.03"], residents=1500, seed=5, today=TODAY)
    shared = 0
    families = 0
    for household in Household.objects.filter(rt_id__gte=world.t["33.74.03"].id).exclude(head=None):
        members = list(household.members.all())
        children = [m for m in members if m.relation == "anak"]
        if not children:
            continue
        families += 1
        head_last = household.head.name.split()[-1] if household.head else ""
        if any(c.name.split()[-1] == head_last for c in children):
            shared += 1
    assert families > 50
    assert 0.15 < shared / families < 0.9  # some families pass on a family name, not all


def test_generator_refuses_rt_level_and_zero_residents(world: Any) -> None:
    with pytest.raises(SynthError):
        synthesize(under=world.t["rt003"], residents=10, seed=1)
    with pytest.raises(SynthError):
        synthesize(under=world.t["33.74.02"], residents=0, seed=1)


def test_synth_command_reports_rate(world: Any) -> None:
    out = io.StringIO()
    call_command(
        "synth",
        "--residents",
        "150",
        "--prefix",
        "33.74.03",
        "--seed",
        "4",
        stdout=out,
        verbosity=0,
    )
    assert re.search(r"Added 150 residents in \d+ households", out.getvalue())
    assert "residents/s" in out.getvalue()
    low, high = world.t["33.74.03"].bounds
    assert Resident.objects.filter(rt_id__gte=low, rt_id__lte=high).count() == 152
    with pytest.raises(CommandError):
        call_command("synth", "--residents", "10", "--prefix", "33.74.99", verbosity=0)
