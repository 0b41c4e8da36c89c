"""Web pages: indicator dashboards and the co-production matrix."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    # Placeholder replaced by the dashboard.
    return render(request, "indicators/dashboard.html", {})
