"""
Values and keys of match items: what the engine compares and what blocking looks up.

An item compares the *values* of a field (normal forms, blanks removed). An exact-style
item (exact, domain, prefix, initial, blanks not matching) holds exactly when the two
sides have a *key* in common: the value itself, its email domain (free-mail domains
left out) or its first characters. A :class:`KeySpace` is one way of turning values into
keys; items that would give the same keys share one space, so an index or a batch
engine builds each space's buckets once.

These functions are the one definition of keys, called by the engine when it compares
(:mod:`~leadcore._merge.engine`), by :class:`~leadcore.merge.MergeIndex` and by the
engines over tables (:mod:`leadcore.dedupe`, and the Spark engine), from either a
:class:`~leadcore.model.Lead` or a table's normal forms:

* :meth:`KeySpace.person_keys` from a person's normal forms (folded first and last
  name, normalised emails, E.164 phones);
* :meth:`KeySpace.lead_keys` from a lead (lead and custom fields), or
  :meth:`KeySpace.value_keys` from a column's raw value.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Final

import attrs

from leadcore import _attrs, _fastphone, _text, normalize
from leadcore._merge.rules import MatchItem, is_keyable
from leadcore.model import Lead
from leadcore.normalize import NormalizedPerson

__all__ = [
    "Key",
    "KeySpace",
    "is_placeholder_name",
    "lead_value",
    "lead_values",
    "normalize_value",
    "person_values",
    "raw_texts",
    "raw_values",
    "show_key",
]

Key = str | tuple[str, str]
"""A key: a text, or a (first, last) folded name for the ``name`` field."""

_NO: Final[tuple[str, ...]] = ()
_person: Final = _attrs.unchecked(normalize.person)


def is_placeholder_name(first: str, last: str, folded: frozenset[str]) -> bool:
    """
    Whether a folded (first, last) name is a placeholder (the rulebook's "Text").

    Every non-empty part is one of the folded placeholder names, or the whole name is.
    """
    if first and last:
        return (first in folded and last in folded) or f"{first} {last}" in folded
    # One part: it is the whole name.
    return (first or last or None) in folded


def person_values(  # noqa: PLR0917  # a person's normal forms, as columns hold them
    field: str,
    first: str,
    last: str,
    emails: tuple[str, ...],
    phones: tuple[str, ...],
    blank: frozenset[str] | None,
) -> tuple[Key, ...]:
    """
    The values of a person field, from the person's normal forms, blanks removed.

    ``blank`` is the folded placeholder names when placeholders count as blank, None
    when they are compared like names.
    """
    if field == "email":
        return emails
    if field == "phone":
        return phones
    if field == "name":
        if not first or not last or (blank is not None and is_placeholder_name(first, last, blank)):
            return _NO
        return ((first, last),)
    if field == "first_name":
        return (first,) if first and (blank is None or first not in blank) else _NO
    if field == "last_name":
        return (last,) if last and (blank is None or last not in blank) else _NO
    full = f"{first} {last}".strip()
    if not full or (blank is not None and is_placeholder_name(first, last, blank)):
        return _NO
    return (full,)


def raw_texts(value: object) -> tuple[str, ...]:
    """
    The texts of a lead or custom field's raw value (a JSON value, or a column's cell).

    Text as it is; a number or a boolean as its JSON text (``94110``, ``true``); a list
    gives each of its scalar items; None, an object or nested lists give nothing.
    """
    if value is None:
        return _NO
    if isinstance(value, str):
        return (value,)
    if isinstance(value, bool | int | float):
        return (json.dumps(value),) if not isinstance(value, float) or value == value else _NO  # noqa: PLR0124  # NaN
    if isinstance(value, list | tuple):
        found: list[str] = []
        for item in value:
            if isinstance(item, str | bool | int | float):
                found.extend(raw_texts(item))
        return tuple(found)
    return _NO


_email: Final = _attrs.unchecked(normalize.email)


@functools.lru_cache(maxsize=262_144)
def normalize_value(
    text: str,
    normalizer: str,
    region: str,
    fillers: tuple[str, ...] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
) -> str | None:
    """
    The normal form of one text by ``normalizer``, None when blank or unusable.

    ``text``: folded (the rulebook's "Text"); ``email``: trimmed and lower-cased when
    usable, not a filler of ``fillers`` (a policy's ``placeholder_email_locals``);
    ``phone``: E.164 with ``region`` when usable; ``exact``: as written (blank text is no
    value). Memoised: values repeat.
    """
    if normalizer == "text":
        return _text.fold(text) or None
    if normalizer == "email":
        return _email(text, placeholder_email_locals=fillers)
    if normalizer == "phone":
        return _fastphone.to_e164(text, region)
    return None if _text.is_blank(text) else text


def raw_values(
    raw: object,
    normalizer: str,
    region: str,
    fillers: tuple[str, ...] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
) -> tuple[str, ...]:
    """The values of a lead or custom field's raw value, normalised, blanks removed."""
    texts = raw_texts(raw)
    if not texts:
        return _NO
    if len(texts) == 1:
        one = normalize_value(texts[0], normalizer, region, fillers)
        return _NO if one is None else (one,)
    found = (normalize_value(t, normalizer, region, fillers) for t in texts)
    return tuple(dict.fromkeys(v for v in found if v is not None))


def lead_value(lead: Lead, field: str, custom: str | None) -> object:
    """The raw value of a lead field (a channel as its text) or custom field of ``lead``."""
    if custom is not None:
        return lead.fields.get(custom)
    raw = getattr(lead, field)
    if field == "channel" and raw is not None:
        return raw.value
    return raw


def lead_values(  # noqa: PLR0917  # a field, how it reads, and the policy's settings
    lead: Lead,
    field: str,
    custom: str | None,
    normalizer: str,
    region: str,
    fillers: tuple[str, ...] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
) -> tuple[str, ...]:
    """The values of a lead or custom field of ``lead``, normalised, blanks removed."""
    return raw_values(lead_value(lead, field, custom), normalizer, region, fillers)


def show_key(key: Key) -> str:
    """A key as text: a name as ``first last``."""
    return key if isinstance(key, str) else f"{key[0]} {key[1]}"


@attrs.frozen(cache_hash=True)
class KeySpace:
    """
    One way of turning a field's values into keys (items giving the same keys share it).

    Attributes:
        field: The field (``email``, ``name``, ``fields.vin``...).
        method: ``exact``, ``domain``, ``prefix`` or ``initial``.
        length: The prefix length (``prefix``; 1 for ``initial``).
        free: Domains ``domain`` leaves out.
        placeholders: Whether placeholder names are blank (name fields).
        normalizer: The normaliser of a lead or custom field (``""`` for person fields).
        max_leads: Keys held by more leads than this are ignored (None: none is).
        fillers: The policy's email fillers (``placeholder_email_locals``), for a lead or
            custom field read as emails (person emails come normalised with them).

    """

    field: str
    method: str
    length: int
    free: frozenset[str]
    placeholders: bool
    normalizer: str
    max_leads: int | None
    fillers: tuple[str, ...] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS

    @classmethod
    def of(
        cls,
        item: MatchItem,
        fillers: tuple[str, ...] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
    ) -> KeySpace | None:
        """The space of an exact-style item, None for an item compared otherwise."""
        if not is_keyable(item):
            return None
        person = item.kind == "person"
        normalizer = "" if person else item.effective_normalizer
        return cls(
            field=item.field,
            method="prefix" if item.method == "initial" else item.method,
            length=1 if item.method == "initial" else (item.length or 0),
            free=frozenset(item.free_domains) if item.method == "domain" else frozenset(),
            placeholders=person and item.placeholders == "blank",
            normalizer=normalizer,
            max_leads=item.max_leads,
            fillers=fillers if normalizer == "email" else (),
        )

    @property
    def person(self) -> bool:
        """Whether the field is a person's (compared person to person)."""
        return self.normalizer == ""

    @property
    def custom(self) -> str | None:
        """The custom field's name, None for other fields."""
        return self.field[7:] if self.field.startswith("fields.") else None

    @property
    def label(self) -> str:
        """
        A short name, for reports.

        The field for plain exact keys (``email``, ``phone``, ``name``), with the method
        and options otherwise.
        """
        found = self.field
        if self.method == "prefix":
            found += f" prefix {self.length}"
        elif self.method == "domain":
            found += " domain"
        if (
            self.person
            and not self.placeholders
            and self.field in ("name", "first_name", "last_name", "full_name")
        ):
            found += " (placeholders kept)"
        if self.normalizer not in ("", "text"):
            found += f" ({self.normalizer})"
        if self.max_leads is not None:
            found += f" (at most {self.max_leads} leads)"
        return found

    def transform(self, values: Iterable[Key]) -> tuple[Key, ...]:
        """Turn values into keys (no duplicates)."""
        method = self.method
        if method == "exact":
            found = tuple(values)
            # One value needs no deduplication.
            return found if len(found) < 2 else tuple(dict.fromkeys(found))  # one value
        if method == "prefix":
            size = self.length
            return tuple(dict.fromkeys(v[:size] for v in values if isinstance(v, str)))
        free = self.free
        # Domain items compare emails (MatchItem checks it): every value is a text.
        domains = (v.rpartition("@")[2] for v in values if isinstance(v, str))
        return tuple(dict.fromkeys(d for d in domains if d and d not in free))

    def person_keys(
        self,
        first: str,
        last: str,
        emails: tuple[str, ...],
        phones: tuple[str, ...],
        folded_placeholders: frozenset[str],
    ) -> tuple[Key, ...]:
        """The keys of a person, from its normal forms (a person field's space)."""
        blank = folded_placeholders if self.placeholders else None
        return self.transform(person_values(self.field, first, last, emails, phones, blank))

    def of_person(
        self, who: NormalizedPerson, folded_placeholders: frozenset[str]
    ) -> tuple[Key, ...]:
        """The keys of a normalised person (a person field's space)."""
        return self.person_keys(who.first, who.last, who.emails, who.phones, folded_placeholders)

    def value_keys(self, raw: object, region: str) -> tuple[Key, ...]:
        """The keys of a lead or custom field's raw value (a JSON value or a cell)."""
        return self.transform(raw_values(raw, self.normalizer, region, self.fillers))

    def lead_keys(self, lead: Lead, region: str) -> tuple[Key, ...]:
        """The keys of a lead (a lead or custom field's space)."""
        custom = self.custom
        return self.transform(
            lead_values(lead, self.field, custom, self.normalizer, region, self.fillers)
        )

    def held_by(
        self,
        lead: Lead,
        region: str,
        folded_placeholders: frozenset[str],
        email_fillers: tuple[str, ...] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
    ) -> tuple[Key, ...]:
        """Every key a lead holds: of either person (person fields), or of the lead."""
        if not self.person:
            return self.lead_keys(lead, region)
        found = self.of_person(
            _person(lead.customer, region=region, placeholder_email_locals=email_fillers),
            folded_placeholders,
        )
        if lead.co_customer is None:
            return found
        other = self.of_person(
            _person(lead.co_customer, region=region, placeholder_email_locals=email_fillers),
            folded_placeholders,
        )
        return found + tuple(k for k in other if k not in found)
