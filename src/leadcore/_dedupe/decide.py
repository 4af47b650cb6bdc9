"""
Deciding candidate pairs with :mod:`leadcore.merge` itself.

A directed pair (inbound row, existing row) is decided exactly as
:func:`leadcore.merge.auto` and :func:`leadcore.merge.duplicates` decide an inbound lead
against a list holding only the existing lead: the same functions are called, so the
batch answers are the merge rules' answers by construction.

Rows become :class:`~leadcore.model.Lead` objects on demand (once per row and worker).
Their people are built from the row's normal forms, and each person's normalisation
cache is filled with those normal forms, so that the merge rules do not normalise a
million phone numbers again through ``phonenumbers``: the normal forms are what
:func:`leadcore.normalize.person` computes from the raw values (the same fold, email
rule and phone answers), and normalising a normal form gives it back (tested).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final, NamedTuple

from leadcore import _attrs, merge, normalize
from leadcore._dedupe.inputs import EPOCH, Chunk, Co
from leadcore.model import Lead, Person
from leadcore.normalize import E164Phone, FoldedName, NormalizedEmail, NormalizedPerson

AUTO: Final = 1
"""Mode bit of auto-merge (MRG-1 to MRG-6)."""
DUPLICATES: Final = 2
"""Mode bit of possible duplicates (MRG-7)."""

# The engine builds its leads from normalised rows and checks its policy and now once:
# the rules are called without their argument checks, once a pair.
_auto: Final = _attrs.unchecked(merge.auto)
_duplicates: Final = _attrs.unchecked(merge.duplicates)


class Directed(NamedTuple):
    """What the merge rules decide for one inbound row against one existing row."""

    inbound: int
    existing: int
    action: str
    """``merge`` or ``route`` (auto-merge), or ``duplicate`` (MRG-7)."""
    via: str
    matched: tuple[str, ...]
    person: str
    reasons: tuple[str, ...]


class State(NamedTuple):
    """
    What deciding needs.

    The table (None when tasks carry their rows), the moment, the policy, and the counts
    of keys over the table (for items with ``max_leads``).
    """

    table: Chunk | None
    now: dt.datetime
    policy: merge.MergePolicy
    counts: merge.KeyCounts | None = None


Row = tuple[
    str,
    str,
    str,
    tuple[str, ...],
    tuple[str, ...],
    Co | None,
    str | None,
    str | None,
    int | None,
    int | None,
    tuple[tuple[str, object], ...],
]
"""One row's normal forms: id, first, last, emails, phones, co-customer, source, lot,
created and last activity instants, and the raw lead and custom fields a rule compares."""


def row(table: Chunk, index: int) -> Row:
    """The normal forms of one row of ``table``."""
    return (
        table.ids[index],
        table.first[index],
        table.last[index],
        table.emails[index],
        table.phones[index],
        table.co.get(index),
        table.source[index],
        table.lot[index],
        table.created[index],
        table.last_activity[index],
        tuple(
            (name, value)
            for name, column in table.extra.items()
            if (value := column[index]) is not None
        )
        if table.extra
        else (),
    )


def person(
    first: str,
    last: str,
    emails: tuple[str, ...],
    phones: tuple[str, ...],
    region: str,
    *,
    fillers: tuple[str, ...] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
) -> Person:
    """
    Return a person made of normal forms, its normalisation cache filled.

    The cache is filled for ``region`` and the email ``fillers`` (a policy's
    ``placeholder_email_locals``): a filler among ``emails`` is left out of the person,
    so that the cache holds what :func:`leadcore.normalize.person` would compute.
    """
    if emails and fillers:
        emails = tuple(
            e for e in emails if normalize.email(e, placeholder_email_locals=fillers) is not None
        )
    who = Person(first_name=first or None, last_name=last or None, emails=emails, phones=phones)
    forms = NormalizedPerson(
        first=FoldedName(first),
        last=FoldedName(last),
        full=FoldedName(f"{first} {last}".strip()),
        emails=tuple(NormalizedEmail(e) for e in emails),
        phones=tuple(E164Phone(p) for p in phones),
    )
    return normalize.prime(who, forms, region=region, placeholder_email_locals=fillers)


def instant(micros: int | None) -> dt.datetime | None:
    """Return the UTC datetime of a count of microseconds since the epoch."""
    return None if micros is None else EPOCH + dt.timedelta(microseconds=micros)


def lead(
    table: Chunk,
    index: int,
    region: str,
    fillers: tuple[str, ...] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
) -> Lead:
    """Return the :class:`Lead` of a row of ``table`` (normal forms, UTC instants)."""
    return lead_of(row(table, index), region, fillers)


def lead_of(
    data: Row, region: str, fillers: tuple[str, ...] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS
) -> Lead:
    """Return the :class:`Lead` of a row's normal forms (see :func:`person`)."""
    lead_id, first, last, emails, phones, co, source, lot, created, activity, extra = data
    more: dict[str, object] = {}
    if extra:
        custom: dict[str, object] = {}
        for name, value in extra:
            if name.startswith("fields."):
                if name != "fields.*":
                    custom[name[len("fields.") :]] = value
            else:
                more[name] = value
        if custom:
            more["fields"] = custom
    return Lead(
        id=lead_id,
        customer=person(first, last, emails, phones, region, fillers=fillers),
        co_customer=None if co is None else person(*co, region, fillers=fillers),
        source=source,
        lot=lot,
        created_at=instant(created),
        last_activity_at=instant(activity),
        **more,  # type: ignore[arg-type]  # lead fields by name
    )


class Decider:
    """Decides directed pairs of one table, building each row's Lead once."""

    def __init__(self, state: State, rows: dict[int, Row] | None = None) -> None:
        self.state = state
        self.rows = rows
        self.region = state.policy.default_region
        self.fillers = state.policy.placeholder_email_locals
        self._leads: dict[int, Lead] = {}

    def lead(self, index: int) -> Lead:
        """The Lead of a row (cached)."""
        found = self._leads.get(index)
        if found is None:
            if self.rows is not None:
                data = self.rows[index]
            elif self.state.table is not None:
                data = row(self.state.table, index)
            else:  # pragma: no cover  # callers pass one or the other
                raise LookupError(index)
            found = self._leads[index] = lead_of(data, self.region, self.fillers)
        return found

    def decide(self, inbound: int, existing: int, bits: int) -> list[Directed]:
        """Return what the merge rules decide for one pair, in the modes of ``bits``."""
        found: list[Directed] = []
        now, policy, counts = self.state.now, self.state.policy, self.state.counts
        one, other = self.lead(inbound), self.lead(existing)
        if bits & AUTO:
            verdict = _auto(one, [other], now=now, policy=policy, counts=counts)
            if verdict.action != "create":
                found.append(
                    Directed(
                        inbound,
                        existing,
                        verdict.action,
                        verdict.via or "",
                        verdict.matched,
                        verdict.person or "",
                        verdict.codes,
                    )
                )
        if bits & DUPLICATES:
            listed = _duplicates(one, [other], now=now, policy=policy, counts=counts).duplicates
            if listed:
                item = listed[0]
                found.append(
                    Directed(
                        inbound, existing, "duplicate", item.via, item.matched, item.person, ()
                    )
                )
        return found


Task = tuple[Sequence[tuple[int, int, int]], dict[int, Row] | None]
"""A batch of directed pairs (inbound, existing, mode bits), with their rows or None."""


def decide_batch(state: State, task: Task) -> list[Directed]:
    """
    Decide a batch of directed pairs (a worker's task).

    A task sent to a worker process carries its rows' normal forms, so the worker reads
    no page of the parent's table (reading would copy them: reference counts change).
    """
    pairs, rows = task
    decider = Decider(state, rows)
    found: list[Directed] = []
    for inbound, existing, bits in pairs:
        found.extend(decider.decide(inbound, existing, bits))
    return found
