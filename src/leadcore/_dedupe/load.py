"""
Reading every kind of source into a normalised table, for :func:`leadcore.dedupe.load`.

CSV files are split into byte ranges on record boundaries and each range is read and
normalised by a worker process; dataframes are read column by column (see
:mod:`leadcore._dedupe.frames`), mappings key by key (a missing key is an empty value),
and :class:`~leadcore.model.Lead` objects field by field. Then naive timestamps without a
time zone stop the run (GEN-1), and rows sharing an id are all left out.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import pairwise, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from leadcore import _attrs, _text
from leadcore._dedupe import frames, inputs, pool
from leadcore._dedupe.frames import TableKind
from leadcore._dedupe.inputs import ProgressFn
from leadcore.errors import InvalidInput
from leadcore.model import Lead

if TYPE_CHECKING:
    from leadcore._dedupe.config import Columns

__all__ = ["DUPLICATE_ID", "frame_chunk", "frame_records", "naive_error", "read", "settings_of"]

DUPLICATE_ID = "is the id of %d rows; ids must be unique, so all are left out"
"""The message of a row left out for sharing its id (``%d``: how many rows have it)."""

_WIDTH: Final = inputs.Layout._fields.index("width")
"""Where a layout's positions end (``width``, then the rule's extra fields)."""


def read(
    source: object,
    *,
    columns: Columns,
    tz: str | None,
    region: str,
    workers: int,
    progress: ProgressFn | None,
) -> tuple[inputs.Chunk, TableKind]:
    """
    Read and normalise leads from any source :func:`leadcore.dedupe.load` accepts.

    Returns the table (its ``naive`` cleared) and the kind of table results come back as.

    Raises:
        InvalidInput: The source cannot be read, a mapped column is missing, or a
            timestamp is naive without ``tz``.

    """
    settings = settings_of(tz, region)
    kind: TableKind = "rows"
    if isinstance(source, str | os.PathLike):
        chunk = _load_csv(Path(source), columns, settings, workers, progress)
    elif (frame_kind := frames.kind_of(source)) is not None:
        found = frame_chunk(source, columns, settings, workers=workers, progress=progress)
        if found is None:
            records, lay = frame_records(source, columns)
            found = _prepare_records(records, settings._replace(layout=lay), workers, progress)
        chunk = found
        kind = "rows" if frame_kind == "narwhals" else frame_kind
    elif isinstance(source, Iterable) and not isinstance(source, bytes | Mapping):
        items = list(source)
        if items and isinstance(items[0], Lead):
            # A list of leads: inputs.prepare_leads names any item that is not one.
            chunk = inputs.prepare_leads(items, region, columns.labels)
        else:
            records, lay = _records_of(items, columns)
            chunk = _prepare_records(records, settings._replace(layout=lay), workers, progress)
    else:
        raise InvalidInput.single(
            "source",
            type(source).__name__,
            "must be a CSV path, a dataframe, or an iterable of mappings or leads",
        )
    _check_naive(chunk, tz)
    return _drop_duplicate_ids(chunk)._replace(naive=None), kind


def settings_of(tz: str | None, region: str) -> inputs.Settings:
    """The settings of a read, its layout to come (each reader finds it in its header)."""
    return inputs.Settings(
        inputs.Layout(0, 0, 0, (), (), 0, 0, (), (), 0, 0, 0, 0, -1, 0), tz, region
    )


def _prepare_records(
    records: list[tuple[object, ...]],
    settings: inputs.Settings,
    workers: int,
    progress: ProgressFn | None,
) -> inputs.Chunk:
    size = len(records)
    parts = _parts(size, workers)
    edges = [size * k // parts for k in range(parts + 1)]
    tasks = [(lo, hi, records[lo:hi]) for lo, hi in pairwise(edges)]
    chunks = pool.pmap(
        _prepare_task,
        tasks,
        workers=workers,
        state=settings,
        progress=progress,
        stage="read",
        units=[hi - lo for lo, hi, _ in tasks],
        encode=inputs.chunk_bytes,
        decode=inputs.chunk_of,
    )
    return inputs.concat(chunks) if chunks else inputs.prepare([], settings)


ROWS_A_TASK = 5_000
"""The fewest rows of a table in memory (records, a dataframe's columns) a task reads."""


def _parts(size: int, workers: int) -> int:
    """How many tasks ``size`` rows in memory are read in (several a worker, for progress)."""
    return max(1, min(workers * 4, size // ROWS_A_TASK)) if workers > 1 else 1


def _load_csv(
    path: Path,
    columns: Columns,
    settings: inputs.Settings,
    workers: int,
    progress: ProgressFn | None,
) -> inputs.Chunk:
    header, start = inputs.csv_header(path)
    lay = inputs.layout(header, columns.layout_spec())
    settings = settings._replace(layout=lay)
    size = path.stat().st_size
    # Several ranges a worker, so the progress bar moves and the load evens out.
    parts = workers * 4 if workers > 1 else max(1, (size - start) // (32 << 20) + 1)
    ranges = inputs.csv_ranges(path, start, parts)
    tasks = [(str(path), lo, hi, line) for lo, hi, line in ranges]
    chunks = pool.pmap(
        _csv_task,
        tasks,
        workers=workers,
        state=settings,
        progress=progress,
        stage="read",
        units=[hi - lo for _, lo, hi, _ in tasks],
        encode=inputs.chunk_bytes,
        decode=inputs.chunk_of,
    )
    return inputs.concat(chunks) if chunks else inputs.prepare([], settings)


def _check_naive(chunk: inputs.Chunk, tz: str | None) -> None:
    naive = chunk.naive
    if naive is None or tz is not None:
        return
    raise naive_error(naive)


def naive_error(naive: inputs.BadRow) -> InvalidInput:
    """The error of a naive timestamp read without a time zone (GEN-1)."""
    where = f"row {naive.row}" + (f" (line {naive.line})" if naive.line >= 0 else "")
    return InvalidInput.single(
        f"{naive.field}",
        naive.value,
        f"is a naive date-time ({where}); leadcore never guesses a time zone (GEN-1): "
        "state the export's zone with tz (--tz), such as 'Europe/Paris' or 'UTC'",
        code="naive_datetime",
    )


def _drop_duplicate_ids(chunk: inputs.Chunk) -> inputs.Chunk:
    """Leave out every row whose id another row has too (either could be right)."""
    if len(set(chunk.ids)) == len(chunk.ids):  # a set is three times faster to build
        return chunk
    counts = Counter(chunk.ids)
    repeated = {lead_id for lead_id, count in counts.items() if count > 1}
    keep = [i for i, lead_id in enumerate(chunk.ids) if lead_id not in repeated]
    bad = list(chunk.bad)
    for i, lead_id in enumerate(chunk.ids):
        if lead_id in repeated:
            bad.append(
                inputs.BadRow(
                    chunk.rows[i],
                    chunk.lines[i],
                    "id",
                    lead_id,
                    DUPLICATE_ID % counts[lead_id],
                )
            )
    bad.sort()
    where = {old: new for new, old in enumerate(keep)}
    names = ("rows", *inputs.CHUNK_COLUMNS)
    kept: dict[str, Any] = {name: [getattr(chunk, name)[i] for i in keep] for name in names}
    kept["co"] = {where[k]: v for k, v in chunk.co.items() if k in where}
    kept["extra"] = {name: [column[i] for i in keep] for name, column in chunk.extra.items()}
    kept["bad"] = bad
    return chunk._replace(**kept)


def _records_of(
    rows: Iterable[object], columns: Columns
) -> tuple[list[tuple[object, ...]], inputs.Layout]:
    names: list[str] = []
    spec = columns.layout_spec()
    for _, cols in spec:
        names.extend(c for c in cols if c not in names)
    timestamps = {columns.created_at, columns.last_activity_at}
    records: list[tuple[object, ...]] = []
    for position, row in enumerate(rows):
        if not isinstance(row, Mapping):
            wanted = (
                "a mapping as source[0] is (a list of rows)" if position else "a mapping or a Lead"
            )
            raise InvalidInput.single(
                f"source[{position}]", row, f"must be {wanted}, not {type(row).__name__}"
            )
        records.append(tuple(_cell(row.get(name), timestamp=name in timestamps) for name in names))
    return records, inputs.layout(names, spec)._replace(width=0)


def _cell(value: object, *, timestamp: bool) -> object:
    if value is None:
        return None if timestamp else ""
    if isinstance(value, str) or (timestamp and isinstance(value, dt.datetime | dt.date)):
        return value
    if isinstance(value, float) and math.isnan(value):
        return None if timestamp else ""
    return value if timestamp else str(value)


def _column_cells(values: list[object], *, timestamp: bool) -> list[object]:
    """:func:`_cell` of each value; a column of text alone is kept as it is."""
    if set(map(type, values)) <= {str}:
        return values
    return [_cell(v, timestamp=timestamp) for v in values]


def frame_chunk(
    data: object,
    columns: Columns,
    settings: inputs.Settings,
    *,
    workers: int = 1,
    progress: ProgressFn | None = None,
) -> inputs.Chunk | None:
    """
    Read and normalise a dataframe column by column; None if not plain.

    With ``workers`` above 1, the columns are cut into ranges of rows, each normalised
    by a worker process (the cells travel as lists, a column at a time, not as rows).

    Plain: every text cell within the length limit (then no row is screened out for
    its width or length: a frame has no ragged rows). The table is the one
    :func:`frame_records` and :func:`inputs.prepare` give (a property test); rows
    without an id are left out here as there.

    Raises:
        InvalidInput: A mapped column is not in the frame.

    """
    header = frames.columns(data)
    lay = inputs.layout(header, columns.layout_spec())._replace(width=0)
    timestamps = {columns.created_at, columns.last_activity_at}
    cells = {
        at: _column_cells(frames.column(data, header[at]), timestamp=header[at] in timestamps)
        for at in sorted(set(_positions(lay)))
    }
    size = len(next(iter(cells.values()))) if cells else 0
    limit = _attrs.MAX_TEXT
    for values in cells.values():
        plain = set(map(type, values)) <= {str}
        texts = values if plain else [v for v in values if isinstance(v, str)]
        if max(map(len, texts), default=0) > limit:  # type: ignore[arg-type]  # text cells
            return None
    ids = cells[lay.id]
    keep = list(range(size))
    bad: list[inputs.BadRow] = []
    if not all(map(str.strip, ids, repeat(_text.BLANK))):  # type: ignore[arg-type]  # text
        missing = [p for p, v in enumerate(ids) if _text.is_blank(v)]  # type: ignore[arg-type]  # text
        bad = [inputs.BadRow(p, -1, "id", ids[p], "has no lead id") for p in missing]
        gone = set(missing)
        keep = [p for p in keep if p not in gone]
        cells = {at: [column[p] for p in keep] for at, column in cells.items()}
    settings = settings._replace(layout=lay)
    parts = _parts(size, workers)
    if parts == 1:
        return _columns_task(settings, (cells, keep, bad, size))
    edges = [size * k // parts for k in range(parts + 1)]
    tasks: list[_Columns] = []
    for lo, hi in pairwise(edges):
        # cells[at][i] is the cell of row keep[i]; a task numbers its rows from lo.
        first, end = bisect.bisect_left(keep, lo), bisect.bisect_left(keep, hi)
        tasks.append(
            (
                {at: column[first:end] for at, column in cells.items()},
                [p - lo for p in keep[first:end]],
                [b._replace(row=b.row - lo) for b in bad if lo <= b.row < hi],
                hi - lo,
            )
        )
    chunks = pool.pmap(
        _columns_task,
        tasks,
        workers=workers,
        state=settings,
        progress=progress,
        stage="read",
        units=[hi - lo for lo, hi in pairwise(edges)],
        encode=inputs.chunk_bytes,
        decode=inputs.chunk_of,
    )
    return inputs.concat(chunks)


_Columns = tuple[dict[int, list[object]], list[int], list[inputs.BadRow], int]
"""A range of a dataframe's rows: its cells by column, the positions of its rows with an
id, its rows without one, and its row count (positions counted from its first row)."""


def _columns_task(settings: inputs.Settings, task: _Columns) -> inputs.Chunk:
    cells, keep, bad, records = task
    return inputs.prepare_columns(
        cells, len(keep), settings, keep=keep, lines=None, bad=bad, records=records
    )


def frame_records(data: object, columns: Columns) -> tuple[list[tuple[object, ...]], inputs.Layout]:
    """
    The records of a dataframe's mapped columns, and their layout, for :func:`inputs.prepare`.

    Raises:
        InvalidInput: A mapped column is not in the frame.

    """
    header = frames.columns(data)
    spec = columns.layout_spec()
    lay = inputs.layout(header, spec)
    timestamps = {columns.created_at, columns.last_activity_at}
    wanted = sorted(set(_positions(lay)))
    cells = {
        i: [_cell(v, timestamp=header[i] in timestamps) for v in frames.column(data, header[i])]
        for i in wanted
    }
    size = len(next(iter(cells.values()))) if cells else 0
    remap = {old: new for new, old in enumerate(wanted)}
    records: list[tuple[object, ...]] = (
        list(zip(*(cells[i] for i in wanted), strict=True)) if wanted else [()] * size
    )
    moved = inputs.Layout._make(
        [
            *(
                tuple(remap[p] for p in value) if isinstance(value, tuple) else remap.get(value, -1)
                for value in _positional(lay)
            ),
            0,
            tuple((name, remap.get(at, -1)) for name, at in lay.extra),
        ]
    )
    return records, moved


def _positional(lay: inputs.Layout) -> tuple[int | tuple[int, ...], ...]:
    """A layout's positions of the fixed fields (before ``width`` and the extra fields)."""
    return cast("tuple[int | tuple[int, ...], ...]", lay[:_WIDTH])


def _positions(lay: inputs.Layout) -> list[int]:
    found: list[int] = []
    for value in _positional(lay):
        if isinstance(value, tuple):
            found.extend(value)
        elif value >= 0:
            found.append(value)
    found.extend(at for _, at in lay.extra if at >= 0)
    return found


def _prepare_task(settings: inputs.Settings, task: tuple[int, int, list[Any]]) -> inputs.Chunk:
    _, _, records = task
    return inputs.prepare(records, settings)


def _csv_task(settings: inputs.Settings, task: tuple[str, int, int, int]) -> inputs.Chunk:
    path, start, end, line = task
    return inputs.prepare_csv_range(path, start, end, line, settings)
