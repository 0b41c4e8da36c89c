"""Pages and endpoints: role × territory (out of reach → 404), shapes, query counts, CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from siaga.api.tests.helpers import Api, covers
from siaga.indicators import selectors
from siaga.indicators.models import IndicatorValue
from siaga.indicators.registry import INDICATORS

from .conftest import DAY, plus

pytestmark = pytest.mark.django_db

VIEWERS = {
    "admin",
    "fasilitator.kota",
    "fasilitator.utara",
    "lurah.panggunglor",
    "puskesmas.bandarharjo",
    "pengurus.rw006",
    "pengurus.rt003",
}
USERS = [*sorted(VIEWERS), "relawan.rw006", "warga.rt003"]
PLACES = ["33.74", "33.74.02", "33.74.02.1006", "33.74.02.1006.006", "33.74.02.1006.006.003"]
PERIOD = f"from={plus(-3)}&to={plus(6)}"

PAGES = [
    "/indikator/?territory={code}&" + PERIOD,
    "/indikator/csv/?indicator=active_cases&territory={code}&" + PERIOD,
    "/indikator/koproduksi/?territory={code}&" + PERIOD,
    "/indikator/koproduksi/aksi/?phase=co_design&actor_group=resident&territory={code}&" + PERIOD,
]
ENDPOINTS = [
    "/api/v1/indicators?territory={code}&" + PERIOD,
    "/api/v1/indicators/children?territory={code}&" + PERIOD,
    "/api/v1/coproduction?territory={code}&" + PERIOD,
    "/api/v1/coproduction/acts?territory={code}&" + PERIOD,
]


def _allowed(user: str, code: str) -> bool:
    return user in VIEWERS and covers(user, code)


@pytest.mark.parametrize("user", USERS)
def test_pages_and_endpoints_role_by_territory(refreshed: Any, client: Client, user: str) -> None:
    """Every page and endpoint, for every place: 200 within the user's reach, else 404."""
    api = Api(client, refreshed.world)
    client.force_login(refreshed.world.users[user])
    rows = IndicatorValue.objects.count()
    for code in PLACES:
        expected = 200 if _allowed(user, code) else 404
        for page in PAGES:
            assert client.get(page.format(code=code)).status_code == expected, (page, code)
        for endpoint in ENDPOINTS:
            response = api.get(endpoint.format(code=code), user)
            assert response.status_code == expected, (endpoint, code)
    # Unknown codes are 404 too, for everyone.
    assert client.get("/indikator/?territory=99.99").status_code == 404
    assert api.get("/api/v1/coproduction?territory=99.99", user).status_code == 404
    assert IndicatorValue.objects.count() == rows


def test_anonymous_is_refused(refreshed: Any, client: Client) -> None:
    assert client.get("/indikator/").status_code == 302
    assert client.get("/api/v1/coproduction").status_code == 401


def test_default_territory_is_the_highest_covered(refreshed: Any, client: Client) -> None:
    api = Api(client, refreshed.world)
    body = api.get("/api/v1/indicators?" + PERIOD, "lurah.panggunglor").json()
    assert body["territory"]["code"] == "33.74.02.1006"
    body = api.get("/api/v1/indicators?" + PERIOD, "pengurus.rt003").json()
    assert body["territory"]["code"] == "33.74.02.1006.006.003"


def test_matrix_api_has_exact_shape(refreshed: Any, client: Client) -> None:
    api = Api(client, refreshed.world)
    body = api.get(f"/api/v1/coproduction?territory=33.74&from={DAY}&to={DAY}", "admin").json()
    assert set(body) == {"phases", "actor_groups", "cells"}
    assert body["phases"] == ["co_commissioning", "co_design", "co_delivery", "co_assessment"]
    assert body["actor_groups"] == ["government", "community_leader", "volunteer", "resident"]
    assert len(body["cells"]) == 16
    assert all(set(c) == {"phase", "actor_group", "acts", "people"} for c in body["cells"])
    cells = {(c["phase"], c["actor_group"]): (c["acts"], c["people"]) for c in body["cells"]}
    assert cells[("co_design", "resident")] == (2, 1)
    assert cells[("co_design", "government")] == (1, 1)
    assert sum(acts for acts, _people in cells.values()) == 3
    # rt003 holds only the residents' acts; the government act was recorded at the RW.
    body = api.get(
        f"/api/v1/coproduction?territory=33.74.02.1006.006.003&from={DAY}&to={DAY}", "admin"
    ).json()
    cells = {(c["phase"], c["actor_group"]): c["acts"] for c in body["cells"]}
    assert cells[("co_design", "resident")] == 2 and cells[("co_design", "government")] == 0


def test_acts_api_lists_cell_without_names(refreshed: Any, client: Client) -> None:
    api = Api(client, refreshed.world)
    body = api.get(
        f"/api/v1/coproduction/acts?territory=33.74&from={DAY}&to={DAY}&phase=co_design"
        "&actor_group=resident&limit=1",
        "fasilitator.kota",
    ).json()
    assert body["count"] == 2 and len(body["items"]) == 1
    assert set(body["items"][0]) == {
        "at", "kind", "phase", "actor_group", "territory", "object_type", "object_id"
    }  # fmt: skip
    bad = api.get("/api/v1/coproduction/acts?phase=nope", "admin")
    assert bad.status_code == 422 and "phase" in bad.json()["fields"]


def test_indicators_api_series(refreshed: Any, client: Client) -> None:
    api = Api(client, refreshed.world)
    body = api.get(
        f"/api/v1/indicators?territory=33.74.02.1006.006&from={DAY}&to={plus(6)}&interval=day",
        "pengurus.rw006",
    ).json()
    assert body["from"] == str(DAY) and body["interval"] == "day"
    assert [i["key"] for i in body["indicators"]] == [i.key for i in INDICATORS]
    series = {i["key"]: i for i in body["indicators"]}
    assert len(series["active_cases"]["points"]) == 7
    assert series["active_cases"]["points"][0]["value"] == 2.0
    assert series["satisfaction"]["value"] == 4.5 and series["satisfaction"]["denominator"] == 2
    weekly = api.get(
        f"/api/v1/indicators?territory=33.74&from={plus(-3)}&to={plus(6)}&interval=week", "admin"
    ).json()
    points = {i["key"]: i["points"] for i in weekly["indicators"]}["needs_raised"]
    assert [(p["start"], p["end"], p["value"]) for p in points] == [
        (str(plus(-3)), str(plus(-1)), 0),
        (str(DAY), str(plus(6)), 1),
    ]
    bad = api.get(f"/api/v1/indicators?from={DAY}&to={plus(-1)}", "admin")
    assert bad.status_code == 422 and "to" in bad.json()["fields"]
    bad = api.get("/api/v1/indicators?interval=month", "admin")
    assert bad.status_code == 422


def test_children_api_drills_down(refreshed: Any, client: Client) -> None:
    api = Api(client, refreshed.world)
    body = api.get(f"/api/v1/indicators/children?territory=33.74&from={DAY}&to={DAY}", "admin")
    children = {c["territory"]["code"]: c["values"] for c in body.json()["children"]}
    assert set(children) == {"33.74.02", "33.74.03"}
    assert children["33.74.02"]["active_cases"] == 2.0
    assert children["33.74.03"]["active_cases"] == 0
    assert children["33.74.02"]["referral_ack_median"] == 60.0


def test_dashboard_page_shows_charts_and_children(refreshed: Any, client: Client) -> None:
    client.force_login(refreshed.world.users["fasilitator.utara"])
    response = client.get(f"/indikator/?from={plus(-3)}&to={plus(6)}&interval=day")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == len(INDICATORS)
    assert "Panggung Lor" in html and "Bandarharjo" in html  # the kelurahan children
    assert "territory=33.74.02.1006&amp;" in html or "territory=33.74.02.1006&" in html


def test_dashboard_bad_dates_fall_back_with_a_message(refreshed: Any, client: Client) -> None:
    client.force_login(refreshed.world.users["admin"])
    response = client.get("/indikator/?from=kemarin&to=2021-07-01", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "YYYY-MM-DD" in response.content.decode()


@pytest.mark.parametrize("code", ["33.74", "33.74.02.1006.006"])
def test_dashboard_query_count_is_bounded(
    refreshed: Any, client: Client, django_assert_max_num_queries: Any, code: str
) -> None:
    client.force_login(refreshed.world.users["admin"])
    with django_assert_max_num_queries(12):
        assert client.get(f"/indikator/?territory={code}&{PERIOD}").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/indikator/koproduksi/?territory={code}&{PERIOD}").status_code == 200
    with django_assert_max_num_queries(10):
        url = f"/indikator/koproduksi/aksi/?territory={code}&{PERIOD}"
        assert client.get(url).status_code == 200


def test_children_query_count_does_not_grow(refreshed: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(3):
        rows = selectors.children(refreshed.world.t["33.74.02.1006"], DAY, plus(6))
    assert [r.territory.code for r in rows] == ["33.74.02.1006.006", "33.74.02.1006.007"]


def test_csv_download(refreshed: Any, client: Client) -> None:
    client.force_login(refreshed.world.users["pengurus.rw006"])
    response = client.get(
        f"/indikator/csv/?indicator=satisfaction&territory=33.74.02.1006.006&from={DAY}"
        f"&to={plus(1)}&interval=day"
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["territory", "indicator", "unit", "start", "end", "value", "numerator", "denominator"],
        ["33.74.02.1006.006", "satisfaction", "rating", str(DAY), str(DAY), "4.5", "9.0", "2.0"],
        [
            "33.74.02.1006.006",
            "satisfaction",
            "rating",
            str(plus(1)),
            str(plus(1)),
            "",
            "0.0",
            "0.0",
        ],
    ]
    every = client.get(f"/indikator/csv/?indicator=all&territory=33.74.02.1006.006&{PERIOD}")
    keys = {row[1] for row in list(csv.reader(io.StringIO(every.content.decode())))[1:]}
    assert keys == {i.key for i in INDICATORS}
    assert client.get("/indikator/csv/?indicator=nope").status_code == 404


def test_matrix_page_heatmap_links_to_acts(refreshed: Any, client: Client) -> None:
    client.force_login(refreshed.world.users["admin"])
    html = client.get(
        f"/indikator/koproduksi/?territory=33.74&from={DAY}&to={DAY}"
    ).content.decode()
    assert html.count('<td class="heat-') == 16
    assert "phase=co_design&amp;actor_group=resident" in html
    acts = client.get(
        f"/indikator/koproduksi/aksi/?territory=33.74&from={DAY}&to={DAY}&phase=co_design"
        "&actor_group=resident"
    ).content.decode()
    assert acts.count("meeting.attend") == 2
    assert "Budi" not in acts and "Siti" not in acts
