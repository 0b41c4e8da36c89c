"""Plans with versioned history, bulk progress, meetings, comments, the accountability page."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.utils import timezone

from siaga.api.tests.helpers import USERS
from siaga.commissioning import services as commissioning
from siaga.commissioning.models import Need
from siaga.commissioning.tests.helpers import proposal, voting_round
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditEntry, Contribution
from siaga.planning import services
from siaga.planning.models import Activity, Comment, Plan, PlanVersion

pytestmark = pytest.mark.django_db


def auth(world: Any, name: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[name]}"}


@pytest.fixture
def plan(world: Any) -> Plan:
    plan = services.create_plan(
        actor=world.users["pengurus.rw006"],
        territory=world.t["rw006"],
        data={"title": "Jadwal posko", "goal": "Posko jaga 24 jam", "budget": 5_000_000},
    )
    services.add_activity(
        actor=world.users["pengurus.rw006"],
        plan=plan,
        data={
            "title": "Jaga pintu masuk",
            "responsible_user": "relawan.rw006",
            "budget": 1_000_000,
        },
    )
    services.add_activity(
        actor=world.users["pengurus.rw006"], plan=plan, data={"title": "Beli termometer"}
    )
    return plan


def test_every_change_is_versioned_with_who_and_what(world, plan, client: Client) -> None:
    first = plan.activities.get(title="Jaga pintu masuk")
    services.update_activity(
        actor=world.users["lurah.panggunglor"],
        activity=first,
        data={"percent": 40, "status": "in_progress"},
    )
    services.update_plan(actor=world.users["pengurus.rw006"], plan=plan, data={"budget": 6_000_000})
    history = client.get(f"/api/v1/plans/{plan.pk}/history", **auth(world, "warga.rt003")).json()
    assert [v["number"] for v in history] == [5, 4, 3, 2, 1]
    assert history[0]["actor"] == "pengurus.rw006"
    assert history[0]["changes"] == {"budget": [5_000_000, 6_000_000]}
    assert history[1]["actor"] == "lurah.panggunglor"
    assert history[1]["changes"] == {"percent": [0, 40], "status": ["planned", "in_progress"]}
    plan.refresh_from_db()
    assert plan.version == 5
    # An edit that changes nothing leaves no version.
    services.update_plan(actor=world.users["pengurus.rw006"], plan=plan, data={"budget": 6_000_000})
    assert PlanVersion.objects.filter(plan=plan).count() == 5


def test_bulk_progress_is_all_or_nothing_and_volunteers_update_only_their_own(world, plan) -> None:
    mine = plan.activities.get(title="Jaga pintu masuk")
    other = plan.activities.get(title="Beli termometer")
    relawan = world.users["relawan.rw006"]
    with pytest.raises(ValidationFailed) as exc:
        services.update_progress(
            actor=relawan,
            plan=plan,
            rows=[{"activity": mine.pk, "percent": 50}, {"activity": other.pk, "percent": 10}],
        )
    assert "rows.1" in exc.value.errors
    assert list(Activity.objects.order_by("id").values_list("percent", flat=True)) == [0, 0]
    changed = services.update_progress(
        actor=relawan, plan=plan, rows=[{"activity": mine.pk, "percent": 50, "spent": 200_000}]
    )
    assert [a.pk for a in changed] == [mine.pk]
    with pytest.raises(Http404):
        services.update_activity(actor=relawan, activity=other, data={"percent": 5})
    with pytest.raises(ValidationFailed):
        services.update_activity(actor=relawan, activity=mine, data={"title": "x"})
    entry = Contribution.objects.filter(kind="activity.progress").get()
    assert (entry.phase, entry.actor_group) == ("co_design", "volunteer")
    # A leader updates everything in one table post; percent must stay within 0..100.
    with pytest.raises(ValidationFailed):
        services.update_progress(
            actor=world.users["pengurus.rw006"],
            plan=plan,
            rows=[{"activity": other.pk, "percent": 150}],
        )


@pytest.mark.parametrize("user", USERS)
def test_plan_edits_matrix(world, plan, client: Client, user: str) -> None:
    editors = {
        "admin",
        "fasilitator.kota",
        "fasilitator.utara",
        "lurah.panggunglor",
        "pengurus.rw006",
    }
    readers = set(USERS) - {"puskesmas.bandarharjo"}
    before = list(Plan.objects.values()), PlanVersion.objects.count()
    response = client.patch(
        f"/api/v1/plans/{plan.pk}",
        json.dumps({"title": "Jadwal posko baru"}),
        content_type="application/json",
        **auth(world, user),
    )
    assert response.status_code == (200 if user in editors else 404)
    if user not in editors:
        assert (list(Plan.objects.values()), PlanVersion.objects.count()) == before
    reading = client.get(f"/api/v1/plans/{plan.pk}", **auth(world, user))
    assert reading.status_code == (200 if user in readers else 404)


def test_meeting_attendance_minutes_and_decisions_link_need_to_plan(world, plan, client) -> None:
    pengurus = world.users["pengurus.rw006"]
    meeting = services.create_meeting(
        actor=pengurus,
        territory=world.t["rw006"],
        data={
            "kind": "musyawarah_rw",
            "title": "Musyawarah RW 006",
            "starts_at": timezone.now() - dt.timedelta(hours=2),
            "agenda": "Posko\nLumbung pangan",
            "invitations": [{"invitee": "Ketua RT se-RW 006", "actor_group": "community_leader"}],
        },
    )
    services.record_attendance(
        actor=pengurus,
        meeting=meeting,
        attendees=[
            {"nik": world.residents["rt003"].nik},
            {"nik": world.residents["rt004"].nik},
            {"username": "relawan.rw006"},
            {"username": "lurah.panggunglor"},
            {"name": "Bhabinkamtibmas", "actor_group": "government"},
            {"nik": world.residents["rt003"].nik},  # counted once
        ],
    )
    services.write_minutes(actor=pengurus, meeting=meeting, minutes="Disepakati jadwal jaga.")
    need = commissioning.raise_need(
        actor=world.users["warga.rt003"],
        territory=world.t["rt003"],
        data={"category": "keamanan", "title": "Portal malam"},
    )
    created = services.record_meeting_decision(
        actor=pengurus,
        meeting=meeting,
        text="Tambah jaga malam",
        effect="create_activity",
        plan=plan,
        data={"title": "Jaga malam"},
    )
    closed = services.record_meeting_decision(
        actor=pengurus,
        meeting=meeting,
        text="Portal dipasang swadaya",
        effect="change_need",
        need=need,
        data={"close_reason": "Dipasang swadaya warga"},
    )
    assert created.activity is not None and created.activity.source_decision_id == created.pk
    assert created.activity.plan_id == plan.pk
    assert Need.objects.get(pk=need.pk).status == "closed" and closed.need_id == need.pk
    # Counts per actor group for everyone; names only for those managing the meeting.
    for_warga = client.get(
        f"/api/v1/meetings/{meeting.pk}/attendance", **auth(world, "warga.rt003")
    )
    assert for_warga.json() == {
        "counts": {"government": 2, "community_leader": 0, "volunteer": 1, "resident": 2},
        "attendees": None,
    }
    for_leader = client.get(
        f"/api/v1/meetings/{meeting.pk}/attendance", **auth(world, "pengurus.rw006")
    )
    assert len(for_leader.json()["attendees"]) == 5
    assert AuditEntry.objects.filter(object_type="planning.attendance", actor=pengurus).exists()
    attend = Contribution.objects.filter(kind="meeting.attend", phase="co_design")
    assert sorted(attend.values_list("actor_group", flat=True)) == [
        "government",
        "government",
        "resident",
        "resident",
        "volunteer",
    ]
    detail = client.get(f"/api/v1/meetings/{meeting.pk}", **auth(world, "warga.rt003")).json()
    assert [d["effect"] for d in detail["decisions"]] == ["create_activity", "change_need"]


def test_hidden_comments_disappear_for_readers_but_stay_auditable(world, plan, client) -> None:
    comment = services.post_comment(
        actor=world.users["warga.rt003"], target=plan, body="Kapan mulai?"
    )
    with pytest.raises(Http404):
        services.moderate_comment(
            actor=world.users["relawan.rw006"], comment=comment, hidden=True, reason="x"
        )
    services.moderate_comment(
        actor=world.users["pengurus.rw006"], comment=comment, hidden=True, reason="Tidak sopan"
    )
    url = f"/api/v1/comments?target=plan&target_id={plan.pk}"
    assert client.get(url, **auth(world, "warga.rt003")).json() == []
    moderated = client.get(url + "&include_hidden=true", **auth(world, "pengurus.rw006")).json()
    assert moderated[0]["hidden"] is True and moderated[0]["hidden_reason"] == "Tidak sopan"
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert AuditEntry.objects.filter(
        object_type="planning.comment", object_id=str(comment.pk)
    ).exists()


def test_accountability_page_is_public_and_has_no_personal_data(world, client) -> None:
    round_ = voting_round(world)
    funded = proposal(world, round_, "Ruang isolasi RW 006", 20_000_000)
    commissioning.record_vote(
        actor=world.users["pengurus.rw006"],
        round=round_,
        proposal=funded,
        nik=world.residents["rt003"].nik,
    )
    commissioning.close_round(actor=world.users["lurah.panggunglor"], round=round_)
    services.decide(
        actor=world.users["lurah.panggunglor"], proposal=funded, outcome="approved", reason="OK"
    )
    activity = Activity.objects.get(plan__proposal=funded)
    services.update_activity(
        actor=world.users["pengurus.rw006"],
        activity=activity,
        data={"percent": 60, "spent": 7_500_000},
    )
    api = client.get("/api/v1/accountability/33.74.02.1006.006").json()
    assert api["funded"] == 20_000_000 and api["spent"] == 7_500_000
    assert api["items"][0]["percent"] == 60
    page = client.get("/rencana/akuntabilitas/33.74.02.1006.006/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ruang isolasi RW 006" in html
    for person in (world.residents["rt003"].name, world.residents["rt003"].nik, "pengurus.rw006"):
        assert person not in html and person not in json.dumps(api)
    assert client.get("/rencana/akuntabilitas/33.74.02.1006/").status_code == 404


def test_plan_history_reads_as_sentences_in_the_users_language(world, plan) -> None:
    """Issue 12: the history showed "update activity" and "starts_on: None → 2026-12-04"."""
    first = plan.activities.get(title="Jaga pintu masuk")
    services.update_activity(
        actor=world.users["lurah.panggunglor"],
        activity=first,
        data={"percent": 40, "status": "in_progress", "starts_on": dt.date(2026, 12, 4)},
    )
    client = Client()
    user = world.users["pengurus.rw006"]
    client.force_login(user)
    for language in ("en", "id"):
        user.language = language
        user.save(update_fields=["language"])
        html = client.get(f"/rencana/{plan.pk}/").content.decode()
        assert "update activity" not in html and "starts_on" not in html and "None" not in html
    user.language = "en"
    user.save(update_fields=["language"])
    html = client.get(f"/rencana/{plan.pk}/").content.decode()
    assert "Changed activity “Jaga pintu masuk”" in html
    assert "Start set to 4 Dec 2026" in html
    assert "Status changed from Planned to In progress" in html
