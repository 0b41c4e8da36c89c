"""Who is alerted: the RW health team, the puskesmas and the kelurahan facilitators of an RT."""

from __future__ import annotations

from siaga.accounts.models import Membership, User
from siaga.core import codes
from siaga.core.roles import Role
from siaga.health.models import Puskesmas
from siaga.territory.models import Level


def rw_team(rt_id: int) -> list[User]:
    """Pengurus and relawan of the RT's RW (memberships on the RW or on the RT itself)."""
    keys = [codes.ancestor_key(rt_id, Level.RW), rt_id]
    user_ids = Membership.objects.filter(
        role__in=[Role.PENGURUS, Role.RELAWAN], territory_id__in=keys
    ).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def puskesmas_for(rt_id: int) -> Puskesmas | None:
    """The puskesmas whose working area holds the RT's kelurahan (one at most: a DB rule)."""
    kelurahan = codes.ancestor_key(rt_id, Level.KELURAHAN)
    return Puskesmas.objects.filter(area_rows__kelurahan_id=kelurahan).first()


def _facilitators_at(key: int, exclude: set[int]) -> list[User]:
    user_ids = Membership.objects.filter(role=Role.FASILITATOR, territory_id=key).values("user_id")
    return [u for u in User.objects.filter(pk__in=user_ids, is_active=True) if u.pk not in exclude]


def puskesmas_team(rt_id: int, puskesmas: Puskesmas | None) -> list[User]:
    """The puskesmas staff; without a puskesmas (or staff) covering the RT, the kelurahan
    facilitators, who then see that no puskesmas was told (``puskesmas_notified``)."""
    if puskesmas is not None:
        staff = list(puskesmas.staff.filter(is_active=True))
        if staff:
            return staff
    return _facilitators_at(codes.ancestor_key(rt_id, Level.KELURAHAN), set())


def puskesmas_notified(referral_puskesmas: Puskesmas | None) -> Puskesmas | None:
    """The puskesmas whose staff a referral's alert reached: None when it went to the kelurahan."""
    if referral_puskesmas is not None and referral_puskesmas.staff.filter(is_active=True).exists():
        return referral_puskesmas
    return None


def kelurahan_team(rt_id: int, puskesmas: Puskesmas | None) -> list[User]:
    """Kelurahan facilitators (not the puskesmas staff); else the kecamatan facilitators."""
    exclude = set(puskesmas.staff.values_list("pk", flat=True)) if puskesmas else set()
    users = _facilitators_at(codes.ancestor_key(rt_id, Level.KELURAHAN), exclude)
    return users or _facilitators_at(codes.ancestor_key(rt_id, Level.KECAMATAN), exclude)
