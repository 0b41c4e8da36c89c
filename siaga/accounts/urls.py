from django.urls import path

from siaga.accounts import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.login, name="login"),
    path("keluar/", views.logout, name="logout"),
    path("bahasa/", views.language, name="language"),
]
