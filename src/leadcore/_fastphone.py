"""
Phone numbers to E.164, fast, with exactly the answers of :func:`leadcore._phone.to_e164`.

Batch deduplication normalises every number of a table (a million, say); calling
``phonenumbers.parse``, ``is_valid_number`` and ``format_number`` on each costs 20-30 us a
number. This module gives the same answers several times faster, by three exact steps:

1. **A pre-key.** When the raw text holds only ASCII digits, spaces, ``-``, ``.``, ``(``,
   ``)`` and at most one ``+`` written before every digit, with at least three digits and
   at most 250 characters, ``phonenumbers`` reads it exactly as it reads the *key*: the
   digits, with the ``+`` in front if there was one. (Its parser keeps only the digits of
   such text: no extension pattern can match without a letter, ``#``, ``,`` or ``;``;
   none of these characters starts an RFC 3966 or second-number suffix; the viability
   pattern accepts any arrangement of three or more digits with this punctuation; and
   leading and trailing punctuation is dropped before anything else looks at the text.)
   Answers are memoised per key within a batch, so the many spellings of one number cost
   one computation. The same holds for such text followed by `` ext `` and 1 to 20
   digits: ``phonenumbers`` strips that extension (the leftmost match of its extension
   pattern, which needs a letter, starts at the blank before ``ext``; the text before it
   is viable), and an extension changes neither validity nor the E.164 form.
2. **A direct parse of the NANPA shapes.** For the keys ``+1NXXXXXXXXX`` (any default
   region) and, with the default region ``US``, ``NXXXXXXXXX`` and ``1NXXXXXXXXX`` (``N``
   a digit from 2 to 9), ``phonenumbers`` finds country code 1 and the national number
   ``NXXXXXXXXX``: the ``+`` path takes the first one-digit country code; the national
   path finds no international prefix (``011``), and ``1`` followed by ten digits is too
   long for the US plan (10 digits), so its ``1`` is the country code; the US national
   prefix for parsing (``1``) cannot match a number that starts with 2-9. The module
   checks the metadata these facts rest on when it loads and leaves the direct parse off
   when any differs.
3. **A direct validity test.** ``is_valid_number`` looks for the region of a +1 number
   by trying the NANPA regions in order; the first is ``US``, which has no leading
   digits, so a number of a valid US type is valid (``phonenumbers`` picks ``US`` and
   then checks the same type again). A number is of a valid US type when the US general
   pattern and one of the type patterns the helper tries (premium rate ... voicemail,
   fixed line, and mobile when it differs from fixed line) match it in full; their
   possible lengths all admit 10 digits (checked when loading). Any other number (a
   Canadian or Caribbean one, or an invalid one) goes to ``phonenumbers.is_valid_number``
   itself.

4. **Validity by the metadata, for every country.** ``is_valid_number`` finds the
   number's region among its country code's regions (the only one; else the first, in
   ``phonenumbers``' order, whose ``leading_digits`` match the start of the national
   number or, without them, whose types accept it) and holds when the region's general
   description and one of the type descriptions the type helper tries accept the
   national number (a description accepts it when its possible lengths admit its
   length and its pattern matches it in full). :func:`valid` does exactly this with
   one pattern a country code and length, built from the metadata's (see
   :func:`_valid_pattern`) and compiled once, for the Canadian and Caribbean numbers
   the US test refuses too.
5. **International keys.** A key ``+CC...`` (or, when the default region's
   international prefix matches its start and no ``0`` follows it, the rest of the
   key) is read as ``phonenumbers`` reads it: the country code is the shortest prefix
   of 1 to 3 digits that is a known country code, the national number the rest. It
   is answered directly when nothing else can change it: the country is geographic,
   the national number has 2 to 17 digits and does not start with ``0`` (no Italian
   leading zero), and the national prefix for parsing of the country's main region
   does not match its start (so nothing is stripped). The E.164 form is then ``+``,
   the country code and the national number, when :func:`valid` holds.

6. **A column at once.** :func:`to_e164_many` joins a column's texts one a line,
   deletes the extensions and separators of all of them in a few passes over the one
   text, and finds the E.164 form of every NANPA key (steps 1 and 2) that step 4
   holds valid with one regular expression over it (``findall``, one match a line):
   step 4's pattern for ``+1`` and ten digits, embedded whole, which the metadata's
   patterns allow (:func:`_digits_only`: no line end, capture or anchor in them).
   Only the other texts are answered one by one.

Everything else goes to :func:`leadcore._phone.to_e164` (the reference). The tests
compare both on samples and on generated text (every country code, random national
numbers; ``tests/test_fastphone.py``), and the benchmark on every number of the
million-lead file.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, count
from typing import Final

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber

from leadcore import _phone

__all__ = ["FAST_PARSE", "fast_path", "to_e164", "to_e164_many", "valid"]

_SEPARATORS: Final = str.maketrans("", "", " -.()")
_MAX_INPUT: Final = 250  # phonenumbers._MAX_INPUT_STRING_LENGTH: longer text is refused
_TYPE_NAMES: Final = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
)


def _admits_ten(desc: object) -> bool:
    lengths = tuple(getattr(desc, "possible_length", ()) or ())
    return not lengths or 10 in lengths


def _pattern(desc: object) -> str | None:
    if desc is None:
        return None
    pattern = getattr(desc, "national_number_pattern", None)
    return pattern if isinstance(pattern, str) and pattern else None


def _compile_us() -> re.Pattern[str] | None:
    """Return a pattern of the 10-digit valid US numbers, or None if shortcuts are unsafe."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(1, ())
    us = PhoneMetadata.metadata_for_region("US", None)
    safe = (
        us is not None
        and regions[:1] == ("US",)
        and us.country_code == 1
        and us.leading_digits is None
        and us.international_prefix == "011"
        and us.national_prefix_for_parsing == "1"
        and not us.national_prefix_transform_rule
        and max(getattr(us.general_desc, "possible_length", None) or (99,)) == 10
    )
    if not safe or us is None:  # pragma: no cover  # metadata of another shape
        return None
    general = _pattern(us.general_desc)
    descs = [getattr(us, name) for name in _TYPE_NAMES]
    if not us.same_mobile_and_fixed_line_pattern:  # pragma: no cover  # depends on metadata
        descs.append(us.mobile)
    patterns = [p for d in descs if (p := _pattern(d)) is not None and _admits_ten(d)]
    if (
        general is None or not _admits_ten(us.general_desc) or not patterns
    ):  # pragma: no cover  # metadata of another shape
        return None
    # Full match of the general pattern (the lookahead) and of one type pattern.
    either = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?=(?:{general})\Z)(?:{either})")


_US: Final = _compile_us()

FAST_PARSE: Final = _US is not None
"""Whether the direct NANPA parse and validity test are on (they are for known metadata)."""


def _nanpa(national: str) -> str | None:
    """Return ``+1`` and ``national`` (ten digits, first 2-9) if valid, else None."""
    if _US is not None and _US.fullmatch(national):
        return "+1" + national
    return "+1" + national if valid(1, national) else None


# -- validity by the metadata (step 4) ------------------------------------------------------

_MIN_NSN: Final = 2  # phonenumbers' _MIN_LENGTH_FOR_NSN
_MAX_NSN: Final = 17  # phonenumbers' _MAX_LENGTH_FOR_NSN
_NON_GEO: Final = "001"


def _described(desc: object) -> bool:
    """Whether a description has the shape :func:`_desc` reads: a pattern and lengths."""
    return _pattern(desc) is not None and bool(getattr(desc, "possible_length", ()))


def _types(metadata: PhoneMetadata) -> list[object]:
    """The descriptions ``_number_type_helper`` tries that the region has, in its order."""
    names = [*_TYPE_NAMES]
    if not metadata.same_mobile_and_fixed_line_pattern:
        names.append("mobile")
    return [desc for name in names if (desc := getattr(metadata, name)) is not None]


def _readable(metadata: PhoneMetadata, code: int) -> bool:
    """
    Whether a region's metadata has the shape step 4 reads (every installed release's has).

    The country code ``code``, a general description and at least one type description,
    each with a pattern and possible lengths, and every pattern (leading digits too)
    :func:`_digits_only`. A country with a region of another shape, or without metadata,
    is not answered here: :func:`valid` and :func:`_international` leave it to
    ``phonenumbers`` itself, whose answers hold for any shape.
    """
    types = _types(metadata)
    return (
        metadata.country_code == code
        and _described(metadata.general_desc)
        and bool(types)
        and all(map(_described, types))
        and all(map(_digits_only, _patterns(_source(metadata))))
    )


_Desc = tuple[str, frozenset[int]]
_Source = tuple[str | None, _Desc, list[_Desc]]
"""A region's leading digits, general description and type descriptions, as text."""


def _text(desc: object) -> _Desc:
    """A :func:`_described` description's pattern and possible lengths."""
    return getattr(desc, "national_number_pattern", ""), frozenset(
        getattr(desc, "possible_length", ())
    )


def _source(metadata: PhoneMetadata) -> _Source:
    """What ``is_valid_number`` reads of a region: leading digits, descriptions."""
    return metadata.leading_digits, _text(metadata.general_desc), list(map(_text, _types(metadata)))


def _patterns(source: _Source) -> list[str]:
    leading, general, types = source
    return [*([] if leading is None else [leading]), general[0], *(p for p, _ in types)]


_DIGITS_ONLY: Final = re.compile(r"(?:[0-9()?:|{},*+\[\]-]|\\d)+")


def _digits_only(pattern: str) -> bool:
    r"""
    Whether a metadata pattern is of the shape :func:`_valid_pattern` embeds (all are).

    Digits, ``\d``, classes, quantifiers, alternatives and non-capturing groups only:
    no character it can match is a line end (every one it names is ``(`` or above),
    it captures nothing, and it has no anchor, lookaround, flag or back reference; so
    it means the same inside a larger pattern.
    """
    return _DIGITS_ONLY.fullmatch(pattern) is not None and pattern.count("(") == pattern.count(
        "(?:"
    )


_TEN: Final = r"[2-9]\d{9}"  # a general pattern alternative every NANPA-shaped number matches


def _typed_pattern(general: _Desc, types: list[_Desc], length: int, end: str) -> str | None:
    r"""
    A pattern of ``_number_type_helper`` giving a type (not UNKNOWN), for ``length`` digits.

    The general description and one of the type descriptions must accept the number: a
    description does when its possible lengths admit ``length`` and its pattern matches
    in full (``end`` follows the number). None when no number of that length has a type.
    With ``end`` a line end the number is known to be ten ASCII digits, the first 2-9
    (:func:`_column`): a general pattern with the alternative ``[2-9]\d{9}`` (and no
    group to hide it in) accepts it, so it is not tested.
    """
    patterns = [p for p, lengths in types if length in lengths]
    if length not in general[1] or not patterns:
        return None
    implied = end == "\\n" and "(" not in general[0] and _TEN in general[0].split("|")
    test = "" if implied else f"(?=(?:{general[0]}){end})"
    return test + "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")"


def _valid_pattern(sources: list[_Source], length: int, end: str, *, single: bool) -> str:
    r"""
    A pattern of ``is_valid_number`` for a country's national numbers of ``length`` digits.

    ``is_valid_number`` finds the region among the country's regions (``sources``, in
    ``phonenumbers``' order): the only one; else the first whose leading digits match
    the start of the number or, without them, that gives the number a type. A region
    with leading digits that match so decides alone; one without them accepts the
    number when it types it. The number is valid when, for some region, no earlier
    region's leading digits match, the region's own (if any) do, and it types the
    number: one alternative per region, each refusing the leading digits of those
    before it. ``end`` follows the number (``\Z``, or a line end in :func:`_column`).
    """
    alternatives: list[str] = []
    claimed: list[str] = []
    for leading, general, types in sources:
        typed = _typed_pattern(general, types, length, end)
        if typed is not None:
            before = f"(?!{'|'.join(claimed)})" if claimed else ""
            own = "" if leading is None or single else f"(?=(?:{leading}))"
            alternatives.append(before + own + typed)
        if leading is not None and not single:
            claimed.append(f"(?:{leading})")
    return "|".join(f"(?:{a})" for a in alternatives) or "(?!)"  # (?!): none is valid


class _Country:
    """A country code's regions as ``is_valid_number`` tries them, compiled once a length."""

    def __init__(self, code: int) -> None:
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ())
        found = [PhoneMetadata.metadata_for_region(r.upper(), None) for r in regions]
        readable = [m for m in found if m is not None and _readable(m, code)]
        # Answered here: a geographic code whose every region step 4 can read. Any other
        # (non-geographic, or metadata of another shape) takes the exact path.
        self.fast = bool(regions) and _NON_GEO not in regions and len(readable) == len(regions)
        self.single = len(regions) == 1
        self.source = [_source(metadata) for metadata in readable] if self.fast else []
        self.tests: dict[int, Callable[[str], object]] = {}
        self.strip: re.Pattern[str] | None = None
        if not self.fast:
            return
        prefix = readable[0].national_prefix_for_parsing
        self.strip = re.compile(prefix) if prefix else None

    def valid(self, nsn: str) -> bool:
        """Whether ``is_valid_number`` holds for the national number ``nsn``."""
        test = self.tests.get(len(nsn))
        if test is None:
            pattern = _valid_pattern(self.source, len(nsn), r"\Z", single=self.single)
            test = self.tests[len(nsn)] = re.compile(pattern).fullmatch
        return test(nsn) is not None


@functools.cache
def _country(code: int) -> _Country:
    return _Country(code)


def valid(code: int, nsn: str) -> bool:
    """
    Return ``phonenumbers.is_valid_number`` of the number ``+code`` ``nsn`` (step 4).

    ``nsn`` is the national significant number: ASCII digits, no leading zero.

    >>> valid(1, "6134957126"), valid(1, "4031111111"), valid(1, "5555555555")
    (True, False, False)
    >>> valid(44, "2079460018"), valid(33, "112624668")
    (True, True)
    """
    country = _country(code)
    if not country.fast:
        number = PhoneNumber(country_code=code, national_number=int(nsn))
        return bool(phonenumbers.is_valid_number(number))
    return country.valid(nsn)


# -- international keys (step 5) ------------------------------------------------------------


@functools.cache
def _idd(region: str) -> re.Pattern[str] | None:
    metadata = PhoneMetadata.metadata_for_region(region, None)
    prefix = None if metadata is None else metadata.international_prefix
    return re.compile(prefix) if prefix else None


def _international(found: str, region: str) -> tuple[int, str] | None:
    """The country code and national number ``phonenumbers`` reads in a key, when direct."""
    if found[0] == "+":
        digits = found[1:]
    else:
        idd = _idd(region)
        match = None if idd is None else idd.match(found)
        if match is None:
            return None
        digits = found[match.end() :]
        if not digits or digits[0] == "0":
            return None
    if len(digits) <= _MIN_NSN or digits[0] == "0":
        return None
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            nsn = digits[size:]
            break
    else:
        return None
    if not _MIN_NSN <= len(nsn) <= _MAX_NSN or nsn[0] == "0":
        return None
    country = _country(code)
    if not country.fast or (country.strip is not None and country.strip.match(nsn)):
        return None
    return code, nsn


def _strip(raw: str) -> str:
    """Delete the separators (``str.translate`` with ``_SEPARATORS``, but faster)."""
    return raw.replace(" ", "").replace("-", "").replace(".", "").replace("(", "").replace(")", "")


_EXTENSION: Final = re.compile(r"(.+?) ext [0-9]{1,20}", re.ASCII | re.DOTALL)


def key(raw: str) -> str | None:
    """Return the pre-key of ``raw`` (digits, ``+`` first if any), or None if it has none."""
    if len(raw) > _MAX_INPUT:
        return None
    stripped = _strip(raw)
    if "ext" in stripped:
        extension = _EXTENSION.fullmatch(raw)
        if extension is None:
            return None
        stripped = _strip(extension[1])
    digits = stripped[1:] if stripped[:1] == "+" else stripped
    if len(digits) >= 3 and digits.isdigit() and digits.isascii():
        return stripped
    return None


def _national(found: str, region: str) -> str | None:
    """Return the NANPA national number ``phonenumbers`` reads in a key, if one of ours."""
    size = len(found)
    if size == 12 and found[0] == "+" and found[1] == "1" and found[2] > "1":
        return found[2:]
    if region == "US":
        if size == 10 and found[0] > "1":
            return found
        if size == 11 and found[0] == "1" and found[1] > "1":
            return found[1:]
    return None


def _from_key(found: str, region: str) -> str | None:
    national = _national(found, region) if FAST_PARSE else None
    if national is not None:
        return _nanpa(national)
    read = _international(found, region) if FAST_PARSE else None
    if read is None:
        return _phone.to_e164(found, region)
    code, nsn = read
    return f"+{code}{nsn}" if valid(code, nsn) else None


def fast_path(raw: str, region: str) -> bool:
    """Whether ``raw`` is answered without calling the ``phonenumbers`` parser."""
    found = key(raw)
    return (
        FAST_PARSE
        and found is not None
        and (_national(found, region) is not None or _international(found, region) is not None)
    )


def to_e164(raw: str, region: str) -> str | None:
    """
    Return what :func:`leadcore._phone.to_e164` returns for ``raw`` and ``region``.

    ``region`` must be upper case and known to ``phonenumbers`` (callers validate it).

    >>> to_e164(" (415) 867-5309 ", "US"), to_e164("+1 415 867 5309", "FR")
    ('+14158675309', '+14158675309')
    >>> to_e164("555-555-5555", "US") is None
    True
    """
    found = key(raw)
    if found is None:
        return _phone.to_e164(raw, region)
    return _from_key(found, region)


def to_e164_many(raws: Iterable[str], region: str) -> list[str | None]:
    """
    Return :func:`to_e164` of each raw text, reading a column at once (step 6).

    The NANPA numbers (the bulk of a table) are read and checked by one regular
    expression over the whole column; the other texts are answered one by one,
    memoised by text and by pre-key.

    >>> to_e164_many(["415-867-5309", "(415) 867 5309", "+1 613 495 7126", "x"], "US")
    ['+14158675309', '+14158675309', '+16134957126', None]
    """
    items = raws if isinstance(raws, list) else list(raws)
    lines = _lines(region)
    # Per item: its E.164 form when the column answered it, else "" (answered below).
    out: list[str | None] = [""] * len(items) if lines is None else _column(items, region, lines)
    by_raw: dict[str, str | None] = {}
    by_key: dict[str, str | None] = {}
    for at in list(compress(count(), map(operator.not_, out))):
        raw = items[at]
        result = by_raw.get(raw, _MISSING)
        if result is _MISSING:
            found = key(raw)
            if found is None:
                result = _phone.to_e164(raw, region)
            elif found in by_key:
                result = by_key[found]
            else:
                result = by_key[found] = _from_key(found, region)
            by_raw[raw] = result
        out[at] = result  # type: ignore[call-overload]  # a str or None
    return out


# -- a column at once (step 6) --------------------------------------------------------------

_GUARD: Final = r"\+1(?=[2-9][0-9]{9}\n)"  # +1 and ten ASCII digits, the first 2-9, a line end
_EXT_TAIL: Final = re.compile(r" ext [0-9]{1,20}\n")
_TRUNK: Final = re.compile(r"\n\+11(?=[2-9][0-9]{9}\n)")
_SEPARATOR_BYTES: Final = b" -.()"
_BEYOND: Final = {  # a line of more than _MAX_INPUT characters, after the added +1 if any
    us: re.compile(("\\n\\+1" if us else "\\n") + f"[^\\n]{{{_MAX_INPUT + 1}}}")
    for us in (True, False)
}


@functools.cache
def _column_valid() -> str | None:
    """A pattern of :func:`valid` for ``+1`` and ten digits before a line end, or None."""
    country = _country(1)
    if not (FAST_PARSE and country.fast):  # metadata of another shape: no column
        return None
    return _valid_pattern(country.source, 10, "\\n", single=country.single)


@functools.cache
def _lines(region: str) -> re.Pattern[str] | None:
    """
    The pattern :func:`_column` reads a column's lines with, one match a line.

    Group 1 is the E.164 form of a valid NANPA key (``+1`` and ten digits; see
    :func:`_column` for the keys of region ``US``), empty on any other line.
    """
    valid = _column_valid()
    if valid is None:
        return None
    # Region US: every line starts with an added "+1" (see _column), once more if the key has it.
    again = r"(?:\+1)?" if region == "US" else ""
    return re.compile(rf"{again}({_GUARD}(?:{valid}))\n|[^\n]*\n")


def _column(items: list[str], region: str, lines: re.Pattern[str]) -> list[str | None]:
    r"""
    Each item's E.164 form when it is a NANPA key, else "".

    The texts, one a line, become one text: an item with a line end in it stays out (a
    blank line), and one longer than ``phonenumbers`` reads is not answered here; both
    are answered one by one. With region ``US`` each line starts with ``+1``. The
    extension (`` ext `` and 1 to 20 digits at the end of a line, as :func:`key` removes
    it) and the separators are deleted; with region ``US``, ``+11`` and ten digits (from
    the key ``1`` ``NXXXXXXXXX``) becomes ``+1`` and the ten digits. So a line is
    ``+1NXXXXXXXXX`` or ``+1+1NXXXXXXXXX`` exactly when its key is one :func:`_national`
    reads (the ten digits ASCII, the first 2-9), and ``lines`` finds on it the national
    number's E.164 form when :func:`valid` holds (:func:`_column_valid`).
    """
    if not items:
        return []
    found = _read(items, lines, us=region == "US")
    if len(found) != len(items):  # a text holds a line end: read again without it
        found = _read(["" if "\n" in raw else raw for raw in items], lines, us=region == "US")
    return found


def _read(items: list[str], lines: re.Pattern[str], *, us: bool) -> list[str | None]:
    """:func:`_column` of texts, one match a line (more than one an item with a line end)."""
    head = "\n+1" if us else "\n"
    text = head + head.join(items) + "\n"
    # A text longer than phonenumbers reads (rare) is answered by the reference, below.
    beyond = _BEYOND[us].search(text) is not None
    if " ext " in text:
        text = _EXT_TAIL.sub("\n", text)
    if text.isascii():  # bytes.translate deletes them in one pass
        text = text.encode("ascii").translate(None, _SEPARATOR_BYTES).decode("ascii")
    else:
        text = _strip(text)
    if us:
        text = _TRUNK.sub("\n+1", text)
    found: list[str | None] = lines.findall(text, 1)
    if beyond:
        for at, raw in enumerate(items):
            if len(raw) > _MAX_INPUT:
                found[at] = ""
    return found


_MISSING: Final = object()


def check(raws: Sequence[str], region: str) -> list[tuple[str, str | None, str | None]]:
    """Return every raw text whose fast answer differs from the reference (none, we claim)."""
    fast = to_e164_many(raws, region)
    return [
        (raw, got, want)
        for raw, got in zip(raws, fast, strict=True)
        if got != (want := _reference(raw, region))
    ]


def _reference(raw: str, region: str) -> str | None:
    """Answer with ``phonenumbers`` alone, bypassing every cache and shortcut."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
