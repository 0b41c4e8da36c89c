"""/api/v1/territories: read a node with its counts, list its children, add an RW or RT."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from siaga.api.errors import ERRORS, invalid
from siaga.api.pagination import Page, PageQuery, paginate_sequence
from siaga.core import codes, policy
from siaga.core.roles import Perm
from siaga.territory import selectors, services
from siaga.territory.models import Level, Territory

router = Router(tags=["territories"])

LevelSlug = Literal["provinsi", "kabupaten", "kecamatan", "kelurahan", "rw", "rt"]


class CountsOut(Schema):
    rw: int = Field(description="RW strictly below the node.")
    rt: int = Field(description="RT strictly below the node.")
    households: int
    residents: int


class TerritoryOut(Schema):
    code: str = Field(examples=["33.74.02.1006.006"])
    name: str
    level: LevelSlug
    parent: str | None = Field(description="The parent's code; null for a province.")
    counts: CountsOut


class TerritoryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    parent: str = Field(
        description="Code of a kelurahan (to add an RW) or an RW (to add an RT).",
        examples=["33.74.02.1001"],
    )
    number: int = Field(description="The RW or RT number, 1 to 999.", examples=[7])
    name: str | None = Field(None, max_length=150, description="Defaults to 'RW 007'/'RT 007'.")


def territory_out(territory: Territory, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "code": territory.code,
        "name": territory.name,
        "level": territory.level_slug,
        "parent": codes.parse_code(territory.code).parent_code,
        "counts": counts,
    }


@router.get("/{code}", response={200: TerritoryOut, **ERRORS}, summary="A territory")
def get_territory(request: HttpRequest, code: str) -> dict[str, Any]:
    territory = selectors.get_visible(request.user, code)
    return territory_out(territory, selectors.counts(territory))


@router.get(
    "/{code}/children",
    response={200: Page[TerritoryOut], **ERRORS},
    summary="The children of a territory",
)
def list_children(request: HttpRequest, code: str, filters: Query[PageQuery]) -> dict[str, Any]:
    territory = selectors.get_visible(request.user, code)
    children = [
        territory_out(child, counts) for child, counts in selectors.children_with_counts(territory)
    ]
    return paginate_sequence(children, filters.limit, filters.offset)


@router.post("", response={201: TerritoryOut, **ERRORS}, summary="Add an RW or RT")
def create_territory(request: HttpRequest, payload: TerritoryIn) -> Status[dict[str, Any]]:
    # A parent the caller may not add territories under answers 404, like one they cannot see.
    parent = selectors.get_visible(request.user, payload.parent)
    policy.require(request.user, Perm.TERRITORY_CREATE, parent)
    try:
        territory = services.create_child(
            actor=request.user, parent=parent, number=payload.number, name=payload.name or ""
        )
    except services.TerritoryError as exc:
        field = "parent" if parent.level not in (Level.KELURAHAN, Level.RW) else "number"
        raise invalid({field: [str(exc)]}) from None
    return Status(201, territory_out(territory, selectors.counts(territory)))
