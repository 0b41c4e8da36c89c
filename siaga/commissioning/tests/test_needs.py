"""Needs: who may raise them where, one support per person, merging and closing."""

from __future__ import annotations

import pytest

from siaga.commissioning import services
from siaga.commissioning.models import Need, Support
from siaga.core.errors import ValidationFailed
from siaga.core.models import Contribution

pytestmark = pytest.mark.django_db


def _need(world, user: str, place: str, title: str = "Ruang isolasi") -> Need:
    return services.raise_need(
        actor=world.users[user],
        territory=world.t[place],
        data={"category": "kesehatan", "title": title, "households_affected": 12},
    )


def test_warga_raises_needs_for_their_own_rt_or_rw_only(world) -> None:
    need = _need(world, "warga.rt003", "rt003")
    _need(world, "warga.rt003", "rw006", "Tempat cuci tangan")
    entry = Contribution.objects.get(kind="need.raise", object_id=str(need.pk))
    assert (entry.phase, entry.actor_group) == ("co_commissioning", "resident")
    assert entry.person_key == f"resident:{world.residents['rt003'].pk}"
    with pytest.raises(ValidationFailed) as exc:
        _need(world, "warga.rt003", "rt004")
    assert "territory" in exc.value.errors
    with pytest.raises(ValidationFailed):
        _need(world, "pengurus.rt003", "rw007rt001")
    assert Need.objects.count() == 2


def test_one_support_per_person(world) -> None:
    need = _need(world, "pengurus.rw006", "rt004")
    services.support_need(actor=world.users["warga.rt003"], need=need)
    with pytest.raises(ValidationFailed, match="already support"):
        services.support_need(actor=world.users["warga.rt003"], need=need)
    services.support_need(actor=world.users["relawan.rw006"], need=need)
    assert need.supports.count() == 2


def test_merge_carries_supports_over_once_per_person(world) -> None:
    original = _need(world, "pengurus.rw006", "rt003")
    duplicate = _need(world, "warga.rt003", "rt003", "Ruang isolasi lagi")
    services.support_need(actor=world.users["warga.rt003"], need=original)
    services.support_need(actor=world.users["warga.rt003"], need=duplicate)
    services.support_need(actor=world.users["relawan.rw006"], need=duplicate)
    services.merge_needs(actor=world.users["pengurus.rt003"], duplicate=duplicate, into=original)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == ("merged", original.pk)
    assert Support.objects.filter(need=original).count() == 2
    assert not Support.objects.filter(need=duplicate).exists()


def test_closing_needs_a_reason_and_a_leader_of_the_place(world) -> None:
    need = _need(world, "pengurus.rw006", "rt004")
    with pytest.raises(ValidationFailed):
        services.close_need(actor=world.users["pengurus.rw006"], need=need, reason=" ")
    from django.http import Http404

    for name in ("pengurus.rt003", "warga.rt003", "relawan.rw006", "puskesmas.bandarharjo"):
        with pytest.raises(Http404):
            services.close_need(actor=world.users[name], need=need, reason="done")
    services.close_need(actor=world.users["pengurus.rw006"], need=need, reason="Sudah dibangun")
    need.refresh_from_db()
    assert (need.status, need.close_reason) == ("closed", "Sudah dibangun")
