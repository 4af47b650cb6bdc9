"""
Connected components on Spark: alternating large-star and small-star rounds.

The algorithm of Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC
2014), on an undirected edge list whose nodes are lead ids (ordered by code point, as
Spark orders strings). Each edge is kept as (hi, lo) with hi > lo. A *large-star* round
links every neighbour larger than a node to the smallest of that node's neighbourhood;
a *small-star* round links a node and its smaller neighbours to the smallest of them.
Rounds repeat until the edge set stops changing; then each component is a star around
its smallest id, which names it, as the local engine names a cluster. Each round is
checkpointed locally so the plan does not grow, by the one job that compares it with the
round before; no JVM package is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F  # noqa: N812  # the usual name

__all__ = ["components"]


def _large_star(edges: DataFrame) -> DataFrame:
    both = edges.select(F.col("hi").alias("u"), F.col("lo").alias("v")).unionByName(
        edges.select(F.col("lo").alias("u"), F.col("hi").alias("v"))
    )
    smallest = F.least(F.col("u"), F.min("v").over(Window.partitionBy("u")))
    return (
        both.withColumn("m", smallest)
        .where(F.col("v") > F.col("u"))
        .select(F.col("v").alias("hi"), F.col("m").alias("lo"))
        .distinct()
    )


def _small_star(edges: DataFrame) -> DataFrame:
    joined = edges.withColumn("m", F.min("lo").over(Window.partitionBy("hi")))
    return (
        joined.where(F.col("lo") != F.col("m"))
        .select(F.col("lo").alias("hi"), F.col("m").alias("lo"))
        .unionByName(joined.select(F.col("hi"), F.col("m").alias("lo")))
        .distinct()
    )


def components(
    edges: DataFrame, *, step: Callable[[int], None] | None = None
) -> tuple[DataFrame, int]:
    """
    Return (lead_id, cluster_id) of every lead of ``edges``, and the rounds taken.

    ``edges`` has columns ``a`` and ``b``; ``cluster_id`` is the smallest id of the
    lead's component.

    ``step(rounds)`` is called after each round (progress).
    """
    current: Any = (
        edges.select(F.greatest("a", "b").alias("hi"), F.least("a", "b").alias("lo"))
        .where(F.col("hi") != F.col("lo"))
        .distinct()
        .localCheckpoint(eager=False)
    )
    rounds = 0
    while True:
        rounds += 1
        following = _small_star(_large_star(current)).localCheckpoint(eager=False)
        # One job a round: it computes (and so checkpoints) the new edges and looks for
        # an edge of one set that the other lacks (both are sets: equal when none).
        same = (
            following.withColumn("new", F.lit(1))
            .join(current.withColumn("old", F.lit(1)), ["hi", "lo"], "full_outer")
            .where(F.col("new").isNull() | F.col("old").isNull())
            .isEmpty()
        )
        current = following
        if step is not None:
            step(rounds)
        if same:
            break
    found = current.select(F.col("hi").alias("lead_id"), F.col("lo").alias("cluster_id"))
    roots = current.select(F.col("lo").alias("lead_id"), F.col("lo").alias("cluster_id"))
    return found.unionByName(roots).distinct(), rounds
