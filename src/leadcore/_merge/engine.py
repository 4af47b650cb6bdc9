"""
The pairwise matching engine of :mod:`leadcore.merge` (MRG-1, MRG-4, MRG-5, MRG-7).

One function, :func:`evaluate`, decides whether an inbound person matches an existing lead
under a compiled :class:`Spec` (a policy seen through one mode, ``auto`` or
``duplicates``). It is the only copy of the matching rules: the public
:func:`leadcore.merge.match`, auto-merge, possible duplicates and the candidate index all
call it, and so will batch deduplication.

It works on normalised people only (:class:`~leadcore.normalize.NormalizedPerson`, cached
on each :class:`~leadcore.model.Person`), so a call is a few set intersections and at most
three ``token_sort_ratio`` calls, and allocates one small tuple.
"""

from __future__ import annotations

import functools
from typing import Final

import attrs

from leadcore import _attrs, _fuzzy, normalize
from leadcore._merge.policy import Condition, MergePolicy, Mode, PersonRole, Via
from leadcore.model import Lead, Person
from leadcore.normalize import NormalizedPerson

INDEXED: Final[frozenset[Condition]] = frozenset({"name", "email", "phone"})
"""Conditions that imply a shared index key (name: the folded full name)."""

Outcome = tuple[PersonRole, tuple[Condition, ...], Via | None]
"""What :func:`evaluate` answers: the person compared, conditions that hold, and how it
matches (None when it does not)."""

# Leads reach the engine checked: their persons are normalised without checks again.
_person: Final = _attrs.unchecked(normalize.person)


@attrs.frozen
class Spec:
    """A policy compiled for one mode: what :func:`evaluate` and the index need, flat."""

    region: str
    mode: Mode
    name: bool
    name_fuzzy: bool
    email: bool
    phone: bool
    minimum: int
    ratio: float
    placeholders: tuple[str, ...]
    email_placeholders: tuple[str, ...]

    @property
    def required_kinds(self) -> int:
        """
        How many kinds of index key (phone, email, name) any two-of-n match shares.

        A match holds at least ``minimum`` conditions; only ``name_fuzzy`` holds without
        a shared key, so at least ``minimum - 1`` (``minimum`` without it) are keyed.
        Zero or less means the index cannot find every match: scan.
        """
        return self.minimum - (1 if self.name_fuzzy else 0)

    @property
    def kinds(self) -> tuple[Condition, ...]:
        """The keyed conditions this spec uses, in result order."""
        return tuple(c for c in ("name", "email", "phone") if getattr(self, c))


@functools.lru_cache(maxsize=64)
def compile_spec(policy: MergePolicy, mode: Mode) -> Spec:
    """Compile ``policy`` for ``mode`` (cached: policies are frozen and hashable)."""
    if mode == "auto":
        conditions = frozenset(policy.auto_merge_conditions)
        minimum = policy.auto_merge_min_conditions
    else:
        conditions = frozenset(policy.duplicate_conditions)
        minimum = policy.duplicate_min_conditions
    return Spec(
        region=policy.default_region,
        mode=mode,
        name="name" in conditions,
        name_fuzzy="name_fuzzy" in conditions,
        email="email" in conditions,
        phone="phone" in conditions,
        minimum=minimum,
        ratio=float(policy.duplicate_name_min_ratio),
        placeholders=tuple(policy.placeholder_names),
        email_placeholders=tuple(policy.placeholder_email_locals),
    )


def people_of(who: Person, spec: Spec) -> NormalizedPerson:
    """The normal forms of ``who`` under ``spec``: its region and its email fillers."""
    return _person(who, region=spec.region, placeholder_email_locals=spec.email_placeholders)


def has_real_full_name(who: NormalizedPerson, spec: Spec) -> bool:
    """Whether ``who`` can meet the ``name`` condition: first and last, no placeholder."""
    return who.has_full_name and not who.is_placeholder(spec.placeholders)


def has_real_name(who: NormalizedPerson, spec: Spec) -> bool:
    """
    Whether ``who`` can meet ``name_fuzzy``: a folded full name, not a placeholder.

    v1.2 of the rules: ``name_fuzzy`` holds only when both folded full names are non-empty and
    neither is a placeholder name.
    """
    return bool(who.full) and not who.is_placeholder(spec.placeholders)


def phone_only_eligible(inbound: NormalizedPerson, spec: Spec) -> bool:
    """
    Whether MRG-4 may apply to ``inbound``: auto mode, a phone, no email, no real name.

    "No name" is a name that folds to nothing; a placeholder name is one whose parts are
    all placeholders (the rulebook's "Text").
    """
    if spec.mode != "auto" or not inbound.phones or inbound.emails:
        return False
    if not inbound.first and not inbound.last:
        return True
    return inbound.is_placeholder(spec.placeholders)


def conditions(
    inbound: NormalizedPerson,
    other: NormalizedPerson,
    spec: Spec,
    *,
    real_name: bool,
    ratio: float | None = None,
) -> list[Condition]:
    """
    Return the conditions of ``spec`` that hold between two people (MRG-1, MRG-7).

    Symmetric in the two people. ``real_name`` is :func:`has_real_full_name` of
    ``inbound``; ``ratio``, when known, is their names' ``token_sort_ratio``.
    ``name_fuzzy`` needs a real name on both sides (:func:`has_real_name`, v1.2 of the rules),
    checked only once the ratio is reached (it rarely is).
    """
    matched: list[Condition] = []
    # MRG-1 name: first with first and last with last after folding, both present, not
    # placeholders. Equal parts make both placeholders or neither, so checking one
    # person (``real_name``) is enough.
    if spec.name and real_name and inbound.first == other.first and inbound.last == other.last:
        matched.append("name")
    if spec.name_fuzzy and inbound.full and other.full:
        if ratio is None:
            ratio = _fuzzy.token_sort_ratio(inbound.full, other.full)
        if ratio >= spec.ratio and has_real_name(inbound, spec) and has_real_name(other, spec):
            matched.append("name_fuzzy")
    if spec.email and not inbound.email_set.isdisjoint(other.email_set):
        matched.append("email")
    if spec.phone and not inbound.phone_set.isdisjoint(other.phone_set):
        matched.append("phone")
    return matched


def evaluate(
    inbound: NormalizedPerson,
    existing: Lead,
    spec: Spec,
    *,
    real_name: bool,
    phone_only: bool,
) -> Outcome:
    """
    Match ``inbound`` against ``existing`` (MRG-1, MRG-4, MRG-5, MRG-7).

    ``real_name`` and ``phone_only`` are facts about the inbound person that do not
    depend on ``existing`` (:func:`has_real_full_name`, :func:`phone_only_eligible`);
    callers compute them once per inbound lead.
    """
    customer = people_of(existing.customer, spec)
    chosen = customer
    role: PersonRole = "customer"
    full = inbound.full
    ratio: float | None = None
    co: NormalizedPerson | None = None
    if existing.co_customer is not None:
        co = people_of(existing.co_customer, spec)
        # MRG-5: the co-customer is compared instead when its name is strictly closer.
        # An empty name scores 0 (both ratios are then 0 and the customer is kept).
        if full and co.full:
            ratio = _fuzzy.token_sort_ratio(full, customer.full)
            co_ratio = _fuzzy.token_sort_ratio(full, co.full)
            if co_ratio > ratio:
                chosen, role, ratio = co, "co_customer", co_ratio
    matched = conditions(inbound, chosen, spec, real_name=real_name, ratio=ratio)
    if len(matched) >= spec.minimum:
        return role, tuple(matched), "two_of_n"
    # MRG-4, tried only when two-of-n fails: a phone in common with either person.
    if phone_only:
        if not inbound.phone_set.isdisjoint(customer.phone_set):
            return "customer", ("phone",), "phone_only"
        if co is not None and not inbound.phone_set.isdisjoint(co.phone_set):
            return "co_customer", ("phone",), "phone_only"
    return role, tuple(matched), None
