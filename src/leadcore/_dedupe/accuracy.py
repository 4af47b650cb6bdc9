"""
How well a run finds the real people behind the leads: precision, recall, F1.

Given a ground-truth label per lead (the person behind it, such as the generated
exports' ``true_cluster``), :func:`measure` scores a result two ways:

* **pairwise**: the pairs the rules find (those with a decision among ``kinds``, the
  clustering actions by default) against the pairs of leads with the same label;
* **clusters**: the pairs of leads in the same cluster (the connected components, so a
  chain A-B-C also puts A and C together) against the same true pairs.

Counts are exact and computed without listing every true pair (a contingency table of
clusters by labels); the false positives are every found pair whose leads have
different labels, the false negatives the first ``limit`` true pairs not found. Leads
without a label are left out of every count (and reported).

Re-exported by :mod:`leadcore.dedupe`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

import attrs

from leadcore import _attrs as a
from leadcore import _display as d
from leadcore._dedupe import frames
from leadcore._dedupe.config import Action, TableKind
from leadcore._dedupe.items import Pair, check_table

__all__ = [
    "ACCURACY_TABLES",
    "Accuracy",
    "AccuracyComparison",
    "PairError",
    "Scores",
    "measure",
    "missed_pairs",
]

ACCURACY_TABLES: Final = ("scores", "false_positives", "false_negatives")
"""The tables of an :class:`Accuracy`, by name."""


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@attrs.frozen(kw_only=True)
class Scores(a.Frozen):
    """
    Precision, recall and F1 of a set of found pairs against the true pairs.

    Attributes:
        true_positives: Found pairs whose leads have the same label.
        false_positives: Found pairs whose leads have different labels.
        false_negatives: Pairs of leads with the same label not found.

    """

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float | None:
        """Share of found pairs that are true (None when nothing was found)."""
        return _ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float | None:
        """Share of true pairs that were found (None when there is no true pair)."""
        return _ratio(self.true_positives, self.true_positives + self.false_negatives)

    @property
    def f1(self) -> float | None:
        """The harmonic mean of precision and recall (None when either is)."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@attrs.frozen(kw_only=True)
class PairError(a.Frozen):
    """
    A pair the rules got wrong: found with different labels, or not found with the same.

    Attributes:
        a: The smaller lead id.
        b: The larger lead id.
        label_a: ``a``'s label.
        label_b: ``b``'s label.
        kind: The pair's kind when found (a false positive), else None.
        matched: The conditions that held, for a false positive.
        same_cluster: Whether the two leads are in the same cluster anyway (through
            other leads): a false negative of the pairs that clusters recover.

    """

    a: str
    b: str
    label_a: str
    label_b: str
    kind: Action | None
    matched: tuple[str, ...]
    same_cluster: bool


def _errors(value: Iterable[PairError]) -> tuple[PairError, ...]:
    return a.to_tuple(value)


def _kinds(value: Iterable[Action]) -> tuple[Action, ...]:
    return a.to_tuple(value)


_SCORE_COLUMNS: Final = (
    "level",
    "true_positives",
    "false_positives",
    "false_negatives",
    "precision",
    "recall",
    "f1",
)
_ERROR_COLUMNS: Final = (
    "lead_a",
    "lead_b",
    "label_a",
    "label_b",
    "kind",
    "matched",
    "same_cluster",
)


def _score_row(level: str, scores: Scores) -> dict[str, object]:
    return {
        "level": level,
        "true_positives": scores.true_positives,
        "false_positives": scores.false_positives,
        "false_negatives": scores.false_negatives,
        "precision": scores.precision,
        "recall": scores.recall,
        "f1": scores.f1,
    }


def _error_row(error: PairError) -> dict[str, object]:
    return {
        "lead_a": error.a,
        "lead_b": error.b,
        "label_a": error.label_a,
        "label_b": error.label_b,
        "kind": error.kind or "",
        "matched": "+".join(error.matched),
        "same_cluster": error.same_cluster,
    }


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Accuracy(a.Frozen, d.Shown):
    """
    A run scored against ground-truth labels: pairwise and cluster precision, recall, F1.

    What :meth:`DedupeResult.accuracy` answers (see :mod:`leadcore.dedupe`).

    Attributes:
        labels: Where the labels came from (a column name, or ``mapping``).
        kinds: The actions whose pairs count as found (by default the policy's
            ``cluster_on``).
        labelled: Leads with a label (the only ones counted).
        unlabelled: Leads without one, left out.
        pairwise: The pairs found against the true pairs.
        clusters: The pairs of leads in the same cluster against the true pairs.
        false_positives: Every found pair whose leads have different labels, sorted.
        false_negatives: The first ``limit`` true pairs not found, sorted (all of them
            are counted in ``pairwise.false_negatives``).

    """

    labels: str
    kinds: tuple[Action, ...] = attrs.field(converter=_kinds)
    labelled: int
    unlabelled: int
    pairwise: Scores
    clusters: Scores
    false_positives: tuple[PairError, ...] = attrs.field(converter=_errors)
    false_negatives: tuple[PairError, ...] = attrs.field(converter=_errors)

    def table(self, name: str, *, kind: TableKind = "rows") -> Any:  # noqa: ANN401  # a table
        """
        Return one of :data:`ACCURACY_TABLES` as a table of ``kind``.

        ``scores``: level (``pairwise``, ``clusters``), true_positives, false_positives,
        false_negatives, precision, recall, f1. ``false_positives`` and
        ``false_negatives``: lead_a, lead_b, label_a, label_b, kind, matched (``+``-joined),
        same_cluster.

        Raises:
            InvalidInput: Unknown name or kind, or the kind's library is not installed.

        """
        chosen = check_table(name, ACCURACY_TABLES, kind)
        if name == "scores":
            rows = [_score_row("pairwise", self.pairwise), _score_row("clusters", self.clusters)]
            return frames.build(chosen, _SCORE_COLUMNS, rows)
        errors = self.false_positives if name == "false_positives" else self.false_negatives
        return frames.build(chosen, _ERROR_COLUMNS, [_error_row(e) for e in errors])

    def _view(self, rows: int) -> d.View:
        p, c = self.pairwise, self.clusters
        return d.View(
            "Accuracy",
            f"pairwise precision {_pct(p.precision)}, recall {_pct(p.recall)}, F1 {_pct(p.f1)}; "
            f"clusters precision {_pct(c.precision)}, recall {_pct(c.recall)}, F1 {_pct(c.f1)}",
            facts=[
                ("labels", self.labels),
                ("kinds", self.kinds),
                ("labelled", self.labelled),
                ("unlabelled", self.unlabelled),
            ],
            tables=[
                _scores_table([("pairwise", p), ("clusters", c)]),
                _errors_table("false_positives", self.false_positives, p.false_positives, rows),
                _errors_table("false_negatives", self.false_negatives, p.false_negatives, rows),
            ],
        )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _scores_table(levels: Sequence[tuple[str, Scores]]) -> d.Table:
    return d.Table(
        "scores",
        _SCORE_COLUMNS,
        [
            (
                name,
                s.true_positives,
                s.false_positives,
                s.false_negatives,
                s.precision,
                s.recall,
                s.f1,
            )
            for name, s in levels
        ],
        len(levels),
    )


def _errors_table(name: str, errors: Sequence[PairError], total: int, rows: int) -> d.Table:
    return d.Table(
        name,
        _ERROR_COLUMNS,
        [
            (e.a, e.b, e.label_a, e.label_b, e.kind, e.matched, e.same_cluster)
            for e in errors[:rows]
        ],
        total,
    )


@attrs.frozen(kw_only=True, eq=False, repr=False)
class AccuracyComparison(a.Frozen, d.Shown):
    """
    Two policies scored against the same labels (a what-if's accuracy).

    Attributes:
        before: The first policy's accuracy.
        after: The second policy's.

    """

    before: Accuracy
    after: Accuracy

    def table(self, name: str, *, kind: TableKind = "rows") -> Any:  # noqa: ANN401  # a table
        """
        Return one of :data:`ACCURACY_TABLES` for both policies, with a ``policy`` column.

        ``policy`` is ``before`` or ``after``; the other columns are those of
        :meth:`Accuracy.table`.

        Raises:
            InvalidInput: Unknown name or kind, or the kind's library is not installed.

        """
        chosen = check_table(name, ACCURACY_TABLES, kind)
        rows = [
            {"policy": which, **row}
            for which, accuracy in (("before", self.before), ("after", self.after))
            for row in accuracy.table(name, kind="rows")
        ]
        columns = _SCORE_COLUMNS if name == "scores" else _ERROR_COLUMNS
        return frames.build(chosen, ("policy", *columns), rows)

    def _view(self, rows: int) -> d.View:
        one, two = self.before.pairwise, self.after.pairwise
        return d.View(
            "AccuracyComparison",
            f"pairwise precision {_pct(one.precision)} -> {_pct(two.precision)}, "
            f"recall {_pct(one.recall)} -> {_pct(two.recall)}, "
            f"F1 {_pct(one.f1)} -> {_pct(two.f1)}",
            facts=[("labels", self.before.labels), ("labelled", self.before.labelled)],
            tables=[
                _scores_table(
                    [
                        ("pairwise before", one),
                        ("pairwise after", two),
                        ("clusters before", self.before.clusters),
                        ("clusters after", self.after.clusters),
                    ]
                ),
                _errors_table(
                    "false_positives after",
                    self.after.false_positives,
                    two.false_positives,
                    rows,
                ),
                _errors_table(
                    "false_negatives after",
                    self.after.false_negatives,
                    two.false_negatives,
                    rows,
                ),
            ],
        )


def _pairs_of(count: int) -> int:
    return count * (count - 1) // 2


def measure(
    ids: Sequence[str],
    labels: Sequence[str | None],
    pairs: Sequence[Pair],
    cluster_of: Callable[[str], str],
    *,
    kinds: tuple[Action, ...],
    source: str,
    limit: int,
) -> Accuracy:
    """Score ``pairs`` and clusters against ``labels`` (one per id, None: unlabelled)."""
    label_of = {i: lab for i, lab in zip(ids, labels, strict=True) if lab is not None}
    wanted = set(kinds)
    found: list[Pair] = [
        p
        for p in pairs
        if p.a in label_of and p.b in label_of and any(x.action in wanted for x in p.decisions)
    ]
    positives = [p for p in found if label_of[p.a] != label_of[p.b]]
    hits = len(found) - len(positives)
    by_label = Counter(label_of.values())
    by_cluster = Counter(cluster_of(i) for i in label_of)
    both = Counter((cluster_of(i), lab) for i, lab in label_of.items())
    true_pairs = sum(_pairs_of(n) for n in by_label.values())
    together = sum(_pairs_of(n) for n in by_cluster.values())
    right = sum(_pairs_of(n) for n in both.values())
    false_positives = [
        PairError(
            a=p.a,
            b=p.b,
            label_a=label_of[p.a],
            label_b=label_of[p.b],
            kind=p.kind,
            matched=p.matched,
            same_cluster=cluster_of(p.a) == cluster_of(p.b),
        )
        for p in positives
    ]
    return Accuracy(
        labels=source,
        kinds=kinds,
        labelled=len(label_of),
        unlabelled=len(ids) - len(label_of),
        pairwise=Scores(
            true_positives=hits, false_positives=len(positives), false_negatives=true_pairs - hits
        ),
        clusters=Scores(
            true_positives=right,
            false_positives=together - right,
            false_negatives=true_pairs - right,
        ),
        false_positives=false_positives,
        false_negatives=missed_pairs(label_of, {(p.a, p.b) for p in found}, cluster_of, limit),
    )


def missed_pairs(
    label_of: dict[str, str],
    found: set[tuple[str, str]],
    cluster_of: Callable[[str], str],
    limit: int,
) -> list[PairError]:
    """
    The first ``limit`` true pairs not found, in (label, a, b) order.

    The false negatives of :func:`measure`; the Spark engine calls it on the leads of
    the first labels with a pair not found (the only ones it reads).
    """
    members: dict[str, list[str]] = {}
    for lead_id, label in label_of.items():
        members.setdefault(label, []).append(lead_id)
    missed: list[PairError] = []
    for label in sorted(members):
        group = sorted(members[label])
        for i, one in enumerate(group):
            for two in group[i + 1 :]:
                if (one, two) in found:
                    continue
                if len(missed) >= limit:
                    return _sorted(missed)
                missed.append(
                    PairError(
                        a=one,
                        b=two,
                        label_a=label,
                        label_b=label,
                        kind=None,
                        matched=(),
                        same_cluster=cluster_of(one) == cluster_of(two),
                    )
                )
    return _sorted(missed)


def _sorted(errors: list[PairError]) -> list[PairError]:
    return sorted(errors, key=lambda e: (e.a, e.b))
