"""Reads of the territory tree, with counts computed by range queries on territory keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Count, F, QuerySet
from django.http import Http404

from siaga.core import codes, policy
from siaga.core.policy import in_subtree
from siaga.core.roles import Perm
from siaga.territory.models import Level, Territory

COUNT_KEYS = ("rw", "rt", "households", "residents")


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
    """RW, RT (strictly below the node), household and resident counts within the node."""
    from siaga.registry.models import Household, Resident

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
        "households": Household.objects.filter(in_subtree("rt_id", (low, high))).count(),
        "residents": Resident.objects.filter(in_subtree("rt_id", (low, high))).count(),
    }


def children_with_counts(territory: Territory) -> list[tuple[Territory, dict[str, int]]]:
    """Children of the node with their counts, in a fixed number of grouped queries."""
    from siaga.registry.models import Household, Resident

    children = list(territory.children.order_by("id"))
    if not children:
        return []
    low, high = territory.bounds
    child_span = codes.span_for_level(territory.level + 1)
    bucket = F("id") / child_span
    totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_KEYS, 0))

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
    rt_bucket = F("rt_id") / child_span
    for model, key in ((Household, "households"), (Resident, "residents")):
        fold(
            model.objects.filter(in_subtree("rt_id", (low, high)))
            .annotate(bucket=rt_bucket)
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
