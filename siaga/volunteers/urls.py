from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("", views.my_tasks, name="my_tasks"),
    path("tugas/", views.task_queue, name="tasks"),
    path("tugas/<int:pk>/", views.task_detail, name="task"),
    path("tugas/<int:pk>/<str:action>/", views.task_action, name="task_action"),
    path("jadwal/", views.roster, name="roster"),
    path("jadwal-saya/", views.my_schedule, name="my_schedule"),
    path("kalender/", views.calendar_settings, name="calendar"),
    path("kalender/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("jadwal/<int:pk>/", views.shift_detail, name="shift"),
    path("jadwal/<int:pk>/<str:action>/", views.shift_action, name="shift_action"),
    path("daftar/", views.volunteer_list, name="volunteers"),
    path("daftar/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("daftar/<int:pk>/setujui/", views.volunteer_approve, name="volunteer_approve"),
    path("gabung/", views.offer, name="offer"),
    path("posko/", views.posko_list, name="posko_list"),
    path("posko/<int:pk>/", views.posko_detail, name="posko"),
    path("posko/jadwal-tetap/<int:pk>/", views.shift_template_edit, name="shift_template"),
]
