"""A small, hand-counted set of source records around Monday 5 July 2021 (``DAY``).

Expected values are written next to each record; the tests check the aggregates against them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from siaga.assessment.models import Complaint, Feedback
from siaga.commissioning.models import Need, Proposal, Round, RoundResult, Vote
from siaga.core.contributions import record_contribution
from siaga.core.models import ActorGroup, Contribution, Phase
from siaga.health.models import (
    Case,
    Contact,
    MissedSlot,
    Monitoring,
    Protocol,
    Referral,
    Vaccination,
)
from siaga.indicators import services
from siaga.logistics.models import AidRequest, Delivery, PackageTemplate
from siaga.planning.models import Attendance, Meeting
from siaga.registry.models import Resident
from siaga.volunteers.models import Posko, Shift, ShiftAssignment, Task, Volunteer

DAY = dt.date(2021, 7, 5)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def plus(days: int) -> dt.date:
    return DAY + dt.timedelta(days=days)


@dataclass
class Sources:
    world: Any
    case_a: Any
    case_b: Any


def build_sources(world: Any) -> Sources:
    t, root = world.t, world.users["root"]
    hh3, hh4 = world.households["rt003"], world.households["rt004"]
    budi3, budi4 = world.residents["rt003"], world.residents["rt004"]
    siti3 = Resident.objects.get(rt=t["rt003"], name__startswith="Siti")
    siti4 = Resident.objects.get(rt=t["rt004"], name__startswith="Siti")
    protocol = Protocol.objects.create(
        kind="isolation", name="Test", effective_from=dt.date(2021, 1, 1), params={}
    )
    common = {"category": "konfirmasi", "protocol": protocol, "isolation_ends_on": plus(10)}
    # Case A: rt003, home isolation from DAY-2, still active. Case B: rt004, central, DAY only.
    case_a = Case.objects.create(
        rt=t["rt003"], household=hh3, resident=budi3, specimen_on=plus(-2),
        isolation_place="isoman", created_at=at(DAY, 8), **common,
    )  # fmt: skip
    case_b = Case.objects.create(
        rt=t["rt004"], household=hh4, resident=budi4, specimen_on=DAY,
        isolation_place="terpusat", created_at=at(DAY, 8), ended_on=plus(1), outcome="selesai",
        **common,
    )  # fmt: skip
    # Monitoring on DAY: A pagi done, A sore missed, B pagi done → 2 of 3 on time.
    mon = {"protocol": protocol, "method": "telepon", "triage": "normal", "day": DAY}
    Monitoring.objects.create(rt=t["rt003"], case=case_a, taken_at=at(DAY, 7), slot="pagi", **mon)
    Monitoring.objects.create(rt=t["rt004"], case=case_b, taken_at=at(DAY, 7), slot="pagi", **mon)
    MissedSlot.objects.create(rt=t["rt003"], case=case_a, day=DAY, slot="sore")
    # Referrals made on DAY: acknowledged after 30 and 90 minutes, one not yet.
    ref = {"level": "rujuk", "acknowledge_by": at(DAY, 23)}
    Referral.objects.create(
        rt=t["rt003"], resident=budi3, case=case_a, created_at=at(DAY, 10),
        acknowledged_at=at(DAY, 10, 30), state="diterima", **ref,
    )  # fmt: skip
    Referral.objects.create(
        rt=t["rt004"], resident=budi4, case=case_b, created_at=at(DAY, 11),
        acknowledged_at=at(DAY, 12, 30), state="selesai", completed_at=at(DAY, 15),
        outcome="rawat_inap", **ref,
    )  # fmt: skip
    Referral.objects.create(
        rt=t["rt003"], resident=budi3, case=case_a, created_at=at(DAY, 20), **ref
    )
    # Contacts: Siti rt003 recorded 25 h after case A (on time); Siti rt004 73 h after B (late).
    con = {"protocol": protocol, "quarantine_ends_on": plus(14), "last_exposure_on": DAY}
    Contact.objects.create(
        rt=t["rt003"], household=hh3, resident=siti3, case=case_a, created_at=at(plus(1), 9), **con
    )
    Contact.objects.create(
        rt=t["rt004"], household=hh4, resident=siti4, case=case_b, created_at=at(plus(3), 9), **con
    )
    # Vaccination: of the five Sitis (born 1950), only the one in rt003 has a dose.
    Vaccination.objects.create(
        rt=t["rt003"], household=hh3, resident=siti3, given_on=plus(-10), vaccine="sinovac", dose=1
    )
    # Aid: case A's household (home isolation, recorded DAY 08:00) served at 20:00 → 1 of 1.
    posko = Posko.objects.create(rw=t["rw006"], name="Posko 6", kind="posko")
    package = PackageTemplate.objects.create(rw=t["rw006"], name="Sembako", for_isolation=True)
    request = AidRequest.objects.create(
        household=hh3, rt=t["rt003"], template=package, for_day=DAY, source="isolation",
        state="dikirim", case=case_a,
    )  # fmt: skip
    Delivery.objects.create(
        request=request, household=hh3, rt=t["rt003"], posko=posko, delivered_at=at(DAY, 20),
        received_by="Budi",
    )  # fmt: skip
    # Shifts on DAY at rw006: one staffed (1 of min 1, 4 h served), one short (1 of min 2).
    volunteer = Volunteer.objects.create(rw=t["rw006"], name="Relawan", status="active")
    shift = {"posko": posko, "rw": t["rw006"], "day": DAY, "name": "Pagi"}
    s1 = Shift.objects.create(starts_at=at(DAY, 8), ends_at=at(DAY, 12), min_people=1, **shift)
    s2 = Shift.objects.create(starts_at=at(DAY, 12), ends_at=at(DAY, 16), min_people=2, **shift)
    ShiftAssignment.objects.create(
        shift=s1, volunteer=volunteer, checked_in_at=at(DAY, 8), checked_out_at=at(DAY, 12)
    )
    ShiftAssignment.objects.create(shift=s2, volunteer=volunteer)
    # Tasks due DAY 12:00: closed 11:00 (on time), closed 13:00 (late), open (late), cancelled.
    task = {"territory": t["rt003"], "kind": "manual", "title": "Tugas", "due_at": at(DAY, 12)}
    Task.objects.create(state="selesai", closed_at=at(DAY, 11), **task)
    Task.objects.create(state="selesai", closed_at=at(DAY, 13), **task)
    Task.objects.create(state="baru", **task)
    Task.objects.create(state="batal", closed_at=at(DAY, 9), **task)
    # A need raised in rw006; a round of rw006 closed on DAY with one funded proposal and one
    # vote among the 4 eligible residents of rw006 (Budi and Siti in rt003 and rt004) → 25 %.
    Need.objects.create(
        territory=t["rw006"], category="pangan", title="Beras", created_at=at(DAY, 9)
    )
    round_ = Round.objects.create(
        territory=t["rw006"], title="Dana RW", envelope_source="Kas RW", envelope_amount=1000,
        proposals_until=plus(-20), assessment_until=plus(-15), voting_from=plus(-10),
        voting_until=plus(-1), closed_at=at(DAY, 18),
    )  # fmt: skip
    proposal = Proposal.objects.create(round=round_, territory=t["rt003"], title="Lumbung")
    RoundResult.objects.create(
        round=round_, proposal=proposal, votes=1, rank=1, amount=500, outcome="funded",
        remaining_before=1000, remaining_after=500,
    )  # fmt: skip
    Vote.objects.create(round=round_, resident=budi3, proposal=proposal, channel="meeting")
    # A meeting held on DAY with 2 residents and 1 government official; one only planned.
    meeting = Meeting.objects.create(
        territory=t["rw006"], kind="musyawarah_rw", title="Musyawarah", starts_at=at(DAY, 19),
        status="held",
    )  # fmt: skip
    Meeting.objects.create(
        territory=t["rw006"], kind="musyawarah_rw", title="Nanti", starts_at=at(DAY, 20)
    )
    for key, group in (("r:1", "resident"), ("r:2", "resident"), ("u:1", "government")):
        Attendance.objects.create(meeting=meeting, actor_group=group, person_key=key, name=key)
    # Feedback 4 and 5 in rt003 (mean 4.5, n 2); complaints: one resolved in a day, one open.
    for rating in (4, 5):
        Feedback.objects.create(
            rt=t["rt003"],
            service="delivery",
            rating=rating,
            anonymous=True,
            created_at=at(DAY, 21),
        )
    complaint = {
        "rw": t["rw006"], "complainant": root, "category": "lainnya", "description": "x",
        "answer_by": at(plus(3), 9), "created_at": at(DAY, 9),
    }  # fmt: skip
    Complaint.objects.create(
        rt=t["rt003"], state="selesai", resolved_at=at(plus(1), 9), **complaint
    )
    Complaint.objects.create(rt=t["rt004"], **complaint)
    # Contributions for the matrix: 2 acts by 1 resident and 1 by government, in co-design.
    for key, group in (("r:1", ActorGroup.RESIDENT), ("r:1", ActorGroup.RESIDENT)):
        record_contribution(
            actor=None, phase=Phase.CO_DESIGN, kind="meeting.attend", territory_id=t["rt003"].id,
            actor_group=group, person_key=key,
        )  # fmt: skip
    record_contribution(
        actor=root, phase=Phase.CO_DESIGN, kind="meeting.convene", territory_id=t["rw006"].id,
        actor_group=ActorGroup.GOVERNMENT, person_key="u:root",
    )  # fmt: skip

    Contribution.objects.filter(kind__startswith="meeting.").update(at=at(DAY, 19))
    return Sources(world=world, case_a=case_a, case_b=case_b)


@pytest.fixture
def sources(world: Any) -> Sources:
    return build_sources(world)


@pytest.fixture
def refreshed(sources: Sources) -> Sources:
    services.refresh(day_from=plus(-3), day_to=plus(6))
    return sources


@pytest.fixture
def world(shared_world: Any) -> Any:
    """The world is built once per module (see ``shared_world`` in conftest.py): building it for
    every test took longer than most of the tests themselves."""
    return shared_world
