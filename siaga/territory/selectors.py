"""Reads of the territory tree, with counts computed by range queries on territory keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Count, F, Model, QuerySet
from django.http import Http404

from siaga.core import codes, policy
from siaga.core.policy import in_subtree
from siaga.core.roles import Perm
from siaga.territory.models import Level, Territory

# Territory knows no people: apps that place rows on an RT (the registry's households and
# residents) register them here from their AppConfig.ready(), and the counts include them.
_PLACED: dict[str, tuple[type[Model], str]] = {}


def register_count(key: str, model: type[Model], rt_field: str = "rt_id") -> None:
    """Count ``model`` rows (placed on an RT by ``rt_field``) under ``key`` in every node's counts."""
    _PLACED[key] = (model, rt_field)


def count_keys() -> tuple[str, ...]:
    return ("rw", "rt", *_PLACED)


def visible(user: Any) -> QuerySet[Territory]:
    return policy.scope(Territory.objects.all(), user, Perm.TERRITORY_VIEW)


def get_visible(user: Any, code: str) -> Territory:
    return policy.get_or_404(Territory.objects.all(), user, Perm.TERRITORY_VIEW, code=code)


def roots(user: Any) -> list[Territory]:
    """The top-most territories the user may view (their memberships' nodes)."""
    scope = policy.scope_for(user, Perm.TERRITORY_VIEW)
    if scope.everywhere:
        return list(Territory.objects.filter(level=Level.PROVINSI))
    return list(Territory.objects.filter(id__in=[low for low, _ in scope.ranges]))


def ancestors(territory: Territory) -> list[Territory]:
    parsed = codes.parse_code(territory.code)
    keys = [codes.parse_code(code).key for code in parsed.ancestor_codes()]
    return list(Territory.objects.filter(id__in=keys).order_by("level"))


def counts(territory: Territory) -> dict[str, int]:
    """RW, RT (strictly below the node) and registered counts (households, residents) within it."""
    low, high = territory.bounds
    level_counts = dict(
        Territory.objects.filter(in_subtree("id", (low, high)), level__gt=territory.level)
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    return {
        "rw": level_counts.get(Level.RW, 0),
        "rt": level_counts.get(Level.RT, 0),
        **{
            key: model._default_manager.filter(in_subtree(field, (low, high))).count()
            for key, (model, field) in _PLACED.items()
        },
    }


def children_with_counts(territory: Territory) -> list[tuple[Territory, dict[str, int]]]:
    """Children of the node with their counts, in a fixed number of grouped queries."""
    children = list(territory.children.order_by("id"))
    if not children:
        return []
    low, high = territory.bounds
    child_span = codes.span_for_level(territory.level + 1)
    bucket = F("id") / child_span
    totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(count_keys(), 0))

    def fold(rows: Any, key: str) -> None:
        for child_index, n in rows:
            totals[int(child_index)][key] += n

    for level, key in ((Level.RW, "rw"), (Level.RT, "rt")):
        if level > territory.level + 1:
            fold(
                Territory.objects.filter(in_subtree("id", (low, high)), level=level)
                .annotate(bucket=bucket)
                .values("bucket")
                .annotate(n=Count("id"))
                .values_list("bucket", "n"),
                key,
            )
    for key, (model, field) in _PLACED.items():
        fold(
            model._default_manager.filter(in_subtree(field, (low, high)))
            .annotate(bucket=F(field) / child_span)
            .values("bucket")
            .annotate(n=Count("id"))
            .values_list("bucket", "n"),
            key,
        )
    return [(child, totals[child.id // child_span]) for child in children]


def rw_or_404(user: Any, perm: Perm, pk: Any) -> Territory:
    """The RW with this primary key (as chosen in a form) if ``user`` may use ``perm`` there."""
    return policy.get_or_404(Territory.objects.filter(level=Level.RW), user, perm, pk=pk)


def territory_param(
    user: Any,
    perm: Perm,
    code: str | None,
    *,
    default: Territory | Callable[[], Territory | None] | None = None,
    required: bool = False,
) -> Territory | None:
    """The territory a ``?territory=`` (or ``?wilayah=``) parameter names, if ``user`` reaches it.

    The one parser of that parameter, on the web and in the API. An empty code means ``default``
    (a territory, or a function giving the user's default place; None: no filter). A code that
    names no territory and a code outside the user's reach with ``perm`` both answer Http404:
    the access policy never reveals whether a place exists. ``required``: Http404 when the answer
    would be None. Reach is ``policy.scope_for(user, perm)``, except for ``COMMUNITY_VIEW``,
    whose reach is ``policy.community_scope`` (a warga reads their kelurahan).
    """
    code = (code or "").strip()
    if not code:
        territory = default() if callable(default) else default
    else:
        territory = Territory.objects.filter(code=code).first()
        reach = (
            policy.community_scope(user)
            if perm == Perm.COMMUNITY_VIEW
            else policy.scope_for(user, perm)
        )
        if territory is None or not reach.covers_key(territory.id):
            raise Http404("not found")
    if territory is None and required:
        raise Http404("not found")
    return territory
