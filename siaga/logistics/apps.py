from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "siaga.logistics"
    verbose_name = "Logistics"
