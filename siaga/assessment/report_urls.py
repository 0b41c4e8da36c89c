"""URLs of the Laporan Kinerja Relawan (included under /penilaian/laporan/ in the assessment
namespace)."""

from django.urls import URLPattern, path

from . import report_views

urlpatterns: list[URLPattern] = [
    path("", report_views.report, name="report"),
    path("pdf/", report_views.report_pdf, name="report_pdf"),
    path("xlsx/", report_views.report_xlsx, name="report_xlsx"),
    path("narasi/", report_views.report_narrative, name="report_narrative"),
]
