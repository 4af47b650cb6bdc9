"""
Phone numbers to E.164, through ``phonenumbers`` (the only module that imports it).

A number is usable when ``phonenumbers.parse`` accepts it with the given default region
and ``is_valid_number`` holds (MRG-1); its normal form is the E.164 string. Results
are memoised: the same raw text and region always give the same answer, and CRM data
repeats numbers a lot.
"""

from __future__ import annotations

import functools
from typing import Final

import phonenumbers

__all__ = ["REGIONS", "to_e164"]

REGIONS: Final[frozenset[str]] = frozenset(phonenumbers.SUPPORTED_REGIONS)
"""Region codes (ISO 3166-1 alpha-2, upper case) that ``phonenumbers`` knows."""

_E164: Final = phonenumbers.PhoneNumberFormat.E164


@functools.lru_cache(maxsize=262_144)
def to_e164(raw: str, region: str) -> str | None:
    """
    Return the E.164 form of ``raw`` read with default ``region``, or None if unusable.

    ``region`` must be one of :data:`REGIONS`; callers validate it.
    """
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, _E164))
