"""/api/v1 Laporan Kinerja Relawan (volunteer performance report).

``GET /reports/volunteers?territory=CODE&from=YYYY-MM-DD&to=YYYY-MM-DD`` answers the report as
JSON; ``&format=pdf`` or ``&format=xlsx`` (with ``&lang=id|en``) answers the file instead.
``PUT /reports/volunteers/narrative`` writes the coordinator's narrative. Access as on the web:
``ASSESSMENT_VIEW`` on the territory for the whole report, a volunteer's own row otherwise, 404
out of reach. Every read is audited (view for JSON, export for files).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from siaga.api.errors import ERRORS, invalid
from siaga.core import policy
from siaga.core.roles import Perm
from siaga.volunteers.models import Volunteer

from . import figures as rpt
from .pdf import build_pdf
from .services import record_report_access, save_narrative
from .xlsx import build_xlsx

router = Router(tags=["co-assessment"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportQuery(Schema):
    territory: str
    from_: str = Field("", alias="from")
    to: str = ""
    format: Literal["json", "pdf", "xlsx"] = "json"
    lang: Literal["id", "en"] = "id"


class MetricsOut(Schema):
    shifts: int
    shifts_served: int
    hours: float
    tasks_done: int
    tasks_by_kind: dict[str, int]
    tasks_with_due: int
    tasks_on_time: int
    on_time_rate: float | None
    monitoring: int
    visits: int
    deliveries: int
    households: int
    referrals_acknowledged: int
    referrals_completed: int
    response_hours: float | None
    feedback_count: int
    rating: float | None


class RollupOut(Schema):
    key: int
    label: str
    level: str
    volunteers: int
    current: MetricsOut
    previous: MetricsOut


class VolunteerRowOut(Schema):
    id: int
    name: str
    rw: str
    kelurahan: str
    status: str
    teams: list[str]
    narrative: str
    current: MetricsOut
    previous: MetricsOut


class VolunteerReportOut(Schema):
    territory: str
    place: str
    period: dict[str, dt.date]
    previous_period: dict[str, dt.date]
    own_only: bool
    narrative: str
    total: RollupOut
    kelurahan: list[RollupOut]
    rws: list[RollupOut]
    teams: list[RollupOut]
    volunteers: list[VolunteerRowOut]


class NarrativeIn(Schema):
    territory: str
    period_from: dt.date
    period_to: dt.date
    text: str
    volunteer: int | None = None


class NarrativeOut(Schema):
    territory: str
    period_from: dt.date
    period_to: dt.date
    volunteer: int | None
    text: str
    saved: bool


def _access(user: Any, code: str, start: Any, end: Any) -> tuple[rpt.ReportAccess, rpt.Period]:
    try:
        access = rpt.report_access(user, code)
        period = rpt.parse_period(start, end) if (start or end) else rpt.last_month()
    except rpt.ReportRefused as exc:
        raise invalid({exc.field: [exc.message]}) from None
    return access, period


@router.get(
    "/reports/volunteers",
    response={200: VolunteerReportOut, **ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The report as JSON, or as a PDF/XLSX file with format=pdf|xlsx",
                "content": {
                    "application/json": {},
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def volunteer_report(request: HttpRequest, filters: Query[ReportQuery]) -> Any:
    """Laporan Kinerja Relawan of a territory (RW or above) for a period (default: last month),
    with the previous period of the same length; ``from``/``to`` as YYYY-MM-DD."""
    access, period = _access(request.user, filters.territory, filters.from_, filters.to)
    report = rpt.volunteer_report(access, period)
    record_report_access(actor=request.user, access=access, period=period, fmt=filters.format)
    if filters.format == "json":
        return rpt.report_as_dict(report)
    if filters.format == "pdf":
        body, content_type = build_pdf(report, filters.lang), "application/pdf"
    else:
        body, content_type = build_xlsx(report, filters.lang), XLSX_TYPE
    response = HttpResponse(body, content_type=content_type)
    name = f"laporan-relawan-{access.territory.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{filters.format}"'
    return response


@router.put("/reports/volunteers/narrative", response={200: NarrativeOut, **ERRORS})
def put_narrative(request: HttpRequest, payload: NarrativeIn) -> dict[str, Any]:
    """Write the coordinator's narrative of a report (or of one volunteer in it); an empty text
    removes it. Needs REPORT_NARRATE on the territory (pengurus, fasilitator)."""
    access, period = _access(
        request.user, payload.territory, payload.period_from, payload.period_to
    )
    if not access.can_narrate:
        raise Http404("not found")
    volunteer = None
    if payload.volunteer is not None:
        volunteer = policy.get_or_404(
            Volunteer.objects.all(), request.user, Perm.REPORT_NARRATE, pk=payload.volunteer
        )
    saved = save_narrative(
        actor=request.user,
        territory=access.territory,
        period=period,
        text=payload.text,
        volunteer=volunteer,
    )
    return {
        "territory": access.territory.code,
        "period_from": period.start,
        "period_to": period.end,
        "volunteer": payload.volunteer,
        "text": saved.text if saved is not None else "",
        "saved": saved is not None,
    }
