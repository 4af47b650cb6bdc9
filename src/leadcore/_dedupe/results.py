"""
Batch deduplication's results and their tables.

:class:`~leadcore.dedupe.DedupeResult`, the rows it holds, and its tables as rows (dicts)
with columns.

Re-exported by :mod:`leadcore.dedupe`, the public face of these names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from leadcore import _attrs as a
from leadcore import _display as d
from leadcore import merge
from leadcore._dedupe import frames, inputs
from leadcore._dedupe.config import TABLES, Action, DedupePolicy, TableKind
from leadcore.errors import InvalidInput

__all__ = [
    "BUILDERS",
    "BadRow",
    "Cluster",
    "Decision",
    "DedupeResult",
    "GenericKey",
    "LeadTable",
    "Pair",
    "Summary",
    "decision_tuple",
]

# -- results ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class BadRow(a.Frozen):
    """
    An input row left out of the run, and why.

    Attributes:
        row: Its 0-based position among the input's records (the header excluded).
        line: Its 1-based line in the CSV file (the header is line 1); None otherwise.
        field: The field at fault (``created_at``), or None for the whole row.
        value: The value at fault.
        message: What is wrong.

    """

    row: int
    line: int | None
    field: str | None
    value: object = attrs.field(eq=False, hash=False)
    message: str


@attrs.frozen(kw_only=True)
class GenericKey(a.Frozen):
    """
    A key held by more leads than ``generic_key_rows``, and how it was handled.

    Attributes:
        kind: ``phone``, ``email`` or ``name``.
        key: The normalised value (a name as ``first last``, folded).
        rows: How many leads hold it.
        pairs: Candidate pairs its refinement compared (0 when excluded).
        handling: ``refined`` or ``excluded``.

    """

    kind: str
    key: str
    rows: int
    pairs: int
    handling: str


@attrs.frozen(kw_only=True)
class Decision(a.Frozen):
    """
    What the merge rules decide with one lead inbound and the other existing (MRG-1..7).

    Attributes:
        inbound: The inbound lead's id.
        existing: The existing lead's id.
        action: ``merge`` or ``route`` (:func:`leadcore.merge.auto`), or ``duplicate``
            (:func:`leadcore.merge.duplicates`).
        via: ``two_of_n`` or ``phone_only`` (MRG-4).
        matched: The conditions that hold (``name``, ``name_fuzzy``, ``email``, ``phone``).
        person: The existing lead's person they hold on: ``customer`` or ``co_customer``
            (MRG-5).
        reasons: For ``route``, the reason codes (``both_credit_applications``).

    """

    inbound: str
    existing: str
    action: Action
    via: str
    matched: tuple[str, ...]
    person: str
    reasons: tuple[str, ...] = ()

    def explain(self) -> str:
        """
        Return a one-line explanation.

        >>> Decision(inbound="L2", existing="L1", action="merge", via="two_of_n",
        ...          matched=("name", "email"), person="customer").explain()
        'L2 -> L1: merge (name + email on the customer)'
        """
        on = "co-customer" if self.person == "co_customer" else "customer"
        how = " + ".join(self.matched)
        if self.via == "phone_only":
            how += ", phone only"
        extra = f"; {', '.join(self.reasons)}" if self.reasons else ""
        return f"{self.inbound} -> {self.existing}: {self.action} ({how} on the {on}{extra})"


def decision_tuple(value: Iterable[Decision]) -> tuple[Decision, ...]:
    return a.to_tuple(value)


@attrs.frozen(kw_only=True)
class Pair(a.Frozen):
    """
    Two leads the merge rules connect, with every decision in either direction.

    Attributes:
        a: The smaller lead id (by code point).
        b: The larger lead id.
        kind: The strongest action among the decisions (``merge`` > ``route`` >
            ``duplicate``).
        decisions: Every decision, sorted by inbound id then action.

    """

    a: str
    b: str
    kind: Action
    decisions: tuple[Decision, ...] = attrs.field(converter=decision_tuple)

    @property
    def matched(self) -> tuple[str, ...]:
        """Every condition that holds in some decision, in SPEC order."""
        found = {c for d in self.decisions for c in d.matched}
        return tuple(c for c in merge.CONDITIONS if c in found)

    def explain(self) -> str:
        """Return every decision's explanation, joined by ``; ``."""
        return "; ".join(d.explain() for d in self.decisions)


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return a.str_tuple(value)


@attrs.frozen(kw_only=True)
class Cluster(a.Frozen):
    """
    A customer: leads connected by pairs of the ``cluster_on`` actions.

    Attributes:
        id: The smallest member id (by code point): stable in any row order.
        members: The member ids, sorted.

    """

    id: str
    members: tuple[str, ...] = attrs.field(converter=_str_tuple)

    @property
    def size(self) -> int:
        """How many leads."""
        return len(self.members)


@attrs.frozen(kw_only=True)
class Summary(a.Frozen):
    """
    Counts of a run.

    Attributes:
        records: Input records read.
        leads: Leads kept (records minus bad rows).
        bad_rows: Records left out.
        candidate_pairs: Directed pairs the merge rules decided after blocking.
        merge_pairs: Pairs that would auto-merge (in some direction).
        route_pairs: Pairs whose strongest decision is ``route`` (MRG-2).
        duplicate_pairs: Pairs whose strongest decision is ``duplicate`` (MRG-7).
        clusters: Clusters of two leads or more.
        clustered_leads: Leads in those clusters.
        largest_cluster: Size of the largest cluster (1 when none).
        customers: Clusters plus leads in no cluster.
        generic_keys: Generic keys found.

    """

    records: int
    leads: int
    bad_rows: int
    candidate_pairs: int
    merge_pairs: int
    route_pairs: int
    duplicate_pairs: int
    clusters: int
    clustered_leads: int
    largest_cluster: int
    customers: int
    generic_keys: int

    def as_dict(self) -> dict[str, int]:
        """The counts by name."""
        return attrs.asdict(self)


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

    def __len__(self) -> int:
        return len(self.data.ids)

    @property
    def ids(self) -> Sequence[str]:
        """The lead ids, in input order."""
        return self.data.ids

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
        if name not in TABLES:
            raise InvalidInput.single("name", name, f"must be one of {', '.join(TABLES)}")
        chosen = self.kind if kind is None else kind
        if chosen not in frames.KINDS:
            raise InvalidInput.single("kind", kind, f"must be one of {', '.join(frames.KINDS)}")
        columns, rows = BUILDERS[name](self)
        return frames.build(chosen, columns, rows)

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


# -- tables -------------------------------------------------------------------------------

Rows = tuple[list[str], list[dict[str, object]]]


def _pairs_table(result: DedupeResult) -> Rows:
    rows: list[dict[str, object]] = []
    for pair in result.pairs:
        one, other = result.cluster_id(pair.a), result.cluster_id(pair.b)
        rows.append(
            {
                "lead_a": pair.a,
                "lead_b": pair.b,
                "kind": pair.kind,
                "cluster": one if one == other and result.in_cluster(pair.a) else "",
                "matched": "+".join(pair.matched),
                "explanation": pair.explain(),
            }
        )
    return ["lead_a", "lead_b", "kind", "cluster", "matched", "explanation"], rows


def _decisions_table(result: DedupeResult) -> Rows:
    names = ["inbound", "existing", "action", "via", "matched", "person", "reasons"]
    rows: list[dict[str, object]] = [
        {
            "inbound": d.inbound,
            "existing": d.existing,
            "action": d.action,
            "via": d.via,
            "matched": "+".join(d.matched),
            "person": d.person,
            "reasons": "+".join(d.reasons),
        }
        for pair in result.pairs
        for d in pair.decisions
    ]
    return names, rows


def _clusters_table(result: DedupeResult) -> Rows:
    rows: list[dict[str, object]] = [
        {"lead_id": member, "cluster_id": c.id, "cluster_size": c.size}
        for c in result.clusters
        for member in c.members
    ]
    return ["lead_id", "cluster_id", "cluster_size"], rows


def _generic_table(result: DedupeResult) -> Rows:
    names = ["kind", "key", "rows", "pairs", "handling"]
    return names, [attrs.asdict(g) for g in result.generic_keys]


def _bad_table(result: DedupeResult) -> Rows:
    names = ["row", "line", "field", "value", "message"]
    rows: list[dict[str, object]] = [
        {
            "row": b.row,
            "line": b.line,
            "field": b.field,
            "value": b.value
            if b.value is None or isinstance(b.value, str | int)
            else repr(b.value),
            "message": b.message,
        }
        for b in result.bad_rows
    ]
    return names, rows


BUILDERS: Final[dict[str, Callable[[DedupeResult], Rows]]] = {
    "pairs": _pairs_table,
    "decisions": _decisions_table,
    "clusters": _clusters_table,
    "generic_keys": _generic_table,
    "bad_rows": _bad_table,
}
