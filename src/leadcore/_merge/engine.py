"""
The pairwise matching engine of :mod:`leadcore.merge` (MRG-1, MRG-4, MRG-5, MRG-7).

One function, :func:`evaluate`, decides whether an inbound lead matches an existing lead
under a compiled :class:`Spec`: a policy's match rule for one mode (``auto`` or
``duplicates``; :meth:`~leadcore.merge.MergePolicy.rule`), compiled once. It is the only
copy of the matching rules: the public :func:`leadcore.merge.match`, auto-merge, possible
duplicates, the candidate index and batch deduplication all call it.

Compiling turns each item of the rule into a small check specialised for its field and
method, and everything about the inbound side into a :class:`Probe` computed once per
inbound lead: the seed's default rule then costs what it always has, a few set
intersections per pair (``name``: two string comparisons; ``email``, ``phone``: a
``frozenset.isdisjoint``), and at most two ``token_sort_ratio`` calls for MRG-5.

It also says how each group can be blocked on (:class:`Blocking`): the keys every match
of the group shares, from which :class:`~leadcore.merge.MergeIndex` and the engines over
tables derive their search.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Final, NamedTuple

import attrs

from leadcore import _attrs, _fuzzy, normalize
from leadcore._merge.keys import (
    Key,
    KeySpace,
    lead_value,
    lead_values,
    person_values,
    raw_values,
)
from leadcore._merge.policy import MergePolicy, Mode, PersonRole
from leadcore._merge.rules import MatchGroup, MatchItem, MatchRule, People
from leadcore.model import Lead, Person
from leadcore.normalize import NormalizedPerson

__all__ = [
    "Blocking",
    "CompiledGroup",
    "CompiledItem",
    "Counter",
    "Outcome",
    "Probe",
    "Spec",
    "closest",
    "compile_spec",
    "evaluate",
    "first_match",
    "match_people",
    "people_of",
]

Outcome = tuple[PersonRole, tuple[str, ...], str | None]
"""What :func:`evaluate` answers: the person compared, the labels of the items that hold
(of the matching group, or of the closest group), and the group that matches (None when
none does)."""

Counter = Callable[[KeySpace, Key], int]
"""How many leads hold a key (for items with ``max_leads``)."""

OfForms = Callable[[str, str, tuple[str, ...], tuple[str, ...]], tuple[Key, ...]]
"""A person item's keys or texts of a person's normal forms: first, last, emails, phones."""

Compare = Callable[[tuple[str, ...], tuple[Key, ...], float | None], bool]
"""A fuzzy item's check on the inbound texts, the existing side's, and MRG-5's ratio."""

_NONE: Final[frozenset[Key]] = frozenset()

# Leads reach the engine checked: their persons are normalised without checks again.
_person: Final = _attrs.unchecked(normalize.person)
_MAX_MEMO: Final = 65_536
"""How many distinct values an item remembers the keys of."""
_MAX_PROBES: Final = 256
"""How many recent inbound sides a compiled rule keeps."""
_MAX_MASKS: Final = 4_096
"""How many sets of held items a group remembers the labels of."""
_SIMILARITY: Final = {
    "token_sort_ratio": _fuzzy.token_sort_ratio,
    "ratio": _fuzzy.ratio,
    "jaro_winkler": _fuzzy.jaro_winkler,
}


# -- items --------------------------------------------------------------------------------


class CompiledItem:
    """One item of a rule, compiled: its values, its inbound preparation, its check."""

    __slots__ = (
        "blank",
        "check",
        "compare",
        "direct",
        "fillers",
        "index",
        "item",
        "label",
        "of_forms",
        "person",
        "plain",
        "region",
        "side",
        "space",
    )

    def __init__(
        self,
        item: MatchItem,
        index: int,
        region: str,
        folded: frozenset[str],
        fillers: tuple[str, ...] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
    ) -> None:
        self.item = item
        self.index = index
        self.label = item.label
        self.region = region
        self.fillers = fillers
        self.person = item.kind == "person"
        self.space = KeySpace.of(item, fillers)
        self.blank = folded if item.placeholders == "blank" else None
        space = self.space
        self.direct = (
            space is not None
            and space.method == "exact"
            and space.max_leads is None
            and item.field in ("email", "phone")
        )
        self.plain = self._plain()
        self.of_forms: OfForms | None = self._of_forms() if self.person else None
        """A person item's side (:meth:`side`) of a person's normal forms."""
        self.side = self._side()
        self.compare: Compare | None = self._texts() if item.method == "fuzzy" else None
        """A fuzzy item's check on both sides' texts."""
        self.check: Callable[[object, NormalizedPerson, Lead | None, float | None], bool] = (
            self._compile()
        )

    # values ---------------------------------------------------------------------------

    def values(self, who: NormalizedPerson | None, lead: Lead | None) -> tuple[Key, ...]:
        """The item's values on one side (normal forms, blanks removed)."""
        item = self.item
        if self.person:
            if who is None:
                return ()
            return person_values(
                item.field, who.first, who.last, who.emails, who.phones, self.blank
            )
        if lead is None:
            return ()
        return lead_values(
            lead,
            item.field,
            item.custom_name,
            item.effective_normalizer,
            self.region,
            self.fillers,
        )

    def _side(self) -> Callable[[NormalizedPerson, Lead | None], tuple[Key, ...]]:
        """
        The existing side's keys (exact-style items) or texts (fuzzy items), memoised.

        By what they are computed from: a lead or custom field's raw value, a person's
        (first, last) name, emails or phones. Values repeat across leads, so most pairs
        cost a dictionary lookup.
        """
        of_forms = self.of_forms
        if of_forms is not None:

            def person_side(who: NormalizedPerson, _lead: Lead | None) -> tuple[Key, ...]:
                return of_forms(who.first, who.last, who.emails, who.phones)

            return person_side
        item = self.item
        memo: dict[object, tuple[Key, ...]] = {}
        finish = _finisher(item, self.keys)
        field, custom = item.field, item.custom_name
        normalizer, region = item.effective_normalizer, self.region
        fillers = self.fillers

        def lead_side(_who: NormalizedPerson, lead: Lead | None) -> tuple[Key, ...]:
            if lead is None:
                return ()
            raw = lead_value(lead, field, custom)
            # Text by itself; anything else by its type and repr, since 1, 1.0 and True
            # are equal in Python but not the same value (94110 is not 94110.0).
            source = raw if type(raw) is str else (type(raw), repr(raw))
            found = memo.get(source)
            if found is None:
                if len(memo) >= _MAX_MEMO:
                    memo.clear()
                found = memo[source] = finish(raw_values(raw, normalizer, region, fillers))
            return found

        return lead_side

    def _of_forms(self) -> OfForms:
        """
        A person item's side of a person's normal forms, memoised by what it reads.

        Its keys (exact-style items) or texts (fuzzy items): what :meth:`side` answers
        for a person with these normal forms.
        """
        field, blank = self.item.field, self.blank
        memo: dict[object, tuple[Key, ...]] = {}
        finish = _finisher(self.item, self.keys)

        def of_forms(
            first: str, last: str, emails: tuple[str, ...], phones: tuple[str, ...]
        ) -> tuple[Key, ...]:
            source: object = (
                emails if field == "email" else phones if field == "phone" else (first, last)
            )
            found = memo.get(source)
            if found is None:
                if len(memo) >= _MAX_MEMO:
                    memo.clear()
                found = memo[source] = finish(
                    person_values(field, first, last, emails, phones, blank)
                )
            return found

        return of_forms

    def keys(self, values: Sequence[Key]) -> tuple[Key, ...]:
        """The keys of values (exact-style items), as blocking and the check see them."""
        space = self.space
        if space is None:
            return _transform(self.item, values)
        return space.transform(values)

    def prepare(self, who: NormalizedPerson, lead: Lead | None, counts: Counter | None) -> object:
        """What the check needs of the inbound side (computed once per inbound lead)."""
        if self.direct:
            # A plain email or phone: the person's own set of normal forms.
            return who.email_set if self.item.field == "email" else who.phone_set
        # The same (memoised) keys as the existing side's: one definition for both.
        keys = self.side(who, lead)
        if self.item.method == "fuzzy":
            return keys
        space = self.space
        if space is not None and space.max_leads is not None and counts is not None and keys:
            limit = space.max_leads
            keys = tuple(k for k in keys if counts(space, k) <= limit)
        if self.plain:
            return keys[0] if keys else None
        return frozenset(keys)

    def ignored(
        self, who: NormalizedPerson | None, lead: Lead | None, counts: Counter | None
    ) -> tuple[Key, ...]:
        """The inbound keys ignored as held by too many leads (``max_leads``)."""
        space = self.space
        if space is None or space.max_leads is None or counts is None:
            return ()
        return tuple(
            k for k in self.keys(self.values(who, lead)) if counts(space, k) > space.max_leads
        )

    def _plain(self) -> bool:
        """Whether the check compares one normal form directly (exact on a name field)."""
        item = self.item
        return (
            self.person
            and item.method == "exact"
            and item.blanks == "never"
            and item.field in ("name", "first_name", "last_name", "full_name")
        )

    # checks ---------------------------------------------------------------------------

    def _compile(self) -> Callable[[object, NormalizedPerson, Lead | None, float | None], bool]:  # noqa: C901  # one specialised check per shape
        item, field = self.item, self.item.field
        if self.compare is not None:
            return self._fuzzy(self.compare)
        if self._plain():
            # Equal normal forms make both sides blank or neither (a placeholder is the
            # same name on both sides), so checking the inbound side is enough.
            if field == "name":
                return lambda p, who, _lead, _r: (
                    p is not None and p[0] == who.first and p[1] == who.last  # type: ignore[index]  # a (first, last) key
                )
            if field == "first_name":
                return lambda p, who, _lead, _r: p is not None and p == who.first
            if field == "last_name":
                return lambda p, who, _lead, _r: p is not None and p == who.last
            return lambda p, who, _lead, _r: p is not None and p == who.full
        space = self.space
        if space is not None and space.method == "exact" and field in ("email", "phone"):
            if field == "email":
                return lambda p, who, _lead, _r: not p.isdisjoint(who.email_set)  # type: ignore[attr-defined]  # a frozenset
            return lambda p, who, _lead, _r: not p.isdisjoint(who.phone_set)  # type: ignore[attr-defined]  # a frozenset
        side = self.side
        if item.blanks == "never":
            return lambda p, who, lead, _r: bool(p) and not p.isdisjoint(side(who, lead))  # type: ignore[attr-defined]  # a frozenset

        def blanks_match(
            p: object, who: NormalizedPerson, lead: Lead | None, _r: float | None
        ) -> bool:
            theirs = side(who, lead)
            mine: frozenset[Key] = p  # type: ignore[assignment]  # a frozenset
            if not mine and not theirs:
                return True
            return not mine.isdisjoint(theirs)

        return blanks_match

    def _fuzzy(
        self, compare: Compare
    ) -> Callable[[object, NormalizedPerson, Lead | None, float | None], bool]:
        side = self.side

        def check(p: object, who: NormalizedPerson, lead: Lead | None, r: float | None) -> bool:
            return compare(p, side(who, lead), r)  # type: ignore[arg-type]  # the inbound texts

        return check

    def _texts(self) -> Compare:
        """
        A fuzzy item's check on both sides' texts: the inbound's, the existing side's.

        ``r`` is MRG-5's ratio of the two full names, when it was computed.
        """
        item = self.item
        threshold = float(item.threshold or 0)
        scorer = item.effective_scorer
        reuse = self.person and item.field == "full_name" and scorer == "token_sort_ratio"
        blanks_match = item.blanks == "match"

        def compare(mine: tuple[str, ...], theirs: tuple[Key, ...], r: float | None) -> bool:
            if not mine or not theirs:
                if not blanks_match:
                    return False
                return _blank_meets(scorer, threshold, mine or theirs)  # type: ignore[arg-type]  # texts
            if reuse and r is not None:
                # MRG-5 scored these two full names already.
                return r >= threshold
            return _meets(scorer, threshold, mine, theirs)  # type: ignore[arg-type]  # texts

        return compare

    def may_hold(self, mine: Sequence[Key], theirs: Sequence[Key]) -> bool:
        """
        Whether the item holds between two sides' values (ignored keys already removed).

        The check's own semantics on values, for engines that hold values rather than
        people (batch deduplication's refinement of generic keys).
        """
        item = self.item
        if item.method == "fuzzy":
            one = tuple(v for v in mine if isinstance(v, str))
            two = tuple(v for v in theirs if isinstance(v, str))
            threshold = float(item.threshold or 0)
            if not one or not two:
                return item.blanks == "match" and _blank_meets(
                    item.effective_scorer, threshold, one or two
                )
            return _meets(item.effective_scorer, threshold, one, two)
        keys_one, keys_two = self.keys(mine), self.keys(theirs)
        if not keys_one and not keys_two:
            return item.blanks == "match"
        return not set(keys_one).isdisjoint(keys_two)

    def score(self, mine: Sequence[Key], theirs: Sequence[Key]) -> float | None:
        """The best fuzzy score between two sides' values (None when one is blank)."""
        if self.item.method != "fuzzy" or not mine or not theirs:
            return None
        return _best(self.item.effective_scorer, [str(v) for v in mine], [str(v) for v in theirs])


def _finisher(
    item: MatchItem, keys: Callable[[Sequence[Key]], tuple[Key, ...]]
) -> Callable[[Sequence[Key]], tuple[Key, ...]]:
    """An item's side of its values: the texts (fuzzy items) or the keys (the others)."""
    if item.method == "fuzzy":
        return lambda values: tuple(v for v in values if isinstance(v, str))
    return keys


def _cost(item: CompiledItem) -> int:
    """An order of checks: set intersections, other keys, blanks-match keys, fuzzy scores."""
    if item.item.method == "fuzzy":
        return 3
    if item.space is None:
        return 2
    return 0 if item.person and item.item.method == "exact" else 1


def _transform(item: MatchItem, values: Sequence[Key]) -> tuple[Key, ...]:
    """Keys of an exact-style item whose blanks match (no key space of its own)."""
    space = KeySpace.of(attrs.evolve(item, blanks="never"), ())
    return () if space is None else space.transform(values)


def _blank_meets(scorer: str, threshold: float, other: tuple[str, ...]) -> bool:
    """Whether a blank compared as the empty text meets the threshold (blanks match)."""
    if not other:
        return True  # two blanks: identical
    if scorer == "levenshtein":
        return min(len(v) for v in other) <= threshold
    return threshold <= 0


def _meets(scorer: str, threshold: float, mine: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    if scorer == "levenshtein":
        limit = int(threshold)
        return any(
            _fuzzy.levenshtein(a, b, score_cutoff=limit) <= limit for a in mine for b in theirs
        )
    # Scored in full, then compared: the same arithmetic wherever a score is compared.
    score = _SIMILARITY[scorer]
    return any(score(a, b) >= threshold for a in mine for b in theirs)


def _best(scorer: str, mine: list[str], theirs: list[str]) -> float:
    if scorer == "levenshtein":
        return float(min(_fuzzy.levenshtein(a, b) for a in mine for b in theirs))
    score = _SIMILARITY[scorer]
    return max(score(a, b) for a in mine for b in theirs)


# -- groups -------------------------------------------------------------------------------


class Blocking(NamedTuple):
    """
    The keys every match of a group shares (with one person of the existing lead).

    A match shares a key in every ``required`` space, and in options whose weights add
    up to at least ``at_least`` (a weight is the number of the group's items a shared
    key of that space satisfies). Batch deduplication and the index enumerate one
    required space, or enough options that every match shares one of them.
    """

    required: tuple[KeySpace, ...]
    options: tuple[tuple[KeySpace, int], ...]
    at_least: int


class CompiledGroup:
    """One group of a rule, compiled."""

    __slots__ = (
        "blocking",
        "group",
        "items",
        "label",
        "labels",
        "lacks",
        "need",
        "order",
        "people",
        "position",
        "required",
    )

    def __init__(
        self,
        group: MatchGroup,
        position: int,
        people: People,
        items: dict[str, CompiledItem],
        lacks: tuple[CompiledItem, ...],
    ) -> None:
        self.group = group
        self.position = position
        self.label: str = group.label or f"any_of[{position}]"
        self.people = people
        self.items = tuple(items[i.label] for i in group.items)
        self.required = tuple(items[i.label] for i in group.block_on)
        self.need = group.needed
        self.lacks = lacks
        self.blocking = self._blocking()
        # Cheap and selective checks first, so a pair that fails stops early.
        ordered = sorted(range(len(self.items)), key=lambda i: _cost(self.items[i]))
        self.order = tuple((1 << i, self.items[i].index, self.items[i].check) for i in ordered)
        self.labels: dict[int, tuple[str, ...]] = {}

    def _blocking(self) -> Blocking | None:
        required: dict[KeySpace, None] = {}
        for item in self.required:
            if item.space is not None:  # pragma: no branch  # block_on: keyable (MatchGroup)
                required[item.space] = None
        options: dict[KeySpace, int] = {}
        at_least = 0
        if self.group.all_of:
            for item in self.items:
                if item.space is not None:
                    required[item.space] = None
        else:
            unkeyed = 0
            for item in self.items:
                if item.space is None:
                    unkeyed += 1
                else:
                    options[item.space] = options.get(item.space, 0) + 1
            at_least = max(0, self.need - unkeyed)
        if not required and at_least <= 0:
            return None
        return Blocking(tuple(required), tuple(options.items()), at_least)

    def opens(self, who: NormalizedPerson, lead: Lead | None) -> bool:
        """Whether the group applies to this inbound side: it lacks every ``inbound_lacks``."""
        for guard in self.lacks:
            if guard.direct:
                if who.emails if guard.item.field == "email" else who.phones:
                    return False
            elif guard.side(who, lead):
                return False
        return True

    def holds(
        self,
        prepared: Sequence[object],
        who: NormalizedPerson,
        lead: Lead | None,
        ratio: float | None,
    ) -> tuple[str, ...] | None:
        """
        The labels that hold when the group holds on ``who``, else None (as :meth:`test`).

        Stops as soon as the group cannot hold: cheap checks first.
        """
        for it in self.required:
            if not it.check(prepared[it.index], who, lead, ratio):
                return None
        spare = len(self.items) - self.need
        mask = 0
        for bit, index, check in self.order:
            if check(prepared[index], who, lead, ratio):
                mask |= bit
            else:
                spare -= 1
                if spare < 0:
                    return None
        labels = self.labels.get(mask)
        return labels if labels is not None else self.labels_of(mask)

    def labels_of(self, mask: int) -> tuple[str, ...]:
        """
        The labels that hold when the group holds with its items of ``mask``, kept.

        Bit ``i`` of ``mask`` is the group's item ``i``; the required items follow.
        Callers look in :attr:`labels` first.
        """
        found = [it.label for i, it in enumerate(self.items) if mask >> i & 1]
        found.extend(it.label for it in self.required if it.label not in found)
        labels = tuple(found)
        if len(self.labels) < _MAX_MASKS:
            self.labels[mask] = labels
        return labels

    def test(
        self,
        prepared: Sequence[object],
        who: NormalizedPerson,
        lead: Lead | None,
        ratio: float | None,
    ) -> tuple[bool, list[str], float]:
        """Whether the group holds on ``who``, the labels that hold, and how close it came."""
        held = [it.label for it in self.items if it.check(prepared[it.index], who, lead, ratio)]
        count = len(held)
        ok = count >= self.need
        extra = 0
        for it in self.required:
            if it.check(prepared[it.index], who, lead, ratio):
                extra += 1
                if it.label not in held:
                    held.append(it.label)
            else:
                ok = False
        total = self.need + len(self.required)
        return ok, held, (min(count, self.need) + extra) / total


# -- the compiled rule --------------------------------------------------------------------


class Probe(NamedTuple):
    """The inbound side, prepared once: its person, lead, each item's values, open groups."""

    who: NormalizedPerson
    lead: Lead | None
    prepared: list[object]
    open: list[bool]


@attrs.frozen(eq=False)
class Spec:
    """
    A policy's match rule for one mode, compiled.

    What :func:`evaluate`, the index and the engines over tables need.

    Attributes:
        region: The default phone region.
        mode: ``auto`` or ``duplicates``.
        rule: The rule (given, or written from the rulebook's keys).
        origin: The policy key the rule comes from, for messages (``auto_merge_rule``,
            or ``auto_merge_min_conditions`` for a rule the rulebook's keys write).
        placeholders: The placeholder names.
        email_placeholders: The email fillers (``placeholder_email_locals``).
        ratio: The policy's ``duplicate_name_min_ratio`` (``name_fuzzy``'s threshold).
        folded: Their folded forms.
        items: Every item once, by label (``items[i].index == i``).
        groups: The groups, in order.
        closest: Whether some group compares the person closest by name (MRG-5).

    """

    region: str
    mode: Mode
    rule: MatchRule
    origin: str
    placeholders: tuple[str, ...]
    email_placeholders: tuple[str, ...]
    ratio: float
    folded: frozenset[str]
    items: tuple[CompiledItem, ...]
    groups: tuple[CompiledGroup, ...]
    closest: bool
    recent: dict[int, tuple[object, object, object, Probe]] = attrs.field(
        factory=dict, repr=False, eq=False
    )
    """Recent probes by the inbound person's id, with what they were made of (a batch
    decides one inbound lead against several existing ones)."""

    @property
    def exact(self) -> bool:
        """Whether every group can be blocked on exactly (see :class:`Blocking`)."""
        return all(g.blocking is not None for g in self.groups)

    @functools.cached_property
    def reads_lead(self) -> bool:
        """Whether some item or guard compares a lead or custom field (not a person's)."""
        return any(not i.person for i in self.items) or any(
            not guard.person for group in self.groups for guard in group.lacks
        )

    @functools.cached_property
    def limited(self) -> tuple[CompiledItem, ...]:
        """The items with ``max_leads``."""
        return tuple(i for i in self.items if i.space is not None and i.space.max_leads is not None)

    def spaces(self) -> tuple[KeySpace, ...]:
        """Every key space of the rule's exact-style items, in order of first use."""
        return tuple(dict.fromkeys(i.space for i in self.items if i.space is not None))

    def probe(
        self, who: NormalizedPerson, lead: Lead | None = None, counts: Counter | None = None
    ) -> Probe:
        """
        Prepare the inbound side: ``who`` is its customer, ``lead`` the lead (if any).

        Recent probes are kept (with strong references to what they were made of, so
        that identity tells): batch deduplication decides one inbound lead against
        several existing ones.
        """
        recent = self.recent
        found = recent.get(id(who))
        # Identity (the entry holds the objects, so their ids are not reused meanwhile).
        if found is not None and found[0] is who and found[1] is lead and found[2] is counts:
            return found[3]
        prepared = [item.prepare(who, lead, counts) for item in self.items]
        opened = [g.opens(who, lead) for g in self.groups]
        probe = Probe(who, lead, prepared, opened)
        if len(recent) >= _MAX_PROBES:
            recent.clear()
        recent[id(who)] = (who, lead, counts, probe)
        return probe


def _guard(
    field: str, region: str, folded: frozenset[str], fillers: tuple[str, ...]
) -> CompiledItem:
    return CompiledItem(MatchItem(field=field), -1, region, folded, fillers)


@functools.lru_cache(maxsize=64)
def compile_spec(policy: MergePolicy, mode: Mode) -> Spec:
    """Compile ``policy``'s rule for ``mode`` (cached: policies are frozen and hashable)."""
    rule = policy.rule(mode)
    key = "auto_merge" if mode == "auto" else "duplicate"
    given = policy.auto_merge_rule if mode == "auto" else policy.duplicate_rule
    origin = f"{key}_rule" if given is not None else f"{key}_min_conditions"
    region = policy.default_region
    folded = normalize.placeholder_set(policy.placeholder_names)
    fillers = tuple(policy.placeholder_email_locals)
    items: dict[str, CompiledItem] = {}
    for item in rule.items:
        items[item.label] = CompiledItem(item, len(items), region, folded, fillers)
    groups = []
    for position, group in enumerate(rule.any_of):
        lacks = tuple(_guard(f, region, folded, fillers) for f in group.inbound_lacks)
        groups.append(CompiledGroup(group, position, group.people or rule.people, items, lacks))
    return Spec(
        region=region,
        mode=mode,
        rule=rule,
        origin=origin,
        placeholders=tuple(policy.placeholder_names),
        email_placeholders=fillers,
        ratio=float(policy.duplicate_name_min_ratio),
        folded=folded,
        items=tuple(items.values()),
        groups=tuple(groups),
        closest=any(g.people == "closest" for g in groups),
    )


# -- evaluation ---------------------------------------------------------------------------


def people_of(who: Person, spec: Spec) -> NormalizedPerson:
    """The normal forms of ``who`` under ``spec``: its region and its email fillers."""
    return _person(who, region=spec.region, placeholder_email_locals=spec.email_placeholders)


def _co_customer(existing: Lead, spec: Spec) -> NormalizedPerson | None:
    """
    The co-customer's normal forms, or None when it has none.

    [decided] A co-customer with no name, email or phone after normalisation is no
    co-customer (docs/match_rules.md): under the seed's rules it can match nothing, and
    under a rule whose blanks match it would match every blank; tables drop it too.
    """
    other = existing.co_customer
    if other is None:
        return None
    co = people_of(other, spec)
    if co.first or co.last or co.emails or co.phones:
        return co
    return None


def persons(
    probe: Probe, existing: Lead, spec: Spec
) -> tuple[NormalizedPerson, NormalizedPerson | None, PersonRole, float | None, float | None]:
    """
    The existing lead's people and the one MRG-5 compares.

    Returns the customer, the co-customer (or None), the role of the person closest by
    name (the customer unless the co-customer's folded full name is strictly closer to
    the inbound one by ``token_sort_ratio``; an empty name scores 0), and the inbound
    name's ratio with the customer and with the co-customer (None when not computed).
    A co-customer without any normal form (no name, email or phone) is no co-customer.
    """
    customer = people_of(existing.customer, spec)
    co = _co_customer(existing, spec)
    if co is None:
        return customer, None, "customer", None, None
    if not spec.closest:
        return customer, co, "customer", None, None
    nearer, ratio, co_ratio = closest(probe.who.full, customer.full, co.full)
    return customer, co, ("co_customer" if nearer else "customer"), ratio, co_ratio


def closest(full: str, customer: str, co: str) -> tuple[bool, float | None, float | None]:
    """
    MRG-5: whether the co-customer is closer by name than the customer, and both ratios.

    ``full`` is the inbound customer's folded full name, ``customer`` and ``co`` the
    existing lead's people's. The co-customer is closer when its ``token_sort_ratio``
    with ``full`` is strictly higher (a tie compares the customer). With an empty
    inbound or co-customer name nothing is scored: ``(False, None, None)``.

    >>> closest("ada ng", "ada ng", "ng ada")  # a tie: the customer
    (False, 100.0, 100.0)
    >>> closest("", "bo li", "ada ng")
    (False, None, None)
    """
    if not (full and co):
        return False, None, None
    ratio = _fuzzy.token_sort_ratio(full, customer)
    co_ratio = _fuzzy.token_sort_ratio(full, co)
    return co_ratio > ratio, ratio, co_ratio


def first_match(probe: Probe, existing: Lead, spec: Spec) -> Outcome:
    """
    :func:`evaluate` without the report of a non-match (the hot path of auto, duplicates).

    Each group stops as soon as it cannot hold; a non-match answers no labels.
    """
    customer = people_of(existing.customer, spec)
    co = None if existing.co_customer is None else _co_customer(existing, spec)
    return match_people(probe, customer, co, existing, spec)


def match_people(
    probe: Probe,
    customer: NormalizedPerson,
    co: NormalizedPerson | None,
    existing: Lead | None,
    spec: Spec,
) -> Outcome:
    """
    :func:`first_match` on the existing lead's normal forms (the internal API of engines).

    ``customer`` and ``co`` are the existing lead's people as :func:`people_of` gives
    them under ``spec`` (``co`` None when the lead has no co-customer with a normal
    form); ``existing`` is read only by items and guards of lead or custom fields, and
    may be None when the rule has none (:attr:`Spec.reads_lead`). Batch deduplication
    decides on such normal forms instead of building a :class:`Lead` per row; the
    property tests check it answers as :func:`leadcore.merge.auto` and
    :func:`leadcore.merge.duplicates` do.
    """
    role: PersonRole = "customer"
    chosen = customer
    ratio: float | None = None
    co_ratio: float | None = None
    chosen_ratio: float | None = None
    if co is not None and spec.closest:
        nearer, ratio, co_ratio = closest(probe.who.full, customer.full, co.full)
        chosen_ratio = ratio
        if nearer:
            chosen, role, chosen_ratio = co, "co_customer", co_ratio
    prepared = probe.prepared
    for group in spec.groups:
        if not probe.open[group.position]:
            continue
        if group.people == "closest":
            found = group.holds(prepared, chosen, existing, chosen_ratio)
            if found is not None:
                return role, found, group.label
            continue
        found = group.holds(prepared, customer, existing, ratio)
        if found is not None:
            return "customer", found, group.label
        if group.people == "either" and co is not None:
            found = group.holds(prepared, co, existing, co_ratio)
            if found is not None:
                return "co_customer", found, group.label
    return role, (), None


def evaluate(probe: Probe, existing: Lead, spec: Spec, *, report: bool = True) -> Outcome:  # noqa: C901  # the rule's semantics in one place
    """
    Match the inbound side (``probe``) against ``existing`` (MRG-1, MRG-4, MRG-5, MRG-7).

    Groups are tried in order; the first that holds decides: its label, the labels of its
    items that hold, and the person they hold on. A group whose ``inbound_lacks`` the
    inbound customer does not lack is skipped. ``closest`` groups compare the person MRG-5
    chooses, ``either`` groups the customer then the co-customer, ``customer`` groups the
    customer. With no match, the person is MRG-5's and, with ``report``, the labels are
    those of the group that came closest (the largest share of what it needs; the first
    such group), else empty.
    """
    if not report:
        return first_match(probe, existing, spec)
    customer, co, role, ratio, co_ratio = persons(probe, existing, spec)
    chosen = co if role == "co_customer" and co is not None else customer
    chosen_ratio = co_ratio if role == "co_customer" else ratio
    prepared = probe.prepared
    best: tuple[float, list[str]] | None = None
    for group in spec.groups:
        if not probe.open[group.position]:
            continue
        people = group.people
        if people == "closest":
            ok, held, near = group.test(prepared, chosen, existing, chosen_ratio)
            if ok:
                return role, tuple(held), group.label
        else:
            ok, held, near = group.test(prepared, customer, existing, ratio)
            if ok:
                return "customer", tuple(held), group.label
            if people == "either" and co is not None:
                ok, other, other_near = group.test(prepared, co, existing, co_ratio)
                if ok:
                    return "co_customer", tuple(other), group.label
                if role == "co_customer":
                    held, near = other, other_near
        if best is None or near > best[0]:
            best = (near, held)
    return role, (tuple(best[1]) if best is not None else ()), None
