from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "siaga.territory"
    verbose_name = "Territory"
