from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "siaga.planning"
    verbose_name = "Co-design"
