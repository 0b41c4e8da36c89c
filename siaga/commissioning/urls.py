from django.urls import path

from siaga.commissioning import views

app_name = "commissioning"
urlpatterns = [
    path("", views.needs, name="needs"),
    path("kebutuhan/<int:pk>/", views.need_detail, name="need"),
    path("putaran/", views.rounds, name="rounds"),
    path("putaran/baru/", views.round_create, name="round_create"),
    path("putaran/<int:pk>/", views.round_detail, name="round"),
    path("putaran/<int:pk>/ubah/", views.round_edit, name="round_edit"),
    path("putaran/<int:pk>/catat-suara/", views.record_vote, name="record_vote"),
    path("proposal/baru/", views.proposal_create, name="proposal_create"),
    path("proposal/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposal/<int:pk>/penilaian/", views.assess, name="assess"),
]
