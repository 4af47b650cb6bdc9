"""
``leadcore dedupe --engine spark`` (``leadcore._cli.spark``): a what-if, CSV tables out.

Runs on the test run's one Spark session, on small tables: the engine's answers are
tested in ``test_spark.py``; these pin what the command reads, prints and writes.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from leadcore import _cli, dedupe
from leadcore.merge import MergePolicy
from tests.lead_tables import NOW, generate


def _read_csv_folder(folder: Path) -> list[dict[str, str]]:
    """The rows of a table Spark wrote as a folder of CSV parts (with headers)."""
    rows: list[dict[str, str]] = []
    for part in sorted(folder.glob("part-*.csv")):
        with part.open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def test_a_what_if_from_a_parquet_folder_to_csv_tables(spark: Any, tmp_path: Path) -> None:
    """
    A folder of Parquet parts in, --what-if, --format csv: the changes, generic keys, tables.

    The summary lists the generic keys and the what-if's changes by kind as the local
    command does, and the tables (``changes`` too) are folders of CSV parts.
    """
    rows = generate(40, seed=5, generic=6, bad=False)
    source = tmp_path / "leads"
    spark.createDataFrame(rows).write.parquet(str(source))
    out = io.StringIO()

    code = _cli.main(
        [
            "dedupe",
            "--engine",
            "spark",
            str(source),
            "--now",
            "2025-07-01T00:00:00Z",
            "--tz",
            "UTC",
            "--generic-key-rows",
            "5",
            "--what-if",
            "merge_max_inactivity_days=30",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "out"),
        ],
        out,
    )

    policy = dedupe.DedupePolicy(generic_key_rows=5)
    local = dedupe.what_if(
        rows,
        now=NOW,
        policy=policy,
        other=dedupe.DedupePolicy(
            generic_key_rows=5, merge=MergePolicy(merge_max_inactivity_days=30)
        ),
    )
    printed = out.getvalue()
    counts = local.counts()
    assert code == 0, printed
    assert sum(counts.values()) > 0
    assert f"what if merge_max_inactivity_days=30: {sum(counts.values()):,} pairs change" in (
        printed
    )
    for change, count in counts.items():
        assert f"  {change:<22} {count:>8,}\n" in printed
    assert f"  after: {local.after.summary.merge_pairs:,} auto-merge" in printed
    assert f"generic keys {len(local.before.generic_keys):>10,}" in printed
    assert "(0 bad rows)" in printed
    changes = _read_csv_folder(tmp_path / "out" / "changes.csv")
    assert len(changes) == len(local.changes)
    pairs = _read_csv_folder(tmp_path / "out" / "pairs.csv")
    assert [(p["lead_a"], p["lead_b"]) for p in pairs] == [(p.a, p.b) for p in local.before.pairs]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["what_if"] == {"changes": sum(counts.values()), **counts}


def test_without_out_the_summary_is_only_printed(spark: Any, tmp_path: Path) -> None:
    """
    Without --out nothing is written: the summary alone, on standard output.

    With seven bad rows, the first five are shown as the local command shows them (by
    row) and the other two are counted.
    """
    rows = generate(20, seed=3, generic=0)  # 6 bad rows (a repeated id makes two)
    rows[10]["created_at"] = "tomorrow"
    source = tmp_path / "leads.parquet"
    spark.createDataFrame(rows).write.parquet(str(source))
    out = io.StringIO()

    code = _cli.main(["dedupe", "--engine", "spark", str(source), "--now", NOW.isoformat()], out)

    local = dedupe.find(rows, now=NOW)
    printed = out.getvalue()
    assert code == 0, printed
    assert f"auto-merge   {local.summary.merge_pairs:>10,} pairs" in printed
    assert len(local.bad_rows) == 7
    shown = [line for line in printed.splitlines() if line.startswith("bad row ")]
    assert len(shown) == 5
    assert set(shown) <= {
        f"bad row      row {bad.row}{f' {bad.field}' if bad.field else ''}: {bad.message} "
        f"({bad.value!r})"
        for bad in local.bad_rows
    }
    assert "             ... and 2 more bad rows\n" in printed
    assert "wrote" not in out.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["leads.parquet"]
