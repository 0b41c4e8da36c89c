from django.urls import path, register_converter

from siaga.territory import views


class TerritoryCodeConverter:
    """A territory code such as 33.74.02.1006.006.003 (digits and dots)."""

    regex = r"[0-9]{2}(?:\.[0-9]{2,4}){0,5}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TerritoryCodeConverter, "territory_code")

app_name = "territory"
urlpatterns = [
    path("", views.index, name="index"),
    path("<territory_code:code>/", views.detail, name="detail"),
]
