"""
Spark's batches are read as a local dataframe is (``load.frame_chunk``).

By columns, and by records when a cell is over the length limit (GEN-5), with the
same bad rows.
"""

from __future__ import annotations

from typing import Any

from leadcore import dedupe
from tests.lead_tables import NOW, generate
from tests.test_spark import assert_same, frame


def test_a_cell_over_the_limit_is_read_by_records_as_locally(spark: Any) -> None:
    """The row with the long name is a bad row on Spark as locally; the rest is read."""
    rows = generate(40, seed=2, bad=False)
    rows[5]["first_name"] = "x" * 10_001

    local = dedupe.find(rows, now=NOW)
    on_spark = dedupe.find(frame(spark, rows), now=NOW)

    assert_same(local, on_spark)
    assert [(b.row, b.message) for b in local.bad_rows] == [
        (5, "has a value over 10000 characters")
    ]
    assert local.summary.leads == 39
