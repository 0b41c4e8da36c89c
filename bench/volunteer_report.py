"""The Laporan Kinerja Relawan of a whole city: ~5,000 volunteers, one month (and the month
before, for the comparison), in a fresh database.

Synthesizes a kota of kecamatan › kelurahan › RW › RT with volunteers (most with accounts),
teams, shifts and check-ins, tasks, aid deliveries, monitoring, referrals and feedback, all with
bulk_create; then times the report selectors for the whole kota (and counts their queries), the
XLSX of the whole kota (a summary plus one sheet per volunteer), and the PDF of the whole kota and
of one kelurahan. Prints figures only; it never asserts a timing.

    python -m bench.volunteer_report [--backend sqlite|postgresql|all] [--volunteers N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from typing import Any

from bench import _harness as h

MODULE = "bench.volunteer_report"
KOTA = "33.74"


def _territories(n_kecamatan: int, n_kelurahan: int, n_rw: int, n_rt: int) -> dict[str, Any]:
    from siaga.core.codes import parse_code
    from siaga.territory.models import Territory

    rows: list[Territory] = []

    def add(code: str, name: str, level: int, parent: str | None) -> None:
        rows.append(
            Territory(
                id=parse_code(code).key,
                code=code,
                name=name,
                level=level,
                parent_id=parse_code(parent).key if parent else None,
            )
        )

    add("33", "Jawa Tengah", 1, None)
    add(KOTA, "Kota Semarang", 2, "33")
    rws: list[str] = []
    rts: dict[str, list[str]] = {}
    kelurahan: list[str] = []
    for k in range(1, n_kecamatan + 1):
        kec = f"{KOTA}.{k:02d}"
        add(kec, f"Kecamatan {k}", 3, KOTA)
        for lx in range(1, n_kelurahan + 1):
            kel = f"{kec}.{1000 + lx}"
            kelurahan.append(kel)
            add(kel, f"Kelurahan {k}-{lx}", 4, kec)
            for r in range(1, n_rw + 1):
                rw = f"{kel}.{r:03d}"
                add(rw, f"RW {r:03d}", 5, kel)
                rws.append(rw)
                rts[rw] = []
                for t in range(1, n_rt + 1):
                    rt = f"{rw}.{t:03d}"
                    add(rt, f"RT {t:03d}", 6, rw)
                    rts[rw].append(rt)
    Territory.objects.bulk_create(rows, batch_size=2000)
    key = {code: parse_code(code).key for code in [*rws, *[c for v in rts.values() for c in v]]}
    return {"rws": rws, "rts": rts, "key": key, "kelurahan": kelurahan, "count": len(rows)}


def synthesize(n_volunteers: int, start: dt.date, days: int, seed: int = 7) -> dict[str, int]:
    """Two periods of ``days`` days from ``start`` (the previous one and the reported one)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from siaga.accounts.models import User
    from siaga.assessment.models import Feedback
    from siaga.health.models import Case, Monitoring, Protocol, Referral
    from siaga.logistics.models import AidRequest, Delivery, PackageTemplate
    from siaga.registry.models import Household, Resident
    from siaga.volunteers.models import Posko, Shift, ShiftAssignment, Task, Team, Volunteer

    rng = random.Random(seed)
    per_rw = 10
    n_rw_total = max(1, n_volunteers // per_rw)
    n_kecamatan, n_kelurahan, n_rw = 10, 10, max(1, round(n_rw_total / 100))
    tree = _territories(n_kecamatan, n_kelurahan, n_rw, 3)
    rws, rts, key = tree["rws"], tree["rts"], tree["key"]
    counts: dict[str, int] = {"territories": tree["count"]}
    zone = timezone.get_current_timezone()

    def at(day: dt.date, hour: float) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min), zone) + dt.timedelta(
            hours=hour
        )

    password = make_password(None)
    users = [
        User(username=f"relawan{i:05d}", password=password)
        for i in range(n_volunteers)
        if i % 10 < 7
    ]
    User.objects.bulk_create(users, batch_size=2000)
    user_ids = dict(User.objects.values_list("username", "id"))
    volunteers: list[Volunteer] = []
    for i in range(n_volunteers):
        rw = rws[i % len(rws)]
        volunteers.append(
            Volunteer(
                rw_id=key[rw],
                user_id=user_ids.get(f"relawan{i:05d}"),
                name=f"Relawan {i:05d}",
                status="active",
            )
        )
    Volunteer.objects.bulk_create(volunteers, batch_size=2000)
    by_rw: dict[int, list[tuple[int, int | None]]] = {}
    for vid, rw_id, uid in Volunteer.objects.values_list("id", "rw_id", "user_id"):
        by_rw.setdefault(rw_id, []).append((vid, uid))
    counts["volunteers"] = n_volunteers
    counts["users"] = len(users)

    Team.objects.bulk_create(
        [
            Team(rw_id=key[rw], name=name, kind=kind)
            for rw in rws
            for name, kind in (("Kesehatan", "kesehatan"), ("Logistik", "logistik"))
        ],
        batch_size=2000,
    )
    through = Volunteer.teams.through
    teams_by_rw: dict[int, list[int]] = {}
    for tid, rw_id in Team.objects.values_list("id", "rw_id"):
        teams_by_rw.setdefault(rw_id, []).append(tid)
    through.objects.bulk_create(
        [
            through(volunteer_id=vid, team_id=teams_by_rw[rw_id][n % 2])
            for rw_id, people in by_rw.items()
            for n, (vid, _uid) in enumerate(people)
        ],
        batch_size=5000,
    )
    Posko.objects.bulk_create(
        [Posko(rw_id=key[rw], name="Posko", kind="posko") for rw in rws], batch_size=2000
    )
    posko_of = dict(Posko.objects.values_list("rw_id", "id"))
    protocol = Protocol.objects.order_by("id").first()
    assert protocol is not None

    # Households (4 per RT), one case per RW with its resident.
    households = [
        Household(kk=f"33{n:014d}", rt_id=key[rt])
        for n, rt in enumerate(c for v in rts.values() for c in v for _ in range(4))
    ]
    Household.objects.bulk_create(households, batch_size=2000)
    homes: dict[int, list[int]] = {}
    for hid, rt_id in Household.objects.values_list("id", "rt_id"):
        homes.setdefault(rt_id, []).append(hid)
    first_rt = {key[rw]: key[rts[rw][0]] for rw in rws}
    rt_keys = {key[rw]: [key[rt] for rt in rts[rw]] for rw in rws}
    Resident.objects.bulk_create(
        [
            Resident(
                name=f"Pasien {rw_id}",
                sex="L",
                household_id=homes[first_rt[rw_id]][0],
                rt_id=first_rt[rw_id],
                relation="kepala",
            )
            for rw_id in by_rw
        ],
        batch_size=2000,
    )
    resident_of = {rt: rid for rid, rt in Resident.objects.values_list("id", "rt_id")}
    Case.objects.bulk_create(
        [
            Case(
                rt_id=first_rt[rw_id],
                household_id=homes[first_rt[rw_id]][0],
                resident_id=resident_of[first_rt[rw_id]],
                category="konfirmasi",
                specimen_on=start,
                isolation_place="isoman",
                protocol=protocol,
                isolation_ends_on=start + dt.timedelta(days=2 * days),
            )
            for rw_id in by_rw
        ],
        batch_size=2000,
    )
    case_of = {
        rt: (cid, hid, res)
        for cid, rt, hid, res in Case.objects.values_list(
            "id", "rt_id", "household_id", "resident_id"
        )
    }
    PackageTemplate.objects.bulk_create(
        [PackageTemplate(rw_id=rw_id, name="Paket") for rw_id in by_rw], batch_size=2000
    )
    template_of = dict(PackageTemplate.objects.values_list("rw_id", "id"))

    shifts: list[Shift] = []
    all_days = [start + dt.timedelta(days=d) for d in range(2 * days)]
    for rw_id in by_rw:
        for day in all_days:
            for name, hour in (("pagi", 6), ("sore", 14)):
                shifts.append(
                    Shift(
                        posko_id=posko_of[rw_id],
                        rw_id=rw_id,
                        name=name,
                        day=day,
                        starts_at=at(day, hour),
                        ends_at=at(day, hour + 8),
                    )
                )
    Shift.objects.bulk_create(shifts, batch_size=5000)
    counts["shifts"] = len(shifts)
    assignments: list[ShiftAssignment] = []
    for sid, rw_id, starts in Shift.objects.values_list("id", "rw_id", "starts_at").iterator(
        chunk_size=5000
    ):
        people = by_rw[rw_id]
        for vid, _uid in rng.sample(people, min(3, len(people))):
            came = rng.random() < 0.85
            assignments.append(
                ShiftAssignment(
                    shift_id=sid,
                    volunteer_id=vid,
                    checked_in_at=starts + dt.timedelta(minutes=rng.randint(0, 30))
                    if came
                    else None,
                    checked_out_at=starts + dt.timedelta(hours=rng.uniform(5, 8)) if came else None,
                )
            )
    ShiftAssignment.objects.bulk_create(assignments, batch_size=5000)
    counts["assignments"] = len(assignments)
    del shifts, assignments

    kinds = ["monitoring", "delivery", "referral", "manual", "undelivered"]
    tasks: list[Task] = []
    deliveries: list[tuple[AidRequest, dict[str, Any]]] = []
    monitoring: list[Monitoring] = []
    referrals: list[Referral] = []
    feedback: list[Feedback] = []
    for rw_id, people in by_rw.items():
        rw_rts = rt_keys[rw_id]
        account_holders = [(v, u) for v, u in people if u is not None]
        cid, chid, cres = case_of[first_rt[rw_id]]
        for day in all_days:
            for person, account in people:
                if rng.random() < 0.27:  # ~8 tasks a month each
                    due = at(day, rng.uniform(8, 20))
                    closed = due + dt.timedelta(hours=rng.uniform(-6, 3))
                    taker = rng.random() < 0.2 and account is not None
                    tasks.append(
                        Task(
                            territory_id=rng.choice(rw_rts),
                            kind=rng.choice(kinds),
                            title="tugas",
                            state="selesai",
                            due_at=due,
                            closed_at=closed,
                            assignee_id=None if taker else person,
                            taken_by_id=account if taker else None,
                        )
                    )
            if account_holders:
                for _ in range(2):  # two deliveries a day in the RW
                    vid, uid = rng.choice(account_holders)
                    rt = rng.choice(rw_rts)
                    hid = rng.choice(homes[rt])
                    request = AidRequest(
                        household_id=hid,
                        rt_id=rt,
                        template_id=template_of[rw_id],
                        for_day=day,
                        source="warga",
                        state="dikirim",
                    )
                    deliveries.append(
                        (
                            request,
                            {
                                "household_id": hid,
                                "rt_id": rt,
                                "posko_id": posko_of[rw_id],
                                "delivered_by_id": uid,
                                "delivered_at": at(day, rng.uniform(8, 17)),
                                "received_by": "Ibu",
                            },
                        )
                    )
                for slot, hour in (("pagi", 8), ("sore", 16)):
                    vid, uid = rng.choice(account_holders)
                    when = at(day, hour + rng.uniform(0, 2))
                    monitoring.append(
                        Monitoring(
                            rt_id=first_rt[rw_id],
                            household_id=chid,
                            case_id=cid,
                            taken_at=when,
                            day=day,
                            slot=slot,
                            method=rng.choice(["kunjungan", "telepon"]),
                            recorder_id=uid,
                            triage="normal",
                            protocol=protocol,
                        )
                    )
                if day.weekday() == 0:
                    vid, uid = rng.choice(account_holders)
                    created = at(day, 9)
                    referrals.append(
                        Referral(
                            rt_id=first_rt[rw_id],
                            household_id=chid,
                            resident_id=cres,
                            case_id=cid,
                            level="rujuk",
                            state="diterima",
                            created_at=created,
                            acknowledge_by=created + dt.timedelta(hours=4),
                            acknowledged_at=created + dt.timedelta(hours=rng.uniform(0.2, 6)),
                            acknowledged_by_id=uid,
                        )
                    )
            for vid, _uid in people:
                if rng.random() < 0.06:
                    feedback.append(
                        Feedback(
                            rt_id=rng.choice(rw_rts),
                            anonymous=True,
                            service="delivery",
                            volunteer_id=vid,
                            rating=rng.randint(2, 5),
                            created_at=at(day, 19),
                        )
                    )
    Task.objects.bulk_create(tasks, batch_size=5000)
    AidRequest.objects.bulk_create([r for r, _ in deliveries], batch_size=5000)
    Delivery.objects.bulk_create(
        [Delivery(request_id=r.pk, **d) for r, d in deliveries], batch_size=5000
    )
    Monitoring.objects.bulk_create(monitoring, batch_size=5000)
    Referral.objects.bulk_create(referrals, batch_size=5000)
    Feedback.objects.bulk_create(feedback, batch_size=5000)
    counts.update(
        tasks=len(tasks),
        deliveries=len(deliveries),
        monitoring=len(monitoring),
        referrals=len(referrals),
        feedback=len(feedback),
        households=len(households),
    )
    counts["rows"] = sum(v for k, v in counts.items() if k not in ("rows",))
    # Planner statistics, as autovacuum (PostgreSQL) would gather after a bulk load: without
    # them PostgreSQL guessed two volunteers and nested-looped the task counts (215 s, not 3 s).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


def child(n_volunteers: int) -> None:
    h.child_setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from siaga.accounts.models import User
    from siaga.assessment import report as rpt
    from siaga.assessment.report.pdf import build_pdf
    from siaga.assessment.report.xlsx import build_xlsx
    from siaga.territory.models import Level, Territory

    period = rpt.Period(dt.date(2021, 7, 1), dt.date(2021, 7, 31))
    previous = period.previous()
    started = h.clock()
    counts = synthesize(n_volunteers, previous.start, period.days)
    synth_seconds = h.clock() - started
    root = User.objects.create_superuser("root", password="x-bench-123")

    access = rpt.report_access(root, KOTA)
    started = h.clock()
    with CaptureQueriesContext(connection) as queries:
        report = rpt.volunteer_report(access, period)
    report_seconds = h.clock() - started

    started = h.clock()
    xlsx = build_xlsx(report, "id")
    xlsx_seconds = h.clock() - started

    kelurahan_code = (
        Territory.objects.filter(level=Level.KELURAHAN)
        .order_by("id")
        .values_list("code", flat=True)[0]
    )
    started = h.clock()
    kel_report = rpt.volunteer_report(rpt.report_access(root, kelurahan_code), period)
    kel_pdf = build_pdf(kel_report, "id")
    kel_pdf_seconds = h.clock() - started

    started = h.clock()
    city_pdf = build_pdf(report, "id")
    city_pdf_seconds = h.clock() - started
    h.report(
        {
            "counts": counts,
            "synth_seconds": synth_seconds,
            "volunteers": len(report.volunteers),
            "report_seconds": report_seconds,
            "report_queries": len(queries.captured_queries),
            "hours": report.total.current.hours,
            "tasks": report.total.current.tasks_done,
            "xlsx_seconds": xlsx_seconds,
            "xlsx_mb": len(xlsx) / 1e6,
            "kel_volunteers": len(kel_report.volunteers),
            "kel_pdf_seconds": kel_pdf_seconds,
            "kel_pdf_kb": len(kel_pdf) / 1e3,
            "city_pdf_seconds": city_pdf_seconds,
            "city_pdf_mb": len(city_pdf) / 1e6,
            "city_pdf_pages": city_pdf.count(b"/Type /Page\n") or city_pdf.count(b"/Type /Page"),
            "peak_rss_mb": h.peak_rss_mb(),
        }
    )


def run(backend: str = "all", volunteers: int = 5000) -> list[dict[str, Any]]:
    print(f"\n== Laporan Kinerja Relawan: a city of {volunteers:,} volunteers, one month ==")
    results = []
    rows = []
    for name in h.backends(backend):
        with h.fresh_database(name) as env:
            result = h.run_child(MODULE, ["--volunteers", str(volunteers)], env)
        result["backend"] = name
        results.append(result)
        c = result["counts"]
        print(
            f"{name}: synthesized {c['rows']:,} rows in {result['synth_seconds']:.1f} s "
            f"({c['assignments']:,} shift assignments, {c['tasks']:,} tasks, "
            f"{c['deliveries']:,} deliveries, {c['monitoring']:,} monitoring, "
            f"{c['referrals']:,} referrals, {c['feedback']:,} feedback; two months)"
        )
        rows.append(
            [
                name,
                f"{result['volunteers']:,}",
                f"{result['report_seconds']:.2f}",
                str(result["report_queries"]),
                f"{result['xlsx_seconds']:.1f}",
                f"{result['xlsx_mb']:.1f}",
                f"{result['city_pdf_seconds']:.1f}",
                str(result["city_pdf_pages"]),
                f"{result['kel_pdf_seconds']:.2f} ({result['kel_volunteers']})",
                f"{result['peak_rss_mb']:.0f}",
            ]
        )
    print(
        h.table(
            [
                "backend",
                "volunteers",
                "report s",
                "queries",
                "XLSX s",
                "XLSX MB",
                "city PDF s",
                "pages",
                "kel. PDF s (vol.)",
                "peak MB",
            ],
            rows,
        )
    )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="all", choices=["all", "sqlite", "postgresql"])
    parser.add_argument("--volunteers", type=int, default=5000)
    args = parser.parse_args(argv)
    if args.child:
        child(args.volunteers)
    else:
        run(args.backend, args.volunteers)


if __name__ == "__main__":
    main()
