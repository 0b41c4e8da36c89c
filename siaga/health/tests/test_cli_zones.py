"""``siaga zones``: table, csv and json output; storing a range of days."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from siaga.health.models import Case, ZoneDay

from .conftest import make_case


def run(*args: str) -> str:
    out = StringIO()
    call_command("zones", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_zones_json_csv_table(world: Any, case: Case) -> None:
    rows = json.loads(run("--territory", "33.74.02.1006.006", "--format", "json"))
    assert rows == [
        {"code": "33.74.02.1006.006.003", "houses": 1, "zone": "kuning"},
        {"code": "33.74.02.1006.006.004", "houses": 0, "zone": "hijau"},
    ]
    csv_out = run("--territory", "33.74.02.1006.006", "--format", "csv").splitlines()
    assert csv_out[0] == "code,houses,zone" and csv_out[1] == "33.74.02.1006.006.003,1,kuning"
    table = run("--territory", "33.74.02.1006")
    assert "33.74.02.1006.007.001" in table and "kuning: 1" in table


def test_zones_store_range_and_refuse_bad_input(world: Any) -> None:
    make_case(world, days_ago=5)
    start = timezone.localdate() - dt.timedelta(days=3)
    call_command(
        "zones",
        "--territory",
        "33.74.02",
        "--store-from",
        str(start),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert ZoneDay.objects.values("day").distinct().count() == 3  # today stays provisional
    assert ZoneDay.objects.filter(zone="kuning").count() == 3
    with pytest.raises(CommandError):
        run("--territory", "99.99")
    with pytest.raises(CommandError):
        run("--territory", "33.74", "--date", "2999-01-01")
