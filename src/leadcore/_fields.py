"""
Field helpers shared by the rule families' frozen classes.

mypy's attrs plugin types ``__init__`` from a converter's signature only when the
converter is a named function, so the tuple converters of shared result types live here
once instead of in every family module.
"""

from __future__ import annotations

from collections.abc import Iterable

from leadcore import _attrs as a
from leadcore import _phone
from leadcore.decisions import CancelledEvent, Change, Reason
from leadcore.errors import Problem
from leadcore.model import Notification


def reason_tuple(value: Iterable[Reason]) -> tuple[Reason, ...]:
    """Turn reasons into a tuple (lenient, as every converter)."""
    return a.to_tuple(value)


def change_tuple(value: Iterable[Change]) -> tuple[Change, ...]:
    """Turn a change record into a tuple."""
    return a.to_tuple(value)


def notification_tuple(value: Iterable[Notification]) -> tuple[Notification, ...]:
    """Turn notifications into a tuple."""
    return a.to_tuple(value)


def cancelled_tuple(value: Iterable[CancelledEvent]) -> tuple[CancelledEvent, ...]:
    """Turn cancelled events into a tuple."""
    return a.to_tuple(value)


def upper(value: str) -> str:
    """Upper-case a string; anything else is left for the field's check to report."""
    raw: object = value
    return raw.upper() if isinstance(raw, str) else value


def region(path: str, value: object) -> list[Problem]:
    """Check a phone region code that ``phonenumbers`` knows (any case)."""
    if isinstance(value, str) and value.upper() in _phone.REGIONS:
        return []
    return [
        Problem(
            path=path,
            value=value,
            message="must be a region code phonenumbers knows, such as 'US' or 'FR'",
        )
    ]
