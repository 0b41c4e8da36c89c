"""URLs of the Laporan Kinerja Relawan (included under /penilaian/laporan/ in the assessment
namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
