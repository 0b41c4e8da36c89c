"""territory_param: the one parser of ``?territory=`` / ``?wilayah=`` on the web and in the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from siaga.core.roles import Perm
from siaga.territory.selectors import territory_param


def test_a_code_in_reach_is_the_territory(world: Any) -> None:
    user = world.users["pengurus.rw006"]
    found = territory_param(user, Perm.TERRITORY_VIEW, " 33.74.02.1006.006.003 ")
    assert found == world.t["rt003"]


@pytest.mark.parametrize("code", ["33.74.02.1006.007", "33.74.02.1006", "99.99", "junk"])
def test_unknown_and_out_of_reach_codes_answer_the_same_404(world: Any, code: str) -> None:
    with pytest.raises(Http404):
        territory_param(world.users["pengurus.rw006"], Perm.TERRITORY_VIEW, code)


def test_empty_means_the_default(world: Any) -> None:
    user = world.users["pengurus.rw006"]
    assert territory_param(user, Perm.TERRITORY_VIEW, "") is None
    assert (
        territory_param(user, Perm.TERRITORY_VIEW, None, default=world.t["rt004"])
        == (world.t["rt004"])
    )
    assert (
        territory_param(user, Perm.TERRITORY_VIEW, "", default=lambda: world.t["rw006"])
        == (world.t["rw006"])
    )
    with pytest.raises(Http404):
        territory_param(user, Perm.TERRITORY_VIEW, "", required=True)


def test_community_view_reaches_a_wargas_kelurahan(world: Any) -> None:
    warga = world.users["warga.rt003"]
    assert territory_param(warga, Perm.COMMUNITY_VIEW, "33.74.02.1006.007") is not None
    with pytest.raises(Http404):
        territory_param(warga, Perm.TERRITORY_VIEW, "33.74.02.1006.006.003")
