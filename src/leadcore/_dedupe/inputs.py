"""
Reading leads for batch deduplication: records to compact normalised columns.

Every input (CSV file, dataframe, mappings, :class:`~leadcore.model.Lead` objects) ends up
as a :class:`Prepared` table: one list per field, one entry per good row, holding only
what the matching rules look at, already normalised (folded names, normalised emails,
E.164 phones, instants in microseconds since the epoch, UTC). Bad rows are reported with
their position and left out; nothing stops the run but a configuration error (a mapped
column missing from the header, naive timestamps without a time zone).

Normalisation is exactly :func:`leadcore.normalize.person`'s: names through
:func:`leadcore._text.fold`, emails through :func:`leadcore.normalize.email` (fillers
such as ``none@none.com`` kept: a policy's fillers are left out when a table is searched,
:func:`without_fillers`), phones
through :func:`leadcore._fastphone.to_e164` (the same answers as ``phonenumbers``,
faster). Folding is memoised per chunk, since names repeat a lot.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import marshal
import pickle
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import accumulate, chain, compress, pairwise, repeat
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, NamedTuple, cast
from zoneinfo import ZoneInfo

from leadcore import _attrs, _fastphone, _text, normalize
from leadcore._dedupe import arrowcsv
from leadcore.errors import InvalidInput, Problem
from leadcore.model import Lead

EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ONE_US: Final = dt.timedelta(microseconds=1)

FIELDS: Final = (
    "id",
    "first_name",
    "last_name",
    "emails",
    "phones",
    "co_first_name",
    "co_last_name",
    "co_emails",
    "co_phones",
    "source",
    "lot",
    "created_at",
    "last_activity_at",
    "labels",
)
"""Logical fields of a lead row, in layout order."""

MULTI: Final = frozenset({"emails", "phones", "co_emails", "co_phones"})
"""Fields that may take several columns."""

LEAD_EXTRAS: Final = ("project", "status", "owner", "org", "pipeline", "channel")
"""Lead fields a rule may compare that are not fixed columns (kept from Lead inputs)."""

ALL_FIELDS: Final = "fields.*"
"""A column of a table read from Lead objects: every field is known (absent is blank)."""


class Layout(NamedTuple):
    """Where each logical field is in a record: a position, several, or none (-1)."""

    id: int
    first_name: int
    last_name: int
    emails: tuple[int, ...]
    phones: tuple[int, ...]
    co_first_name: int
    co_last_name: int
    co_emails: tuple[int, ...]
    co_phones: tuple[int, ...]
    source: int
    lot: int
    created_at: int
    last_activity_at: int
    labels: int
    """The ground-truth label column (for accuracy), or -1."""
    width: int
    """Number of fields a record must have (0: any)."""
    extra: tuple[tuple[str, int], ...] = ()
    """Lead fields and custom fields (``project``, ``fields.vin``) a rule compares, by
    position (-1: not in this source)."""


class BadRow(NamedTuple):
    """A row left out: its 0-based position, file line (or -1), field, value, message."""

    row: int
    line: int
    field: str
    value: object
    message: str


Co = tuple[str, str, tuple[str, ...], tuple[str, ...]]
"""A co-customer's normal forms: folded first and last name, emails, phones."""


class Chunk(NamedTuple):
    """Normalised columns of a run of records (plain lists, cheap to pickle)."""

    rows: list[int]
    """0-based position of each kept record in the input."""
    lines: list[int]
    """1-based line of each kept record in its file (-1 when not from a file)."""
    ids: list[str]
    first: list[str]
    last: list[str]
    emails: list[tuple[str, ...]]
    phones: list[tuple[str, ...]]
    co: dict[int, Co]
    """Co-customers with any normal form, by index in this chunk's lists."""
    source: list[str | None]
    lot: list[str | None]
    created: list[int | None]
    last_activity: list[int | None]
    labels: list[str | None]
    """Each row's ground-truth label (None when no label column or an empty cell)."""
    bad: list[BadRow]
    naive: BadRow | None
    records: int
    extra: Mapping[str, list[object]] = MappingProxyType({})
    """Raw values of the lead fields and custom fields a rule may compare, by name
    (``project``, ``fields.vin``): text from tables, JSON values from leads, None for
    nothing."""


class Settings(NamedTuple):
    """What preparing a chunk needs besides the records."""

    layout: Layout
    tz: str | None
    region: str


def layout(header: Sequence[str], columns: Sequence[tuple[str, tuple[str, ...]]]) -> Layout:
    """
    Return the positions of ``columns`` (logical field, column names) in ``header``.

    Raises:
        InvalidInput: A mapped column is not in the header, or names several columns
            for a field of one value (every problem is listed).

    """
    where: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        where.setdefault(name, []).append(index)
    problems: list[Problem] = []
    found: dict[str, int | tuple[int, ...]] = {}
    extra: list[tuple[str, int]] = []
    for field, names in columns:
        positions: list[int] = []
        for name in names:
            if name in where and (field in MULTI or len(where[name]) == 1):
                # A field of several values reads every column of that name (none lost).
                positions.extend(where[name])
            elif name in where:
                # [decided] docs/decisions.md: which of two same-named columns is the
                # customer's first name? Refused rather than guessed.
                listed = " and ".join(str(i + 1) for i in where[name])
                problems.append(
                    Problem(
                        f"columns.{field}",
                        name,
                        f"is the name of {len(where[name])} columns of the input (columns "
                        f"{listed}); rename one in the file, or map the field to another",
                    )
                )
            else:
                problems.append(
                    Problem(
                        f"columns.{field}",
                        name,
                        f"is not a column of the input (its columns: {', '.join(header)}); "
                        "map the field to another column, or to nothing",
                    )
                )
        if field not in FIELDS:
            extra.append((field, positions[0] if positions else -1))
            continue
        found[field] = tuple(positions) if field in MULTI else (positions[0] if positions else -1)
    if problems:
        raise InvalidInput(problems)
    return Layout(**found, width=len(header), extra=tuple(extra))  # type: ignore[arg-type]  # keys are FIELDS


class _Folder(dict[str, str]):
    """A memo of :func:`leadcore._text.fold` (names repeat: one fold per distinct text)."""

    def __missing__(self, key: str) -> str:
        folded = self[key] = _text.fold(key)
        return folded


class _Phones(dict[str, str | None]):
    """A memo of :func:`leadcore._fastphone.to_e164` for one region."""

    def __init__(self, region: str) -> None:
        super().__init__()
        self.region = region

    def __missing__(self, key: str) -> str | None:
        result = self[key] = _fastphone.to_e164(key, self.region)
        return result


def _text_value(value: object) -> str | None:
    """
    Return the text of a label: None when missing.

    Cells of mappings and dataframes are texts already (NaN: empty, see
    :func:`leadcore._dedupe.load`); a Lead's field is any finite JSON value.
    """
    if value is None or isinstance(value, str):
        return value
    return str(value)


def email(value: str) -> str | None:
    """
    Return :func:`leadcore.normalize.email` of ``value`` (fillers kept), a little faster.

    The same steps; "no white space inside" is tested with ``str.split``, which splits
    on exactly the characters ``str.isspace`` accepts (the tests compare both).
    """
    cleaned = value.strip().lower()
    local, at, domain = cleaned.partition("@")
    if not at or not local or not domain or "@" in domain:
        return None
    if len(cleaned.split()) != 1:
        return None
    return cleaned


def without_fillers(table: Chunk, locals_: Iterable[str]) -> Chunk:
    """
    Return ``table`` without the filler emails of ``locals_`` (v1.2 of the rules).

    A table holds every email usable by its form, so that one table serves policies
    with different ``placeholder_email_locals``; a policy's fillers are left out here,
    before blocking, exactly as :func:`leadcore.normalize.person` leaves them out. The
    addresses are judged in bulk (:func:`filler_emails`), repeated ones as often as they
    occur (cheaper than finding the distinct ones first). A co-customer left with no
    normal form is no co-customer (as when reading).
    """
    fillers = normalize.placeholder_email_set(locals_)
    if not fillers:
        return table
    seen = list(chain.from_iterable(table.emails))
    own = len(seen)
    for co in table.co.values():
        seen.extend(co[2])
    bad = filler_emails(seen, fillers)
    if not bad:
        return table
    # Only the rows holding a filler change: their addresses' places among the customers'
    # are found in C, and each is in the row whose addresses end past it.
    emails = list(table.emails)
    ends = list(accumulate(map(len, emails)))
    places = compress(range(own), map(bad.__contains__, seen))
    for row in dict.fromkeys(bisect_right(ends, at) for at in places):
        emails[row] = tuple(e for e in emails[row] if e not in bad)
    co_table: dict[int, Co] = {}
    for index, (first, last, found, phones) in table.co.items():
        kept = found if bad.isdisjoint(found) else tuple(e for e in found if e not in bad)
        if first or last or kept or phones:
            co_table[index] = (first, last, kept, phones)
    return table._replace(emails=emails, co=co_table)


_KEEP: Final = {
    code: None for code in range(128) if not chr(code).isalnum() and chr(code) not in "@\n"
}
"""ASCII characters deleted when reducing local parts in bulk (letters, digits, ``@``, and
the line end that separates addresses are kept)."""


FILLERS_BULK_AT: Final = 200_000
"""From how many addresses :func:`filler_emails` searches them with polars, when it is
installed: below it, importing polars costs more than it saves."""


def polars_or_none() -> Any | None:  # noqa: ANN401  # an optional module
    """polars, or None when it is not installed."""
    try:
        return importlib.import_module("polars")
    except ImportError:
        return None


def filler_emails(
    emails: Iterable[str], fillers: frozenset[str], *, bulk_at: int = FILLERS_BULK_AT
) -> set[str]:
    """
    Return the normalised ``emails`` whose local part reduces to one of ``fillers``.

    What ``normalize.reduce_local(e.partition("@")[0]) in fillers`` finds, in bulk. From
    ``bulk_at`` addresses, with polars installed, the ASCII ones are matched by one
    pattern in polars (:func:`_ascii_fillers_pattern`); otherwise they are joined one a
    line and reduced by one ``str.translate`` (a normalised address has one ``@`` and
    no white space, so a line is its reduced local part, ``@``, and its reduced
    domain), and a pattern finds the lines that start with a filler and ``@``. Other
    addresses go one by one.
    """
    if not fillers:
        return set()
    items = emails if isinstance(emails, list) else list(emails)
    if len(items) >= bulk_at:
        pl = polars_or_none()
        bulk = None if pl is None else _fillers_by_polars(pl, items, fillers)
        if bulk is not None:
            return bulk
    text = "\n".join(items)
    found: set[str] = set()
    ascii_ = items
    if not text.isascii():
        ascii_ = list(filter(str.isascii, items))
        found = _one_by_one(filter(_not_ascii, items), fillers)
        text = "\n".join(ascii_)
    if not ascii_:
        return found
    text = text.translate(_KEEP).lower()
    pattern = re.compile(
        "^(?:" + "|".join(re.escape(f) for f in sorted(fillers)) + ")@", re.MULTILINE
    )
    line = position = 0
    for match in pattern.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        found.add(ascii_[line])
    return found


def _one_by_one(emails: Iterable[str], fillers: frozenset[str]) -> set[str]:
    """The ``emails`` whose local part reduces to a filler, each reduced on its own."""
    reduce = normalize.reduce_local
    return {e for e in emails if reduce(e.partition("@")[0]) in fillers}


def _not_ascii(text: str) -> bool:
    return not text.isascii()


_NOISE: Final = "[^A-Za-z0-9@]*"
"""What :func:`leadcore.normalize.reduce_local` deletes from an ASCII local part: any
character but a letter or a digit (``@`` ends the local part)."""


def _ascii_fillers_pattern(fillers: frozenset[str]) -> str | None:
    """
    A pattern of the ASCII addresses whose local part reduces to one of ``fillers``.

    A filler's letters in order, either case, with any noise before, between and after
    them, then ``@``. Fillers are reduced (lower-case letters and digits): one that is
    not ASCII is no ASCII address's (None when none is left).
    """
    alternatives = [
        _NOISE.join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in filler)
        for filler in sorted(fillers)
        if filler.isascii()
    ]
    if not alternatives:
        return None
    return f"^{_NOISE}(?:{'|'.join(alternatives)}){_NOISE}@"


def _fillers_by_polars(pl: Any, items: list[str], fillers: frozenset[str]) -> set[str] | None:  # noqa: ANN401  # polars
    """
    :func:`filler_emails` of many addresses: the ASCII ones matched by polars.

    None when polars cannot hold them: an address with a lone surrogate (text a
    ``Lead`` or a mapping may carry, which is not Unicode) has no UTF-8 form.
    """
    try:
        column = pl.Series(items, dtype=pl.String)
    except UnicodeEncodeError:
        return None
    ascii_ = column.str.len_bytes() == column.str.len_chars()
    found = _one_by_one(column.filter(~ascii_).to_list(), fillers)
    pattern = _ascii_fillers_pattern(fillers)
    if pattern is not None:
        found.update(column.filter(ascii_ & column.str.contains(pattern)).to_list())
    return found


def emails_column(cells: Iterable[str]) -> list[tuple[str, ...]]:
    """
    Return :func:`email` of each cell as a tuple (empty when unusable), column-wise.

    Exactly one ``@`` with text on both sides: one ``@`` that is neither first nor last.
    """
    cleaned = [c.strip().lower() if c else "" for c in cells]
    return [
        (e,)
        if e and e.count("@") == 1 and e[0] != "@" and e[-1] != "@" and len(e.split()) == 1
        else ()
        for e in cleaned
    ]


_BAD: Final = object()


class _Instants:
    """Timestamp cells to microseconds since the epoch, in one time zone for naive ones."""

    def __init__(self, tz: dt.tzinfo | None) -> None:
        self.tz = tz
        # With a fixed offset, a naive reading becomes an instant by subtraction alone.
        self.fixed: int | None = None
        if isinstance(tz, dt.timezone):
            self.fixed = tz.utcoffset(None) // ONE_US

    def __call__(self, value: object) -> int | str | None:
        """
        Return the instant of a cell in microseconds, or None for an empty cell.

        A string result is a problem: ``"naive"`` for a naive time without a time zone,
        otherwise a message saying why the cell is not a date-time.
        """
        if value is None:
            return None
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if len(text) <= 10 or text[10] not in "Tt ":
                return "is not a date-time with a time (a date alone, or not ISO 8601)"
            try:
                parsed = dt.datetime.fromisoformat(text)
            except ValueError:
                return "is not an ISO 8601 date-time such as 2025-06-30 09:30:00"
        elif isinstance(value, dt.datetime):
            parsed = value
            if parsed != parsed:  # pandas' NaT  # noqa: PLR0124  # NaT differs from itself
                return None
        else:  # NaN never comes here: the readers make it None (leadcore._dedupe.load._cell)
            return f"must be a date-time, not {type(value).__name__}"
        return self.micros(parsed)

    def micros(self, parsed: dt.datetime) -> int | str:
        """Return the instant of a datetime (naive ones in the time zone), or ``"naive"``."""
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            if self.fixed is not None:
                return (parsed.replace(tzinfo=None) - _NAIVE_EPOCH) // ONE_US - self.fixed
            if self.tz is None:
                return "naive"
            parsed = parsed.replace(tzinfo=self.tz)
        return (parsed - EPOCH) // ONE_US

    def column(self, cells: list[object]) -> list[int | str | None]:
        """
        Return each cell's instant (see ``__call__``), column-wise when cells are plain.

        The fast path handles a column of ``YYYY-MM-DD?HH:MM:SS...`` texts and empty
        cells with one ``fromisoformat`` each; any other column goes cell by cell.
        """
        parse = dt.datetime.fromisoformat
        try:
            parsed = [
                None
                if not c
                else (parse(c) if type(c) is str and len(c) > 10 and c[10] in "Tt " else _BAD)
                for c in cells
            ]
        except (ValueError, TypeError):
            return [self(c) for c in cells]
        if any(p is _BAD for p in parsed):
            return [self(c) for c in cells]
        moments = cast("list[dt.datetime | None]", parsed)
        fixed = self.fixed
        if fixed is not None:
            return [
                None
                if d is None
                else ((d - _NAIVE_EPOCH) // ONE_US - fixed if d.tzinfo is None else self.micros(d))
                for d in moments
            ]
        return [None if d is None else self.micros(d) for d in moments]


_NAIVE_EPOCH: Final = dt.datetime(1970, 1, 1)  # noqa: DTZ001  # only to subtract naive times


def zone(name: str | None) -> dt.tzinfo | None:
    """
    Return the time zone called ``name`` (IANA name, or ``UTC``), or None.

    Raises:
        InvalidInput: ``name`` is not a time zone.

    """
    if name is None:
        return None
    if name.upper() in {"UTC", "Z"}:
        return dt.UTC
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError) as error:  # ZoneInfoNotFoundError is a KeyError
        raise InvalidInput.single(
            "tz", name, "is not a time zone; give an IANA name such as 'Europe/Paris'"
        ) from error


CHUNK_COLUMNS: Final = (
    "lines",
    "ids",
    "first",
    "last",
    "emails",
    "phones",
    "source",
    "lot",
    "created",
    "last_activity",
    "labels",
)
"""The per-row columns of a chunk, besides ``rows`` (positions) and ``co`` (sparse)."""


def _new_chunk() -> Chunk:
    return Chunk([], [], [], [], [], [], [], {}, [], [], [], [], [], [], None, 0)


def _screen(
    records: Sequence[Sequence[object]],
    lay: Layout,
    lines: Sequence[int] | None,
    longest: int | None,
    unreadable: Unreadable | None = None,
) -> tuple[list[int], list[BadRow]]:
    """
    Return the indexes of records readable, of the right width, not too long, with an id.

    ``longest`` is the longest record's length in characters when known (a CSV line):
    a record no longer than the limit cannot hold a value over it. ``unreadable`` are
    the records the reader could not read (their value shown, and why).
    """
    bad: list[BadRow] = []
    width, id_at, max_text = lay.width, lay.id, _attrs.MAX_TEXT
    drop: set[int] = set()
    for index, (shown, why) in (unreadable or {}).items():
        bad.append(BadRow(index, _line(lines, index), "", shown, why))
        drop.add(index)
    if width:
        for index in [i for i, r in enumerate(records) if len(r) != width and i not in drop]:
            size = len(records[index])
            message = (
                f"has {size} fields where the header has {width} (missing columns, or a "
                "comma inside an unquoted value)"
            )
            bad.append(BadRow(index, _line(lines, index), "", size, message))
            drop.add(index)
    if longest is None or longest > max_text:
        for index, record in enumerate(records):
            if index in drop:
                continue
            size = max((len(c) for c in record if isinstance(c, str)), default=0)
            if size > max_text:
                bad.append(
                    BadRow(
                        index,
                        _line(lines, index),
                        "",
                        f"<{size} characters>",
                        f"has a value over {max_text} characters",
                    )
                )
                drop.add(index)
    no_id = (
        [
            i
            for i, r in enumerate(records)
            if i not in drop and (not isinstance(v := r[id_at], str) or _text.is_blank(v))
        ]
        if drop
        else [
            i
            for i, r in enumerate(records)
            if not isinstance(v := r[id_at], str) or _text.is_blank(v)
        ]
    )
    for index in no_id:
        bad.append(
            BadRow(index, _line(lines, index), "id", records[index][id_at], "has no lead id")
        )
        drop.add(index)
    if not drop:
        return list(range(len(records))), bad
    return [i for i in range(len(records)) if i not in drop], bad


def _line(lines: Sequence[int] | None, index: int) -> int:
    return -1 if lines is None else lines[index]


def prepare(
    records: Sequence[Sequence[object]],
    settings: Settings,
    *,
    lines: Sequence[int] | None = None,
    longest: int | None = None,
    unreadable: Unreadable | None = None,
) -> Chunk:
    """
    Normalise ``records`` (sequences of cells laid out as ``settings.layout``).

    Text cells are strings (empty for nothing); timestamp cells may also be None or
    datetimes. Rows are numbered from 0 (:func:`concat` shifts them). The records are
    screened (:func:`_screen`), then the columns a rule reads are taken out and
    normalised by :func:`prepare_columns`. ``longest`` is the longest record in
    characters, if known; ``unreadable`` the records a CSV reader could not read (bad
    rows, each with why).
    """
    lay = settings.layout
    keep, bad = _screen(records, lay, lines, longest, unreadable)
    rows = records if len(keep) == len(records) else [records[i] for i in keep]
    columns = {at: [r[at] for r in rows] for at in layout_positions(lay)}
    return prepare_columns(
        columns,
        len(rows),
        settings,
        keep=keep,
        lines=None if lines is None else [lines[i] for i in keep],
        bad=bad,
        records=len(records),
    )


def layout_positions(lay: Layout) -> list[int]:
    """The positions a layout reads (each once, in order): the columns to take out."""
    found: set[int] = set()
    for value in cast("tuple[int | tuple[int, ...], ...]", lay[: Layout._fields.index("width")]):
        if isinstance(value, tuple):
            found.update(value)
        elif value >= 0:
            found.add(value)
    found.update(at for _, at in lay.extra if at >= 0)
    return sorted(found)


def prepare_columns(  # noqa: C901  # one column at a time
    columns: Mapping[int, Sequence[object]],
    count: int,
    settings: Settings,
    *,
    keep: list[int],
    lines: Sequence[int] | None,
    bad: list[BadRow],
    records: int,
    instants: Mapping[int, list[int | None]] | None = None,
) -> Chunk:
    """
    Normalise screened rows given as columns: ``columns[at]`` holds the cells at ``at``.

    Every row has a lead id and cells of the right kinds (see :func:`_screen`). ``keep``
    is each row's position among the ``records`` read, ``lines`` its file line (None:
    not from a file), ``bad`` the rows already left out, ``instants`` timestamp columns
    already read (by position, in microseconds). Work goes column by column
    (list comprehensions and ``map``), several times faster in CPython than a loop over
    rows with many appends.
    """
    lay = settings.layout
    reader = _Instants(zone(settings.tz))
    known = instants or {}

    def moments(at: int) -> list[int | str | None]:
        if at < 0:
            return []
        if at in known:
            return list(known[at])
        return reader.column(list(columns[at]))

    fold = _Folder()
    fold[""] = ""
    region = settings.region
    naive: BadRow | None = None
    created = moments(lay.created_at)
    activity = moments(lay.last_activity_at)
    failed: set[int] = set()
    for field, values, at in (
        ("created_at", created, lay.created_at),
        ("last_activity_at", activity, lay.last_activity_at),
    ):
        if any(type(v) is str for v in values):
            for position, got in enumerate(values):
                if type(got) is not str:
                    continue
                index = keep[position]
                failed.add(position)
                cell = columns[at][position]
                line = -1 if lines is None else lines[position]
                if got == "naive":
                    if naive is None:
                        naive = BadRow(index, line, field, cell, got)
                else:
                    bad.append(BadRow(index, line, field, cell, got))
    if failed:
        kept = [p for p in range(count) if p not in failed]
        keep = [keep[p] for p in kept]
        lines = None if lines is None else [lines[p] for p in kept]
        columns = {at: [column[p] for p in kept] for at, column in columns.items()}
        created = [created[p] for p in kept] if created else []
        activity = [activity[p] for p in kept] if activity else []
        count = len(kept)
    bad.sort()
    first_at, last_at = lay.first_name, lay.last_name
    out = Chunk(
        rows=keep,
        lines=[-1] * count if lines is None else list(lines),
        ids=list(columns[lay.id]),  # type: ignore[arg-type]  # checked by _screen
        first=list(map(fold.__getitem__, columns[first_at])) if first_at >= 0 else [""] * count,  # type: ignore[arg-type]  # text cells
        last=list(map(fold.__getitem__, columns[last_at])) if last_at >= 0 else [""] * count,  # type: ignore[arg-type]  # text cells
        emails=_emails(columns, lay.emails, count),
        phones=_phones(columns, lay.phones, region, count),
        co={},
        source=_interned(columns, lay.source, count),
        lot=_interned(columns, lay.lot, count),
        created=created or [None] * count,  # type: ignore[arg-type]  # problems removed
        last_activity=activity or [None] * count,  # type: ignore[arg-type]  # as above
        labels=list(map(_label, columns[lay.labels])) if lay.labels >= 0 else [None] * count,
        bad=bad,
        naive=naive,
        records=records,
        extra={name: _raw(columns, at) for name, at in lay.extra},
    )
    co_at = [
        i for i in (lay.co_first_name, lay.co_last_name, *lay.co_emails, *lay.co_phones) if i >= 0
    ]
    if co_at:
        co_cells = [columns[i] for i in co_at]
        having = list(
            compress(
                range(count),
                map(any, zip(*co_cells, strict=True)) if len(co_cells) > 1 else co_cells[0],
            )
        )
        some = {at: [columns[at][p] for p in having] for at in co_at}
        size = len(having)
        co_first = (
            list(map(fold.__getitem__, some[lay.co_first_name])) if lay.co_first_name >= 0 else None  # type: ignore[arg-type]  # text cells
        )
        co_last = (
            list(map(fold.__getitem__, some[lay.co_last_name])) if lay.co_last_name >= 0 else None  # type: ignore[arg-type]  # text cells
        )
        co_emails = _emails(some, lay.co_emails, size)
        co_phones = _phones(some, lay.co_phones, region, size)
        for k, position in enumerate(having):
            person = (
                "" if co_first is None else co_first[k],
                "" if co_last is None else co_last[k],
                co_emails[k],
                co_phones[k],
            )
            # A co-customer without any normal form behaves as no co-customer at all.
            if person[0] or person[1] or person[2] or person[3]:
                out.co[position] = person
    return out


class _Present(dict[str, str | None]):
    """A memo of cells to themselves, one object per value, blank ones to None."""

    def __missing__(self, key: str) -> str | None:
        found = self[key] = None if _text.is_blank(key) else key
        return found


def _label(value: object) -> str | None:
    """A ground-truth label: the cell's text, None when blank (rules v1.2: blank is absent)."""
    text = _text_value(value)
    return None if text is None or _text.is_blank(text) else text


def _raw(columns: Mapping[int, Sequence[object]], at: int) -> list[object]:
    """
    A column of raw cells for a rule's lead or custom field (blank text: None).

    Every such field is mapped to a column (:func:`layout` refuses a missing one).
    """
    seen: dict[str, str] = {}
    return [
        seen.setdefault(c, c) if isinstance(c, str) and not _text.is_blank(c) else None
        for c in columns[at]
    ]


def _interned(columns: Mapping[int, Sequence[object]], at: int, count: int) -> list[str | None]:
    """A column of few distinct values (sources, lots), one object per value; blank: None."""
    if at < 0:
        return [None] * count
    seen = _Present()
    return [seen[c] if c else None for c in columns[at]]  # type: ignore[index]  # text cells


def _emails(
    columns: Mapping[int, Sequence[object]], at: tuple[int, ...], count: int
) -> list[tuple[str, ...]]:
    if not at:
        return [()] * count
    if len(at) == 1:
        return emails_column(columns[at[0]])  # type: ignore[arg-type]  # text cells
    return [
        _unique([email(c) for c in cells if isinstance(c, str) and c])
        for cells in zip(*(columns[i] for i in at), strict=True)
    ]


def _phones(
    columns: Mapping[int, Sequence[object]], at: tuple[int, ...], region: str, count: int
) -> list[tuple[str, ...]]:
    if not at:
        return [()] * count
    if len(at) == 1:
        found = _fastphone.to_e164_many(columns[at[0]], region)  # type: ignore[arg-type]  # text cells (a list is read, not copied)
        return [() if p is None else (p,) for p in found]
    raws = [
        [c for c in cells if isinstance(c, str) and c]
        for cells in zip(*(columns[i] for i in at), strict=True)
    ]
    flat = _fastphone.to_e164_many([c for cells in raws for c in cells], region)
    out: list[tuple[str, ...]] = []
    position = 0
    for cells in raws:
        out.append(_unique(flat[position : position + len(cells)]))
        position += len(cells)
    return out


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v is not None))


# -- Lead objects ---------------------------------------------------------------------


def prepare_leads(leads: Iterable[Lead], region: str, label: str | None = None) -> Chunk:
    """
    Normalise :class:`Lead` objects (already valid: aware datetimes, tuples of contacts).

    ``label`` names the key of the leads' ``fields`` holding the ground-truth label.

    Raises:
        InvalidInput: An item is not a Lead.

    """
    fold = _Folder()
    phone = _Phones(region)
    out = _new_chunk()
    extra: dict[str, dict[int, object]] = {}
    row = -1
    for row, lead in enumerate(leads):
        if not isinstance(lead, Lead):
            raise InvalidInput.single(
                f"source[{row}]",
                lead,
                f"must be a Lead as source[0] is (a list of leads), not {type(lead).__name__}",
            )
        customer, co = lead.customer, lead.co_customer
        out.rows.append(row)
        out.lines.append(-1)
        out.ids.append(lead.id)
        out.first.append(fold[customer.first_name or ""])
        out.last.append(fold[customer.last_name or ""])
        out.emails.append(_unique(email(e) for e in customer.emails))
        out.phones.append(_unique(phone[p] for p in customer.phones))
        if co is not None:
            person = (
                fold[co.first_name or ""],
                fold[co.last_name or ""],
                _unique(email(e) for e in co.emails),
                _unique(phone[p] for p in co.phones),
            )
            if person[0] or person[1] or person[2] or person[3]:
                out.co[row] = person
        out.source.append(lead.source)
        out.lot.append(lead.lot)
        out.created.append(None if lead.created_at is None else (lead.created_at - EPOCH) // ONE_US)
        out.last_activity.append(
            None if lead.last_activity_at is None else (lead.last_activity_at - EPOCH) // ONE_US
        )
        out.labels.append(None if label is None else _label(lead.fields.get(label)))
        # The lead fields and custom fields a rule may compare, as the lead holds them.
        for name in LEAD_EXTRAS:
            value = getattr(lead, name)
            if value is not None:
                extra.setdefault(name, {})[row] = value if name != "channel" else value.value
        for name, value in lead.fields.items():
            extra.setdefault(f"fields.{name}", {})[row] = value
    size = row + 1
    for name in LEAD_EXTRAS:
        extra.setdefault(name, {})
    extra[ALL_FIELDS] = {}
    columns = {name: [found.get(i) for i in range(size)] for name, found in extra.items()}
    return out._replace(records=size, extra=columns)


# -- CSV files ------------------------------------------------------------------------

_BLOCK: Final = 1 << 24

_EOL: Final = re.compile(rb"\r\n?|\n")
"""A line end: CR LF, LF, or CR alone (old Mac exports), as the csv module reads them."""

_NOT_UTF8: Final = re.compile("[\udc80-\udcff]")
"""A byte that is not UTF-8, as ``surrogateescape`` decoding leaves it."""

_SHOWN: Final = 1_000
"""Longest unreadable line shown whole as a bad row's value."""


def csv_header(path: Path) -> tuple[list[str], int]:
    """
    Return the header's column names and the byte offset where the data starts.

    Raises:
        InvalidInput: The file cannot be read, its header is not UTF-8, or it has none.

    """
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 20)
    except OSError as error:
        raise InvalidInput.single("path", str(path), f"cannot be read: {error}") from error
    end = record_end(head)
    try:
        text = head[:end].decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput.single("path", str(path), "is not UTF-8 text (its header)") from error
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InvalidInput.single("path", str(path), "has no header row")
    return [cell.strip() for cell in rows[0]], end


RECORD_LIMIT: Final = 1 << 22
"""Bytes read to find one record again (a record is at most a few values of 10,000
characters: longer ones are bad rows)."""


def record_end(data: bytes) -> int:
    """Return the offset just past the first record of ``data`` (its length if one)."""
    quotes = 0
    position = 0
    while (found := _EOL.search(data, position)) is not None:
        quotes += data.count(b'"', position, found.start())
        if quotes % 2 == 0:
            return found.end()
        position = found.end()
    return len(data)


def _line_ends(data: bytes, start: int, end: int) -> int:
    """Count the line ends (CR LF, LF, CR) in ``data[start:end]``."""
    if b"\r" not in data:
        return data.count(b"\n", start, end)
    return (
        data.count(b"\n", start, end)
        + data.count(b"\r", start, end)
        - data.count(b"\r\n", start, end)
    )


def _boundary(block: bytes, position: int, parity: int) -> int | None:
    """
    Return the end of the first line end at or after ``position`` outside quotes, or None.

    ``parity`` counts the quotes before ``position``. A CR last in the block may be the
    first half of a CR LF: it is left for the next block.
    """
    while (found := _EOL.search(block, position)) is not None:
        parity += block.count(b'"', position, found.start())
        if found.end() == len(block) and block.endswith(b"\r"):
            return None
        if parity % 2 == 0:
            return found.end()
        position = found.end()
    return None


def csv_ranges(path: Path, start: int, parts: int) -> list[tuple[int, int, int]]:
    """
    Split the data of a CSV file into about ``parts`` byte ranges on record boundaries.

    A line end (CR LF, LF or a CR alone) ends a record when an even number of quote
    characters precede it (RFC 4180 quoting: a quoted field holds an even number of
    quotes, two for each quote inside). Returns ``(start, end, line)`` triples, ``line``
    being the 1-based line number of the range's first line. The file is read once, in
    blocks.
    """
    size = path.stat().st_size
    if size <= start:
        return []
    parts = max(1, min(parts, (size - start) // (1 << 16) + 1))
    targets = [start + (size - start) * k // parts for k in range(1, parts)]
    bounds: list[tuple[int, int]] = []
    offset = quotes = lines = 0  # counts over [0, offset)
    start_line = 0
    index = 0
    split_crlf = False  # the previous block ended with a CR
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            end = offset + len(block)
            # A LF after a CR that ended the previous block was counted with the CR.
            skip = 1 if split_crlf and block.startswith(b"\n") else 0
            if offset <= start < end:
                start_line = lines + _line_ends(block, skip, start - offset) + 1
            while index < len(targets) and targets[index] < end:
                relative = max(targets[index], start) - offset
                found = _boundary(block, relative, quotes + block.count(b'"', 0, relative))
                if found is None:
                    targets[index] = end  # the boundary lies in a later block
                    break
                bounds.append((offset + found, lines + _line_ends(block, skip, found) + 1))
                while index < len(targets) and targets[index] < offset + found:
                    index += 1
            quotes += block.count(b'"')
            lines += _line_ends(block, skip, len(block))
            split_crlf = block.endswith(b"\r")
            offset = end
    edges = [(start, start_line), *[b for b in bounds if start < b[0] < size], (size, 0)]
    return [(lo, hi, line) for (lo, line), (hi, _) in pairwise(edges) if hi > lo]


Unreadable = dict[int, tuple[object, str]]
"""Records that could not be read, by position: the value to show and why."""


def _shown(text: str) -> str:
    """A line as a bad row shows it: bytes that are not UTF-8 escaped, long text cut."""
    if _NOT_UTF8.search(text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if len(text) > _SHOWN:
        return f"{text[:80]}... <{len(text)} characters>"
    return text


def read_range(
    path: Path, start: int, end: int, line: int, width: int = 0
) -> tuple[list[list[str]], list[int], int | None, Unreadable]:
    """
    Return a byte range's records, their lines, the longest line's length, the unreadable.

    The length is known when every record is one line (else None). ``line`` is the
    1-based line number of the range's first line; lines end with CR LF, LF or CR.
    Blank lines are skipped. Every other line is in a record or reported as unreadable
    (the record at that position is then empty): a line that is not UTF-8, or one whose
    quoting is broken (see :func:`_read_quoted`). ``width`` is the header's number of
    fields (0: unknown).
    """
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    try:
        text = data.decode("utf-8")
        escaped = False
    except UnicodeDecodeError:
        # Read on: the rows holding bytes that are not UTF-8 are reported one by one.
        text = data.decode("utf-8", "surrogateescape")
        escaped = True
    del data
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    split = text.split("\n")
    if split and not split[-1]:
        split.pop()
    if '"' in text:
        del text
        records, lines, unreadable = _read_quoted(split, line, width)
        longest = None
    else:
        # Without quotes, RFC 4180 CSV is lines of fields split on commas: exactly what
        # the csv module reads, several times faster.
        del text
        longest = max(map(len, split), default=0)
        if all(split):
            records = [r.split(",") for r in split]
            lines = list(range(line, line + len(split)))
        else:
            kept = [(r, line + n) for n, r in enumerate(split) if r]
            records = [r.split(",") for r, _ in kept]
            lines = [n for _, n in kept]
            split = [r for r, _ in kept]
        unreadable = {}
    if escaped:
        for position, record in enumerate(records):
            if position not in unreadable and any(_NOT_UTF8.search(c) for c in record):
                shown = _shown(",".join(record) if longest is None else split[position])
                unreadable[position] = (shown, "is not UTF-8 text")
                records[position] = []
    return records, lines, longest, unreadable


def _read_quoted(
    split: list[str], first: int, width: int
) -> tuple[list[list[str]], list[int], Unreadable]:
    """
    Read lines holding quotes with the csv module, recovering from broken quoting.

    A record the csv module refuses (a quote left open to the end, text after a closing
    quote, a value past its field limit), or one that runs over several lines and has
    not ``width`` fields (a stray quote swallowed the next lines), is reported at its
    first line, and reading starts again at the next line: an unbalanced quote costs one
    row, never the rows after it.
    """
    feed = [s + "\n" for s in split]
    records: list[list[str]] = []
    lines: list[int] = []
    unreadable: Unreadable = {}
    position = 0
    while position < len(feed):
        rest = iter(feed)
        rest.__setstate__(position)  # type: ignore[attr-defined]  # list iterators have it
        reader = csv.reader(rest, strict=True)
        at = position  # the line the next record starts on
        restart: str | None = None
        try:
            for record in reader:
                done = position + reader.line_num
                if done - at > 1 and width and len(record) != width:
                    restart = (
                        f"has an unbalanced quote: its value runs over {done - at} lines "
                        f"into a record of {len(record)} fields where the header has {width}"
                    )
                    break
                if record:
                    records.append(record)
                    lines.append(first + at)
                at = done
        except csv.Error as error:
            restart = (
                f"has a value over {_attrs.MAX_TEXT} characters"
                if "field limit" in str(error)
                else f"has an unbalanced quote ({error})"
            )
        if restart is None:
            break
        unreadable[len(records)] = (_shown(split[at]), restart + "; the next line is read on")
        records.append([])
        lines.append(first + at)
        position = at + 1
    return records, lines, unreadable


def prepare_csv_range(path: str, start: int, end: int, line: int, settings: Settings) -> Chunk:
    """
    Read and normalise one byte range of a CSV file (a worker's task).

    A plain range is read column by column by pyarrow when it is installed (see
    :mod:`leadcore._dedupe.arrowcsv`); any other, or without pyarrow, record by record
    by :func:`read_range`, which reports every bad row.
    """
    lay = settings.layout
    wanted = layout_positions(lay)
    with Path(path).open("rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    known: dict[int, list[int | None]] = {}
    read = arrowcsv.columns(
        data,
        lay.width,
        wanted=wanted,
        repeating=_repeating(lay),
        stamps=_stamps_only(lay),
        utc=zone(settings.tz) is dt.UTC,
    )
    del data
    if read is None:
        return prepare_records_range(path, start, end, line, settings)
    columns, known, count = read
    ids = columns[lay.id]
    keep = list(range(count))
    bad: list[BadRow] = []
    lines: list[int] = list(range(line, line + count))
    if not all(map(str.strip, ids, repeat(_text.BLANK))):
        missing = [p for p, v in enumerate(ids) if _text.is_blank(v)]
        bad = [BadRow(p, line + p, "id", ids[p], "has no lead id") for p in missing]
        gone = set(missing)
        keep = [p for p in keep if p not in gone]
        lines = [line + p for p in keep]
        columns = {at: [column[p] for p in keep] for at, column in columns.items()}
        known = {at: [column[p] for p in keep] for at, column in known.items()}
    return prepare_columns(
        columns,
        len(keep),
        settings,
        keep=keep,
        lines=lines,
        bad=bad,
        records=count,
        instants=known,
    )


def _repeating(lay: Layout) -> set[int]:
    """The positions of columns of few distinct values: names, sources, lots, co cells."""
    found = {lay.first_name, lay.last_name, lay.co_first_name, lay.co_last_name}
    found.update((lay.source, lay.lot, *lay.co_emails, *lay.co_phones))
    return found - {-1}


def _stamps_only(lay: Layout) -> set[int]:
    """The positions read only as timestamps (by no other field)."""
    stamps = {lay.created_at, lay.last_activity_at} - {-1}
    others = lay._replace(created_at=-1, last_activity_at=-1)
    return stamps - set(layout_positions(others))


def prepare_records_range(path: str, start: int, end: int, line: int, settings: Settings) -> Chunk:
    """Read and normalise one byte range of a CSV file record by record (any range)."""
    records, lines, longest, unreadable = read_range(
        Path(path), start, end, line, settings.layout.width
    )
    return prepare(records, settings, lines=lines, longest=longest, unreadable=unreadable)


ProgressFn = Callable[[str, int, int], None]
"""A progress callback: stage name, units done, units in all."""


def concat(chunks: Sequence[Chunk]) -> Chunk:
    """
    Join chunks in order into one.

    Each chunk numbers its rows from 0; they are shifted by the records of the chunks
    before it. Co-customer indexes are shifted too; bad rows come out sorted.
    """
    if len(chunks) == 1:
        return chunks[0]
    out = _new_chunk()
    naive: BadRow | None = None
    records = 0
    extra: dict[str, list[object]] = {}
    for chunk in chunks:
        base = len(out.ids)
        out.rows.extend([r + records for r in chunk.rows])
        out.bad.extend([b._replace(row=b.row + records) for b in chunk.bad])
        for name in CHUNK_COLUMNS:
            getattr(out, name).extend(getattr(chunk, name))
        if chunk.co:
            out.co.update({base + k: v for k, v in chunk.co.items()})
        for name in chunk.extra.keys() | extra.keys():
            column = extra.setdefault(name, [None] * base)
            column.extend(chunk.extra.get(name) or [None] * len(chunk.ids))
        if naive is None and chunk.naive is not None:
            naive = chunk.naive._replace(row=chunk.naive.row + records)
        records += chunk.records
    out.bad.sort()
    return out._replace(naive=naive, records=records, extra=extra)


def chunk_bytes(chunk: Chunk) -> bytes:
    """
    A chunk as one buffer, to send it from a worker process (:func:`chunk_of` reads it).

    The columns go as one ``marshal`` buffer: plain lists of text, numbers and tuples,
    written and read in C without pickle's memo of every object, and a value repeated
    in a chunk (a first name) is written once and read back as one object. ``marshal``
    keeps exactly ``str``, ``int``, None and the lists, tuples and dicts of the chunk;
    a chunk holding any other value (a dataframe's own text or number type, such as
    ``numpy.str_``, which ``marshal`` would write as bytes) is pickled instead.
    """
    if not _marshal_exact(chunk):
        return b"p" + pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
    columns: Any = (
        *(getattr(chunk, name) for name in _PLAIN),
        [tuple(b) for b in chunk.bad],
        None if chunk.naive is None else tuple(chunk.naive),
        dict(chunk.extra),
    )
    return b"m" + marshal.dumps(columns, 4)


_PLAIN: Final = ("rows", *CHUNK_COLUMNS, "co", "records")
"""The fields of a chunk ``marshal`` writes as they are."""

_EXACT: Final = frozenset({str, int, type(None)})
"""The types of the cells ``marshal`` gives back as they were."""


def _marshal_exact(chunk: Chunk) -> bool:
    """
    Whether every value of a chunk is of a type ``marshal`` keeps.

    The columns holding a cell as it was read, or a name its fold gave back unchanged,
    are checked; the others hold what ``str`` methods and numbers made (emails, phones,
    instants, positions).
    """
    texts = (chunk.ids, chunk.first, chunk.last, chunk.source, chunk.lot, chunk.labels)
    cells = chain(
        *texts,
        *chunk.extra.values(),
        (b.value for b in chunk.bad),
        () if chunk.naive is None else (chunk.naive.value,),
        (name for co in chunk.co.values() for name in co[:2]),
    )
    return set(map(type, cells)) <= _EXACT


def chunk_of(data: bytes) -> Chunk:
    """The chunk :func:`chunk_bytes` wrote (``chunk_of(chunk_bytes(c)) == c``)."""
    if data[:1] == b"p":
        return cast("Chunk", pickle.loads(data[1:]))  # noqa: S301  # from our own worker
    *plain, bad, naive, extra = marshal.loads(memoryview(data)[1:])  # noqa: S302  # ours
    fields = dict(zip(_PLAIN, plain, strict=True))
    return Chunk(
        **fields,
        bad=[BadRow(*b) for b in bad],
        naive=None if naive is None else BadRow(*naive),
        extra=extra,
    )
