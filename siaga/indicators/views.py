"""Web pages: indicator dashboards and the co-production matrix.

Charts are inline SVG drawn on the server (no JavaScript), each with its data table beneath and
a CSV link. Territory out of reach → 404 (``selectors.territory_for``).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from siaga.core.models import ActorGroup, Phase

from . import selectors
from .registry import BY_KEY, SECTIONS
from .services import MATRIX_MAX_LEVEL

CHART_W, CHART_H = 320, 120


@dataclass
class Period:
    territory: Any
    day_from: dt.date
    day_to: dt.date
    interval: str
    errors: list[str]

    def query(self, **extra: Any) -> str:
        params = {
            "territory": self.territory.code,
            "from": self.day_from.isoformat(),
            "to": self.day_to.isoformat(),
            "interval": self.interval,
            **extra,
        }
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _date(value: str | None, label: str, errors: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(_("Enter the %(field)s date as YYYY-MM-DD.") % {"field": label})
        return None


def _period(request: HttpRequest) -> Period:
    """Territory (404 if out of reach), period and interval from the query string; bad input
    falls back to the defaults with a message."""
    territory = selectors.territory_for(request.user, request.GET.get("territory"))
    errors: list[str] = []
    default_from, default_to = selectors.default_period()
    day_to = _date(request.GET.get("to"), _("end"), errors) or default_to
    day_from = _date(request.GET.get("from"), _("start"), errors) or min(default_from, day_to)
    problems = selectors.check_period(day_from, day_to)
    if problems:
        errors.append(
            _("The end of the period is before its start.")
            if "to_before_from" in problems
            else _("The period is too long (at most %(n)d days).") % {"n": selectors.MAX_DAYS}
        )
        day_from, day_to = default_from, default_to
    interval = request.GET.get("interval") or "week"
    if interval not in selectors.INTERVALS:
        errors.append(_("Choose day or week."))
        interval = "week"
    return Period(territory, day_from, day_to, interval, errors)


def _chart(series: selectors.Series) -> dict[str, Any]:
    """Coordinates of an inline SVG line or bar chart (y from 0 to the largest value)."""
    values = [p.value for p in series.points]
    known = [v for v in values if v is not None]
    top = max(known) if known else 0
    if series.indicator.unit == "percent":
        top = 100
    top = top or 1
    n = max(len(values), 1)
    step = CHART_W / n
    bars, points = [], []
    for i, value in enumerate(values):
        if value is None:
            continue
        height = CHART_H * value / top
        x = i * step
        bars.append(
            {
                "x": round(x + step * 0.1, 1),
                "y": round(CHART_H - height, 1),
                "w": round(max(step * 0.8, 1), 1),
                "h": round(height, 1),
            }
        )
        points.append(f"{round(x + step / 2, 1)},{round(CHART_H - height, 1)}")
    return {
        "kind": series.indicator.chart,
        "bars": bars,
        "points": " ".join(points),
        "dots": [p.split(",") for p in points] if len(points) == 1 else [],
        "top": round(top, 1),
        "width": CHART_W,
        "height": CHART_H,
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    all_series = selectors.series(period.territory, period.day_from, period.day_to, period.interval)
    sections = []
    for section, label in SECTIONS.items():
        items = [
            {"series": s, "chart": _chart(s), "csv": period.query(indicator=s.indicator.key)}
            for s in all_series
            if s.indicator.section == section
        ]
        sections.append({"label": label, "items": items})
    children = selectors.children(period.territory, period.day_from, period.day_to)
    child_links = [
        {
            "row": row,
            "query": period.query(territory=row.territory.code),
            "cells": [(i, row.values[i.key]) for i in selectors.HEADLINE],
        }
        for row in children
    ]
    return render(
        request,
        "indicators/dashboard.html",
        {
            "period": period,
            "sections": sections,
            "children": child_links,
            "headline": selectors.HEADLINE,
            "crumbs": [
                {"territory": t, "query": period.query(territory=t.code)}
                for t in selectors.breadcrumbs(request.user, period.territory)
            ],
            "last_refresh": selectors.last_refresh(),
            "csv_query": period.query(),
        },
    )


@login_required
def indicator_csv(request: HttpRequest) -> HttpResponse:
    """One indicator's series (or every indicator's, ``indicator=all``) as CSV."""
    key = request.GET.get("indicator") or "all"
    if key != "all" and key not in BY_KEY:
        raise Http404("not found")
    period = _period(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"indikator-{key}-{period.territory.code}-{period.day_from}-{period.day_to}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(
        ["territory", "indicator", "unit", "start", "end", "value", "numerator", "denominator"]
    )
    for item in selectors.series(period.territory, period.day_from, period.day_to, period.interval):
        if key != "all" and item.indicator.key != key:
            continue
        for point in item.points:
            writer.writerow(
                [
                    period.territory.code,
                    item.indicator.key,
                    item.indicator.unit,
                    point.start.isoformat(),
                    point.end.isoformat(),
                    "" if point.value is None else point.value,
                    round(point.numerator, 2),
                    round(point.denominator, 2),
                ]
            )
    return response


@login_required
def coproduction(request: HttpRequest) -> HttpResponse:
    """The co-production matrix as a heat-map: colour intensity by the number of acts."""
    period = _period(request)
    cells = selectors.matrix(period.territory, period.day_from, period.day_to)
    top = max((c["acts"] for c in cells), default=0) or 1
    phases = dict(Phase.choices)
    groups = dict(ActorGroup.choices)
    rows = []
    for phase in selectors.PHASES:
        row_cells = []
        for cell in cells:
            if cell["phase"] != phase:
                continue
            level = 0 if not cell["acts"] else 1 + min(4, int(4 * cell["acts"] / top))
            row_cells.append(
                {
                    **cell,
                    "heat": level,
                    "query": period.query(phase=phase, actor_group=cell["actor_group"]),
                }
            )
        rows.append(
            {
                "phase": phases[phase],
                "cells": row_cells,
                "missing": [groups[c["actor_group"]] for c in row_cells if not c["acts"]],
            }
        )
    return render(
        request,
        "indicators/coproduction.html",
        {
            "period": period,
            "rows": rows,
            "groups": [groups[g] for g in selectors.ACTOR_GROUPS],
            "kept": period.territory.level <= MATRIX_MAX_LEVEL,
            "last_refresh": selectors.last_refresh(),
            "crumbs": [
                {"territory": t, "query": period.query(territory=t.code)}
                for t in selectors.breadcrumbs(request.user, period.territory)
            ],
        },
    )


@login_required
def coproduction_acts(request: HttpRequest) -> HttpResponse:
    """The acts of one cell, newest first, paginated: kind, time, territory and object only."""
    period = _period(request)
    phase = request.GET.get("phase") or ""
    group = request.GET.get("actor_group") or ""
    if (phase and phase not in selectors.PHASES) or (group and group not in selectors.ACTOR_GROUPS):
        raise Http404("not found")
    queryset = selectors.acts(
        period.territory, period.day_from, period.day_to, phase=phase, actor_group=group
    )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "indicators/acts.html",
        {
            "period": period,
            "page": page,
            "phase": dict(Phase.choices).get(phase, ""),
            "group": dict(ActorGroup.choices).get(group, ""),
            "back": period.query(),
            "page_query": period.query(phase=phase, actor_group=group),
        },
    )
