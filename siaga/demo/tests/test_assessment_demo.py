"""The co-assessment demo builder: feedback on the services really received, anonymous rows
without any author, complaints in every state (one escalated, one about a volunteer), and a
second run that adds nothing."""

from __future__ import annotations

from typing import Any

from siaga.assessment import selectors
from siaga.assessment.models import Complaint, Feedback
from siaga.assessment.tests.fb_helpers import make_services, make_volunteer
from siaga.core.models import Contribution
from siaga.demo.assessment import build_assessment_demo


def test_demo_builds_once_with_every_state(world: Any) -> None:
    for place in ("rt003", "rt004", "rw007rt001"):
        make_services(world, place)
    volunteer = make_volunteer(world, "pengurus.rt003")
    summary = build_assessment_demo(seed=7)
    assert summary.startswith("assessment demo: ") and "complaints" in summary
    feedback = list(Feedback.objects.all())
    assert {f.service for f in feedback} >= {"delivery", "isolation", "referral", "meeting"}
    for row in feedback:
        if row.anonymous:
            assert row.household_id is None and row.author_id is None
            assert row.service == "meeting" or row.service_id is None
        else:
            assert row.household_id is not None
    assert Contribution.objects.filter(kind="assessment.feedback").count() == len(feedback)
    assert (
        not Contribution.objects.filter(kind="assessment.feedback", person_key="anonymous")
        .exclude(object_id="")
        .exists()
    )
    states = {(c.state, c.level) for c in Complaint.objects.all()}
    assert {"diterima", "ditindaklanjuti", "selesai"} <= {s for s, _ in states}
    assert ("diterima", "kelurahan") in states
    about = Complaint.objects.get(category="relawan")
    assert about.volunteer is not None and about.volunteer != volunteer
    if about.volunteer.user_id:
        viewer = about.volunteer.user
        assert about not in selectors.visible_complaints(viewer)
    counts = (Feedback.objects.count(), Complaint.objects.count())
    assert build_assessment_demo(seed=7) == "assessment demo: already there"
    assert (Feedback.objects.count(), Complaint.objects.count()) == counts
