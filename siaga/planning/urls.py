from django.urls import path

from siaga.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.plans, name="plans"),
    path("baru/", views.plan_create, name="plan_create"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/ubah/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/kegiatan/baru/", views.activity_create, name="activity_create"),
    path("kegiatan/<int:pk>/ubah/", views.activity_edit, name="activity_edit"),
    path("rapat/", views.meetings, name="meetings"),
    path("rapat/baru/", views.meeting_create, name="meeting_create"),
    path("rapat/<int:pk>/", views.meeting_detail, name="meeting"),
    path("rapat/<int:pk>/hadir/", views.attendance, name="attendance"),
    path("rapat/<int:pk>/keputusan/", views.meeting_decision, name="meeting_decision"),
    path("komentar/", views.moderation, name="moderation"),
    path("komentar/<int:pk>/moderasi/", views.moderate_comment, name="moderate_comment"),
    path("akuntabilitas/<str:code>/", views.accountability, name="accountability"),
    # From co-commissioning: the decision that opens a plan, comments on needs and proposals.
    path("proposal/<int:pk>/keputusan/", views.decide, name="decide"),
    path("komentar/<str:kind>/<int:pk>/", views.comment, name="comment"),
]
