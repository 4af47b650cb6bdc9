"""
A compiled rule matched on a row's normal forms, without people objects.

:func:`leadcore._merge.engine.match_people` matches an inbound person against an
existing lead's people as :class:`~leadcore.normalize.NormalizedPerson` objects, through
a :class:`~leadcore._merge.engine.Probe` of the inbound side. Batch deduplication
decides pairs of rows whose normal forms the reader made already: building those
objects for each row and a probe for each inbound row was most of the time deciding took
(about 6 of its 12 µs a pair at 1M rows). :class:`RowMatcher` answers what
``match_people`` answers, for a rule of people's names, emails and phones
(:func:`served`), on tuples of a row's normal forms (:data:`Side`), with the compiled
rule's own items: their sides of a person's normal forms
(:attr:`~leadcore._merge.engine.CompiledItem.of_forms`), their fuzzy comparisons
(:attr:`~leadcore._merge.engine.CompiledItem.compare`), their groups' order, needs and
labels. The property tests (``tests/property/test_dedupe_lean.py``) check that the
answers are the public functions' on random rules and rows.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Final, NamedTuple, cast

from leadcore._merge.engine import CompiledGroup, CompiledItem, OfForms, Outcome, Spec, closest
from leadcore._merge.policy import PersonRole

__all__ = ["FULL", "RowMatcher", "RowProbe", "Side", "served", "side"]

Side = tuple[str, str, str, tuple[str, ...], tuple[str, ...]]
"""A person's normal forms as a row holds them: folded first and last name, the full name
(``first last``, stripped), emails, phones."""

FIRST: Final = 0
LAST: Final = 1
FULL: Final = 2
EMAILS: Final = 3
PHONES: Final = 4

Check = Callable[[object, Side, "float | None"], bool]
"""An item's check: the inbound side's prepared value, an existing person, MRG-5's ratio."""


def side(first: str, last: str, emails: tuple[str, ...], phones: tuple[str, ...]) -> Side:
    """The :data:`Side` of a person's normal forms."""
    return (first, last, f"{first} {last}".strip(), emails, phones)


def served(spec: Spec) -> bool:
    """
    Whether :class:`RowMatcher` answers for ``spec``: a rule of people only.

    Every item compares a person's name, email or phone: exactly (a plain email or
    phone, a plain name: no ``max_leads``, blanks never matching) or fuzzily; every
    guard (``inbound_lacks``) is a person field. Other rules (lead and custom fields,
    email domains, name prefixes, ``max_leads``, blanks that match) are matched on
    people objects.
    """
    for item in spec.items:
        if item.of_forms is None:
            return False
        plain = item.plain and (item.space is None or item.space.max_leads is None)
        if not (item.direct or plain or item.compare is not None):
            return False
    return all(guard.of_forms is not None for g in spec.groups for guard in g.lacks)


class RowProbe(NamedTuple):
    """The inbound side, prepared once: its full name, each item's value, open groups."""

    full: str
    prepared: list[object]
    open: list[bool]


class _Group(NamedTuple):
    group: CompiledGroup
    required: tuple[int, ...]
    order: tuple[tuple[int, int], ...]
    spare: int


class RowMatcher:
    """
    A compiled rule of people (:func:`served`) matched on rows' :data:`Side` tuples.

    :meth:`probe` prepares an inbound customer, :meth:`match` answers as
    :func:`~leadcore._merge.engine.match_people` on the existing lead's people.
    """

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.checks = tuple(_check(item) for item in spec.items)
        self.preps = tuple(_prep(item) for item in spec.items)
        self.guarded = tuple(
            (group.position, tuple(_lacks(g) for g in group.lacks))
            for group in spec.groups
            if group.lacks
        )
        self.groups = tuple(
            _Group(
                group,
                tuple(it.index for it in group.required),
                tuple((bit, index) for bit, index, _check in group.order),
                len(group.items) - group.need,
            )
            for group in spec.groups
        )

    def probe(self, who: Side) -> RowProbe:
        """Prepare the inbound customer ``who``."""
        opened = [True] * len(self.groups)
        for position, guards in self.guarded:
            for lacks in guards:
                if not lacks(who):
                    opened[position] = False
                    break
        return RowProbe(who[FULL], [prep(who) for prep in self.preps], opened)

    def match(self, probe: RowProbe, customer: Side, co: Side | None) -> Outcome:
        """What ``match_people`` answers for the inbound side against these people."""
        role: PersonRole = "customer"
        chosen = customer
        ratio: float | None = None
        co_ratio: float | None = None
        chosen_ratio: float | None = None
        if co is not None and self.spec.closest:
            nearer, ratio, co_ratio = closest(probe.full, customer[FULL], co[FULL])
            chosen_ratio = ratio
            if nearer:
                chosen, role, chosen_ratio = co, "co_customer", co_ratio
        prepared, opened = probe.prepared, probe.open
        for entry in self.groups:
            group = entry.group
            if not opened[group.position]:
                continue
            if group.people == "closest":
                found = self._holds(entry, prepared, chosen, chosen_ratio)
                if found is not None:
                    return role, found, group.label
                continue
            found = self._holds(entry, prepared, customer, ratio)
            if found is not None:
                return "customer", found, group.label
            if group.people == "either" and co is not None:
                found = self._holds(entry, prepared, co, co_ratio)
                if found is not None:
                    return "co_customer", found, group.label
        return role, (), None

    def _holds(
        self, entry: _Group, prepared: list[object], who: Side, ratio: float | None
    ) -> tuple[str, ...] | None:
        """The group's labels when it holds on ``who`` (as ``CompiledGroup.holds``), else None."""
        checks = self.checks
        for index in entry.required:
            if not checks[index](prepared[index], who, ratio):
                return None
        spare = entry.spare
        mask = 0
        for bit, index in entry.order:
            if checks[index](prepared[index], who, ratio):
                mask |= bit
            else:
                spare -= 1
                if spare < 0:
                    return None
        labels = entry.group.labels.get(mask)
        return labels if labels is not None else entry.group.labels_of(mask)


def _forms(item: CompiledItem) -> OfForms:
    """A person item's side of normal forms (:func:`served` takes person items only)."""
    return cast("OfForms", item.of_forms)


def _check(item: CompiledItem) -> Check:  # one specialised check per shape
    """The item's check on an existing person's :data:`Side` (as ``CompiledItem.check``)."""
    compare = item.compare
    if compare is not None:
        of_forms = _forms(item)

        def fuzzy(p: object, who: Side, r: float | None) -> bool:
            return compare(p, of_forms(who[0], who[1], who[3], who[4]), r)  # type: ignore[arg-type]  # the inbound texts

        return fuzzy
    field = item.item.field
    if item.direct:
        at = EMAILS if field == "email" else PHONES

        def shared(p: object, who: Side, _r: float | None) -> bool:
            theirs = who[at]
            for key in p:  # type: ignore[attr-defined]  # noqa: SIM110  # a tuple; no generator (hot path)
                if key in theirs:
                    return True
            return False

        return shared
    # A plain name: equal normal forms make both sides blank or neither.
    if field == "name":
        return lambda p, who, _r: p is not None and p[0] == who[0] and p[1] == who[1]  # type: ignore[index]  # a (first, last) key
    at = {"first_name": FIRST, "last_name": LAST, "full_name": FULL}[field]
    return lambda p, who, _r: p is not None and p == who[at]


def _prep(item: CompiledItem) -> Callable[[Side], object]:
    """What the check needs of the inbound person (as ``CompiledItem.prepare``)."""
    if item.direct:
        return itemgetter(EMAILS if item.item.field == "email" else PHONES)
    of_forms = _forms(item)
    if item.compare is not None:
        return lambda who: of_forms(who[0], who[1], who[3], who[4])

    def plain(who: Side) -> object:
        keys = of_forms(who[0], who[1], who[3], who[4])
        return keys[0] if keys else None

    return plain


def _lacks(guard: CompiledItem) -> Callable[[Side], bool]:
    """Whether an inbound person lacks a guard's field (``CompiledGroup.opens``)."""
    if guard.direct:
        at = EMAILS if guard.item.field == "email" else PHONES
        return lambda who: not who[at]
    of_forms = _forms(guard)
    return lambda who: not of_forms(who[0], who[1], who[3], who[4])
