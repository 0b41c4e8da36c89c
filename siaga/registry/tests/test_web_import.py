"""The web import wizard and the export downloads: flow, mapping, refusals, roles × territories."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from siaga.core.models import AuditAction, AuditEntry
from siaga.registry import import_jobs
from siaga.registry.models import Household, Resident
from siaga.registry.tests.import_helpers import HEADER, family, nik, write_csv, write_xlsx

RT003 = "33.74.02.1006.006.003"
RT004 = "33.74.02.1006.006.004"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def client_for(world: Any, name: str) -> Client:
    user = world.users[name]
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(world.users[name])
    return client


def snapshot() -> tuple[list[tuple], list[tuple], int]:
    return (
        list(Resident.objects.order_by("id").values_list()),
        list(Household.objects.order_by("id").values_list()),
        AuditEntry.objects.count(),
    )


def upload(client: Client, path: Path, territory: str = RT003, **extra: Any) -> Any:
    with path.open("rb") as handle:
        data = {"file": SimpleUploadedFile(path.name, handle.read()), "territory": territory}
    return client.post(reverse("registry:import_start"), {**data, **extra})


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def job_id(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url.rstrip("/").rsplit("/", 1)[1]


def detected_columns(response: Any) -> dict[str, str]:
    return {f"col_{f['key']}": f["chosen"] for f in response.context["fields"]}


def check(client: Client, import_id: str, columns: dict[str, str]) -> Any:
    """Submit the column mapping (validation runs in the immediate Huey task)."""
    response = client.post(reverse("registry:import_mapping", args=[import_id]), columns)
    assert response.status_code == 302
    return client.get(reverse("registry:import_detail", args=[import_id]))


def test_upload_mapping_summary_confirm_result(world, tmp_path, media) -> None:
    client = client_for(world, "pengurus.rt003")
    bad = [9, "12345", "", "Tanpa NIK Benar", "L", "", "", "", "3", "6", "", "Anak"]
    path = write_csv(tmp_path / "warga rt3.csv", [*family(1), bad])

    response = upload(client, path)
    import_id = job_id(response)
    mapping_page = client.get(response.url)
    assert mapping_page.status_code == 200
    assert "Joko Susilo" in mapping_page.content.decode()  # the preview
    columns = detected_columns(mapping_page)
    assert columns["col_nik"] == str(HEADER.index("NIK"))
    assert columns["col_phone"] == str(HEADER.index("No HP"))

    before = snapshot()
    summary = check(client, import_id, columns)
    assert summary.status_code == 200
    outcome = summary.context["outcome"]
    assert (outcome.created, outcome.updated, outcome.rejected) == (2, 0, 1)
    text = summary.content.decode()
    assert "Check before saving" in text and "NIK" in text
    assert [row for row, _reason in summary.context["page"].object_list] == [4]
    assert snapshot() == before  # nothing written before the confirmation

    response = client.post(reverse("registry:import_confirm", args=[import_id]))
    assert response.status_code == 302
    result = client.get(reverse("registry:import_detail", args=[import_id]))
    assert result.status_code == 200
    assert "Import finished" in result.content.decode()
    assert result.context["outcome"].created == 2
    joko = Resident.objects.get(nik=nik(2))
    assert joko.phone == "+6281234567890" and joko.rt.code == RT003
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="registry.resident", summary__contains=import_id
    ).exists()
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT, object_id=import_id).exists()
    # the upload is gone once the result is kept; the rejected rows remain downloadable
    assert not import_jobs.upload_exists(import_jobs.load_job(import_id) or {})
    report = client.get(reverse("registry:import_rejected", args=[import_id]))
    assert report.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(_body(report))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "alasan"
    assert len(rows) == 2 and rows[1][3] == "Tanpa NIK Benar" and rows[1][-1]

    # confirming twice does not import twice
    client.post(reverse("registry:import_confirm", args=[import_id]))
    assert Resident.objects.filter(nik=nik(2)).count() == 1


def test_progress_polling_moves_on_when_finished(world, tmp_path) -> None:
    client = client_for(world, "pengurus.rt003")
    import_id = job_id(upload(client, write_csv(tmp_path / "a.csv", family(1))))
    job = import_jobs.load_job(import_id)
    assert job is not None
    job["status"] = import_jobs.VALIDATING
    import_jobs.save_job(job)
    polling = client.get(reverse("registry:import_progress", args=[import_id]))
    assert polling.status_code == 200 and 'hx-trigger="every 2s"' in polling.content.decode()
    job["status"] = import_jobs.READY
    import_jobs.save_job(job)
    done = client.get(reverse("registry:import_progress", args=[import_id]), HTTP_HX_REQUEST="true")
    assert done.status_code == 204
    assert done["HX-Redirect"] == reverse("registry:import_detail", args=[import_id])


def test_correcting_the_mapping_changes_the_result(world, tmp_path) -> None:
    client = client_for(world, "pengurus.rt003")
    budi = world.residents["rt003"]
    header = ["NIK", "Nama", "Kontak"]
    path = write_csv(tmp_path / "kontak.csv", [[budi.nik, budi.name, "0812-1111-2222"]], header)
    import_id = job_id(upload(client, path))
    columns = detected_columns(client.get(reverse("registry:import_detail", args=[import_id])))
    assert columns["col_phone"] == ""  # "Kontak" is not a known phone header

    as_detected = check(client, import_id, columns).context["outcome"]
    assert (as_detected.updated, as_detected.unchanged) == (0, 1)

    client.get(reverse("registry:import_detail", args=[import_id]) + "?langkah=kolom")
    corrected = check(client, import_id, {**columns, "col_phone": "2"}).context["outcome"]
    assert (corrected.updated, corrected.unchanged) == (1, 0)
    client.post(reverse("registry:import_confirm", args=[import_id]))
    budi.refresh_from_db()
    assert budi.phone == "+6281211112222"


def test_mapping_without_required_column_is_refused(world, tmp_path) -> None:
    client = client_for(world, "pengurus.rt003")
    import_id = job_id(upload(client, write_csv(tmp_path / "a.csv", family(1))))
    columns = detected_columns(client.get(reverse("registry:import_detail", args=[import_id])))
    response = client.post(
        reverse("registry:import_mapping", args=[import_id]), {**columns, "col_nik": ""}
    )
    assert response.status_code == 400
    assert "No column for NIK" in response.content.decode()
    assert import_jobs.load_job(import_id)["status"] == import_jobs.READY  # type: ignore[index]


def _formula_xlsx(path: Path) -> Path:
    return write_xlsx(path, [[1, "=1+1", "", "Joko", "L"]])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("warga.xlsx", b"NIK,Nama\n1,2\n", "not an Excel workbook"),
        ("warga.pdf", b"%PDF-1.4 hello", "Only .xlsx and .csv files"),
        ("warga.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old Excel"),
        ("warga.csv", b"PK\x03\x04" + b"\0" * 100, "is an Excel workbook"),
        ("warga.csv", b"", "empty"),
        ("formula.xlsx", None, "holds a formula"),
    ],
)
def test_hostile_files_are_refused_with_a_message(
    world, tmp_path, media, name, content, message
) -> None:
    client = client_for(world, "pengurus.rt003")
    path = tmp_path / name
    if content is None:
        _formula_xlsx(path)
    else:
        path.write_bytes(content)
    before = snapshot()
    response = upload(client, path)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert snapshot() == before
    assert not any((media / "imports").glob("*/*"))


def test_formula_further_down_fails_the_check_and_writes_nothing(world, tmp_path) -> None:
    client = client_for(world, "pengurus.rt003")
    rows = [row for serial in range(1, 8) for row in family(serial)]
    rows.append([15, "=A1", "", "Joko", "L"])
    import_id = job_id(upload(client, write_xlsx(tmp_path / "late.xlsx", rows)))
    columns = detected_columns(client.get(reverse("registry:import_detail", args=[import_id])))
    before = snapshot()
    page = check(client, import_id, columns)
    assert page.status_code == 200
    assert "holds a formula" in page.content.decode()
    assert snapshot() == before


def test_oversized_upload_is_refused_before_parsing(world, tmp_path, settings, media) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    client = client_for(world, "pengurus.rt003")
    response = upload(client, write_csv(tmp_path / "big.csv", family(1) * 5))
    assert "the limit is" in " ".join(response.context["form"].errors["file"])
    assert not (media / "imports").exists() or not any((media / "imports").iterdir())


@pytest.mark.parametrize("name", ["warga.rt003", "relawan.rw006"])
def test_warga_and_relawan_cannot_import_or_export(world, tmp_path, name) -> None:
    client = client_for(world, name)
    before = snapshot()
    urls = [
        reverse("registry:import_start"),
        reverse("registry:import_template"),
        reverse("registry:export", args=["warga", "csv"]) + f"?wilayah={RT003}",
        reverse("registry:export", args=["keluarga", "xlsx"]) + f"?wilayah={RT003}",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert upload(client, write_csv(tmp_path / "a.csv", family(1))).status_code == 404
    assert snapshot() == before


def test_pengurus_of_another_rt_cannot_import_into_this_rt(world, tmp_path) -> None:
    client = client_for(world, "pengurus.rt003")
    page = client.get(reverse("registry:import_start"))
    offered = [value for value, _label in page.context["form"].fields["territory"].widget.choices]
    assert offered == [RT003]
    before = snapshot()
    response = upload(client, write_csv(tmp_path / "a.csv", family(1, rt="4")), territory=RT004)
    assert response.status_code == 200
    assert "outside your area" in " ".join(response.context["form"].errors["territory"])
    # into their own RT, rows of RT 004 are rejected, not written elsewhere
    import_id = job_id(upload(client, write_csv(tmp_path / "b.csv", family(1, rt="4"))))
    columns = detected_columns(client.get(reverse("registry:import_detail", args=[import_id])))
    outcome = check(client, import_id, columns).context["outcome"]
    assert (outcome.created, outcome.rejected) == (0, 2)
    assert snapshot() == before


def test_another_users_import_is_not_found(world, tmp_path) -> None:
    owner = client_for(world, "pengurus.rw006")
    import_id = job_id(upload(owner, write_csv(tmp_path / "a.csv", family(1))))
    columns = detected_columns(owner.get(reverse("registry:import_detail", args=[import_id])))
    check(owner, import_id, columns)
    before = snapshot()
    for name in ("pengurus.rt003", "lurah.panggunglor", "admin"):
        other = client_for(world, name)
        for url_name in ("import_detail", "import_progress", "import_rejected"):
            url = reverse(f"registry:{url_name}", args=[import_id])
            assert other.get(url).status_code == 404, (name, url_name)
        for url_name in ("import_mapping", "import_confirm"):
            url = reverse(f"registry:{url_name}", args=[import_id])
            assert other.post(url, columns).status_code == 404, (name, url_name)
    assert (
        client_for(world, "admin")
        .get(reverse("registry:import_detail", args=["0" * 32]))
        .status_code
        == 404
    )
    assert snapshot() == before
    assert import_jobs.load_job(import_id)["status"] == import_jobs.VALIDATED  # type: ignore[index]


def test_import_template_downloads(world) -> None:
    response = client_for(world, "pengurus.rt003").get(reverse("registry:import_template"))
    assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(_body(response))).worksheets[0]
    assert "NIK" in [c.value for c in sheet[1]]


def _csv_rows(response: Any) -> list[list[str]]:
    text = _body(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_exports_download_in_scope_and_are_audited(world) -> None:
    client = client_for(world, "pengurus.rt003")
    budi = world.residents["rt003"]
    exports = AuditEntry.objects.filter(action=AuditAction.EXPORT)
    response = client.get(reverse("registry:export", args=["warga", "csv"]) + f"?wilayah={RT003}")
    assert response.status_code == 200
    rows = _csv_rows(response)
    assert rows[0][0] == "NIK" and {r[0] for r in rows[1:]} == {
        r.nik for r in Resident.objects.filter(rt__code=RT003)
    }
    assert exports.count() == 1
    # no filter: the user's own area
    households = client.get(reverse("registry:export", args=["keluarga", "xlsx"]))
    assert households.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(_body(households))).worksheets[0]
    kks = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert kks == [budi.household.kk]
    assert exports.count() == 2
    # another RT, or an unknown kind/format: not found, nothing audited
    for url in (
        reverse("registry:export", args=["warga", "csv"]) + f"?wilayah={RT004}",
        reverse("registry:export", args=["warga", "pdf"]) + f"?wilayah={RT003}",
        reverse("registry:export", args=["semua", "csv"]) + f"?wilayah={RT003}",
    ):
        assert client.get(url).status_code == 404, url
    assert exports.count() == 2


def test_list_pages_offer_export_and_import(world) -> None:
    client = client_for(world, "pengurus.rt003")
    page = client.get(reverse("registry:residents") + f"?wilayah={RT003}").content.decode()
    assert reverse("registry:export", args=["warga", "xlsx"]) + f"?wilayah={RT003}" in page
    assert reverse("registry:import_start") in page
    page = client.get(reverse("registry:households")).content.decode()
    assert reverse("registry:export", args=["keluarga", "csv"]) in page
    warga = client_for(world, "warga.rt003").get(reverse("registry:residents")).content.decode()
    assert reverse("registry:export", args=["warga", "csv"]) not in warga


def test_old_uploads_are_purged(world, tmp_path, media) -> None:
    import datetime as dt

    from django.utils import timezone

    client = client_for(world, "pengurus.rt003")
    import_id = job_id(upload(client, write_csv(tmp_path / "a.csv", family(1))))
    assert import_jobs.upload_exists(import_jobs.load_job(import_id) or {})
    assert import_jobs.purge_uploads(timezone.now()) == 0
    assert import_jobs.purge_uploads(timezone.now() + dt.timedelta(days=1, minutes=1)) == 1
    assert not (media / "imports" / import_id).exists()
