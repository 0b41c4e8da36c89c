"""Public pages (no login): the transparency page of an RW."""

from django.urls import path

from . import views

app_name = "transparency"

urlpatterns = [path("<str:code>/", views.transparency, name="rw")]
