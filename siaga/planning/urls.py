from django.urls import path

from siaga.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.plans, name="plans"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("rapat/", views.meetings, name="meetings"),
    path("rapat/baru/", views.meeting_create, name="meeting_create"),
    path("rapat/<int:pk>/", views.meeting_detail, name="meeting"),
    path("rapat/<int:pk>/hadir/", views.attendance, name="attendance"),
    path("rapat/<int:pk>/keputusan/", views.meeting_decision, name="meeting_decision"),
    path("komentar/", views.moderation, name="moderation"),
    path("komentar/<int:pk>/moderasi/", views.moderate_comment, name="moderate_comment"),
    path("akuntabilitas/<str:code>/", views.accountability, name="accountability"),
]
