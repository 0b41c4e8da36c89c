"""The indicators, defined as data: the dashboard, API, CSV export and tests iterate this list.

``combine`` says how a value is read from summed numerators and denominators over a bucket of
days (and over a subtree, which the refresh job has already summed):

- ``sum``: the numerator total (counts, hours);
- ``daily_mean``: the numerator total divided by the number of days of the bucket (snapshot
  counts such as active cases, which are measured every day);
- ``percent``: 100 × numerator / denominator (none when the denominator is 0);
- ``mean``: numerator / denominator (e.g. mean rating; ``n`` is the denominator);
- ``percentile``: the ``q``-th percentile of the merged samples (exact: samples are kept).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise
    unit: str  # "count", "percent", "minutes", "hours", "rating"
    combine: str  # "sum", "daily_mean", "percent", "mean", "percentile"
    chart: str  # "line" or "bar"
    section: str
    stored: str = ""  # the stored key when several indicators read the same rows
    q: float = 0.0  # the percentile, for combine == "percentile"
    headline: bool = True  # shown in the drill-down table of child territories

    @property
    def source(self) -> str:
        return self.stored or self.key

    def value(self, numerator: float, denominator: float, days: int, samples: list[float]) -> Any:
        """The displayed value of a bucket; None when undefined (no denominator, no samples).
        Whole counts come back as ``int``."""
        result = self._value(numerator, denominator, days, samples)
        if isinstance(result, float) and self.unit == "count" and result.is_integer():
            return int(result)
        return result

    def _value(self, numerator: float, denominator: float, days: int, samples: list[float]) -> Any:
        if self.combine == "sum":
            return round(numerator, 1)
        if self.combine == "daily_mean":
            return round(numerator / days, 1) if days else None
        if self.combine == "percent":
            return round(100 * numerator / denominator, 1) if denominator else None
        if self.combine == "mean":
            return round(numerator / denominator, 2) if denominator else None
        if self.combine == "percentile":
            return percentile(samples, self.q)
        raise ValueError(self.combine)


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100) by linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return round(value, 1)


HEALTH = "health"
DELIVERY = "delivery"
COMMISSIONING = "commissioning"
DESIGN = "design"
ASSESSMENT = "assessment"

SECTIONS = {
    HEALTH: _("Health co-delivery"),
    DELIVERY: _("Aid and volunteers"),
    COMMISSIONING: _("Co-commissioning"),
    DESIGN: _("Co-design: meetings"),
    ASSESSMENT: _("Co-assessment"),
}

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "active_cases", _("Active cases (daily mean)"), "count", "daily_mean", "line", HEALTH
    ),
    Indicator(
        "isolating_households",
        _("Households in home isolation (daily mean)"),
        "count",
        "daily_mean",
        "line",
        HEALTH,
    ),
    Indicator(
        "monitoring_on_time",
        _("Monitoring slots done on time"),
        "percent",
        "percent",
        "line",
        HEALTH,
    ),
    Indicator(
        "referral_ack_median",
        _("Danger sign to referral acknowledgement, median"),
        "minutes",
        "percentile",
        "line",
        HEALTH,
        stored="referral_ack",
        q=50,
    ),
    Indicator(
        "referral_ack_p90",
        _("Danger sign to referral acknowledgement, 90th percentile"),
        "minutes",
        "percentile",
        "line",
        HEALTH,
        stored="referral_ack",
        q=90,
        headline=False,
    ),
    Indicator(
        "referral_hospital",
        _("Referrals completed: admitted to hospital"),
        "count",
        "sum",
        "bar",
        HEALTH,
        headline=False,
    ),
    Indicator(
        "referral_central",
        _("Referrals completed: moved to central isolation"),
        "count",
        "sum",
        "bar",
        HEALTH,
        headline=False,
    ),
    Indicator(
        "referral_home",
        _("Referrals completed: back to home isolation"),
        "count",
        "sum",
        "bar",
        HEALTH,
        headline=False,
    ),
    Indicator(
        "contacts_quarantine_48h",
        _("Contacts in quarantine within 48 h of the case record"),
        "percent",
        "percent",
        "line",
        HEALTH,
    ),
    Indicator(
        "vaccination_60plus",
        _("Residents aged 60+ with at least one vaccine dose"),
        "percent",
        "percent",
        "line",
        HEALTH,
    ),
    Indicator(
        "aid_within_24h",
        _("Isolating households with aid within 24 h"),
        "percent",
        "percent",
        "line",
        DELIVERY,
    ),
    Indicator(
        "shifts_staffed", _("Posko shifts fully staffed"), "percent", "percent", "line", DELIVERY
    ),
    Indicator("tasks_on_time", _("Tasks done on time"), "percent", "percent", "line", DELIVERY),
    Indicator("volunteer_hours", _("Volunteer hours"), "hours", "sum", "bar", DELIVERY),
    Indicator("needs_raised", _("Needs raised"), "count", "sum", "bar", COMMISSIONING),
    Indicator("proposals_funded", _("Proposals funded"), "count", "sum", "bar", COMMISSIONING),
    Indicator(
        "voter_turnout",
        _("Voter turnout (votes / eligible voters)"),
        "percent",
        "percent",
        "bar",
        COMMISSIONING,
    ),
    Indicator("meetings_held", _("Meetings held"), "count", "sum", "bar", DESIGN),
    Indicator(
        "attendance_government",
        _("Meeting attendance: government"),
        "count",
        "sum",
        "bar",
        DESIGN,
        headline=False,
    ),
    Indicator(
        "attendance_community_leader",
        _("Meeting attendance: community leaders"),
        "count",
        "sum",
        "bar",
        DESIGN,
        headline=False,
    ),
    Indicator(
        "attendance_volunteer",
        _("Meeting attendance: volunteers"),
        "count",
        "sum",
        "bar",
        DESIGN,
        headline=False,
    ),
    Indicator(
        "attendance_resident",
        _("Meeting attendance: residents"),
        "count",
        "sum",
        "bar",
        DESIGN,
        headline=False,
    ),
    Indicator(
        "satisfaction", _("Satisfaction (mean rating 1–5)"), "rating", "mean", "line", ASSESSMENT
    ),
    Indicator(
        "complaints_resolved_3d",
        _("Complaints resolved within 3 days"),
        "percent",
        "percent",
        "line",
        ASSESSMENT,
    ),
)

BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
# The keys the refresh job stores (several indicators may read one stored key).
STORED_KEYS = tuple(dict.fromkeys(indicator.source for indicator in INDICATORS))
PERCENTILE_KEYS = frozenset(i.source for i in INDICATORS if i.combine == "percentile")
