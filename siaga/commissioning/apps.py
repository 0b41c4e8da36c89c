from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "siaga.commissioning"
    verbose_name = "Co-commissioning"
