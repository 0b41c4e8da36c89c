"""The refresh job: recompute the indicator aggregates of a day range from the source tables.

For each source table one query fetches the rows of the day range (grouped in the database
where a sum is enough); the values are counted at the territory node the row belongs to (an
RT for health records, an RW for shifts, any level for needs, rounds and meetings) and then
added to every ancestor of that node, so each node holds its whole subtree. The rows of the day
range are replaced in one transaction (delete, then bulk insert): running it twice gives the
same table. Definitions of every indicator: docs/indicators.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from siaga.assessment.models import Complaint, ComplaintState, Feedback
from siaga.commissioning.models import Need, Outcome, Round, RoundResult, Vote
from siaga.commissioning.services import eligibility_problems
from siaga.core import codes
from siaga.core.models import Contribution
from siaga.health.models import (
    Case,
    Contact,
    IsolationPlace,
    MissedSlot,
    Monitoring,
    Referral,
    ReferralOutcome,
    ReferralState,
    Vaccination,
)
from siaga.logistics.models import Delivery
from siaga.planning.models import Attendance, Meeting, MeetingStatus
from siaga.registry.models import DomicileStatus, Resident
from siaga.territory.models import Territory
from siaga.volunteers.models import Shift, ShiftAssignment, Task, TaskState

from .models import CoproductionDay, IndicatorValue, RefreshRun
from .registry import PERCENTILE_KEYS

Bounds = tuple[int, int]
Key = tuple[str, int, dt.date]
# (indicator, territory key, day) -> [numerator, denominator, samples]
Acc = dict[Key, list[Any]]

CHUNK_DAYS = 31
VACCINATION_AGE = 60
QUARANTINE_WITHIN = dt.timedelta(hours=48)
AID_WITHIN = dt.timedelta(hours=24)
COMPLAINT_WITHIN = dt.timedelta(days=3)


# ---------------------------------------------------------------- territory keys


# ---------------------------------------------------------------- time helpers


def day_start(day: dt.date) -> dt.datetime:
    """Local (Asia/Jakarta) midnight starting ``day``, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def local_day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _days(day_from: dt.date, day_to: dt.date) -> Iterable[dt.date]:
    day = day_from
    while day <= day_to:
        yield day
        day += dt.timedelta(days=1)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class _Window:
    """The day range being refreshed and the subtree it is limited to (None: everywhere)."""

    def __init__(self, day_from: dt.date, day_to: dt.date, bounds: Bounds | None) -> None:
        self.day_from, self.day_to, self.bounds = day_from, day_to, bounds
        self.start = day_start(day_from)
        self.end = day_start(day_to + dt.timedelta(days=1))  # exclusive

    def scoped(self, queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
        if self.bounds is None:
            return queryset
        low, high = self.bounds
        return queryset.filter(**{f"{field}__gte": low, f"{field}__lte": high})

    def moments(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


def _add(acc: Acc, key: str, territory: int, day: dt.date, num: float, den: float = 0) -> None:
    cell = acc.get((key, territory, day))
    if cell is None:
        acc[(key, territory, day)] = [num, den, None]
    else:
        cell[0] += num
        cell[1] += den


def _sample(acc: Acc, key: str, territory: int, day: dt.date, value: float) -> None:
    cell = acc.setdefault((key, territory, day), [0, 0, None])
    if cell[2] is None:
        cell[2] = []
    cell[2].append(value)


# ---------------------------------------------------------------- collectors (one per source)


def _cases(w: _Window, acc: Acc) -> None:
    """Active cases and isolating households, a snapshot of each day.

    A case is active on day D from its specimen date while it has no end date after D
    (``ended_on`` is the day its isolation ended, referral, death or move)."""
    rows = w.scoped(
        Case.objects.filter(specimen_on__lte=w.day_to).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=w.day_from)
        ),
        "rt_id",
    ).values_list("rt_id", "household_id", "isolation_place", "specimen_on", "ended_on")
    households: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    for rt, household, place, started, ended in rows:
        first = max(started, w.day_from)
        last = min(ended - dt.timedelta(days=1), w.day_to) if ended else w.day_to
        for day in _days(first, last):
            _add(acc, "active_cases", rt, day, 1)
            if place == IsolationPlace.ISOMAN and household is not None:
                households[(rt, day)].add(household)
    for (rt, day), members in households.items():
        _add(acc, "isolating_households", rt, day, len(members))


def _monitoring(w: _Window, acc: Acc) -> None:
    """Slots due = slots with a record or flagged missed; on time = recorded and never flagged."""
    fields = ("rt_id", "case_id", "contact_id", "day", "slot")
    window = Q(day__gte=w.day_from, day__lte=w.day_to)
    done = set(w.scoped(Monitoring.objects.filter(window), "rt_id").values_list(*fields))
    missed = set(w.scoped(MissedSlot.objects.filter(window), "rt_id").values_list(*fields))
    for slot in done | missed:
        rt, day = slot[0], slot[3]
        _add(acc, "monitoring_on_time", rt, day, 1 if slot in done and slot not in missed else 0, 1)


def _referrals(w: _Window, acc: Acc) -> None:
    """Minutes from the danger sign (the referral record) to acknowledgement, by record day;
    completed referrals by outcome, by completion day."""
    rows = w.scoped(Referral.objects.filter(w.moments("created_at")), "rt_id").values_list(
        "rt_id", "created_at", "acknowledged_at"
    )
    for rt, created, acknowledged in rows:
        day = local_day(created)
        _add(acc, "referral_ack", rt, day, 1 if acknowledged else 0, 1)
        if acknowledged is not None:
            _sample(
                acc,
                "referral_ack",
                rt,
                day,
                round((acknowledged - created).total_seconds() / 60, 1),
            )
    outcomes = {
        ReferralOutcome.RAWAT_INAP: "referral_hospital",
        ReferralOutcome.TERPUSAT: "referral_central",
        ReferralOutcome.ISOMAN: "referral_home",
    }
    done = w.scoped(
        Referral.objects.filter(w.moments("completed_at"), state=ReferralState.SELESAI), "rt_id"
    ).values_list("rt_id", "completed_at", "outcome")
    for rt, completed, outcome in done:
        if outcome in outcomes:
            _add(acc, outcomes[outcome], rt, local_day(completed), 1)


def _contacts(w: _Window, acc: Acc) -> None:
    """Contacts recorded (their quarantine and monitoring start) within 48 h of the later of
    the index case's record and the start of the last exposure day, by the contact's record day."""
    rows = w.scoped(Contact.objects.filter(w.moments("created_at")), "rt_id").values_list(
        "rt_id", "created_at", "case__created_at", "last_exposure_on"
    )
    for rt, created, case_created, exposure in rows:
        reference = max(case_created, day_start(exposure))
        on_time = created - reference <= QUARANTINE_WITHIN
        _add(acc, "contacts_quarantine_48h", rt, local_day(created), 1 if on_time else 0, 1)


def _vaccination(w: _Window, acc: Acc) -> None:
    """Each day: residents aged 60+ (living here: tetap or pendatang) with a dose given by then."""
    living = w.scoped(
        Resident.objects.filter(status__in=[DomicileStatus.TETAP, DomicileStatus.PENDATANG]),
        "rt_id",
    )
    for day in _days(w.day_from, w.day_to):
        elderly = living.filter(birth_date__lte=_years_before(day, VACCINATION_AGE))
        dosed = Vaccination.objects.filter(resident_id=OuterRef("pk"), given_on__lte=day)
        counts = (
            elderly.values("rt_id")
            .annotate(n=Count("id"), v=Count("id", filter=Q(Exists(dosed))))
            .order_by()
            .values_list("rt_id", "n", "v")
        )
        for rt, n, vaccinated in counts:
            _add(acc, "vaccination_60plus", rt, day, vaccinated, n)


def _aid(w: _Window, acc: Acc) -> None:
    """Households starting home isolation (a case recorded) that got a delivery within 24 h.
    Cases recorded less than 24 h ago without a delivery are not counted yet."""
    cases = list(
        w.scoped(
            Case.objects.filter(
                w.moments("created_at"),
                isolation_place=IsolationPlace.ISOMAN,
                household__isnull=False,
            ),
            "rt_id",
        ).values_list("rt_id", "household_id", "created_at")
    )
    if not cases:
        return
    deliveries: dict[int, list[dt.datetime]] = defaultdict(list)
    for household, at in Delivery.objects.filter(
        household_id__in={c[1] for c in cases},
        delivered_at__gte=w.start,
        delivered_at__lt=w.end + AID_WITHIN,
    ).values_list("household_id", "delivered_at"):
        deliveries[household].append(at)
    now = timezone.now()
    seen: set[tuple[int, dt.date]] = set()
    for rt, household, created in sorted(cases, key=lambda c: c[2]):
        day = local_day(created)
        if (household, day) in seen:
            continue
        seen.add((household, day))
        served = any(created <= at <= created + AID_WITHIN for at in deliveries[household])
        if served or now - created > AID_WITHIN:
            _add(acc, "aid_within_24h", rt, day, 1 if served else 0, 1)


def _volunteers(w: _Window, acc: Acc) -> None:
    """Shifts with at least ``min_people`` assigned; hours checked in; tasks closed by due time."""
    shifts = (
        w.scoped(Shift.objects.filter(day__gte=w.day_from, day__lte=w.day_to), "rw_id")
        .annotate(n=Count("assignments", filter=Q(assignments__state="confirmed")))
        .values_list("rw_id", "day", "n", "min_people")
    )
    for rw, day, n, needed in shifts:
        _add(acc, "shifts_staffed", rw, day, 1 if n >= needed else 0, 1)
    hours = (
        w.scoped(
            ShiftAssignment.objects.filter(
                shift__day__gte=w.day_from,
                shift__day__lte=w.day_to,
                checked_in_at__isnull=False,
                checked_out_at__isnull=False,
            ),
            "shift__rw_id",
        )
        .values("shift__rw_id", "shift__day")
        .annotate(total=Sum(F("checked_out_at") - F("checked_in_at")))
        .order_by()
        .values_list("shift__rw_id", "shift__day", "total")
    )
    for rw, day, total in hours:
        if total:
            _add(acc, "volunteer_hours", rw, day, round(total.total_seconds() / 3600, 2))
    now = timezone.now()
    tasks = w.scoped(
        Task.objects.filter(w.moments("due_at")).exclude(state=TaskState.BATAL), "territory_id"
    ).values_list("territory_id", "due_at", "state", "closed_at")
    for territory, due, state, closed in tasks:
        done = state == TaskState.SELESAI and closed is not None
        if not done and due > now:
            continue  # not due yet: neither on time nor late
        on_time = done and closed <= due
        _add(acc, "tasks_on_time", territory, local_day(due), 1 if on_time else 0, 1)


def _commissioning(w: _Window, acc: Acc) -> None:
    """Needs raised; proposals funded and turnout when their round closed. Turnout uses the
    commissioning rule of who may vote (``eligibility_problems``) on the last voting day."""
    for territory, created in w.scoped(
        Need.objects.filter(w.moments("created_at")), "territory_id"
    ).values_list("territory_id", "created_at"):
        _add(acc, "needs_raised", territory, local_day(created), 1)
    funded = w.scoped(
        RoundResult.objects.filter(w.moments("round__closed_at"), outcome=Outcome.FUNDED),
        "proposal__territory_id",
    ).values_list("proposal__territory_id", "round__closed_at")
    for territory, closed in funded:
        _add(acc, "proposals_funded", territory, local_day(closed), 1)
    rounds = w.scoped(
        Round.objects.filter(w.moments("closed_at")).select_related("territory"), "territory_id"
    )
    for round_ in rounds:
        assert round_.closed_at is not None
        voters = (
            Vote.objects.filter(round=round_).values("resident_id").distinct().order_by().count()
        )
        low, high = round_.territory.bounds
        candidates = Resident.objects.filter(
            rt_id__gte=low, rt_id__lte=high, status=DomicileStatus.TETAP
        ).exclude(nik="")
        eligible = sum(
            1
            for resident in candidates.iterator(chunk_size=2000)
            if not eligibility_problems(resident, round_, round_.voting_until)
        )
        day = local_day(round_.closed_at)
        _add(acc, "voter_turnout", round_.territory_id, day, voters, max(eligible, voters))


def _meetings(w: _Window, acc: Acc) -> None:
    """Meetings held and their attendance by actor group, by meeting day."""
    held = w.scoped(
        Meeting.objects.filter(w.moments("starts_at"), status=MeetingStatus.HELD), "territory_id"
    )
    for territory, starts in held.values_list("territory_id", "starts_at"):
        _add(acc, "meetings_held", territory, local_day(starts), 1)
    attendance = w.scoped(
        Attendance.objects.filter(
            w.moments("meeting__starts_at"), meeting__status=MeetingStatus.HELD
        ),
        "meeting__territory_id",
    ).values_list("meeting__territory_id", "meeting__starts_at", "actor_group")
    for territory, starts, group in attendance:
        _add(acc, f"attendance_{group}", territory, local_day(starts), 1)


def _assessment(w: _Window, acc: Acc) -> None:
    """Feedback ratings (mean, n) and complaints resolved within 3 days of filing, by the day
    they were given or filed. Open complaints younger than 3 days are not counted yet."""
    for rt, created, rating in w.scoped(
        Feedback.objects.filter(w.moments("created_at")), "rt_id"
    ).values_list("rt_id", "created_at", "rating"):
        _add(acc, "satisfaction", rt, local_day(created), rating, 1)
    now = timezone.now()
    complaints = w.scoped(Complaint.objects.filter(w.moments("created_at")), "rt_id")
    for rt, created, resolved, state in complaints.values_list(
        "rt_id", "created_at", "resolved_at", "state"
    ):
        done = state == ComplaintState.DONE and resolved is not None
        on_time = done and resolved - created <= COMPLAINT_WITHIN
        if on_time or now - created > COMPLAINT_WITHIN:
            _add(acc, "complaints_resolved_3d", rt, local_day(created), 1 if on_time else 0, 1)


COLLECTORS: tuple[Callable[[_Window, Acc], None], ...] = (
    _cases,
    _monitoring,
    _referrals,
    _contacts,
    _vaccination,
    _aid,
    _volunteers,
    _commissioning,
    _meetings,
    _assessment,
)


def collect(day_from: dt.date, day_to: dt.date, bounds: Bounds | None = None) -> Acc:
    """The values of every stored indicator at the node each source row belongs to."""
    acc: Acc = {}
    window = _Window(day_from, day_to, bounds)
    for collector in COLLECTORS:
        collector(window, acc)
    return acc


def roll_up(acc: Acc, min_level: int = 1) -> Acc:
    """Add each node's values to its ancestors down from ``min_level`` (the node included)."""
    total: Acc = {}
    for (key, territory, day), (num, den, samples) in acc.items():
        for node in [territory, *codes.ancestors(territory, min_level)]:
            cell = total.get((key, node, day))
            if cell is None:
                total[(key, node, day)] = [num, den, list(samples) if samples else None]
                continue
            cell[0] += num
            cell[1] += den
            if samples:
                cell[2] = (cell[2] or []) + list(samples)
    return total


def _rows(acc: Acc) -> list[IndicatorValue]:
    rows = []
    for (key, territory, day), (num, den, samples) in acc.items():
        if not num and not den and not samples:
            continue
        rows.append(
            IndicatorValue(
                territory_id=territory,
                day=day,
                indicator=key,
                numerator=float(num),
                denominator=float(den),
                samples=sorted(samples) if samples else None,
            )
        )
    return rows


def _refresh_chunk(day_from: dt.date, day_to: dt.date, territory: Territory | None) -> int:
    if territory is None:
        rows = _rows(roll_up(collect(day_from, day_to)))
        with transaction.atomic():
            IndicatorValue.objects.filter(day__gte=day_from, day__lte=day_to).delete()
            IndicatorValue.objects.bulk_create(rows, batch_size=2000)
        return len(rows)
    low, high = territory.bounds
    rows = _rows(roll_up(collect(day_from, day_to, territory.bounds), territory.level))
    written = len(rows)
    with transaction.atomic():
        IndicatorValue.objects.filter(
            day__gte=day_from, day__lte=day_to, territory_id__gte=low, territory_id__lte=high
        ).delete()
        IndicatorValue.objects.bulk_create(rows, batch_size=2000)
        # The ancestors above the subtree: their own records plus their children's rows.
        for node in reversed(codes.ancestors(territory.id)):
            written += _rebuild_node(node, day_from, day_to)
    return written


def _rebuild_node(node: int, day_from: dt.date, day_to: dt.date) -> int:
    acc = collect(day_from, day_to, (node, node))
    children = IndicatorValue.objects.filter(
        territory__parent_id=node, day__gte=day_from, day__lte=day_to
    )
    sums = (
        children.values("indicator", "day")
        .annotate(num=Sum("numerator"), den=Sum("denominator"))
        .order_by()
    )
    for row in sums:
        _add(acc, row["indicator"], node, row["day"], row["num"] or 0, row["den"] or 0)
    for key, day, samples in children.filter(
        indicator__in=PERCENTILE_KEYS, samples__isnull=False
    ).values_list("indicator", "day", "samples"):
        for value in samples or []:
            _sample(acc, key, node, day, value)
    rows = _rows(acc)
    IndicatorValue.objects.filter(territory_id=node, day__gte=day_from, day__lte=day_to).delete()
    IndicatorValue.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# ---------------------------------------------------------------- co-production matrix days

MATRIX_MAX_LEVEL = codes.LEVEL_KELURAHAN


def _matrix_rows(day_from: dt.date, day_to: dt.date) -> list[CoproductionDay]:
    """Acts and distinct people per (node, day, phase, actor group) for kota … kelurahan."""
    window = _Window(day_from, day_to, None)
    cells: dict[tuple[int, dt.date, str, str], list[Any]] = {}
    nodes: dict[int, list[int]] = {}
    rows = Contribution.objects.filter(window.moments("at")).values_list(
        "territory_id", "at", "phase", "actor_group", "person_key"
    )
    for territory, at, phase, group, person in rows.iterator(chunk_size=20000):
        targets = nodes.get(territory)
        if targets is None:
            level = codes.level_of(territory)
            targets = [
                a for a in codes.ancestors(territory) if codes.level_of(a) <= MATRIX_MAX_LEVEL
            ]
            if level <= MATRIX_MAX_LEVEL:
                targets.append(territory)
            nodes[territory] = targets
        day = local_day(at)
        for node in targets:
            cell = cells.get((node, day, phase, group))
            if cell is None:
                cells[(node, day, phase, group)] = [1, {person}]
            else:
                cell[0] += 1
                cell[1].add(person)
    return [
        CoproductionDay(
            territory_id=node, day=day, phase=phase, actor_group=group, acts=acts,
            people="\n".join(sorted(people)),
        )
        for (node, day, phase, group), (acts, people) in cells.items()
    ]  # fmt: skip


def refresh_matrix(day_from: dt.date, day_to: dt.date) -> int:
    """Replace the co-production days of the range (everywhere); the number of rows written."""
    rows = _matrix_rows(day_from, day_to)
    with transaction.atomic():
        CoproductionDay.objects.filter(day__gte=day_from, day__lte=day_to).delete()
        CoproductionDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def refresh(
    *,
    day_from: dt.date,
    day_to: dt.date,
    territory: Territory | None = None,
    trigger: str = "manual",
    progress: Callable[[dt.date, dt.date, int], None] | None = None,
) -> RefreshRun:
    """Recompute the aggregates of ``day_from``…``day_to`` (for one subtree, or everywhere),
    in chunks of a month, each in its own transaction; ``progress`` hears about each chunk.

    The co-production days are always refreshed everywhere for the range (they are kept for
    kota … kelurahan nodes, which a subtree refresh would leave half-counted)."""
    if day_to < day_from:
        raise ValueError("day_to is before day_from")
    run = RefreshRun.objects.create(
        day_from=day_from, day_to=day_to, territory=territory, trigger=trigger
    )
    chunk_from = day_from
    while chunk_from <= day_to:
        chunk_to = min(day_to, chunk_from + dt.timedelta(days=CHUNK_DAYS - 1))
        written = _refresh_chunk(chunk_from, chunk_to, territory)
        written += refresh_matrix(chunk_from, chunk_to)
        run.rows += written
        if progress is not None:
            progress(chunk_from, chunk_to, written)
        chunk_from = chunk_to + dt.timedelta(days=1)
    run.finished_at = timezone.now()
    run.save(update_fields=["rows", "finished_at"])
    return run
