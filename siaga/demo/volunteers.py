"""Synthetic volunteers for the demo: teams, volunteers, posko, a month of shifts with a few gaps,
and tasks in every state, for every RW of Semarang Utara. Everything here is made up.

Idempotent: an audit entry (``volunteers.demo``/``demo``) marks a finished run. Teams, posko,
volunteers, their accounts, shift templates and the roster go through the services, acted by the
RW's pengurus (or the kecamatan facilitator where an RW has none), so they carry their audit and
ledger entries; the month of shift assignments and tasks is written in bulk, with the ledger rows
the services write for check-ins and completed tasks (``core.contributions.contribution_for``).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.accounts.models import User
from siaga.accounts.services import add_membership
from siaga.core.contributions import ActorGroups, bulk_record_contributions, contribution_for
from siaga.core.models import ActorGroup, AuditAction, AuditEntry, Contribution, Phase
from siaga.core.roles import Role
from siaga.demo.base import coordinator
from siaga.health import protocols as rules
from siaga.health.models import Case, Contact, Method, Monitoring, ProtocolKind
from siaga.health.selectors import monitoring_task_key
from siaga.registry.models import Resident
from siaga.territory.models import Level, Territory
from siaga.volunteers import services
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


def _field_accounts(rw: Territory, actor: User | None, count: int) -> list[User]:
    """User accounts (relawan of the RW) for the health and logistics volunteers, so that the
    monitoring and deliveries they record are credited to them; RW 006 uses relawan.rw006.
    The accounts have no usable password: the pengurus would hand out a reset."""
    users = []
    for n in range(1, count + 1):
        user = None
        if n == 1:
            user = User.objects.filter(username="relawan.rw006", memberships__territory=rw).first()
        if user is None:
            user = User.objects.filter(username=f"relawan.{rw.code}.{n}").first()
        if user is None:
            # As accounts.services.create_user makes them, without hashing a password.
            user = User.objects.create_user(f"relawan.{rw.code}.{n}", password=None)
            add_membership(actor=actor, user=user, role=Role.RELAWAN, territory=rw)
        users.append(user)
    return users


def _credit_monitoring(rw: Territory, users: list[User]) -> list[Contribution]:
    """The health demo's visits and phone checks in the RW, spread over its field volunteers;
    the ledger rows of those checks, now that they have a recorder."""
    if not users:
        return []
    rows = list(
        Monitoring.objects.filter(rt_id__gte=rw.id, rt_id__lte=rw.bounds[1], recorder__isnull=True)
        .exclude(method=Method.MANDIRI)
        .only("id", "rt_id", "taken_at")
        .order_by("id")
    )
    groups = ActorGroups()
    acts = []
    for n, user in enumerate(users):
        mine = rows[n :: len(users)]
        Monitoring.objects.filter(id__in=[m.pk for m in mine]).update(recorder=user)
        acts += [
            contribution_for(
                actor=user,
                phase=Phase.CO_DELIVERY,
                kind="monitoring",
                territory_id=m.rt_id,
                obj=m,
                at=m.taken_at,
                groups=groups,
            )
            for m in mine
        ]
    return acts


def _monitoring_tasks(rw: Territory, until: dt.date) -> list[Task]:
    """The volunteers' monitoring tasks of the checks recorded in the RW before ``until``, as
    the rule (``health.services.ensure_monitoring_tasks``, which makes today's) made and closed
    them: one per recorded slot, due at the slot's deadline, done by the volunteer who recorded
    the check at its time; a self-report's slot closed by the rule."""
    profiles = dict(
        Volunteer.objects.filter(rw=rw, user__isnull=False, status=VolunteerStatus.ACTIVE)
        .order_by("-pk")
        .values_list("user_id", "pk")
    )
    team = services.team_for(rw.pk, TeamKind.KESEHATAN)
    case_type = ContentType.objects.get_for_model(Case)
    contact_type = ContentType.objects.get_for_model(Contact)
    book: rules.ProtocolBook | None = None  # read once there is a check
    tz = timezone.get_current_timezone()
    tasks: dict[str, Task] = {}
    for record in (
        Monitoring.objects.filter(rt_id__gte=rw.id, rt_id__lte=rw.bounds[1], day__lt=until)
        .only("case_id", "contact_id", "rt_id", "day", "slot", "taken_at", "method", "recorder_id")
        .order_by("taken_at", "pk")
    ):
        kind, subject_id = (
            ("case", record.case_id) if record.case_id else ("contact", record.contact_id)
        )
        assert subject_id is not None
        key = monitoring_task_key(kind, subject_id, record.day, record.slot)
        if key in tasks:
            continue
        book = book or rules.ProtocolBook(ProtocolKind.TRIAGE)
        params = book.params(book.on(record.day))
        deadline = params.pagi_until if record.slot == "pagi" else params.sore_until
        by = record.recorder_id if record.method != Method.MANDIRI else None
        tasks[key] = Task(
            source_key=key,
            territory_id=record.rt_id,
            kind=TaskKind.MONITORING,
            title=_("Monitoring %(slot)s: %(kind)s #%(id)s")
            % {"slot": record.slot, "kind": kind, "id": subject_id},
            due_at=timezone.make_aware(dt.datetime.combine(record.day, deadline), tz),
            priority=Priority.HIGH,
            team=team,
            content_type=case_type if kind == "case" else contact_type,
            object_id=subject_id,
            created_at=timezone.make_aware(dt.datetime.combine(record.day, dt.time.min), tz),
            state=TaskState.SELESAI,
            assignee_id=profiles.get(by) if by else None,
            taken_by_id=by,
            taken_at=record.taken_at if by else None,
            closed_at=record.taken_at,
            closed_by_id=by,
        )
    return list(tasks.values())


def _volunteer_act(
    volunteer: Volunteer,
    kind: str,
    territory_id: int,
    obj: Any,
    at: dt.datetime,
    groups: ActorGroups,
) -> Contribution | None:
    """The ledger row of a volunteer's act: by their account, else (a paper record at the posko)
    by their resident record, in the volunteers' group."""
    if volunteer.user is not None:
        actor: dict[str, Any] = {"actor": volunteer.user}
    elif volunteer.resident_id is not None:
        actor = {
            "actor": None,
            "person_key": f"resident:{volunteer.resident_id}",
            "actor_group": ActorGroup.VOLUNTEER,
        }
    else:
        return None
    return contribution_for(
        phase=Phase.CO_DELIVERY,
        kind=kind,
        territory_id=territory_id,
        obj=obj,
        at=at,
        groups=groups,
        **actor,
    )


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


def ensure_posko(actor: User | None, rw: Territory, name: str, kind: str) -> Posko:
    """The RW's posko of that name, created by the coordinator if it is not there yet."""
    existing = Posko.objects.filter(rw=rw, name=name).first()
    return existing or services.create_posko(actor=actor, rw=rw, name=name, kind=kind)


def _volunteer(
    actor: User | None,
    rw: Territory,
    resident: Resident,
    team: Team,
    *,
    availability: str,
    user: User | None,
    pending: bool,
) -> Volunteer:
    """The resident's volunteer profile in the RW, registered by the coordinator; the pending
    one is an offer left on paper at the posko (``offer_to_volunteer`` needs the resident's own
    account), waiting for the pengurus."""
    volunteer = Volunteer.objects.filter(rw=rw, resident=resident).first()
    if volunteer is not None:
        volunteer.teams.add(team)
        return volunteer
    skills = SKILLS[TeamKind(team.kind)]
    if pending:
        volunteer = Volunteer.objects.create(
            rw=rw,
            resident=resident,
            name=resident.name,
            phone=resident.phone,
            skills=skills,
            availability=availability,
            status=VolunteerStatus.PENDING,
        )
        volunteer.teams.add(team)
        return volunteer
    return services.register_volunteer(
        actor=actor,
        rw=rw,
        name=resident.name,
        phone=resident.phone,
        skills=skills,
        availability=availability,
        user=user
        if user is not None and not Volunteer.objects.filter(user=user, rw=rw).exists()
        else None,
        resident=resident,
        teams=[team],
    )


def _template(
    actor: User | None,
    posko: Posko,
    name: str,
    starts: dt.time,
    ends: dt.time,
    min_people: int,
    max_people: int,
    weekdays: list[int],
) -> ShiftTemplate:
    existing = ShiftTemplate.objects.filter(posko=posko, name=name).first()
    return existing or services.create_shift_template(
        actor=actor,
        posko=posko,
        name=name,
        starts=starts,
        ends=ends,
        min_people=min_people,
        max_people=max_people,
        weekdays=weekdays,
    )


def _check_ins(
    rw: Territory, made: list[ShiftAssignment], groups: ActorGroups
) -> list[Contribution]:
    """The ledger rows of the check-ins just written (a row that met an existing assignment of
    the same volunteer and shift was skipped by the insert, and keeps its own entries)."""
    wanted = {(a.shift_id, a.volunteer_id): a.checked_in_at for a in made if a.checked_in_at}
    acts = []
    for assignment in ShiftAssignment.objects.filter(
        shift__rw=rw, checked_in_at__isnull=False
    ).select_related("volunteer__user"):
        at = wanted.get((assignment.shift_id, assignment.volunteer_id))
        if at is None or at != assignment.checked_in_at:
            continue
        act = _volunteer_act(
            assignment.volunteer, "volunteers.check_in", rw.pk, assignment, at, groups
        )
        if act is not None:
            acts.append(act)
    return acts


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
            "monitoring_tasks",
        ),
        0,
    )
    since = history_start(today)
    history = (today - since).days
    now = timezone.now()
    groups = ActorGroups()
    acts: list[Contribution] = []
    for rw in rws:
        actor = coordinator(rw.pk)
        have = {t.name: t for t in Team.objects.filter(rw=rw)}
        teams = [
            have.get(n) or services.create_team(actor=actor, rw=rw, name=n, kind=k)
            for n, k in TEAMS
        ]
        counts["teams"] += len(teams)
        main = ensure_posko(actor, rw, f"Posko {rw.display_name}", PoskoKind.POSKO)
        gate = ensure_posko(actor, rw, f"Pos jaga {rw.display_name}", PoskoKind.ENTRY_POST)
        people = list(
            Resident.objects.filter(
                rt_id__gte=rw.id, rt_id__lte=rw.bounds[1], status="tetap", birth_date__isnull=False
            ).order_by("id")[:60]
        )
        rng.shuffle(people)
        # The health and logistics volunteers (teams 0 and 2) get accounts, three at most.
        field_slots = [i for i in range(min(9, len(people))) if i % len(TEAMS) in (0, 2)][:3]
        accounts = dict(zip(field_slots, _field_accounts(rw, actor, len(field_slots)), strict=True))
        counts["accounts"] += len(accounts)
        volunteers = []
        for index, resident in enumerate(people[:10]):
            team = teams[index % len(teams)]
            volunteer = _volunteer(
                actor,
                rw,
                resident,
                team,
                availability=rng.choice(["pagi", "sore", "malam", "akhir pekan"]),
                user=accounts.get(index),
                pending=index == 9,
            )
            volunteers.append(volunteer)
        active = [v for v in volunteers if v.status == VolunteerStatus.ACTIVE]
        counts["volunteers"] += len(volunteers)
        templates = [
            _template(actor, gate, name, dt.time(start), dt.time(end), 2, 4, [])
            for name, start, end in (("pagi", 6, 14), ("malam", 14, 22))
        ]
        # The posko itself is kept by one or two people on weekdays and Saturday (piket).
        _template(actor, main, "piket", dt.time(8), dt.time(16), 1, 2, [0, 1, 2, 3, 4, 5])
        counts["templates"] += len(templates) + 1
        for posko in (main, gate):
            services.generate_roster(
                actor=actor,
                posko=posko,
                start=today - dt.timedelta(days=history),
                days=history + 14,
            )
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
        acts += _check_ins(rw, rows, groups)
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
        credited = _credit_monitoring(rw, list(accounts.values()))
        counts["monitoring_credited"] += len(credited)
        acts += credited
        tasks += _past_tasks(rw, teams, active, since, rng)
        Task.objects.bulk_create(tasks)
        counts["tasks"] += len(tasks)
        monitoring_tasks = _monitoring_tasks(rw, today)
        Task.objects.bulk_create(monitoring_tasks, batch_size=1000, ignore_conflicts=True)
        counts["monitoring_tasks"] += len(monitoring_tasks)
        for task in tasks:
            if task.state == TaskState.SELESAI and task.assignee and task.closed_at:
                act = _volunteer_act(
                    task.assignee, "tasks.complete", rw.pk, task, task.closed_at, groups
                )
                if act is not None:
                    acts.append(act)
    bulk_record_contributions(acts)
    counts["contributions"] = len(acts)
    AuditEntry.objects.create(
        action=AuditAction.CREATE,
        object_type=MARKER_TYPE,
        object_id=MARKER_ID,
        territory_id=kecamatan.pk,
        summary=f"synthetic volunteers demo: {counts}",
    )
    result.counts = counts
    return result
