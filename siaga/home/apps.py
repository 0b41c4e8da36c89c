from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "siaga.home"
    verbose_name = "Home (Beranda)"
