from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from siaga.api.v1 import api
from siaga.home import views as home_views


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the real icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("", home_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("akun/", include("siaga.accounts.urls")),
    path("wilayah/", include("siaga.territory.urls")),
    path("registrasi/", include("siaga.registry.urls")),
    path("kesehatan/", include("siaga.health.urls")),
    path("audit/", include("siaga.core.urls")),
    path("usulan/", include("siaga.commissioning.urls")),
    path("rencana/", include("siaga.planning.urls")),
    path("relawan/", include("siaga.volunteers.urls")),
    path("logistik/", include("siaga.logistics.urls")),
    path("penilaian/", include("siaga.assessment.urls")),
    path("indikator/", include("siaga.indicators.urls")),
    path("transparansi/", include("siaga.logistics.public_urls")),
    path("api/v1/", api.urls),
]
