"""Demo time: acts written through the services today, stamped when the story says they happened.

The services stamp what they write with the current time (``timezone.now()``), which is right for
people and wrong for a demo that tells two months in one go: every need, vote, plan and meeting
would carry the build's minute, after the deliveries they led to. ``acts_at(at)`` wraps service
calls and, when the block ends, stamps the rows it wrote (and the stamps it changed on earlier
rows) at ``at``, with their contribution-ledger rows, so the ledger and the records agree. The
audit trail (append-only) keeps the real time of the writes. Never later than now: a demo has
no future records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models
from django.db.models import Max, Q
from django.utils import timezone

from siaga.commissioning.models import Assessment, Decision, Need, Proposal, Round, Support, Vote
from siaga.core.models import Contribution, Notification
from siaga.planning.models import Comment, Meeting, MeetingDecision, Plan, PlanVersion

# The time stamps of the records co-commissioning and co-design write (never their schedules:
# a meeting's starts_at or a round's dates are what the demo asks for).
STAMPS: dict[type[models.Model], tuple[str, ...]] = {
    Need: ("created_at", "updated_at", "closed_at"),
    Support: ("created_at",),
    Round: ("created_at", "closed_at"),
    Proposal: ("created_at", "updated_at"),
    Assessment: ("assessed_at",),
    Vote: ("cast_at", "changed_at"),
    Decision: ("decided_at",),
    Plan: ("created_at", "updated_at"),
    PlanVersion: ("at",),
    Meeting: ("created_at", "minutes_at"),
    MeetingDecision: ("decided_at",),
    Comment: ("created_at", "hidden_at"),
    Notification: ("created_at",),
    Contribution: ("at",),
}
# Written only by the services inside the block (insert-only, or stamped by other builders with
# times of their own): only their new rows are stamped.
NEW_ROWS_ONLY = {Contribution, Notification}


def at_or_before_now(at: dt.datetime) -> dt.datetime:
    """``at``, or now when ``at`` has not come yet (today's evening when the demo is built in
    the morning)."""
    return min(at, timezone.now())


@contextmanager
def acts_at(at: dt.datetime) -> Iterator[dt.datetime]:
    """Stamp at ``at`` (never later than now) what the services write inside the block."""
    at = at_or_before_now(at)
    started = timezone.now()
    marks = {model: model._default_manager.aggregate(top=Max("pk"))["top"] or 0 for model in STAMPS}
    yield at
    for model, fields in STAMPS.items():
        for name in fields:
            written = Q(pk__gt=marks[model])
            if model not in NEW_ROWS_ONLY:
                written |= Q(**{f"{name}__gte": started})
            model._default_manager.filter(written, **{f"{name}__isnull": False}).update(
                **{name: at}
            )
