"""
Batch deduplication's results and their tables.

:class:`~leadcore.dedupe.LeadTable`, :class:`~leadcore.dedupe.DedupeResult` and its
tables as rows (dicts) with columns; the pairs, decisions and clusters it holds are in
:mod:`leadcore._dedupe.items`, its explanations in :mod:`leadcore._dedupe.explain`.

Re-exported by :mod:`leadcore.dedupe`, the public face of these names.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from leadcore import _attrs as a
from leadcore import _charts
from leadcore import _display as d
from leadcore._dedupe import block, decide, frames, inputs, raw
from leadcore._dedupe.accuracy import Accuracy, measure
from leadcore._dedupe.config import ACTIONS, TABLES, Action, DedupePolicy, TableKind
from leadcore._dedupe.explain import PairExplanation, explain_pair
from leadcore._dedupe.items import (
    BadRow,
    Cluster,
    Decision,
    GenericKey,
    Pair,
    Summary,
    check_table,
    decision_tuple,
)
from leadcore._dedupe.pool import quiet_gc
from leadcore.errors import InvalidInput
from leadcore.merge import KeyCounts
from leadcore.model import Lead

__all__ = [
    "BAD_ROW_COLUMNS",
    "BUILDERS",
    "DECISION_COLUMNS",
    "BadRow",
    "Cluster",
    "Decision",
    "DedupeResult",
    "GenericKey",
    "LeadTable",
    "Pair",
    "Summary",
    "assemble",
    "check_table",
    "decision_of",
    "decision_row",
    "decision_tuple",
    "pair_of",
]


_RANK: Final = {action: rank for rank, action in enumerate(ACTIONS)}
_RANK_OF: Final[dict[str, int]] = {action: rank for rank, action in enumerate(ACTIONS)}
"""The same ranks by plain text (a decision's action)."""


def decision_of(inbound: str, existing: str, directed: decide.Directed) -> Decision:
    """The :class:`Decision` of a directed pair the merge rules decided, by lead ids."""
    return Decision(
        inbound=inbound,
        existing=existing,
        action=directed.action,  # type: ignore[arg-type]  # one of ACTIONS
        via=directed.via,
        matched=directed.matched,
        person=directed.person,
        reasons=directed.reasons,
    )


def pair_of(a_id: str, b_id: str, found: list[Decision]) -> Pair:
    """The :class:`Pair` of two leads (``a_id < b_id``) with its decisions, sorted."""
    found.sort(key=lambda d: (d.inbound, _RANK[d.action]))
    kind = min((d.action for d in found), key=_RANK.__getitem__)
    return Pair(a=a_id, b=b_id, kind=kind, decisions=found)


_new: Final = object.__new__
_put: Final = object.__setattr__


def _decision(inbound: str, existing: str, directed: decide.Directed) -> Decision:
    """:func:`decision_of` without checking its fields again: they are the decider's."""
    made = _new(Decision)
    _put(made, "inbound", inbound)
    _put(made, "existing", existing)
    _put(made, "action", directed.action)
    _put(made, "via", directed.via)
    _put(made, "matched", directed.matched)
    _put(made, "person", directed.person)
    _put(made, "reasons", directed.reasons)
    return made


def _pair(a_id: str, b_id: str, kind: str, decisions: tuple[Decision, ...]) -> Pair:
    """A :class:`Pair` of checked parts (see :func:`assemble`)."""
    made = _new(Pair)
    _put(made, "a", a_id)
    _put(made, "b", b_id)
    _put(made, "kind", kind)
    _put(made, "decisions", decisions)
    return made


def _cluster(members: list[str]) -> Cluster:
    """A :class:`Cluster` of sorted member ids (see :func:`assemble`)."""
    made = _new(Cluster)
    _put(made, "id", members[0])
    _put(made, "members", tuple(members))
    return made


def assemble(
    ids: Sequence[str], directed: Iterable[decide.Directed], cluster_on: Iterable[str]
) -> tuple[list[Pair], list[Cluster], dict[str, str]]:
    """
    The pairs, clusters and cluster of each clustered lead, of a run's decisions.

    ``directed`` are the decisions of directed pairs of rows, ``ids`` the rows' lead ids.
    Returns the pairs sorted by ``(a, b)``, each as :func:`pair_of` makes it of
    :func:`decision_of`'s decisions; the clusters (connected components of the pairs
    with a decision among ``cluster_on``, two leads or more, named by their smallest
    id, sorted by it); and each clustered lead's cluster id. Grouped and joined on row
    numbers, the objects built without checking their parts again (they come from the
    decider and are checked by construction): the same values (a property test).
    """
    grouped: dict[tuple[int, int], list[decide.Directed]] = {}
    for one in directed:
        x, y = one.inbound, one.existing
        key = (x, y) if x < y else (y, x)
        found = grouped.get(key)
        if found is None:
            grouped[key] = [one]
        else:
            found.append(one)
    wanted = frozenset(cluster_on)
    parent: dict[int, int] = {}
    made: list[tuple[str, str, Pair]] = []
    for (low, high), found in grouped.items():
        x, y, x_id, y_id = low, high, ids[low], ids[high]
        if y_id < x_id:
            x, y, x_id, y_id = y, x, y_id, x_id
        kind, decisions, joined = _decided(found, x, x_id, y_id, wanted)
        made.append((x_id, y_id, _pair(x_id, y_id, kind, decisions)))
        if joined:
            _join(parent, x, y)
    # Ids are unique (load leaves out rows sharing one), so no two pairs tie on (a, b).
    made.sort()
    members: dict[int, list[str]] = {}
    for item in parent:
        members.setdefault(_root(parent, item), []).append(ids[item])
    clusters = sorted((_cluster(sorted(m)) for m in members.values()), key=lambda c: c.id)
    cluster_of = {member: c.id for c in clusters for member in c.members}
    return [m[2] for m in made], clusters, cluster_of


def _decided(
    found: list[decide.Directed], x: int, x_id: str, y_id: str, wanted: frozenset[str]
) -> tuple[str, tuple[Decision, ...], bool]:
    """
    A pair's kind, its decisions in order, and whether it joins clusters (see :func:`assemble`).

    ``found`` are the directed decisions of rows ``x`` (id ``x_id``, the smaller) and
    the other (``y_id``). Decisions are ordered by inbound id (``x``'s first), then
    action; ties keep their order.
    """
    if len(found) == 1:
        one = found[0]
        decision = _decision(x_id, y_id, one) if one.inbound == x else _decision(y_id, x_id, one)
        return one.action, (decision,), one.action in wanted
    rank = _RANK_OF
    if len(found) == 2:  # most pairs (both ways, or both modes): the order below, inline
        one, other = found
        first, second = rank[one.action], rank[other.action]
        if (second if other.inbound == x else second + len(ACTIONS)) < (
            first if one.inbound == x else first + len(ACTIONS)
        ):
            one, other = other, one
        return (
            ACTIONS[min(first, second)],
            (
                _decision(x_id, y_id, one) if one.inbound == x else _decision(y_id, x_id, one),
                _decision(x_id, y_id, other)
                if other.inbound == x
                else _decision(y_id, x_id, other),
            ),
            one.action in wanted or other.action in wanted,
        )
    keyed: list[tuple[int, int, Decision]] = []
    best, joined = len(ACTIONS), False
    for n, e in enumerate(found):
        r = rank[e.action]
        best = min(best, r)
        joined = joined or e.action in wanted
        if e.inbound == x:
            keyed.append((r, n, _decision(x_id, y_id, e)))
        else:
            keyed.append((r + len(ACTIONS), n, _decision(y_id, x_id, e)))
    keyed.sort()
    return ACTIONS[best], tuple(k[2] for k in keyed), joined


def _root(parent: dict[int, int], item: int) -> int:
    """The root of ``item``'s component (path halving)."""
    while True:
        up = parent[item]
        if up == item:
            return item
        parent[item] = parent[up]
        item = parent[item]


def _join(parent: dict[int, int], x: int, y: int) -> None:
    """Join the components of rows ``x`` and ``y`` (union-find)."""
    parent.setdefault(x, x)
    parent.setdefault(y, y)
    one, other = _root(parent, x), _root(parent, y)
    if one != other:
        parent[other] = one


@attrs.frozen(kw_only=True, eq=False, repr=False)
class LeadTable(a.Frozen, d.Shown):
    """
    Leads read and normalised once, ready for :func:`find` (and many policies).

    Build one with :func:`load`. It holds only what the merge rules look at, already
    normalised for ``region``; bad rows are listed and left out.

    Attributes:
        records: Input records read.
        bad_rows: The records left out, in input order.
        region: The default phone region the numbers were normalised with.
        kind: The kind of table results come back as by default (``rows`` for files,
            mappings and leads; ``pandas``, ``polars`` or ``pyarrow`` for those tables).

    """

    records: int
    bad_rows: tuple[BadRow, ...]
    region: str
    kind: TableKind
    data: inputs.Chunk = attrs.field(repr=False, alias="data")
    source: raw.Source | None = attrs.field(default=None, repr=False)
    """Where rows can be read again for their values as entered (None: they cannot)."""
    labels: str | None = None
    """The ground-truth label column read with the leads (``Columns.labels``), or None."""
    _positions: dict[str, int] = attrs.field(init=False, factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.data.ids)

    @property
    def ids(self) -> Sequence[str]:
        """The lead ids, in input order."""
        return self.data.ids

    def position(self, lead_id: str) -> int | None:
        """Return the index of ``lead_id`` among :attr:`ids`, or None (an index built once)."""
        if not self._positions and self.data.ids:
            self._positions.update(zip(self.data.ids, range(len(self.data.ids)), strict=True))
        return self._positions.get(lead_id)

    def lead(self, lead_id: str) -> Lead:
        """
        Return a lead of the table, with its values as entered when the source can be read again.

        The values as entered come from the input (a CSV file, a dataframe, a list of
        mappings or leads); otherwise, and when the input changed since, the lead is
        made of the normal forms the table holds (folded names, E.164 phones).

        Raises:
            InvalidInput: ``lead_id`` is not the id of a lead of the table.

        """
        return self.read(self.index(lead_id, "lead_id"))[0]

    def labels_for(self, labels: str | Mapping[str, object] | None) -> tuple[str, list[str | None]]:
        """
        Return where labels come from and one label per lead (None: no label).

        ``labels`` is a column read with the leads (``Columns.labels``), another column
        of a source that can be read again, or a mapping of lead ids to labels; None
        means the column read with the leads.

        Raises:
            InvalidInput: No label column was read and none is named, the column is
                not in the input, or the input cannot be read again.

        """
        ids = self.data.ids
        if isinstance(labels, Mapping):
            return "mapping", [raw.label(labels.get(i)) for i in ids]
        if labels is None or labels == self.labels:
            if self.labels is None:
                raise InvalidInput.single(
                    "labels",
                    labels,
                    "must name the ground-truth column: load the table with "
                    "Columns(labels='true_cluster'), or pass labels='true_cluster'",
                )
            return self.labels, list(self.data.labels)
        if not isinstance(labels, str) or not labels:  # type: ignore[redundant-expr]  # any value may be passed
            raise InvalidInput.single(
                "labels", labels, "must be a column name or a mapping of lead ids to labels"
            )
        if self.source is None:
            raise InvalidInput.single(
                "labels",
                labels,
                "cannot be read: the input cannot be read again (a generator?); load it "
                f"with Columns(labels={labels!r})",
            )
        return labels, raw.column(self.source, labels, self.data)

    def read(self, index: int) -> tuple[Lead, bool]:
        """The lead at ``index``, and whether it carries its values as entered."""
        found = raw.lead(self.source, self.data, index, self.region)
        if found is not None:
            return found, True
        return decide.lead(self.data, index, self.region), False

    def index(self, lead_id: object, path: str) -> int:
        """
        Return the index of ``lead_id``.

        Raises:
            InvalidInput: It is not the id of a lead of the table (named ``path``).

        """
        found = self.position(lead_id) if isinstance(lead_id, str) else None
        if found is None:
            raise InvalidInput.single(path, lead_id, "is not the id of a lead of the table")
        return found

    def _view(self, rows: int) -> d.View:
        data = self.data
        return d.View(
            "LeadTable",
            f"{len(data.ids):,} leads of {self.records:,} records "
            f"({len(self.bad_rows):,} bad rows)",
            facts=[
                ("records", self.records),
                ("leads", len(data.ids)),
                ("bad_rows", len(self.bad_rows)),
                ("region", self.region),
                ("kind", self.kind),
            ],
            tables=[
                d.Table(
                    "leads",
                    ("lead_id", "first", "last", "emails", "phones", "source", "lot"),
                    [
                        (
                            data.ids[i],
                            data.first[i],
                            data.last[i],
                            data.emails[i],
                            data.phones[i],
                            data.source[i],
                            data.lot[i],
                        )
                        for i in range(min(rows, len(data.ids)))
                    ],
                    len(data.ids),
                ),
                _bad_rows_table(self.bad_rows, rows),
            ],
        )


def _bad_rows_table(bad: Sequence[BadRow], rows: int) -> d.Table:
    return d.Table(
        "bad_rows",
        ("row", "line", "field", "value", "message"),
        [(b.row, b.line, b.field, b.value, b.message) for b in bad[:rows]],
        len(bad),
    )


def _sorted_pairs(value: Iterable[Pair]) -> tuple[Pair, ...]:
    return a.to_tuple(value)


def _clusters(value: Iterable[Cluster]) -> tuple[Cluster, ...]:
    return a.to_tuple(value)


def _generic(value: Iterable[GenericKey]) -> tuple[GenericKey, ...]:
    return a.to_tuple(value)


def _bad(value: Iterable[BadRow]) -> tuple[BadRow, ...]:
    return a.to_tuple(value)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class DedupeResult(a.Frozen, d.Shown):
    """
    Every pair the merge rules connect in a table, the clusters they make, and a report.

    Attributes:
        now: The moment the rules were applied at.
        policy: The policy applied.
        pairs: Every pair, sorted by ``(a, b)``.
        clusters: Clusters of two leads or more, sorted by id.
        generic_keys: Keys held by more than ``generic_key_rows`` leads.
        bad_rows: Input rows left out.
        summary: The counts.
        kind: The kind of table :meth:`table` returns by default.

    """

    now: dt.datetime
    policy: DedupePolicy
    pairs: tuple[Pair, ...] = attrs.field(converter=_sorted_pairs)
    clusters: tuple[Cluster, ...] = attrs.field(converter=_clusters)
    generic_keys: tuple[GenericKey, ...] = attrs.field(converter=_generic)
    bad_rows: tuple[BadRow, ...] = attrs.field(converter=_bad)
    summary: Summary
    kind: TableKind = "rows"
    _cluster_of: Mapping[str, str] = attrs.field(factory=dict, repr=False, alias="cluster_of")
    _table: LeadTable | None = attrs.field(default=None, repr=False, alias="table")

    @property
    def leads(self) -> LeadTable | None:
        """The table the result was found in (None for a result built by hand)."""
        return self._table

    def _known(self, lead_id: object, path: str) -> str:
        if not isinstance(lead_id, str) or not lead_id:
            raise InvalidInput.single(path, lead_id, "must be a lead id (a non-empty string)")
        if self._table is not None:
            self._table.index(lead_id, path)
        return lead_id

    def pair(self, a: str, b: str) -> Pair | None:
        """
        Return the pair of leads ``a`` and ``b`` (in either order), or None if not a pair.

        A binary search in :attr:`pairs`: no index is built.

        Raises:
            InvalidInput: An id is not a lead of the table, or both are the same.

        """
        one, two = self._known(a, "a"), self._known(b, "b")
        if one == two:
            raise InvalidInput.single(
                "b", b, "must differ from a: a lead is not a pair with itself"
            )
        key = (one, two) if one < two else (two, one)
        at = bisect.bisect_left(self.pairs, key, key=lambda p: (p.a, p.b))
        if at < len(self.pairs) and (self.pairs[at].a, self.pairs[at].b) == key:
            return self.pairs[at]
        return None

    def cluster_of(self, lead_id: str) -> Cluster:
        """
        Return the cluster of ``lead_id``: its customer (a cluster of one when alone).

        Raises:
            InvalidInput: ``lead_id`` is not a lead of the table.

        """
        checked = self._known(lead_id, "lead_id")
        cluster_id = self._cluster_of.get(checked)
        if cluster_id is None:
            return Cluster(id=checked, members=(checked,))
        at = bisect.bisect_left(self.clusters, cluster_id, key=lambda c: c.id)
        return self.clusters[at]

    def accuracy(
        self,
        labels: str | Mapping[str, object] | None = None,
        *,
        kinds: Iterable[Action] | None = None,
        limit: int = 1_000,
    ) -> Accuracy:
        """
        Score the run against ground-truth labels: precision, recall and F1.

        ``labels`` names the column holding the real person behind each lead (the
        generated exports' ``true_cluster``): the one read with the leads
        (``Columns(labels=...)``, the default), or any column of an input that can be
        read again; or a mapping of lead ids to labels. **Pairwise**: the pairs found
        with a decision among ``kinds`` (default: the policy's ``cluster_on``) against
        the pairs of leads with the same label. **Clusters**: the pairs of leads in the
        same cluster against the same true pairs. Leads without a label are left out.
        Every false positive is listed, and the first ``limit`` false negatives.

        Raises:
            InvalidInput: No label column, an unknown column, the input cannot be read
                again, bad ``kinds`` or ``limit``, or the result holds no table.

        """
        table = self._require_table()
        source, values = table.labels_for(labels)
        chosen = self.policy.cluster_on if kinds is None else tuple(kinds)
        bad = [k for k in chosen if k not in ACTIONS]
        if bad or not chosen:
            raise InvalidInput.single("kinds", chosen, f"must name some of {', '.join(ACTIONS)}")
        if type(limit) is not int or limit < 0:
            raise InvalidInput.single("limit", limit, "must be a whole number, 0 or more")
        return measure(
            table.ids,
            values,
            self.pairs,
            self.cluster_id,
            kinds=chosen,
            source=source,
            limit=limit,
        )

    def _require_table(self) -> LeadTable:
        if self._table is None:
            raise InvalidInput.single(
                "result", "DedupeResult", "holds no table of leads (built by hand); use find()"
            )
        return self._table

    def explain(self, a: str, b: str) -> PairExplanation:
        """
        Explain why two leads of the table are a pair, or are not (MRG-1 to MRG-7).

        Any two leads of the table, found as a pair or not: each inbound against the
        other, for auto-merge and possible duplicates, condition by condition (see
        :class:`PairExplanation` and :func:`leadcore.merge.explain`), with the values as
        entered when the input can be read again (a CSV file, a dataframe, a list).

        Raises:
            InvalidInput: An id is not a lead of the table, both are the same, or the
                result holds no table (it was built by hand).

        """
        found = self.pair(a, b)
        table = self._require_table()
        one, two = sorted((a, b))
        first, raw_one = table.read(table.index(one, "a"))
        second, raw_two = table.read(table.index(two, "b"))
        excluded = [k for k in self.generic_keys if k.handling == "excluded"]
        return explain_pair(
            first,
            second,
            pair=found,
            as_entered=raw_one and raw_two,
            now=self.now,
            policy=self.policy.merge,
            excluded=excluded,
            counts=self._counts(table, excluded),
        )

    def _counts(self, table: LeadTable, excluded: Sequence[GenericKey]) -> KeyCounts | None:
        """The run's counts of keys over the table, for a rule's items with ``max_leads``."""
        rules = self.policy.merge
        data = inputs.without_fillers(table.data, rules.placeholder_email_locals)
        if excluded:
            data = block.exclude(data, [block.Generic(k.kind, k.key, k.rows, 0) for k in excluded])
        return block.table_counts(data, rules)

    def cluster_id(self, lead_id: str) -> str:
        """Return the id of the cluster of ``lead_id`` (the lead's own id when alone)."""
        return self._cluster_of.get(lead_id, lead_id)

    def in_cluster(self, lead_id: str) -> bool:
        """Return whether ``lead_id`` is in a cluster of two leads or more."""
        return lead_id in self._cluster_of

    def table(self, name: str, *, kind: TableKind | None = None) -> Any:  # noqa: ANN401  # a table
        """
        Return one of :data:`TABLES` as a table of ``kind`` (default: the input's kind).

        ``pairs``: lead_a, lead_b, kind, cluster (the cluster id when the pair is in one),
        matched (``+``-joined), explanation. ``decisions``: inbound, existing, action,
        via, matched, person, reasons (one row per decision). ``clusters``: lead_id,
        cluster_id, cluster_size (leads in clusters of two or more). ``generic_keys``:
        kind, key, rows, pairs, handling. ``bad_rows``: row, line, field, value, message.

        Raises:
            InvalidInput: Unknown name or kind, or the kind's library is not installed.

        """
        chosen = check_table(name, TABLES, self.kind if kind is None else kind)
        # A table of a run is made of as many rows as it has pairs or decisions, none in
        # a cycle: the collector's full passes over the run's objects would cost about
        # as much as building them (see quiet_gc).
        with quiet_gc():
            columns, rows = BUILDERS[name](self)
            return frames.from_records(chosen, columns, rows)

    def chart_cluster_sizes(self, *, singletons: bool = False) -> Any:  # noqa: ANN401  # an altair chart
        """
        Return a bar chart of cluster sizes: how many customers have 2, 3, ... leads.

        With ``singletons``, leads in no cluster show as clusters of 1. Needs altair
        (the ``notebook`` extra).

        Raises:
            MissingDependency: altair is not installed.

        """
        sizes = Counter(c.size for c in self.clusters)
        if singletons:
            sizes[1] = self.summary.leads - self.summary.clustered_leads
        rows = [{"size": size, "clusters": count} for size, count in sorted(sizes.items())]
        return _charts.bars(
            rows,
            x="size",
            y="clusters",
            title=f"{self.summary.clusters:,} clusters of {self.summary.leads:,} leads",
            x_title="leads in the cluster",
            y_title="clusters",
        )

    def chart_conditions(self) -> Any:  # noqa: ANN401  # an altair chart
        """
        Return a bar chart of which conditions produce the pairs, by kind of pair.

        Each pair counts once, under the conditions that held in its decisions
        (``name+email+phone``; ``phone (phone only)`` for MRG-4 matches). Needs altair.

        Raises:
            MissingDependency: altair is not installed.

        """
        counts = Counter((p.kind, _conditions_label(p)) for p in self.pairs)
        rows = [
            {"conditions": label, "kind": kind, "pairs": count}
            for (kind, label), count in sorted(counts.items())
        ]
        return _charts.horizontal_bars(
            rows,
            category="conditions",
            value="pairs",
            color="kind",
            title=f"What makes the {len(self.pairs):,} pairs",
            value_title="pairs",
        )

    def _view(self, rows: int) -> d.View:
        s = self.summary
        return d.View(
            "DedupeResult",
            f"{s.leads:,} leads, {s.merge_pairs + s.route_pairs + s.duplicate_pairs:,} pairs "
            f"(merge {s.merge_pairs:,}, route {s.route_pairs:,}, duplicate {s.duplicate_pairs:,}), "
            f"{s.clusters:,} clusters, {s.customers:,} customers",
            facts=[("now", self.now), *s.as_dict().items()],
            tables=[
                d.Table(
                    "pairs",
                    ("lead_a", "lead_b", "kind", "matched", "explanation"),
                    [(p.a, p.b, p.kind, p.matched, p.explain()) for p in self.pairs[:rows]],
                    len(self.pairs),
                ),
                d.Table(
                    "clusters",
                    ("cluster_id", "size", "members"),
                    [(c.id, c.size, c.members) for c in self.clusters[:rows]],
                    len(self.clusters),
                ),
                d.Table(
                    "generic_keys",
                    ("kind", "key", "rows", "pairs", "handling"),
                    [
                        (g.kind, g.key, g.rows, g.pairs, g.handling)
                        for g in self.generic_keys[:rows]
                    ],
                    len(self.generic_keys),
                ),
                _bad_rows_table(self.bad_rows, rows),
            ],
        )


def _conditions_label(pair: Pair) -> str:
    label = "+".join(pair.matched)
    if any(x.via == "phone_only" for x in pair.decisions if x.action == pair.kind):
        label += " (phone only)"
    return label


# -- tables -------------------------------------------------------------------------------


Records = tuple[tuple[str, ...], list[tuple[object, ...]]]
"""A table's column names and its rows, each a tuple of the columns' values."""

PAIR_COLUMNS: Final = ("lead_a", "lead_b", "kind", "cluster", "matched", "explanation")
"""The columns of the ``pairs`` table."""


def _pairs_table(result: DedupeResult) -> Records:
    cluster_id, in_cluster = result.cluster_id, result.in_cluster
    records: list[tuple[object, ...]] = []
    append = records.append
    for pair in result.pairs:
        one = cluster_id(pair.a)
        append(
            (
                pair.a,
                pair.b,
                pair.kind,
                one if in_cluster(pair.a) and one == cluster_id(pair.b) else "",
                "+".join(pair.matched),
                pair.explain(),
            )
        )
    return PAIR_COLUMNS, records


DECISION_COLUMNS: Final = ("inbound", "existing", "action", "via", "matched", "person", "reasons")
"""The columns of the ``decisions`` table."""


def decision_row(d: Decision) -> dict[str, str]:
    """One row of the ``decisions`` table (every engine writes decisions with this)."""
    return dict(zip(DECISION_COLUMNS, _decision_record(d), strict=True))


def _decision_record(d: Decision) -> tuple[str, ...]:
    return (
        d.inbound,
        d.existing,
        d.action,
        d.via,
        "+".join(d.matched),
        d.person,
        "+".join(d.reasons),
    )


def _decisions_table(result: DedupeResult) -> Records:
    records: list[tuple[object, ...]] = [
        _decision_record(d) for pair in result.pairs for d in pair.decisions
    ]
    return DECISION_COLUMNS, records


CLUSTER_COLUMNS: Final = ("lead_id", "cluster_id", "cluster_size")
"""The columns of the ``clusters`` table."""


def _clusters_table(result: DedupeResult) -> Records:
    records: list[tuple[object, ...]] = [
        (member, c.id, c.size) for c in result.clusters for member in c.members
    ]
    return CLUSTER_COLUMNS, records


GENERIC_COLUMNS: Final = ("kind", "key", "rows", "pairs", "handling")
"""The columns of the ``generic_keys`` table."""


def _generic_table(result: DedupeResult) -> Records:
    return GENERIC_COLUMNS, [attrs.astuple(g) for g in result.generic_keys]


BAD_ROW_COLUMNS: Final = ("row", "line", "field", "value", "message")
"""The columns of the ``bad_rows`` table."""


def _bad_table(result: DedupeResult) -> Records:
    records: list[tuple[object, ...]] = [
        (
            b.row,
            b.line,
            b.field,
            b.value if b.value is None or isinstance(b.value, str | int) else repr(b.value),
            b.message,
        )
        for b in result.bad_rows
    ]
    return BAD_ROW_COLUMNS, records


def records(result: DedupeResult, name: str) -> Records:
    """
    One of :data:`TABLES` of a local run as column names and rows of values.

    What :meth:`DedupeResult.table` gives, before any kind of table is made of it: the
    CLI writes these rows as they are.

    Raises:
        InvalidInput: Unknown name.

    """
    check_table(name, TABLES, "rows")
    with quiet_gc():
        return BUILDERS[name](result)


BUILDERS: Final[dict[str, Callable[[DedupeResult], Records]]] = {
    "pairs": _pairs_table,
    "decisions": _decisions_table,
    "clusters": _clusters_table,
    "generic_keys": _generic_table,
    "bad_rows": _bad_table,
}
