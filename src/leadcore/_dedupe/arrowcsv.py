"""
Reading a plain byte range of a CSV file with pyarrow's C reader, when it is installed.

pyarrow is optional (the ``arrow`` extra): :func:`columns` returns None when it is not
installed, or when the range is not plain, and the caller reads the range with the
standard library instead (:func:`leadcore._dedupe.inputs.prepare_records_range`), which
gives the same table. A plain range is UTF-8 text without quotes, blank lines or lone carriage
returns, whose every line has the header's number of fields and no value over the
length limit: there the two readers cannot differ, since a record is a line and its
fields are the text between commas. Anything else makes pyarrow raise, or is checked
before, and the range goes to the standard library, which reports every bad row.

Besides splitting in C, two things are done on columns rather than cell by cell:

- columns of few distinct values (names, sources, lots, the co-customer's cells) are
  dictionary-encoded, so that each distinct text becomes one Python string, not one a row;
- timestamp columns whose every cell is empty or ``YYYY-MM-DD HH:MM:SS`` (or with ``T``)
  are converted to microseconds by pyarrow when naive timestamps are read in UTC:
  the instant Python's ``datetime.fromisoformat`` gives, as the tests check. Any other
  column is left as text, for :class:`leadcore._dedupe.inputs._Instants`.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection, Sequence
from typing import Any, Final

from leadcore import _attrs

__all__ = ["MIN_BYTES", "Read", "columns"]

MIN_BYTES: Final = 1 << 20
"""Ranges shorter than this are read by the standard library (importing pyarrow costs
more than it saves on them)."""

_STAMP: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}$"
"""The timestamp cells converted by pyarrow; others are read by Python."""

_FIRST_DAY: Final = -62_135_596_800_000_000
"""0001-01-01 00:00:00 in microseconds since the epoch: Python's earliest date-time
(pyarrow reads a year 0000, which Python refuses)."""

Read = tuple[dict[int, list[str]], dict[int, list[int | None]], int]
"""The text columns by position, the instant columns by position, and the row count."""


def _pyarrow() -> tuple[Any, Any, Any] | None:
    """pyarrow, its CSV reader and its compute functions, or None when not installed."""
    try:
        return (
            importlib.import_module("pyarrow"),
            importlib.import_module("pyarrow.csv"),
            importlib.import_module("pyarrow.compute"),
        )
    except ImportError:
        return None


def preload() -> bool:
    """Import pyarrow now, when installed (for forked workers to share); return whether it is."""
    return _pyarrow() is not None


def _plain_lines(data: bytes, width: int, rows: int) -> bool:
    """
    Whether pyarrow's ``rows`` of ``width`` are the range's lines, none blank.

    A plain range has no blank line and ends its lines with LF or CR LF (a CR only before
    a LF). pyarrow ends a line at a CR alone too, so a range with one reads into more
    rows than it has LFs (a range ending with a CR is refused, the only case where the
    counts agree); a blank line is a row of empty cells, with none of the ``width - 1``
    commas of every other row (pyarrow refuses a row of another width). Counting
    commas and LFs costs a third of looking for each shape in the bytes.
    """
    if data.endswith(b"\r") or rows != data.count(b"\n") + (not data.endswith(b"\n")):
        return False
    if width > 1:
        return data.count(b",") == (width - 1) * rows
    # One column: a blank line is an empty cell; with every CR before a LF, it is a LF
    # followed by a LF or by CR LF, or the first line.
    return b"\n\n" not in data and b"\n\r\n" not in data and not data.startswith((b"\n", b"\r\n"))


def _fits(pc: Any, table: Any) -> bool:  # noqa: ANN401  # pyarrow objects
    """No cell longer than the limit of a text (the record reader refuses them)."""
    for column in table.columns:
        longest = pc.max(pc.utf8_length(column)).as_py()
        if longest is not None and longest > _attrs.MAX_TEXT:
            return False
    return True


def columns(
    data: bytes,
    width: int,
    *,
    wanted: Sequence[int],
    repeating: Collection[int],
    stamps: Collection[int],
    utc: bool,
) -> Read | None:
    """
    Return the ``wanted`` columns of a plain range's bytes, or None (read it otherwise).

    ``repeating`` are the positions of columns with few distinct values (decoded once a
    value); ``stamps`` those read only as timestamps, converted to microseconds when
    ``utc`` (naive timestamps are read in UTC) and every cell has the plain shape; a
    timestamp column not converted comes back as text.
    """
    # A quote anywhere: not plain (the lines are checked against pyarrow's rows below).
    if width <= 0 or len(data) < MIN_BYTES or b'"' in data:
        return None
    modules = _pyarrow()
    if modules is None:
        return None
    pa, csv, pc = modules
    names = [f"c{i}" for i in range(width)]
    try:
        table = csv.read_csv(
            pa.py_buffer(data),
            read_options=csv.ReadOptions(column_names=names, use_threads=False),
            parse_options=csv.ParseOptions(
                quote_char=False, double_quote=False, escape_char=False, ignore_empty_lines=False
            ),
            convert_options=csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except pa.ArrowInvalid:  # a line of another width, or bytes that are not UTF-8
        return None
    if not _plain_lines(data, width, table.num_rows) or not _fits(pc, table):
        return None
    texts: dict[int, list[str]] = {}
    instants: dict[int, list[int | None]] = {}
    for at in wanted:
        column = table.column(at).combine_chunks()
        if utc and at in stamps:
            found = _instants(pa, pc, column)
            if found is not None:
                instants[at] = found
                continue
        if at in repeating:
            encoded = column.dictionary_encode()
            values = encoded.dictionary.to_pylist()
            texts[at] = list(map(values.__getitem__, encoded.indices.to_pylist()))
        else:
            texts[at] = column.to_pylist()
    return texts, instants, table.num_rows


def _instants(pa: Any, pc: Any, column: Any) -> list[int | None] | None:  # noqa: ANN401  # pyarrow objects
    """The column's instants in microseconds (empty cells None), or None if not plain."""
    # No Python value is turned into an Arrow one here (pa.scalar, pa.array): pyarrow
    # would import pandas, when installed, to see whether the value is pandas' (some
    # 0.4 s in each process that reads).
    filled = pc.utf8_length(column).cast(pa.bool_())
    if not pc.all(pc.or_(pc.invert(filled), pc.match_substring_regex(column, _STAMP))).as_py():
        return None
    try:
        kept = pc.if_else(filled, column, pa.nulls(len(column), pa.string()))
        moments = kept.cast(pa.timestamp("us"))
    except pa.ArrowInvalid:  # a day or time that does not exist
        return None
    micros = moments.cast(pa.int64())
    earliest = pc.min(micros).as_py()
    if earliest is not None and earliest < _FIRST_DAY:
        return None
    found: list[int | None] = micros.to_pylist()
    return found
