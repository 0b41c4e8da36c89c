"""Demo content of the Laporan Kinerja Relawan: the coordinator's narrative of RW 006 Panggung Lor
for last month, written from that month's figures, so the demo report is worth printing.

Idempotent: an existing narrative for that RW and month is left alone.
"""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from siaga.assessment import report as rpt
from siaga.assessment.models import ReportNarrative
from siaga.assessment.report.services import save_narrative
from siaga.demo.console import number
from siaga.territory.models import Territory

DEMO_RW = "33.74.02.1006.006"
DEMO_AUTHOR = "pengurus.rw006"

_OPENINGS = (
    "Selama bulan ini relawan RW 006 tetap bergerak bersama warga.",
    "Bulan ini kegiatan relawan RW 006 berjalan dengan baik berkat gotong royong warga.",
    "Relawan RW 006 menjaga layanan posko sepanjang bulan ini.",
)


def _narrative(report: rpt.VolunteerReport, rng: random.Random) -> str:
    now, before = report.total.current, report.total.previous
    trend = (
        "naik" if now.hours > before.hours else ("turun" if now.hours < before.hours else "sama")
    )
    top = sorted(report.volunteers, key=lambda r: -r.current.hours)[:3]
    names = ", ".join(r.name for r in top if r.current.hours > 0)
    parts = [
        rng.choice(_OPENINGS),
        f"{report.total.volunteers} relawan mencatat {now.hours:.0f} jam jaga "
        f"({trend} dari {before.hours:.0f} jam bulan sebelumnya), menyelesaikan "
        f"{now.tasks_done} tugas, {now.monitoring} pemantauan kesehatan dan "
        f"{now.deliveries} pengantaran bantuan ke {now.households} rumah tangga.",
    ]
    if names:
        parts.append(f"Terima kasih khusus kepada {names} atas jam jaga terbanyak.")
    if now.on_time_rate is not None and now.on_time_rate < 80:
        parts.append(
            "Ketepatan waktu tugas masih perlu ditingkatkan; jadwal piket akan ditata ulang "
            "bersama ketua tim."
        )
    else:
        parts.append("Bulan depan kami fokus pada pemantauan warga isoman dan lansia.")
    return " ".join(parts)


def build_report_demo(seed: int = 2021) -> str:
    """Write the demo narrative (once); a one-line summary of what was done."""
    rw = Territory.objects.filter(code=DEMO_RW).first()
    author = get_user_model().objects.filter(username=DEMO_AUTHOR, is_active=True).first()
    if rw is None or author is None:
        return _("volunteer report: no RW 006 Panggung Lor or no pengurus.rw006, nothing written")
    period = rpt.last_month()
    if ReportNarrative.objects.filter(
        territory=rw, volunteer__isnull=True, period_from=period.start, period_to=period.end
    ).exists():
        return _("volunteer report: narrative for %(rw)s %(month)s already there") % {
            "rw": DEMO_RW,
            "month": f"{period.start:%Y-%m}",
        }
    report = rpt.volunteer_report(rpt.report_access(author, rw), period)
    save_narrative(
        actor=author,
        territory=rw,
        period=period,
        text=_narrative(report, random.Random(seed)),
    )
    return _(
        "volunteer report: narrative written for %(rw)s %(month)s (%(volunteers)s volunteers, "
        "%(hours)s hours)"
    ) % {
        "rw": DEMO_RW,
        "month": f"{period.start:%Y-%m}",
        "volunteers": number(report.total.volunteers),
        "hours": number(report.total.current.hours),
    }
