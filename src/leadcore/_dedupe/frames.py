"""
Dataframes in and out of batch deduplication, without depending on any dataframe library.

pandas, polars and pyarrow tables are recognised by the module of their type, read column
by column into Python lists (missing values as None), and results are built back as the
same kind of table with that library's own constructor. Nothing here imports a dataframe
library unless the caller passed one of its objects or asked for one by name. Other
dataframe libraries are read through ``narwhals`` when it is installed.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any, Final, Literal

from leadcore.errors import InvalidInput

FrameKind = Literal["pandas", "polars", "pyarrow"]
TableKind = Literal["rows", "pandas", "polars", "pyarrow"]
KINDS: Final[tuple[TableKind, ...]] = ("rows", "pandas", "polars", "pyarrow")


def kind_of(data: object) -> FrameKind | Literal["narwhals"] | None:
    """Return which dataframe library ``data`` comes from, or None if it is not a frame."""
    module = type(data).__module__.split(".", 1)[0]
    name = type(data).__name__
    if module == "pandas" and name == "DataFrame":
        return "pandas"
    if module == "polars" and name in {"DataFrame", "LazyFrame"}:
        return "polars"
    if module == "pyarrow" and name in {"Table", "RecordBatch"}:
        return "pyarrow"
    if (
        module == "narwhals"
        or hasattr(data, "__narwhals_dataframe__")
        or hasattr(data, "__arrow_c_stream__")
    ):
        return "narwhals"
    return None


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT  # noqa: PLR0124  # they differ from themselves
    except TypeError:
        # pandas' NA (nullable dtypes): NA != NA is NA, which has no truth value.
        return True
    except ValueError:
        # An array compares element by element: a value, not a missing one.
        return False


def columns(data: Any) -> list[str]:  # noqa: ANN401  # any dataframe
    """Return the column names of a dataframe."""
    kind = kind_of(data)
    if kind == "polars":
        return (
            [str(c) for c in data.collect_schema().names()]
            if hasattr(data, "collect_schema")
            else [str(c) for c in data.columns]
        )
    if kind == "pyarrow":
        return [str(c) for c in data.schema.names]
    if kind == "pandas":
        return [str(c) for c in data.columns]
    return [str(c) for c in _narwhals(data).columns]


def column(data: Any, name: str) -> list[object]:  # noqa: ANN401  # any dataframe
    """Return one column of a dataframe as a list, missing values as None."""
    kind = kind_of(data)
    if kind == "polars":
        frame = data.collect() if type(data).__name__ == "LazyFrame" else data
        return list(frame.get_column(name).to_list())
    if kind == "pyarrow":
        return list(data.column(name).to_pylist())
    if kind == "pandas":
        values = data[name].tolist()
        return [None if _missing(v) else v for v in values]
    values = _narwhals(data)[name].to_list()
    return [None if _missing(v) else v for v in values]


def cell(data: Any, name: str, position: int) -> object:  # noqa: ANN401  # any dataframe
    """
    Return one value of a pandas, polars or pyarrow table (None when missing).

    Only those are read again (:func:`leadcore._dedupe.raw.source_of`); other frames,
    read through narwhals, are not.

    Raises:
        KeyError: No such column (or IndexError: no such row) for pandas; the other
            libraries raise their own errors, which callers catch.

    """
    kind = kind_of(data)
    if kind == "polars":
        frame = data.slice(position, 1)
        if type(frame).__name__ == "LazyFrame":
            frame = frame.collect()
        value = frame.get_column(name).to_list()[0]
    elif kind == "pyarrow":
        value = data.column(name)[position].as_py()
    else:  # pandas: the only other kind read again (see raw.source_of)
        value = data[name].iloc[position]
    return None if _missing(value) else value


def _narwhals(data: object) -> Any:  # noqa: ANN401  # a narwhals frame
    try:
        narwhals = importlib.import_module("narwhals")
    except ImportError as error:
        raise InvalidInput.single(
            "source",
            type(data).__name__,
            "is a kind of table leadcore reads only through narwhals; install narwhals, "
            "or pass a pandas, polars or pyarrow table, a CSV file or leads",
        ) from error
    return narwhals.from_native(data, eager_only=True)


def build(kind: TableKind, names: Sequence[str], rows: Sequence[Mapping[str, object]]) -> Any:  # noqa: ANN401  # any table
    """Return ``rows`` as a table of ``kind`` with columns ``names`` (``rows``: the list)."""
    if kind == "rows":
        return list(rows)
    columns = [[row.get(name) for row in rows] for name in names]
    return build_columns(kind, names, columns, rows=len(rows))


def from_records(kind: TableKind, names: Sequence[str], records: Sequence[Sequence[object]]) -> Any:  # noqa: ANN401  # any table
    """
    Return rows given as tuples of the ``names`` columns as a table of ``kind``.

    :func:`build` of the rows as dictionaries (``rows``: a list of them), the other
    kinds made from the columns directly.

    >>> from_records("rows", ("id", "size"), [("L1", 2), ("L2", 1)])
    [{'id': 'L1', 'size': 2}, {'id': 'L2', 'size': 1}]
    """
    if kind == "rows":
        return list(map(dict, map(zip, repeat(names), records)))
    columns = list(zip(*records, strict=True)) if records else [() for _ in names]
    return build_columns(kind, names, [list(c) for c in columns], rows=len(records))


def build_columns(
    kind: FrameKind, names: Sequence[str], columns: Sequence[list[object]], *, rows: int
) -> Any:  # noqa: ANN401  # any table
    """Return ``columns`` (one list a name, ``rows`` long) as a table of ``kind``."""
    data = dict(zip(names, columns, strict=True))
    try:
        module = importlib.import_module(kind)
    except ImportError as error:
        raise InvalidInput.single(
            "kind", kind, f"needs {kind}, which is not installed (pip install {kind})"
        ) from error
    try:
        if kind == "pandas":
            return module.DataFrame(data, columns=list(names))
        if kind == "polars":
            return (
                module.DataFrame(data, schema=list(names)) if not rows else module.DataFrame(data)
            )
        return module.table(data) if rows else module.table({n: [] for n in names})
    except UnicodeEncodeError as error:
        # A text with a lone surrogate (a Lead or a mapping may carry one) is not Unicode:
        # Arrow-backed tables cannot hold it. Name the first column that has one.
        name = next((n for n, column in data.items() if any(map(_not_unicode, column))), None)
        where = "a value" if name is None else f"column {name!r}"
        raise InvalidInput.single(
            "kind",
            kind,
            f"cannot hold {where}: it holds a lone surrogate, which is not Unicode text; "
            "take kind='rows'",
        ) from error


def _not_unicode(value: object) -> bool:
    """Whether ``value`` is a text with a lone surrogate (no UTF-8 form), or holds one."""
    if isinstance(value, list | tuple):
        return any(map(_not_unicode, value))
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
