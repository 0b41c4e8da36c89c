from django.urls import path

from . import views

app_name = "logistics"

urlpatterns = [
    path("", views.stock, name="stock"),
    path("bantuan/", views.aid, name="aid"),
    path("bantuan/minta/", views.aid_request_new, name="aid_request"),
    path("bantuan/<int:pk>/kirim/", views.deliver, name="deliver"),
    path("keuangan/", views.money, name="money"),
    path("keuangan/<int:pk>/setujui/", views.approve_spending, name="approve_spending"),
    path("pinjaman/", views.loans, name="loans"),
    path("ekspor/<str:ledger>.<str:fmt>", views.export, name="export"),
]
