"""
``leadcore dedupe --engine spark``: the same job on Apache Spark, Parquet or CSV in and out.

Reads the input with Spark (a Parquet file or folder, or a CSV file or folder with a
header row, every column as text), runs :func:`leadcore.dedupe.find` (or ``what_if``) on
the Spark DataFrame, prints the summary and, with ``--out``, writes each table as a
folder of Parquet (default) or CSV files, as Spark writes them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from leadcore import dedupe
from leadcore import spark as engine
from leadcore._cli.counts import counts_text
from leadcore.spark import SparkComparison, SparkDedupeResult

__all__ = ["read", "run"]


def _format(path: str) -> str:
    target = Path(path)
    if target.suffix.lower() == ".parquet":
        return "parquet"
    if target.is_dir() and any(target.glob("*.parquet")):
        return "parquet"
    return "csv"


def read(spark: Any, path: str) -> Any:  # noqa: ANN401  # Spark objects
    """Read a Parquet or CSV input (every CSV column as text, RFC 4180 quoting)."""
    if _format(path) == "parquet":
        return spark.read.parquet(path)
    return spark.read.csv(
        path, header=True, multiLine=True, escape='"', inferSchema=False, encoding="UTF-8"
    )


def _save(table: Any, target: Path, kind: str) -> str:  # noqa: ANN401  # a Spark DataFrame
    """Write a table as a folder of Parquet or CSV parts (replacing it); return its path."""
    writer = table.write.mode("overwrite")
    if kind == "parquet":
        writer.parquet(str(target))
    else:
        writer.option("header", "true").csv(str(target))
    return str(target)


def _write(result: SparkDedupeResult, folder: Path, kind: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    return [_save(result.table(name), folder / f"{name}.{kind}", kind) for name in dedupe.TABLES]


def _summary(result: SparkDedupeResult, out: TextIO) -> None:
    s = result.summary
    out.write(counts_text(s))
    if s.generic_keys:
        out.write(f"generic keys {s.generic_keys:>10,} (held by very many leads):\n")
        out.writelines(
            f"  {key['kind']:<5} {key['key']:<40} {key['rows']:>7,} leads, {key['handling']}\n"
            for key in result.generic_keys.limit(5).collect()
        )
    for bad in result.bad_rows.limit(5).collect():
        field = f" {bad['field']}" if bad["field"] else ""
        out.write(f"bad row      row {bad['row']}{field}: {bad['message']} ({bad['value']!r})\n")
    if s.bad_rows > 5:  # the first few are shown
        out.write(f"             ... and {s.bad_rows - 5:,} more bad rows\n")


def run(
    args: argparse.Namespace,
    out: TextIO,
    *,
    now: dt.datetime,
    policy: dedupe.DedupePolicy,
    other: dedupe.DedupePolicy | None,
    columns: dedupe.Columns,
    progress: Callable[[str, int, int], None],
    started: float,
) -> int:
    """Run the job on Spark; return its exit status. Errors propagate to the caller."""
    # pyspark 4 warns about pandas 3 on import; the engine exchanges Arrow batches only.
    quiet = "PySpark does not yet fully support pandas"
    warnings.filterwarnings("ignore", message=quiet, category=FutureWarning)
    os.environ.setdefault("PYTHONWARNINGS", f"ignore:{quiet}:FutureWarning")  # the workers
    spark = engine.session(args.master, config={"spark.driver.memory": args.driver_memory})
    frame = read(spark, args.file)
    comparison: SparkComparison | None = None
    if other is None:
        result = dedupe.find(
            frame, now=now, policy=policy, columns=columns, tz=args.tz, progress=progress
        )
    else:
        comparison = dedupe.what_if(
            frame,
            now=now,
            policy=policy,
            other=other,
            columns=columns,
            tz=args.tz,
            progress=progress,
        )
        result = comparison.before
    progress("write", 1, 1)
    out.write(f"leadcore dedupe {args.file} at {now.isoformat()} on Spark ({spark.version})\n")
    _summary(result, out)
    counts: dict[str, int] = {}
    if comparison is not None:
        counts = comparison.counts()
        changed = sum(counts.values())
        out.write(f"what if {', '.join(args.what_if)}: {changed:,} pairs change\n")
        out.writelines(f"  {change:<22} {count:>8,}\n" for change, count in counts.items())
        a = comparison.after.summary
        out.write(
            f"  after: {a.merge_pairs:,} auto-merge, {a.route_pairs:,} route, "
            f"{a.duplicate_pairs:,} duplicate pairs; {a.clusters:,} clusters, "
            f"{a.customers:,} customers\n"
        )
    if args.out:
        folder = Path(args.out)
        kind = args.format or _format(args.file)
        written = _write(result, folder, kind)
        summary: dict[str, object] = {
            "file": args.file,
            "engine": "spark",
            "now": now.isoformat(),
            **result.summary.as_dict(),
        }
        if comparison is not None:
            written.append(_save(comparison.table("changes"), folder / f"changes.{kind}", kind))
            summary["what_if"] = {"changes": sum(counts.values()), **counts}
        summary["seconds"] = round(time.perf_counter() - started, 3)
        (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        written.append(str(folder / "summary.json"))
        out.write(f"wrote        {', '.join(written)}\n")
    out.write(f"took         {time.perf_counter() - started:.1f} s\n")
    return 0
