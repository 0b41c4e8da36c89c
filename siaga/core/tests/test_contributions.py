from __future__ import annotations

from siaga.core.contributions import actor_group_for, record_contribution
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
