"""The co-design form pages: meetings with agenda and invitations, attendance, minutes, meeting
decisions linked to plan activities or needs, comment moderation.

For each page: the allowed role in scope gets 200; outside scope or without the permission the
page answers 404, and a POST changes nothing. Each form has a happy path through its service.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from siaga.accounts.models import User
from siaga.commissioning import services as commissioning
from siaga.commissioning.models import Need
from siaga.core.models import AuditEntry
from siaga.planning import services
from siaga.planning.models import (
    Activity,
    Attendance,
    Comment,
    Invitation,
    Meeting,
    MeetingDecision,
    Plan,
)

pytestmark = pytest.mark.django_db


def as_user(client: Client, world: Any, name: str) -> Client:
    """Log in as ``name``, reading the pages in English (the source strings the tests match)."""
    User.objects.filter(pk=world.users[name].pk).update(language="en")
    client.force_login(world.users[name])
    return client


def status(client: Client, world: Any, name: str, url: str, data: Any = None) -> int:
    as_user(client, world, name)
    if data is None:
        return client.get(url).status_code
    return client.post(url, data).status_code


@pytest.fixture
def meeting(world: Any) -> Meeting:
    """A musyawarah of RW 006 (a community leader of RT 003 reads it but may not manage it)."""
    return services.create_meeting(
        actor=world.users["pengurus.rw006"],
        territory=world.t["rw006"],
        data={
            "kind": "musyawarah_rw",
            "title": "Musyawarah RW 006",
            "starts_at": "2021-07-10T19:30:00",
        },
    )


def meeting_post(**changes: Any) -> dict[str, Any]:
    data = {
        "territory": "33.74.02.1006.006",
        "kind": "musyawarah_rw",
        "title": "Musyawarah isolasi terpusat",
        "starts_at": "2021-07-12T19:30",
        "venue": "Balai RW 006",
        "agenda": "Laporan kasus\nRuang isolasi\n\nJadwal ronda",
        "invitations-TOTAL_FORMS": "2",
        "invitations-INITIAL_FORMS": "0",
        "invitations-MIN_NUM_FORMS": "0",
        "invitations-MAX_NUM_FORMS": "50",
        "invitations-0-invitee": "Semua kepala keluarga RT 003",
        "invitations-0-actor_group": "resident",
        "invitations-1-actor_group": "resident",
    }
    data.update(changes)
    return data


def test_meeting_create_page_role_and_territory(world, client) -> None:
    url = "/rencana/rapat/baru/"
    assert status(client, world, "pengurus.rw006", url) == 200
    assert status(client, world, "lurah.panggunglor", url) == 200
    for name in ("warga.rt003", "relawan.rw006"):
        assert status(client, world, name, url) == 404, name
    assert status(client, world, "warga.rt003", url, meeting_post()) == 404
    # RW 006 is not a place a community leader of RT 003 may convene.
    assert status(client, world, "pengurus.rt003", url, meeting_post()) == 200
    assert not Meeting.objects.exists()


def test_leader_plans_a_meeting_with_agenda_and_invitations(world, client) -> None:
    as_user(client, world, "pengurus.rw006")
    response = client.post("/rencana/rapat/baru/", meeting_post())
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rencana/rapat/{meeting.pk}/"
    assert meeting.agenda_items == ["Laporan kasus", "Ruang isolasi", "Jadwal ronda"]
    assert (
        meeting.territory_id == world.t["rw006"].id
        and timezone.localtime(meeting.starts_at).hour == 19
    )
    assert list(Invitation.objects.values_list("invitee", flat=True)) == [
        "Semua kepala keluarga RT 003"
    ]
    page = client.get(f"/rencana/rapat/{meeting.pk}/").content.decode()
    assert "Ruang isolasi" in page and "Record attendance" in page


def test_attendance_page_role_and_territory(world, meeting, client) -> None:
    url = f"/rencana/rapat/{meeting.pk}/hadir/"
    assert status(client, world, "pengurus.rw006", url) == 200
    assert status(client, world, "lurah.panggunglor", url) == 200
    for name in ("pengurus.rt003", "warga.rt003", "relawan.rw006", "puskesmas.bandarharjo"):
        assert status(client, world, name, url) == 404, name
    data = {"niks": world.residents["rt003"].nik, "usernames": "", **_guests()}
    for name in ("pengurus.rt003", "puskesmas.bandarharjo"):
        assert status(client, world, name, url, data) == 404, name
    assert not Attendance.objects.exists()


def _guests(name: str = "", group: str = "government") -> dict[str, str]:
    return {
        "guests-TOTAL_FORMS": "1",
        "guests-INITIAL_FORMS": "0",
        "guests-MIN_NUM_FORMS": "0",
        "guests-MAX_NUM_FORMS": "50",
        "guests-0-name": name,
        "guests-0-actor_group": group,
    }


def test_leader_records_attendance_counted_per_group(world, meeting, client) -> None:
    as_user(client, world, "pengurus.rw006")
    url = f"/rencana/rapat/{meeting.pk}/hadir/"
    outsider = world.residents["bandar_rt001"].nik
    response = client.post(url, {"niks": f"{outsider}\n", "usernames": "", **_guests()})
    assert "No resident with this NIK lives in the meeting" in response.content.decode()
    assert not Attendance.objects.exists()
    response = client.post(
        url,
        {
            "niks": world.residents["rt003"].nik,
            "usernames": "relawan.rw006",
            **_guests("Ibu Lurah Panggung Lor"),
        },
    )
    assert response.status_code == 302
    groups = dict(Attendance.objects.values_list("name", "actor_group"))
    assert groups == {
        "Budi rt003": "resident",
        "relawan.rw006": "volunteer",
        "Ibu Lurah Panggung Lor": "government",
    }
    assert AuditEntry.objects.filter(object_type="planning.attendance").count() == 1
    meeting.refresh_from_db()
    assert meeting.status == "held"


def test_minutes_only_by_meeting_managers(world, meeting, client) -> None:
    url = f"/rencana/rapat/{meeting.pk}/"
    assert status(client, world, "pengurus.rt003", url) == 200  # community data: readable
    assert "Write the minutes" not in client.get(url).content.decode()
    assert status(client, world, "pengurus.rt003", url, {"minutes": "x"}) == 404
    assert status(client, world, "warga.rt003", url, {"minutes": "x"}) == 404
    meeting.refresh_from_db()
    assert meeting.minutes == ""
    assert status(client, world, "pengurus.rw006", url, {"minutes": "Disepakati."}) == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Disepakati." and meeting.minutes_by == world.users["pengurus.rw006"]


@pytest.fixture
def plan(world: Any) -> Plan:
    return services.create_plan(
        actor=world.users["pengurus.rw006"],
        territory=world.t["rw006"],
        data={"title": "Ruang isolasi", "goal": "Isolasi terpusat RW 006"},
    )


def test_meeting_decision_page_role_and_territory(world, meeting, plan, client) -> None:
    url = f"/rencana/rapat/{meeting.pk}/keputusan/"
    assert status(client, world, "pengurus.rw006", url) == 200
    assert "Ruang isolasi" in client.get(url).content.decode()  # the plan is a choice
    for name in ("pengurus.rt003", "warga.rt003", "relawan.rw006", "puskesmas.bandarharjo"):
        assert status(client, world, name, url) == 404, name
    data = {"text": "Tambah kegiatan", "effect": "create_activity", "plan": str(plan.pk)}
    for name in ("pengurus.rt003", "puskesmas.bandarharjo"):
        assert status(client, world, name, url, {**data, "activity_title": "Cat"}) == 404, name
    assert not MeetingDecision.objects.exists() and not Activity.objects.exists()


def test_meeting_decisions_create_an_activity_and_change_a_need(world, meeting, plan, client):
    need = commissioning.raise_need(
        actor=world.users["warga.rt003"],
        territory=world.t["rt003"],
        data={"category": "pangan", "title": "Beras darurat", "urgency": "rendah"},
    )
    as_user(client, world, "pengurus.rw006")
    url = f"/rencana/rapat/{meeting.pk}/keputusan/"
    response = client.post(url, {"text": "Tambah kegiatan", "effect": "create_activity"})
    assert "Choose the plan the activity belongs to." in response.content.decode()
    response = client.post(
        url,
        {
            "text": "Relawan mengecat ruang isolasi",
            "effect": "create_activity",
            "plan": str(plan.pk),
            "activity_title": "Pengecatan ruang",
            "responsible_team": "Tim relawan",
            "budget": "500000",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(plan=plan)
    decision = MeetingDecision.objects.get(activity=activity)
    assert activity.source_decision == decision and activity.budget == 500_000
    response = client.post(
        url,
        {
            "text": "Beras darurat dinaikkan urgensinya",
            "effect": "change_need",
            "need": str(need.pk),
            "urgency": "tinggi",
            "households_affected": "12",
        },
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.urgency, need.households_affected) == ("tinggi", 12)
    assert MeetingDecision.objects.get(need=need).effect == "change_need"
    response = client.post(
        url,
        {
            "text": "Perlu tandon air",
            "effect": "create_need",
            "need_category": "sarana",
            "need_title": "Tandon air",
        },
    )
    assert response.status_code == 302
    assert Need.objects.get(title="Tandon air").meeting_decisions.count() == 1
    page = client.get(f"/rencana/rapat/{meeting.pk}/").content.decode()
    assert "Pengecatan ruang" in page and "Tandon air" in page


@pytest.fixture
def comment(world: Any) -> Comment:
    need = commissioning.raise_need(
        actor=world.users["warga.rt003"],
        territory=world.t["rt003"],
        data={"category": "sosial", "title": "Dapur umum"},
    )
    return services.post_comment(actor=world.users["warga.rt003"], target=need, body="Kata kasar")


def test_moderation_pages_role_and_territory(world, comment, client) -> None:
    url = "/rencana/komentar/"
    assert status(client, world, "pengurus.rw006", url) == 200
    assert "Kata kasar" in client.get(url).content.decode()
    assert status(client, world, "pengurus.rt003", url) == 200
    # Facilitators, volunteers and residents do not moderate.
    for name in ("lurah.panggunglor", "relawan.rw006", "warga.rt003"):
        assert status(client, world, name, url) == 404, name
    action = f"/rencana/komentar/{comment.pk}/moderasi/"
    data = {"hidden": "1", "reason": "kasar"}
    for name in ("lurah.panggunglor", "warga.rt003"):
        assert status(client, world, name, action, data) == 404, name
    assert status(client, world, "pengurus.rw006", action) == 405  # POST only
    comment.refresh_from_db()
    assert not comment.hidden and not AuditEntry.objects.filter(object_type="planning.comment")


def test_leader_hides_and_restores_a_comment(world, comment, client) -> None:
    action = f"/rencana/komentar/{comment.pk}/moderasi/"
    need_url = f"/usulan/kebutuhan/{comment.need_id}/"
    as_user(client, world, "pengurus.rw006")
    client.post(action, {"hidden": "1", "reason": ""})
    comment.refresh_from_db()
    assert not comment.hidden  # a reason is required
    response = client.post(action, {"hidden": "1", "reason": "Bahasa kasar"})
    assert response.status_code == 302 and response["Location"] == need_url
    comment.refresh_from_db()
    assert comment.hidden and comment.hidden_by == world.users["pengurus.rw006"]
    page = client.get(need_url).content.decode()
    assert "Kata kasar" in page and "Restore" in page  # moderators still see it
    as_user(client, world, "warga.rt003")
    assert "Kata kasar" not in client.get(need_url).content.decode()
    as_user(client, world, "pengurus.rw006")
    client.post(action, {"hidden": "0"})
    comment.refresh_from_db()
    assert not comment.hidden
    assert AuditEntry.objects.filter(object_type="planning.comment").count() == 2


def test_plans_list_answers_htmx_with_just_the_filtered_list(world, plan, client) -> None:
    as_user(client, world, "pengurus.rw006")
    response = client.get("/rencana/", {"status": plan.status}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html and "Ruang isolasi" in html
    assert "HX-Request" in response["Vary"]
    other = "done" if plan.status != "done" else "cancelled"
    assert "Ruang isolasi" not in client.get("/rencana/", {"status": other}).content.decode()
    assert "<html" in client.get("/rencana/").content.decode()
