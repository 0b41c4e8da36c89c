"""URLs of the Laporan Kinerja Relawan (included under /penilaian/laporan/ in the assessment
namespace)."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("", views.report, name="report"),
    path("pdf/", views.report_pdf, name="report_pdf"),
    path("xlsx/", views.report_xlsx, name="report_xlsx"),
    path("narasi/", views.report_narrative, name="report_narrative"),
]
