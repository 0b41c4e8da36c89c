from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "siaga.registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        # Territory knows no people: the registry tells it what to count under each node.
        from siaga.registry.models import Household, Resident
        from siaga.territory.selectors import register_count

        register_count("households", Household)
        register_count("residents", Resident)
