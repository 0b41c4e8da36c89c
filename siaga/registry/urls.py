from django.urls import include, path

from siaga.registry import views

app_name = "registry"
urlpatterns = [
    path("keluarga/", views.households, name="households"),
    path("keluarga/baru/", views.household_create, name="household_create"),
    path("keluarga/<int:pk>/", views.household_detail, name="household_detail"),
    path("keluarga/<int:pk>/ubah/", views.household_edit, name="household_edit"),
    path("keluarga/<int:pk>/hapus/", views.household_delete, name="household_delete"),
    path("warga/", views.residents, name="residents"),
    path("warga/baru/", views.resident_create, name="resident_create"),
    path("warga/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("warga/<int:pk>/ubah/", views.resident_edit, name="resident_edit"),
    path("warga/<int:pk>/hapus/", views.resident_delete, name="resident_delete"),
    path("rt-pilihan/", views.rt_datalist, name="rt_options"),
    path("", include("siaga.registry.import_urls")),
]
