from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from siaga.accounts.models import Membership, User
from siaga.core import codes
from siaga.core.models import AuditEntry
from siaga.core.roles import Role
from siaga.demo import base as demo
from siaga.registry.models import Household, Resident
from siaga.registry.synth import AUDIT_OBJECT_TYPE
from siaga.territory.models import Level, Territory
from siaga.territory.services import load_codes

pytestmark = pytest.mark.django_db

EXPECTED = {
    "admin": (Role.ADMIN, None),
    "fasilitator.kota": (Role.FASILITATOR, "33.74"),
    "fasilitator.utara": (Role.FASILITATOR, "33.74.02"),
    "lurah.panggunglor": (Role.FASILITATOR, "33.74.02.1006"),
    "puskesmas.bandarharjo": (Role.PUSKESMAS, "33.74.02.1001"),
    "pengurus.rw006": (Role.PENGURUS, "33.74.02.1006.006"),
    "pengurus.rt003": (Role.PENGURUS, "33.74.02.1006.006.003"),
    "relawan.rw006": (Role.RELAWAN, "33.74.02.1006.006"),
    "warga.rt003": (Role.WARGA, "33.74.02.1006.006.003"),
}


def _snapshot() -> dict[str, int]:
    return {
        "territories": Territory.objects.count(),
        "residents": Resident.objects.count(),
        "households": Household.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "markers": AuditEntry.objects.filter(object_type=AUDIT_OBJECT_TYPE).count(),
    }


def test_demo_is_idempotent_and_creates_accounts_with_their_memberships() -> None:
    first = demo.prepare(residents=300, seed=2021)
    assert first.generated is not None and first.generated.residents == 300
    after_first = _snapshot()

    second = demo.prepare(residents=300, seed=2021)
    assert second.generated is None and second.skipped_reason == "already"
    assert _snapshot() == after_first
    assert second.accounts_created == []

    # Kota Semarang: the city, its 16 kecamatan and 177 kelurahan, with the province.
    assert Territory.objects.filter(level=Level.KECAMATAN, code__startswith="33.74.").count() == 16
    assert Territory.objects.filter(level=Level.KELURAHAN, code__startswith="33.74.").count() == 177
    utara = Territory.objects.get(code="33.74.02")
    low, high = utara.bounds
    assert Resident.objects.filter(rt_id__gte=low, rt_id__lte=high).count() == 300
    assert after_first["residents"] == 300
    # Every one of the 9 kelurahan got people.
    kelurahan_with_people = {
        code.rsplit(".", 2)[0]
        for code in Resident.objects.values_list("rt__code", flat=True)
        .distinct()
        .order_by()
        .iterator()
    }
    assert len(kelurahan_with_people) == 9

    rt003 = Territory.objects.get(code="33.74.02.1006.006.003")
    assert rt003.parent is not None and rt003.parent.code == "33.74.02.1006.006"

    assert set(User.objects.values_list("username", flat=True)) == set(EXPECTED)
    for username, (role, code) in EXPECTED.items():
        memberships = list(Membership.objects.filter(user__username=username))
        assert len(memberships) == 1, username
        membership = memberships[0]
        assert membership.role == role
        assert (membership.territory.code if membership.territory else None) == code
        assert User.objects.get(username=username).check_password(demo.PASSWORD)
    warga = Membership.objects.get(user__username="warga.rt003")
    assert warga.resident is not None and warga.resident.rt_id == rt003.id
    assert warga.resident.household is not None
    assert warga.resident.household.head_id == warga.resident.id


def test_demo_command_prints_url_password_and_synthetic_label() -> None:
    out = io.StringIO()
    call_command(
        "demo", "--no-serve", "--residents", "120", "--port", "8123", stdout=out, verbosity=0
    )
    text = out.getvalue()
    assert "SYNTHETIC" in text
    assert "http://127.0.0.1:8123/" in text
    assert demo.PASSWORD in text
    assert "pengurus.rt003" in text
    assert "wilayah kerja ilustratif" in text
    out = io.StringIO()
    call_command("demo", "--no-serve", "--residents", "120", stdout=out, verbosity=0)
    assert "already there" in out.getvalue()
    assert Resident.objects.count() == 120


def test_demo_does_not_add_synthetic_people_to_real_data() -> None:
    load_codes(prefix="33.74")
    kelurahan = Territory.objects.get(code="33.74.02.1006")
    rw = Territory.objects.create(
        id=codes.parse_code("33.74.02.1006.006").key,
        code="33.74.02.1006.006",
        name="RW 006",
        level=Level.RW,
        parent=kelurahan,
    )
    rt = Territory.objects.create(
        id=codes.parse_code("33.74.02.1006.006.003").key,
        code="33.74.02.1006.006.003",
        name="RT 003",
        level=Level.RT,
        parent=rw,
    )
    household = Household.objects.create(kk="3374021508210001", rt=rt)
    head = Resident.objects.create(
        nik="3374021708850001",
        name="Budi Real",
        sex="L",
        relation="kepala",
        rt=rt,
        household=household,
    )
    household.head = head
    household.save()

    result = demo.prepare(residents=50, seed=1)

    assert result.generated is None and result.skipped_reason == "real"
    assert Resident.objects.count() == 1
    assert not AuditEntry.objects.filter(object_type=AUDIT_OBJECT_TYPE).exists()
    assert Membership.objects.get(user__username="warga.rt003").resident == head
