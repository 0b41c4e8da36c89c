"""Complaints (pengaduan): filing with a checked photo, routing to the RW pengurus, the state
machine, escalation to the kelurahan after three days (time passed in, no sleeping), and a
volunteer never seeing a complaint about them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from siaga.accounts.services import add_membership
from siaga.assessment import selectors, services, tasks
from siaga.assessment.models import Complaint, ComplaintEvent
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditEntry, Contribution, Notification
from siaga.core.roles import Role

from .fb_helpers import make_delivery, make_volunteer

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"0" * 32


def file(world: Any, user: str = "warga.rt003", **kwargs: Any) -> Complaint:
    kwargs.setdefault("household", world.households["rt003"])
    kwargs.setdefault("category", "layanan")
    kwargs.setdefault("description", "Bantuan datang terlambat dua hari.")
    return services.file_complaint(actor=world.users[user], **kwargs)


def inbox(world: Any, user: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient=world.users[user]).values_list("kind", flat=True)
    )


def test_filing_routes_to_the_rw_pengurus_and_is_audited(world: Any) -> None:
    now = timezone.now()
    complaint = file(world, now=now)
    assert complaint.rw == world.t["rw006"] and complaint.rt == world.t["rt003"]
    assert complaint.state == "diterima" and complaint.level == "rw"
    assert complaint.answer_by == now + dt.timedelta(days=3)
    assert inbox(world, "pengurus.rw006") == ["complaint_new"]
    assert inbox(world, "pengurus.rt003") == ["complaint_new"]
    assert inbox(world, "lurah.panggunglor") == []
    assert list(complaint.events.values_list("state", "level")) == [("diterima", "rw")]
    assert AuditEntry.objects.filter(
        object_type="assessment.complaint", actor=world.users["warga.rt003"], action="create"
    ).exists()
    contribution = Contribution.objects.get(kind="assessment.complaint")
    assert (contribution.phase, contribution.actor_group) == ("co_assessment", "resident")


def test_photo_is_checked_before_anything_is_saved(world: Any) -> None:
    fake = SimpleUploadedFile("x.jpg", b"MZ not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as exc:
        file(world, photo=fake)
    assert "JPEG, PNG or WebP" in exc.value.errors["photo"][0]
    big = SimpleUploadedFile("x.png", PNG + b"0" * (5 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationFailed) as exc:
        file(world, photo=big)
    assert "larger than 5 MB" in exc.value.errors["photo"][0]
    assert Complaint.objects.count() == 0 and Notification.objects.count() == 0
    complaint = file(world, photo=SimpleUploadedFile("f.webp", WEBP))
    assert complaint.photo.name.endswith(f"{complaint.pk}.webp")


def test_bad_input_gives_clear_messages(world: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        file(world, category="nope", description="  ")
    assert set(exc.value.errors) == {"category", "description"}
    with pytest.raises(ValidationFailed) as exc:
        file(world, category="relawan")
    assert "volunteer" in exc.value.errors["volunteer"][0]
    other_rw = make_volunteer(world, "relawan.rw006", "rw007")
    with pytest.raises(ValidationFailed) as exc:
        file(world, category="relawan", volunteer=other_rw)
    assert "this RW" in exc.value.errors["volunteer"][0]
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    "user,place,allowed",
    [
        ("warga.rt003", "rt003", True),
        ("warga.rt003", "rt004", False),
        ("relawan.rw006", "rt004", True),
        ("pengurus.rt003", "rt004", False),
        ("puskesmas.bandarharjo", "rt003", False),
    ],
)
def test_who_may_file_for_which_household(world: Any, user: str, place: str, allowed: bool) -> None:
    if allowed:
        assert file(world, user, household=world.households[place]).complainant == world.users[user]
    else:
        with pytest.raises(Http404):
            file(world, user, household=world.households[place])
        assert (
            Complaint.objects.count() == 0
            and AuditEntry.objects.filter(object_type="assessment.complaint").count() == 0
        )


def test_relawan_files_for_an_rt_of_their_territory_only(world: Any) -> None:
    complaint = file(world, "relawan.rw006", household=None, rt=world.t["rt004"])
    assert complaint.household is None and complaint.rw == world.t["rw006"]
    with pytest.raises(Http404):
        file(world, "relawan.rw006", household=None, rt=world.t["rw007rt001"])
    with pytest.raises(Http404):
        file(world, "relawan.rw006", household=None, rt=world.t["rw006"])  # not an RT


def test_volunteer_is_resolved_from_the_delivery(world: Any) -> None:
    volunteer = make_volunteer(world)
    delivery = make_delivery(world)
    complaint = file(world, category="relawan", service="delivery", service_id=delivery.pk)
    assert complaint.volunteer == volunteer


def test_state_machine_and_public_history(world: Any) -> None:
    complaint = file(world)
    pengurus = world.users["pengurus.rw006"]
    t0 = timezone.now()
    with pytest.raises(ValidationFailed) as exc:
        services.respond_to_complaint(
            actor=pengurus, complaint=complaint, state="diterima", response="ok"
        )
    assert "cannot go from" in exc.value.errors["state"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.respond_to_complaint(
            actor=pengurus, complaint=complaint, state="ditindaklanjuti", response=" "
        )
    assert "Write a response" in exc.value.errors["response"][0]
    complaint = services.respond_to_complaint(
        actor=pengurus,
        complaint=complaint,
        state="ditindaklanjuti",
        response="Kami cek ke posko.",
        now=t0,
    )
    assert complaint.first_response_at == t0 and complaint.resolved_at is None
    assert inbox(world, "warga.rt003") == ["complaint_answered"]
    later = t0 + dt.timedelta(hours=5)
    complaint = services.respond_to_complaint(
        actor=pengurus, complaint=complaint, state="selesai", response="Sudah dikirim.", now=later
    )
    assert complaint.state == "selesai" and complaint.resolved_at == later
    assert complaint.first_response_at == t0
    with pytest.raises(ValidationFailed) as exc:
        services.respond_to_complaint(
            actor=pengurus, complaint=complaint, state="ditindaklanjuti", response="lagi"
        )
    assert "resolved" in exc.value.errors["state"][0]
    assert Complaint.objects.get(pk=complaint.pk).state == "selesai"
    history = list(complaint.events.values_list("state", "note"))
    assert [h[0] for h in history] == ["diterima", "ditindaklanjuti", "selesai"]
    assert history[-1][1] == "Sudah dikirim."
    kinds = sorted(Contribution.objects.values_list("kind", flat=True))
    assert kinds == [
        "assessment.complaint",
        "assessment.complaint_answered",
        "assessment.complaint_resolved",
    ]
    assert Contribution.objects.get(kind="assessment.complaint_resolved").actor_group == (
        "community_leader"
    )
    # The complainant reads the response in "Pengaduan saya".
    mine = selectors.my_complaints(world.users["warga.rt003"]).get()
    assert mine.response == "Sudah dikirim."


@pytest.mark.parametrize(
    "user,allowed",
    [
        ("pengurus.rw006", True),
        ("pengurus.rt003", True),
        ("lurah.panggunglor", True),
        ("admin", True),
        ("relawan.rw006", False),
        ("warga.rt003", False),
        ("puskesmas.bandarharjo", False),
    ],
)
def test_who_may_answer(world: Any, user: str, allowed: bool) -> None:
    complaint = file(world)
    call = lambda: services.respond_to_complaint(  # noqa: E731
        actor=world.users[user], complaint=complaint, state="ditindaklanjuti", response="ok"
    )
    if allowed:
        assert call().state == "ditindaklanjuti"
    else:
        with pytest.raises(Http404):
            call()
        assert Complaint.objects.get(pk=complaint.pk).state == "diterima"
        assert ComplaintEvent.objects.count() == 1


def test_escalation_after_three_days_is_idempotent(world: Any) -> None:
    t0 = timezone.now()
    overdue = file(world, now=t0)
    answered = file(world, now=t0)
    fresh = file(world, now=t0 + dt.timedelta(days=2))
    services.respond_to_complaint(
        actor=world.users["pengurus.rw006"],
        complaint=answered,
        state="ditindaklanjuti",
        response="Sedang dicek",
        now=t0 + dt.timedelta(days=1),
    )
    assert services.escalate_overdue(now=t0 + dt.timedelta(days=2, hours=23)) == 0
    at = t0 + dt.timedelta(days=3, minutes=1)
    assert services.escalate_overdue(now=at) == 1
    overdue.refresh_from_db()
    assert overdue.level == "kelurahan" and overdue.escalated_at == at
    last = overdue.events.last()
    assert last is not None and last.note.startswith("Not answered within 3 days")
    # The fasilitator of the kelurahan is told, not the kota or kecamatan ones.
    assert inbox(world, "lurah.panggunglor") == ["complaint_escalated"]
    assert inbox(world, "fasilitator.kota") == []
    assert services.escalate_overdue(now=at + dt.timedelta(hours=1)) == 0
    assert Complaint.objects.get(pk=answered.pk).level == "rw"
    assert Complaint.objects.get(pk=fresh.pk).level == "rw"
    assert ComplaintEvent.objects.filter(level="kelurahan").count() == 1
    # The kelurahan answers the escalated complaint.
    done = services.respond_to_complaint(
        actor=world.users["lurah.panggunglor"],
        complaint=overdue,
        state="selesai",
        response="Ditangani kelurahan.",
    )
    assert done.level == "kelurahan" and done.state == "selesai"


def test_periodic_task_escalates(world: Any) -> None:
    complaint = file(world, now=timezone.now() - dt.timedelta(days=4))
    assert tasks.escalate_overdue_complaints.call_local() == 1
    assert Complaint.objects.get(pk=complaint.pk).level == "kelurahan"


def test_volunteer_never_sees_a_complaint_about_them_even_as_pengurus(world: Any) -> None:
    pengurus = world.users["pengurus.rw006"]
    volunteer = make_volunteer(world, "pengurus.rw006")
    add_membership(
        actor=world.users["root"], user=pengurus, role=Role.RELAWAN, territory=world.t["rw006"]
    )
    about = file(world, category="relawan", volunteer=volunteer)
    other = file(world)
    # Not told, not listed, not found, cannot answer.
    assert inbox(world, "pengurus.rw006") == ["complaint_new"]
    assert list(selectors.complaint_queue(pengurus)) == [other]
    assert about not in selectors.visible_complaints(pengurus)
    with pytest.raises(Http404):
        selectors.complaint_or_404(pengurus, about.pk)
    with pytest.raises(Http404):
        services.respond_to_complaint(
            actor=pengurus, complaint=about, state="selesai", response="Tidak benar"
        )
    # Other pengurus and the complainant see it.
    assert about in selectors.complaint_queue(world.users["pengurus.rt003"])
    assert selectors.complaint_or_404(world.users["warga.rt003"], about.pk) == about
    # Escalation does not tell the volunteer either.
    assert services.escalate_overdue(now=timezone.now() + dt.timedelta(days=4)) == 2
    assert "complaint_escalated" not in inbox(world, "pengurus.rw006")


def test_complainant_sees_own_complaints_only(world: Any) -> None:
    mine = file(world)
    theirs = file(world, "relawan.rw006", household=world.households["rt004"])
    warga = world.users["warga.rt003"]
    assert list(selectors.my_complaints(warga)) == [mine]
    assert list(selectors.visible_complaints(warga)) == [mine]
    with pytest.raises(Http404):
        selectors.complaint_or_404(warga, theirs.pk)
    relawan = world.users["relawan.rw006"]
    assert list(selectors.visible_complaints(relawan)) == [theirs]


def test_complaint_queue_puts_overdue_first(world: Any) -> None:
    t0 = timezone.now()
    recent = file(world, now=t0)
    old = file(world, now=t0 - dt.timedelta(days=4))
    queue = list(selectors.complaint_queue(world.users["pengurus.rw006"], now=t0))
    assert queue == [old, recent]
    assert [getattr(c, "overdue") for c in queue] == [True, False]  # noqa: B009


def test_escalation_goes_to_the_nearest_fasilitator_above(world: Any) -> None:
    # Kemijen (Semarang Timur) has no kelurahan or kecamatan fasilitator: the kota one is told.
    file(world, "admin", household=world.households["timur_rt001"], now=timezone.now())
    assert services.escalate_overdue(now=timezone.now() + dt.timedelta(days=3, hours=1)) == 1
    assert inbox(world, "fasilitator.kota") == ["complaint_escalated"]
    assert inbox(world, "fasilitator.utara") == []
    assert inbox(world, "lurah.panggunglor") == []
