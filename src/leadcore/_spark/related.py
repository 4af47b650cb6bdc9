"""
Related grouping (REL-6) on Spark: a table of CRM records to its groups of related records.

Each record's group key is :func:`leadcore.related.group_key`, leadcore's own rule, run
inside Spark over Arrow batches; Spark groups equal keys. A table with records the rule
refuses (a kind the CRM does not have, a value a :class:`~leadcore.model.CrmRecord`
cannot hold, an id another record has too) is refused with every problem listed (the
first 1,000), at the records' positions in the table, as :func:`leadcore.related.group`
refuses a list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Final

import pyarrow as pa
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F  # noqa: N812  # the usual name
from pyspark.sql.pandas.types import from_arrow_schema

from leadcore import related
from leadcore._spark import batches, session
from leadcore.errors import InvalidInput, Problem
from leadcore.model import Crm, CrmRecord

__all__ = ["GROUP_COLUMNS", "group"]

GROUP_COLUMNS: Final = ("group_id", "kind", "key", "value", "record_id")
"""The columns of the groups table: one row per record in a group of two or more."""

_MOST: Final = 1_000

_KEYED: Final = pa.schema(
    [
        pa.field(batches.MID, pa.int64()),
        pa.field("id", pa.string()),
        pa.field("group_id", pa.string()),
        pa.field("ok", pa.bool_()),
        pa.field("path", pa.string()),
        pa.field("value", pa.string()),
        pa.field("message", pa.string()),
    ]
)


def _keyer(
    crm: Crm, policy: related.RelatedPolicy, names: tuple[str, str, str, str]
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    id_at, kind_at, name_at, account_at = names

    def run(parts: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for part in parts:
            columns = part.to_pydict()
            out: dict[str, list[Any]] = {name: [] for name in _KEYED.names}
            for index, mid in enumerate(columns[batches.MID]):
                found: list[Problem] = []
                record: CrmRecord | None = None
                group: str | None = None
                try:
                    record = CrmRecord(
                        id=columns[id_at][index],
                        kind=columns[kind_at][index],
                        account_name=columns[name_at][index],
                        account_id=columns[account_at][index],
                    )
                    group = related.group_key(crm, record, policy=policy)
                except InvalidInput as error:
                    found = [
                        Problem(
                            p.path.removeprefix("record")
                            if p.path.startswith("record")
                            else "." + p.path,
                            p.value,
                            p.message,
                        )
                        for p in error.problems
                    ]
                listed: list[Problem | None] = list(found) or [None]
                for problem in listed:
                    out[batches.MID].append(mid)
                    out["id"].append(None if record is None else record.id)
                    out["group_id"].append(group)
                    out["ok"].append(problem is None)
                    out["path"].append(None if problem is None else problem.path)
                    out["value"].append(None if problem is None else str(problem.value))
                    out["message"].append(None if problem is None else problem.message)
            yield pa.RecordBatch.from_pydict(out, schema=_KEYED)

    return run


def group(
    crm: Crm,
    frame: DataFrame,
    *,
    policy: related.RelatedPolicy,
    columns: tuple[str, str, str, str],
) -> DataFrame:
    """
    Return the groups of related records of a Spark DataFrame (see the module doc).

    ``columns``: the id, kind, account name and account id columns.

    Raises:
        InvalidInput: A column is missing, or records are refused (the first 1,000).

    """
    session.prepare()
    missing = [
        Problem(
            f"columns.{field}", name, f"is not a column of the input ({', '.join(frame.columns)})"
        )
        for field, name in zip(("id", "kind", "account_name", "account_id"), columns, strict=True)
        if name not in frame.columns
    ]
    if missing:
        raise InvalidInput(missing)
    source = frame.select(*[F.col("`" + c.replace("`", "``") + "`") for c in columns])
    keyed = (
        source.withColumn(batches.MID, F.monotonically_increasing_id())
        .mapInArrow(_keyer(crm, policy, columns), from_arrow_schema(_KEYED))
        .withColumn("at", F.dense_rank().over(Window.orderBy(batches.MID)) - 1)
        .persist()
    )
    first = Window.partitionBy("id")
    records = keyed.where("id is not null").dropDuplicates([batches.MID, "id"])
    repeated = (
        records.withColumn("earlier", F.min("at").over(first))
        .where(F.col("at") > F.col("earlier"))
        .select(
            "at",
            F.lit(1).alias("order"),
            F.format_string("records[%d].id", "at").alias("path"),
            F.col("id").alias("value"),
            F.format_string(
                "is the id of records[%d] too; record ids must be unique", "earlier"
            ).alias("message"),
        )
    )
    refused = keyed.where(~F.col("ok")).select(
        "at",
        F.lit(0).alias("order"),
        F.concat(F.format_string("records[%d]", "at"), F.col("path")).alias("path"),
        "value",
        "message",
    )
    problems = refused.unionByName(repeated).orderBy("at", "order").limit(_MOST).collect()
    if problems:
        keyed.unpersist()
        raise InvalidInput([Problem(p["path"], p["value"], p["message"]) for p in problems])
    grouped = keyed.where(F.col("group_id").isNotNull()).withColumn(
        "size", F.count(F.lit(1)).over(Window.partitionBy("group_id"))
    )
    parts = F.split("group_id", ":", 3)
    return (
        grouped.where(F.col("size") > 1)
        .select(
            "group_id",
            parts[0].alias("kind"),
            parts[1].alias("key"),
            parts[2].alias("value"),
            F.col("id").alias("record_id"),
        )
        .orderBy("group_id", "record_id")
    )
