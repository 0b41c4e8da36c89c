"""The spreadsheet import wizard and the export downloads (web side of registry.importing).

upload (file, territory, "create missing RT/RW") → columns (preview + mapping, correctable) →
checking (background, progress) → summary (counts, rejected rows) → confirm → writing
(background, progress) → result (with the rejected rows as XLSX, to fix and upload again).

A job is only ever shown to the user who uploaded it; anything else answers 404.
"""

from __future__ import annotations

import io
import tempfile
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from siaga.core import policy
from siaga.core.roles import Perm
from siaga.registry import exporting, import_jobs, tasks
from siaga.registry.importing import ImportRefused
from siaga.registry.importing.headers import FIELDS
from siaga.registry.importing.template import import_template
from siaga.territory import selectors as territory_selectors
from siaga.territory.models import Level, Territory

TERRITORY_OPTION_LIMIT = 500
REJECTED_PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_KINDS = {"warga": "residents", "keluarga": "households"}


def _require_territorial(user: Any, perm: Perm) -> None:
    """Importing and exporting act on territories: household-scoped access is not enough."""
    if not policy.reaches_any_territory(user, perm):
        raise Http404("not found")


def _job_or_404(request: HttpRequest, import_id: str) -> dict[str, Any]:
    _require_territorial(request.user, Perm.REGISTRY_CHANGE)
    job = import_jobs.get_job(request.user, import_id)
    if job is None:
        raise Http404("not found")
    territory = Territory.objects.filter(code=job["territory"]).first()
    if territory is None or not policy.can_act_on(request.user, Perm.REGISTRY_CHANGE, territory):
        raise Http404("not found")
    return job


# --- forms ---------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    territory = forms.CharField(label=gettext_lazy("Import into"), max_length=21)
    create_missing = forms.BooleanField(
        label=gettext_lazy("Create RT/RW that do not exist yet"), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        places = policy.scope(
            Territory.objects.filter(level__gte=Level.KECAMATAN), user, Perm.REGISTRY_CHANGE
        ).order_by("id")[: TERRITORY_OPTION_LIMIT + 1]
        options = [(t.code, f"{t.display_name} · {t.code}") for t in places]
        field = self.fields["territory"]
        if len(options) <= TERRITORY_OPTION_LIMIT:
            field.widget = forms.Select(choices=options)
        else:  # a very wide scope: type the code
            field.widget.attrs["placeholder"] = "33.74.02.1006.006"
            field.help_text = gettext_lazy("The territory code, for example 33.74.02.1006.006.")
        if len(options) == 1:
            field.initial = options[0][0]

    def clean_territory(self) -> str:
        code = self.cleaned_data["territory"].strip()
        territory = Territory.objects.filter(code=code, level__gte=Level.KECAMATAN).first()
        if territory is None or not policy.can_act_on(self.user, Perm.REGISTRY_CHANGE, territory):
            raise forms.ValidationError(_("Unknown territory, or outside your area."))
        return code


def _mapping_rows(mapping: Any, posted: Any = None) -> list[dict[str, Any]]:
    """One select per field, listing the file's headers, with the chosen column selected."""
    rows = []
    for f in FIELDS:
        if posted is not None:
            chosen = posted.get(f"col_{f.key}", "")
        else:
            index = mapping.columns.get(f.key)
            chosen = "" if index is None else str(index)
        rows.append(
            {
                "key": f.key,
                "label": f.label,
                "chosen": chosen,
                "options": [(str(i), h or f"#{i + 1}") for i, h in enumerate(mapping.headers)],
            }
        )
    return rows


# --- the wizard ------------------------------------------------------------------------------


@login_required
def start(request: HttpRequest) -> HttpResponse:
    _require_territorial(request.user, Perm.REGISTRY_CHANGE)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.start(
                actor=request.user,
                upload=form.cleaned_data["file"],
                territory=form.cleaned_data["territory"],
                create_missing=form.cleaned_data["create_missing"],
            )
        except ImportRefused as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("registry:import_detail", import_id=job["id"])
    return render(request, "registry/import_start.html", {"form": form})


def _mapping_page(
    request: HttpRequest, job: dict[str, Any], posted: Any = None, error: str = ""
) -> HttpResponse:
    try:
        engine = import_jobs.engine(request.user, job)
    except ImportRefused as exc:
        # the saved mapping no longer fits (or the file went away): start from the detected one
        if not job["mapping"] or not import_jobs.upload_exists(job):
            job.update(status=import_jobs.FAILED, error=exc.message)
            import_jobs.save_job(job)
            return redirect("registry:import_detail", import_id=job["id"])
        job["mapping"] = {}
        import_jobs.save_job(job)
        engine = import_jobs.engine(request.user, job)
        error = error or exc.message
    return render(
        request,
        "registry/import_mapping.html",
        {
            "job": job,
            "headers": engine.mapping.headers,
            "header_row": engine.mapping.header_row,
            "preview": engine.preview(),
            "fields": _mapping_rows(engine.mapping, posted),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
def detail(request: HttpRequest, import_id: str) -> HttpResponse:
    job = _job_or_404(request, import_id)
    status = job["status"]
    if status == import_jobs.READY or (
        status == import_jobs.VALIDATED and request.GET.get("langkah") == "kolom"
    ):
        return _mapping_page(request, job)
    if status in import_jobs.BUSY:
        return render(request, "registry/import_progress.html", _progress_context(job))
    if status == import_jobs.FAILED:
        return render(request, "registry/import_failed.html", {"job": job})
    outcome = job["result"] if status == import_jobs.DONE else job["summary"]
    reasons = sorted(outcome.reasons_by_row().items())
    page = Paginator(reasons, REJECTED_PAGE_SIZE).get_page(request.GET.get("page"))
    template = "import_result.html" if status == import_jobs.DONE else "import_summary.html"
    return render(
        request,
        f"registry/{template}",
        {
            "job": job,
            "outcome": outcome,
            "page": page,
            "has_report": status == import_jobs.VALIDATED or import_jobs.report_path(job).is_file(),
        },
    )


@login_required
@require_POST
def mapping(request: HttpRequest, import_id: str) -> HttpResponse:
    job = _job_or_404(request, import_id)
    if job["status"] not in (import_jobs.READY, import_jobs.VALIDATED):
        return redirect("registry:import_detail", import_id=import_id)
    override: dict[str, int | None] = {}
    for f in FIELDS:
        value = request.POST.get(f"col_{f.key}", "")
        override[f.key] = int(value) if value.isdigit() else None
    try:
        import_jobs.engine(request.user, {**job, "mapping": {}}).with_mapping(override)
    except ImportRefused as exc:
        return _mapping_page(request, job, posted=request.POST, error=exc.message)
    job.update(mapping=override, status=import_jobs.VALIDATING, summary=None)
    import_jobs.save_job(job)
    tasks.validate_import(import_id)
    return redirect("registry:import_detail", import_id=import_id)


@login_required
@require_POST
def confirm(request: HttpRequest, import_id: str) -> HttpResponse:
    job = _job_or_404(request, import_id)
    if job["status"] == import_jobs.VALIDATED:
        job["status"] = import_jobs.RUNNING
        import_jobs.save_job(job)
        tasks.run_import(import_id)
    return redirect("registry:import_detail", import_id=import_id)


def _progress_context(job: dict[str, Any]) -> dict[str, Any]:
    state = import_jobs.progress(job["id"])
    total = job["summary"].rows if job["status"] == import_jobs.RUNNING and job["summary"] else 0
    done = state["done"] if state["phase"] == ("write" if total else "validate") else 0
    return {
        "job": job,
        "done": done,
        "total": total,
        "percent": min(100, round(100 * done / total)) if total else None,
    }


@login_required
def progress(request: HttpRequest, import_id: str) -> HttpResponse:
    """The progress box, polled by htmx; when the work is over the page moves on."""
    job = _job_or_404(request, import_id)
    if job["status"] not in import_jobs.BUSY:
        url = reverse("registry:import_detail", kwargs={"import_id": import_id})
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    return render(request, "registry/_import_progress.html", _progress_context(job))


@login_required
def rejected(request: HttpRequest, import_id: str) -> HttpResponseBase:
    """The rejected rows as the user sent them, with the added "alasan" column (XLSX)."""
    job = _job_or_404(request, import_id)
    filename = f"ditolak-{job['filename'].rsplit('.', 1)[0]}.xlsx"
    if job["status"] == import_jobs.DONE:
        path = import_jobs.report_path(job)
        if not path.is_file():
            raise Http404("not found")
        return FileResponse(
            path.open("rb"), as_attachment=True, filename=filename, content_type=XLSX_TYPE
        )
    if job["status"] != import_jobs.VALIDATED or not import_jobs.upload_exists(job):
        raise Http404("not found")
    buffer = io.BytesIO()
    import_jobs.write_rejected(job, buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


@login_required
def template(request: HttpRequest) -> HttpResponseBase:
    _require_territorial(request.user, Perm.REGISTRY_CHANGE)
    return FileResponse(
        io.BytesIO(import_template()),
        as_attachment=True,
        filename="templat-impor-warga.xlsx",
        content_type=XLSX_TYPE,
    )


# --- exports ---------------------------------------------------------------------------------


def _export_territory(request: HttpRequest) -> Territory | None:
    def only_area() -> Territory | None:
        scope = policy.scope_for(request.user, Perm.REGISTRY_EXPORT)
        if len(scope.ranges) == 1:
            return Territory.objects.filter(id=scope.ranges[0][0]).first()
        return None

    return territory_selectors.territory_param(
        request.user, Perm.REGISTRY_EXPORT, request.GET.get("wilayah"), default=only_area
    )


@login_required
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponseBase:
    """The residents or households of the filtered territory as CSV or XLSX (audited)."""
    _require_territorial(request.user, Perm.REGISTRY_EXPORT)
    if kind not in EXPORT_KINDS or fmt not in exporting.FORMATS:
        raise Http404("not found")
    territory = _export_territory(request)
    back = "registry:residents" if kind == "warga" else "registry:households"
    if territory is None:
        messages.error(request, _("Choose a territory (its code) to export, then export again."))
        return redirect(back)
    out = tempfile.TemporaryFile(prefix="siaga-export-")  # noqa: SIM115 (closed by the response)
    try:
        exporting.export(
            actor=request.user, kind=EXPORT_KINDS[kind], territory=territory, fmt=fmt, out=out
        )
    except exporting.ExportRefused:
        out.close()
        raise Http404("not found") from None
    out.seek(0)
    content_type = XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    filename = f"{kind}-{territory.code}.{fmt}"
    return FileResponse(out, as_attachment=True, filename=filename, content_type=content_type)
