from django.urls import include, path

from siaga.assessment import report_urls, views

app_name = "assessment"
urlpatterns = [
    path("", views.home, name="home"),
    path("laporan/", include(report_urls.urlpatterns)),
]
