"""
A lead's values as the input holds them, read again on demand (for explanations).

A :class:`~leadcore.dedupe.LeadTable` keeps only normal forms (folded names, E.164
phones...), which is what the rules compare and what makes a million rows fit in
memory. To show an analyst the values as entered, :func:`lead` reads one row again from
the source, when the source can be read again: a CSV file (the row's line is known), a
pandas, polars or pyarrow table, or a list of mappings or leads the caller passed.
Generators and other one-shot iterables cannot be read again: the normal forms are all
there is.

What is read is checked against the table: the id, and the normal forms of the values
read must be the ones the table holds. A file changed since it was loaded, or a list
changed in place, gives None, never another lead's values.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from leadcore import _text as _texts
from leadcore import normalize
from leadcore._dedupe import frames, inputs
from leadcore._dedupe.decide import instant
from leadcore.errors import InvalidInput
from leadcore.model import Lead, Person

if TYPE_CHECKING:
    from leadcore._dedupe.config import Columns

__all__ = ["Source", "column", "label", "lead", "source_of"]

SourceKind = Literal["csv", "frame", "mappings", "leads"]


class Source(NamedTuple):
    """Where a table's rows can be read again: the kind, the object, the columns."""

    kind: SourceKind
    data: object
    columns: Columns


def source_of(source: object, columns: Columns) -> Source | None:
    """Return how to read rows of ``source`` again, or None when it cannot be."""
    if isinstance(source, str | os.PathLike):
        return Source("csv", Path(source), columns)
    kind = frames.kind_of(source)
    if kind in ("pandas", "polars", "pyarrow"):
        return Source("frame", source, columns)
    if kind is None and isinstance(source, Sequence) and not isinstance(source, str | bytes):
        if source and all(isinstance(item, Lead) for item in source):
            return Source("leads", source, columns)
        return Source("mappings", source, columns)
    return None


def _blank(text: str) -> bool:
    return not text or _texts.is_blank(text)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value if isinstance(value, str) else str(value)


def _cells(source: Source, position: int, line: int) -> Mapping[str, object] | None:
    """The row at ``position`` (0-based, its file ``line`` for a CSV), by column name."""
    names = sorted({c for _, cols in source.columns.layout_spec() for c in cols})
    data = source.data
    if source.kind == "mappings":
        rows: Sequence[object] = data  # type: ignore[assignment]  # a sequence, see source_of
        row = rows[position] if position < len(rows) else None
        return row if isinstance(row, Mapping) else None
    if source.kind == "frame":
        try:
            return {name: frames.cell(data, name, position) for name in names}
        except (KeyError, IndexError, ValueError, TypeError):
            return None
    return _csv_row(data, position, line)  # type: ignore[arg-type]  # a Path, see source_of


def _csv_row(path: Path, position: int, line: int) -> Mapping[str, object] | None:  # noqa: ARG001  # the line locates it
    try:
        header, start = inputs.csv_header(path)
        offset = _line_offset(path, line)
        with path.open("rb") as handle:
            handle.seek(offset)
            data = handle.read(inputs.RECORD_LIMIT)
        if offset < start:
            return None
        end = offset + inputs.record_end(data)
        records, _, _, unreadable = inputs.read_range(path, offset, end, line, len(header))
    except (OSError, InvalidInput):
        return None
    if unreadable or len(records) != 1 or len(records[0]) != len(header):
        return None
    return dict(zip(header, records[0], strict=True))


def column(source: Source, name: str, table: inputs.Chunk) -> list[str | None]:
    """
    Return the column ``name`` of the source, one value per lead of ``table``.

    For leads, ``name`` is a key of their ``fields``. Values are text (None when empty).

    Raises:
        InvalidInput: The source has no such column, or cannot be read.

    """
    data = source.data
    if source.kind == "leads":
        items: Sequence[Lead] = data  # type: ignore[assignment]  # see source_of
        return [label(items[r].fields.get(name)) for r in table.rows]
    if source.kind == "mappings":
        rows: Sequence[Mapping[str, object]] = data  # type: ignore[assignment]  # see source_of
        if table.rows and not any(name in rows[r] for r in table.rows[:1000]):
            raise InvalidInput.single("labels", name, "is not a column of the input")
        return [label(rows[r].get(name)) for r in table.rows]
    if source.kind == "frame":
        if name not in frames.columns(data):
            raise InvalidInput.single("labels", name, "is not a column of the input")
        values = frames.column(data, name)
        return [label(values[r]) for r in table.rows]
    return _csv_column(data, name, table)  # type: ignore[arg-type]  # a Path, see source_of


def label(value: object) -> str | None:
    """A ground-truth label: a value as text, None when blank or missing."""
    text = _text(value)
    return None if _blank(text) else text


def _csv_column(path: Path, name: str, table: inputs.Chunk) -> list[str | None]:
    header, start = inputs.csv_header(path)
    if name not in header:
        raise InvalidInput.single("labels", name, "is not a column of the input")
    at = header.index(name)
    values: list[str | None] = []
    for lo, hi, line in inputs.csv_ranges(path, start, max(1, path.stat().st_size >> 25)):
        records, _, _, _ = inputs.read_range(path, lo, hi, line, len(header))
        values.extend(label(r[at]) if len(r) > at else None for r in records)
    return [values[r] if r < len(values) else None for r in table.rows]


def _line_offset(path: Path, line: int) -> int:
    """The byte offset where 1-based ``line`` starts (read in blocks, newlines counted)."""
    seen = 1
    offset = 0
    with path.open("rb") as handle:
        while True:
            block = handle.read(1 << 22)
            if not block:
                return offset
            count = block.count(b"\n")
            if seen + count < line:
                seen += count
                offset += len(block)
                continue
            at = -1
            while seen < line:
                at = block.index(b"\n", at + 1)
                seen += 1
            return offset + at + 1


def _person(
    cells: Mapping[str, object],
    names: tuple[str | None, ...],
    emails: tuple[str, ...],
    phones: tuple[str, ...],
) -> Person:
    first, last = (_text(cells.get(n)) if n else "" for n in names)
    return Person(
        first_name=first or None,
        last_name=last or None,
        emails=[t for c in emails if (t := _text(cells.get(c)))],
        phones=[t for c in phones if (t := _text(cells.get(c)))],
    )


def lead(source: Source | None, table: inputs.Chunk, index: int, region: str) -> Lead | None:
    """
    Return the lead at ``index`` of ``table`` with its values as entered, or None.

    None when the source cannot be read again, or what is read is not that lead (its id,
    or the normal forms of its values, differ from the table's).
    """
    if source is None:
        return None
    position, lead_id = table.rows[index], table.ids[index]
    if source.kind == "leads":
        items: Sequence[Lead] = source.data  # type: ignore[assignment]  # see source_of
        found = items[position] if position < len(items) else None
    else:
        cells = _cells(source, position, table.lines[index])
        if cells is None:
            return None
        found = _build(cells, source.columns, table, index)
    if found is None or found.id != lead_id or not _agrees(found, table, index, region):
        return None
    return found


def _build(
    cells: Mapping[str, object], columns: Columns, table: inputs.Chunk, index: int
) -> Lead | None:
    try:
        customer = _person(
            cells, (columns.first_name, columns.last_name), columns.emails, columns.phones
        )
        co = _person(
            cells,
            (columns.co_first_name, columns.co_last_name),
            columns.co_emails,
            columns.co_phones,
        )
        return Lead(
            id=_text(cells.get(columns.id)),
            customer=customer,
            co_customer=None if co == Person() else co,
            source=table.source[index],
            lot=table.lot[index],
            created_at=instant(table.created[index]),
            last_activity_at=instant(table.last_activity[index]),
            **_extra(table, index),  # type: ignore[arg-type]  # lead fields by name
        )
    except InvalidInput:
        return None


def _extra(table: inputs.Chunk, index: int) -> dict[str, object]:
    """The lead and custom fields a match rule compares, as the table read them."""
    found: dict[str, object] = {}
    custom: dict[str, object] = {}
    for name, values in table.extra.items():
        value = values[index]
        if value is None or name == inputs.ALL_FIELDS:
            continue
        if name.startswith("fields."):
            custom[name[len("fields.") :]] = value
        else:
            found[name] = value
    if custom:
        found["fields"] = custom
    return found


def _agrees(found: Lead, table: inputs.Chunk, index: int, region: str) -> bool:
    """Whether the lead's normal forms are the ones the table holds for the row."""
    mine = normalize.person(found.customer, region=region)
    if (mine.first, mine.last, mine.emails, mine.phones) != (
        table.first[index],
        table.last[index],
        table.emails[index],
        table.phones[index],
    ):
        return False
    co = table.co.get(index)
    if found.co_customer is None:
        return co is None
    theirs = normalize.person(found.co_customer, region=region)
    forms = (theirs.first, theirs.last, theirs.emails, theirs.phones)
    return forms == co if co is not None else not any(forms)
