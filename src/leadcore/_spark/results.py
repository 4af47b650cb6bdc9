"""
The results of the Spark engine: Spark DataFrames, with the local engine's columns.

Importing this module needs no pyspark: the tables are held as they come, and what an
analyst asks of a result (:meth:`SparkDedupeResult.pair`, ``explain``, ``accuracy``) is
answered by :mod:`leadcore._spark.analysis`, imported on use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from leadcore import _attrs as a
from leadcore._dedupe.accuracy import Accuracy, AccuracyComparison
from leadcore._dedupe.config import TABLES, Action, DedupePolicy
from leadcore._dedupe.explain import PairExplanation
from leadcore._dedupe.items import Pair
from leadcore._dedupe.results import Summary
from leadcore.errors import InvalidInput

__all__ = ["CHANGE_COLUMNS", "SparkComparison", "SparkDedupeResult"]


CHANGE_COLUMNS: Final = (
    "lead_a",
    "lead_b",
    "before",
    "after",
    "matched_before",
    "matched_after",
    "explanation_before",
    "explanation_after",
)
"""The columns of a comparison's changes (as :meth:`PolicyComparison.table` ``changes``)."""


@attrs.frozen(kw_only=True, eq=False)
class SparkDedupeResult(a.Frozen):
    """
    Batch deduplication computed on Spark: the local run's tables, as Spark DataFrames.

    :func:`leadcore.dedupe.find` returns one when given a Spark DataFrame. Each table
    has the columns of :meth:`leadcore.dedupe.DedupeResult.table` and, collected, the
    same rows in the same order as the local run on the same table (bad rows' values
    are text, and ``line`` is empty: a DataFrame has no file lines). The summary is
    counted on the cluster when the run ends; the tables are cached there.

    Attributes:
        now: The moment the rules were applied at.
        policy: The policy applied.
        pairs: lead_a, lead_b, kind, cluster, matched, explanation.
        decisions: inbound, existing, action, via, matched, person, reasons.
        clusters: lead_id, cluster_id, cluster_size.
        generic_keys: kind, key, rows, pairs, handling.
        bad_rows: row, line, field, value, message.
        summary: The counts, as :class:`leadcore.dedupe.Summary`.

    """

    now: dt.datetime
    policy: DedupePolicy
    pairs: Any = attrs.field(repr=False)
    decisions: Any = attrs.field(repr=False)
    clusters: Any = attrs.field(repr=False)
    generic_keys: Any = attrs.field(repr=False)
    bad_rows: Any = attrs.field(repr=False)
    summary: Summary
    _run: Any = attrs.field(default=None, repr=False, alias="run")
    """What the run kept for the questions below (``leadcore._spark.analysis.Run``)."""

    def _analysis(self) -> Any:  # noqa: ANN401  # the module, imported on use
        if self._run is None:
            raise InvalidInput.single(
                "result", "SparkDedupeResult", "holds no run (built by hand); use dedupe.find()"
            )
        from leadcore._spark import analysis  # noqa: PLC0415  # pyspark only when asked

        return analysis

    def pair(self, a: str, b: str) -> Pair | None:
        """
        Return the pair of leads ``a`` and ``b`` (in either order), or None if not a pair.

        As :meth:`leadcore.dedupe.DedupeResult.pair`: the two rows are read from the
        cluster and decided again here by the run's own rules (the same rows, the same
        counts of keys over the table), which gives the pair the run listed.

        Raises:
            InvalidInput: An id is not a lead of the table, or both are the same.

        """
        return self._analysis().pair(self, self._run, a, b)  # type: ignore[no-any-return]  # a Pair

    def explain(self, a: str, b: str) -> PairExplanation:
        """
        Explain why two leads of the table are a pair, or are not (MRG-1 to MRG-7).

        :meth:`leadcore.dedupe.DedupeResult.explain` on the two rows read from the
        cluster: each inbound against the other, for auto-merge and possible duplicates,
        by :func:`leadcore.merge.explain`, with the run's counts of keys over the table
        and its excluded generic keys. The leads are the table's normal forms
        (``as_entered`` is False: a DataFrame is not read again).

        Raises:
            InvalidInput: An id is not a lead of the table, or both are the same.

        """
        return self._analysis().explain(self, self._run, a, b)  # type: ignore[no-any-return]  # a PairExplanation

    def accuracy(
        self,
        labels: str | Mapping[str, object] | None = None,
        *,
        kinds: Iterable[Action] | None = None,
        limit: int = 1_000,
    ) -> Accuracy:
        """
        Score the run against ground-truth labels, counted on the cluster.

        :meth:`leadcore.dedupe.DedupeResult.accuracy`'s scores: ``labels`` is the column
        read with the leads (``Columns(labels=...)``, the default, named or not) or a
        mapping of lead ids to labels. The counts are exact; the first ``limit`` false
        negatives are listed, and (on Spark) the first ``limit`` false positives too,
        both in the local order (see ``docs/spark.md``).

        Raises:
            InvalidInput: No label column, another column (load it with
                ``Columns(labels=...)``), bad ``kinds`` or ``limit``.

        """
        return self._analysis().accuracy(self, self._run, labels, kinds, limit)  # type: ignore[no-any-return]  # an Accuracy

    def table(self, name: str) -> Any:  # noqa: ANN401  # a pyspark.sql.DataFrame
        """
        Return one of :data:`leadcore.dedupe.TABLES` as a Spark DataFrame.

        Raises:
            InvalidInput: Unknown name.

        """
        if name not in TABLES:
            raise InvalidInput.single("name", name, f"must be one of {', '.join(TABLES)}")
        return getattr(self, name)


@attrs.frozen(kw_only=True, eq=False)
class SparkComparison(a.Frozen):
    """
    Two policies applied on Spark to the same table, and the pairs whose decisions differ.

    Attributes:
        before: The result under the first policy.
        after: The result under the second policy.
        changes: The pairs whose kind or matched conditions differ: lead_a, lead_b,
            before, after, matched_before, matched_after, explanation_before,
            explanation_after (as :meth:`leadcore.dedupe.PolicyComparison.table`
            ``changes``), sorted by the leads.

    """

    before: SparkDedupeResult
    after: SparkDedupeResult
    changes: Any = attrs.field(repr=False)

    def accuracy(
        self,
        labels: str | Mapping[str, object] | None = None,
        *,
        kinds: Iterable[Action] | None = None,
        limit: int = 1_000,
    ) -> AccuracyComparison:
        """
        Score both policies against the same labels (see :meth:`SparkDedupeResult.accuracy`).

        Raises:
            InvalidInput: As :meth:`SparkDedupeResult.accuracy`.

        """
        return AccuracyComparison(
            before=self.before.accuracy(labels, kinds=kinds, limit=limit),
            after=self.after.accuracy(labels, kinds=kinds, limit=limit),
        )

    def counts(self) -> dict[str, int]:
        """How many pairs went from one kind to another, as ``"merge -> none"`` keys."""
        found: dict[str, int] = {}
        for row in self.changes.groupBy("before", "after").count().collect():
            key = f"{row['before'] or 'none'} -> {row['after'] or 'none'}"
            found[key] = int(row["count"])
        return dict(sorted(found.items()))

    def table(self, name: str) -> Any:  # noqa: ANN401  # a pyspark.sql.DataFrame
        """
        Return ``changes`` or ``counts`` (change, pairs) as a Spark DataFrame.

        Raises:
            InvalidInput: Unknown name.

        """
        if name == "changes":
            return self.changes
        if name == "counts":
            before = self.changes["before"]
            after = self.changes["after"]
            from pyspark.sql import functions as F  # noqa: N812, PLC0415  # a DataFrame is here

            change = F.concat(
                F.when(before == "", F.lit("none")).otherwise(before),
                F.lit(" -> "),
                F.when(after == "", F.lit("none")).otherwise(after),
            )
            return (
                self.changes.groupBy(change.alias("change"))
                .agg(F.count(F.lit(1)).alias("pairs"))
                .orderBy("change")
            )
        raise InvalidInput.single("name", name, "must be one of changes, counts")
