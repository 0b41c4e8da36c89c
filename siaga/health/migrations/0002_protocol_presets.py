"""The shipped protocol presets (editable by admin until used; later versions are new rows).

Written inline on purpose: a migration never imports app code. Sources: ../shared/domain/ksch.md
sections 4-5 (KMK HK.01.07/MENKES/413/2020, KMK HK.01.07/MENKES/4641/2021, SE Menkes
HK.02.01/MENKES/18/2022, Inmendagri 3/2021 and 14/2021, KMK 243/2022 for triage cut-offs).
"""

import datetime as dt

from django.db import migrations

RESPIRATORY = ["demam", "batuk", "pilek", "sakit_tenggorokan", "sesak_napas"]
HOME_ISOLATION = {"max_age": 45, "no_comorbidity": True, "separate_room": True, "own_oximeter": True}
MEASURES = {
    "hijau": ["active_surveillance", "test_suspects"],
    "kuning": ["active_surveillance", "test_suspects", "trace_contacts", "supervised_isoman"],
    "oranye": [
        "active_surveillance", "test_suspects", "trace_contacts", "supervised_isoman",
        "close_worship_places", "close_playgrounds", "close_public_places",
    ],
    "merah": [
        "active_surveillance", "test_suspects", "trace_contacts", "supervised_isoman",
        "close_worship_places", "close_playgrounds", "close_public_places",
        "central_isolation", "no_gatherings_over_3", "limit_access_after_20", "stop_social_events",
    ],
}


def bands(kuning, oranye, merah):
    return [
        {"zone": "hijau", "min_houses": 0},
        {"zone": "kuning", "min_houses": kuning},
        {"zone": "oranye", "min_houses": oranye},
        {"zone": "merah", "min_houses": merah},
    ]


PRESETS = [
    {
        "kind": "isolation",
        "name": "KMK 413/2020",
        "effective_from": dt.date(2020, 7, 13),
        "source": "KMK HK.01.07/MENKES/413/2020",
        "params": {
            "asymptomatic_days": 10, "symptomatic_days": 10, "symptom_free_days": 3,
            "fever_c": 37.5, "symptom_free_of": RESPIRATORY,
            "quarantine_days": 14, "quarantine_test_exit_day": None,
            "newcomer_quarantine_days": 14, "newcomer_negative_test_exempts": True,
            "home_isolation": HOME_ISOLATION,
        },
    },
    {
        "kind": "isolation",
        "name": "KMK 4641/2021",
        "effective_from": dt.date(2021, 7, 19),
        "source": "KMK HK.01.07/MENKES/4641/2021",
        "params": {
            "asymptomatic_days": 10, "symptomatic_days": 10, "symptom_free_days": 3,
            "fever_c": 37.5, "symptom_free_of": RESPIRATORY,
            "quarantine_days": 14, "quarantine_test_exit_day": 5,
            "newcomer_quarantine_days": 5, "newcomer_negative_test_exempts": True,
            "home_isolation": HOME_ISOLATION,
        },
    },
    {
        "kind": "zoning",
        "name": "Inmendagri 3/2021",
        "effective_from": dt.date(2021, 2, 9),
        "source": "Instruksi Mendagri No. 3 Tahun 2021",
        "params": {"window_days": 7, "bands": bands(1, 6, 11), "measures": MEASURES},
    },
    {
        "kind": "zoning",
        "name": "Juni 2021 (Inmendagri 14/2021)",
        "effective_from": dt.date(2021, 6, 22),
        "source": "Instruksi Mendagri No. 14 Tahun 2021",
        "params": {"window_days": 7, "bands": bands(1, 3, 6), "measures": MEASURES},
    },
    {
        "kind": "triage",
        "name": "default",
        "effective_from": dt.date(2020, 3, 1),
        "source": "Program default (KMK 243/2022 severity cut-offs; Ministry advice)",
        "params": {
            "darurat_spo2_below": 93, "darurat_rr_above": 30,
            "darurat_symptoms": ["nyeri_dada", "penurunan_kesadaran"],
            "rujuk_spo2_below": 95, "rujuk_rr_at_least": 25, "rujuk_symptoms": ["sesak_napas"],
            "rujuk_fever_c": 38.0, "rujuk_fever_days": 3,
            "waspada_temperature_c": 37.5, "waspada_spo2_drop": 3, "recheck_hours": 4,
            "acknowledge_minutes_darurat": 60, "acknowledge_minutes_rujuk": 1440,
            "pagi_until": "12:00:00", "sore_until": "21:00:00",
        },
    },
]


def add_presets(apps, schema_editor):
    Protocol = apps.get_model("health", "Protocol")
    for preset in PRESETS:
        Protocol.objects.get_or_create(kind=preset["kind"], name=preset["name"], defaults=preset)


def remove_presets(apps, schema_editor):
    Protocol = apps.get_model("health", "Protocol")
    for preset in PRESETS:
        Protocol.objects.filter(kind=preset["kind"], name=preset["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial")]

    operations = [migrations.RunPython(add_presets, remove_presets)]
