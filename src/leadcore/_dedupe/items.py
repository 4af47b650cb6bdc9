"""
The small result types of batch deduplication: pairs, decisions, clusters, the summary.

:class:`~leadcore.dedupe.Decision`, :class:`~leadcore.dedupe.Pair`,
:class:`~leadcore.dedupe.Cluster`, :class:`~leadcore.dedupe.Summary`,
:class:`~leadcore.dedupe.GenericKey` and :class:`~leadcore.dedupe.BadRow`: what
:class:`~leadcore.dedupe.DedupeResult` (in :mod:`leadcore._dedupe.results`), its
explanations and its accuracy are made of. At the bottom of the engine: they import
nothing of it but its configuration.

Re-exported by :mod:`leadcore.dedupe`, the public face of these names.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import attrs

from leadcore import _attrs as a
from leadcore import merge
from leadcore._dedupe import frames
from leadcore._dedupe.config import Action, TableKind
from leadcore.errors import InvalidInput

__all__ = [
    "BadRow",
    "Cluster",
    "Decision",
    "GenericKey",
    "Pair",
    "Summary",
    "check_table",
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
        """Every condition that holds in some decision (:func:`matched_of`)."""
        return matched_of(self.decisions)

    def explain(self) -> str:
        """Return every decision's explanation, joined by ``; ``."""
        return "; ".join(d.explain() for d in self.decisions)


def matched_of(decisions: Iterable[Decision]) -> tuple[str, ...]:
    """
    Every item label that holds in some decision.

    The rulebook's conditions come first, in their order, then a match rule's own labels
    in the order the decisions give them.
    """
    return _ordered(tuple(d.matched for d in decisions))


@functools.lru_cache(maxsize=1024)
def _ordered(labels: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    # A run's pairs hold a few combinations of labels: each is ordered once (a table of
    # 100,000 pairs asked this 100,000 times).
    found = dict.fromkeys(c for matched in labels for c in matched)
    return tuple(c for c in merge.CONDITIONS if c in found) + tuple(
        c for c in found if c not in merge.CONDITIONS
    )


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


def check_table(name: str, names: Sequence[str], kind: object) -> TableKind:
    """Check a table name and kind as every result's ``table`` does; return the kind."""
    if name not in names:
        raise InvalidInput.single("name", name, f"must be one of {', '.join(names)}")
    if kind not in frames.KINDS:
        raise InvalidInput.single("kind", kind, f"must be one of {', '.join(frames.KINDS)}")
    return kind
