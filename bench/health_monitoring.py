"""Monitoring records accepted per second through the API (validation, triage, referral,
audit, contribution), against a bare insert of the same rows in the same run.

    python -m bench.health_monitoring [--records N]
    DATABASE_URL=postgres://… python -m bench.health_monitoring

Prints figures only; it never asserts a timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from typing import Any

from bench._health_setup import fresh_django, rate, table, vendor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    cleanup = fresh_django()
    try:
        run(args.records, args.cases)
    finally:
        cleanup()


def run(n_records: int, n_cases: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from siaga.accounts.models import User
    from siaga.accounts.services import add_membership, create_token
    from siaga.core.roles import Role
    from siaga.health import services
    from siaga.health.models import Monitoring, ProtocolKind
    from siaga.health.protocols import in_force, triage_params
    from siaga.health.triage import Vitals, slot_for, triage
    from siaga.registry.models import Household, Resident
    from siaga.territory.services import create_child, load_codes

    rng = random.Random(4)
    load_codes(
        [
            ("33", "Jawa Tengah"),
            ("33.74", "Kota Semarang"),
            ("33.74.02", "Semarang Utara"),
            ("33.74.02.1006", "Panggung Lor"),
        ]
    )
    from siaga.territory.models import Territory

    root = User.objects.create_superuser("root", password="x-bench-123")
    rw = create_child(actor=root, parent=Territory.objects.get(code="33.74.02.1006"), number=6)
    rts = [create_child(actor=root, parent=rw, number=i) for i in range(1, 6)]
    relawan = User.objects.create_user("relawan", password="x-bench-123")
    add_membership(actor=root, user=relawan, role=Role.RELAWAN, territory=rw)
    token = create_token(actor=root, user=relawan)[1]
    today = timezone.localdate()
    cases = []
    for i in range(n_cases):
        rt = rts[i % len(rts)]
        household = Household.objects.create(kk=f"3374021508{i:06d}", rt=rt)
        resident = Resident.objects.create(
            name=f"R{i}", sex="L", rt=rt, household=household, birth_date=dt.date(1980, 1, 1)
        )
        cases.append(
            services.create_case(
                actor=root,
                data={
                    "resident": resident.pk,
                    "category": "konfirmasi",
                    "specimen_on": today - dt.timedelta(days=5),
                    "confirmed_on": today - dt.timedelta(days=5),
                    "onset_on": None,
                    "isolation_place": "isoman",
                },
            )
        )
    start_at = timezone.now() - dt.timedelta(days=4)
    bodies: list[dict[str, Any]] = []
    for i in range(n_records):
        bodies.append(
            {
                "taken_at": (start_at + dt.timedelta(seconds=30 * i)).isoformat(),
                "method": "kunjungan",
                "temperature_c": round(rng.uniform(36.0, 38.6), 1),
                "spo2": rng.choices([rng.randint(95, 99), rng.randint(90, 94)], [95, 5])[0],
                "respiratory_rate": rng.randint(14, 27),
                "pulse": rng.randint(60, 110),
                "symptoms": rng.sample(["batuk", "pilek", "lemas", "anosmia"], rng.randint(0, 2)),
            }
        )
    client = Client()
    began = time.perf_counter()
    levels: dict[str, int] = {}
    for i, body in enumerate(bodies):
        case = cases[i % n_cases]
        response = client.post(
            f"/api/v1/cases/{case.pk}/monitoring",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code != 201:
            raise SystemExit(f"unexpected {response.status_code}: {response.content[:300]!r}")
        level = response.json()["triage"]
        levels[level] = levels.get(level, 0) + 1
    api_seconds = time.perf_counter() - began

    # The same rows, inserted bare: triage precomputed outside the timing, no API, no audit.
    protocol = in_force(ProtocolKind.TRIAGE, today)
    params = triage_params(protocol)
    rows = []
    for i, body in enumerate(bodies):
        case = cases[i % n_cases]
        taken = dt.datetime.fromisoformat(body["taken_at"])
        result = triage(
            Vitals(
                spo2=body["spo2"],
                respiratory_rate=body["respiratory_rate"],
                symptoms=tuple(body["symptoms"]),
            ),
            params,
        )
        rows.append(
            dict(
                case_id=case.pk,
                rt_id=case.rt_id,
                household_id=case.household_id,
                taken_at=taken,
                day=timezone.localdate(taken),
                slot=slot_for(timezone.localtime(taken).time(), params),
                method="kunjungan",
                temperature_c=body["temperature_c"],
                spo2=body["spo2"],
                respiratory_rate=body["respiratory_rate"],
                pulse=body["pulse"],
                symptoms=body["symptoms"],
                triage=result.level,
                reasons=result.reasons,
                protocol_id=protocol.pk,
            )
        )
    began = time.perf_counter()
    for row in rows:
        Monitoring.objects.create(**row)
    create_seconds = time.perf_counter() - began
    began = time.perf_counter()
    Monitoring.objects.bulk_create([Monitoring(**row) for row in rows], batch_size=2000)
    bulk_seconds = time.perf_counter() - began

    print(f"health monitoring bench — {vendor()}, {n_records} records over {n_cases} cases")
    print("triage of API records: " + ", ".join(f"{k} {v}" for k, v in sorted(levels.items())))
    table(
        [
            ("path", "seconds", "records/s", "vs bare insert"),
            (
                "API (auth, validation, triage, referral, audit, ledger)",
                f"{api_seconds:.2f}",
                rate(n_records, api_seconds),
                f"{api_seconds / create_seconds:.1f}× slower",
            ),
            (
                "bare insert, one row per INSERT",
                f"{create_seconds:.2f}",
                rate(n_records, create_seconds),
                "1.0×",
            ),
            (
                "bare bulk insert",
                f"{bulk_seconds:.2f}",
                rate(n_records, bulk_seconds),
                f"{bulk_seconds / create_seconds:.2f}×",
            ),
        ]
    )


if __name__ == "__main__":
    main()
