"""Synthetic volunteers for the demo: teams, volunteers, posko, a month of shifts with a few gaps,
and tasks in every state, for every RW of Semarang Utara. Everything here is made up.

Idempotent: an audit entry (``volunteers.demo``/``demo``) marks a finished run. Written in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from siaga.accounts.models import Membership, User
from siaga.core.models import AuditAction, AuditEntry
from siaga.core.roles import Role
from siaga.health.models import Method, Monitoring
from siaga.registry.models import Resident
from siaga.territory.models import Level, Territory
from siaga.volunteers.models import (
    Posko,
    PoskoKind,
    Priority,
    Shift,
    ShiftAssignment,
    ShiftTemplate,
    Task,
    TaskKind,
    TaskState,
    Team,
    TeamKind,
    Volunteer,
    VolunteerStatus,
)
from siaga.volunteers.services import _shift_times

KECAMATAN = "33.74.02"
MARKER_TYPE, MARKER_ID = "volunteers.demo", "demo"
TEAMS = [
    ("Tim Kesehatan", TeamKind.KESEHATAN),
    ("Tim Keamanan", TeamKind.KEAMANAN),
    ("Tim Lumbung Pangan", TeamKind.LOGISTIK),
    ("Tim Sosial", TeamKind.SOSIAL),
    ("Tim Warga Produktif", TeamKind.PRODUKTIF),
]
SKILLS = {
    TeamKind.KESEHATAN: ["kader", "nakes"],
    TeamKind.KEAMANAN: ["security"],
    TeamKind.LOGISTIK: ["driver", "cook"],
    TeamKind.SOSIAL: ["data_entry"],
    TeamKind.PRODUKTIF: ["cook"],
}


def history_start(today: dt.date) -> dt.date:
    """The first day of the previous month: the demo's work history covers a whole month's
    report (Laporan Kinerja Relawan) whatever day it is run."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _field_accounts(rw: Territory, volunteers: list[Volunteer]) -> list[int]:
    """User accounts (relawan of the RW) for the health and logistics volunteers, so that the
    monitoring and deliveries they record are credited to them; RW 006 uses relawan.rw006.
    The accounts have no usable password: the pengurus would hand out a reset."""
    field_volunteers = [
        v
        for index, v in enumerate(volunteers)
        if index % len(TEAMS) in (0, 2) and v.status == VolunteerStatus.ACTIVE
    ][:3]
    user_ids = []
    for n, volunteer in enumerate(field_volunteers, start=1):
        user = None
        if n == 1:
            user = User.objects.filter(username="relawan.rw006", memberships__territory=rw).first()
        if user is None:
            user = User.objects.create_user(f"relawan.{rw.code}.{n}", password=None)
            Membership.objects.create(user=user, territory=rw, role=Role.RELAWAN)
        volunteer.user = user
        volunteer.save(update_fields=["user"])
        user_ids.append(user.pk)
    return user_ids


def _credit_monitoring(rw: Territory, user_ids: list[int]) -> int:
    """The health demo's visits and phone checks in the RW, spread over its field volunteers."""
    if not user_ids:
        return 0
    ids = list(
        Monitoring.objects.filter(rt_id__gte=rw.id, rt_id__lte=rw.bounds[1], recorder__isnull=True)
        .exclude(method=Method.MANDIRI)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for n, user_id in enumerate(user_ids):
        Monitoring.objects.filter(id__in=ids[n :: len(user_ids)]).update(recorder_id=user_id)
    return len(ids)


def _past_tasks(
    rw: Territory, teams: list[Team], active: list[Volunteer], since: dt.date, rng: random.Random
) -> list[Task]:
    """Hand-made tasks done since ``since``, about three a week, most of them on time."""
    tasks: list[Task] = []
    if not active:
        return tasks
    day = since
    today = timezone.localdate()
    while day < today:
        for _n in range(3):
            volunteer = rng.choice(active)
            created = timezone.make_aware(
                dt.datetime.combine(day + dt.timedelta(days=rng.randint(0, 6)), dt.time(8))
            )
            if created.date() >= today:
                continue
            due = created + dt.timedelta(hours=rng.choice([6, 12, 24, 48]))
            closed = due + dt.timedelta(hours=rng.choice([-5, -3, -2, -1, -1, 3, 10]))
            tasks.append(
                Task(
                    territory=rw,
                    kind=TaskKind.MANUAL,
                    title=rng.choice(PAST_TASKS),
                    state=TaskState.SELESAI,
                    priority=rng.choice(list(Priority.values)),
                    created_at=created,
                    due_at=due,
                    team=rng.choice(teams),
                    assignee=volunteer,
                    taken_by=volunteer.user,
                    taken_at=created + dt.timedelta(hours=1),
                    closed_at=min(closed, timezone.now()),
                )
            )
        day += dt.timedelta(days=7)
    return tasks


PAST_TASKS = [
    "Semprot disinfektan gang",
    "Antar obat dari puskesmas",
    "Pasang spanduk prokes",
    "Data pendatang minggu ini",
    "Cek stok beras",
    "Antar oksimeter ke rumah isoman",
    "Bersihkan tempat cuci tangan",
]


@dataclass
class VolunteersDemoResult:
    skipped_reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def build_volunteers_demo(
    *, seed: int = 2021, today: dt.date | None = None
) -> VolunteersDemoResult:
    today = today or timezone.localdate()
    result = VolunteersDemoResult()
    kecamatan = Territory.objects.filter(code=KECAMATAN).first()
    if kecamatan is None:
        result.skipped_reason = "no-territory"
        return result
    if AuditEntry.objects.filter(object_type=MARKER_TYPE, object_id=MARKER_ID).exists():
        result.skipped_reason = "already"
        return result
    rng = random.Random(seed)
    low, high = kecamatan.bounds
    rws = list(Territory.objects.filter(level=Level.RW, id__gte=low, id__lte=high))
    counts = dict.fromkeys(
        (
            "teams",
            "volunteers",
            "templates",
            "shifts",
            "assignments",
            "tasks",
            "accounts",
            "monitoring_credited",
        ),
        0,
    )
    since = history_start(today)
    history = (today - since).days
    now = timezone.now()
    for rw in rws:
        teams = [
            Team.objects.get_or_create(rw=rw, name=n, defaults={"kind": k})[0] for n, k in TEAMS
        ]
        counts["teams"] += len(teams)
        main, _ = Posko.objects.get_or_create(
            rw=rw, name=f"Posko {rw.display_name}", defaults={"kind": PoskoKind.POSKO}
        )
        gate, _ = Posko.objects.get_or_create(
            rw=rw, name=f"Pos jaga {rw.display_name}", defaults={"kind": PoskoKind.ENTRY_POST}
        )
        people = list(
            Resident.objects.filter(
                rt_id__gte=rw.id, rt_id__lte=rw.bounds[1], status="tetap", birth_date__isnull=False
            ).order_by("id")[:60]
        )
        rng.shuffle(people)
        volunteers = []
        for index, resident in enumerate(people[:10]):
            team = teams[index % len(teams)]
            volunteer, _ = Volunteer.objects.get_or_create(
                rw=rw,
                resident=resident,
                defaults={
                    "name": resident.name,
                    "phone": resident.phone,
                    "skills": SKILLS[TeamKind(team.kind)],
                    "availability": rng.choice(["pagi", "sore", "malam", "akhir pekan"]),
                    "status": VolunteerStatus.PENDING if index == 9 else VolunteerStatus.ACTIVE,
                },
            )
            volunteer.teams.add(team)
            volunteers.append(volunteer)
        active = [v for v in volunteers if v.status == VolunteerStatus.ACTIVE]
        counts["volunteers"] += len(volunteers)
        templates = [
            ShiftTemplate.objects.get_or_create(
                posko=gate,
                name=name,
                defaults={
                    "rw": rw,
                    "starts": dt.time(start),
                    "ends": dt.time(end),
                    "min_people": 2,
                    "max_people": 4,
                },
            )[0]
            for name, start, end in (("pagi", 6, 14), ("malam", 14, 22))
        ]
        # The posko itself is kept by one or two people on weekdays and Saturday (piket).
        piket, _ = ShiftTemplate.objects.get_or_create(
            posko=main,
            name="piket",
            defaults={
                "rw": rw,
                "starts": dt.time(8),
                "ends": dt.time(16),
                "min_people": 1,
                "max_people": 2,
                "weekdays": [0, 1, 2, 3, 4, 5],
            },
        )
        counts["templates"] += len(templates) + 1
        shifts = []
        for offset in range(-history, 14):
            day = today + dt.timedelta(days=offset)
            if day.weekday() in piket.weekdays:
                starts_at, ends_at = _shift_times(day, piket.starts, piket.ends)
                shifts.append(
                    Shift(
                        posko=main,
                        rw=rw,
                        template=piket,
                        name=piket.name,
                        day=day,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        min_people=1,
                        max_people=2,
                    )
                )
        for offset in range(-history, 14):
            day = today + dt.timedelta(days=offset)
            for template in templates:
                starts_at, ends_at = _shift_times(day, template.starts, template.ends)
                shifts.append(
                    Shift(
                        posko=gate,
                        rw=rw,
                        template=template,
                        name=template.name,
                        day=day,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        min_people=2,
                        max_people=4,
                    )
                )
        Shift.objects.bulk_create(shifts, ignore_conflicts=True)
        shifts = list(Shift.objects.filter(rw=rw).order_by("starts_at"))
        counts["shifts"] += len(shifts)
        rows = []
        for shift in shifts:
            # Most shifts are staffed; about one in eight future shifts is a gap.
            wanted = 1 if shift.day > today and rng.random() < 0.125 else rng.choice([2, 2, 3])
            for volunteer in rng.sample(active, min(wanted, shift.max_people, len(active))):
                done = shift.ends_at < now
                rows.append(
                    ShiftAssignment(
                        shift=shift,
                        volunteer=volunteer,
                        checked_in_at=shift.starts_at + dt.timedelta(minutes=rng.randint(0, 20))
                        if done
                        else None,
                        checked_out_at=shift.ends_at - dt.timedelta(minutes=rng.randint(0, 30))
                        if done
                        else None,
                    )
                )
        ShiftAssignment.objects.bulk_create(rows, ignore_conflicts=True)
        counts["assignments"] += len(rows)
        tasks = []
        for n, state in enumerate(
            [TaskState.BARU, TaskState.BARU, TaskState.DIAMBIL, TaskState.SELESAI, TaskState.BATAL]
        ):
            taker = active[n % len(active)] if active else None
            closed = state in (TaskState.SELESAI, TaskState.BATAL)
            tasks.append(
                Task(
                    territory=rw,
                    kind=TaskKind.MANUAL,
                    title=rng.choice(
                        [
                            "Semprot disinfektan gang",
                            "Isi ulang sabun tempat cuci tangan",
                            "Antar masker ke pos jaga",
                            "Data pendatang minggu ini",
                            "Cek stok beras",
                        ]
                    ),
                    state=state,
                    priority=rng.choice(list(Priority.values)),
                    due_at=now + dt.timedelta(hours=rng.randint(-30, 48)),
                    team=teams[n % len(teams)],
                    assignee=taker if state != TaskState.BARU else None,
                    taken_by=taker.user if taker and state != TaskState.BARU else None,
                    taken_at=now - dt.timedelta(hours=2) if state != TaskState.BARU else None,
                    closed_at=now - dt.timedelta(hours=1) if closed else None,
                )
            )
        user_ids = _field_accounts(rw, volunteers)
        counts["accounts"] += len(user_ids)
        counts["monitoring_credited"] += _credit_monitoring(rw, user_ids)
        tasks += _past_tasks(rw, teams, active, since, rng)
        Task.objects.bulk_create(tasks)
        counts["tasks"] += len(tasks)
    AuditEntry.objects.create(
        action=AuditAction.CREATE,
        object_type=MARKER_TYPE,
        object_id=MARKER_ID,
        territory_id=kecamatan.pk,
        summary=f"synthetic volunteers demo: {counts}",
    )
    result.counts = counts
    return result
