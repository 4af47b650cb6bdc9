"""
Text folding for names and account names (SPEC "Text").

The fold is: Unicode NFKD, every mark (general category ``M*``) dropped, ``casefold``;
apostrophes and full stops deleted; every other punctuation (``P*``) or symbol (``S*``)
character becomes a space; white space collapsed and trimmed. Control and format
characters that are not white space (``Cc``, ``Cf``, such as a zero-width space) are
deleted. See ``docs/decisions.md`` for why marks of every kind are dropped.

The fold of one character never depends on its neighbours, so the result is cached per
distinct character; folding is then one ``str.translate`` and one ``split``.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Final

__all__ = ["fold"]

# Apostrophes in their common forms: ASCII, right and left single quotation marks,
# modifier letter apostrophe, fullwidth apostrophe (which NFKD maps to ASCII anyway).
_DELETED: Final = frozenset("'\u2019\u2018\u02bc.")


@functools.lru_cache(maxsize=65_536)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    kept = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    out: list[str] = []
    for c in kept.casefold():
        category = unicodedata.category(c)
        if c in _DELETED:
            continue
        if c.isspace() or category[0] in "PS":
            out.append(" ")
        elif category in {"Cc", "Cf"}:
            continue
        else:
            out.append(c)
    return "".join(out)


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that folds each code point on first sight."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(self) < 65_536:
            self[code] = folded
        return folded


_TABLE: Final = _FoldTable()


def fold(text: str) -> str:
    """
    Fold ``text`` for comparison of names: case, accents, punctuation, white space.

    >>> fold("  Jean-Luc  O'Brien ")
    'jean luc obrien'
    >>> fold("Straße A.C.M.E.")
    'strasse acme'
    """
    return " ".join(text.translate(_TABLE).split())
