"""Demo content for co-commissioning and co-design in Semarang Utara (synthetic, made up).

``build_commissioning_demo(seed=..., today=...)`` adds, through the services (so the ledger, the
audit trail and the plan history are filled as in real use):
- needs from several RTs of Panggung Lor, with supports;
- a finished budget round of Kelurahan Panggung Lor (Dana Kelurahan, Rp 50 juta) whose results
  fund an isolation room and a lumbung pangan, skip a proposal that no longer fits and fund a
  smaller one after it, with commissioning decisions;
- one RW 006 round open for voting today;
- two plans in progress (from the approved proposals) with activities and progress;
- three meetings with attendance, minutes and decisions linked to the plans and needs, and a
  recent one that reviews the month's work.

Every act is stamped on the day it happened (``demo.clock.acts_at``), with its ledger rows: the
finished round, its plans and meetings come before the demo's first aid delivery (the start of its
work history), the open round's proposals and votes in the last days, nothing after now.

It expects the demo accounts (lurah.panggunglor, pengurus.rw006, pengurus.rt003, relawan.rw006,
warga.rt003) and the synthetic population made by ``siaga demo``. Idempotent: a second run finds
the finished round and adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from siaga.accounts.models import User
from siaga.commissioning import services
from siaga.commissioning.models import Need, Proposal, Round
from siaga.commissioning.selectors import results
from siaga.core.policy import in_subtree
from siaga.demo.clock import acts_at
from siaga.demo.volunteers import history_start
from siaga.planning import services as planning
from siaga.planning.models import Activity, Plan
from siaga.registry.identity import IdentityError, age_on, decode_nik
from siaga.registry.models import DomicileStatus, Resident
from siaga.territory.models import Level, Territory

PANGGUNG_LOR = "33.74.02.1006"
RW006 = f"{PANGGUNG_LOR}.006"
RT003 = f"{RW006}.003"
FINISHED_TITLE = "Dana Kelurahan Panggung Lor 2021"
OPEN_TITLE = "Dana operasional RW 006"
ACCOUNTS = ("lurah.panggunglor", "pengurus.rw006", "pengurus.rt003", "relawan.rw006", "warga.rt003")
MAX_VOTERS = 60
# The finished round starts this many days before the demo's first aid delivery.
LEAD_DAYS = 40


@dataclass
class CommissioningDemo:
    skipped_reason: str = ""
    needs: int = 0
    rounds: list[int] = field(default_factory=list)
    plans: list[int] = field(default_factory=list)
    meetings: int = 0


def build_commissioning_demo(*, seed: int, today: dt.date | None = None) -> CommissioningDemo:
    today = today or timezone.localdate()
    result = CommissioningDemo()
    kelurahan = Territory.objects.filter(code=PANGGUNG_LOR).first()
    rw006 = Territory.objects.filter(code=RW006).first()
    users = {u.username: u for u in User.objects.filter(username__in=ACCOUNTS)}
    if kelurahan is None or rw006 is None or len(users) < len(ACCOUNTS):
        result.skipped_reason = "missing"
        return result
    if Round.objects.filter(territory=kelurahan, title=FINISHED_TITLE).exists():
        result.skipped_reason = "already"
        return result
    rng = random.Random(seed)
    with transaction.atomic():
        _build(result, rng, today, kelurahan, rw006, users)
    return result


def _rts(parent: Territory, limit: int) -> list[Territory]:
    return list(
        Territory.objects.filter(in_subtree("id", parent.bounds), level=Level.RT).order_by("id")[
            :limit
        ]
    )


def _eligible(rw: Territory, on: dt.date, rng: random.Random, limit: int) -> list[Resident]:
    residents = []
    candidates = (
        Resident.objects.filter(in_subtree("rt_id", rw.bounds), status=DomicileStatus.TETAP)
        .exclude(nik="")
        .filter(birth_date__isnull=False)
        .order_by("id")[:2000]
    )
    for resident in candidates:
        try:
            decode_nik(resident.nik, today=on)
        except IdentityError:
            continue
        if resident.birth_date and age_on(resident.birth_date, on) >= services.VOTING_AGE:
            residents.append(resident)
    rng.shuffle(residents)
    return residents[:limit]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _build(
    result: CommissioningDemo,
    rng: random.Random,
    today: dt.date,
    kelurahan: Territory,
    rw006: Territory,
    users: dict[str, User],
) -> None:
    lurah, pengurus = users["lurah.panggunglor"], users["pengurus.rw006"]
    rt_leader, relawan, warga = (
        users["pengurus.rt003"],
        users["relawan.rw006"],
        users["warga.rt003"],
    )
    # The finished round, its plans and meetings come before the first aid delivery of the
    # demo (the start of its work history), which they led to; every act is stamped on its day.
    day = history_start(today) - dt.timedelta(days=LEAD_DAYS)

    # ---- needs from several RTs, with supports
    rts = _rts(rw006, 4) or [rw006]
    other_rws = [
        t
        for t in Territory.objects.filter(parent=kelurahan, level=Level.RW).order_by("id")
        if t.id != rw006.id
    ][:2]
    needs_data = [
        (rw006, "kesehatan", "Ruang isolasi untuk warga OTG", 40, "tinggi"),
        (rts[0], "pangan", "Lumbung pangan untuk keluarga isoman", 25, "tinggi"),
        (rts[min(1, len(rts) - 1)], "kesehatan", "Tempat cuci tangan di gang masuk", 60, "sedang"),
        (rw006, "keamanan", "Posko jaga pintu masuk kampung", 80, "sedang"),
        (rts[-1], "sosial", "Dapur umum saat PPKM", 30, "sedang"),
    ]
    for rw in other_rws:
        needs_data.append(
            (rw, "sarana", f"Penyemprotan disinfektan {rw.display_name}", 50, "rendah")
        )
    needs: list[Need] = []
    for index, (territory, category, title, households, urgency) in enumerate(needs_data):
        with acts_at(_at(day - dt.timedelta(days=14 - index), 20)):
            needs.append(
                services.raise_need(
                    actor=lurah
                    if territory.id not in (rw006.id, *[t.id for t in rts])
                    else pengurus,
                    territory=territory,
                    data={
                        "category": category,
                        "title": title,
                        "households_affected": households,
                        "urgency": urgency,
                        "description": "Data sintetis untuk demo.",
                    },
                )
            )
    for index, need in enumerate(needs[:5]):
        with acts_at(_at(day - dt.timedelta(days=5 - index), 21)):
            for supporter in (warga, relawan, rt_leader, lurah):
                if rng.random() < 0.8:
                    services.support_need(actor=supporter, need=need)
    result.needs = len(needs)

    # ---- the finished kelurahan round
    with acts_at(_at(day, 9)):
        finished = services.create_round(
            actor=lurah,
            territory=kelurahan,
            data={
                "title": FINISHED_TITLE,
                "envelope_source": "Dana Kelurahan",
                "envelope_amount": 50_000_000,
                "proposals_until": day + dt.timedelta(days=10),
                "assessment_until": day + dt.timedelta(days=17),
                "voting_from": day + dt.timedelta(days=18),
                "voting_until": day + dt.timedelta(days=25),
            },
        )
    place_b = other_rws[0] if other_rws else rw006
    specs = [
        (
            "Ruang isolasi RW 006",
            rw006,
            [needs[0]],
            [
                ("Sekat ruangan dan kasur", 1, 12_000_000, "envelope", "materials", ""),
                ("Tabung oksigen dan oksimeter", 1, 9_000_000, "envelope", "money", ""),
                ("Tenaga jaga 24 jam", 1, 4_000_000, "envelope", "money", ""),
                ("Kerja bakti menyiapkan ruangan", 20, 100_000, "community", "labour", ""),
            ],
            "Tim kesehatan RW 006",
        ),
        (
            "Lumbung pangan Panggung Lor",
            rw006,
            [needs[1], needs[4]],
            [
                ("Rak dan wadah penyimpanan", 1, 3_000_000, "envelope", "materials", ""),
                ("Beras dan sembako awal", 1, 12_000_000, "envelope", "stock", "Beras 10 kg"),
                ("Sumbangan beras warga", 50, 50_000, "community", "stock", "Beras 5 kg"),
            ],
            "Tim lumbung pangan",
        ),
        (
            "Posko jaga pintu masuk",
            place_b,
            [needs[3]],
            [
                ("Tenda, meja dan termometer", 1, 14_000_000, "envelope", "materials", ""),
            ],
            "Tim keamanan",
        ),
        (
            "Tempat cuci tangan di gang",
            rw006,
            [needs[2]],
            [
                ("Wastafel portabel", 8, 1_000_000, "envelope", "materials", ""),
                ("Pemasangan oleh warga", 8, 100_000, "community", "labour", ""),
            ],
            "Karang taruna",
        ),
    ]
    proposals: list[Proposal] = []
    for index, (title, place, answered, items, implementer) in enumerate(specs):
        with acts_at(_at(day + dt.timedelta(days=4 + index), 10)):
            proposal = services.submit_proposal(
                actor=lurah,
                territory=place,
                round=finished,
                needs=answered,
                data={
                    "title": title,
                    "description": f"{title}: usulan warga (data sintetis).",
                    "location": place.display_name,
                    "implementer": implementer,
                    "community_contribution": "Tenaga kerja bakti dan sumbangan warga",
                    "government_request": "Dana Kelurahan",
                    "items": [
                        {
                            "description": d,
                            "quantity": q,
                            "unit_cost": c,
                            "funded_by": f,
                            "kind": k,
                            "stock_item": s,
                        }
                        for d, q, c, f, k, s in items
                    ],
                },
                today=day,
            )
        proposals.append(proposal)
    with acts_at(_at(day + dt.timedelta(days=12), 10)):
        for proposal in proposals:
            services.assess_proposal(
                actor=lurah,
                proposal=proposal,
                feasible=True,
                reason="Layak: lokasi dan biaya sudah diperiksa.",
                today=day + dt.timedelta(days=12),
            )
    # Votes (recorded at the musyawarah by the RW head): most for isolation, then lumbung,
    # posko, hand-washing. Envelope 50 M: 25 + 15 funded, posko (14 M) skipped, washing (8 M)
    # funded after it.
    vote_day = day + dt.timedelta(days=20)
    voters = _eligible(rw006, vote_day, rng, MAX_VOTERS)
    shares = [0.4, 0.3, 0.2, 0.1]
    counts = [int(len(voters) * s) for s in shares]
    counts[0] += len(voters) - sum(counts)
    ballots = [p for p, n in zip(proposals, counts, strict=True) for _ in range(n)]
    with acts_at(_at(vote_day, 20)):
        for voter, proposal in zip(voters, ballots, strict=True):
            services.record_vote(
                actor=pengurus, round=finished, proposal=proposal, nik=voter.nik, today=vote_day
            )
    with acts_at(_at(day + dt.timedelta(days=26), 9)):
        services.close_round(actor=lurah, round=finished, today=day + dt.timedelta(days=26))
    decisions = [
        ("approved", "Sesuai kebutuhan warga dan hasil pemungutan suara.", ""),
        ("approved", "Disetujui; stok dikelola tim lumbung pangan.", ""),
        (
            "rejected",
            "Sudah ditanggung program Puskesmas; sisa dana kembali ke kelurahan.",
            "",
        ),
    ]
    funded = [r.proposal for r in services_results(finished) if r.funded]
    with acts_at(_at(day + dt.timedelta(days=27), 10)):
        for proposal, (outcome, reason, changes) in zip(funded, decisions, strict=False):
            planning.decide(
                actor=lurah, proposal=proposal, outcome=outcome, reason=reason, changes=changes
            )
    result.rounds.append(finished.pk)

    # ---- plans in progress (the first two approved proposals)
    plans = list(
        Plan.objects.filter(proposal__round=finished).order_by("id").select_related("proposal")
    )
    for plan in plans:
        for index, activity in enumerate(plan.activities.order_by("id")):
            percent = [100, 70, 40, 10][index % 4]
            with acts_at(_at(day + dt.timedelta(days=LEAD_DAYS - 2), 16)):
                planning.update_activity(
                    actor=pengurus,
                    activity=activity,
                    data={
                        "percent": percent,
                        "status": "done" if percent == 100 else "in_progress",
                        "spent": activity.budget * percent // 100,
                        "starts_on": day + dt.timedelta(days=30),
                        "ends_on": today + dt.timedelta(days=30),
                    },
                )
    result.plans = [p.pk for p in plans]

    # ---- one RW 006 round open for voting today
    with acts_at(_at(today - dt.timedelta(days=16), 9)):
        open_round = services.create_round(
            actor=lurah,
            territory=rw006,
            data={
                "title": OPEN_TITLE,
                "envelope_source": "Kas RW 006",
                "envelope_amount": 6_000_000,
                "proposals_until": today - dt.timedelta(days=10),
                "assessment_until": today - dt.timedelta(days=3),
                "voting_from": today - dt.timedelta(days=2),
                "voting_until": today + dt.timedelta(days=7),
            },
        )
    open_specs = [
        ("Vitamin untuk lansia", 2_500_000),
        ("Masker kain untuk anak sekolah", 1_500_000),
        ("Penyemprotan disinfektan rutin", 3_000_000),
    ]
    with acts_at(_at(today - dt.timedelta(days=12), 10)):
        open_proposals = [
            services.submit_proposal(
                actor=pengurus,
                territory=rw006,
                round=open_round,
                needs=[],
                data={"title": t, "items": [{"description": t, "unit_cost": c}]},
                today=today - dt.timedelta(days=12),
            )
            for t, c in open_specs
        ]
    with acts_at(_at(today - dt.timedelta(days=5), 10)):
        for proposal in open_proposals:
            services.assess_proposal(
                actor=lurah,
                proposal=proposal,
                feasible=True,
                reason="Layak.",
                today=today - dt.timedelta(days=5),
            )
    own = _warga_resident(warga)  # left free, so warga.rt003 can vote in the demo
    for index, voter in enumerate(_eligible(rw006, today, rng, 12)):
        if voter.pk == own:
            continue
        # Over the voting days so far (voting opened two days ago), never later than now.
        vote_on = today - dt.timedelta(days=2 - index % 3)
        with acts_at(_at(vote_on, 19)):
            services.record_vote(
                actor=pengurus,
                round=open_round,
                proposal=rng.choice(open_proposals),
                nik=voter.nik,
                today=vote_on,
            )
    result.rounds.append(open_round.pk)

    # ---- three meetings with minutes and decisions linked to the plans and needs
    members = [
        {"username": "relawan.rw006"},
        {"username": "pengurus.rt003"},
        {"username": "lurah.panggunglor"},
        {"name": "Bhabinkamtibmas Panggung Lor", "actor_group": "government"},
    ]
    with acts_at(_at(day - dt.timedelta(days=1), 10)):
        first = planning.create_meeting(
            actor=pengurus,
            territory=rw006,
            data={
                "kind": "musyawarah_rw",
                "title": "Musyawarah RW 006: kebutuhan warga",
                "starts_at": _at(day + dt.timedelta(days=2), 19),
                "venue": "Balai RW 006",
                "agenda": "Kebutuhan ruang isolasi\nLumbung pangan\nUsulan Dana Kelurahan",
                "invitations": [
                    {"invitee": "Ketua RT se-RW 006", "actor_group": "community_leader"},
                    {"invitee": "Warga RW 006", "actor_group": "resident"},
                ],
            },
        )
    with acts_at(_at(day + dt.timedelta(days=2), 21)):
        planning.record_attendance(
            actor=pengurus, meeting=first, attendees=_residents_of(rw006, voters, 10) + members
        )
        planning.write_minutes(
            actor=pengurus,
            meeting=first,
            minutes="Warga sepakat mengusulkan ruang isolasi dan lumbung pangan ke Dana Kelurahan.",
        )
        planning.record_meeting_decision(
            actor=pengurus,
            meeting=first,
            text="Kebutuhan ruang isolasi dinaikkan menjadi sangat mendesak.",
            effect="change_need",
            need=needs[0],
            data={"households_affected": 45},
        )
    result.meetings += 1
    for plan, (kind, title, territory, activity_title) in zip(
        plans,
        [
            (
                "rapat_koordinasi",
                "Rapat koordinasi ruang isolasi",
                kelurahan,
                "Jadwal jaga ruang isolasi",
            ),
            (
                "musyawarah_rt",
                "Musyawarah RT: jadwal lumbung pangan",
                rts[0],
                "Jadwal antar sembako",
            ),
        ],
        strict=False,
    ):
        with acts_at(_at(day + dt.timedelta(days=31), 10)):
            meeting = planning.create_meeting(
                actor=lurah,
                territory=territory,
                data={
                    "kind": kind,
                    "title": title,
                    "starts_at": _at(day + dt.timedelta(days=35), 19),
                    "venue": "Kantor Kelurahan Panggung Lor"
                    if kind == "rapat_koordinasi"
                    else "Pos RT",
                    "agenda": f"{plan.title}\nPembagian tugas relawan",
                },
            )
        with acts_at(_at(day + dt.timedelta(days=35), 21)):
            planning.record_attendance(
                actor=lurah,
                meeting=meeting,
                attendees=_residents_of(territory, voters, 6) + members,
            )
            planning.write_minutes(
                actor=lurah,
                meeting=meeting,
                minutes=f"Disepakati pembagian tugas untuk {plan.title}.",
            )
            planning.record_meeting_decision(
                actor=lurah,
                meeting=meeting,
                text=f"{activity_title} dikelola relawan RW 006.",
                effect="create_activity",
                plan=plan,
                data={
                    "title": activity_title,
                    "responsible_team": "Relawan RW 006",
                    "responsible_user": relawan,
                    "starts_on": day + dt.timedelta(days=36),
                    "ends_on": today + dt.timedelta(days=30),
                    "percent": 50,
                    "status": "in_progress",
                },
            )
        result.meetings += 1
    # The responsible volunteer reports progress on their own activity.
    with acts_at(_at(day + dt.timedelta(days=LEAD_DAYS - 1), 20)):
        for activity in Activity.objects.filter(plan__in=plans, responsible_user=relawan):
            planning.update_progress(
                actor=relawan, plan=activity.plan, rows=[{"activity": activity.pk, "percent": 60}]
            )

    # ---- a recent evaluation meeting of the month's work (the residents rate it)
    with acts_at(_at(today - dt.timedelta(days=10), 10)):
        review = planning.create_meeting(
            actor=pengurus,
            territory=rw006,
            data={
                "kind": "musyawarah_rw",
                "title": "Musyawarah RW 006: evaluasi antar sembako dan jaga posko",
                "starts_at": _at(today - dt.timedelta(days=7), 19),
                "venue": "Balai RW 006",
                "agenda": "Evaluasi antar sembako isoman\nJadwal jaga posko",
            },
        )
    with acts_at(_at(today - dt.timedelta(days=7), 21)):
        planning.record_attendance(
            actor=pengurus, meeting=review, attendees=_residents_of(rw006, voters, 8) + members
        )
        planning.write_minutes(
            actor=pengurus,
            meeting=review,
            minutes="Paket diantar sebelum jam 12 siang; jadwal jaga posko ditata ulang.",
        )
    result.meetings += 1


def _residents_of(place: Territory, voters: list[Resident], limit: int) -> list[dict[str, Any]]:
    return [{"nik": v.nik} for v in voters if place.contains(v.rt_id)][:limit]


def services_results(round_: Round) -> list[Any]:
    return results(round_)


def _warga_resident(user: User) -> int | None:
    membership = user.memberships.filter(resident__isnull=False).first()
    return membership.resident_id if membership else None
