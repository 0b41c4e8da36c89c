"""/api/v1 program indicators and the co-production matrix.

Every endpoint needs ``indicators.view`` on the territory asked for (default: the caller's
highest territory); a territory out of reach answers 404. Values are read from the aggregates
kept by the refresh job (``siaga indicators refresh``); the matrix reads the contribution ledger.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from siaga.api.errors import ERRORS, invalid
from siaga.api.pagination import Page, PageQuery, paginate

from . import selectors

router = Router(tags=["co-assessment"])


def _enum(values: list[str]) -> dict[str, Any]:
    return {"enum": values}


class PeriodQuery(Schema):
    territory: str = Field("", description="Territory code; default: your highest territory.")
    from_: dt.date | None = Field(
        None, alias="from", description="First day (default: 89 days ago)."
    )
    to: dt.date | None = Field(None, description="Last day (default: today).")


class SeriesQuery(PeriodQuery):
    interval: str = Field("week", json_schema_extra=_enum(list(selectors.INTERVALS)))


class ActsQuery(PeriodQuery, PageQuery):
    phase: str = Field("", json_schema_extra=_enum(["", *selectors.PHASES]))
    actor_group: str = Field("", json_schema_extra=_enum(["", *selectors.ACTOR_GROUPS]))


class IndicatorTerritoryOut(Schema):
    code: str
    name: str
    level: int


class PointOut(Schema):
    start: dt.date
    end: dt.date
    value: float | None
    numerator: float
    denominator: float


class SeriesOut(Schema):
    key: str
    label: str
    unit: str = Field(json_schema_extra=_enum(["count", "percent", "minutes", "hours", "rating"]))
    chart: str
    value: float | None = Field(description="The value over the whole period.")
    numerator: float
    denominator: float
    points: list[PointOut]


class IndicatorsOut(Schema):
    territory: IndicatorTerritoryOut
    from_: dt.date = Field(alias="from")
    to: dt.date
    interval: str
    refreshed_at: dt.datetime | None
    indicators: list[SeriesOut]


class ChildOut(Schema):
    territory: IndicatorTerritoryOut
    values: dict[str, float | None]


class ChildrenOut(Schema):
    territory: IndicatorTerritoryOut
    from_: dt.date = Field(alias="from")
    to: dt.date
    indicators: list[str]
    children: list[ChildOut]


class CellOut(Schema):
    phase: str
    actor_group: str
    acts: int
    people: int


class MatrixOut(Schema):
    phases: list[str]
    actor_groups: list[str]
    cells: list[CellOut]


class ActOut(Schema):
    at: dt.datetime
    kind: str
    phase: str
    actor_group: str
    territory: str = Field(description="Territory code.")
    object_type: str
    object_id: str


def _resolve(request: HttpRequest, query: PeriodQuery) -> tuple[Any, dt.date, dt.date]:
    territory = selectors.territory_for(request.user, query.territory)
    default_from, default_to = selectors.default_period()
    day_to = query.to or default_to
    day_from = query.from_ or min(default_from, day_to)
    problems = selectors.check_period(day_from, day_to)
    if "to_before_from" in problems:
        raise invalid({"to": [_("The end of the period is before its start.")]})
    if "too_long" in problems:
        raise invalid(
            {
                "from": [
                    _("The period is too long (at most %(n)d days).") % {"n": selectors.MAX_DAYS}
                ]
            }
        )
    return territory, day_from, day_to


def _territory(territory: Any) -> dict[str, Any]:
    return {"code": territory.code, "name": territory.display_name, "level": territory.level}


@router.get("/indicators", response={200: IndicatorsOut, **ERRORS}, by_alias=True)
def indicators(request: HttpRequest, query: Query[SeriesQuery]) -> dict[str, Any]:
    """Every program indicator for a territory and period: the period value and a series by
    day or week (weeks start on Monday, clipped to the period). Read from the aggregates."""
    if query.interval not in selectors.INTERVALS:
        raise invalid({"interval": [_("Choose day or week.")]})
    territory, day_from, day_to = _resolve(request, query)
    run = selectors.last_refresh()
    return {
        "territory": _territory(territory),
        "from": day_from,
        "to": day_to,
        "interval": query.interval,
        "refreshed_at": run.finished_at if run else None,
        "indicators": [
            {
                "key": s.indicator.key,
                "label": str(s.indicator.label),
                "unit": s.indicator.unit,
                "chart": s.indicator.chart,
                "value": s.total,
                "numerator": s.numerator,
                "denominator": s.denominator,
                "points": [p.__dict__ for p in s.points],
            }
            for s in selectors.series(territory, day_from, day_to, query.interval)
        ],
    }


@router.get("/indicators/children", response={200: ChildrenOut, **ERRORS}, by_alias=True)
def indicator_children(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    """Drill-down: each child territory (kota → kecamatan → … → RT) with its headline values
    over the period."""
    territory, day_from, day_to = _resolve(request, query)
    return {
        "territory": _territory(territory),
        "from": day_from,
        "to": day_to,
        "indicators": [i.key for i in selectors.HEADLINE],
        "children": [
            {"territory": _territory(row.territory), "values": row.values}
            for row in selectors.children(territory, day_from, day_to)
        ],
    }


@router.get("/coproduction", response={200: MatrixOut, **ERRORS})
def coproduction(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    """The co-production matrix: 16 cells (4 phases × 4 actor groups, zeros included), each
    with the number of acts and of distinct people, from the contribution ledger."""
    territory, day_from, day_to = _resolve(request, query)
    return {
        "phases": selectors.PHASES,
        "actor_groups": selectors.ACTOR_GROUPS,
        "cells": selectors.matrix(territory, day_from, day_to),
    }


@router.get("/coproduction/acts", response={200: Page[ActOut], **ERRORS})
def coproduction_acts(request: HttpRequest, query: Query[ActsQuery]) -> dict[str, Any]:
    """The acts behind a cell (filter by phase and/or actor group), newest first. Kind, time,
    territory and object only: no names."""
    if query.phase and query.phase not in selectors.PHASES:
        raise invalid({"phase": [_("Unknown phase.")]})
    if query.actor_group and query.actor_group not in selectors.ACTOR_GROUPS:
        raise invalid({"actor_group": [_("Unknown actor group.")]})
    territory, day_from, day_to = _resolve(request, query)
    queryset = selectors.acts(
        territory, day_from, day_to, phase=query.phase, actor_group=query.actor_group
    )
    page = paginate(queryset, query.limit, query.offset)
    page["items"] = [
        {
            "at": act.at,
            "kind": act.kind,
            "phase": act.phase,
            "actor_group": act.actor_group,
            "territory": act.territory.code,
            "object_type": act.object_type,
            "object_id": act.object_id,
        }
        for act in page["items"]
    ]
    return page
