from django.urls import path

from siaga.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.home, name="home"),
]
