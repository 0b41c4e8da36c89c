"""Static files: in production (SIAGA_ENV=production) collected under hashed names, served
compressed and cached for good (WhiteNoise's CompressedManifestStaticFilesStorage); in
development served as they are from the app directories, never cached."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

YEAR = 365 * 24 * 60 * 60

PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

if settings.PRODUCTION:
    call_command("collectstatic", interactive=False, verbosity=0)  # as `siaga serve` does
url = static("css/siaga.css")
response = Client().get(url, secure=True, HTTP_ACCEPT_ENCODING="gzip")
print(json.dumps({
    "storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "finders": settings.WHITENOISE_USE_FINDERS,
    "url": url,
    "status": response.status_code,
    "cache": response.get("Cache-Control", ""),
    "encoding": response.get("Content-Encoding", ""),
}))
"""


def _probe(tmp_path: Path, **env: str) -> dict[str, Any]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "SIAGA_ENV"}}
    base.update(
        SIAGA_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="siaga.settings",
        ALLOWED_HOSTS="testserver",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=base,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _max_age(cache_control: str) -> int:
    for part in cache_control.split(","):
        name, _, value = part.strip().partition("=")
        if name == "max-age":
            return int(value)
    return 0


def test_production_serves_hashed_compressed_static_files_cached_for_a_year(
    tmp_path: Path,
) -> None:
    found = _probe(tmp_path, SIAGA_ENV="production", SECRET_KEY="k" * 20 + "Zq9-" * 10)
    assert found["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert found["finders"] is False
    name = found["url"].rsplit("/", 1)[-1]
    assert name.startswith("siaga.") and name.endswith(".css") and name != "siaga.css"
    assert found["status"] == 200
    assert _max_age(found["cache"]) >= YEAR and "immutable" in found["cache"]
    assert found["encoding"] == "gzip"


def test_development_serves_static_files_as_they_are(tmp_path: Path) -> None:
    found = _probe(tmp_path, SIAGA_ENV="development", DEBUG="1")
    assert found["storage"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert found["finders"] is True
    assert found["url"] == "/static/css/siaga.css"
    assert found["status"] == 200
    assert _max_age(found["cache"]) < YEAR
