"""Web pages: feedback, complaints and the Laporan Kinerja Relawan."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Placeholder replaced by the feedback & complaints pages.
    return render(request, "assessment/home.html", {})
