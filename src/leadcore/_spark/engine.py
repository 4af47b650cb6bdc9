"""
Batch deduplication on Spark: the local engine's answers, computed on the cluster.

The plan, step by step (each step's Python is :mod:`leadcore._spark.batches`):

1. **Read and normalise** every row with :func:`leadcore._dedupe.inputs.prepare`
   (``mapInArrow``); a row's position in the input is its partition's offset plus its
   place in the partition (``monotonically_increasing_id``), so bad rows are reported
   at the same positions as locally. Rows sharing an id are left out, as locally.
2. **Keys**: each row's blocking keys from :func:`leadcore._dedupe.seed.row_keys`, with
   whether the row may be an existing lead in each mode (the same windows).
3. **Candidate pairs** by joins on equal keys, exactly as :func:`leadcore._dedupe.block.find`
   defines them: per mode, the kinds :func:`~leadcore._dedupe.seed.plan` enumerates;
   keys held by more than ``generic_key_rows`` rows (generic keys, the same ones) are not
   enumerated but refined: their pairs sharing a key of another kind, their close names
   (:func:`~leadcore._dedupe.seed.close_pairs`) and the phone-only inbound leads (MRG-4).
4. **Decide** each pair of rows, both directions, with the merge rules
   (``mapInArrow``), after the necessary condition (:func:`~leadcore._dedupe.seed.shares_enough`).
5. **Clusters**: connected components of the pairs of ``cluster_on`` actions
   (:mod:`leadcore._spark.components`), named by their smallest lead id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final, NamedTuple, cast

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F  # noqa: N812  # the usual name
from pyspark.sql.pandas.types import from_arrow_schema

from leadcore._dedupe import block, inputs, seed
from leadcore._dedupe import load as loader
from leadcore._dedupe.config import ACTIONS, Columns, DedupePolicy
from leadcore._dedupe.decide import AUTO, DUPLICATES
from leadcore._dedupe.results import BAD_ROW_COLUMNS, DECISION_COLUMNS, Summary
from leadcore._merge.engine import Spec, compile_spec
from leadcore._spark import batches, session
from leadcore._spark.components import components
from leadcore._spark.results import CHANGE_COLUMNS, SparkComparison, SparkDedupeResult

__all__ = ["Prepared", "find", "prepare", "what_if"]

Progress = Callable[[str, int, int], None]

_MASK: Final = (1 << 33) - 1
_LEVEL: Final = StorageLevel.MEMORY_AND_DISK


def _schema(arrow: Any) -> Any:  # noqa: ANN401  # a pyarrow schema to a Spark one
    return from_arrow_schema(arrow)


def _name(column: str) -> Column:
    return F.col("`" + column.replace("`", "``") + "`")


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


class Prepared(NamedTuple):
    """A Spark table read and normalised once: its rows, bad rows and counts."""

    rows: DataFrame
    bad_rows: DataFrame
    records: int
    leads: int
    bad: int


# -- 1. reading ---------------------------------------------------------------------------


def prepare(
    frame: DataFrame,
    *,
    columns: Columns,
    tz: str | None,
    region: str,
    progress: Progress | None = None,
) -> Prepared:
    """
    Read and normalise a Spark DataFrame of leads (see the module doc, step 1).

    Raises:
        InvalidInput: A mapped column is missing, or a timestamp is naive without ``tz``.

    """
    session.prepare()
    inputs.layout(frame.columns, columns.layout_spec())  # every mapped column is there
    inputs.zone(tz)
    wanted = list(dict.fromkeys(c for _, cs in columns.layout_spec() for c in cs))
    _report(progress, "read", 0, 1)
    source = frame.select(*[_name(c) for c in wanted]).withColumn(
        batches.MID, F.monotonically_increasing_id()
    )
    normal = source.mapInArrow(
        batches.normaliser(columns, tz, region), _schema(batches.NORMAL)
    ).persist(_LEVEL)
    part = F.shiftright(F.col(batches.MID), 33)
    # One pass gives each batch's count of records and first naive timestamp.
    counts: dict[int, int] = {}
    naive_mids: list[tuple[int, str, str | None]] = []
    for r in (
        normal.where(F.col("tag").isin(batches.COUNT, batches.NAIVE))
        .select("tag", batches.MID, "records", "field", "value")
        .collect()
    ):
        if r["tag"] == batches.COUNT:
            index = int(r[batches.MID]) >> 33
            counts[index] = counts.get(index, 0) + int(r["records"])
        else:
            naive_mids.append((int(r[batches.MID]), r["field"], r["value"]))
    offsets: list[Any] = []
    starts: dict[int, int] = {}
    records = 0
    for index, count in sorted(counts.items()):
        offsets.extend([F.lit(index), F.lit(records)])
        starts[index] = records
        records += count
    if tz is None and naive_mids:
        placed_naive = sorted(
            (field != "created_at", starts[mid >> 33] + (mid & _MASK), field, value)
            for mid, field, value in naive_mids
        )
        _, at, field, value = placed_naive[0]
        normal.unpersist()
        raise loader.naive_error(inputs.BadRow(at, -1, field, value, "naive"))
    if offsets:
        row = F.create_map(*offsets)[part] + F.col(batches.MID).bitwiseAND(F.lit(_MASK))
    else:
        row = F.lit(0).cast("long")
    tagged = (
        normal.where(F.col("tag").isin(batches.GOOD, batches.BAD))
        .withColumn("row", row.cast("long"))
        .withColumn("holders", F.count(F.lit(1)).over(Window.partitionBy("id")))
        .persist(_LEVEL)
    )
    good = tagged.where(F.col("tag") == batches.GOOD)
    repeated = good.where(F.col("holders") > 1).select(
        "row",
        F.lit("id").alias("field"),
        F.col("id").alias("value"),
        F.format_string(loader.DUPLICATE_ID, F.col("holders")).alias("message"),
    )
    bad_rows = (
        tagged.where(F.col("tag") == batches.BAD)
        .select("row", "field", "value", "message")
        .unionByName(repeated)
        .select("row", F.lit(None).cast("long").alias("line"), "field", "value", "message")
        .orderBy("row", "field", "value", "message")
        .select(*BAD_ROW_COLUMNS)
    )
    rows = good.where(F.col("holders") == 1).select(*batches.ROWS.names)
    sizes = tagged.agg(
        F.sum(((F.col("tag") == batches.GOOD) & (F.col("holders") == 1)).cast("long")).alias(
            "leads"
        ),
        F.sum(((F.col("tag") == batches.GOOD) & (F.col("holders") > 1)).cast("long")).alias(
            "repeated"
        ),
        F.sum((F.col("tag") == batches.BAD).cast("long")).alias("bad"),
    ).first()
    normal.unpersist()
    leads = int((sizes and sizes["leads"]) or 0)
    bad = int((sizes and sizes["repeated"]) or 0) + int((sizes and sizes["bad"]) or 0)
    _report(progress, "read", 1, 1)
    return Prepared(rows, bad_rows, records, leads, bad)


# -- 2. and 3. keys and candidate pairs -------------------------------------------------------


class _Mode(NamedTuple):
    bit: int
    spec: Spec
    eligible: str
    plan: tuple[seed.Kind, ...]
    rulebook: seed.SeedKeys


def _key_columns(prefix: str = "") -> list[Column]:
    return [
        F.col("kind").alias(prefix + "kind"),
        F.col("k1").alias(prefix + "k1"),
        F.col("k2").alias(prefix + "k2"),
    ]


def _generic_of(kind: str, k1: str, k2: str) -> seed.Key:
    return (k1, k2) if kind == "name" else k1


def _candidates(  # one plan, mode by mode
    spark: SparkSession,
    rows: DataFrame,
    keys: DataFrame,
    modes: list[_Mode],
    big: list[tuple[str, str, str, int]],
) -> DataFrame:
    """Every (x, y, bit, check, generic key) way a directed pair is found (module doc)."""
    big_frame = spark.createDataFrame(
        [(k, a, b, n) for k, a, b, n in big], "gkind string, gk1 string, gk2 string, n long"
    )
    customers = keys.where("cust")
    same_key = (
        (F.col("kind") == F.col("gkind"))
        & (F.col("k1") == F.col("gk1"))
        & (F.col("k2") == F.col("gk2"))
    )
    # Keys of enumerated kinds, all modes in one join: each joined row says in which
    # modes it is a way (the existing row eligible there, the kind enumerated there, and
    # the key not generic unless the mode pairs generic blocks whole).
    enumerated = sorted({kind for mode in modes for kind in mode.plan})
    in_some_mode = F.lit(False)  # noqa: FBT003  # a SQL literal
    for mode in modes:
        in_some_mode = in_some_mode | (F.col(mode.eligible) & F.col("kind").isin(list(mode.plan)))
    inbound = customers.where(F.col("kind").isin(enumerated)).select(
        F.col("row").alias("x"), "kind", "k1", "k2"
    )
    existing = keys.where(in_some_mode).select(
        F.col("row").alias("y"), "kind", "k1", "k2", "e1", "e2"
    )
    joined = (
        inbound.join(existing, ["kind", "k1", "k2"])
        .where(F.col("x") != F.col("y"))
        .join(F.broadcast(big_frame), same_key, "left")
    )
    ways = []
    for mode in modes:
        whole = mode.rulebook.required_kinds == 1 and not mode.rulebook.name_fuzzy
        holds = F.col(mode.eligible) & F.col("kind").isin(list(mode.plan))
        if not whole:
            holds = holds & F.col("gkind").isNull()
        ways.append(
            F.when(
                holds,
                F.struct(
                    F.lit(mode.bit).alias("bit"),
                    F.lit(mode.rulebook.required_kinds > 1).alias("check"),
                ),
            )
        )
    found: list[DataFrame] = [
        joined.select("x", "y", "gkind", "gk1", "gk2", F.explode(F.array(*ways)).alias("w"))
        .where(F.col("w").isNotNull())
        .select("x", "y", "w.bit", "w.check", "gkind", "gk1", "gk2")
    ]
    for mode in modes:
        rulebook, bit, required = mode.rulebook, mode.bit, mode.rulebook.required_kinds
        whole = required == 1 and not rulebook.name_fuzzy
        check = F.lit(required > 1)
        planned = [g for g in big if g[0] in mode.plan]
        if planned and not whole:
            mine_big = big_frame.where(F.col("gkind").isin(list(mode.plan)))
            members = keys.join(F.broadcast(mine_big), same_key).select(
                F.col("row").alias("member"), "cust", "e1", "e2", "gkind", "gk1", "gk2"
            )
            kinds = list(rulebook.kinds)
            split_x = (
                members.join(
                    customers.where(F.col("kind").isin(kinds)), F.col("member") == F.col("row")
                )
                .where(F.col("kind") != F.col("gkind"))
                .select(F.col("row").alias("x"), "gkind", "gk1", "gk2", "kind", "k1", "k2")
            )
            split_y = (
                members.join(
                    keys.where(F.col(mode.eligible) & F.col("kind").isin(kinds)),
                    F.col("member") == F.col("row"),
                )
                .where(F.col("kind") != F.col("gkind"))
                .select(F.col("row").alias("y"), "gkind", "gk1", "gk2", "kind", "k1", "k2")
            )
            found.append(
                split_x.join(split_y, ["gkind", "gk1", "gk2", "kind", "k1", "k2"])
                .where(F.col("x") != F.col("y"))
                .select(
                    "x", "y", F.lit(bit).alias("bit"), check.alias("check"), "gkind", "gk1", "gk2"
                )
            )
            if required == 1:
                found.append(_close(rows, members, mode, bit))
        if rulebook.phone_only:
            phone_only = keys.where("po").select(F.col("row").alias("x"), F.col("k1"))
            holders = keys.where(F.col(mode.eligible) & (F.col("kind") == "phone")).select(
                F.col("row").alias("y"), "k1"
            )
            phones = big_frame.where(F.col("gkind") == "phone")
            found.append(
                phone_only.join(holders, "k1")
                .where(F.col("x") != F.col("y"))
                .join(F.broadcast(phones), F.col("k1") == F.col("gk1"), "left")
                .select(
                    "x",
                    "y",
                    F.lit(bit).alias("bit"),
                    F.lit(False).alias("check"),  # noqa: FBT003  # a SQL literal
                    "gkind",
                    "gk1",
                    "gk2",
                )
            )
    result = found[0]
    for more in found[1:]:
        result = result.unionByName(more)
    return result


def _close(rows: DataFrame, members: DataFrame, mode: _Mode, bit: int) -> DataFrame:
    """The close-name pairs of the generic keys' blocks (step 3, ``name_fuzzy``)."""
    names = rows.select(
        F.col("row").alias("member"), "first", "last", "has_co", "co_first", "co_last"
    )
    with_names = members.join(names, "member")
    mine = (
        with_names.where("cust")
        .groupBy("gkind", "gk1", "gk2")
        .agg(F.collect_list(F.struct(F.col("member").alias("row"), "first", "last")).alias("mine"))
    )
    theirs = (
        with_names.where(F.col(mode.eligible))
        .groupBy("gkind", "gk1", "gk2")
        .agg(
            F.collect_list(
                F.struct(
                    F.col("member").alias("row"), "first", "last", "has_co", "co_first", "co_last"
                )
            ).alias("theirs")
        )
    )
    blocks = mine.join(theirs, ["gkind", "gk1", "gk2"])
    pairs = blocks.mapInArrow(batches.closer(mode.spec.ratio), _schema(batches.CLOSE))
    return pairs.select(
        "x",
        "y",
        F.lit(bit).alias("bit"),
        F.lit(False).alias("check"),  # noqa: FBT003  # a SQL literal
        "gkind",
        "gk1",
        "gk2",
    )


# -- the run ------------------------------------------------------------------------------


def _sized(keys: DataFrame) -> DataFrame:
    return keys.groupBy("kind", "k1", "k2").agg(F.count(F.lit(1)).alias("n"))


def run(  # noqa: C901, PLR0915  # the steps of the module doc, in order
    prepared: Prepared,
    now: dt.datetime,
    policy: DedupePolicy,
    *,
    progress: Progress | None = None,
) -> SparkDedupeResult:
    """Find the pairs, decisions and clusters of a prepared table under one policy."""
    rows = prepared.rows
    spark = rows.sparkSession
    rules = policy.merge
    auto, duplicates = compile_spec(rules, "auto"), compile_spec(rules, "duplicates")
    auto_seed, duplicates_seed = seed.seed_of(auto), seed.seed_of(duplicates)
    block.check_blockable(auto, "auto-merge")
    block.check_blockable(duplicates, "possible duplicates")
    limit = policy.generic_key_rows
    starts = batches.windows(now, policy)
    # The table holds filler emails (none@none.com); this policy's are unusable, as locally.
    filled_rows: DataFrame | None = None
    if rules.placeholder_email_locals:
        filled_rows = rows.mapInArrow(
            batches.unfilled(rules.placeholder_email_locals), _schema(batches.ROWS)
        ).persist(_LEVEL)
        rows = filled_rows
    _report(progress, "block", 0, 4)
    generic: list[tuple[str, str, int, int, str]] = []
    excluded_rows: DataFrame | None = None
    if policy.generic_keys == "exclude":
        plain = rows.mapInArrow(batches.keyer(auto, starts), _schema(batches.KEYS))
        found = (
            _sized(plain.where(F.col("kind").isin("email", "phone")))
            .where(F.col("n") > limit)
            .collect()
        )
        listed = [(r["kind"], r["k1"], int(r["n"])) for r in found]
        if listed:
            generic.extend((kind, key, n, 0, "excluded") for kind, key, n in listed)
            excluded_rows = rows.mapInArrow(
                batches.excluder([(kind, key) for kind, key, _ in listed]), _schema(batches.ROWS)
            ).persist(_LEVEL)
            rows = excluded_rows
    keys = rows.mapInArrow(batches.keyer(auto, starts), _schema(batches.KEYS)).persist(_LEVEL)
    sizes = _sized(keys).persist(_LEVEL)
    loads: dict[seed.Kind, int] = {}

    def load() -> dict[seed.Kind, int]:
        if not loads:
            for r in (
                sizes.where((F.col("n") > 1) & (F.col("n") <= limit) & (F.col("kind") != "name"))
                .groupBy("kind")
                .agg(F.sum(F.col("n") * (F.col("n") - 1)).alias("load"))
                .collect()
            ):
                loads[r["kind"]] = int(r["load"])
            loads.setdefault("email", 0)
        return loads

    modes = [
        _Mode(
            AUTO,
            auto,
            "e1",
            seed.plan(auto_seed.kinds, auto_seed.required_kinds, load),
            auto_seed,
        ),
        _Mode(
            DUPLICATES,
            duplicates,
            "e2",
            seed.plan(duplicates_seed.kinds, duplicates_seed.required_kinds, load),
            duplicates_seed,
        ),
    ]
    wanted_if = F.col("po")
    for mode in modes:
        wanted_if = wanted_if | (F.col(mode.eligible) & F.col("kind").isin(list(mode.plan)))
    wanted = keys.where(wanted_if).select("kind", "k1", "k2").distinct()
    big = [
        (r["kind"], r["k1"], r["k2"], int(r["n"]))
        for r in wanted.join(sizes.where(F.col("n") > limit), ["kind", "k1", "k2"]).collect()
    ]
    if big and policy.generic_keys == "error":
        table: dict[seed.Kind, dict[seed.Key, int]] = {}
        for kind, k1, k2, n in big:
            table.setdefault(cast("seed.Kind", kind), {})[_generic_of(kind, k1, k2)] = n
        keys.unpersist()
        sizes.unpersist()
        raise seed.generic_error(table, limit)
    _report(progress, "block", 1, 4)
    ways = _candidates(spark, rows, keys, modes, big)
    refs = (
        ways.select(
            F.least("x", "y").alias("u"),
            F.greatest("x", "y").alias("v"),
            F.struct("x", "bit", "check", "gkind", "gk1", "gk2").alias("ref"),
        )
        .groupBy("u", "v")
        .agg(F.collect_set("ref").alias("refs"))
    )
    side_u = rows.select([F.col(c).alias("u_" + c) for c in batches.ROWS.names])
    side_v = rows.select([F.col(c).alias("v_" + c) for c in batches.ROWS.names])
    paired = refs.join(side_u, F.col("u") == F.col("u_row")).join(
        side_v, F.col("v") == F.col("v_row")
    )
    _report(progress, "decide", 0, 1)
    decided = paired.mapInArrow(batches.decider(now, policy), _schema(batches.DECIDED)).persist(
        _LEVEL
    )
    totals = decided.agg(
        F.coalesce(F.sum("candidates"), F.lit(0)).alias("candidates"),
        F.coalesce(F.sum(F.col("link").cast("long")), F.lit(0)).alias("links"),
        *[
            F.coalesce(F.sum((F.col("kind") == action).cast("long")), F.lit(0)).alias(action)
            for action in ACTIONS
        ],
    ).collect()[0]
    _report(progress, "decide", 1, 1)
    _report(progress, "block", 2, 4)
    counted = (
        {
            (r["kind"], r["k1"], r["k2"]): int(r["pairs"])
            for r in decided.select(F.explode("generic").alias("g"))
            .groupBy("g.kind", "g.k1", "g.k2")
            .agg(F.sum("g.pairs").alias("pairs"))
            .collect()
        }
        if big
        else {}
    )
    generic.extend(
        (
            kind,
            seed.show_key(_generic_of(kind, k1, k2)),
            n,
            counted.get((kind, k1, k2), 0),
            "refined",
        )
        for kind, k1, k2, n in big
    )
    generic.sort(key=lambda g: (-g[2], g[0], g[1]))
    _report(progress, "block", 4, 4)
    # 5. clusters
    edges = decided.where("link").select(F.col("lead_a").alias("a"), F.col("lead_b").alias("b"))

    def step(rounds: int) -> None:
        _report(progress, "cluster", rounds, rounds + 1)

    if int(totals["links"]):
        members, _ = components(edges, step=step)
    else:
        members = spark.createDataFrame([], "lead_id string, cluster_id string")
    sized = members.withColumn(
        "cluster_size", F.count(F.lit(1)).over(Window.partitionBy("cluster_id"))
    ).persist(_LEVEL)
    shape = sized.agg(
        F.countDistinct("cluster_id").alias("clusters"),
        F.count(F.lit(1)).alias("clustered"),
        F.coalesce(F.max("cluster_size"), F.lit(1)).alias("largest"),
    ).collect()[0]
    _report(progress, "cluster", 1, 1)
    clusters = sized.orderBy("cluster_id", "lead_id").select(
        "lead_id", "cluster_id", F.col("cluster_size").cast("long").alias("cluster_size")
    )
    found_pairs = decided.where(F.col("kind").isNotNull())
    of_a = sized.select(F.col("lead_id").alias("lead_a"), F.col("cluster_id").alias("ca"))
    of_b = sized.select(F.col("lead_id").alias("lead_b"), F.col("cluster_id").alias("cb"))
    pairs = (
        found_pairs.join(of_a, "lead_a", "left")
        .join(of_b, "lead_b", "left")
        .withColumn(
            "cluster",
            F.when(F.col("ca").isNotNull() & (F.col("ca") == F.col("cb")), F.col("ca")).otherwise(
                F.lit("")
            ),
        )
        .orderBy("lead_a", "lead_b")
        .select("lead_a", "lead_b", "kind", "cluster", "matched", "explanation")
    )
    decisions = (
        found_pairs.select("lead_a", "lead_b", F.posexplode("decisions").alias("at", "d"))
        .orderBy("lead_a", "lead_b", "at")
        .select(*[F.col("d." + name).alias(name) for name in DECISION_COLUMNS])
    )
    generic_frame = spark.createDataFrame(
        generic, "kind string, key string, rows long, pairs long, handling string"
    )
    clusters_count = int(shape["clusters"])
    clustered = int(shape["clustered"])
    leads = prepared.leads
    summary = Summary(
        records=prepared.records,
        leads=leads,
        bad_rows=prepared.bad,
        candidate_pairs=int(totals["candidates"]),
        merge_pairs=int(totals["merge"]),
        route_pairs=int(totals["route"]),
        duplicate_pairs=int(totals["duplicate"]),
        clusters=clusters_count,
        clustered_leads=clustered,
        largest_cluster=int(shape["largest"]) if clustered else 1,
        customers=leads - clustered + clusters_count,
        generic_keys=len(generic),
    )
    keys.unpersist()
    sizes.unpersist()
    return SparkDedupeResult(
        now=now,
        policy=policy,
        pairs=pairs,
        decisions=decisions,
        clusters=clusters,
        generic_keys=generic_frame,
        bad_rows=prepared.bad_rows,
        summary=summary,
    )


def find(
    frame: DataFrame,
    *,
    now: dt.datetime,
    policy: DedupePolicy,
    columns: Columns,
    tz: str | None,
    progress: Progress | None = None,
) -> SparkDedupeResult:
    """:func:`leadcore.dedupe.find` over a Spark DataFrame (arguments checked by it)."""
    prepared = prepare(
        frame, columns=columns, tz=tz, region=policy.merge.default_region, progress=progress
    )
    return run(prepared, now, policy, progress=progress)


def what_if(
    frame: DataFrame,
    *,
    now: dt.datetime,
    policy: DedupePolicy,
    other: DedupePolicy,
    columns: Columns,
    tz: str | None,
    progress: Progress | None = None,
) -> SparkComparison:
    """:func:`leadcore.dedupe.what_if` over a Spark DataFrame: the table is read once."""
    prepared = prepare(
        frame, columns=columns, tz=tz, region=policy.merge.default_region, progress=progress
    )
    before = run(prepared, now, policy, progress=progress)
    after = run(prepared, now, other, progress=progress)

    def pairs_of(result: SparkDedupeResult, tag: str) -> DataFrame:
        found: DataFrame = result.pairs
        return found.select(
            "lead_a",
            "lead_b",
            F.col("kind").alias(tag),
            F.col("matched").alias("matched_" + tag),
            F.col("explanation").alias("explanation_" + tag),
        )

    # A pair changes when its kind or its matched conditions differ (as locally).
    joined = pairs_of(before, "before").join(pairs_of(after, "after"), ["lead_a", "lead_b"], "full")
    changes = (
        joined.where(
            ~F.col("before").eqNullSafe(F.col("after"))
            | ~F.col("matched_before").eqNullSafe(F.col("matched_after"))
        )
        .select(
            *[
                F.coalesce(c, F.lit("")).alias(c) if c not in ("lead_a", "lead_b") else c
                for c in CHANGE_COLUMNS
            ]
        )
        .orderBy("lead_a", "lead_b")
        .persist(_LEVEL)
    )
    return SparkComparison(before=before, after=after, changes=changes)
