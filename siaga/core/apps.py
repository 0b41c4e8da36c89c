from django.apps import AppConfig
from django.db.models import CharField
from django.db.models.functions import Length


class CoreConfig(AppConfig):
    name = "siaga.core"
    verbose_name = "Core"

    def ready(self) -> None:
        # `field__length` is used by check constraints (e.g. 16-digit NIK / No. KK).
        CharField.register_lookup(Length)
