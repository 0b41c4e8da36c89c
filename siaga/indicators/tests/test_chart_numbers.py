"""The inline SVG charts: coordinates are numbers for the browser, never localised."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from .conftest import plus

pytestmark = pytest.mark.django_db


def test_svg_coordinates_use_a_decimal_point_under_indonesian(
    refreshed: Any, client: Client
) -> None:
    client.force_login(refreshed.world.users["admin"])
    response = client.get(
        f"/indikator/?territory=33.74.02.1006.006&from={plus(-3)}&to={plus(6)}&interval=day",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    html = response.content.decode()
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert svgs
    numbers = re.findall(r'(?:x|y|width|height|cx|cy|points)="([^"]*)"', "".join(svgs))
    assert any("." in n for n in numbers)  # fractional coordinates are there …
    for rect in re.findall(r"<rect [^>]*>", "".join(svgs)):
        assert "," not in rect, rect  # … and written with a point (2.3, not 2,3)
    for polyline in re.findall(r'points="([^"]*)"', "".join(svgs)):
        assert all(p.count(",") == 1 for p in polyline.split()), polyline
