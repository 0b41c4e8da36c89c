from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "siaga.assessment"
    verbose_name = "Co-assessment"
