from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "siaga.api"
    verbose_name = "API"
