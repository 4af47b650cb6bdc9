"""
Values quoted in leadcore's own messages, at most 80 characters of each (v1.2 of the rules).

Every reason and error message that shows a value goes through :func:`quote` (one value)
or :func:`quote_all` (a list of them), so that a message stays short whatever the input
holds: a 10,000-character id, a list of 100,000 agents, a 50 MB rule name. Limits apply
to input only, and a message built from valid input must never break them. Quoting is
bounded work: a long string is cut before it is shown, a large collection is shown by its
first items.

>>> quote("a1")
"'a1'"
>>> print(quote("x" * 10_000))
'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' (10,000 characters)
>>> quote_all(["a1", "a2"])
"'a1', 'a2'"
>>> quote_all([f"agent-{i}" for i in range(1_000)])
"'agent-0', 'agent-1', 'agent-2', 'agent-3', 'agent-4', 'agent-5', 'agent-6' and 993 more"
"""

from __future__ import annotations

import reprlib
from collections.abc import Collection
from typing import Final

LIMIT: Final = 80
"""The most characters of one value a message quotes (v1.2 of the rules)."""


def _bounded_repr() -> reprlib.Repr:
    # Python 3.11's Repr takes no keyword arguments: set the limits one by one.
    shown = reprlib.Repr()
    shown.maxlevel = 3
    shown.maxtuple = shown.maxlist = shown.maxarray = shown.maxset = 8
    shown.maxfrozenset = shown.maxdeque = 8
    shown.maxdict = 4
    shown.maxstring = shown.maxlong = shown.maxother = LIMIT
    return shown


_REPR: Final = _bounded_repr()


def cut(text: str) -> str:
    """Return ``text`` cut to :data:`LIMIT` characters (its end kept), for plain values."""
    return text if len(text) <= LIMIT else f"{text[: LIMIT - 5]}...{text[-2:]}"


def quote(value: object) -> str:
    """
    Return ``repr(value)`` showing at most :data:`LIMIT` characters of it.

    A longer string is cut and its length given; any other value is shown by a bounded
    ``repr`` (the first items of a collection), cut to the limit. Lone surrogates and
    control characters come out escaped, as ``repr`` writes them.
    """
    if isinstance(value, str):
        if len(value) <= LIMIT:
            return repr(value)
        shown = repr(value[: LIMIT - 5])
        return f"{shown[:-1]}...{shown[-1]} ({len(value):,} characters)"
    return cut(_REPR.repr(value))


def quote_all(values: Collection[object], *, separator: str = ", ", plain: bool = False) -> str:
    """
    Return the values joined for a message: as many as fit in :data:`LIMIT` characters.

    Each value is quoted (:func:`quote`), or with ``plain`` written as it is (cut to the
    limit). The first value is always shown; the rest are counted (``and 993 more``).
    """
    shown: list[str] = []
    used = 0
    for value in values:
        text = quote(value) if not plain else cut(str(value))
        if shown and used + len(separator) + len(text) > LIMIT:
            break
        shown.append(text)
        used += len(text) + (len(separator) if len(shown) > 1 else 0)
    left = len(values) - len(shown)
    joined = separator.join(shown)
    return f"{joined} and {left:,} more" if left else joined


def quote_key(key: str) -> str:
    r"""
    Return an object key as a path shows it (``policy.<key>``): short and writable.

    A key of at most :data:`LIMIT` characters is shown as it is; a longer one is cut, and
    its length given. Lone surrogates (text that is not Unicode, so cannot be written as
    UTF-8) are shown escaped, as ``\ud800``, so that a path naming them can be answered.

    >>> quote_key("merge_max_age_days")
    'merge_max_age_days'
    >>> print(quote_key("\ud800"))
    \ud800
    """
    if len(key) > LIMIT:
        key = f"{key[: LIMIT - 5]}... ({len(key):,} characters)"
    if not key.isascii():
        key = key.encode("utf-8", "backslashreplace").decode("utf-8")
    return key
