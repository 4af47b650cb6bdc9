"""
CSV range splitting (``leadcore._dedupe.inputs.csv_ranges``) across the blocks it reads.

The file is read once in blocks of ``_BLOCK`` bytes (16 MiB) to find the record
boundaries the workers' ranges start at. A boundary may lie in a later block than its
target, a block may end inside a quoted value or between the CR and the LF of a line
end: these tests shrink the block so that a small file meets all of that, and check
that the ranges read one by one give the records, and the line numbers, of the whole
file read at once.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from pathlib import Path
from typing import Final

import pytest

from leadcore import dedupe
from leadcore._dedupe import inputs
from leadcore.dedupe import Columns
from leadcore.merge import MatchRule, MergePolicy

HEADER: Final = "lead_id,first_name,last_name,email,phone"
ROWS: Final = 6_000
NOW: Final = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
OFF: Final = ("co_first_name", "co_last_name", "co_emails", "co_phones", "source", "lot")


def _file(tmp_path: Path, end: str, *, quoted: bool) -> Path:
    """``ROWS`` records ended by ``end``; ``quoted``: each holds ``end`` inside quotes."""
    parts = [HEADER + end]
    for n in range(ROWS):
        if quoted:
            parts.append(f'Q{n:05},"Multi{end}Line",Lee,,{end}')
        else:
            parts.append(f"L{n:05},Ann{n % 50:02},Lee,ann{n % 300:03}@x.io,4158675309{end}")
    path = tmp_path / "leads.csv"
    path.write_bytes("".join(parts).encode("utf-8"))
    return path


def _read(path: Path, ranges: list[tuple[int, int, int]]) -> tuple[list[list[str]], list[int]]:
    """The records and line numbers of ``ranges``, read one by one and joined."""
    records: list[list[str]] = []
    lines: list[int] = []
    for start, end, line in ranges:
        found, numbers, _, unreadable = inputs.read_range(path, start, end, line, 5)
        assert unreadable == {}
        records.extend(found)
        lines.extend(numbers)
    return records, lines


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted_line_ends"])
@pytest.mark.parametrize("block", [97, 1_000, 14, 15, 40, 41])
def test_ranges_found_in_small_blocks_read_as_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, end: str, quoted: bool, block: int
) -> None:
    """
    Blocks of a few bytes: the ranges still start on record boundaries, at the right line.

    Blocks of 14 to 41 bytes are a record's length (or one less) for some of the files:
    a block then ends on a CR whose LF may follow, or inside a quoted value.
    """
    path = _file(tmp_path, end, quoted=quoted)
    _, start = inputs.csv_header(path)
    size = path.stat().st_size
    whole = inputs.read_range(path, start, size, 2, 5)
    expected = [[f"Q{n:05}", "Multi\nLine", "Lee", "", ""] for n in range(ROWS)] if quoted else None

    monkeypatch.setattr(inputs, "_BLOCK", block)
    ranges = inputs.csv_ranges(path, start, 4)

    assert len(ranges) > 1
    assert ranges[0][0] == start
    assert ranges[-1][1] == size
    assert all(a[1] == b[0] for a, b in pairwise(ranges))
    records, lines = _read(path, ranges)
    assert (records, lines) == (whole[0], whole[1])
    assert len(records) == ROWS
    if expected is not None:
        assert records == expected
        # Each record holds one line end: it starts on every other line.
        assert lines == list(range(2, 2 + 2 * ROWS, 2))
    else:
        assert lines == list(range(2, 2 + ROWS))


def test_ranges_in_small_blocks_are_those_of_one_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a CR at a block's end, the boundaries do not depend on the block size."""
    path = _file(tmp_path, "\n", quoted=True)
    _, start = inputs.csv_header(path)
    one = inputs.csv_ranges(path, start, 4)

    monkeypatch.setattr(inputs, "_BLOCK", 97)

    assert inputs.csv_ranges(path, start, 4) == one


def test_custom_fields_of_ranges_read_by_workers_are_joined_in_order(tmp_path: Path) -> None:
    """
    A rule's custom field read by two workers: each range's column joins in row order.

    Two leads sharing a VIN at either end of the file (in different ranges) are paired
    by a rule on ``fields.vin``, and every lead keeps its own value.
    """
    seen = "2025-06-30T00:00:00Z"
    rows = [f"L{n:05},Ann{n},Lee{n},,,V{n:05},{seen}\n" for n in range(ROWS)]
    rows[-1] = f"L{ROWS - 1:05},Bo,Ng,,,V00000,{seen}\n"
    path = tmp_path / "leads.csv"
    path.write_text(HEADER + ",vin,seen\n" + "".join(rows), encoding="utf-8")
    _, start = inputs.csv_header(path)
    assert len(inputs.csv_ranges(path, start, 8)) > 1
    columns = Columns.parse(
        [*(f"{field}=" for field in OFF), "fields.vin=vin", "created_at=", "last_activity_at=seen"]
    )
    rule = MatchRule.from_json({"any_of": [{"label": "vin", "all_of": ["fields.vin"]}]})

    one = dedupe.load(path, columns=columns)
    two = dedupe.load(path, columns=columns, workers=2)
    result = dedupe.find(two, now=NOW, policy=MergePolicy(duplicate_rule=rule))

    assert list(two.ids) == list(one.ids) == [f"L{n:05}" for n in range(ROWS)]
    assert [two.lead(i).fields["vin"] for i in ("L00000", "L03000", f"L{ROWS - 1:05}")] == [
        "V00000",
        "V03000",
        "V00000",
    ]
    assert [(p.a, p.b) for p in result.pairs] == [("L00000", f"L{ROWS - 1:05}")]
