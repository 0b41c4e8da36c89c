"""Synthetic lumbung pangan for the demo, consistent with the health wave: stock per RW posko,
government aid and donations in, a daily package delivered to isolating households (a few left
waiting over 24 hours), spending with receipts, the public kitchen, oximeter loans, and today's
aid proposals and monitoring tasks. Everything here is made up.

Run after the health and volunteers demos. Idempotent: an audit entry (``logistics.demo``/``demo``)
marks a finished run. Items, package templates, public kitchen days, cash donations, spending and
its approval, equipment and loans go through the services, acted by the RW's coordinator (its
pengurus, else the kecamatan facilitator), so they carry their audit and ledger entries. A month
of aid requests, deliveries and stock movements is written in bulk (the stock ledger's balances
are its sums, never negative), with the ledger rows the services write for each delivery
(``core.contributions.contribution_for``) and each delivery's task, done by its courier
(``services.credit_delivery_task``, as ``deliver`` does).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from siaga.accounts.models import User
from siaga.core.contributions import ActorGroups, bulk_record_contributions, contribution_for
from siaga.core.models import AuditAction, AuditEntry, Contribution, Phase
from siaga.demo.base import coordinator
from siaga.demo.volunteers import ensure_posko, history_start
from siaga.health import services as health_services
from siaga.health.models import Case, IsolationPlace
from siaga.logistics import services
from siaga.logistics.models import (
    AidRequest,
    Delivery,
    Donation,
    Equipment,
    KitchenDay,
    Loan,
    PackageTemplate,
    RequestSource,
    RequestState,
    StockBalance,
    StockItem,
    StockMovement,
)
from siaga.territory.models import Level, Territory
from siaga.volunteers import services as volunteer_services
from siaga.volunteers.models import PoskoKind, Volunteer
from siaga.volunteers.services import pengurus_of

KECAMATAN = "33.74.02"
MARKER_TYPE, MARKER_ID = "logistics.demo", "demo"
ITEMS = [
    ("Beras", "kg", "pangan", Decimal(2)),
    ("Minyak goreng", "liter", "pangan", Decimal(1)),
    ("Telur", "butir", "pangan", Decimal(10)),
    ("Mi instan", "bungkus", "pangan", Decimal(5)),
    ("Masker", "lembar", "kesehatan", Decimal(10)),
    ("Vitamin C", "tablet", "kesehatan", Decimal(10)),
    ("Hand sanitizer", "botol", "kebersihan", Decimal(0)),
]
DONORS = ["Toko Sumber Rejeki", "Jamaah Masjid Al-Ikhlas", "PKK RW", "Alumni SMA 3", ""]
# A 1×1 PNG standing in for a photographed receipt.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass
class LogisticsDemoResult:
    skipped_reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _package(
    actor: User | None,
    rw: Territory,
    name: str,
    lines: list[tuple[StockItem, Decimal]],
    *,
    for_isolation: bool = False,
) -> PackageTemplate:
    existing = PackageTemplate.objects.filter(rw=rw, name=name).first()
    return existing or services.create_package_template(
        actor=actor, rw=rw, name=name, lines=lines, for_isolation=for_isolation
    )


def _equipment(actor: User | None, rw: Territory, kind: str, label: str) -> Equipment:
    existing = Equipment.objects.filter(rw=rw, label=label).first()
    return existing or services.add_equipment(actor=actor, rw=rw, kind=kind, label=label)


@transaction.atomic
def build_logistics_demo(*, seed: int = 2021, today: dt.date | None = None) -> LogisticsDemoResult:
    today = today or timezone.localdate()
    result = LogisticsDemoResult()
    kecamatan = Territory.objects.filter(code=KECAMATAN).first()
    if kecamatan is None:
        result.skipped_reason = "no-territory"
        return result
    if AuditEntry.objects.filter(object_type=MARKER_TYPE, object_id=MARKER_ID).exists():
        result.skipped_reason = "already"
        return result
    rng = random.Random(seed)
    low, high = kecamatan.bounds
    start = history_start(today)  # a whole month's deliveries for the volunteer report
    now = timezone.now()  # the build time: nothing is stamped after it
    counts: dict[str, int] = defaultdict(int)
    cases_by_rw: dict[int, list[Case]] = defaultdict(list)
    for case in (
        Case.objects.filter(
            rt_id__gte=low,
            rt_id__lte=high,
            isolation_place=IsolationPlace.ISOMAN,
            household__isnull=False,
            specimen_on__lte=today,
        )
        .filter(Q(isolation_ends_on__gte=start) | Q(extended_until__gte=start))
        .select_related("household")
    ):
        cases_by_rw[services.rw_key(case.rt_id)].append(case)
    groups = ActorGroups()
    acts: list[Contribution] = []
    for rw in Territory.objects.filter(level=Level.RW, id__gte=low, id__lte=high):
        actor = coordinator(rw.pk)
        posko = ensure_posko(actor, rw, f"Posko {rw.display_name}", PoskoKind.POSKO)
        have = {i.name: i for i in StockItem.objects.filter(rw=rw)}
        items = {
            name: have.get(name)
            or services.create_stock_item(actor=actor, rw=rw, name=name, unit=unit, category=cat)
            for name, unit, cat, _q in ITEMS
        }
        kitchen_posko = ensure_posko(actor, rw, f"Dapur umum {rw.display_name}", PoskoKind.KITCHEN)
        template = _package(
            actor,
            rw,
            "Sembako harian isoman",
            [(items[name], q) for name, _u, _c, q in ITEMS if q],
            for_isolation=True,
        )
        _package(
            actor,
            rw,
            "Paket lansia",
            [
                (items["Beras"], Decimal(5)),
                (items["Minyak goreng"], Decimal(1)),
                (items["Vitamin C"], Decimal(20)),
            ],
        )
        lines = list(template.lines.all())
        movements: list[StockMovement] = []
        deliveries_out: list[tuple[AidRequest, dt.datetime]] = []
        # Daily packages for isolating households; some skip the last day (flagged > 24 h).
        # One bulk insert per RW: the requests already there (a rerun) are left alone.
        rw_cases = cases_by_rw.get(rw.id, [])
        existing: set[tuple[Any, dt.date]] = set(
            AidRequest.objects.filter(
                household_id__in={c.household_id for c in rw_cases},
                source=RequestSource.ISOLATION,
            ).values_list("household_id", "for_day")
        )
        planned: list[tuple[AidRequest, dt.datetime]] = []
        for case in rw_cases:
            end = min(case.extended_until or case.isolation_ends_on, today)
            first = max(case.specimen_on, start)
            lagging = rng.random() < 0.1
            day = first
            while day <= end:
                key = (case.household_id, day)
                at = _at(day, rng.randint(8, 16), 15)
                # A delivery whose hour has not come yet is not made up: today's daily proposal
                # (below) opens its request, with its delivery task, as it does every day.
                if (
                    not (lagging and day >= today - dt.timedelta(days=1))
                    and key not in existing
                    and at <= now
                ):
                    existing.add(key)
                    request = AidRequest(
                        household_id=case.household_id,  # type: ignore[misc]  # filtered: not null
                        for_day=day,
                        source=RequestSource.ISOLATION,
                        rt_id=case.rt_id,
                        template=template,
                        case=case,
                        created_at=min(_at(day, 6), at),
                    )
                    planned.append((request, at))
                day += dt.timedelta(days=1)
        AidRequest.objects.bulk_create([request for request, _at_time in planned], batch_size=500)
        deliveries_out.extend(planned)
        # Delivered by the RW's volunteers with an account (credited in their report).
        couriers: list[Any] = list(
            Volunteer.objects.filter(rw=rw, user__isnull=False).values_list("user_id", flat=True)
        ) or [None]
        courier_users = User.objects.in_bulk([c for c in couriers if c is not None])
        delivered = Delivery.objects.bulk_create(
            [
                Delivery(
                    request=request,
                    household_id=request.household_id,
                    rt_id=request.rt_id,
                    posko=posko,
                    delivered_at=at,
                    delivered_by_id=rng.choice(couriers),
                    received_by=rng.choice(["Ibu", "Bapak", "Anak"]) + " (keluarga)",
                )
                for request, at in deliveries_out
            ]
        )
        AidRequest.objects.filter(pk__in=[r.pk for r, _ in deliveries_out]).update(
            state=RequestState.DIKIRIM
        )
        # Each delivery's task, done by its courier at its time (the volunteer report counts
        # it), through the service's own function.
        for (request, _at_time), done in zip(deliveries_out, delivered, strict=True):
            services.credit_delivery_task(
                request=request,
                delivered_by=courier_users.get(done.delivered_by_id)
                if done.delivered_by_id
                else None,
                delivered_at=done.delivered_at,
            )
        counts["delivery_tasks"] += len(delivered)
        acts += [
            contribution_for(
                actor=courier_users[d.delivered_by_id],
                phase=Phase.CO_DELIVERY,
                kind="logistics.delivery",
                territory_id=d.rt_id,
                obj=d,
                at=d.delivered_at,
                groups=groups,
            )
            for d in delivered
            if d.delivered_by_id is not None
        ]
        used: dict[int, Decimal] = defaultdict(Decimal)
        for delivery in delivered:
            for line in lines:
                used[line.item_id] += line.quantity
                movements.append(
                    StockMovement(
                        item_id=line.item_id,
                        posko=posko,
                        rw=rw,
                        kind="aid",
                        delta=-line.quantity,
                        at=delivery.delivered_at,
                        delivery=delivery,
                    )
                )
        # Enough government aid and donations in at the start to cover every package and more.
        in_kind = Donation.objects.create(
            rw=rw,
            kind="in_kind",
            donor_name=rng.choice(DONORS[:-1]),
            received_on=start,
            note="synthetic",
        )
        for name, _u, _c, per_package in ITEMS:
            item = items[name]
            need = used[item.pk] + (per_package or Decimal(5)) * rng.randint(5, 15)
            government = (need * Decimal("0.7")).quantize(Decimal(1)) + 1
            movements.append(
                StockMovement(
                    item=item,
                    posko=posko,
                    rw=rw,
                    kind="government",
                    delta=government,
                    at=_at(start, 9),
                    note="Bantuan Pemkot (synthetic)",
                )
            )
            movements.append(
                StockMovement(
                    item=item,
                    posko=posko,
                    rw=rw,
                    kind="donation",
                    delta=need - government + 5,
                    at=_at(start, 10),
                    donation=in_kind,
                )
            )
            if name == "Beras":
                # The posko sends rice to the public kitchen, which cooks part of it.
                moved = min(_at(today - dt.timedelta(days=2), 8), now)
                movements += [
                    StockMovement(
                        item=item,
                        posko=posko,
                        rw=rw,
                        kind="transfer_out",
                        delta=Decimal(-8),
                        at=moved,
                        note=f"transfer {posko.name} → {kitchen_posko.name}",
                    ),
                    StockMovement(
                        item=item,
                        posko=kitchen_posko,
                        rw=rw,
                        kind="transfer_in",
                        delta=Decimal(8),
                        at=moved,
                        note=f"transfer {posko.name} → {kitchen_posko.name}",
                    ),
                    StockMovement(
                        item=item,
                        posko=kitchen_posko,
                        rw=rw,
                        kind="kitchen",
                        delta=Decimal(-3),
                        at=min(_at(today - dt.timedelta(days=1), 11), now),
                    ),
                ]
        StockMovement.objects.bulk_create(movements)
        for row in (
            StockMovement.objects.filter(rw=rw)
            .values("item_id", "posko_id")
            .annotate(total=Sum("delta"))
        ):
            StockBalance.objects.update_or_create(
                item_id=row["item_id"],
                posko_id=row["posko_id"],
                defaults={"rw": rw, "quantity": row["total"]},
            )
        counts["movements"] += len(movements)
        counts["deliveries"] += len(delivered)
        for _n in range(rng.randint(2, 5)):
            donor = rng.choice(DONORS)
            amount = rng.choice([250_000, 500_000, 1_000_000, 1_500_000])
            method = rng.choice(["tunai", "transfer", "qris"])
            received = start + dt.timedelta(days=rng.randint(0, (today - start).days))
            services.record_donation(
                actor=actor,
                rw=rw,
                kind="cash",
                donor_name=donor,
                anonymous=not donor,
                amount=amount,
                method=method,
                received_on=received,
            )
            counts["donations"] += 1
        for n, (purpose, category) in enumerate(
            [("Beli telur dan sayur dapur umum", "pangan"), ("Beli masker dan sabun", "kesehatan")]
        ):
            spending = services.record_spending(
                actor=actor,
                rw=rw,
                amount=rng.choice([150_000, 300_000, 450_000]),
                purpose=purpose,
                category=category,
                spent_on=start + dt.timedelta(days=7 + n * 7),
                receipt=SimpleUploadedFile(f"demo-{rw.pk}-{n}.png", PNG, content_type="image/png"),
            )
            approvers = pengurus_of(rw.id)
            if n == 0 and approvers:
                services.approve_spending(actor=approvers[0], spending=spending)
        kept = set(KitchenDay.objects.filter(rw=rw).values_list("day", flat=True))
        for d in range(1, 15):
            day, meals = today - dt.timedelta(days=d), rng.randint(20, 80)
            if day not in kept:
                services.record_kitchen_day(actor=actor, rw=rw, day=day, meals=meals)
        devices = [_equipment(actor, rw, "oximeter", f"OX-{n}") for n in range(1, 4)]
        for n in range(1, 3):
            _equipment(actor, rw, "thermometer", f"TM-{n}")
            counts["equipment"] += 1
        counts["equipment"] += len(devices)
        current = [
            c
            for c in cases_by_rw.get(rw.id, [])
            if c.outcome == "" and c.isolation_ends_on >= today
        ]
        for device, case in zip(devices, current, strict=False):
            household = case.household
            if household is None or Loan.objects.filter(equipment=device, state="lent").exists():
                continue
            services.lend(
                actor=actor,
                equipment=device,
                household=household,
                lent_on=max(case.specimen_on, today - dt.timedelta(days=5)),
                due_on=case.isolation_ends_on,
            )
            counts["loans"] += 1
    bulk_record_contributions(acts)
    counts["contributions"] = len(acts)
    counts["aid_proposals_today"] = services.propose_isolation_aid(day=today)
    counts["monitoring_tasks"] = health_services.ensure_monitoring_tasks(day=today)
    counts["shift_gap_tasks"] = volunteer_services.ensure_shift_gap_tasks(today=today, days=7)
    AuditEntry.objects.create(
        action=AuditAction.CREATE,
        object_type=MARKER_TYPE,
        object_id=MARKER_ID,
        territory_id=kecamatan.pk,
        summary=f"synthetic logistics demo: {dict(counts)}"[:255],
    )
    result.counts = dict(counts)
    return result
