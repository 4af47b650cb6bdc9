"""Builders shared by the example tests: short, readable leads and people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from leadcore.model import Lead, Person

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
"""The fixed "now" of the example tests (rule code never reads the clock)."""


def at(days_ago: float = 0, *, minutes: float = 0, now: dt.datetime = NOW) -> dt.datetime:
    """Return ``now`` minus some days and minutes."""
    return now - dt.timedelta(days=days_ago, minutes=minutes)


def person(
    first: str | None = None,
    last: str | None = None,
    *,
    phones: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
) -> Person:
    """Build a person."""
    return Person(first_name=first, last_name=last, phones=phones, emails=emails)


def lead(lead_id: str = "L1", **fields: Any) -> Lead:
    """Build a lead with only the fields a test cares about."""
    return Lead(id=lead_id, **fields)


def request(rule: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Build a protocol request for ``rule`` at :data:`NOW`."""
    return {"id": "t", "rule": rule, "now": NOW.isoformat(), "input": data, **extra}


class CountedText(str):
    """
    Text that counts how often it is compared for equality: operation counts for GEN-5.

    A rule that looks text up in a list compares it with every item (``n^2`` for ``n``
    items); one that uses a set or a dict compares almost never. Tests build inputs of
    these at ``n`` and ``2n`` and compare the counts, never the time taken.
    """

    __slots__ = ()
    compared = 0

    def __eq__(self, other: object) -> bool:
        CountedText.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def comparisons(run: Any) -> int:
    """Return how many comparisons of :class:`CountedText` ``run()`` makes."""
    CountedText.compared = 0
    run()
    return CountedText.compared
