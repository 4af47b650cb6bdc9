"""
Text folding for names and account names, and blank text (the rulebook's "Text", v1.2).

The fold (the rulebook's "Text" with the v1.2 clarification on accents), on the whole text:

1. NFKD;
2. each mark (general category ``M*``) is dropped, unless it belongs to a letter of a
   script other than Latin, Greek and Cyrillic: a mark is kept when the nearest
   non-mark character before it is a letter (``L*``) whose Unicode ``Script`` is none of
   those three (Devanagari "राम" and "रमा" stay different names, as do Japanese "か" and
   "が"); a mark on a Latin, Greek or Cyrillic letter, on a non-letter or on nothing is
   dropped (an accent, or a stray mark such as the one NFKD makes of an acute
   accent typed on its own, U+00B4);
3. ``casefold``; apostrophes and full stops are deleted; white space, punctuation
   (``P*``) and symbols (``S*``) become spaces; other control and format characters
   (``Cc``, ``Cf``, such as a zero-width space) are deleted; everything else is kept;
4. white space is collapsed and trimmed.

Blank text (:func:`is_blank`): empty, or only white space (``str.isspace``) and control
characters (``Cc``: C0, DEL and C1); v1.2 of the rules counts it as absent everywhere.

Speed: a character whose decomposition starts with a letter or any other non-mark folds
the same wherever it stands, so each is folded once and cached, and the fold of a text
made of them is one ``str.translate`` and one ``split``. Only a text holding a
free-standing mark (a combining accent typed on its own, a Devanagari vowel sign), whose
fold depends on the character before it, takes the character-by-character path. Both
paths give the same answer (checked over every code point and by property tests).
"""

from __future__ import annotations

import bisect
import functools
import unicodedata
from typing import Final

__all__ = ["BLANK", "fold", "is_blank", "is_latin_greek_cyrillic"]

# Apostrophes in their common forms: ASCII, right and left single quotation marks,
# modifier letter apostrophe, fullwidth apostrophe (which NFKD maps to ASCII anyway).
_DELETED: Final = frozenset("'\u2019\u2018\u02bc.")

BLANK: Final = "".join(
    c for c in map(chr, range(0x3000 + 1)) if c.isspace() or unicodedata.category(c) == "Cc"
)
"""Every character blank text is made of: white space and control characters (``Cc``)."""

# Code point ranges of the Latin, Greek and Cyrillic scripts (Unicode Script property,
# Scripts.txt), generated with the `regex` module's \p{Script=...}; tests/test_text.py
# checks the table against it for every code point Python's unicodedata knows, and
# prints a fresh table when Unicode moves.
_LGC_RANGES: Final = (
    (0x0041, 0x005A), (0x0061, 0x007A), (0x00AA, 0x00AA), (0x00BA, 0x00BA), (0x00C0, 0x00D6),
    (0x00D8, 0x00F6), (0x00F8, 0x02B8), (0x02E0, 0x02E4), (0x0370, 0x0373), (0x0375, 0x0377),
    (0x037A, 0x037D), (0x037F, 0x037F), (0x0384, 0x0384), (0x0386, 0x0386), (0x0388, 0x038A),
    (0x038C, 0x038C), (0x038E, 0x03A1), (0x03A3, 0x03E1), (0x03F0, 0x0484), (0x0487, 0x052F),
    (0x1C80, 0x1C8A), (0x1D00, 0x1DBF), (0x1E00, 0x1F15), (0x1F18, 0x1F1D), (0x1F20, 0x1F45),
    (0x1F48, 0x1F4D), (0x1F50, 0x1F57), (0x1F59, 0x1F59), (0x1F5B, 0x1F5B), (0x1F5D, 0x1F5D),
    (0x1F5F, 0x1F7D), (0x1F80, 0x1FB4), (0x1FB6, 0x1FC4), (0x1FC6, 0x1FD3), (0x1FD6, 0x1FDB),
    (0x1FDD, 0x1FEF), (0x1FF2, 0x1FF4), (0x1FF6, 0x1FFE), (0x2071, 0x2071), (0x207F, 0x207F),
    (0x2090, 0x209F), (0x2126, 0x2126), (0x212A, 0x212B), (0x2132, 0x2132), (0x214E, 0x214E),
    (0x2160, 0x2188), (0x2C60, 0x2C7F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F), (0xA722, 0xA787),
    (0xA78B, 0xA7DD), (0xA7E2, 0xA7E2), (0xA7F1, 0xA7FF), (0xAB30, 0xAB5A), (0xAB5C, 0xAB69),
    (0xAB6C, 0xAB6D), (0xFB00, 0xFB06), (0xFE2E, 0xFE2F), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A),
    (0x10140, 0x1018E), (0x101A0, 0x101A0), (0x10780, 0x10785), (0x10787, 0x107B0),
    (0x107B2, 0x107BF), (0x1D200, 0x1D245), (0x1DF00, 0x1DF81), (0x1DF90, 0x1DF96),
    (0x1DFCD, 0x1DFFF), (0x1E030, 0x1E06D), (0x1E08F, 0x1E08F),
)  # fmt: skip
_STARTS: Final = tuple(start for start, _ in _LGC_RANGES)


def is_latin_greek_cyrillic(char: str) -> bool:
    """
    Whether ``char`` is of the Latin, Greek or Cyrillic script (Unicode ``Script``).

    >>> is_latin_greek_cyrillic("é"), is_latin_greek_cyrillic("Ж"), is_latin_greek_cyrillic("र")
    (True, True, False)
    """
    code = ord(char)
    at = bisect.bisect_right(_STARTS, code) - 1
    return at >= 0 and code <= _LGC_RANGES[at][1]


def _decompose(text: str) -> str:
    return unicodedata.normalize("NFKD", text)


def _clean(text: str) -> str:
    """Step 3 of the fold for text whose marks are settled."""
    out: list[str] = []
    for char in text.casefold():
        if char in _DELETED:
            continue
        category = unicodedata.category(char)
        if char.isspace() or category[0] in "PS":
            out.append(" ")
        elif category not in {"Cc", "Cf"}:
            out.append(char)
    return "".join(out)


def _fold_decomposed(decomposed: str) -> str:
    """Steps 2 and 3 of the fold (white space not yet collapsed)."""
    kept: list[str] = []
    keep_marks = False
    category = unicodedata.category
    for char in decomposed:
        kind = category(char)
        if kind[0] == "M":
            if keep_marks:
                kept.append(char)
            continue
        keep_marks = kind[0] == "L" and not is_latin_greek_cyrillic(char)
        kept.append(char)
    return _clean("".join(kept))


_CONTEXT: Final = "\x00"
"""What the table maps a free-standing mark to: its fold depends on its neighbour. The
fold deletes U+0000 itself (a control character), so this never comes from elsewhere."""


@functools.lru_cache(maxsize=65_536)
def _fold_char(char: str) -> str:
    decomposed = _decompose(char)
    if unicodedata.category(decomposed[0])[0] == "M":
        return _CONTEXT
    return _fold_decomposed(decomposed)


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
    >>> fold("Zoë Ἀθηνᾶ Ёлка")
    'zoe αθηνα елка'
    >>> fold("राम") == fold("रमा")
    False
    """
    folded = text.translate(_TABLE)
    if _CONTEXT in folded:
        folded = _fold_decomposed(_decompose(text))
    return " ".join(folded.split())


def is_blank(text: str) -> bool:
    r"""
    Whether ``text`` is blank: empty, or only white space and control characters.

    v1.2 of the rules: blank text counts as absent, everywhere.

    >>> is_blank(""), is_blank(" \t\u00a0\u3000"), is_blank("\x00\x85"), is_blank(" a ")
    (True, True, True, False)
    """
    return not text.strip(BLANK)
