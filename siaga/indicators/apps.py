from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "siaga.indicators"
    verbose_name = "Program indicators"
