"""
How many leads hold a key: :class:`~leadcore.merge.KeyCounts`, for items with ``max_leads``.

An item with ``max_leads`` ignores a key held by more leads than that (a call centre's
phone, an ``info@`` mailbox). "Held by" counts the leads of a population: the existing
leads of :func:`~leadcore.merge.auto` and :func:`~leadcore.merge.duplicates` (a list,
counted, or a :class:`~leadcore.merge.MergeIndex`, from its buckets), or the whole table
in batch deduplication. :class:`KeyCounts` holds such counts computed once, to be passed
as ``counts=``; only keys over their item's limit are kept, since only they matter.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable, Mapping

import attrs

from leadcore import _attrs as a
from leadcore._merge.engine import Counter, Spec, compile_spec
from leadcore._merge.keys import Key, KeySpace, show_key
from leadcore._merge.policy import MODES, MergePolicy
from leadcore.errors import InvalidInput, Problem
from leadcore.model import Lead

__all__ = ["KeyCounts", "count_leads", "limited_spaces"]


def limited_spaces(specs: Iterable[Spec]) -> tuple[KeySpace, ...]:
    """The key spaces of items with ``max_leads`` in ``specs``."""
    return tuple(dict.fromkeys(i.space for s in specs for i in s.limited if i.space is not None))


def count_leads(
    leads: Iterable[Lead],
    spaces: Iterable[KeySpace],
    region: str,
    folded: frozenset[str],
    fillers: tuple[str, ...] = (),
) -> dict[KeySpace, dict[Key, int]]:
    """
    For each space, how many of ``leads`` hold each key, keeping keys over its limit.

    A space listed twice (two items of a rule with the same definition) is counted once.
    """
    chosen = tuple(dict.fromkeys(spaces))
    tallies: dict[KeySpace, Tally[Key]] = {s: Tally() for s in chosen}
    for lead in leads:
        for space in chosen:
            tallies[space].update(space.held_by(lead, region, folded, fillers))
    return {
        space: {k: c for k, c in tally.items() if c > (space.max_leads or 0)}
        for space, tally in tallies.items()
    }


def _counts(value: object) -> dict[KeySpace, dict[Key, int]]:
    if not isinstance(value, Mapping) or not all(isinstance(f, Mapping) for f in value.values()):
        return value  # type: ignore[return-value]  # handed through to the check
    return {space: dict(found) for space, found in value.items()}


def _counts_check(path: str, value: object) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem(path, value, f"must be a mapping, not {a.type_name(value)}")]
    for space, found in value.items():
        if not isinstance(space, KeySpace) or not isinstance(found, Mapping):
            return [Problem(path, value, "must map key spaces to mappings of keys to counts")]
        for key, count in found.items():
            if (
                not isinstance(key, str | tuple)
                or not isinstance(count, int)
                or isinstance(count, bool)
                or count < 0
            ):
                return [Problem(path, value, "must map keys to counts (whole numbers)")]
    return []


@attrs.frozen(kw_only=True)
class KeyCounts(a.Frozen):
    """
    The keys held by more leads than their item's ``max_leads``, with their counts.

    Pass it as ``counts=`` to :func:`~leadcore.merge.auto`,
    :func:`~leadcore.merge.duplicates`, :func:`~leadcore.merge.match` or
    :func:`~leadcore.merge.explain` to count keys over a population other than the
    existing leads given (batch deduplication counts over the whole table). Built for a
    policy (:meth:`of`); used with another, it knows only the items both share.

    >>> from leadcore.merge import MatchGroup, MatchItem, MatchRule, MergePolicy
    >>> from leadcore.model import Lead, Person
    >>> rule = MatchRule(any_of=[MatchGroup(all_of=[MatchItem(field="phone", max_leads=1)])])
    >>> policy = MergePolicy(duplicate_rule=rule)
    >>> leads = [Lead(id=i, customer=Person(phones=["800 555 0199"])) for i in "ABC"]
    >>> KeyCounts.of(leads, policy=policy).rows()
    (('phone (at most 1 leads)', '+18005550199', 3),)

    Attributes:
        region: The phone region keys were normalised with.
        counts: By key space, the keys over its limit and how many leads hold each.

    """

    region: str
    counts: Mapping[KeySpace, Mapping[Key, int]] = attrs.field(
        converter=_counts, metadata=a.check(_counts_check), eq=False, hash=False, repr=False
    )

    @classmethod
    def of(cls, leads: Iterable[Lead], *, policy: MergePolicy) -> KeyCounts:
        """
        Count, over ``leads``, the keys of ``policy``'s items with ``max_leads`` (both modes).

        A lead holds a key when either of its people does (person fields) or the lead
        does (lead and custom fields).

        Raises:
            InvalidInput: ``policy`` is not a MergePolicy, or an item is not a Lead.

        """
        if not isinstance(policy, MergePolicy):
            raise InvalidInput.single("policy", policy, "must be a MergePolicy")
        specs = [compile_spec(policy, mode) for mode in MODES]
        checked = []
        for position, lead in enumerate(leads):
            if not isinstance(lead, Lead):
                raise InvalidInput.single(f"leads[{position}]", lead, "must be a Lead")
            checked.append(lead)
        spaces = limited_spaces(specs)
        found = (
            count_leads(
                checked,
                spaces,
                policy.default_region,
                specs[0].folded,
                specs[0].email_placeholders,
            )
            if spaces
            else {}
        )
        return cls(region=policy.default_region, counts=found)

    def count(self, space: KeySpace, key: Key) -> int:
        """How many leads hold ``key`` of ``space`` (0 for a key within its limit)."""
        found = self.counts.get(space)
        return 0 if found is None else found.get(key, 0)

    def rows(self) -> tuple[tuple[str, str, int], ...]:
        """``(space, key, leads)`` for every key over its limit, most held first."""
        found = [
            (s.label, show_key(k), c) for s, keys in self.counts.items() for k, c in keys.items()
        ]
        return tuple(sorted(found, key=lambda r: (-r[2], r[0], r[1])))

    def counter(self) -> Counter:
        """The counts as the engine reads them."""
        return self.count
