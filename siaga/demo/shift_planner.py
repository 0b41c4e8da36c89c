"""Demo content for the shift planner (issue 12), on top of the volunteers demo, in RW 006 of
Panggung Lor: a Saturday vaccination shift that needs a nakes and waits for the pengurus to
confirm sign-ups, a one-off kerja bakti, relawan.rw006 asking for one and placed on the other.

Built through the services (permissions, audit, contributions, notifications as in real use).
Idempotent: the vaccination template marks a finished run. Not yet in ``siaga demo``'s builders:
add ``(_("shift planner: skills, confirmation, one-off shifts"), build_shift_planner_demo)``
after the volunteers demo.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.accounts.models import User
from siaga.core.errors import ValidationFailed
from siaga.volunteers import services
from siaga.volunteers.models import Posko, PoskoKind, Shift, ShiftTemplate

RW006 = "33.74.02.1006.006"
TEMPLATE = "vaksinasi"


def build_shift_planner_demo(*, seed: int = 2021, today: dt.date | None = None) -> str:
    del seed  # nothing random here; the signature matches the other builders
    today = today or timezone.localdate()
    main = Posko.objects.filter(rw__code=RW006, kind=PoskoKind.POSKO).order_by("pk").first()
    gate = Posko.objects.filter(rw__code=RW006, kind=PoskoKind.ENTRY_POST).order_by("pk").first()
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if main is None or gate is None or admin is None:
        return _("skipped: no volunteers demo")
    if ShiftTemplate.objects.filter(posko=main, name=TEMPLATE).exists():
        return _("already")
    template = services.create_shift_template(
        actor=admin,
        posko=main,
        name=TEMPLATE,
        starts=dt.time(8),
        ends=dt.time(12),
        min_people=2,
        max_people=4,
        weekdays=[5],
        withdraw_cutoff_hours=24,
        requires_confirmation=True,
        skill_requirements={"nakes": 1},
    )
    services.generate_roster(actor=admin, posko=main, start=today + dt.timedelta(days=1), days=14)
    sunday = today + dt.timedelta(days=(6 - today.weekday()) % 7 or 7)
    kerja_bakti = services.create_one_off_shift(
        actor=admin,
        posko=gate,
        name="Kerja bakti",
        day=sunday,
        starts=dt.time(7),
        ends=dt.time(10),
        min_people=3,
        max_people=8,
    )
    relawan = User.objects.filter(username="relawan.rw006").first()
    seats = 0
    if relawan is not None and services.volunteer_of(relawan, main.rw_id) is not None:
        vaccination = Shift.objects.filter(template=template).order_by("starts_at").first()
        for shift in (vaccination, kerja_bakti):
            if shift is None:
                continue
            try:
                services.sign_up(actor=relawan, shift=shift)
                seats += 1
            except ValidationFailed:  # e.g. the places left are kept for a nakes
                continue
    shifts = Shift.objects.filter(template=template).count()
    return _("%(shifts)s vaccination shifts, 1 one-off shift, %(seats)s seats for %(user)s") % {
        "shifts": shifts,
        "seats": seats,
        "user": "relawan.rw006",
    }
