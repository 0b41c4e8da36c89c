"""Laporan Kinerja Relawan (the volunteer performance report), one package:

- ``figures``: the figures, read in a few grouped queries, and who may see them;
- ``pdf`` and ``xlsx``: the two downloads;
- ``services``: the writes (the narrative, the access record);
- ``views``/``urls``: the page, and ``api``: its /api/v1 endpoints.

The figures' public names are re-exported here (``from siaga.assessment import report as rpt;
rpt.volunteer_report(...)``); the downloads are imported from their modules so that reading the
figures does not load the PDF and XLSX libraries.
"""

from siaga.assessment.report.figures import (
    MAX_DAYS,
    Metrics,
    Period,
    ReportAccess,
    ReportRefused,
    Rollup,
    Seconds,
    VolunteerReport,
    VolunteerRow,
    change,
    default_territory,
    last_month,
    metric_rows,
    parse_period,
    place_name,
    report_access,
    report_as_dict,
    report_choices,
    report_territories,
    volunteer_report,
)

__all__ = [
    "MAX_DAYS",
    "Metrics",
    "Period",
    "ReportAccess",
    "ReportRefused",
    "Rollup",
    "Seconds",
    "VolunteerReport",
    "VolunteerRow",
    "change",
    "default_territory",
    "last_month",
    "metric_rows",
    "parse_period",
    "place_name",
    "report_access",
    "report_as_dict",
    "report_choices",
    "report_territories",
    "volunteer_report",
]
