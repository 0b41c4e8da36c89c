from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "siaga.logistics"
    verbose_name = "Logistics"

    def ready(self) -> None:
        # Health's home-isolation rule counts an oximeter lent by the lumbung pangan; logistics
        # depends on health, so it hands health the answer (models load only once apps are ready).
        from siaga.health.selectors import register_oximeter_lender
        from siaga.logistics.selectors import household_has_oximeter

        register_oximeter_lender(household_has_oximeter)
        from siaga.logistics import task_subjects

        task_subjects.register()  # the volunteers' tasks name the households of aid requests
