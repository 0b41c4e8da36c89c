"""Demo: refresh the indicator aggregates over the whole date range of the demo data.

Called last by ``siaga demo`` (after the other apps built their records). Idempotent: the
refresh replaces the rows of the range.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core.models import Contribution
from siaga.demo.console import number
from siaga.health.models import Case
from siaga.indicators import services

MAX_DAYS = 366


def _span() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    first = [today - dt.timedelta(days=90)]
    bounds = Contribution.objects.aggregate(first=Min("at"), last=Max("at"))
    if bounds["first"]:
        first.append(services.local_day(bounds["first"]))
    case_first = Case.objects.aggregate(first=Min("specimen_on"))["first"]
    if case_first:
        first.append(case_first)
    last = today
    if bounds["last"]:
        last = max(last, services.local_day(bounds["last"]))
    # The demo builders date their records within the last months; never more than a year.
    return max(min(first), today - dt.timedelta(days=MAX_DAYS)), last


def build_indicators_demo(seed: int = 2021) -> str:
    """Refresh every indicator over the demo's date range (the other builders wrote their acts'
    contributions with their records); ``seed`` is unused (no randomness), kept for the builders'
    signature."""
    day_from, day_to = _span()
    run = services.refresh(day_from=day_from, day_to=day_to, trigger="demo")
    return _("indicators: %(rows)s aggregate rows for %(start)s … %(end)s") % {
        "rows": number(run.rows),
        "start": day_from.isoformat(),
        "end": day_to.isoformat(),
    }
