"""Web imports as background jobs: the uploaded file, the job's state and its progress.

The web wizard (registry.import_views) keeps each upload in ``MEDIA_ROOT/imports/<id>/`` and the
job's state in the cache under its id; the Huey tasks in registry.tasks validate and run it with
the importing engine (registry.importing), storing progress as they go. A job belongs to the
user who uploaded it: ``get_job`` answers None for anyone else, and views turn that into 404.

The uploaded file is deleted once the import has run (after the rejected-rows report is written
from it), and every job folder is deleted a day after its last change by ``purge_uploads``.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from siaga.core.context import WEB, interface
from siaga.registry.importing import ImportRefused, ResidentImport, open_source
from siaga.registry.importing.readers import Source, max_upload_bytes
from siaga.registry.importing.report import write_report

log = logging.getLogger(__name__)

JOB_TTL = 2 * 24 * 3600  # the cache keeps a job a little longer than its files
UPLOAD_TTL = dt.timedelta(days=1)
REPORT_NAME = "ditolak.xlsx"
READY, VALIDATING, VALIDATED, RUNNING, DONE, FAILED = (
    "ready",
    "validating",
    "validated",
    "running",
    "done",
    "failed",
)
BUSY = (VALIDATING, RUNNING)


def imports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _key(import_id: str) -> str:
    return f"registry:import:{import_id}"


def _progress_key(import_id: str) -> str:
    return f"registry:import:{import_id}:progress"


def job_dir(import_id: str) -> Path:
    return imports_root() / import_id


def _valid_id(import_id: str) -> bool:
    return len(import_id) == 32 and all(c in "0123456789abcdef" for c in import_id)


def save_job(job: dict[str, Any]) -> None:
    cache.set(_key(job["id"]), job, timeout=JOB_TTL)


def load_job(import_id: str) -> dict[str, Any] | None:
    if not _valid_id(import_id):
        return None
    job = cache.get(_key(import_id))
    return job if isinstance(job, dict) else None


def get_job(user: Any, import_id: str) -> dict[str, Any] | None:
    """The job if it exists and belongs to ``user``; None otherwise (the caller answers 404)."""
    job = load_job(import_id)
    if job is None or not getattr(user, "is_authenticated", False) or job["user_id"] != user.pk:
        return None
    return job


def progress(import_id: str) -> dict[str, Any]:
    value = cache.get(_progress_key(import_id))
    return value if isinstance(value, dict) else {"phase": "", "done": 0}


def _set_progress(import_id: str, phase: str, done: int) -> None:
    cache.set(_progress_key(import_id), {"phase": phase, "done": done}, timeout=JOB_TTL)


# --- starting a job --------------------------------------------------------------------------


def start(
    *, actor: Any, upload: UploadedFile, territory: str, create_missing: bool
) -> dict[str, Any]:
    """Keep the upload, check it (open_source, then the header row) and record a new job.

    Raises ImportRefused (and keeps nothing) when the file or the territory cannot be used.
    """
    if upload.size is not None and upload.size > max_upload_bytes():
        limit = max_upload_bytes() / 1048576
        raise ImportRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
            % {"size": f"{upload.size / 1048576:.1f}", "limit": f"{limit:.0f}"}
        )
    import_id = uuid.uuid4().hex
    folder = job_dir(import_id)
    name = Path(upload.name or "upload").name[:120]
    suffix = Path(name).suffix.lower()[:8]
    path = folder / f"upload{suffix}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        source = open_source(path, name=name)
        engine = ResidentImport(
            actor=actor,
            source=source,
            territory=territory,
            create_missing=create_missing,
            import_id=import_id,
        )
        engine.preview()  # the first rows must be readable too (formulas, over-long cells)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    job = {
        "id": import_id,
        "user_id": actor.pk,
        "territory": engine.territory.code,
        "territory_name": engine.territory.display_name,
        "create_missing": create_missing,
        "filename": name,
        "upload": path.name,
        "mapping": {},
        "status": READY,
        "summary": None,
        "result": None,
        "error": "",
        "created": timezone.now(),
    }
    save_job(job)
    return job


def source_of(job: dict[str, Any]) -> Source:
    return open_source(job_dir(job["id"]) / job["upload"], name=job["filename"])


def engine(actor: Any, job: dict[str, Any]) -> ResidentImport:
    """The importing engine for a job, as its owner set it up (raises ImportRefused)."""
    return ResidentImport(
        actor=actor,
        source=source_of(job),
        territory=job["territory"],
        mapping=job["mapping"] or None,
        create_missing=job["create_missing"],
        import_id=job["id"],
    )


def upload_exists(job: dict[str, Any]) -> bool:
    return bool(job.get("upload")) and (job_dir(job["id"]) / job["upload"]).is_file()


def report_path(job: dict[str, Any]) -> Path:
    return job_dir(job["id"]) / REPORT_NAME


def write_rejected(job: dict[str, Any], out: IO[bytes] | Path) -> None:
    """The rejected rows with their "alasan" column, from the kept upload and the job's result."""
    result = job["result"] or job["summary"]
    write_report(source_of(job), result, out, "xlsx")


# --- the background work (called by registry.tasks) -------------------------------------------


def _owner(job: dict[str, Any]) -> Any:
    return get_user_model().objects.filter(pk=job["user_id"], is_active=True).first()


def _work(import_id: str, *, write: bool) -> None:
    job = load_job(import_id)
    if job is None or job["status"] not in BUSY:
        return
    actor = _owner(job)
    language = getattr(actor, "language", None) or settings.LANGUAGE_CODE
    last = [0.0]

    def report(phase: str, done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5:
            last[0] = now
            _set_progress(import_id, phase, done)

    with translation.override(language), interface(WEB):
        try:
            if actor is None:
                raise ImportRefused(_("Unknown territory, or outside your area."))
            job_engine = engine(actor, job)
            if write:
                result = job_engine.run(report)
                if result.rejected:
                    write_report(job_engine.source, result, report_path(job), "xlsx")
                job.update(status=DONE, result=result)
            else:
                job.update(status=VALIDATED, summary=job_engine.validate(report))
        except ImportRefused as exc:
            job.update(status=FAILED, error=exc.message)
        except Exception:
            log.exception("import %s failed", import_id)
            job.update(status=FAILED, error=_("The import failed unexpectedly; nothing was saved."))
        if job["status"] in (DONE, FAILED):
            # the result is kept: the uploaded file is no longer needed
            (job_dir(import_id) / job["upload"]).unlink(missing_ok=True)
        save_job(job)


def validate(import_id: str) -> None:
    _work(import_id, write=False)


def execute(import_id: str) -> None:
    _work(import_id, write=True)


def purge_uploads(now: dt.datetime | None = None) -> int:
    """Delete the job folders untouched for a day (abandoned wizards, old reports)."""
    root = imports_root()
    if not root.is_dir():
        return 0
    cutoff = (now or timezone.now()).timestamp() - UPLOAD_TTL.total_seconds()
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir() or not _valid_id(folder.name):
            continue
        newest = max(
            [folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.iterdir())], default=0
        )
        if newest < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
