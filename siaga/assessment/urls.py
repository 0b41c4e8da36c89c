from django.urls import include, path

from siaga.assessment import views
from siaga.assessment.report import urls as report_urls

app_name = "assessment"
urlpatterns = [
    path("", views.home, name="home"),
    path("nilai/", views.rate, name="rate"),
    path("nilai/catat/", views.record_for, name="record_for"),
    path("umpan-balik/", views.feedback_list, name="feedback"),
    path("pengaduan/", views.complaints, name="complaints"),
    path("pengaduan/baru/", views.complaint_new, name="complaint_new"),
    path("pengaduan/<int:pk>/", views.complaint_detail, name="complaint"),
    path("pengaduan/<int:pk>/tanggapi/", views.complaint_respond, name="complaint_respond"),
    path("pengaduan/<int:pk>/foto/", views.complaint_photo, name="complaint_photo"),
    path("laporan/", include(report_urls.urlpatterns)),
]
