r"""
The name fold and blank text (the rulebook's "Text", v1.2 "Folding" and "Blank text"; MRG-1, REL-2).

The fold's Script table is checked against Unicode's Scripts.txt (through the ``regex``
module's ``\\p{Script=...}``) for every code point Python knows, and its fast path against
its exact path for every code point, alone and after letters of several scripts.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
import regex

from leadcore import _text, normalize

SCRIPTS = regex.compile(r"[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]")
ALL = [c for c in map(chr, range(sys.maxunicode + 1)) if not 0xD800 <= ord(c) <= 0xDFFF]
CODE_POINTS = [c for c in ALL if unicodedata.category(c) not in {"Cn", "Co"}]
"""Every assigned code point but surrogates and private use (which fold as themselves)."""


def _ranges() -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    start = None
    for code in range(sys.maxunicode + 2):
        inside = code <= sys.maxunicode and SCRIPTS.match(chr(code)) is not None
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            found.append((start, code - 1))
            start = None
    return found


def exact(text: str) -> str:
    """The fold by the exact, character-by-character path only."""
    return " ".join(_text._fold_decomposed(_text._decompose(text)).split())


class TestScripts:
    """v1.2 of the rules Folding: which letters are Latin, Greek or Cyrillic."""

    def test_the_table_is_unicodes_script_property(self) -> None:
        """The table agrees with Unicode's Script property on every assigned code point."""
        wrong = [
            f"U+{ord(c):04X}"
            for c in CODE_POINTS
            if _text.is_latin_greek_cyrillic(c) != (SCRIPTS.match(c) is not None)
        ]

        fresh = ", ".join(f"(0x{a:04X}, 0x{b:04X})" for a, b in _ranges())
        assert not wrong, f"regenerate _text._LGC_RANGES: ({fresh})"

    @pytest.mark.parametrize(
        ("char", "expected"),
        [
            *[(c, True) for c in ("A", "ß", "Ω", "ж", "ᲀ", "ﬀ")],
            *[(c, False) for c in ("र", "か", "א", "ب", "5", " ")],
        ],
    )
    def test_examples(self, char: str, expected: bool) -> None:
        """Latin, Greek, Cyrillic letters (and ligatures) are in; other scripts are not."""
        assert _text.is_latin_greek_cyrillic(char) is expected


class TestFold:
    """The rulebook's "Text" (folding): accents of Latin, Greek and Cyrillic letters only."""

    @pytest.mark.parametrize(
        ("raw", "folded"),
        [
            ("José Müller-Lüdenscheidt", "jose muller ludenscheidt"),
            ("Jose\u0301", "jose"),  # the accent typed on its own
            ("ŁÓDŹ Ørsted", "łodz ørsted"),  # letters of their own (not decomposable) stay
            ("Ἀθηνᾶ ΐ", "αθηνα \u03b9"),
            ("Ёлка Йод Ї", "елка иод \u0456"),
            ("Ǆ ǲ ﬁ", "dz dz fi"),
            ("O\u00b4Brien", "o brien"),  # a spacing acute accent is a symbol: a space
            ("\u0301\u0302Ada", "ada"),  # marks on nothing are dropped
        ],
    )
    def test_latin_greek_and_cyrillic_accents_are_dropped(self, raw: str, folded: str) -> None:
        """Rules v1.2: accents are dropped from letters of the Latin, Greek, Cyrillic scripts."""
        assert normalize.fold(raw) == folded

    @pytest.mark.parametrize(
        ("one", "two"),
        [
            ("राम", "रमा"),  # Devanagari vowel sign AA on another consonant
            ("कि", "क"),  # Devanagari vowel sign I
            ("か", "が"),  # Japanese dakuten
            ("カ", "ガ"),
            ("שָׁלוֹם", "שלום"),  # Hebrew points
            ("مُحَمَّد", "محمد"),  # Arabic harakat
            ("กิ", "ก"),  # Thai vowel sign
        ],
    )
    def test_marks_of_other_scripts_are_kept(self, one: str, two: str) -> None:
        """Rules v1.2: marks of other scripts are part of the letter: the names differ."""
        assert normalize.fold(one) != normalize.fold(two)
        assert normalize.fold(one) == normalize.fold(f" {one} ")

    def test_a_kept_mark_is_written_decomposed_either_way(self) -> None:
        """A precomposed letter of another script and its decomposed spelling fold alike."""
        assert normalize.fold("\u0929") == normalize.fold("\u0928\u093c")  # ऩ
        assert normalize.fold("が") == normalize.fold("か\u3099")

    def test_fast_path_equals_exact_path_on_every_code_point(self) -> None:
        """The cached per-character fold gives the exact fold, alone and after letters."""
        marks = [c for c in CODE_POINTS if unicodedata.category(_text._decompose(c)[0])[0] == "M"]
        wrong = [
            f"{prefix!r}+U+{ord(c):04X}"
            for prefix, chars in (("", CODE_POINTS), ("र", CODE_POINTS), ("a", marks))
            for c in chars
            if normalize.fold(prefix + c) != exact(prefix + c)
        ]

        assert not wrong[:20]

    def test_latin_greek_cyrillic_text_folds_as_before_v1_2(self) -> None:
        """Every code point of those scripts folds with all its marks dropped, as before."""
        changed = [
            f"U+{ord(c):04X}"
            for c in CODE_POINTS
            if _text.is_latin_greek_cyrillic(c) and normalize.fold(c) != every_mark_dropped(c)
        ]

        assert changed == []


def every_mark_dropped(text: str) -> str:
    """The fold before v1.2 of the rules: every mark dropped, whatever its letter's script."""
    kept = "".join(
        c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c)[0] != "M"
    )
    out = []
    for c in kept.casefold():
        category = unicodedata.category(c)
        if c in "'\u2019\u2018\u02bc.":
            continue
        if c.isspace() or category[0] in "PS":
            out.append(" ")
        elif category not in {"Cc", "Cf"}:
            out.append(c)
    return " ".join("".join(out).split())


class TestBlank:
    """v1.2 of the rules "Blank text": empty, white space, control characters."""

    def test_blank_is_white_space_and_control_characters(self) -> None:
        """The characters of blank text are exactly str.isspace's and category Cc."""
        expected = {c for c in ALL if c.isspace() or unicodedata.category(c) == "Cc"}

        assert set(_text.BLANK) == expected

    @pytest.mark.parametrize("text", ["", " ", "\t\n", "\x00", "\x1f\x7f\x85\x9f", "\u3000\u2028"])
    def test_blank(self, text: str) -> None:
        """C0, DEL, C1 and every white space are blank; so is the empty string."""
        assert _text.is_blank(text)

    @pytest.mark.parametrize("text", ["a", " . ", "\u200b", "\ufeff", "-"])
    def test_not_blank(self, text: str) -> None:
        """Format characters (zero-width space, BOM) and punctuation are not blank."""
        assert not _text.is_blank(text)
