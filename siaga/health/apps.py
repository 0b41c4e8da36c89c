from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "siaga.health"
    label = "health"
    verbose_name = _("Health co-delivery")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import siaga.health.tasks  # noqa: F401  (registers the periodic tasks with Huey)
        from siaga.health import task_subjects

        task_subjects.register()  # the volunteers' tasks name cases, contacts and referrals
