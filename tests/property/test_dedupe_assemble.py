"""
A run's pairs and clusters, assembled on row numbers, equal their definition.

:func:`leadcore._dedupe.results.assemble` groups the decider's answers by pairs of
rows, builds the :class:`Decision`, :class:`Pair` and :class:`Cluster` objects without
checking their parts again, and finds the clusters with a union-find on row numbers.
Its definition is what :func:`leadcore.dedupe.find` did before (issue 19, fourth round),
kept here: group by lead ids, :func:`decision_of` and :func:`pair_of` (checked
constructors), and a union-find on ids whose root is the smallest id. The decisions
are drawn freely (any action, via, labels, person and reasons, in any order, on any
rows), so this holds whatever rule made them.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
from hypothesis import example, given
from hypothesis import strategies as st

from leadcore._dedupe import results
from leadcore._dedupe.config import ACTIONS, Action
from leadcore._dedupe.decide import Directed
from leadcore._dedupe.results import decision_of, pair_of
from leadcore.dedupe import Cluster, Decision, Pair


def _old_pairs(ids: list[str], directed: Iterable[Directed]) -> list[Pair]:
    """The pairs as ``dedupe._pairs`` built them before the fourth round."""
    grouped: dict[tuple[str, str], list[Decision]] = {}
    for d in directed:
        one, other = ids[d.inbound], ids[d.existing]
        key = (one, other) if one < other else (other, one)
        grouped.setdefault(key, []).append(decision_of(one, other, d))
    return [pair_of(a_id, b_id, found) for (a_id, b_id), found in sorted(grouped.items())]


def _old_cluster(
    pairs: Iterable[Pair], cluster_on: tuple[Action, ...]
) -> tuple[list[Cluster], dict[str, str]]:
    """The clusters as ``dedupe._cluster`` found them before the fourth round."""
    parent: dict[str, str] = {}

    def root(item: str) -> str:
        while True:
            up = parent.setdefault(item, item)
            if up == item:
                return item
            parent[item] = parent.setdefault(up, up)
            item = parent[item]

    wanted = set(cluster_on)
    for pair in pairs:
        if any(d.action in wanted for d in pair.decisions):
            one, other = root(pair.a), root(pair.b)
            if one != other:
                if other < one:
                    one, other = other, one
                parent[other] = one
    members: dict[str, list[str]] = {}
    for item in parent:
        members.setdefault(root(item), []).append(item)
    clusters = [Cluster(id=r, members=sorted(m)) for r, m in sorted(members.items())]
    return clusters, {item: c.id for c in clusters for item in c.members}


LABELS = st.sampled_from(["name", "email", "phone", "name_fuzzy", "vin", "zip"])


@st.composite
def runs(draw: st.DrawFn) -> tuple[list[str], list[Directed], tuple[Action, ...]]:
    """Unique ids in any order, decisions on any pairs of their rows, a ``cluster_on``."""
    ids = draw(
        st.lists(
            st.text(alphabet="aAbB0é-", min_size=1, max_size=3), min_size=2, max_size=9, unique=True
        )
    )
    size = len(ids)
    found = []
    for _ in range(draw(st.integers(0, 14))):
        x = draw(st.integers(0, size - 1))
        y = draw(st.integers(0, size - 2))
        y = y + 1 if y >= x else y
        action = draw(st.sampled_from(ACTIONS))
        found.append(
            Directed(
                x,
                y,
                action,
                draw(st.sampled_from(["two_of_n", "phone_only", "vin"])),
                tuple(draw(st.lists(LABELS, max_size=3, unique=True))),
                draw(st.sampled_from(["customer", "co_customer"])),
                ("MRG-2",) if action == "route" and draw(st.booleans()) else (),
            )
        )
    cluster_on = tuple(draw(st.lists(st.sampled_from(ACTIONS), max_size=3, unique=True)))
    return ids, found, cluster_on


def _d(x: int, y: int, action: str) -> Directed:
    return Directed(x, y, action, "two_of_n", ("name", "email"), "customer", ())


_CHAIN = (
    ["a", "b", "c", "d", "e"],
    [
        _d(0, 1, "merge"),
        _d(2, 3, "merge"),
        _d(1, 3, "merge"),
        _d(3, 4, "route"),
        _d(4, 0, "merge"),
    ],
    ("merge", "route"),
)
"""Joins that make a component's root two steps away (path halving), then one within a
component (nothing to join), every run."""

_BOTH_WAYS = (
    ["z", "b", "m", "c"],
    [
        _d(0, 1, "duplicate"),
        _d(0, 1, "merge"),
        _d(1, 0, "duplicate"),
        _d(2, 0, "route"),
        _d(2, 1, "duplicate"),
        _d(3, 1, "duplicate"),
        _d(1, 3, "duplicate"),
    ],
    ("merge",),
)
"""Rows out of id order; a pair decided both ways (merge, duplicates); single decisions of
the smaller and of the larger id inbound; pairs not clustered (one or several decisions)."""


_TWO = (
    ["p", "q", "r", "s", "t", "u", "v", "w"],
    [
        _d(0, 1, "merge"),
        _d(0, 1, "duplicate"),
        _d(3, 2, "duplicate"),
        _d(3, 2, "route"),
        _d(5, 4, "duplicate"),
        Directed(5, 4, "duplicate", "phone_only", ("phone",), "customer", ()),
        _d(6, 7, "duplicate"),
        _d(7, 6, "merge"),
    ],
    ("route",),
)
"""Pairs of two decisions: in their order (merge then duplicate, one way), the other way
round (duplicate then route: route first), both of one action and way (a tie: their
order kept), both ways (the smaller id's first whatever its action)."""


@given(runs())
@example(_TWO)
@example(_CHAIN)
@example(_BOTH_WAYS)
@example((["a", "b"], [], ("merge",)))
def test_assembled_pairs_and_clusters_equal_their_definition(
    run: tuple[list[str], list[Directed], tuple[Action, ...]],
) -> None:
    """Pairs, decisions (sorted), kinds, clusters and cluster ids, as before; objects valid."""
    ids, directed, cluster_on = run
    old_pairs = _old_pairs(ids, directed)
    old_clusters, old_of = _old_cluster(old_pairs, cluster_on)

    pairs, clusters, cluster_of = results.assemble(ids, directed, cluster_on)

    assert pairs == old_pairs
    assert clusters == old_clusters
    assert cluster_of == old_of
    for pair in pairs:
        assert type(pair) is Pair
        assert type(pair.decisions) is tuple
        # Built unchecked, yet what the checked constructors build (and hash the same).
        assert Pair(**attrs.asdict(pair, recurse=False)) == pair
        assert hash(Pair(**attrs.asdict(pair, recurse=False))) == hash(pair)
        for decision in pair.decisions:
            assert type(decision) is Decision
            assert Decision(**attrs.asdict(decision, recurse=False)) == decision
    for cluster in clusters:
        assert type(cluster) is Cluster
        assert Cluster(id=cluster.id, members=cluster.members) == cluster


def test_a_component_two_steps_from_its_root_is_one_cluster() -> None:
    """The union-find's path halving (every run): one cluster named by its smallest id."""
    ids, directed, cluster_on = _CHAIN

    _, clusters, cluster_of = results.assemble(ids, directed, cluster_on)

    assert clusters == [Cluster(id="a", members=("a", "b", "c", "d", "e"))]
    assert cluster_of == dict.fromkeys(ids, "a")


def test_a_pair_decided_both_ways_lists_the_smaller_ids_decisions_first() -> None:
    """Decisions by inbound id then action (merge, route, duplicate); kind the strongest."""
    ids, directed, cluster_on = _BOTH_WAYS

    pairs, clusters, _ = results.assemble(ids, directed, cluster_on)

    assert [(p.a, p.b, p.kind) for p in pairs] == [
        ("b", "c", "duplicate"),
        ("b", "m", "duplicate"),
        ("b", "z", "merge"),
        ("m", "z", "route"),
    ]
    assert [(d.inbound, d.existing) for d in pairs[0].decisions] == [("b", "c"), ("c", "b")]
    assert [(d.inbound, d.existing) for d in pairs[1].decisions] == [("m", "b")]
    assert [(d.inbound, d.action) for d in pairs[2].decisions] == [
        ("b", "duplicate"),
        ("z", "merge"),
        ("z", "duplicate"),
    ]
    assert clusters == [Cluster(id="b", members=("b", "z"))]


def test_a_pair_of_two_decisions_lists_them_as_a_pair_of_more_does() -> None:
    """Two decisions of a pair: by inbound id then action, ties in their order (every run)."""
    ids, directed, cluster_on = _TWO

    pairs, clusters, _ = results.assemble(ids, directed, cluster_on)

    assert [(p.a, p.b, p.kind) for p in pairs] == [
        ("p", "q", "merge"),
        ("r", "s", "route"),
        ("t", "u", "duplicate"),
        ("v", "w", "merge"),
    ]
    assert [d.action for d in pairs[0].decisions] == ["merge", "duplicate"]
    assert [(d.inbound, d.action) for d in pairs[1].decisions] == [
        ("s", "route"),
        ("s", "duplicate"),
    ]
    assert [d.via for d in pairs[2].decisions] == ["two_of_n", "phone_only"]
    assert [(d.inbound, d.action) for d in pairs[3].decisions] == [
        ("v", "duplicate"),
        ("w", "merge"),
    ]
    assert clusters == [Cluster(id="r", members=("r", "s"))]
