from django.urls import path

from siaga.health import views

app_name = "health"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("kasus/", views.case_list, name="cases"),
    path("kasus/baru/", views.case_create, name="case_create"),
    path("kasus/<int:pk>/", views.case_detail, name="case"),
    path("kasus/<int:pk>/pantau/", views.case_monitor, name="case_monitor"),
    path("kasus/<int:pk>/selesai/", views.case_end, name="case_end"),
    path("kasus/<int:pk>/perpanjang/", views.case_extend, name="case_extend"),
    path("kasus/<int:pk>/kontak/", views.contact_create, name="contact_create"),
    path("rujukan/", views.referral_list, name="referrals"),
    path("rujukan/<int:pk>/", views.referral_detail, name="referral"),
    path("rujukan/<int:pk>/terima/", views.referral_acknowledge, name="referral_acknowledge"),
    path("rujukan/<int:pk>/selesai/", views.referral_complete, name="referral_complete"),
    path("rujukan/masuk/", views.referral_inbox, name="referral_inbox"),
    path("rujukan/<int:pk>/lanjut/", views.referral_onward, name="referral_onward"),
    path("rujukan/lanjut/<int:pk>/hasil/", views.onward_close, name="onward_close"),
    path("puskesmas/", views.puskesmas_list, name="puskesmas_list"),
    path("puskesmas/baru/", views.puskesmas_create, name="puskesmas_create"),
    path("puskesmas/<int:pk>/", views.puskesmas_edit, name="puskesmas_edit"),
    path("tujuan-rujukan/baru/", views.destination_create, name="destination_create"),
    path("tujuan-rujukan/<int:pk>/", views.destination_edit, name="destination_edit"),
    path("kontak/", views.contact_list, name="contacts"),
    path("pendatang/", views.newcomer_list, name="newcomers"),
    path("vaksinasi/", views.outreach, name="outreach"),
    path("vaksinasi/catat/", views.vaccination_create, name="vaccination_create"),
    path("zona/", views.zone_board, name="zones"),
    path("protokol/", views.protocol_list, name="protocols"),
    path("protokol/baru/", views.protocol_create, name="protocol_create"),
    path("protokol/<int:pk>/", views.protocol_detail, name="protocol"),
    path("protokol/<int:pk>/ubah/", views.protocol_edit, name="protocol_edit"),
    path("kotak-masuk/", views.inbox, name="inbox"),
]
