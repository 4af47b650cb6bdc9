"""
Batch deduplication on Spark: the local engine's answers, computed on the cluster.

The plan, step by step (each step's Python is :mod:`leadcore._spark.batches`):

1. **Read and normalise** every row with :func:`leadcore._dedupe.inputs.prepare`
   (``mapInArrow``); a row's position in the input is its partition's offset plus its
   place in the partition (``monotonically_increasing_id``), so bad rows are reported
   at the same positions as locally. Rows sharing an id are left out, as locally.
2. **Keys**: each row's keys in every key space of the match rules, from
   :func:`leadcore._dedupe.block.row_keys`, with whether the row may be an existing lead
   in each mode (the same windows) and the ``inbound_lacks`` guards it meets. Keys an
   item ignores (``max_leads``) are counted over the table and left out.
3. **Candidate pairs** by joins on equal keys, exactly as :func:`leadcore._dedupe.block.find`
   defines them: per mode, the spaces :func:`~leadcore._dedupe.block.plan_by_load`
   chooses from the loads counted here (a compound key joined on its first two spaces);
   keys held by more than ``generic_key_rows`` rows (generic keys, the same ones) are
   not enumerated but refined as
   :func:`~leadcore._dedupe.block.refinement` says: the whole block, its pairs sharing a
   key of another space, or the close values of an unkeyed item
   (:func:`~leadcore._dedupe.block.close_candidates`).
4. **Decide** each pair of rows, both directions, with the merge rules
   (``mapInArrow``), after the local search's check of a pair found through a space
   (:meth:`~leadcore._dedupe.block.Finder.passes`).
5. **Clusters**: connected components of the pairs of ``cluster_on`` actions
   (:mod:`leadcore._spark.components`), named by their smallest lead id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final, NamedTuple

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F  # noqa: N812  # the usual name
from pyspark.sql.pandas.types import from_arrow_schema

from leadcore import _progress
from leadcore._dedupe import block, inputs
from leadcore._dedupe import load as loader
from leadcore._dedupe.config import ACTIONS, Columns, DedupePolicy
from leadcore._dedupe.decide import AUTO, DUPLICATES
from leadcore._dedupe.results import BAD_ROW_COLUMNS, DECISION_COLUMNS, Summary
from leadcore._merge.keys import show_key
from leadcore._merge.policy import MergePolicy
from leadcore._spark import batches, session
from leadcore._spark.analysis import Run
from leadcore._spark.components import components
from leadcore._spark.results import CHANGE_COLUMNS, SparkComparison, SparkDedupeResult
from leadcore.errors import InvalidInput, Problem

__all__ = ["Job", "Prepared", "prepare", "run"]

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
    fields: tuple[str, ...]
    """The lead and custom fields with a column (a row's ``extra``)."""
    labels: str | None
    """The ground-truth column read with the rows (``Columns.labels``), or None."""


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
    return Prepared(rows, bad_rows, records, leads, bad, batches.fields_of(columns), columns.labels)


# -- 2. and 3. keys and candidate pairs -------------------------------------------------

_KEY: Final = ["sid", "k1", "k2"]


def _sized(keys: DataFrame) -> DataFrame:
    return keys.groupBy(*_KEY).agg(F.count(F.lit(1)).alias("n"))


def _eligible() -> Column:
    """Whether a row may be the existing lead in the mode of its ``bit`` column."""
    return F.when(F.col("bit") == AUTO, F.col("e1")).otherwise(F.col("e2"))


def _opened() -> Column:
    """Whether a row meets its step's ``inbound_lacks`` guard (``guard`` -1: none)."""
    return (F.col("guard") < 0) | F.array_contains(F.col("lacking"), F.col("guard"))


class _Search(NamedTuple):
    """What the joins of one run read: the rules, their plan and the generic keys."""

    rules: batches.Rules
    plans: dict[int, block.Plan]
    encoded: batches.Searches
    big: list[tuple[int, str, str, int]]
    """Generic keys: space id, key, rows holding it."""

    def sids(self, bit: int) -> list[int]:
        """The spaces a mode searches."""
        return [sid for b, sid, _ in self.encoded if b == bit]

    def compound(self) -> dict[tuple[int, int], int]:
        """
        The (mode bit, space) pairs searched through a compound key, with its next space.

        Those whose every group has other required spaces with the same first one
        (:attr:`leadcore._dedupe.block.GroupSearch.within`): joined on the keys of both,
        so only the rows sharing both are paired (the rest is the pair check's).
        """
        ids = {space: sid for sid, space in enumerate(self.rules.spaces)}
        found: dict[tuple[int, int], int] = {}
        for bit, plan in self.plans.items():
            for space, tests in plan.items():
                firsts = {t.within[0] if t.within else None for t in tests}
                first = firsts.pop()
                if first is not None and not firsts:
                    found[bit, ids[space]] = ids[first]
        return found

    def guards(self, bit: int, sid: int) -> list[int]:
        """The guards of the groups a mode searches through a space."""
        positions = {p for b, s, tests in self.encoded if (b, s) == (bit, sid) for p, _ in tests}
        return [
            g
            for g, (b, group) in enumerate(self.rules.guards)
            if b == bit and group.position in positions
        ]

    def steps(self) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]], list[tuple[int, ...]]]:
        """
        The refinement of the generic keys (:func:`leadcore._dedupe.block.refinement`).

        Three lists of searches of their blocks: whole (bit, space, search, guard),
        split (... and the space split by), close (... and the item's index).
        """
        ids = {space: sid for sid, space in enumerate(self.rules.spaces)}
        generic = {sid for sid, _, _, _ in self.big}
        guard_of = {(b, g.position): i for i, (b, g) in enumerate(self.rules.guards)}
        whole: list[tuple[int, ...]] = []
        splits: list[tuple[int, ...]] = []
        close: list[tuple[int, ...]] = []
        for bit, plan in self.plans.items():
            for space, tests in plan.items():
                sid = ids[space]
                if sid not in generic:
                    continue
                for ti, test in enumerate(tests):
                    guard = guard_of.get((bit, test.group.position), -1)
                    found = block.refinement(test.group, space)
                    if found.whole:
                        whole.append((bit, sid, ti, guard))
                    splits.extend((bit, sid, ti, guard, ids[o]) for o in found.splits)
                    close.extend((bit, sid, ti, guard, i.index) for i in found.close)
        return whole, splits, close


Twins = dict[tuple[int, str, str], tuple[int, str, str]]
"""Each generic key (space id, k1, k2) to the key whose refinement is searched for it."""


def _twins(members: DataFrame) -> Twins:
    """
    Each generic key's representative: the first key of its space held by the same rows.

    Keys held by the same rows, each on the same person (``own``), have the same
    refinement: its steps read only the rows, their other keys and whether each holds
    the key on its customer, never the key itself. So only the representative's is
    searched, and every key of its group counts the pairs it found, as the local search
    reuses a split or close search of the same rows (``Finder.split``, ``Finder.close``)
    and each key still counts its pairs. The rows are compared by a SHA-256 digest of
    their sorted list.
    """
    held = F.concat(
        F.col("row").cast("string"), F.when(F.col("own"), F.lit("c")).otherwise(F.lit("o"))
    )
    signed = members.groupBy("gsid", "gk1", "gk2").agg(
        F.sha2(F.concat_ws(",", F.sort_array(F.collect_list(held))), 256).alias("rows")
    )
    found: Twins = {}
    first: dict[tuple[int, str], tuple[int, str, str]] = {}
    for r in sorted(signed.collect(), key=lambda r: (r["gsid"], r["gk1"], r["gk2"])):
        key = (int(r["gsid"]), str(r["gk1"]), str(r["gk2"]))
        found[key] = first.setdefault((key[0], str(r["rows"])), key)
    return found


def _members(spark: SparkSession, keys: DataFrame, generic: DataFrame) -> tuple[DataFrame, Twins]:
    """The rows of the generic keys refined (one of each group of twins), and the twins."""
    members = keys.join(F.broadcast(generic), _KEY).select(
        "row",
        F.col("sid").alias("gsid"),
        F.col("k1").alias("gk1"),
        F.col("k2").alias("gk2"),
        "own",
        "e1",
        "e2",
        "lacking",
    )
    twins = _twins(members)
    chosen = sorted(set(twins.values()))
    if len(chosen) < len(twins):
        searched = spark.createDataFrame(chosen, "gsid int, gk1 string, gk2 string")
        members = members.join(F.broadcast(searched), ["gsid", "gk1", "gk2"])
    return members, twins


def _candidates(
    spark: SparkSession,
    keys: DataFrame,
    data: DataFrame,
    search: _Search,
    *,
    policy: MergePolicy,
    fields: tuple[str, ...],
) -> tuple[DataFrame, Twins]:
    """
    Every way a directed pair is found, as the local search finds it.

    One row a way: the inbound row ``x``, the existing row ``y``, the mode ``bit``, the
    space searched ``sid``, which of the space's searches ``ti`` (-1: any of them) and
    whether strictly (a split or a close search), and the generic key (``gsid``, ``gk1``,
    ``gk2``) whose refinement found it, if any. There is always at least one join: every
    group of both rules is searched through a space (``check_blockable``,
    ``plan_by_load``), plainly (``modes``) or through a compound key (``compound``).
    Generic keys held by the same rows are refined once (:func:`_twins`, returned).
    """
    found: list[DataFrame] = []
    compound = search.compound()

    def plain(bit: int) -> list[int]:
        return [sid for sid in search.sids(bit) if (bit, sid) not in compound]

    modes = [bit for bit in (AUTO, DUPLICATES) if plain(bit)]
    generic = spark.createDataFrame(
        [(sid, k1, k2) for sid, k1, k2, _ in search.big], "sid int, k1 string, k2 string"
    )
    if modes:
        found.append(_through_keys(keys, generic, modes, plain, generic_keys=bool(search.big)))
    if compound:
        found.append(_compound(spark, keys, generic, compound, generic_keys=bool(search.big)))
    whole, splits, close = search.steps()
    twins: Twins = {}
    if whole or splits or close:
        members, twins = _members(spark, keys, generic)
        dropped = sorted(set(twins) - set(twins.values()))
        block_key = ["gsid", "gk1", "gk2", "bit", "ti"]
        tail: list[Column | str] = [F.col("gsid").alias("sid"), "ti"]
        if whole:
            steps = spark.createDataFrame(whole, "bit int, gsid int, ti int, guard int")
            pairs = members.join(F.broadcast(steps), "gsid")
            inbound = pairs.where(F.col("own") & _opened()).select(
                F.col("row").alias("x"), *block_key
            )
            existing = pairs.where(_eligible()).select(F.col("row").alias("y"), *block_key)
            found.append(
                inbound.join(existing, block_key)
                .where(F.col("x") != F.col("y"))
                .select("x", "y", "bit", *tail, F.lit(False).alias("strict"), "gsid", "gk1", "gk2")  # noqa: FBT003  # a SQL literal
            )
        if splits:
            steps = spark.createDataFrame(splits, "bit int, gsid int, ti int, guard int, osid int")
            other = keys.select(
                "row",
                F.col("sid").alias("osid"),
                F.col("k1").alias("ok1"),
                F.col("k2").alias("ok2"),
                F.col("own").alias("oown"),
            )
            if dropped:
                # A key held by the same rows as its representative, each on the same
                # person, splits a block as the representative does: left out.
                twin = spark.createDataFrame(dropped, "osid int, ok1 string, ok2 string")
                other = other.join(F.broadcast(twin), ["osid", "ok1", "ok2"], "left_anti")
            pairs = members.join(F.broadcast(steps), "gsid").join(other, ["row", "osid"])
            by = [*block_key, "osid", "ok1", "ok2"]
            inbound = pairs.where(F.col("oown") & _opened()).select(F.col("row").alias("x"), *by)
            existing = pairs.where(_eligible()).select(F.col("row").alias("y"), *by)
            found.append(
                inbound.join(existing, by)
                .where(F.col("x") != F.col("y"))
                .select("x", "y", "bit", *tail, F.lit(True).alias("strict"), "gsid", "gk1", "gk2")  # noqa: FBT003  # a SQL literal
            )
        if close:
            steps = spark.createDataFrame(close, "bit int, gsid int, ti int, guard int, item int")
            blocks = (
                members.join(F.broadcast(steps), "gsid")
                .select(
                    "row", "gsid", "gk1", "gk2", "bit", "ti", "item", _eligible().alias("eligible")
                )
                .join(data, "row")
                .groupBy(F.col("gsid").alias("sid"), "gk1", "gk2", "bit", "ti", "item")
                .agg(F.collect_list(F.struct(*batches.DATA.names, "eligible")).alias("members"))
            )
            found.append(
                blocks.mapInArrow(
                    batches.closer(policy, fields, search.encoded), _schema(batches.CLOSE)
                ).select(
                    "x",
                    "y",
                    "bit",
                    "sid",
                    "ti",
                    F.lit(True).alias("strict"),  # noqa: FBT003  # a SQL literal
                    F.col("sid").alias("gsid"),
                    "gk1",
                    "gk2",
                )
            )
    result = found[0]
    for more in found[1:]:
        result = result.unionByName(more)
    return result, twins


def _keyed_pair() -> list[Column]:
    """A pair found on a shared key: its rows, mode and space, no generic-key part."""
    return [
        F.col("x"),
        F.col("y"),
        F.col("bit"),
        F.col("sid"),
        F.lit(-1).alias("ti"),
        F.lit(False).alias("strict"),  # noqa: FBT003  # a SQL literal
        F.lit(None).cast("int").alias("gsid"),
        F.lit(None).cast("string").alias("gk1"),
        F.lit(None).cast("string").alias("gk2"),
    ]


def _through_keys(
    keys: DataFrame,
    generic: DataFrame,
    modes: list[int],
    plain: Callable[[int], list[int]],
    *,
    generic_keys: bool,
) -> DataFrame:
    """The pairs sharing a key of a space each mode searches alone (``plain``)."""
    # Through the keys of the spaces each mode searches, generic keys left out: the
    # inbound row's customer (or lead) holds the key, either person of the existing row.
    searched = sorted({sid for bit in modes for sid in plain(bit)})
    if generic_keys:
        # Left out before the join: a generic key's block would make its square of rows.
        keys = keys.join(F.broadcast(generic), _KEY, "left_anti")
    inbound = keys.where(F.col("own") & F.col("sid").isin(searched)).select(
        F.col("row").alias("x"), *_KEY
    )
    holds = F.lit(False)  # noqa: FBT003  # a SQL literal
    for bit in modes:
        side = F.col("e1" if bit == AUTO else "e2")
        holds = holds | (side & F.col("sid").isin(plain(bit)))
    existing = keys.where(holds).select(F.col("row").alias("y"), *_KEY, "e1", "e2")
    joined = inbound.join(existing, _KEY).where(F.col("x") != F.col("y"))
    ways = [
        F.when(
            F.col("e1" if bit == AUTO else "e2") & F.col("sid").isin(plain(bit)),
            F.lit(bit),
        )
        for bit in modes
    ]
    return (
        joined.select("x", "y", "sid", F.explode(F.array(*ways)).alias("bit"))
        .where(F.col("bit").isNotNull())
        .select(*_keyed_pair())
    )


def _compound(
    spark: SparkSession,
    keys: DataFrame,
    generic: DataFrame,
    compound: dict[tuple[int, int], int],
    *,
    generic_keys: bool,
) -> DataFrame:
    """
    The pairs sharing a key of a compound key's first two spaces (:meth:`_Search.compound`).

    As :meth:`leadcore._dedupe.block.Finder.from_existing` splits a block: the inbound
    row holds both keys on its customer (or lead), the existing row on either person;
    generic keys of the first space are left out (refined as any other).
    """
    steps = spark.createDataFrame(
        [(bit, sid, osid) for (bit, sid), osid in compound.items()],
        "bit int, sid int, osid int",
    )
    other = keys.select(
        "row",
        F.col("sid").alias("osid"),
        F.col("k1").alias("ok1"),
        F.col("k2").alias("ok2"),
        F.col("own").alias("oown"),
    )
    if generic_keys:
        # Left out before the joins: a generic key's block would make its square of rows.
        keys = keys.join(F.broadcast(generic), _KEY, "left_anti")
    pairs = keys.join(F.broadcast(steps), "sid").join(other, ["row", "osid"])
    by = ["bit", *_KEY, "osid", "ok1", "ok2"]
    inbound = pairs.where(F.col("own") & F.col("oown")).select(F.col("row").alias("x"), *by)
    existing = pairs.where(_eligible()).select(F.col("row").alias("y"), *by)
    joined = inbound.join(existing, by).where(F.col("x") != F.col("y"))
    return joined.select(*_keyed_pair())


# -- the run ------------------------------------------------------------------------------


def _keys(
    rows: DataFrame,
    found: batches.Rules,
    *,
    policy: MergePolicy,
    starts: tuple[int, int, int],
    fields: tuple[str, ...],
    cached: list[DataFrame],
) -> tuple[DataFrame, DataFrame, DataFrame | None]:
    """
    Every row's keys, the rows as the checks read them (:data:`batches.DATA`), the keys ignored.

    Keys an item ignores (held by more rows than its ``max_leads``, on either person)
    are counted over the table (``over``: space, key, rows; kept for the result's
    explanations), left out of the keys and listed with each row that holds them.
    """
    spark = rows.sparkSession
    listed = rows.mapInArrow(batches.keyer(policy, starts, fields), _schema(batches.KEYS))
    limited = found.limited
    if not limited:
        keys = listed.persist(_LEVEL)
        cached.append(keys)
        return keys, rows.withColumn("over", F.lit(None).cast(batches.OVER)), None
    listed = listed.persist(_LEVEL)
    maxima = spark.createDataFrame(
        [(sid, found.spaces[sid].max_leads) for sid in limited], "sid int, most long"
    )
    over = (
        _sized(listed.where(F.col("sid").isin(list(limited))))
        .join(F.broadcast(maxima), "sid")
        .where(F.col("n") > F.col("most"))
        .select(*_KEY, "n")
        .persist(_LEVEL)
    )
    keys = listed.join(over, _KEY, "left_anti").persist(_LEVEL)
    held = (
        listed.join(over, _KEY)
        .groupBy("row")
        .agg(F.collect_list(F.struct(*_KEY, "n")).alias("over"))
    )
    data = rows.join(held, "row", "left").select(*batches.DATA.names).persist(_LEVEL)
    cached.extend([listed, keys, data])
    return keys, data, over


def _search(keys: DataFrame, found: batches.Rules, limit: int) -> _Search:
    """
    The plan of each mode, from the loads counted on the cluster, and the generic keys.

    One pass over the keys counts each key's rows, the loads of the spaces (pairs of
    blocks of 2 to ``limit`` rows) and, for each key held by more rows, what the search
    would read it for (module doc of :func:`leadcore._dedupe.block.find`): a row that
    may be an existing lead in a mode (``e1``, ``e2``), or a row holding it on its
    customer that a guarded group searches (the guards it meets, ``lacking``).
    """
    n = F.col("n")
    stats = keys.groupBy(*_KEY).agg(
        F.count(F.lit(1)).alias("n"),
        F.max("e1").alias("e1"),
        F.max("e2").alias("e2"),
        F.array_distinct(
            F.flatten(
                F.collect_list(
                    F.when(F.col("own"), F.col("lacking")).otherwise(F.array().cast("array<int>"))
                )
            )
        ).alias("lacking"),
    )
    loads = (
        stats.where((n > 1) & (n <= limit))
        .groupBy("sid")
        .agg(F.sum(n * (n - 1)).alias("load"))
        .select(
            "sid",
            F.lit(None).cast("string").alias("k1"),
            F.lit(None).cast("string").alias("k2"),
            F.col("load").alias("n"),
            F.lit(None).cast("boolean").alias("e1"),
            F.lit(None).cast("boolean").alias("e2"),
            F.lit(None).cast("array<int>").alias("lacking"),
        )
    )
    counted = stats.where(n > limit).unionByName(loads).collect()
    ids = {space: sid for sid, space in enumerate(found.spaces)}
    load = {int(r["sid"]): int(r["n"]) for r in counted if r["k1"] is None}
    plans = {
        bit: block.plan_by_load(spec, lambda s: load.get(ids[s], 0))
        for bit, spec in found.specs.items()
    }
    encoded = batches.searches(found, plans)
    partial = _Search(found, plans, encoded, [])
    reads = {(bit, sid): set(partial.guards(bit, sid)) for bit, sid, _ in encoded}
    big = [
        (int(r["sid"]), r["k1"], r["k2"], int(r["n"]))
        for r in counted
        if r["k1"] is not None
        and any(
            (sid == r["sid"] and r["e1" if bit == AUTO else "e2"])
            or (sid == r["sid"] and not guards.isdisjoint(r["lacking"]))
            for (bit, sid), guards in reads.items()
        )
    ]
    return partial._replace(big=big)


def _generic_error(search: _Search, limit: int) -> InvalidInput:
    """``generic_keys='error'``: every generic key, by space in the order searched."""
    spaces = search.rules.spaces
    problems: list[Problem] = []
    for sid in dict.fromkeys(sid for _, sid, _ in search.encoded):
        space = spaces[sid]
        held = [(batches.key_of(space, k1, k2), n) for s, k1, k2, n in search.big if s == sid]
        held.sort(key=lambda i: (-i[1], show_key(i[0])))
        problems.extend(block.generic_problem(space.label, k, c, limit) for k, c in held)
    return InvalidInput(problems)


def _unpersist(cached: list[DataFrame]) -> None:
    for frame in cached:
        frame.unpersist()


def run(  # noqa: PLR0915  # the steps of the module doc, in order
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
    found = batches.rules(rules)
    block.check_blockable(found.specs[AUTO], "auto-merge")
    block.check_blockable(found.specs[DUPLICATES], "possible duplicates")
    fields = prepared.fields
    if prepared.leads:
        block.check_columns(fields, found.specs.values(), every_field=False)
    limit = policy.generic_key_rows
    starts = batches.windows(now, policy)
    cached: list[DataFrame] = []
    # The table holds filler emails (none@none.com); this policy's are unusable, as locally.
    if rules.placeholder_email_locals:
        rows = rows.mapInArrow(
            batches.unfilled(rules.placeholder_email_locals, fields), _schema(batches.ROWS)
        ).persist(_LEVEL)
        cached.append(rows)
    _report(progress, "block", 0, 4)
    generic: list[tuple[str, str, int, int, str]] = []
    if policy.generic_keys == "exclude":
        plain = rows.mapInArrow(
            batches.keyer(rules, starts, fields, excluded=True), _schema(batches.KEYS)
        )
        listed = [
            (block.EXCLUDED[int(r["sid"])].field, r["k1"], int(r["n"]))
            for r in _sized(plain).where(F.col("n") > limit).collect()
        ]
        if listed:
            generic.extend((kind, key, n, 0, "excluded") for kind, key, n in listed)
            rows = rows.mapInArrow(
                batches.excluder([(kind, key) for kind, key, _ in listed], fields),
                _schema(batches.ROWS),
            ).persist(_LEVEL)
            cached.append(rows)
    keys, data, over = _keys(rows, found, policy=rules, starts=starts, fields=fields, cached=cached)
    search = _search(keys, found, limit)
    if search.big and policy.generic_keys == "error":
        _unpersist(cached)
        raise _generic_error(search, limit)
    _report(progress, "block", 1, 4)
    ways, twins = _candidates(spark, keys, data, search, policy=rules, fields=fields)
    refs = (
        ways.select(
            F.least("x", "y").alias("u"),
            F.greatest("x", "y").alias("v"),
            F.struct("x", "bit", "sid", "ti", "strict", "gsid", "gk1", "gk2").alias("ref"),
        )
        .groupBy("u", "v")
        .agg(F.collect_set("ref").alias("refs"))
    )
    side_u = data.select([F.col(c).alias("u_" + c) for c in batches.DATA.names])
    side_v = data.select([F.col(c).alias("v_" + c) for c in batches.DATA.names])
    paired = refs.join(side_u, F.col("u") == F.col("u_row")).join(
        side_v, F.col("v") == F.col("v_row")
    )
    _report(progress, "decide", 0, 1)
    decided = paired.mapInArrow(
        batches.decider(now, policy, fields, search.encoded), _schema(batches.DECIDED)
    ).persist(_LEVEL)
    # One job: the summary's counts (sid null), and each generic key's pairs.
    summed = decided.agg(
        F.lit(None).cast("int").alias("sid"),
        F.lit(None).cast("string").alias("k1"),
        F.lit(None).cast("string").alias("k2"),
        F.coalesce(F.sum("candidates"), F.lit(0)).alias("candidates"),
        F.coalesce(F.sum(F.col("link").cast("long")), F.lit(0)).alias("links"),
        *[
            F.coalesce(F.sum((F.col("kind") == action).cast("long")), F.lit(0)).alias(action)
            for action in ACTIONS
        ],
    )
    if search.big:
        pairs_of = (
            decided.select(F.explode("generic").alias("g"))
            .groupBy("g.sid", "g.k1", "g.k2")
            .agg(F.sum("g.pairs").alias("candidates"))
        )
        for column in ("links", *ACTIONS):
            pairs_of = pairs_of.withColumn(column, F.lit(0).cast("long"))
        summed = summed.unionByName(pairs_of)
    sums = summed.collect()
    totals = next(r for r in sums if r["sid"] is None)
    counted = {
        (r["sid"], r["k1"], r["k2"]): int(r["candidates"]) for r in sums if r["sid"] is not None
    }
    _report(progress, "decide", 1, 1)
    _report(progress, "block", 2, 4)
    spaces = found.spaces
    generic.extend(
        (
            spaces[sid].label,
            show_key(batches.key_of(spaces[sid], k1, k2)),
            n,
            counted.get(twins.get((sid, k1, k2), (sid, k1, k2)), 0),
            "refined",
        )
        for sid, k1, k2, n in search.big
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
    _unpersist(cached)
    return SparkDedupeResult(
        now=now,
        policy=policy,
        pairs=pairs,
        decisions=decisions,
        clusters=clusters,
        generic_keys=generic_frame,
        bad_rows=prepared.bad_rows,
        summary=summary,
        run=Run(leads=prepared.rows, over=over, fields=fields, labels=prepared.labels),
    )


class Job(NamedTuple):
    """
    A Spark DataFrame to deduplicate at ``now``.

    What :func:`leadcore.dedupe.find` and :func:`leadcore.dedupe.what_if` hand over when
    given one, their arguments checked.
    """

    frame: DataFrame
    now: dt.datetime
    columns: Columns
    tz: str | None
    progress: object
    """As :func:`leadcore.dedupe.find` takes it: a callable, True (bars), or None."""

    def find(self, policy: DedupePolicy) -> SparkDedupeResult:
        """:func:`leadcore.dedupe.find` over the DataFrame."""
        with _progress.using(self.progress) as report:
            return run(self.prepare(policy, report), self.now, policy, progress=report)

    def prepare(self, policy: DedupePolicy, report: Progress | None) -> Prepared:
        """The DataFrame read and normalised for ``policy``'s region."""
        return prepare(
            self.frame,
            columns=self.columns,
            tz=self.tz,
            region=policy.merge.default_region,
            progress=report,
        )

    def what_if(self, policy: DedupePolicy, other: DedupePolicy) -> SparkComparison:
        """
        :func:`leadcore.dedupe.what_if` over the DataFrame: the table is read once.

        Raises:
            InvalidInput: The policies' regions differ.

        """
        if other.merge.default_region != policy.merge.default_region:
            raise InvalidInput.single(
                "other.merge.default_region",
                other.merge.default_region,
                f"must be the first policy's region ({policy.merge.default_region!r})",
            )
        with _progress.using(self.progress) as report:
            prepared = self.prepare(policy, report)
            before = run(prepared, self.now, policy, progress=report)
            after = run(prepared, self.now, other, progress=report)
        return _compared(before, after)


def _compared(before: SparkDedupeResult, after: SparkDedupeResult) -> SparkComparison:
    """The comparison of two runs on one table: the pairs whose kind or conditions differ."""

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
