"""
What an analyst asks of a Spark run, answered as the local result answers it.

:func:`pair` and :func:`explain` read the two rows from the cluster and run the local
code on them: the rows as the run saw them (the policy's filler emails and the excluded
generic keys left out, the counts of keys over the table that items with ``max_leads``
read), decided by :class:`~leadcore._dedupe.decide.Decider` and explained by
:func:`~leadcore._dedupe.explain.explain_pair`, as :class:`leadcore.dedupe.DedupeResult`
does. :func:`accuracy` counts :func:`~leadcore._dedupe.accuracy.measure`'s scores on the
cluster and lists the first false negatives with
:func:`~leadcore._dedupe.accuracy.missed_pairs` on the leads of the first labels that
have any.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from pyspark.sql import DataFrame
from pyspark.sql import functions as F  # noqa: N812  # the usual name

from leadcore._dedupe import block, decide, inputs, raw
from leadcore._dedupe.accuracy import Accuracy, PairError, Scores, missed_pairs
from leadcore._dedupe.config import ACTIONS, Action, DedupePolicy
from leadcore._dedupe.decide import AUTO, DUPLICATES, Decider, State
from leadcore._dedupe.explain import PairExplanation, explain_pair
from leadcore._dedupe.items import GenericKey, Pair
from leadcore._dedupe.results import Summary, decision_of, pair_of
from leadcore._spark import batches
from leadcore.errors import InvalidInput

__all__ = ["Result", "Run", "accuracy", "explain", "pair"]


class Run(NamedTuple):
    """What a run keeps on the cluster for the questions asked of its result."""

    leads: DataFrame
    """The leads as read (:data:`leadcore._spark.batches.ROWS`)."""
    over: DataFrame | None
    """The keys held by more rows than their item's ``max_leads`` (space id, key,
    rows), or None when no item has a limit."""
    fields: tuple[str, ...]
    """The lead and custom fields with a column."""
    labels: str | None
    """The ground-truth column read with the leads (``Columns.labels``), or None."""


class Result(Protocol):
    """What the answers read of a :class:`leadcore.spark.SparkDedupeResult`."""

    @property
    def now(self) -> dt.datetime:
        """The moment the rules were applied at."""

    @property
    def policy(self) -> DedupePolicy:
        """The policy applied."""

    @property
    def decisions(self) -> Any:  # noqa: ANN401  # a DataFrame
        """The decisions table."""

    @property
    def clusters(self) -> Any:  # noqa: ANN401  # a DataFrame
        """The clusters table."""

    @property
    def generic_keys(self) -> Any:  # noqa: ANN401  # a DataFrame
        """The generic keys table."""

    @property
    def summary(self) -> Summary:
        """The counts."""


def _checked(lead_id: object, path: str) -> str:
    if not isinstance(lead_id, str) or not lead_id:
        raise InvalidInput.single(path, lead_id, "must be a lead id (a non-empty string)")
    return lead_id


def _read(run: Run, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The rows of ``ids`` as read (:data:`~leadcore._spark.batches.ROWS`), by id."""
    found = run.leads.where(F.col("id").isin(list(ids))).collect()
    return {r["id"]: r.asDict(recursive=True) for r in found}


def _two(run: Run, a: object, b: object) -> list[dict[str, Any]]:
    """The rows of leads ``a`` and ``b``, in id order (errors as the local result's)."""
    one, two = _checked(a, "a"), _checked(b, "b")
    rows = _read(run, [one, two])
    for lead_id, path in ((one, "a"), (two, "b")):
        if lead_id not in rows:
            raise InvalidInput.single(path, lead_id, "is not the id of a lead of the table")
    if one == two:
        raise InvalidInput.single("b", b, "must differ from a: a lead is not a pair with itself")
    return [rows[i] for i in sorted((one, two))]


def _excluded(result: Result) -> list[GenericKey]:
    """The generic emails and phones the run excluded (``generic_keys='exclude'``)."""
    if result.policy.generic_keys != "exclude":
        return []
    found: DataFrame = result.generic_keys
    return [
        GenericKey(**r.asDict())
        for r in found.where(F.col("handling") == "excluded").orderBy("kind", "key").collect()
    ]


def _as_run(result: Result, run: Run, rows: Sequence[dict[str, Any]]) -> batches.Batch:
    """
    Rows as the run saw them, with the table's counts of the keys they hold.

    The policy's filler emails and the excluded generic emails and phones are left out
    (row by row, as the run's batches did), and each row's keys held by more rows than
    their item's ``max_leads`` are looked up among the run's counts over the table.
    """
    rules = batches.rules(result.policy.merge)
    columns = {name: [r[name] for r in rows] for name in batches.ROWS.names}
    chunk = batches.chunk_of(columns, run.fields)
    chunk = inputs.without_fillers(chunk, result.policy.merge.placeholder_email_locals)
    excluded = _excluded(result)
    if excluded:
        chunk = block.exclude(chunk, [block.Generic(k.kind, k.key, k.rows, 0) for k in excluded])
    over: list[list[dict[str, Any]]] = [[] for _ in rows]
    if run.over is not None:
        held: dict[tuple[int, str, str], list[int]] = {}
        for index in range(len(chunk.ids)):
            customer = (
                chunk.first[index],
                chunk.last[index],
                chunk.emails[index],
                chunk.phones[index],
            )
            for sid in rules.limited:
                space = rules.spaces[sid]
                raw_cell = None if space.person else batches.raw_cell(chunk, space.field, index)
                for key, _ in block.row_keys(
                    space,
                    customer,
                    chunk.co.get(index),
                    raw_cell,
                    folded=rules.folded,
                    region=rules.region,
                ):
                    held.setdefault((sid, *batches.split_key(key)), []).append(index)
        if held:
            wanted = run.over.sparkSession.createDataFrame(
                list(held), "sid int, k1 string, k2 string"
            )
            for r in run.over.join(F.broadcast(wanted), ["sid", "k1", "k2"]).collect():
                for index in held[r["sid"], r["k1"], r["k2"]]:
                    over[index].append({"sid": r["sid"], "k1": r["k1"], "k2": r["k2"], "n": r["n"]})
    return batches.rows_table(rules, chunk, over)


def _pairs(
    result: Result, table: batches.Batch, wanted: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], Pair]:
    """The pairs of rows of ``table`` the run's rules make (both directions, both modes)."""
    judge = Decider(State(table.chunk, result.now, result.policy.merge, table.counts))
    ids = table.chunk.ids
    found: dict[tuple[int, int], Pair] = {}
    for x, y in wanted:
        directed = [*judge.decide(x, y, AUTO | DUPLICATES), *judge.decide(y, x, AUTO | DUPLICATES)]
        if directed:
            one, two = sorted((ids[x], ids[y]))
            found[x, y] = pair_of(
                one, two, [decision_of(ids[d.inbound], ids[d.existing], d) for d in directed]
            )
    return found


def pair(result: Result, run: Run, a: object, b: object) -> Pair | None:
    """:meth:`leadcore.spark.SparkDedupeResult.pair`."""
    table = _as_run(result, run, _two(run, a, b))
    return _pairs(result, table, [(0, 1)]).get((0, 1))


def explain(result: Result, run: Run, a: object, b: object) -> PairExplanation:
    """:meth:`leadcore.spark.SparkDedupeResult.explain`."""
    rows = _two(run, a, b)
    table = _as_run(result, run, rows)
    found = _pairs(result, table, [(0, 1)]).get((0, 1))
    read = batches.chunk_of(
        {name: [r[name] for r in rows] for name in batches.ROWS.names}, run.fields
    )
    region = result.policy.merge.default_region
    return explain_pair(
        decide.lead(read, 0, region),
        decide.lead(read, 1, region),
        pair=found,
        as_entered=False,
        now=result.now,
        policy=result.policy.merge,
        excluded=_excluded(result),
        counts=table.counts,
    )


# -- accuracy ------------------------------------------------------------------------------


def _labels(run: Run, labels: object) -> tuple[str, DataFrame]:
    """Where labels come from, and (id, label) of every labelled lead."""
    spark = run.leads.sparkSession
    if isinstance(labels, Mapping):
        given = [(str(k), raw.label(v)) for k, v in labels.items() if isinstance(k, str)]
        frame = spark.createDataFrame(
            [(k, v) for k, v in given if v is not None], "id string, label string"
        )
        return "mapping", run.leads.select("id").join(frame, "id")
    if labels is None or labels == run.labels:
        if run.labels is None:
            raise InvalidInput.single(
                "labels",
                labels,
                "must name the ground-truth column: load the table with "
                "Columns(labels='true_cluster'), or pass labels='true_cluster'",
            )
        return run.labels, run.leads.select("id", "label").where(F.col("label").isNotNull())
    raise InvalidInput.single(
        "labels",
        labels,
        "must be the label column read with the leads (Columns(labels=...)) or a mapping "
        "of lead ids to labels: a Spark run does not read its input again",
    )


def _choose(result: Result, kinds: Iterable[Action] | None, limit: object) -> tuple[Action, ...]:
    chosen = result.policy.cluster_on if kinds is None else tuple(kinds)
    bad = [k for k in chosen if k not in ACTIONS]
    if bad or not chosen:
        raise InvalidInput.single("kinds", chosen, f"must name some of {', '.join(ACTIONS)}")
    if type(limit) is not int or limit < 0:
        raise InvalidInput.single("limit", limit, "must be a whole number, 0 or more")
    return chosen


def _two_of(n: Any) -> Any:  # noqa: ANN401  # a Column
    """The pairs of ``n`` leads, as a column."""
    return F.col(n) * (F.col(n) - 1) / 2


def accuracy(
    result: Result,
    run: Run,
    labels: object,
    kinds: Iterable[Action] | None,
    limit: int,
) -> Accuracy:
    """:meth:`leadcore.spark.SparkDedupeResult.accuracy`."""
    chosen = _choose(result, kinds, limit)
    source, labelled = _labels(run, labels)
    labelled = labelled.persist()
    decisions: DataFrame = result.decisions
    found = (
        decisions.where(F.col("action").isin(list(chosen)))
        .select(
            F.least("inbound", "existing").alias("a"), F.greatest("inbound", "existing").alias("b")
        )
        .distinct()
        .join(labelled.select(F.col("id").alias("a"), F.col("label").alias("la")), "a")
        .join(labelled.select(F.col("id").alias("b"), F.col("label").alias("lb")), "b")
        .persist()
    )
    clusters: DataFrame = result.clusters
    placed = labelled.join(
        clusters.select(F.col("lead_id").alias("id"), "cluster_id"), "id", "left"
    ).withColumn("cid", F.coalesce("cluster_id", "id"))
    by_label = labelled.groupBy("label").agg(F.count(F.lit(1)).alias("n"))
    hits_by_label = (
        found.where(F.col("la") == F.col("lb"))
        .groupBy(F.col("la").alias("label"))
        .agg(F.count(F.lit(1)).alias("hits"))
    )
    counts = (
        by_label.agg(
            F.coalesce(F.sum("n"), F.lit(0)).alias("labelled"),
            F.coalesce(F.sum(_two_of("n")), F.lit(0)).alias("true_pairs"),
        )
        .crossJoin(
            found.agg(
                F.coalesce(F.sum((F.col("la") == F.col("lb")).cast("long")), F.lit(0)).alias(
                    "hits"
                ),
                F.coalesce(F.sum((F.col("la") != F.col("lb")).cast("long")), F.lit(0)).alias(
                    "positives"
                ),
            )
        )
        .crossJoin(
            placed.groupBy("cid")
            .agg(F.count(F.lit(1)).alias("n"))
            .agg(F.coalesce(F.sum(_two_of("n")), F.lit(0)).alias("together"))
        )
        .crossJoin(
            placed.groupBy("cid", "label")
            .agg(F.count(F.lit(1)).alias("n"))
            .agg(F.coalesce(F.sum(_two_of("n")), F.lit(0)).alias("right"))
        )
        .first()
    )
    assert counts is not None  # noqa: S101  # aggregates give one row
    labelled_count, true_pairs = int(counts["labelled"]), int(counts["true_pairs"])
    hits, positives = int(counts["hits"]), int(counts["positives"])
    together, right = int(counts["together"]), int(counts["right"])
    false_positives = _false_positives(result, run, found, limit)
    false_negatives = _false_negatives(by_label, hits_by_label, found, placed, limit)
    found.unpersist()
    labelled.unpersist()
    return Accuracy(
        labels=source,
        kinds=chosen,
        labelled=labelled_count,
        unlabelled=result.summary.leads - labelled_count,
        pairwise=Scores(
            true_positives=hits, false_positives=positives, false_negatives=true_pairs - hits
        ),
        clusters=Scores(
            true_positives=right,
            false_positives=together - right,
            false_negatives=true_pairs - right,
        ),
        false_positives=false_positives,
        false_negatives=false_negatives,
    )


def _false_positives(result: Result, run: Run, found: DataFrame, limit: int) -> list[PairError]:
    """The first ``limit`` found pairs with different labels, in (a, b) order."""
    wrong = (
        found.where(F.col("la") != F.col("lb")).orderBy("a", "b").limit(limit).collect()
        if limit
        else []
    )
    if not wrong:
        return []
    ids = sorted({r["a"] for r in wrong} | {r["b"] for r in wrong})
    rows = _read(run, ids)
    table = _as_run(result, run, [rows[i] for i in ids])
    at = {lead_id: index for index, lead_id in enumerate(ids)}
    pairs = _pairs(result, table, [(at[r["a"]], at[r["b"]]) for r in wrong])
    clusters: DataFrame = result.clusters
    cluster_of = {
        r["lead_id"]: r["cluster_id"] for r in clusters.where(F.col("lead_id").isin(ids)).collect()
    }
    errors = []
    for r in wrong:
        made = pairs[at[r["a"]], at[r["b"]]]
        errors.append(
            PairError(
                a=r["a"],
                b=r["b"],
                label_a=r["la"],
                label_b=r["lb"],
                kind=made.kind,
                matched=made.matched,
                same_cluster=cluster_of.get(r["a"], r["a"]) == cluster_of.get(r["b"], r["b"]),
            )
        )
    return errors


def _false_negatives(
    by_label: DataFrame,
    hits_by_label: DataFrame,
    found: DataFrame,
    placed: DataFrame,
    limit: int,
) -> list[PairError]:
    """
    The first ``limit`` true pairs not found, in (label, a, b) order.

    Each label with a true pair not found has at least one: the first ``limit`` such
    labels hold them all. Their leads, found pairs and clusters are read, and
    :func:`missed_pairs` lists them as locally.
    """
    if not limit:
        return []
    missing = (
        by_label.join(hits_by_label, "label", "left")
        .where(_two_of("n") > F.coalesce(F.col("hits"), F.lit(0)))
        .select("label")
        .orderBy("label")
        .limit(limit)
        .collect()
    )
    first = [r["label"] for r in missing]
    if not first:
        return []
    members = placed.where(F.col("label").isin(first)).select("id", "label", "cid").collect()
    pairs = (
        found.where(F.col("la").isin(first) & (F.col("la") == F.col("lb")))
        .select("a", "b")
        .collect()
    )
    label_of = {r["id"]: r["label"] for r in members}
    cluster_of = {r["id"]: r["cid"] for r in members}
    return missed_pairs(label_of, {(r["a"], r["b"]) for r in pairs}, cluster_of.__getitem__, limit)
