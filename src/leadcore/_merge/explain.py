"""
Why an inbound person matches an existing lead, or not: condition by condition.

:func:`detail` lays out what :func:`~leadcore._merge.engine.evaluate` decides, with the
values behind it: for each condition the two people's values as entered and their normal
forms, the fuzzy score against its threshold, and what keeps a condition from holding
(a placeholder name, no usable email...); for each *group* of conditions the engine
accepts (two-of-N, and in auto mode the phone-only rule, MRG-4) which items hold, and the
group closest to holding when none does.

The truth of every condition comes from the engine itself (each item's own check of the
compiled rule, :mod:`~leadcore._merge.engine`), and the person compared and the match
from :func:`~leadcore._merge.engine.evaluate`, so an explanation cannot disagree with a
decision. :func:`leadcore.merge.explain` adds the windows and guards (MRG-2, MRG-3,
MRG-7) and the rules' own outcome.

Under the rulebook's keys the conditions are the four of MRG-1 and MRG-7 (counted by the
mode or not) and the groups ``two_of_n`` and, in auto mode, ``phone_only``; under a
match rule (``docs/match_rules.md``) the conditions are the rule's items and the groups
its groups, one :class:`GroupCheck` each, and ``closest_group`` names the one that came
nearest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final, Literal

import attrs

from leadcore import _attrs as a
from leadcore import _display as d
from leadcore import _fuzzy
from leadcore._merge.counts import KeyCounts
from leadcore._merge.engine import (
    CompiledGroup,
    CompiledItem,
    Counter,
    Probe,
    Spec,
    compile_spec,
    evaluate,
    people_of,
    persons,
)
from leadcore._merge.keys import is_placeholder_name, lead_value, raw_texts, show_key
from leadcore._merge.policy import CONDITIONS, MergePolicy, Mode, PersonRole, Via
from leadcore._merge.reasons import both_credit, duplicate_window, window_reasons
from leadcore._merge.rules import PHONE_ONLY, MatchItem, legacy_rule
from leadcore.decisions import Reason
from leadcore.errors import InvalidInput
from leadcore.model import Lead, Person
from leadcore.normalize import NormalizedPerson

__all__ = [
    "Blocker",
    "ConditionCheck",
    "Detail",
    "GroupCheck",
    "MatchExplanation",
    "detail",
    "explain",
]

Blocker = Literal[
    "no_full_name",
    "placeholder_name",
    "no_name",
    "no_usable_email",
    "no_usable_phone",
    "no_value",
]
"""What keeps a condition from holding whatever the other person's values are
(``no_value``: a match rule's item blank on a side, its blanks not matching)."""


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return a.str_tuple(value)


@attrs.frozen(kw_only=True)
class ConditionCheck(a.Frozen):
    """
    One condition between two people, with the values it looked at (MRG-1, MRG-7).

    Under a match rule, a condition is one of the rule's items (its label), on the
    person the answer is about.

    Attributes:
        condition: ``name``, ``name_fuzzy``, ``email`` or ``phone``; under a match rule,
            an item's label.
        counted: Whether the mode's policy counts it (``auto_merge_conditions`` or
            ``duplicate_conditions``; every item of a match rule counts).
        holds: Whether it holds between the two people, counted or not.
        inbound: The inbound person's values as entered: first and last name for
            ``name``, the full name for ``name_fuzzy``, the addresses or numbers.
        existing: The compared person's values as entered.
        inbound_normal: Their normal forms (folded names; usable emails and E.164
            phones only, duplicates dropped).
        existing_normal: The compared person's normal forms.
        common: The normal forms the two share (for ``name``, the folded name when equal;
            for a domain, prefix or initial item, the keys shared).
        score: For ``name_fuzzy`` (a fuzzy item), the score of the folded full names
            (the best of any two values).
        threshold: For ``name_fuzzy``, the policy's ``duplicate_name_min_ratio`` (a
            fuzzy item's threshold).
        blocked_by: What keeps it from holding whatever the values: ``no_full_name``,
            ``placeholder_name`` (``name``), ``no_name`` (``name_fuzzy``),
            ``no_usable_email``, ``no_usable_phone``, ``no_value`` (a match rule's item
            blank on a side); None when nothing does.
        field: The field compared (``email``, ``fields.vin``...).
        method: How: ``exact``, ``domain``, ``prefix``, ``initial`` or ``fuzzy``.
        comparison: For a fuzzy condition, ``>=`` (a similarity reaches the threshold)
            or ``<=`` (a Levenshtein distance stays within it); else None.
        ignored: The inbound keys ignored as held by more leads than the item's
            ``max_leads``.

    """

    condition: str
    counted: bool
    holds: bool
    inbound: tuple[str, ...] = attrs.field(converter=_texts)
    existing: tuple[str, ...] = attrs.field(converter=_texts)
    inbound_normal: tuple[str, ...] = attrs.field(converter=_texts)
    existing_normal: tuple[str, ...] = attrs.field(converter=_texts)
    common: tuple[str, ...] = attrs.field(converter=_texts)
    score: float | None = None
    threshold: float | None = None
    blocked_by: Blocker | None = None
    field: str = ""
    method: str = "exact"
    comparison: Literal[">=", "<="] | None = None
    ignored: tuple[str, ...] = attrs.field(default=(), converter=_texts)


@attrs.frozen(kw_only=True)
class GroupCheck(a.Frozen):
    """
    One way of matching (a group of items that must hold together), and how far it got.

    Under the rulebook's keys: ``two_of_n`` (at least the policy's minimum of the counted
    conditions, MRG-1/MRG-7) and, in auto mode, ``phone_only`` (MRG-4: a phone in
    common, no usable inbound email, no inbound name or a placeholder one). Under a match
    rule, its groups: their items, ``block_on`` keys, and for each ``inbound_lacks``
    field an item ``no_<field>`` (``no_usable_email``, ``no_real_name`` for
    ``full_name``) that holds when the inbound customer lacks it.

    Attributes:
        name: The group's name (its label).
        holds: Whether enough of its items hold.
        needed: How many items must hold.
        held: The items that hold, in order.
        failed: The items that do not hold, in order.

    """

    name: str
    holds: bool
    needed: int
    held: tuple[str, ...] = attrs.field(converter=_texts)
    failed: tuple[str, ...] = attrs.field(converter=_texts)

    @property
    def missing(self) -> int:
        """How many more items would have to hold (0 when the group holds)."""
        return max(0, self.needed - len(self.held))


def _conditions(value: Iterable[ConditionCheck]) -> tuple[ConditionCheck, ...]:
    return a.to_tuple(value)


def _groups(value: Iterable[GroupCheck]) -> tuple[GroupCheck, ...]:
    return a.to_tuple(value)


def _reasons(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return a.to_tuple(value)


@attrs.frozen(kw_only=True)
class Detail:
    """What :func:`detail` finds: the matching part of an explanation (internal)."""

    person: PersonRole
    customer_score: float | None
    co_customer_score: float | None
    conditions: tuple[ConditionCheck, ...]
    groups: tuple[GroupCheck, ...]
    matched: tuple[str, ...]
    via: Via | None

    @property
    def closest_group(self) -> str | None:
        """The group nearest to holding when none holds (fewest missing items, first listed)."""
        if any(g.holds for g in self.groups):
            return None
        return min(self.groups, key=lambda g: g.missing).name if self.groups else None


@attrs.frozen(kw_only=True, repr=False)
class MatchExplanation(a.Frozen, d.Shown):
    """
    Why an inbound lead matches an existing lead, or does not (MRG-1 to MRG-7).

    What :func:`leadcore.merge.explain` answers: the rules' outcome for the two leads
    alone, the person compared (MRG-5), every condition with its values, normal forms
    and score, the groups of conditions the rules accept and how far each got, and the
    windows and guards in the way.

    Attributes:
        inbound: The inbound lead's id.
        existing: The existing lead's id.
        mode: ``auto`` (auto-merge, MRG-1 to MRG-6) or ``duplicates`` (MRG-7).
        outcome: What the rules decide for the two alone: ``merge``, ``route`` or
            ``create`` (auto), ``duplicate`` or ``none`` (duplicates).
        person: The existing lead's person compared: ``customer``, or ``co_customer``
            when its name is strictly closer (MRG-5).
        customer_score: ``token_sort_ratio`` of the inbound name with the customer's,
            when MRG-5 compared them (both names and a co-customer present), else None.
        co_customer_score: The same with the co-customer's name, else None.
        conditions: Every condition (``name``, ``name_fuzzy``, ``email``, ``phone``),
            counted by the mode or not, with its values; under a match rule, every item
            of the rule.
        groups: Each group of conditions that makes a match, and how far it got.
        matched: The conditions that make the match, as :func:`leadcore.merge.match`
            gives them.
        via: ``two_of_n``, ``phone_only`` (a match rule's group label), or None when no
            group holds.
        closest_group: When no group holds, the one nearest to holding (fewest items
            missing, first listed); None when one holds. Match rules fill it with the
            nearest of their own groups.
        blocked_by: The windows and guards against the two, whether or not they match,
            in the rulebook's order: ``both_credit_applications`` (MRG-2), ``missing_dates``,
            ``created_too_long_ago``, ``no_recent_activity`` (MRG-3 in auto mode, the
            45-day activity window of MRG-7 in duplicates mode).

    """

    inbound: str
    existing: str
    mode: Mode
    outcome: str
    person: PersonRole
    customer_score: float | None
    co_customer_score: float | None
    conditions: tuple[ConditionCheck, ...] = attrs.field(converter=_conditions)
    groups: tuple[GroupCheck, ...] = attrs.field(converter=_groups)
    matched: tuple[str, ...] = attrs.field(converter=_texts)
    via: Via | None
    closest_group: str | None
    blocked_by: tuple[Reason, ...] = attrs.field(converter=_reasons)

    @property
    def matches(self) -> bool:
        """Whether some group holds (the leads match, windows and guards aside)."""
        return self.via is not None

    @property
    def why_not(self) -> tuple[ConditionCheck, ...]:
        """The conditions of the closest group that failed (empty when a group holds)."""
        closest = next((g for g in self.groups if g.name == self.closest_group), None)
        if closest is None:
            return ()
        return tuple(c for c in self.conditions if c.condition in closest.failed)

    def condition(self, name: str) -> ConditionCheck:
        """
        Return the check of the condition ``name``.

        Raises:
            KeyError: No such condition (one of ``name``, ``name_fuzzy``, ``email``,
                ``phone``; under a match rule, an item's label).

        """
        for check in self.conditions:
            if check.condition == name:
                return check
        raise KeyError(name)

    def summary(self) -> str:
        """
        Return one line: the outcome, how it matched or the closest group, and the guards.

        >>> from leadcore.merge import explain
        >>> from leadcore.model import Lead, Person
        >>> import datetime as dt
        >>> now = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
        >>> old = Lead(id="A", customer=Person(first_name="Ada", emails=["a@x.io"]),
        ...            created_at=now, last_activity_at=now)
        >>> explain(Lead(id="B", customer=Person(first_name="Ada", emails=["A@x.io"])),
        ...         old, now=now).summary()
        'B -> A (auto): create; no group holds, closest two_of_n (1 more of name, phone)'
        """
        head = f"{self.inbound} -> {self.existing} ({self.mode}): {self.outcome}"
        if self.via is not None:
            how = f"; {'+'.join(self.matched)} on the {self.person} via {self.via}"
        else:
            closest = next((g for g in self.groups if g.name == self.closest_group), None)
            how = "; no group holds"
            if closest is not None:
                how += (
                    f", closest {closest.name} ({closest.missing} more of "
                    f"{', '.join(closest.failed)})"
                )
        guards = f"; blocked by {', '.join(r.code for r in self.blocked_by)}" * bool(
            self.blocked_by
        )
        return head + how + guards

    def _view(self, rows: int) -> d.View:
        return d.View(
            "MatchExplanation",
            self.summary(),
            facts=[
                ("outcome", self.outcome),
                ("person", self.person),
                ("customer_score", self.customer_score),
                ("co_customer_score", self.co_customer_score),
                ("matched", self.matched),
                ("via", self.via),
                ("closest_group", self.closest_group),
            ],
            tables=[
                condition_table(self.conditions, rows),
                d.Table(
                    "groups",
                    ("group", "holds", "needed", "held", "failed"),
                    [(g.name, g.holds, g.needed, g.held, g.failed) for g in self.groups[:rows]],
                    len(self.groups),
                ),
                d.reasons_table(self.blocked_by, rows),
            ],
        )


CONDITION_COLUMNS: Final = (
    "condition",
    "counted",
    "holds",
    "inbound",
    "existing",
    "inbound_normal",
    "existing_normal",
    "score",
    "threshold",
    "blocked_by",
)


def condition_table(checks: tuple[ConditionCheck, ...], rows: int) -> d.Table:
    """The conditions of an explanation as a display table."""
    return d.Table(
        "conditions",
        CONDITION_COLUMNS,
        [
            (
                c.condition,
                c.counted,
                c.holds,
                c.inbound,
                c.existing,
                c.inbound_normal,
                c.existing_normal,
                c.score,
                c.threshold,
                c.blocked_by,
            )
            for c in checks[:rows]
        ],
        len(checks),
    )


def _name_blocker(one: NormalizedPerson, two: NormalizedPerson, spec: Spec) -> Blocker | None:
    if not one.has_full_name or not two.has_full_name:
        return "no_full_name"
    if one.is_placeholder(spec.placeholders) or two.is_placeholder(spec.placeholders):
        return "placeholder_name"
    return None


def _only_placeholders(who: NormalizedPerson, field: str, folded: frozenset[str]) -> bool:
    """Whether ``who`` has the name ``field`` reads, but only as placeholders."""
    if field == "first_name":
        return who.first in folded
    if field == "last_name":
        return who.last in folded
    return is_placeholder_name(who.first, who.last, folded)


def _full(who: Person) -> str:
    return " ".join(p for p in (who.first_name or "", who.last_name or "") if p)


def _entered(item: MatchItem, who: Person, lead: Lead | None) -> tuple[str, ...]:
    """An item's values as entered: a person's names, emails or phones, a field's text."""
    field = item.field
    if item.kind != "person":
        return () if lead is None else raw_texts(lead_value(lead, field, item.custom_name))
    if field == "name":
        return (who.first_name or "", who.last_name or "")
    if field == "full_name":
        return (_full(who),)
    if field == "first_name":
        return (who.first_name or "",)
    if field == "last_name":
        return (who.last_name or "",)
    return who.emails if field == "email" else who.phones


def _normals(
    item: CompiledItem, who: NormalizedPerson | None, lead: Lead | None
) -> tuple[str, ...]:
    """An item's normal forms: a person's (as the rulebook's conditions show them) or a field's."""
    field = item.item.field
    if item.person and who is not None:
        if field == "name":
            return (who.first, who.last)
        if field == "full_name":
            return (who.full,)
        if field == "first_name":
            return (who.first,)
        if field == "last_name":
            return (who.last,)
        return who.emails if field == "email" else who.phones
    return tuple(show_key(v) for v in item.values(who, lead))


def _blocker(
    item: CompiledItem, one: NormalizedPerson, two: NormalizedPerson, spec: Spec, *, blank: bool
) -> Blocker | None:
    field, method = item.item.field, item.item.method
    if item.person and field == "name" and method in ("exact", "fuzzy"):
        return _name_blocker(one, two, spec)
    if (
        item.person
        and blank
        and item.blank is not None
        and item.item.blanks == "never"
        and field in ("full_name", "first_name", "last_name")
        and any(_only_placeholders(w, field, item.blank) for w in (one, two))
    ):
        # A side whose name is made only of placeholders ("Unknown Null"), which the
        # item counts as blank: no score, whatever the other side's name.
        return "placeholder_name"
    if item.person and method in ("exact", "fuzzy"):
        if field == "full_name" and method == "fuzzy":
            return "no_name" if not one.full or not two.full else None
        if field == "email":
            return "no_usable_email" if not one.emails or not two.emails else None
        if field == "phone":
            return "no_usable_phone" if not one.phones or not two.phones else None
    return "no_value" if blank and item.item.blanks == "never" else None


def _check(  # noqa: PLR0917  # an item, both sides, how it is counted
    item: CompiledItem,
    probe: Probe,
    inbound: Person,
    chosen: Person,
    other: NormalizedPerson,
    existing: Lead,
    spec: Spec,
    *,
    counted: bool,
    ratio: float | None,
    counts: Counter | None,
) -> ConditionCheck:
    """One item between the inbound side and ``other`` (a person of ``existing``)."""
    who, lead = probe.who, probe.lead
    holds = item.check(item.prepare(who, lead, counts), other, existing, ratio)
    mine, theirs = item.values(who, lead), item.values(other, existing)
    fuzzy = item.item.method == "fuzzy"
    ignored = [show_key(k) for k in item.ignored(who, lead, counts)]
    if fuzzy:
        common: list[str] = []
    elif item.item.field == "name" and item.item.method == "exact":
        common = [who.full] if holds else []
    else:
        theirs_keys = set(item.keys(theirs))
        common = [
            show_key(k) for k in item.keys(mine) if k in theirs_keys and show_key(k) not in ignored
        ]
    score = item.score(mine, theirs)
    if item.label == "name_fuzzy" and spec.origin.endswith("_min_conditions"):
        # The rulebook's name_fuzzy shows the names' score even when they cannot count
        # (a placeholder, an empty name: 0).
        score = _fuzzy.token_sort_ratio(who.full, other.full)
    threshold = item.item.threshold
    return ConditionCheck(
        condition=item.label,
        counted=counted,
        holds=holds,
        inbound=_entered(item.item, inbound, lead),
        existing=_entered(item.item, chosen, existing),
        inbound_normal=_normals(item, who, lead),
        existing_normal=_normals(item, other, existing),
        common=common,
        score=score,
        threshold=None if threshold is None else float(threshold),
        blocked_by=_blocker(item, who, other, spec, blank=not mine or not theirs),
        field=item.item.field,
        method=item.item.method,
        comparison=(
            ("<=" if item.item.effective_scorer == "levenshtein" else ">=") if fuzzy else None
        ),
        ignored=ignored,
    )


_LACKS: Final = {
    "email": "no_usable_email",
    "full_name": "no_real_name",
    "phone": "no_usable_phone",
}


def _group_check(
    group: CompiledGroup,
    probe: Probe,
    existing: Lead,
    people: list[tuple[PersonRole, NormalizedPerson, float | None]],
    via: Via | None,
) -> GroupCheck:
    """How far one group got, on the person it holds on (else the one it came nearest)."""
    best: tuple[int, list[str], list[str], bool] | None = None
    for _, who, ratio in people:
        held: list[str] = []
        failed: list[str] = []
        for item in (*group.items, *group.required):
            name = "phone_in_common" if group.group == PHONE_ONLY else item.label
            ok = item.check(probe.prepared[item.index], who, existing, ratio)
            (held if ok else failed).append(name)
        for guard in group.lacks:
            name = _LACKS.get(guard.item.field, f"no_{guard.item.field}")
            (failed if guard.side(probe.who, probe.lead) else held).append(name)
        holds = group.label == via
        score = (1 if holds else 0, len(held))
        if best is None or score > (1 if best[3] else 0, best[0]):
            best = (len(held), held, failed, holds)
    assert best is not None  # noqa: S101  # a group has a person to compare
    return GroupCheck(
        name=group.label,
        holds=best[3],
        needed=group.need + len(group.required) + len(group.lacks),
        held=best[1],
        failed=best[2],
    )


def _conditions_of(spec: Spec) -> list[tuple[CompiledItem, bool]]:
    """The conditions to show: the four of the rulebook's keys, or a match rule's items."""
    if not spec.origin.endswith("_min_conditions"):
        return [(item, True) for item in spec.items]
    by_label = {item.label: item for item in spec.items}
    # Every condition of the rulebook's keys, counted or not, in their order; those the
    # policy does not count are compiled from the same rule as if it did.
    every = compile_spec_everything(spec)
    return [
        (by_label.get(name, every[name]), name in {i.label for i in spec.groups[0].items})
        for name in CONDITIONS
    ]


def compile_spec_everything(spec: Spec) -> dict[str, CompiledItem]:
    """The four conditions of the rulebook's keys, compiled as ``spec`` compiles items."""
    ratio = next(
        (float(i.item.threshold or 0) for i in spec.items if i.label == "name_fuzzy"), None
    )
    if ratio is None:
        ratio = spec.ratio
    rule = legacy_rule(CONDITIONS, 1, ratio, phone_only=False)
    return {
        item.label: CompiledItem(item, index, spec.region, spec.folded, spec.email_placeholders)
        for index, item in enumerate(rule.groups[0].items)
    }


def detail(
    inbound: Person,
    existing: Lead,
    spec: Spec,
    *,
    lead: Lead | None = None,
    counts: Counter | None = None,
) -> Detail:
    """
    Explain how ``inbound`` compares with ``existing`` under ``spec`` (one mode).

    The answer agrees with :func:`~leadcore._merge.engine.evaluate` by construction: the
    person compared, the match and its items are the engine's. ``lead`` is the inbound
    lead (for the lead and custom fields a match rule compares), ``counts`` how keys are
    counted for items with ``max_leads``.
    """
    who = people_of(inbound, spec)
    probe = spec.probe(who, lead, counts)
    role, matched, via = evaluate(probe, existing, spec)
    customer, co, chosen_role, ratio, co_ratio = persons(probe, existing, spec)
    chosen = existing.customer if role == "customer" else existing.co_customer
    assert chosen is not None  # noqa: S101  # evaluate names a person the lead has
    other = co if role == "co_customer" and co is not None else customer
    other_ratio = co_ratio if role == "co_customer" else ratio
    customer_score = ratio if co is not None else None
    co_score = co_ratio if co is not None else None
    checks = [
        _check(
            item,
            probe,
            inbound,
            chosen,
            other,
            existing,
            spec,
            counted=counted,
            ratio=other_ratio,
            counts=counts,
        )
        for item, counted in _conditions_of(spec)
    ]
    people: dict[str, tuple[PersonRole, NormalizedPerson, float | None]] = {
        "customer": ("customer", customer, ratio)
    }
    if co is not None:
        people["co_customer"] = ("co_customer", co, co_ratio)
    groups = []
    for group in spec.groups:
        if group.label == via:
            on = [people[role]]
        elif group.people == "closest":
            on = [people[chosen_role]]
        elif group.people == "either":
            on = list(people.values())
        else:
            on = [people["customer"]]
        groups.append(_group_check(group, probe, existing, on, via))
    return Detail(
        person=role,
        customer_score=customer_score,
        co_customer_score=co_score,
        conditions=tuple(checks),
        groups=tuple(groups),
        matched=matched,
        via=via,
    )


# -- the public function ----------------------------------------------------------------

_DEFAULT: Final = MergePolicy()


@a.checked
def explain(
    inbound: Lead,
    existing: Lead,
    *,
    now: dt.datetime,
    policy: MergePolicy = _DEFAULT,
    mode: Mode = "auto",
    counts: KeyCounts | None = None,
) -> MatchExplanation:
    """
    Explain what the merge rules decide for two leads, and why (MRG-1 to MRG-7).

    The "why not" of :func:`auto` and :func:`duplicates` for one existing lead: the
    outcome (what :func:`auto` or :func:`duplicates` decide with ``existing`` as the only
    existing lead), the person compared (MRG-5, with both scores), every condition with
    the two values as entered, their normal forms and, for ``name_fuzzy``, the score
    against its threshold; the groups of conditions that make a match (two-of-N, and
    phone-only in auto mode) with the items that held and failed, the closest group when
    none holds; and every window or guard against the pair, whether or not it matches
    (MRG-2 credit applications and MRG-3 windows in auto mode, the MRG-7 activity window
    for possible duplicates). Under a match rule (``auto_merge_rule``,
    ``duplicate_rule``), the conditions are the rule's items and the groups its groups;
    keys of items with ``max_leads`` are counted over ``counts`` (default: the existing
    lead alone).

    >>> import datetime as dt
    >>> now = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
    >>> old = Lead(id="L1", customer=Person(first_name="Jon", last_name="Smith",
    ...                                     phones=["(415) 867-5309"]),
    ...            created_at=now - dt.timedelta(days=400), last_activity_at=now)
    >>> new = Lead(id="L2", customer=Person(first_name="John", last_name="Smith",
    ...                                     phones=["+1 415 867 5309"]))
    >>> why = explain(new, old, now=now)
    >>> why.outcome, why.via, why.closest_group
    ('create', None, 'two_of_n')
    >>> check = why.condition("phone")
    >>> check.holds, check.inbound, check.existing_normal, check.common
    (True, ('+1 415 867 5309',), ('+14158675309',), ('+14158675309',))
    >>> fuzzy = why.condition("name_fuzzy")
    >>> fuzzy.counted, round(fuzzy.score, 1), fuzzy.threshold
    (False, 94.7, 90.0)
    >>> [r.code for r in why.blocked_by]
    ['created_too_long_ago']
    >>> explain(new, old, now=now, mode="duplicates").outcome
    'duplicate'

    Raises:
        InvalidInput: A lead is not a Lead, both have the same id, ``now`` is naive, or
            the policy is invalid.

    """
    # The leads, now, the policy and the mode are checked (@a.checked).
    when, rules = now, policy
    if inbound.id == existing.id:
        raise InvalidInput.single(
            "existing.id", existing.id, "must differ from the inbound lead's id"
        )
    spec = compile_spec(rules, mode)
    counter = None
    if spec.limited and counts is not None:
        counter = counts.counter()
    found = detail(inbound.customer, existing, spec, lead=inbound, counts=counter)
    guards: list[Reason] = []
    if mode == "auto":
        credit = frozenset(rules.credit_application_sources)
        blocked = inbound.source in credit and existing.source in credit
        if blocked:
            guards.append(both_credit(inbound, existing))
        window = window_reasons(existing, when, rules)
        guards.extend(window)
        # What auto() decides with this one existing lead (MRG-2, MRG-3, MRG-6); the
        # property tests check that it is auto()'s answer.
        outcome = "create" if found.via is None or window else ("route" if blocked else "merge")
    else:
        guards.extend(duplicate_window(existing, when, rules))
        # What duplicates() decides with this one existing lead (MRG-7).
        outcome = "duplicate" if found.via is not None and not guards else "none"
    return MatchExplanation(
        inbound=inbound.id,
        existing=existing.id,
        mode=mode,
        outcome=outcome,
        person=found.person,
        customer_score=found.customer_score,
        co_customer_score=found.co_customer_score,
        conditions=found.conditions,
        groups=found.groups,
        matched=found.matched,
        via=found.via,
        closest_group=found.closest_group,
        blocked_by=guards,
    )
