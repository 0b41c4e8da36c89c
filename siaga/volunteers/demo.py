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

from siaga.core.models import AuditAction, AuditEntry
from siaga.registry.models import Resident
from siaga.territory.models import Level, Territory

from .models import (
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
from .services import _shift_times

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
        ("teams", "volunteers", "templates", "shifts", "assignments", "tasks"), 0
    )
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
        for offset in range(0, 14):
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
        for offset in range(-14, 14):
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
