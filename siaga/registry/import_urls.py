"""URLs of the import wizard and the export downloads (included by registry.urls)."""

from django.urls import path

from siaga.registry import import_views as views

urlpatterns = [
    path("impor/", views.start, name="import_start"),
    path("impor/templat.xlsx", views.template, name="import_template"),
    path("impor/<str:import_id>/", views.detail, name="import_detail"),
    path("impor/<str:import_id>/kolom/", views.mapping, name="import_mapping"),
    path("impor/<str:import_id>/konfirmasi/", views.confirm, name="import_confirm"),
    path("impor/<str:import_id>/kemajuan/", views.progress, name="import_progress"),
    path("impor/<str:import_id>/ditolak.xlsx", views.rejected, name="import_rejected"),
    path("ekspor/<str:kind>.<str:fmt>", views.export, name="export"),
]
