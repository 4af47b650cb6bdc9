"""
Deciding candidate pairs by the merge rules, on the rows' normal forms.

A directed pair (inbound row, existing row) is decided exactly as
:func:`leadcore.merge.auto` and :func:`leadcore.merge.duplicates` decide an inbound lead
against a list holding only the existing lead. Both come down to one compiled rule per
mode (:func:`leadcore._merge.engine.compile_spec`), matched by
:func:`leadcore._merge.engine.match_people`, and a few tests of dates and sources (MRG-2,
MRG-3, MRG-7). :class:`Decider` runs the same compiled rules on a record of each row
instead of building and validating a :class:`~leadcore.model.Lead` per row and the
result objects of the public functions per pair (the rows are normal forms already):
for rules of people (:func:`of_people`), tuples of the row's normal forms
(:class:`Forms`, matched by :class:`~leadcore._dedupe.match.RowMatcher`); for other
rules, a lean record (:class:`Lean`: its people's normal forms, its source, its
instants in microseconds, its lead fields when read). The property tests
(``tests/property/test_dedupe_lean.py``) check that both answer as the public functions
on random rules and rows.

:func:`lead` still builds the :class:`~leadcore.model.Lead` of a row (for explanations
and the brute-force reference): its people's normalisation cache is filled with the
row's normal forms, which are what :func:`leadcore.normalize.person` computes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Final, NamedTuple, Protocol, TypeVar, cast

from leadcore import merge, normalize
from leadcore._dedupe.inputs import EPOCH, ONE_US, Chunk, Co
from leadcore._dedupe.match import RowMatcher, RowProbe, Side, served, side
from leadcore._merge.engine import Outcome, Spec, compile_spec, match_people
from leadcore.model import Lead, Person
from leadcore.normalize import E164Phone, FoldedName, NormalizedEmail, NormalizedPerson
from leadcore.reasons import MergeAuto

AUTO: Final = 1
"""Mode bit of auto-merge (MRG-1 to MRG-6)."""
DUPLICATES: Final = 2
"""Mode bit of possible duplicates (MRG-7)."""


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
    clean: bool = False
    """The rows hold none of the policy's email fillers (the table went through
    :func:`leadcore._dedupe.inputs.without_fillers` with them): they are not looked for."""


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


def _more(extra: tuple[tuple[str, object], ...]) -> dict[str, object]:
    """A row's lead fields and custom fields (``fields``) as :class:`Lead` takes them."""
    more: dict[str, object] = {}
    if extra:
        custom: dict[str, object] = {}
        for name, value in extra:
            if name.startswith("fields."):
                custom[name[len("fields.") :]] = value
            else:
                more[name] = value
        if custom:
            more["fields"] = custom
    return more


def lead_of(
    data: Row, region: str, fillers: tuple[str, ...] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS
) -> Lead:
    """Return the :class:`Lead` of a row's normal forms (see :func:`person`)."""
    lead_id, first, last, emails, phones, co, source, lot, created, activity, extra = data
    more = _more(extra)
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


class Lean(NamedTuple):
    """
    One row as deciding needs it: the lean internal record of a lead.

    Its people's normal forms (as :func:`leadcore.normalize.person` gives them under the
    policy: region and email fillers), its source, its instants in microseconds, and a
    :class:`Lead` of its lead and custom fields only when a rule compares one.
    """

    id: str
    customer: NormalizedPerson
    co: NormalizedPerson | None
    source: str | None
    created: int | None
    activity: int | None
    lead: Lead | None


def _forms(
    first: str, last: str, emails: tuple[str, ...], phones: tuple[str, ...]
) -> NormalizedPerson:
    """
    The :class:`NormalizedPerson` of a row's normal forms, without checking them again.

    A table's normal forms were made by the reader (folded names, normalised emails,
    E.164 phones, tuples): the fields' checks would only cost time (a tenth of
    deciding). The object equals the one the constructor builds (a property test).
    """
    person = _new(NormalizedPerson)
    _put(person, "first", first)
    _put(person, "last", last)
    _put(person, "full", f"{first} {last}".strip())
    _put(person, "emails", emails)
    _put(person, "phones", phones)
    _put(person, "email_set", frozenset(emails))
    _put(person, "phone_set", frozenset(phones))
    return person


_new: Final = object.__new__
_put: Final = object.__setattr__
_PERSON_FIELDS: Final = ("first", "last", "full", "emails", "phones", "email_set", "phone_set")
"""Every field of :class:`NormalizedPerson` (a test checks the list is whole)."""


def lean_of(data: Row, *, fields: bool, fillers: frozenset[str] = frozenset()) -> Lean:
    """
    Return the lean record of a row's normal forms (see :class:`Lean`).

    ``fillers`` are the policy's email fillers, reduced
    (:func:`leadcore.normalize.placeholder_email_set`): an email among them is left out,
    as :func:`leadcore.normalize.person` leaves it out (a table's rows usually lost them
    already, :func:`leadcore._dedupe.inputs.without_fillers`), and a co-customer left
    with no normal form is no co-customer. ``fields``: build the :class:`Lead` of the
    row's lead and custom fields (a rule compares one).
    """
    lead_id, first, last, emails, phones, co, source, lot, created, activity, extra = data
    view = None
    if fields:
        view = Lead(id=lead_id, source=source, lot=lot, **_more(extra))  # type: ignore[arg-type]  # lead fields by name
    if fillers:
        emails, co = _unfilled(emails, co, fillers)
    return Lean(
        lead_id,
        _forms(first, last, emails, phones),
        None if co is None else _forms(*co),
        source,
        created,
        activity,
        view,
    )


def lean_at(table: Chunk, index: int) -> Lean:
    """
    The lean record of a row of ``table`` that holds no filler, for a rule of people only.

    :func:`lean_of` of :func:`row` without its fields (no rule reads a lead field) nor
    fillers (none left in the table), read from the columns directly (a property test).
    """
    co = table.co.get(index)
    return Lean(
        table.ids[index],
        _forms(table.first[index], table.last[index], table.emails[index], table.phones[index]),
        None if co is None else _forms(*co),
        table.source[index],
        table.created[index],
        table.last_activity[index],
        None,
    )


class Forms(NamedTuple):
    """
    One row as deciding a rule of people needs it (:func:`leadcore._dedupe.match.served`).

    Its people's normal forms as :data:`~leadcore._dedupe.match.Side` tuples (the
    policy's email fillers left out), its source and its instants in microseconds.
    """

    customer: Side
    co: Side | None
    source: str | None
    created: int | None
    activity: int | None


def forms_of(data: Row, fillers: frozenset[str] = frozenset()) -> Forms:
    """The :class:`Forms` of a row's normal forms (fillers left out as :func:`lean_of` does)."""
    _id, first, last, emails, phones, co, source, _lot, created, activity, _extra = data
    if fillers:
        emails, co = _unfilled(emails, co, fillers)
    return Forms(
        side(first, last, emails, phones),
        None if co is None else side(*co),
        source,
        created,
        activity,
    )


_tuple: Final = tuple.__new__


def forms_at(table: Chunk, index: int) -> Forms:
    """
    :func:`forms_of` of a row of ``table`` that holds no filler, read from the columns.

    Made by ``tuple.__new__`` and the customer's :func:`side` inline: no Python frame but
    this one (a row of every pair decided).
    """
    co = table.co.get(index)
    first, last = table.first[index], table.last[index]
    return _tuple(
        Forms,
        (
            (first, last, f"{first} {last}".strip(), table.emails[index], table.phones[index]),
            None if co is None else side(*co),
            table.source[index],
            table.created[index],
            table.last_activity[index],
        ),
    )


def _unfilled(
    emails: tuple[str, ...], co: Co | None, fillers: frozenset[str]
) -> tuple[tuple[str, ...], Co | None]:
    """A row's emails and co-customer without fillers (a co-customer left with nothing is none)."""
    emails = _kept(emails, fillers)
    if co is not None:
        co = (co[0], co[1], _kept(co[2], fillers), co[3])
        if not (co[0] or co[1] or co[2] or co[3]):
            co = None
    return emails, co


def _kept(emails: tuple[str, ...], fillers: frozenset[str]) -> tuple[str, ...]:
    reduce = normalize.reduce_local
    if not emails or all(reduce(e.partition("@")[0]) not in fillers for e in emails):
        return emails
    return tuple(e for e in emails if reduce(e.partition("@")[0]) not in fillers)


_DAY_US: Final = 86_400_000_000
_BLOCKED: Final = (MergeAuto.both_credit_applications.code,)
"""The reason codes of a route (MRG-2), as merge.auto gives them."""


def of_people(policy: merge.MergePolicy) -> bool:
    """Whether a policy's pairs are decided on rows' normal forms: both its rules are of people."""
    return served(compile_spec(policy, "auto")) and served(compile_spec(policy, "duplicates"))


class _ByRows:
    """One mode's rule matched on :class:`Forms` (each inbound row's probe kept)."""

    __slots__ = ("matcher", "probes")

    def __init__(self, spec: Spec) -> None:
        self.matcher = RowMatcher(spec)
        self.probes: dict[int, RowProbe] = {}

    def __call__(self, inbound: int, one: Forms, other: Forms) -> Outcome:
        probe = self.probes.get(inbound)
        if probe is None:
            probe = self.probes[inbound] = self.matcher.probe(one.customer)
        return self.matcher.match(probe, other.customer, other.co)


class Decider:
    """
    Decides directed pairs of one table on a record per row: :class:`Forms` or :class:`Lean`.

    What :func:`leadcore.merge.auto` and :func:`leadcore.merge.duplicates` answer for an
    inbound lead against a list holding only the existing lead, computed with the same
    compiled rules (:func:`leadcore._merge.engine.match_people`) and the same MRG-2/3/7
    tests on microseconds; the property tests check both agree on random rules and rows.
    """

    def __init__(
        self, state: State, rows: dict[int, Row] | None = None, *, by_rows: bool = True
    ) -> None:
        self.state = state
        self.rows = rows
        policy = state.policy
        self.auto = compile_spec(policy, "auto")
        self.dups = compile_spec(policy, "duplicates")
        self.by_rows = by_rows and of_people(policy)
        """Whether pairs are decided on rows' normal forms (:class:`Forms`): both modes'
        rules are of people (:func:`leadcore._dedupe.match.served`); else on
        :class:`Lean` records. ``by_rows=False`` asks for lean records (tests)."""
        self._by_rows = (_ByRows(self.auto), _ByRows(self.dups)) if self.by_rows else None
        self._forms: dict[int, Forms] = {}
        self.fields = self.auto.reads_lead or self.dups.reads_lead
        self.fillers = (
            frozenset()
            if state.clean
            else normalize.placeholder_email_set(policy.placeholder_email_locals)
        )
        self.now_us = (state.now - EPOCH) // ONE_US
        self.credit = frozenset(policy.credit_application_sources)
        self.max_age = policy.merge_max_age_days * _DAY_US
        self.max_idle = policy.merge_max_inactivity_days * _DAY_US
        self.dup_idle = policy.duplicate_max_inactivity_days * _DAY_US
        counts = state.counts
        self.auto_counter = counts.counter() if counts is not None and self.auto.limited else None
        self.dups_counter = counts.counter() if counts is not None and self.dups.limited else None
        self._leans: dict[int, Lean] = {}

    def lean(self, index: int) -> Lean:
        """The lean record of a row (cached)."""
        found = self._leans.get(index)
        if found is None:
            if self.rows is not None:
                found = lean_of(self.rows[index], fields=self.fields, fillers=self.fillers)
            elif self.fields or self.fillers:  # the table is the State's (see State)
                data = row(cast("Chunk", self.state.table), index)
                found = lean_of(data, fields=self.fields, fillers=self.fillers)
            else:
                found = lean_at(cast("Chunk", self.state.table), index)
            self._leans[index] = found
        return found

    def forms(self, index: int) -> Forms:
        """The :class:`Forms` of a row (cached)."""
        found = self._forms.get(index)
        if found is None:
            if self.rows is not None:
                found = forms_of(self.rows[index], self.fillers)
            elif self.fillers:  # the table is the State's (see State)
                found = forms_of(row(cast("Chunk", self.state.table), index), self.fillers)
            else:
                found = forms_at(cast("Chunk", self.state.table), index)
            self._forms[index] = found
        return found

    def decide(self, inbound: int, existing: int, bits: int) -> list[Directed]:
        """Return what the merge rules decide for one pair, in the modes of ``bits``."""
        if self._by_rows is not None:
            return decide_pair(
                self,
                self.forms(inbound),
                self.forms(existing),
                bits,
                (inbound, existing),
                self._by_rows,
            )
        return decide_pair(
            self,
            self.lean(inbound),
            self.lean(existing),
            bits,
            (inbound, existing),
            (self._lean_auto, self._lean_dups),
        )

    def decide_many(self, pairs: Iterable[tuple[int, int, int]]) -> list[Directed]:
        """:meth:`decide` of each directed pair (inbound, existing, mode bits), in order."""
        found: list[Directed] = []
        for inbound, existing, bits in pairs:
            found.extend(self.decide(inbound, existing, bits))
        return found

    def _lean_auto(self, _inbound: int, one: Lean, other: Lean) -> Outcome:
        probe = self.auto.probe(one.customer, one.lead, self.auto_counter)
        return match_people(probe, other.customer, other.co, other.lead, self.auto)

    def _lean_dups(self, _inbound: int, one: Lean, other: Lean) -> Outcome:
        probe = self.dups.probe(one.customer, one.lead, self.dups_counter)
        return match_people(probe, other.customer, other.co, other.lead, self.dups)


class _Record(Protocol):
    """What deciding reads of a row besides its people: :class:`Lean`, :class:`Forms`."""

    @property
    def source(self) -> str | None: ...  # the fields of the records
    @property
    def created(self) -> int | None: ...
    @property
    def activity(self) -> int | None: ...


R = TypeVar("R", bound=_Record)


def decide_pair(  # noqa: PLR0917  # the pair, its records, and the decider's settings
    decider: Decider,
    one: R,
    other: R,
    bits: int,
    rows: tuple[int, int],
    match: tuple[Callable[[int, R, R], Outcome], Callable[[int, R, R], Outcome]],
) -> list[Directed]:
    """
    Decide ``one`` inbound against ``[other]`` as the public functions do, MRG-1 to MRG-7.

    What :func:`leadcore.merge.auto` and :func:`leadcore.merge.duplicates` answer, in the
    modes of ``bits``: a merge, a route or a possible duplicate (nothing for ``create``
    or no duplicate). ``rows`` are the inbound and existing rows the answers name;
    ``match`` matches the records' people by the auto-merge rule and the duplicates
    rule (given the inbound row and both records).
    """
    inbound, existing = rows
    found: list[Directed] = []
    now_us = decider.now_us
    if bits & AUTO:
        created, active = other.created, other.activity
        # MRG-3: a candidate only within both windows (no reason: it qualifies); MRG-2.
        if (
            created is not None
            and active is not None
            and now_us - created < decider.max_age
            and now_us - active <= decider.max_idle
        ):
            role, matched, via = match[0](inbound, one, other)
            if via is not None:
                blocked = one.source in decider.credit and other.source in decider.credit
                found.append(
                    Directed(
                        inbound,
                        existing,
                        "route" if blocked else "merge",
                        via,
                        matched,
                        role,
                        _BLOCKED if blocked else (),
                    )
                )
    if bits & DUPLICATES:
        active = other.activity
        if active is not None and now_us - active <= decider.dup_idle:
            role, matched, via = match[1](inbound, one, other)
            if via is not None:
                found.append(Directed(inbound, existing, "duplicate", via, matched, role, ()))
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
    return Decider(state, rows).decide_many(pairs)
