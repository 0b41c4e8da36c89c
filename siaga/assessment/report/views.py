"""Web pages of the Laporan Kinerja Relawan: the report, its PDF and XLSX downloads, and the
coordinator's narrative. Access is decided by ``report.report_access`` (out of reach: 404);
every view and download leaves an audit entry (the report holds personal data)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core import policy
from siaga.core.errors import ValidationFailed
from siaga.core.paging import page_of
from siaga.core.roles import Perm
from siaga.territory.models import Territory
from siaga.volunteers.models import Volunteer

from . import figures as rpt
from .pdf import build_pdf
from .services import record_report_access, save_narrative
from .xlsx import build_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: HttpRequest) -> rpt.Period:
    start, end = request.GET.get("from", ""), request.GET.get("to", "")
    if not start and not end:
        return rpt.last_month()
    return rpt.parse_period(start, end)


def _territory_code(request: HttpRequest) -> str:
    code = request.GET.get("territory", "").strip()
    if code:
        return code
    found = rpt.default_territory(request.user)
    if found is None:
        raise Http404("not found")
    return found.code


def _query(access: rpt.ReportAccess, period: rpt.Period, **extra: str) -> str:
    return urlencode(
        {
            "territory": access.territory.code,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            **extra,
        }
    )


def _choices(user: object, access: rpt.ReportAccess) -> list[Territory]:
    """The areas to choose from (one step up or down), with the one shown always among them."""
    found = rpt.report_choices(user, access.territory)
    if all(t.pk != access.territory.pk for t in found):
        found.insert(0, access.territory)
    return found


def _refused(request: HttpRequest, exc: rpt.ReportRefused) -> HttpResponse:
    return render(
        request,
        "assessment/report.html",
        {
            "error": exc.message,
            "territories": rpt.report_territories(request.user),
            "selected": request.GET.get("territory", ""),
            "start": request.GET.get("from", ""),
            "end": request.GET.get("to", ""),
        },
        status=400,
    )


def _groups(data: rpt.VolunteerReport) -> tuple[list[rpt.Rollup], bool]:
    """The group rows of the page: the kelurahan when the report spans several (True: their RWs
    and teams are left to the PDF, the XLSX and the report of each kelurahan), else the RWs (when
    several) and the teams."""
    if len(data.kelurahan) > 1:
        return data.kelurahan, True
    return [*(data.rws if len(data.rws) > 1 else []), *data.teams], False


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """The report of a territory for a period, with the previous period beside it."""
    try:
        access = rpt.report_access(request.user, _territory_code(request))
        period = _period(request)
    except rpt.ReportRefused as exc:
        return _refused(request, exc)
    data = rpt.volunteer_report(access, period)
    record_report_access(actor=request.user, access=access, period=period, fmt="html")
    page = page_of(request, data.volunteers)
    narratable = []
    if access.can_narrate:  # the volunteers on this page (the whole list was 20 KB at kota scope)
        narratable = [(row.id, row.name) for row in page.object_list]
    groups, groups_cut = _groups(data)
    return render(
        request,
        "assessment/report.html",
        {
            "report": data,
            "access": access,
            "comparison": data.comparison(),
            "tasks_by_kind": data.tasks_by_kind(),
            "page": page,
            "territories": _choices(request.user, access),
            "selected": access.territory.code,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "query": _query(access, period),
            "narratable": narratable,
            "groups": groups,
            "groups_cut": groups_cut,
            "max_bar": max((r.current.hours for r in data.volunteers), default=0) or 1,
        },
    )


def _download(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        access = rpt.report_access(request.user, _territory_code(request))
        period = _period(request)
    except rpt.ReportRefused as exc:
        return _refused(request, exc)
    lang = request.GET.get("lang", "id")
    if lang not in ("id", "en"):
        lang = "id"
    data = rpt.volunteer_report(access, period)
    if fmt == "pdf":
        body, content_type = build_pdf(data, lang), "application/pdf"
    else:
        body, content_type = build_xlsx(data, lang), XLSX_TYPE
    record_report_access(actor=request.user, access=access, period=period, fmt=fmt)
    response = HttpResponse(body, content_type=content_type)
    name = f"laporan-relawan-{access.territory.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    return _download(request, "pdf")


@login_required
def report_xlsx(request: HttpRequest) -> HttpResponse:
    return _download(request, "xlsx")


@login_required
@require_POST
def report_narrative(request: HttpRequest) -> HttpResponse:
    """Save (or, empty, remove) the narrative of the report or of one volunteer in it."""
    code = request.POST.get("territory", "")
    try:
        access = rpt.report_access(request.user, code)
        period = rpt.parse_period(request.POST.get("from"), request.POST.get("to"))
    except rpt.ReportRefused as exc:
        messages.error(request, exc.message)
        return redirect(reverse("assessment:report") + "?" + urlencode({"territory": code}))
    if not access.can_narrate:
        raise Http404("not found")
    volunteer = None
    if request.POST.get("volunteer"):
        volunteer = policy.get_or_404(
            Volunteer.objects.all(),
            request.user,
            Perm.REPORT_NARRATE,
            pk=request.POST.get("volunteer"),
        )
    try:
        saved = save_narrative(
            actor=request.user,
            territory=access.territory,
            period=period,
            text=request.POST.get("text", ""),
            volunteer=volunteer,
        )
    except ValidationFailed as exc:
        for field_errors in exc.errors.values():
            for message in field_errors:
                messages.error(request, message)
    else:
        messages.success(
            request, _("Narrative saved.") if saved is not None else _("Narrative removed.")
        )
    return redirect(reverse("assessment:report") + "?" + _query(access, period) + "#narrative")
