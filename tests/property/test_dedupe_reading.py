"""
Reading a CSV file with pyarrow gives the tables the standard library's reading gives.

``inputs.prepare_csv_range`` reads a plain byte range (UTF-8, no quotes, no blank line,
every line of the header's width, no value over the limit) with pyarrow when it is
installed, column by column; any other range, or any range without pyarrow, goes through
``inputs.prepare_records_range``, the record-by-record reader of the standard library.
Both must give the same table for any range.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadcore._attrs import MAX_TEXT
from leadcore._dedupe import arrowcsv, inputs
from leadcore._dedupe.config import Columns

HEADER = (
    "lead_id,first_name,last_name,email,phone,company,created_at,last_activity_at,"
    "source,lot,co_first_name,co_last_name,co_email,co_phone,true_cluster"
)
WIDTH = HEADER.count(",") + 1

_CELLS = st.sampled_from(
    [
        "",
        " ",
        "\t",
        "\u00a0",
        "L1",
        "L2",
        " L3 ",
        "André",
        "ANN",
        "o'neil",
        "ann@x.com",
        " Ann@X.com ",
        "a b@x.com",
        "@x.com",
        "none@none.com",
        "415-867-5309",
        " 432 702 2479 ",
        "011 91 9825620879",
        "+44 20 7946 0958",
        "12",
        "2023-11-05 16:51:48",
        "2023-11-05T16:51:48+02:00",
        "2023-11-05",
        "2023-02-30 10:00:00",
        "2024-02-29T23:59:59",
        "0000-01-01 00:00:00",
        "2023-01-01 24:00:00",
        "2023-01-01 10:60:00",
        "2023-11-05 16:51:48.5",
        "NA",
        "credit_application",
        "walk_in",
        "LOT-07",
        "81158",
    ]
)
_ODD = st.sampled_from(['"', "x" * (MAX_TEXT + 1), "\udcff", "\udced\udca0\udc80", "\r"])


def _line(cells: list[str]) -> str:
    return ",".join(cells)


_LINES = st.lists(
    st.one_of(
        st.lists(_CELLS, min_size=WIDTH, max_size=WIDTH).map(_line),
        st.lists(_CELLS, min_size=WIDTH, max_size=WIDTH).map(_line),
        st.lists(_CELLS, min_size=WIDTH, max_size=WIDTH).map(_line),
        st.lists(_CELLS, min_size=WIDTH - 2, max_size=WIDTH + 1).map(_line),
        st.lists(_CELLS | _ODD, min_size=WIDTH, max_size=WIDTH).map(_line),
        st.just(""),
    ),
    max_size=12,
)


def _write(lines: list[str], end: str | tuple[str, ...], *, last: bool) -> Path:
    """A file of the header and ``lines``, each line ended by ``end`` (a tuple: in turn)."""
    ends = (end,) if isinstance(end, str) else end
    rows = [HEADER, *lines]
    text = "".join(
        row + (ends[i % len(ends)] if i < len(rows) - 1 or last else "")
        for i, row in enumerate(rows)
    )
    handle = tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False)  # noqa: SIM115  # closed below
    with handle:
        handle.write(text.encode("utf-8", "surrogateescape"))
    return Path(handle.name)


def _settings(path: Path, tz: str | None) -> inputs.Settings:
    header, _ = inputs.csv_header(path)
    lay = inputs.layout(header, Columns(labels="true_cluster").layout_spec())
    return inputs.Settings(lay, tz, "US")


@contextmanager
def _reader(name: str) -> Iterator[None]:
    """Read with pyarrow even the smallest range, or never with pyarrow."""
    if name == "arrow":
        with mock.patch.object(arrowcsv, "MIN_BYTES", 0):
            yield
    else:
        with mock.patch.object(arrowcsv, "_pyarrow", return_value=None):
            yield


@pytest.mark.parametrize("reader", ["arrow", "stdlib"])
@given(
    lines=_LINES,
    end=st.sampled_from(["\n", "\r\n", "\r"])
    | st.lists(st.sampled_from(["\n", "\r\n"]), min_size=2, max_size=4).map(tuple),
    last=st.booleans(),
    tz=st.sampled_from(["UTC", "Europe/Paris", None]),
    parts=st.integers(1, 4),
)
def test_column_reading_equals_record_reading(
    reader: str,
    *,
    lines: list[str],
    end: str | tuple[str, ...],
    last: bool,
    tz: str | None,
    parts: int,
) -> None:
    """Every byte range reads to the same table by columns (either reader) and by records."""
    path = _write(lines, end, last=last)
    try:
        settings = _settings(path, tz)
        _, start = inputs.csv_header(path)
        for lo, hi, first in inputs.csv_ranges(path, start, parts) or [(start, start, 2)]:
            with _reader(reader):
                by_columns = inputs.prepare_csv_range(str(path), lo, hi, first, settings)
            by_records = inputs.prepare_records_range(str(path), lo, hi, first, settings)
            assert by_columns == by_records
    finally:
        path.unlink()


PLAIN = "L1,Ann,Wood,ann@x.com,415-867-5309,,2023-11-05 16:51:48,,walk_in,LOT-04,,,,,7"


def test_a_blank_line_between_mixed_line_ends_is_skipped() -> None:
    """LF lines, a CR LF line, a blank line: pyarrow must not read the blank as a row."""
    lines = [PLAIN, PLAIN.replace("L1", "L2"), "", PLAIN.replace("L1", "L3")]
    path = _write(lines, ("\n", "\r\n", "\n", "\n"), last=True)
    try:
        settings = _settings(path, "UTC")
        _, start = inputs.csv_header(path)
        end = path.stat().st_size
        with _reader("arrow"):
            by_columns = inputs.prepare_csv_range(str(path), start, end, 2, settings)
        by_records = inputs.prepare_records_range(str(path), start, end, 2, settings)
    finally:
        path.unlink()

    assert by_columns == by_records
    assert (by_columns.ids, by_columns.lines, by_columns.bad) == (["L1", "L2", "L3"], [2, 3, 5], [])


def test_a_blank_id_is_left_out_with_its_line() -> None:
    """A plain range's rows without an id are bad rows, as the record reader says."""
    path = _write([PLAIN, PLAIN.replace("L1", " "), PLAIN.replace("L1", "L3")], "\n", last=True)
    try:
        settings = _settings(path, "UTC")
        _, start = inputs.csv_header(path)
        size = path.stat().st_size
        with _reader("arrow"):
            chunk = inputs.prepare_csv_range(str(path), start, size, 2, settings)
        assert chunk == inputs.prepare_records_range(str(path), start, size, 2, settings)
    finally:
        path.unlink()

    assert (chunk.ids, chunk.lines, chunk.rows) == (["L1", "L3"], [2, 4], [0, 2])
    assert [(b.row, b.line, b.field, b.message) for b in chunk.bad] == [
        (1, 3, "id", "has no lead id")
    ]


def _arrow_read(lines: list[str]) -> arrowcsv.Read | None:
    """The reading by pyarrow of a file of ``lines``, checked equal to the record reader's."""
    path = _write(lines, "\n", last=True)
    try:
        settings = _settings(path, "UTC")
        _, start = inputs.csv_header(path)
        size = path.stat().st_size
        with _reader("arrow"):
            chunk = inputs.prepare_csv_range(str(path), start, size, 2, settings)
            lay = settings.layout
            found = arrowcsv.columns(
                path.read_bytes()[start:],
                WIDTH,
                wanted=[0, 1, 6, 7],
                repeating={1},
                stamps={6, 7},
                utc=True,
            )
        assert chunk == inputs.prepare_records_range(str(path), start, size, 2, settings)
        assert (lay.first_name, lay.created_at, lay.last_activity_at) == (1, 6, 7)
    finally:
        path.unlink()
    return found


def test_pyarrow_converts_plain_timestamps() -> None:
    """Plain timestamps in UTC become microseconds in pyarrow; names share one object."""
    later = PLAIN.replace("L1", "L2").replace("16:51:48", "23:59:59")
    found = _arrow_read([PLAIN, later])

    assert found is not None
    texts, instants, count = found
    assert count == 2
    assert instants == {6: [1_699_203_108_000_000, 1_699_228_799_000_000], 7: [None, None]}
    assert texts == {0: ["L1", "L2"], 1: ["Ann", "Ann"]}
    assert texts[1][0] is texts[1][1]


_NO_PANDAS = """
import sys
from leadcore._dedupe import arrowcsv
rows = b"L1,Ann,2023-11-05 16:51:48,\\n" * 40_000 + b"L2,Bo,,2023-11-05 16:51:48\\n"
assert len(rows) >= arrowcsv.MIN_BYTES
found = arrowcsv.columns(rows, 4, wanted=[0, 1, 2, 3], repeating={1}, stamps={2, 3}, utc=True)
assert found is not None and sorted(found[1]) == [2, 3], found
print("pandas" in sys.modules)
"""


def test_reading_by_pyarrow_does_not_import_pandas() -> None:
    """
    Reading by pyarrow does not import pandas (pyarrow would, to convert a Python value).

    pyarrow imports pandas, when installed, for any Python value it turns into an Arrow
    one. Each process that reads would pay pandas' import (some 0.4 s) for nothing; a fresh
    interpreter shows whether the reading imports it (pandas is installed in the tests).
    """
    done = subprocess.run(  # noqa: S603  # our own interpreter, fixed code
        [sys.executable, "-c", _NO_PANDAS], capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == "False"


@pytest.mark.parametrize(
    "stamp",
    [
        "2023-02-30 10:00:00",  # no such day
        "0000-01-01 00:00:00",  # before Python's first year
        "2023-11-05 16:51:48.5",  # not the plain shape
        "2023-11-05",  # a date alone
    ],
)
def test_other_timestamps_are_left_to_python(stamp: str) -> None:
    """A column with any timestamp not plain (or no date-time) is read by Python."""
    found = _arrow_read([PLAIN, PLAIN.replace("L1", "L2").replace("2023-11-05 16:51:48", stamp)])

    assert found is not None
    texts, instants, _ = found
    assert 6 not in instants
    assert texts[6] == ["2023-11-05 16:51:48", stamp]


@pytest.mark.parametrize(
    "odd",
    [
        PLAIN.replace("Ann", '"Ann"'),  # a quote
        "",  # a blank line
        PLAIN.replace("Ann", "x" * (MAX_TEXT + 1)),  # a value over the limit
        PLAIN.replace("Ann", "\udcff"),  # not UTF-8
        PLAIN.replace("Ann", "\udced\udca0\udc80"),  # an encoded surrogate
        PLAIN + ",",  # a field too many
        PLAIN.replace("Ann", "A\rnn"),  # a lone carriage return
        PLAIN + "\r" + PLAIN.replace("L1", "L3"),  # a lone CR between rows of the width
    ],
)
def test_pyarrow_leaves_other_ranges_to_the_standard_library(odd: str) -> None:
    """What pyarrow could read otherwise than Python is read by the standard library."""
    assert _arrow_read([PLAIN, odd]) is None


@pytest.mark.parametrize(
    ("data", "width", "read"),
    [
        (f"{PLAIN}\n{PLAIN}\r", WIDTH, False),  # the last line ended by a CR alone
        (f"{PLAIN}\r\n{PLAIN}\r\n", WIDTH, True),
        (f"{PLAIN}\r\n\r\n{PLAIN}", WIDTH, False),  # a blank line between CR LFs
        ("L1\nL2\r\nL3", 1, True),  # one column
        ("L1\n\r\nL3\n", 1, False),  # one column, a blank line
        ("L1\n\nL3\n", 1, False),
        ("\nL1\n", 1, False),  # a blank first line
        ("L1\rL2\n", 1, False),  # a CR alone
    ],
)
def test_pyarrow_reads_only_ranges_of_whole_plain_lines(data: str, width: int, read: bool) -> None:
    """A range is read by pyarrow when its rows are the lines: no CR alone, no blank line."""
    with mock.patch.object(arrowcsv, "MIN_BYTES", 0):
        found = arrowcsv.columns(
            data.encode(), width, wanted=[0], repeating=(), stamps=(), utc=True
        )

    assert (found is not None) == read
    if found is not None:
        assert found[0][0] == [line.split(",")[0] for line in data.splitlines()]


def test_a_line_of_empty_cells_is_no_blank_line() -> None:
    """Commas alone are a row (of a blank id): pyarrow reads the range, as Python does."""
    found = _arrow_read([PLAIN, "," * (WIDTH - 1)])

    assert found is not None
    assert found[0][0] == ["L1", ""]


def test_without_pyarrow_the_standard_library_reads() -> None:
    """Without pyarrow (it is optional), the same table is read."""
    with mock.patch.dict("sys.modules", {"pyarrow": None}):
        assert arrowcsv._pyarrow() is None
        path = _write([PLAIN], "\r\n", last=True)
        try:
            settings = _settings(path, "UTC")
            _, start = inputs.csv_header(path)
            size = path.stat().st_size
            with mock.patch.object(arrowcsv, "MIN_BYTES", 0):
                chunk = inputs.prepare_csv_range(str(path), start, size, 2, settings)
            assert chunk == inputs.prepare_records_range(str(path), start, size, 2, settings)
        finally:
            path.unlink()


_FRAME_CELLS = st.one_of(
    _CELLS,
    st.none(),
    st.just("x" * (MAX_TEXT + 1)),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=False, width=32),
)
_FRAME_NAMES = HEADER.split(",")


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
@given(
    rows=st.lists(st.lists(_FRAME_CELLS, min_size=WIDTH, max_size=WIDTH), min_size=0, max_size=8),
    text_only=st.booleans(),
    tz=st.sampled_from(["UTC", "Europe/Paris", None]),
)
def test_a_frame_reads_by_columns_as_by_records(
    library: str, *, rows: list[list[object]], text_only: bool, tz: str | None
) -> None:
    """A dataframe read column by column gives the table its records give."""
    from leadcore._dedupe import load  # noqa: PLC0415  # only here

    if text_only:
        rows = [[c if isinstance(c, str) else "" for c in row] for row in rows]
    elif library != "pandas":  # text or nothing (pandas' object columns hold anything)
        rows = [[c if isinstance(c, str) or c is None else str(c) for c in row] for row in rows]
    data = {name: [row[k] for row in rows] for k, name in enumerate(_FRAME_NAMES)}
    frame = _frame(library, data)
    columns = Columns(labels="true_cluster")
    settings = inputs.Settings(inputs.layout(_FRAME_NAMES, columns.layout_spec()), tz, "US")

    by_columns = load.frame_chunk(frame, columns, settings)
    records, lay = load.frame_records(frame, columns)
    by_records = inputs.prepare(records, settings._replace(layout=lay))

    if by_columns is None:  # a value over the limit: read by records
        assert any(isinstance(c, str) and len(c) > MAX_TEXT for row in rows for c in row)
    else:
        assert by_columns == by_records


def _frame(library: str, data: dict[str, list[object]]) -> object:
    if library == "pandas":
        import pandas as pd  # type: ignore[import-untyped]  # noqa: PLC0415  # the dev extra has it

        return pd.DataFrame(data, dtype=object)
    if library == "polars":
        import polars as pl  # noqa: PLC0415  # the dev extra has it

        return pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))
    import pyarrow as pa  # noqa: PLC0415  # the dev extra has it

    return pa.table({name: pa.array(values, pa.string()) for name, values in data.items()})


def test_a_long_text_of_a_str_subclass_is_read_by_records() -> None:
    """A ``numpy.str_`` cell over the limit sends the frame to the record reader too."""
    import numpy as np  # noqa: PLC0415  # pandas brings it
    import pandas as pd  # noqa: PLC0415  # the dev extra has it

    from leadcore._dedupe import load  # noqa: PLC0415  # only here

    data: dict[str, list[object]] = {name: ["", ""] for name in _FRAME_NAMES}
    data["lead_id"] = ["L1", "L2"]
    data["first_name"] = [np.str_("x" * (MAX_TEXT + 1)), "Ann"]
    frame = pd.DataFrame(data, dtype=object)
    columns = Columns(labels="true_cluster")
    settings = inputs.Settings(inputs.layout(_FRAME_NAMES, columns.layout_spec()), "UTC", "US")

    records, lay = load.frame_records(frame, columns)
    by_records = inputs.prepare(records, settings._replace(layout=lay))

    assert load.frame_chunk(frame, columns, settings) is None
    assert [b.row for b in by_records.bad] == [0]
    assert by_records.ids == ["L2"]
