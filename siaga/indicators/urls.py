from django.urls import path

from siaga.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("csv/", views.indicator_csv, name="csv"),
    path("koproduksi/", views.coproduction, name="coproduction"),
    path("koproduksi/aksi/", views.coproduction_acts, name="acts"),
]
