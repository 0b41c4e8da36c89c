from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "siaga.volunteers"
    verbose_name = "Volunteers"
