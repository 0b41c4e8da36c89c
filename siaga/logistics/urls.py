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
    path("pinjaman/alat/", views.equipment_new, name="equipment_new"),
    path("pindah/", views.transfer, name="transfer"),
    path("paket/", views.packages, name="packages"),
    path("paket/<int:pk>/", views.package_edit, name="package"),
    path("dapur/", views.kitchen, name="kitchen"),
    path("ekspor/<str:ledger>.<str:fmt>", views.export, name="export"),
]
