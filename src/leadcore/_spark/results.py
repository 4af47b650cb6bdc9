"""
The results of the Spark engine: Spark DataFrames, with the local engine's columns.

Importing this module needs no pyspark: the tables are held as they come.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import attrs

from leadcore import _attrs as a
from leadcore._dedupe.config import TABLES, DedupePolicy
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
