"""
Normalisation of names, emails and phone numbers (the rulebook's "Text", MRG-1).

Rules compare people through their normal forms, never through raw text:

* :func:`name` folds case, accents (of Latin, Greek and Cyrillic letters), punctuation
  and white space (``None`` when nothing is left);
* :func:`email` trims and lower-cases a usable address (``None`` when unusable: not an
  address, or a filler such as ``none@none.com``, see :func:`is_placeholder_email`);
* :func:`phone` gives the E.164 form of a number ``phonenumbers`` parses and finds valid
  with the default region (``None`` when unusable);
* :func:`is_placeholder` tells the names that mean "no name" (Unknown, Null...);
* :func:`person` bundles all of a :class:`~leadcore.model.Person`'s normal forms, computed
  once per person and region and cached on the person, so hot paths never normalise twice.

The normal forms are typed with :data:`E164Phone`, :data:`NormalizedEmail` and
:data:`FoldedName`, which only this module returns, so mypy can tell raw text from clean.

>>> name("  José  O'Brien-Smith ")
'jose obrien smith'
>>> email(" Ada@Example.COM ")
'ada@example.com'
>>> email("NA@NA.COM") is None
True
>>> phone("(415) 867-5309", region="US")
'+14158675309'
>>> phone("+44 20 7946 0018", region="US")
'+442079460018'
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Iterable
from typing import Final, NewType, Self

import attrs

from leadcore import _attrs as a
from leadcore import _fastphone, _fields, _text
from leadcore.errors import InvalidInput
from leadcore.model import Person

__all__ = [
    "DEFAULT_PLACEHOLDER_EMAIL_LOCALS",
    "DEFAULT_PLACEHOLDER_NAMES",
    "DEFAULT_REGION",
    "E164Phone",
    "FoldedName",
    "NormalizePolicy",
    "NormalizedEmail",
    "NormalizedPerson",
    "check_region",
    "email",
    "fold",
    "is_placeholder",
    "is_placeholder_email",
    "name",
    "person",
    "phone",
    "placeholder_email_set",
    "placeholder_set",
]


def __dir__() -> list[str]:
    return list(__all__)


E164Phone = NewType("E164Phone", str)
"""A phone number in E.164 form (``+14155550123``), as only :func:`phone` returns it."""

NormalizedEmail = NewType("NormalizedEmail", str)
"""A trimmed, lower-cased, usable email address, as only :func:`email` returns it
(or :func:`email` with ``placeholder_email_locals=()``, a filler kept)."""

FoldedName = NewType("FoldedName", str)
"""A name folded by :func:`fold` (may be empty)."""

DEFAULT_REGION: Final = "US"
"""Default region for numbers written without a country code (default policy)."""

DEFAULT_PLACEHOLDER_NAMES: Final = ("Unknown", "Name", "Empty", "Blank", "Null")
"""Names that mean "no name" (MRG-4)."""

DEFAULT_PLACEHOLDER_EMAIL_LOCALS: Final = (
    "none",
    "noemail",
    "nomail",
    "na",
    "null",
    "unknown",
    "noreply",
    "donotreply",
)
"""Local parts that make an email a filler, not an address (v1.2 of the rules "Placeholder
emails"): compared after reducing to letters and digits and case-folding."""


@attrs.frozen(kw_only=True)
class NormalizePolicy(a.Frozen):
    """
    Knobs of the normalisation rules (GEN-7).

    Attributes:
        default_region: Region for numbers written without a country code.
        placeholder_email_locals: Local parts that make an email a filler, unusable
            (v1.2 of the rules; see :func:`is_placeholder_email`).

    """

    default_region: str = attrs.field(metadata=a.check(_fields.region), default=DEFAULT_REGION)
    placeholder_email_locals: tuple[str, ...] = attrs.field(
        metadata=a.check(a.collection(a.text)),
        default=DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
        converter=a.str_tuple,
    )


@a.checked
def fold(text: str) -> FoldedName:
    """
    Fold ``text`` for comparing names: the rulebook's "Text" fold, possibly empty.

    NFKD; accents dropped from letters of the Latin, Greek and Cyrillic scripts only,
    marks of other scripts kept (v1.2 of the rules); casefold; apostrophes and full stops
    deleted; other punctuation and symbols become spaces; white space collapsed and
    trimmed.

    >>> fold("A.C.M.E. Straße")
    'acme strasse'
    >>> fold("Zoë Ёлкина"), fold("राम") == fold("रमा")
    ('zoe елкина', False)
    """
    return FoldedName(_text.fold(text))


@a.checked
def name(value: str) -> FoldedName | None:
    """
    Return the folded name, or None when nothing is left after folding.

    >>> name("Jean-Luc") == name("jean luc")
    True
    >>> name(" -- ") is None
    True
    """
    folded = _text.fold(value)
    return FoldedName(folded) if folded else None


_ASCII_NOISE: Final = {code: None for code in range(128) if not chr(code).isalnum()}
"""ASCII characters that are neither letters nor digits: deleted from a local part."""


def reduce_local(local: str) -> str:
    """
    Return an email's local part reduced to letters and digits, case-folded (v1.2 of the rules).

    The internal API for engines that judge fillers themselves (:mod:`leadcore.dedupe`);
    :func:`is_placeholder_email` is the public face.

    >>> reduce_local("No.Reply"), reduce_local("do_not-reply+shop")
    ('noreply', 'donotreplyshop')
    """
    if local.isascii():
        # Faster, and the same: ASCII letters and digits are what str.isalnum keeps, and
        # lower() is casefold() on ASCII.
        return local.translate(_ASCII_NOISE).lower()
    return "".join(c for c in local if c.isalnum()).casefold()


@functools.lru_cache(maxsize=256)
def _email_placeholders(locals_: tuple[str, ...]) -> frozenset[str]:
    return frozenset(reduce_local(item) for item in locals_)


@a.checked
def placeholder_email_set(locals_: Iterable[str]) -> frozenset[str]:
    """Return placeholder local parts reduced to letters and digits, case-folded (cached)."""
    return _email_placeholders(tuple(locals_))


@a.checked
def is_placeholder_email(
    value: str, placeholder_email_locals: Iterable[str] = DEFAULT_PLACEHOLDER_EMAIL_LOCALS
) -> bool:
    """
    Return whether ``value`` is a filler address (v1.2 of the rules "Placeholder emails").

    It is when its local part (the text before the last ``@``, trimmed), reduced to its
    letters and digits (``str.isalnum``) and case-folded, is one of
    ``placeholder_email_locals`` reduced the same way: ``none@none.com``,
    ``NA@NA.COM``, ``no-reply@shop.example`` are fillers; ``nora@x.io`` is not.

    >>> is_placeholder_email("No.Email@example.com"), is_placeholder_email("nora@x.io")
    (True, False)
    """
    local = value.strip().rpartition("@")[0]
    return reduce_local(local) in placeholder_email_set(placeholder_email_locals)


@a.checked
def email(
    value: str,
    *,
    placeholder_email_locals: Iterable[str] = DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
) -> NormalizedEmail | None:
    """
    Return the trimmed, lower-cased address, or None when it is not usable.

    Usable (the rulebook's "Text", v1.2): exactly one ``@`` with text on both sides, no white space
    inside, and not a filler (:func:`is_placeholder_email` with
    ``placeholder_email_locals``; pass ``()`` to keep fillers, as a manual merge does
    when it compares spellings).

    >>> email("no-at-sign.example.com") is None
    True
    >>> email("none@none.com") is None, email("none@none.com", placeholder_email_locals=())
    (True, 'none@none.com')
    """
    return _email(value, placeholder_email_set(placeholder_email_locals))


def _email(value: str, fillers: frozenset[str]) -> NormalizedEmail | None:
    cleaned = value.strip().lower()
    local, at, domain = cleaned.partition("@")
    if not at or not local or not domain or "@" in domain:
        return None
    if any(c.isspace() for c in cleaned):
        return None
    if fillers and reduce_local(local) in fillers:
        return None
    return NormalizedEmail(cleaned)


@a.checked
def check_region(region: str, *, path: str = "region") -> str:
    """
    Return ``region`` upper-cased if ``phonenumbers`` knows it; raise otherwise.

    Raises:
        InvalidInput: ``region`` is not a known region code.

    """
    # One check for every region in the library: policy fields use the same one.
    problems = _fields.region(path, region)
    if problems:
        raise InvalidInput(problems)
    return region.upper()


@a.checked
def phone(value: str, *, region: str = DEFAULT_REGION) -> E164Phone | None:
    """
    Return the E.164 form of ``value`` read with default ``region``, or None if unusable.

    Usable: ``phonenumbers`` parses it and ``is_valid_number`` holds (MRG-1).

    Raises:
        InvalidInput: ``region`` is not a region code phonenumbers knows.

    >>> phone("06 12 34 56 78", region="FR")
    '+33612345678'
    >>> phone("not a number") is None
    True
    """
    result = _fastphone.to_e164(value, check_region(region))
    return None if result is None else E164Phone(result)


@functools.lru_cache(maxsize=256)
def _placeholder_set(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(f for f in (_text.fold(n) for n in names) if f)


@a.checked
def placeholder_set(names: Iterable[str]) -> frozenset[str]:
    """Return the folded forms of placeholder ``names`` (cached per list)."""
    return _placeholder_set(tuple(names))


@a.checked
def is_placeholder(
    first_name: str | None,
    last_name: str | None,
    names: Iterable[str] = DEFAULT_PLACEHOLDER_NAMES,
) -> bool:
    """
    Return whether a name is a placeholder (MRG-4, "Text").

    A name is a placeholder when every non-empty part (first, last) folds to one of the
    placeholder ``names``, or the whole folded name is one. An empty name is not a
    placeholder (it is no name at all).

    >>> is_placeholder("UNKNOWN", None)
    True
    >>> is_placeholder("null", "Blank")
    True
    >>> is_placeholder("John", "Unknown")
    False
    """
    folded = placeholder_set(names)
    parts = [p for p in (_text.fold(first_name or ""), _text.fold(last_name or "")) if p]
    if not parts:
        return False
    return all(p in folded for p in parts) or " ".join(parts) in folded


@attrs.frozen(kw_only=True)
class NormalizedPerson(a.Frozen):
    """
    Every normal form of one person, for one default phone region.

    Attributes:
        first: Folded first name (may be empty).
        last: Folded last name (may be empty).
        full: Folded full name, first then last (may be empty).
        emails: Usable emails, normalised, in entry order without duplicates.
        phones: Usable phones in E.164, in entry order without duplicates.

    """

    first: FoldedName
    last: FoldedName
    full: FoldedName
    emails: tuple[NormalizedEmail, ...]
    phones: tuple[E164Phone, ...]
    email_set: frozenset[NormalizedEmail] = attrs.field(init=False, eq=False, repr=False)
    phone_set: frozenset[E164Phone] = attrs.field(init=False, eq=False, repr=False)

    @email_set.default
    def _email_set(self) -> frozenset[NormalizedEmail]:
        # Before the fields are checked: anything but a tuple is reported by the check.
        given: object = self.emails
        return a.to_frozenset(self.emails) if isinstance(given, tuple) else frozenset()

    @phone_set.default
    def _phone_set(self) -> frozenset[E164Phone]:
        given: object = self.phones
        return a.to_frozenset(self.phones) if isinstance(given, tuple) else frozenset()

    @property
    def has_full_name(self) -> bool:
        """Whether both first and last names are present after folding."""
        return bool(self.first) and bool(self.last)

    def is_placeholder(self, names: Iterable[str] = DEFAULT_PLACEHOLDER_NAMES) -> bool:
        """Whether the name is a placeholder (see :func:`is_placeholder`)."""
        folded = _placeholder_set(names if isinstance(names, tuple) else tuple(names))
        parts = [p for p in (self.first, self.last) if p]
        if not parts:
            return False
        return all(p in folded for p in parts) or " ".join(parts) in folded


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v is not None))


def _cache_key(region: str, placeholder_email_locals: Iterable[str]) -> object:
    # The default fillers (every rule's default policy) key by region alone.
    if placeholder_email_locals is DEFAULT_PLACEHOLDER_EMAIL_LOCALS:
        return region
    found = tuple(placeholder_email_locals)
    return region if found == DEFAULT_PLACEHOLDER_EMAIL_LOCALS else (region, found)


# Normal forms by person (by identity), region and email fillers, filled by person() on
# first use so that rules on hot paths never normalise the same person twice. Kept here
# rather than on the person: the cache is not part of a Person's value, so it must not
# show in its fields (attrs.asdict), its equality, its hash or its pickles. An entry goes
# when its person is garbage-collected (a weak reference's callback); the reference is
# checked on lookup, so a recycled id never finds another person's forms.
class _Entry(weakref.ref[Person]):
    """A weak reference to a person, holding its normal forms by cache key."""

    __slots__ = ("forms", "key")

    def __new__(cls, who: Person, key: int) -> Self:  # noqa: ARG004  # key: see __init__
        return super().__new__(cls, who, _forget)

    def __init__(self, who: Person, key: int) -> None:  # noqa: ARG002  # who: see __new__
        # No weakref.ref.__init__: __new__ sets the referent and callback, and its __init__
        # only checks that it is given one or two arguments.
        self.key = key
        self.forms: dict[object, NormalizedPerson] = {}


_CACHE: Final[dict[int, _Entry]] = {}


def _forget(gone: weakref.ref[Person]) -> None:
    key = getattr(gone, "key", None)
    # CPython runs this callback before the person's id can be reused, and leadcore never
    # empties the cache, so the entry found is this one; only mutation testing empties it
    # (tests/conftest.py), and then there is nothing to delete.
    if key is not None and _CACHE.get(key) is gone:  # pragma: no branch  # true unless emptied
        del _CACHE[key]


def _cached(who: Person) -> dict[object, NormalizedPerson]:
    key = id(who)
    entry = _CACHE.get(key)
    if entry is not None and entry() is who:
        return entry.forms
    entry = _CACHE[key] = _Entry(who, key)
    return entry.forms


def prime(
    who: Person,
    forms: NormalizedPerson,
    *,
    region: str,
    placeholder_email_locals: Iterable[str] = DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
) -> Person:
    """
    Record ``forms`` as the normal forms of ``who`` for ``region`` and return ``who``.

    The internal API for engines that compute normal forms themselves, from columns
    (:mod:`leadcore.dedupe`), and build a person of those forms: the rules then find them
    where :func:`person` would have put them. Not public: the caller guarantees that
    ``forms`` are what :func:`person` would compute for ``who`` with ``region`` and
    ``placeholder_email_locals``.
    """
    _cached(who)[_cache_key(region, placeholder_email_locals)] = forms
    return who


@a.checked
def person(
    who: Person,
    *,
    region: str = DEFAULT_REGION,
    placeholder_email_locals: Iterable[str] = DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
) -> NormalizedPerson:
    """
    Return the normal forms of ``who``, computed once per person, region and fillers.

    ``emails`` leaves out unusable addresses, fillers included
    (``placeholder_email_locals``, v1.2 of the rules).

    Raises:
        InvalidInput: ``region`` is not a region code phonenumbers knows.

    >>> p = person(Person(first_name="Zoë", last_name="Smith", emails=["Z@X.io", "z@x.io"]))
    >>> p.full, p.emails
    ('zoe smith', ('z@x.io',))
    >>> person(Person(emails=["none@none.com", "ada@x.io"])).emails
    ('ada@x.io',)
    """
    cache = _cached(who)
    key = _cache_key(region, placeholder_email_locals)
    found = cache.get(key)
    if found is not None:
        return found
    code = check_region(region)
    fillers = placeholder_email_set(placeholder_email_locals)
    first = _text.fold(who.first_name or "")
    last = _text.fold(who.last_name or "")
    result = NormalizedPerson(
        first=FoldedName(first),
        last=FoldedName(last),
        full=FoldedName(f"{first} {last}".strip()),
        emails=tuple(NormalizedEmail(e) for e in _unique(_email(e, fillers) for e in who.emails)),
        phones=tuple(
            E164Phone(p) for p in _unique(_fastphone.to_e164(p, code) for p in who.phones)
        ),
    )
    cache[key] = result
    return result
