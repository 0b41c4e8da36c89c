from __future__ import annotations

import pytest
from django.http import Http404

from siaga.core import policy
from siaga.core.roles import Perm
from siaga.registry.models import Household, Resident


def names(qs: object) -> set[str]:
    return {r.name for r in qs}  # type: ignore[attr-defined]


def test_membership_reaches_its_whole_subtree_and_nothing_else(world) -> None:
    rw = world.users["pengurus.rw006"]
    visible = policy.scope(Resident.objects.all(), rw, Perm.REGISTRY_VIEW)
    assert names(visible) == {"Budi rt003", "Siti rt003", "Budi rt004", "Siti rt004"}


def test_warga_sees_only_own_household(world) -> None:
    warga = world.users["warga.rt003"]
    assert names(policy.scope(Resident.objects.all(), warga, Perm.REGISTRY_VIEW)) == {
        "Budi rt003",
        "Siti rt003",
    }
    assert list(policy.scope(Household.objects.all(), warga, Perm.REGISTRY_VIEW)) == [
        world.households["rt003"]
    ]
    assert not policy.scope(Resident.objects.all(), warga, Perm.REGISTRY_CHANGE).exists()


def test_admin_reaches_everything(world) -> None:
    admin = world.users["admin"]
    assert policy.scope(Resident.objects.all(), admin, Perm.REGISTRY_CHANGE).count() == 10


def test_out_of_scope_object_is_not_found(world) -> None:
    rt = world.users["pengurus.rt003"]
    other = world.residents["rt004"]
    with pytest.raises(Http404):
        policy.get_or_404(Resident.objects.all(), rt, Perm.REGISTRY_VIEW, pk=other.pk)


def test_relawan_can_view_but_not_change(world) -> None:
    relawan = world.users["relawan.rw006"]
    resident = world.residents["rt003"]
    assert policy.can_act_on(relawan, Perm.REGISTRY_VIEW, resident)
    assert not policy.can_act_on(relawan, Perm.REGISTRY_CHANGE, resident)
