"""
How results show themselves: one short text ``repr`` and one HTML table for notebooks.

Every result type a user sees (a dedupe result, a merge decision, a dispatch...) derives
from :class:`Shown` and describes itself once, as a :class:`View`: a title, a headline,
a few facts (the summary) and tables of which only the first rows are materialised. This
module renders that view two ways:

* :func:`text` (``repr``): the headline, the facts, and the first :data:`TEXT_ROWS` rows
  of each table with a count of the rest;
* :func:`html` (``_repr_html_``, which Jupyter shows): the summary table first, then the
  first :data:`HTML_ROWS` rows of each table, every value HTML-escaped.

Cells are cut to :data:`TEXT_CELL` / :data:`HTML_CELL` characters, so a view's size does
not depend on the size of the result: a million-row result displays in a few kilobytes.
Nothing here imports a rule family; families import this.
"""

from __future__ import annotations

import datetime as dt
import enum
import html as _html
from collections.abc import Iterable, Sequence
from typing import Any, Final

import attrs

__all__ = [
    "HTML_CELL",
    "HTML_ROWS",
    "TEXT_CELL",
    "TEXT_ROWS",
    "Shown",
    "Table",
    "View",
    "brief",
    "cell",
    "changes_table",
    "html",
    "reasons_table",
    "text",
    "verdict",
]

TEXT_ROWS: Final = 5
"""Rows of each table a ``repr`` shows."""

HTML_ROWS: Final = 10
"""Rows of each table the HTML view shows."""

TEXT_CELL: Final = 60
"""Longest cell a ``repr`` shows, in characters (longer ones are cut with an ellipsis)."""

HTML_CELL: Final = 120
"""Longest cell the HTML view shows."""


def _tuple(value: Iterable[object]) -> tuple[object, ...]:
    return tuple(value)


def _rows(value: Iterable[Sequence[object]]) -> tuple[tuple[object, ...], ...]:
    return tuple(tuple(row) for row in value)


@attrs.frozen
class Table:
    """
    A table of a result, of which only the first rows are given.

    Attributes:
        name: What the rows are (``pairs``, ``candidates``).
        columns: The column names.
        rows: The first rows (a view shows at most as many as it asks for).
        total: How many rows the result holds in all.

    """

    name: str
    columns: tuple[str, ...] = attrs.field(converter=_tuple)
    rows: tuple[tuple[object, ...], ...] = attrs.field(converter=_rows)
    total: int


def _facts(value: Iterable[tuple[str, object]]) -> tuple[tuple[str, object], ...]:
    return tuple(value)


def _tables(value: Iterable[Table]) -> tuple[Table, ...]:
    return tuple(value)


@attrs.frozen
class View:
    """
    What a result shows of itself: title, headline, summary facts, first rows of tables.

    Attributes:
        title: The result's type (``DedupeResult``).
        headline: One line saying what it is (``merge into 'L1'``).
        facts: The summary: (name, value) pairs, in order.
        tables: Its tables, each with its first rows only.

    """

    title: str
    headline: str
    facts: tuple[tuple[str, object], ...] = attrs.field(default=(), converter=_facts)
    tables: tuple[Table, ...] = attrs.field(default=(), converter=_tables)


def cell(value: object) -> str:
    """
    Return a value as a table cell shows it: text as is, lists joined by ``+``.

    >>> cell(("name", "email")), cell(None), cell(0.5), cell(True)
    ('name+email', '', '0.5', 'yes')
    >>> cell(dt.timedelta(hours=36)), cell(b"raw")
    ('1.5 days', "b'raw'")
    """
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return f"{value / dt.timedelta(days=1):.6g} days"
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value, key=str) if isinstance(value, frozenset | set) else value
        return "+".join(cell(v) for v in items)
    return repr(value)


def _cut(value: str, size: int) -> str:
    # One line per cell: a newline inside a value would break the table.
    flat = value.replace("\r", " ").replace("\n", " ")
    return flat if len(flat) <= size else flat[: size - 1] + "\u2026"


def _more(table: Table, shown: int) -> str:
    rest = table.total - shown
    return f"... {rest:,} more {table.name}" if rest > 0 else ""


def text(view: View, *, rows: int = TEXT_ROWS) -> str:
    """
    Return the short text form of a view: headline, facts, first rows of each table.

    >>> view = View("Example", "2 pairs", facts=[("leads", 3)],
    ...             tables=[Table("pairs", ["a", "b"], [("L1", "L2"), ("L1", "L3")], 2)])
    >>> print(text(view))
    <Example: 2 pairs>
      leads=3
      pairs (2):
        a   b
        L1  L2
        L1  L3
    """
    lines = [f"<{view.title}: {_cut(view.headline, 4 * TEXT_CELL)}>"]
    if view.facts:
        line = "  "
        for name, value in view.facts:
            item = f"{name}={_cut(cell(value), TEXT_CELL)}"
            if len(line) > 2 and len(line) + len(item) + 2 > 88:
                lines.append(line.rstrip(", "))
                line = "  "
            line += item + ", "
        lines.append(line.rstrip(", "))
    for table in view.tables:
        if not table.total:
            continue
        shown = [[_cut(cell(v), TEXT_CELL) for v in row] for row in table.rows[:rows]]
        lines.append(f"  {table.name} ({table.total:,}):")
        widths = [
            max(len(name), *(len(row[i]) for row in shown)) for i, name in enumerate(table.columns)
        ]
        lines.extend(
            "    " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            for row in [list(table.columns), *shown]
        )
        more = _more(table, len(shown))
        if more:
            lines.append(f"    {more}")
    return "\n".join(lines)


def _esc(value: object) -> str:
    return _html.escape(_cut(cell(value), HTML_CELL))


def html(view: View, *, rows: int = HTML_ROWS) -> str:
    """
    Return the HTML form of a view: summary table first, then the first rows of each table.

    Every value is HTML-escaped; the size does not grow with the result.

    >>> shown = html(View("Example", "<1 pair>", facts=[("leads", 2)]))
    >>> "<th>leads</th><td>2</td>" in shown, "&lt;1 pair&gt;" in shown
    (True, True)
    """
    parts = [
        '<div class="leadcore-result">',
        f"<p><strong>{_html.escape(view.title)}</strong>: {_esc(view.headline)}</p>",
    ]
    if view.facts:
        parts.append("<table><caption>summary</caption><tbody>")
        parts.extend(
            f"<tr><th>{_html.escape(name)}</th><td>{_esc(value)}</td></tr>"
            for name, value in view.facts
        )
        parts.append("</tbody></table>")
    for table in view.tables:
        if not table.total:
            continue
        shown = table.rows[:rows]
        label = (
            f"{table.name}: first {len(shown):,} of {table.total:,}"
            if len(shown) < table.total
            else f"{table.name} ({table.total:,})"
        )
        parts.append(f"<table><caption>{_html.escape(label)}</caption>")
        parts.append(
            "<thead><tr>"
            + "".join(f"<th>{_html.escape(c)}</th>" for c in table.columns)
            + "</tr></thead><tbody>"
        )
        parts.extend(
            "<tr>" + "".join(f"<td>{_esc(v)}</td>" for v in row) + "</tr>" for row in shown
        )
        parts.append("</tbody></table>")
    parts.append("</div>")
    return "".join(parts)


def reasons_table(reasons: Sequence[Any], rows: int) -> Table:
    """Return a table of reasons (objects with ``code`` and ``message``): code, message."""
    return Table(
        "reasons", ("code", "message"), [(r.code, r.message) for r in reasons[:rows]], len(reasons)
    )


def verdict(allowed: bool, reasons: Sequence[Any], yes: str) -> str:  # noqa: FBT001  # a flag shown
    """Return a headline: ``yes`` when allowed, else ``refused: code, code``."""
    if allowed:
        return yes
    return "refused: " + ", ".join(r.code for r in reasons)


def changes_table(changes: Sequence[Any], rows: int, name: str = "record") -> Table:
    """Return a table of change records (``lead``, ``field``, ``old``, ``new``)."""
    return Table(
        name,
        ("lead", "field", "old", "new"),
        [(c.lead, c.field, brief(c.old), brief(c.new)) for c in changes[:rows]],
        len(changes),
    )


def brief(value: object) -> object:
    """
    Return a value as a cell: an object with an ``id`` (a lead, a person...) by its id.

    >>> from leadcore.model import Lead, Person
    >>> brief(Lead(id="L1")), brief(Person()), brief((Person(), Person())), brief("L1")
    ('<Lead L1>', '<Person>', '<2 persons>', 'L1')
    """
    ident = getattr(value, "id", None)
    if isinstance(ident, str) and not isinstance(value, str):
        return f"<{type(value).__name__} {ident}>"
    if attrs.has(type(value)):
        return f"<{type(value).__name__}>"
    if isinstance(value, tuple) and value and attrs.has(type(value[0])):
        return f"<{len(value)} {type(value[0]).__name__.lower()}s>"
    return value


class Shown:
    """
    Mixin of result types: ``repr`` and ``_repr_html_`` drawn from one :class:`View`.

    A class using it is declared ``@attrs.frozen(..., repr=False)`` (so attrs leaves this
    ``__repr__`` in place) and defines ``_view(rows)``, building only ``rows`` rows of
    each table.
    """

    __slots__ = ()

    def _view(self, rows: int) -> View:
        raise NotImplementedError  # pragma: no cover  # every user defines it

    def __repr__(self) -> str:
        return text(self._view(TEXT_ROWS))

    def _repr_html_(self) -> str:
        """Return the result as HTML, for Jupyter: the summary, then the first rows."""
        return html(self._view(HTML_ROWS))
