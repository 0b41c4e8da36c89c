from __future__ import annotations

import datetime as dt

from django.utils import timezone

from siaga.core.contributions import (
    ActorGroups,
    actor_group_for,
    bulk_record_contributions,
    contribution_for,
    record_contribution,
)
from siaga.core.models import Contribution, Phase


def test_actor_group_follows_the_role_held_at_the_place(world) -> None:
    rt003 = world.t["rt003"].id
    assert actor_group_for(world.users["pengurus.rt003"], rt003) == "community_leader"
    assert actor_group_for(world.users["relawan.rw006"], rt003) == "volunteer"
    assert actor_group_for(world.users["warga.rt003"], rt003) == "resident"
    assert actor_group_for(world.users["lurah.panggunglor"], rt003) == "government"


def test_record_contribution_tags_phase_and_group(world) -> None:
    household = world.households["rt003"]
    entry = record_contribution(
        actor=world.users["relawan.rw006"],
        phase=Phase.CO_DELIVERY,
        kind="test.visit",
        territory_id=household.rt_id,
        obj=household,
    )
    stored = Contribution.objects.get(pk=entry.pk)
    assert (stored.phase, stored.actor_group) == ("co_delivery", "volunteer")
    assert stored.object_type == "registry.household"
    assert stored.person_key == f"user:{world.users['relawan.rw006'].pk}"


def test_bulk_rows_follow_the_same_rules_as_one_recorded_act(world) -> None:
    household = world.households["rt003"]
    relawan = world.users["relawan.rw006"]
    act = {
        "actor": relawan,
        "phase": Phase.CO_DELIVERY,
        "kind": "test.visit",
        "territory_id": household.rt_id,
        "obj": household,
    }
    one = record_contribution(**act)
    when = timezone.now() - dt.timedelta(days=3)
    memo = ActorGroups()
    rows = [contribution_for(**act, at=when, groups=memo) for _ in range(3)]
    # A resident without an account, credited by person key with an explicit group.
    rows.append(
        contribution_for(
            actor=None,
            phase=Phase.CO_DELIVERY,
            kind="test.self_report",
            territory_id=household.rt_id,
            person_key="resident:1",
            actor_group="resident",
        )
    )
    for user in world.users.values():
        for place in world.t.values():
            assert memo(user, place.id) == actor_group_for(user, place.id), (user, place)
    bulk_record_contributions(rows)
    fields = ("actor_id", "person_key", "actor_group", "phase", "kind", "object_type", "object_id")
    stored = (
        Contribution.objects.filter(kind="test.visit").values_list(*fields).order_by().distinct()
    )
    assert list(stored) == [tuple(getattr(one, f) for f in fields)]
    assert Contribution.objects.filter(kind="test.visit", at=when).count() == 3
    resident = Contribution.objects.get(kind="test.self_report")
    assert (resident.actor_id, resident.person_key) == (None, "resident:1")
