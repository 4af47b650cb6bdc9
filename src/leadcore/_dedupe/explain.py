"""
Why two leads of a table are a pair, or not: :class:`~leadcore.dedupe.PairExplanation`.

Any two leads of a table, found as a pair or not, are explained by
:func:`leadcore.merge.explain` in both directions (each lead inbound against the other)
and both modes (auto-merge, possible duplicates): the four decisions that make a pair.
The leads are read again with their values as entered when the input allows it
(:mod:`leadcore._dedupe.raw`), else built from the table's normal forms. Emails and
phones a run excluded as generic keys (``generic_keys="exclude"``) are left out of both
leads first, as the run treated them, so an explanation always agrees with the pairs.

Re-exported by :mod:`leadcore.dedupe`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from leadcore import _attrs as a
from leadcore import _display as d
from leadcore import merge, normalize
from leadcore._dedupe.config import Action
from leadcore._dedupe.items import GenericKey, Pair
from leadcore._merge.explain import condition_table
from leadcore.merge import KeyCounts, MatchExplanation, MergePolicy
from leadcore.model import Lead, Person

__all__ = ["PairExplanation", "explain_pair"]


def _directions(value: Iterable[MatchExplanation]) -> tuple[MatchExplanation, ...]:
    return a.to_tuple(value)


def _keys(value: Iterable[GenericKey]) -> tuple[GenericKey, ...]:
    return a.to_tuple(value)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class PairExplanation(a.Frozen, d.Shown):
    """
    Why two leads of a table are a pair, or are not (MRG-1 to MRG-7).

    What :meth:`DedupeResult.explain` answers, for any two leads of the table: the four
    decisions that make a pair, each explained condition by condition by
    :func:`leadcore.merge.explain` (values as entered, normal forms, fuzzy scores against
    their thresholds, groups of conditions and the closest one, windows and guards).

    Attributes:
        a: The smaller lead id.
        b: The larger lead id.
        pair: The pair as the result lists it, or None when the two are not a pair.
        directions: ``a`` inbound against ``b`` (auto-merge, then possible duplicates),
            then ``b`` inbound against ``a`` (the same two).
        leads: The two leads as explained (``a``, ``b``).
        as_entered: Whether the leads carry their values as entered (read again from the
            input); False when only the table's normal forms were available.
        excluded_keys: Generic keys either lead holds that the run treated as unusable
            (``generic_keys="exclude"``); they are left out of the leads explained.

    """

    a: str
    b: str
    pair: Pair | None
    directions: tuple[MatchExplanation, ...] = attrs.field(converter=_directions)
    leads: tuple[Lead, Lead]
    as_entered: bool
    excluded_keys: tuple[GenericKey, ...] = attrs.field(converter=_keys)

    @property
    def kind(self) -> Action | None:
        """The pair's kind (``merge``, ``route``, ``duplicate``), or None: not a pair."""
        return None if self.pair is None else self.pair.kind

    @property
    def closest(self) -> MatchExplanation | None:
        """
        When the two are not a pair, the decision that came nearest to one; else None.

        Nearest: fewest items missing from its closest group; ties go to auto-merge,
        then to ``a`` inbound.
        """
        if self.pair is not None:
            return None
        failing = [x for x in self.directions if x.closest_group is not None]
        if not failing:
            # Every decision matched but a window or guard blocked each one.
            return self.directions[0] if self.directions else None
        return min(failing, key=_missing)

    @property
    def closest_group(self) -> str | None:
        """The group of :attr:`closest` nearest to holding (None when a pair or blocked)."""
        nearest = self.closest
        return None if nearest is None else nearest.closest_group

    def summary(self) -> str:
        """Return one line: the pair's kind, or why the two are not a pair."""
        if self.pair is not None:
            return f"{self.a} and {self.b}: {self.pair.kind} ({self.pair.explain()})"
        nearest = self.closest
        why = "" if nearest is None else f"; closest: {nearest.summary()}"
        return f"{self.a} and {self.b}: not a pair{why}"

    def _view(self, rows: int) -> d.View:
        facts: list[tuple[str, object]] = [
            ("kind", self.kind),
            ("as_entered", self.as_entered),
            ("closest_group", self.closest_group),
        ]
        if self.excluded_keys:
            facts.append(("excluded_keys", tuple(k.key for k in self.excluded_keys)))
        first = self.directions[0] if self.directions else None
        return d.View(
            "PairExplanation",
            self.summary(),
            facts=facts,
            tables=[
                d.Table(
                    "decisions",
                    (
                        "inbound",
                        "existing",
                        "mode",
                        "outcome",
                        "matched",
                        "via",
                        "closest",
                        "blocked_by",
                    ),
                    [
                        (
                            x.inbound,
                            x.existing,
                            x.mode,
                            x.outcome,
                            x.matched,
                            x.via,
                            x.closest_group,
                            tuple(r.code for r in x.blocked_by),
                        )
                        for x in self.directions[:rows]
                    ],
                    len(self.directions),
                ),
                *([] if first is None else [merge_condition_table(first, rows)]),
            ],
        )


def merge_condition_table(first: MatchExplanation, rows: int) -> d.Table:
    """The conditions of the first decision (``a`` inbound, auto-merge), for display."""
    table = condition_table(first.conditions, rows)
    return attrs.evolve(table, name=f"conditions ({first.inbound} inbound)")


def _missing(item: MatchExplanation) -> int:
    group = next(g for g in item.groups if g.name == item.closest_group)
    return group.missing


def _without(who: Person | None, emails: set[str], phones: set[str], region: str) -> Person | None:
    if who is None or (not emails and not phones):
        return who
    return attrs.evolve(
        who,
        emails=[e for e in who.emails if normalize.email(e) not in emails],
        phones=[p for p in who.phones if normalize.phone(p, region=region) not in phones],
    )


def _strip(lead: Lead, keys: Iterable[GenericKey], region: str) -> Lead:
    """The lead without the values of excluded generic keys (as the run treated them)."""
    emails = {k.key for k in keys if k.kind == "email"}
    phones = {k.key for k in keys if k.kind == "phone"}
    if not emails and not phones:
        return lead
    customer = _without(lead.customer, emails, phones, region)
    assert customer is not None  # noqa: S101  # a lead always has a customer
    return attrs.evolve(
        lead, customer=customer, co_customer=_without(lead.co_customer, emails, phones, region)
    )


def _held(lead: Lead, keys: Iterable[GenericKey], region: str) -> list[GenericKey]:
    forms = [normalize.person(p, region=region) for p in lead.people]
    emails = {e for f in forms for e in f.emails}
    phones = {p for f in forms for p in f.phones}
    return [
        k
        for k in keys
        if (k.kind == "email" and k.key in emails) or (k.kind == "phone" and k.key in phones)
    ]


def explain_pair(
    one: Lead,
    two: Lead,
    *,
    pair: Pair | None,
    as_entered: bool,
    now: dt.datetime,
    policy: MergePolicy,
    excluded: Iterable[GenericKey],
    counts: KeyCounts | None = None,
) -> PairExplanation:
    """
    Explain two leads (``one.id < two.id``) in both directions and both modes.

    ``counts``: the run's counts of keys over the table (items with ``max_leads``).
    """
    region = policy.default_region
    keys = sorted(
        {(k.kind, k.key): k for lead in (one, two) for k in _held(lead, excluded, region)}.values(),
        key=lambda k: (k.kind, k.key),
    )
    first, second = _strip(one, keys, region), _strip(two, keys, region)
    directions = [
        merge.explain(inbound, existing, now=now, policy=policy, mode=mode, counts=counts)
        for inbound, existing in ((first, second), (second, first))
        for mode in ("auto", "duplicates")
    ]
    return PairExplanation(
        a=one.id,
        b=two.id,
        pair=pair,
        directions=directions,
        leads=(one, two),
        as_entered=as_entered,
        excluded_keys=keys,
    )
