from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: a composition on top of every app (``siaga demo``); no app imports it."""

    name = "siaga.demo"
    label = "demo"
