"""Laporan Kinerja Relawan (volunteer performance report): the figures, read in a few grouped
queries.

For a territory (an RW, a kelurahan or anything above) and a period of whole days (Asia/Jakarta),
per volunteer: shifts and hours served, tasks done by kind and the on-time rate, monitoring
checks and home visits, aid deliveries, households served, referrals acknowledged and completed
with the response time, feedback ratings; then the same per team, RW and kelurahan, and the
previous period of the same length for comparison.

Work recorded against a *user* (deliveries, monitoring, referrals, tasks taken from a team) is
credited to that user's volunteer profile in the RW where the work happened, or to their only
profile when they have one. Every figure comes from a handful of ``values()/annotate()`` queries
per period, never one query per volunteer, so a city of 5,000 volunteers costs the same number
of queries as an RT.

Access (``report_access``): ``Perm.ASSESSMENT_VIEW`` on the territory gives the whole report; a
volunteer without it sees only their own row (their profiles within reach of
``Perm.VOLUNTEER_VIEW``); anyone else gets 404.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, FloatField, Func, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.assessment.models import Feedback, ReportNarrative
from siaga.core import codes, policy
from siaga.core.roles import Perm
from siaga.health.models import Method, Monitoring, Referral
from siaga.logistics.models import Delivery
from siaga.territory.models import Level, Territory
from siaga.volunteers.models import (
    ShiftAssignment,
    Task,
    TaskKind,
    TaskState,
    Volunteer,
    VolunteerStatus,
)

MAX_DAYS = 366


class ReportRefused(ValueError):
    """A report that cannot be made from this input; ``str()`` is a clear, user-facing message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# ---------------------------------------------------------------- period


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included, in the local time zone."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length immediately before this one."""
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Aware datetimes [start 00:00, day after end 00:00) in the current time zone."""
        zone = timezone.get_current_timezone()
        low = timezone.make_aware(dt.datetime.combine(self.start, dt.time.min), zone)
        high = timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min), zone
        )
        return low, high


def last_month(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    end = today.replace(day=1) - dt.timedelta(days=1)
    return Period(end.replace(day=1), end)


def parse_period(start: Any, end: Any) -> Period:
    """A period from two ``YYYY-MM-DD`` strings (or dates); ReportRefused with a clear reason."""

    def one(value: Any, field_name: str) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ReportRefused(
                field_name,
                _("%(value)r is not a date: write it as YYYY-MM-DD, e.g. 2021-07-01.")
                % {"value": str(value or "")},
            ) from None

    low, high = one(start, "from"), one(end, "to")
    if low > high:
        raise ReportRefused(
            "to",
            _("The period starts (%(start)s) after it ends (%(end)s).")
            % {"start": low.isoformat(), "end": high.isoformat()},
        )
    if (high - low).days + 1 > MAX_DAYS:
        raise ReportRefused("to", _("A report covers at most %(days)d days.") % {"days": MAX_DAYS})
    return Period(low, high)


# ---------------------------------------------------------------- access


@dataclass(frozen=True)
class ReportAccess:
    """What a user may see of the report of a territory: everything, or only their own rows."""

    territory: Territory
    own_only: bool = False
    volunteer_ids: frozenset[int] = frozenset()
    can_narrate: bool = False


def report_access(user: Any, territory: Territory | str) -> ReportAccess:
    """The user's access to the report of ``territory`` (a code or a Territory); Http404 if none.

    RT are refused (ReportRefused): volunteers belong to an RW.
    """
    if not isinstance(territory, Territory):
        found = Territory.objects.filter(code=str(territory or "").strip()).first()
        if found is None:
            raise Http404("not found")
        territory = found
    if policy.covers_territory(user, Perm.ASSESSMENT_VIEW, territory.id):
        access = ReportAccess(
            territory=territory,
            can_narrate=policy.covers_territory(user, Perm.REPORT_NARRATE, territory.id),
        )
    else:
        ids: frozenset[int] = frozenset()
        if getattr(user, "is_authenticated", False):
            own = policy.scope(
                Volunteer.objects.filter(
                    policy.in_subtree("rw_id", territory.bounds), user_id=user.pk
                ),
                user,
                Perm.VOLUNTEER_VIEW,
            )
            ids = frozenset(own.values_list("pk", flat=True))
        if not ids:
            raise Http404("not found")
        access = ReportAccess(territory=territory, own_only=True, volunteer_ids=ids)
    if territory.level > Level.RW:
        raise ReportRefused(
            "territory",
            _("Volunteers belong to an RW: choose an RW, a kelurahan or a larger area, not an RT."),
        )
    return access


def default_territory(user: Any) -> Territory | None:
    """Where the report page opens: the user's first area with ASSESSMENT_VIEW, else the RW of
    their own volunteer profile."""
    reach = policy.scope_for(user, Perm.ASSESSMENT_VIEW)
    if reach.everywhere:
        return Territory.objects.filter(level=Level.KABUPATEN).order_by("id").first()
    for low, _high in reach.ranges:
        found = Territory.objects.filter(id=low, level__lte=Level.RW).first()
        if found is not None:
            return found
    own = (
        policy.scope(Volunteer.objects.filter(user_id=user.pk), user, Perm.VOLUNTEER_VIEW)
        .select_related("rw")
        .first()
    )
    return own.rw if own is not None else None


def report_territories(user: Any, limit: int = 500) -> list[Territory]:
    """Territories (RW and above) whose report the user may read, for the choice on the page."""
    queryset = policy.scope(
        Territory.objects.filter(level__lte=Level.RW, level__gte=Level.KABUPATEN),
        user,
        Perm.ASSESSMENT_VIEW,
    )
    found = list(queryset.order_by("level", "id")[:limit])
    if not found:
        rw_ids = policy.scope(
            Volunteer.objects.filter(user_id=user.pk), user, Perm.VOLUNTEER_VIEW
        ).values("rw_id")
        found = list(Territory.objects.filter(id__in=rw_ids).order_by("id"))
    return found


def report_choices(user: Any, territory: Territory) -> list[Territory]:
    """The areas offered beside the report of ``territory``: the areas above it and the areas
    just below it (RW and above) within the user's reach, and itself. One step at a time, so the
    choice stays short at any scope (the whole list of a city's areas was 18 KB of the page);
    a user who reaches no area (a relawan) gets the RWs of their volunteer profiles."""
    parts = territory.code.split(".")
    above = [".".join(parts[:n]) for n in range(1, len(parts) + 1)]
    queryset = policy.scope(
        Territory.objects.filter(level__lte=Level.RW, level__gte=Level.KABUPATEN).filter(
            Q(code__in=above) | Q(parent_id=territory.pk)
        ),
        user,
        Perm.ASSESSMENT_VIEW,
    )
    return list(queryset.order_by("level", "id")) or report_territories(user)


# ---------------------------------------------------------------- figures


@dataclass
class Metrics:
    """The figures of one volunteer (or a group of them) over one period."""

    shifts: int = 0
    shifts_served: int = 0
    hours: float = 0.0
    tasks_done: int = 0
    tasks_by_kind: dict[str, int] = field(default_factory=dict)
    tasks_with_due: int = 0
    tasks_on_time: int = 0
    monitoring: int = 0
    visits: int = 0
    deliveries: int = 0
    household_ids: set[int] = field(default_factory=set, repr=False)
    referrals_acknowledged: int = 0
    referrals_completed: int = 0
    response_seconds: float = 0.0
    feedback_count: int = 0
    rating_total: int = 0

    @property
    def households(self) -> int:
        return len(self.household_ids)

    @property
    def referrals(self) -> int:
        return self.referrals_acknowledged + self.referrals_completed

    @property
    def on_time_rate(self) -> float | None:
        """Percent of done tasks with a due time that were closed by it (None: no such task)."""
        if not self.tasks_with_due:
            return None
        return round(100 * self.tasks_on_time / self.tasks_with_due, 1)

    @property
    def response_hours(self) -> float | None:
        """Mean hours from a referral's creation to its acknowledgement by this volunteer."""
        if not self.referrals_acknowledged:
            return None
        return round(self.response_seconds / self.referrals_acknowledged / 3600, 1)

    @property
    def rating(self) -> float | None:
        if not self.feedback_count:
            return None
        return round(self.rating_total / self.feedback_count, 2)

    @property
    def active(self) -> bool:
        return bool(
            self.shifts
            or self.tasks_done
            or self.monitoring
            or self.deliveries
            or self.referrals
            or self.feedback_count
        )

    def add(self, other: Metrics) -> None:
        self.shifts += other.shifts
        self.shifts_served += other.shifts_served
        self.hours = round(self.hours + other.hours, 2)
        self.tasks_done += other.tasks_done
        for kind, count in other.tasks_by_kind.items():
            self.tasks_by_kind[kind] = self.tasks_by_kind.get(kind, 0) + count
        self.tasks_with_due += other.tasks_with_due
        self.tasks_on_time += other.tasks_on_time
        self.monitoring += other.monitoring
        self.visits += other.visits
        self.deliveries += other.deliveries
        self.household_ids |= other.household_ids
        self.referrals_acknowledged += other.referrals_acknowledged
        self.referrals_completed += other.referrals_completed
        self.response_seconds += other.response_seconds
        self.feedback_count += other.feedback_count
        self.rating_total += other.rating_total

    def as_dict(self) -> dict[str, Any]:
        return {
            "shifts": self.shifts,
            "shifts_served": self.shifts_served,
            "hours": self.hours,
            "tasks_done": self.tasks_done,
            "tasks_by_kind": {k: self.tasks_by_kind.get(k, 0) for k in TaskKind.values},
            "tasks_with_due": self.tasks_with_due,
            "tasks_on_time": self.tasks_on_time,
            "on_time_rate": self.on_time_rate,
            "monitoring": self.monitoring,
            "visits": self.visits,
            "deliveries": self.deliveries,
            "households": self.households,
            "referrals_acknowledged": self.referrals_acknowledged,
            "referrals_completed": self.referrals_completed,
            "response_hours": self.response_hours,
            "feedback_count": self.feedback_count,
            "rating": self.rating,
        }


# The figures shown in every comparison table: (attribute, label, decimals).
def metric_rows() -> list[tuple[str, str, int]]:
    return [
        ("shifts", _("Shifts assigned"), 0),
        ("shifts_served", _("Shifts served (checked in)"), 0),
        ("hours", _("Hours served"), 1),
        ("tasks_done", _("Tasks done"), 0),
        ("on_time_rate", _("Tasks done on time (%)"), 1),
        ("monitoring", _("Monitoring checks"), 0),
        ("visits", _("Home visits (kunjungan)"), 0),
        ("deliveries", _("Aid deliveries"), 0),
        ("households", _("Households served"), 0),
        ("referrals_acknowledged", _("Referrals acknowledged"), 0),
        ("referrals_completed", _("Referrals completed"), 0),
        ("response_hours", _("Mean referral response (hours)"), 1),
        ("feedback_count", _("Feedback received"), 0),
        ("rating", _("Mean rating (1-5)"), 2),
    ]


def change(current: float | None, previous: float | None) -> float | None:
    """Difference this period − previous period (None when either is unknown)."""
    if current is None or previous is None:
        return None
    return round(current - previous, 2)


@dataclass
class VolunteerRow:
    id: int
    name: str
    rw_id: int
    rw_label: str
    kelurahan_id: int
    kelurahan_name: str
    status: str
    has_account: bool
    teams: list[str]
    current: Metrics
    previous: Metrics
    narrative: str = ""

    @property
    def hours_change(self) -> float | None:
        return change(self.current.hours, self.previous.hours)

    @property
    def tasks_change(self) -> float | None:
        return change(self.current.tasks_done, self.previous.tasks_done)


@dataclass
class Rollup:
    """The figures of a team, an RW, a kelurahan or the whole territory."""

    key: int
    label: str
    level: str
    volunteers: int = 0
    current: Metrics = field(default_factory=Metrics)
    previous: Metrics = field(default_factory=Metrics)

    def take(self, row: VolunteerRow) -> None:
        self.volunteers += 1
        self.current.add(row.current)
        self.previous.add(row.previous)


@dataclass
class VolunteerReport:
    territory: Territory
    place: str
    period: Period
    previous_period: Period
    own_only: bool
    volunteers: list[VolunteerRow]
    teams: list[Rollup]
    rws: list[Rollup]
    kelurahan: list[Rollup]
    total: Rollup
    narrative: str = ""
    narrative_author: str = ""
    generated_at: dt.datetime = field(default_factory=timezone.now)

    def comparison(self) -> list[dict[str, Any]]:
        """The totals, this period against the previous one, one row per figure."""
        rows = []
        for attr, label, decimals in metric_rows():
            now, before = getattr(self.total.current, attr), getattr(self.total.previous, attr)
            rows.append(
                {
                    "key": attr,
                    "label": label,
                    "decimals": decimals,
                    "current": now,
                    "previous": before,
                    "change": change(now, before),
                }
            )
        return rows

    def tasks_by_kind(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": kind,
                "label": label,
                "current": self.total.current.tasks_by_kind.get(kind, 0),
                "previous": self.total.previous.tasks_by_kind.get(kind, 0),
            }
            for kind, label in TaskKind.choices
        ]


_RW_SPAN = codes.span_for_level(Level.RW)
_KELURAHAN_SPAN = codes.span_for_level(Level.KELURAHAN)


def _rw_of(key: int) -> int:
    """The RW key of a territory key (an RT's RW; an RW itself)."""
    return key - key % _RW_SPAN


def _kelurahan_of(key: int) -> int:
    return key - key % _KELURAHAN_SPAN


class Seconds(Func):
    """Seconds from the first datetime expression to the second, as a float, computed by the
    database itself (Django's portable ``F(b) - F(a)`` runs a Python function per row on
    SQLite, which dominated the report on a city)."""

    arity = 2
    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    arg_joiner = " - "

    def __init__(self, start: Any, end: Any) -> None:
        super().__init__(end, start)  # rendered as "end - start"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class _Credit:
    """Maps work recorded against a user in a territory to the volunteer row it counts for."""

    def __init__(self, profiles: Iterable[tuple[int, int, int]], report_ids: set[int]) -> None:
        self.by_user: dict[int, dict[int, int]] = defaultdict(dict)
        for user_id, volunteer_id, rw_id in profiles:
            self.by_user[user_id][rw_id] = volunteer_id
        self.report_ids = report_ids

    def __call__(self, user_id: int | None, territory_key: int) -> int | None:
        if user_id is None:
            return None
        profiles = self.by_user.get(user_id)
        if not profiles:
            return None
        found = profiles.get(_rw_of(territory_key))
        if found is None and len(profiles) == 1:
            found = next(iter(profiles.values()))
        return found if found in self.report_ids else None


def _seconds(value: Any) -> float:
    return 0.0 if value is None else float(value)


def _period_metrics(
    period: Period,
    volunteer_ids: QuerySet[Any],
    user_ids: QuerySet[Any],
    credit: _Credit,
    report_ids: set[int],
) -> dict[int, Metrics]:
    """Every volunteer's figures for one period: nine grouped queries."""
    low, high = period.bounds()
    out: dict[int, Metrics] = defaultdict(Metrics)

    shifts = (
        ShiftAssignment.objects.filter(
            volunteer_id__in=volunteer_ids,
            shift__starts_at__gte=low,
            shift__starts_at__lt=high,
            state="confirmed",  # a seat still waiting for the pengurus is no shift of theirs
        )
        .values("volunteer_id")
        .annotate(
            n=Count("id"),
            served=Count("id", filter=Q(checked_in_at__isnull=False)),
            served_time=Sum(Seconds("checked_in_at", "checked_out_at")),
        )
        .order_by()
    )
    for row in shifts:
        m = out[row["volunteer_id"]]
        m.shifts += row["n"]
        m.shifts_served += row["served"]
        m.hours = round(m.hours + _seconds(row["served_time"]) / 3600, 2)

    done = Task.objects.filter(state=TaskState.SELESAI, closed_at__gte=low, closed_at__lt=high)
    task_counts = {
        "n": Count("id"),
        "due": Count("id", filter=Q(due_at__isnull=False)),
        "on_time": Count("id", filter=Q(due_at__isnull=False, closed_at__lte=F("due_at"))),
    }

    def add_tasks(m: Metrics, row: dict[str, Any]) -> None:
        m.tasks_done += row["n"]
        m.tasks_by_kind[row["kind"]] = m.tasks_by_kind.get(row["kind"], 0) + row["n"]
        m.tasks_with_due += row["due"]
        m.tasks_on_time += row["on_time"]

    for row in (
        done.filter(assignee_id__in=volunteer_ids)
        .values("assignee_id", "kind")
        .annotate(**task_counts)
        .order_by()
    ):
        add_tasks(out[row["assignee_id"]], row)
    for row in (
        done.filter(assignee__isnull=True, taken_by_id__in=user_ids)
        .values("taken_by_id", "territory_id", "kind")
        .annotate(**task_counts)
        .order_by()
    ):
        vid = credit(row["taken_by_id"], row["territory_id"])
        if vid is not None:
            add_tasks(out[vid], row)

    for row in (
        Monitoring.objects.filter(recorder_id__in=user_ids, taken_at__gte=low, taken_at__lt=high)
        .exclude(method=Method.MANDIRI)
        .values("recorder_id", "rt_id")
        .annotate(n=Count("id"), visits=Count("id", filter=Q(method=Method.KUNJUNGAN)))
        .order_by()
    ):
        vid = credit(row["recorder_id"], row["rt_id"])
        if vid is not None:
            out[vid].monitoring += row["n"]
            out[vid].visits += row["visits"]

    deliveries = Delivery.objects.filter(
        delivered_by_id__in=user_ids, delivered_at__gte=low, delivered_at__lt=high
    )
    for row in deliveries.values("delivered_by_id", "rt_id").annotate(n=Count("id")).order_by():
        vid = credit(row["delivered_by_id"], row["rt_id"])
        if vid is not None:
            out[vid].deliveries += row["n"]

    # Households served: reached by a delivery or a monitoring check (one UNION, distinct rows).
    reached = (
        deliveries.values_list("delivered_by_id", "rt_id", "household_id")
        .order_by()
        .union(
            Monitoring.objects.filter(
                recorder_id__in=user_ids,
                taken_at__gte=low,
                taken_at__lt=high,
                household_id__isnull=False,
            )
            .exclude(method=Method.MANDIRI)
            .values_list("recorder_id", "rt_id", "household_id")
            .order_by()
        )
    )
    for user_id, rt_id, household_id in reached:
        vid = credit(user_id, rt_id)
        if vid is not None:
            out[vid].household_ids.add(household_id)

    for row in (
        Referral.objects.filter(
            acknowledged_by_id__in=user_ids, acknowledged_at__gte=low, acknowledged_at__lt=high
        )
        .values("acknowledged_by_id", "rt_id")
        .annotate(n=Count("id"), wait=Sum(Seconds("created_at", "acknowledged_at")))
        .order_by()
    ):
        vid = credit(row["acknowledged_by_id"], row["rt_id"])
        if vid is not None:
            out[vid].referrals_acknowledged += row["n"]
            out[vid].response_seconds += max(0.0, _seconds(row["wait"]))

    for row in (
        Referral.objects.filter(
            completed_by_id__in=user_ids, completed_at__gte=low, completed_at__lt=high
        )
        .values("completed_by_id", "rt_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        vid = credit(row["completed_by_id"], row["rt_id"])
        if vid is not None:
            out[vid].referrals_completed += row["n"]

    for row in (
        Feedback.objects.filter(
            volunteer_id__in=volunteer_ids, created_at__gte=low, created_at__lt=high
        )
        .values("volunteer_id")
        .annotate(n=Count("id"), total=Sum("rating"))
        .order_by()
    ):
        out[row["volunteer_id"]].feedback_count += row["n"]
        out[row["volunteer_id"]].rating_total += row["total"] or 0
    return {k: v for k, v in out.items() if k in report_ids}


def place_name(territory: Territory, names: dict[str, str] | None = None) -> str:
    """ "RW 006, Panggung Lor, Semarang Utara, Kota Semarang" (from the node up to the city)."""
    parsed = codes.parse_code(territory.code)
    ancestors = [c for c in parsed.ancestor_codes() if len(c.split(".")) >= Level.KABUPATEN]
    if names is None:
        names = dict(Territory.objects.filter(code__in=ancestors).values_list("code", "name"))
    parts = [territory.display_name] + [names.get(c, c) for c in reversed(ancestors)]
    return ", ".join(parts)


def volunteer_report(access: ReportAccess, period: Period) -> VolunteerReport:
    """The whole report of ``access.territory`` for ``period`` (and the period before it)."""
    territory = access.territory
    volunteers = Volunteer.objects.filter(policy.in_subtree("rw_id", territory.bounds))
    if access.own_only:
        volunteers = volunteers.filter(pk__in=sorted(access.volunteer_ids))
    people = list(
        volunteers.order_by("rw_id", "name", "id").values(
            "id", "name", "rw_id", "user_id", "status"
        )
    )
    report_ids = {p["id"] for p in people}
    volunteer_ids = volunteers.values("pk")
    user_ids = volunteers.filter(user__isnull=False).values("user_id")
    credit = _Credit(
        Volunteer.objects.filter(user_id__in=user_ids).values_list("user_id", "id", "rw_id"),
        report_ids,
    )
    memberships: dict[int, list[tuple[int, str]]] = defaultdict(list)
    team_rw: dict[int, int] = {}
    for vid, team_id, team_name, rw_id in Volunteer.teams.through.objects.filter(
        volunteer_id__in=volunteer_ids
    ).values_list("volunteer_id", "team_id", "team__name", "team__rw_id"):
        memberships[vid].append((team_id, team_name))
        team_rw[team_id] = rw_id

    rw_keys = {p["rw_id"] for p in people} | set(team_rw.values())
    kel_keys = {_kelurahan_of(k) for k in rw_keys}
    ancestors = codes.parse_code(territory.code).ancestor_codes()
    terr_rows = Territory.objects.filter(
        Q(id__in=sorted(rw_keys | kel_keys)) | Q(code__in=ancestors)
    ).values_list("id", "code", "name", "level")
    labels: dict[int, str] = {}
    names_by_code: dict[str, str] = {}
    for key, code, name, level in terr_rows:
        labels[key] = f"RW {code.rsplit('.', 1)[1]}" if level == Level.RW else name
        names_by_code[code] = name

    current = _period_metrics(period, volunteer_ids, user_ids, credit, report_ids)
    previous_period = period.previous()
    before = _period_metrics(previous_period, volunteer_ids, user_ids, credit, report_ids)

    narratives = ReportNarrative.objects.filter(
        territory=territory, period_from=period.start, period_to=period.end
    ).select_related("author")
    if access.own_only:
        narratives = narratives.filter(volunteer_id__in=sorted(report_ids))
    territory_text, territory_author = "", ""
    by_volunteer: dict[int, str] = {}
    for narrative in narratives:
        if narrative.volunteer_id is None:
            territory_text = narrative.text
            territory_author = narrative.author.get_full_name() or narrative.author.get_username()
        else:
            by_volunteer[narrative.volunteer_id] = narrative.text

    rows: list[VolunteerRow] = []
    for person in people:
        vid = person["id"]
        now, then = current.get(vid, Metrics()), before.get(vid, Metrics())
        if person["status"] != VolunteerStatus.ACTIVE and not (now.active or then.active):
            continue
        kel = _kelurahan_of(person["rw_id"])
        rows.append(
            VolunteerRow(
                id=vid,
                name=person["name"],
                rw_id=person["rw_id"],
                rw_label=labels.get(person["rw_id"], str(person["rw_id"])),
                kelurahan_id=kel,
                kelurahan_name=labels.get(kel, ""),
                status=person["status"],
                has_account=person["user_id"] is not None,
                teams=sorted(name for _id, name in memberships.get(vid, [])),
                current=now,
                previous=then,
                narrative=by_volunteer.get(vid, ""),
            )
        )

    teams: dict[int, Rollup] = {}
    rws: dict[int, Rollup] = {}
    kelurahan: dict[int, Rollup] = {}
    total = Rollup(key=territory.id, label=territory.display_name, level="total")
    for row in rows:
        for team_id, team_name in memberships.get(row.id, []):
            label = f"{team_name} ({labels.get(team_rw[team_id], '')})"
            teams.setdefault(team_id, Rollup(key=team_id, label=label, level="team")).take(row)
        rws.setdefault(row.rw_id, Rollup(key=row.rw_id, label=row.rw_label, level="rw")).take(row)
        kelurahan.setdefault(
            row.kelurahan_id,
            Rollup(key=row.kelurahan_id, label=row.kelurahan_name, level="kelurahan"),
        ).take(row)
        total.take(row)
    return VolunteerReport(
        territory=territory,
        place=place_name(territory, names_by_code),
        period=period,
        previous_period=previous_period,
        own_only=access.own_only,
        volunteers=rows,
        teams=sorted(teams.values(), key=lambda r: r.label),
        rws=[rws[k] for k in sorted(rws)],
        kelurahan=[kelurahan[k] for k in sorted(kelurahan)],
        total=total,
        narrative=territory_text,
        narrative_author=territory_author,
    )


def _rollup_dict(rollup: Rollup) -> dict[str, Any]:
    return {
        "key": rollup.key,
        "label": rollup.label,
        "level": rollup.level,
        "volunteers": rollup.volunteers,
        "current": rollup.current.as_dict(),
        "previous": rollup.previous.as_dict(),
    }


def report_as_dict(report: VolunteerReport) -> dict[str, Any]:
    """The report as plain data (the API's JSON)."""
    return {
        "territory": report.territory.code,
        "place": report.place,
        "period": {"from": report.period.start, "to": report.period.end},
        "previous_period": {
            "from": report.previous_period.start,
            "to": report.previous_period.end,
        },
        "own_only": report.own_only,
        "narrative": report.narrative,
        "total": _rollup_dict(report.total),
        "kelurahan": [_rollup_dict(r) for r in report.kelurahan],
        "rws": [_rollup_dict(r) for r in report.rws],
        "teams": [_rollup_dict(r) for r in report.teams],
        "volunteers": [
            {
                "id": row.id,
                "name": row.name,
                "rw": row.rw_label,
                "kelurahan": row.kelurahan_name,
                "status": row.status,
                "teams": row.teams,
                "narrative": row.narrative,
                "current": row.current.as_dict(),
                "previous": row.previous.as_dict(),
            }
            for row in report.volunteers
        ],
    }
