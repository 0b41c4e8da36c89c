from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "siaga.registry"
    verbose_name = "Registry"
