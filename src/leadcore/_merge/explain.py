"""
Why an inbound person matches an existing lead, or not: condition by condition.

:func:`detail` lays out what :func:`~leadcore._merge.engine.evaluate` decides, with the
values behind it: for each condition the two people's values as entered and their normal
forms, the fuzzy score against its threshold, and what keeps a condition from holding
(a placeholder name, no usable email...); for each *group* of conditions the engine
accepts (two-of-N, and in auto mode the phone-only rule, MRG-4) which items hold, and the
group closest to holding when none does.

The truth of every condition comes from the engine itself
(:func:`~leadcore._merge.engine.conditions` under a spec that counts all four), and the
person compared and the match from :func:`~leadcore._merge.engine.evaluate`, so an
explanation cannot disagree with a decision. :func:`leadcore.merge.explain` adds the
windows and guards (MRG-2, MRG-3, MRG-7) and the rules' own outcome.

The groups are today's fixed forms of the rules; a policy written as an OR of groups
(match rules) lists its own groups here, one :class:`GroupCheck` each, and
``closest_group`` names the one that came nearest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final, Literal

import attrs

from leadcore import _attrs as a
from leadcore import _display as d
from leadcore import _fuzzy, normalize
from leadcore._merge.engine import (
    Spec,
    compile_spec,
    conditions,
    evaluate,
    has_real_full_name,
    phone_only_eligible,
)
from leadcore._merge.policy import CONDITIONS, Condition, MergePolicy, Mode, PersonRole, Via
from leadcore._merge.reasons import both_credit, duplicate_window, window_reasons
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
]
"""What keeps a condition from holding whatever the other person's values are."""


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return a.str_tuple(value)


@attrs.frozen(kw_only=True)
class ConditionCheck(a.Frozen):
    """
    One condition between two people, with the values it looked at (MRG-1, MRG-7).

    Attributes:
        condition: ``name``, ``name_fuzzy``, ``email`` or ``phone``.
        counted: Whether the mode's policy counts it (``auto_merge_conditions`` or
            ``duplicate_conditions``).
        holds: Whether it holds between the two people, counted or not.
        inbound: The inbound person's values as entered: first and last name for
            ``name``, the full name for ``name_fuzzy``, the addresses or numbers.
        existing: The compared person's values as entered.
        inbound_normal: Their normal forms (folded names; usable emails and E.164
            phones only, duplicates dropped).
        existing_normal: The compared person's normal forms.
        common: The normal forms the two share (for ``name``, the folded name when equal).
        score: For ``name_fuzzy``, the ``token_sort_ratio`` of the folded full names.
        threshold: For ``name_fuzzy``, the policy's ``duplicate_name_min_ratio``.
        blocked_by: What keeps it from holding whatever the values: ``no_full_name``,
            ``placeholder_name`` (``name``), ``no_name`` (``name_fuzzy``),
            ``no_usable_email``, ``no_usable_phone``; None when nothing does.

    """

    condition: Condition
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


@attrs.frozen(kw_only=True)
class GroupCheck(a.Frozen):
    """
    One way of matching (a group of items that must hold together), and how far it got.

    Today's groups: ``two_of_n`` (at least the policy's minimum of the counted
    conditions, MRG-1/MRG-7) and, in auto mode, ``phone_only`` (MRG-4: a phone in
    common, no usable inbound email, no inbound name or a placeholder one).

    Attributes:
        name: The group's name.
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
    matched: tuple[Condition, ...]
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
            counted by the mode or not, with its values.
        groups: Each group of conditions that makes a match, and how far it got.
        matched: The conditions that make the match, as :func:`leadcore.merge.match`
            gives them.
        via: ``two_of_n``, ``phone_only``, or None when no group holds.
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
    matched: tuple[Condition, ...]
    via: Via | None
    closest_group: str | None
    blocked_by: tuple[Reason, ...] = attrs.field(converter=_reasons)

    @property
    def matches(self) -> bool:
        """Whether some group holds (the leads match, windows and guards aside)."""
        return self.via is not None

    def condition(self, name: str) -> ConditionCheck:
        """
        Return the check of the condition ``name``.

        Raises:
            KeyError: No such condition (one of ``name``, ``name_fuzzy``, ``email``,
                ``phone``).

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


def _full(who: Person) -> str:
    return " ".join(p for p in (who.first_name or "", who.last_name or "") if p)


def detail(inbound: Person, existing: Lead, spec: Spec) -> Detail:
    """
    Explain how ``inbound`` compares with ``existing`` under ``spec`` (one mode).

    The answer agrees with :func:`~leadcore._merge.engine.evaluate` by construction: the
    person compared, the match and its conditions are the engine's.
    """
    region = spec.region
    who = normalize.person(inbound, region=region)
    real_name = has_real_full_name(who, spec)
    phone_only = phone_only_eligible(who, spec)
    role, matched, via = evaluate(who, existing, spec, real_name=real_name, phone_only=phone_only)
    chosen = existing.customer if role == "customer" else existing.co_customer
    assert chosen is not None  # noqa: S101  # evaluate names a person the lead has
    other = normalize.person(chosen, region=region)
    customer = normalize.person(existing.customer, region=region)
    customer_score = co_score = None
    if existing.co_customer is not None:
        co = normalize.person(existing.co_customer, region=region)
        if who.full and co.full:
            customer_score = _fuzzy.token_sort_ratio(who.full, customer.full)
            co_score = _fuzzy.token_sort_ratio(who.full, co.full)
    ratio = _fuzzy.token_sort_ratio(who.full, other.full)
    every = attrs.evolve(spec, name=True, name_fuzzy=True, email=True, phone=True)
    holding = set(conditions(who, other, every, real_name=real_name, ratio=ratio))
    checks = (
        ConditionCheck(
            condition="name",
            counted=spec.name,
            holds="name" in holding,
            inbound=(inbound.first_name or "", inbound.last_name or ""),
            existing=(chosen.first_name or "", chosen.last_name or ""),
            inbound_normal=(who.first, who.last),
            existing_normal=(other.first, other.last),
            common=(who.full,) if "name" in holding else (),
            blocked_by=_name_blocker(who, other, spec),
        ),
        ConditionCheck(
            condition="name_fuzzy",
            counted=spec.name_fuzzy,
            holds="name_fuzzy" in holding,
            inbound=(_full(inbound),),
            existing=(_full(chosen),),
            inbound_normal=(who.full,),
            existing_normal=(other.full,),
            common=(),
            score=ratio,
            threshold=spec.ratio,
            blocked_by="no_name" if not who.full or not other.full else None,
        ),
        ConditionCheck(
            condition="email",
            counted=spec.email,
            holds="email" in holding,
            inbound=inbound.emails,
            existing=chosen.emails,
            inbound_normal=who.emails,
            existing_normal=other.emails,
            common=tuple(e for e in who.emails if e in other.email_set),
            blocked_by="no_usable_email" if not who.emails or not other.emails else None,
        ),
        ConditionCheck(
            condition="phone",
            counted=spec.phone,
            holds="phone" in holding,
            inbound=inbound.phones,
            existing=chosen.phones,
            inbound_normal=who.phones,
            existing_normal=other.phones,
            common=tuple(p for p in who.phones if p in other.phone_set),
            blocked_by="no_usable_phone" if not who.phones or not other.phones else None,
        ),
    )
    counted = [c for c in checks if c.counted]
    groups = [
        GroupCheck(
            name="two_of_n",
            holds=sum(c.holds for c in counted) >= spec.minimum,
            needed=spec.minimum,
            held=[c.condition for c in counted if c.holds],
            failed=[c.condition for c in counted if not c.holds],
        )
    ]
    if spec.mode == "auto":
        shared = not who.phone_set.isdisjoint(customer.phone_set) or (
            existing.co_customer is not None
            and not who.phone_set.isdisjoint(
                normalize.person(existing.co_customer, region=region).phone_set
            )
        )
        # All three hold exactly when phone_only_eligible holds and a phone is shared.
        items = {
            "phone_in_common": shared,
            "no_usable_email": not who.emails,
            "no_real_name": _no_real_name(who, spec),
        }
        groups.append(
            GroupCheck(
                name="phone_only",
                holds=all(items.values()),
                needed=len(items),
                held=[k for k, v in items.items() if v],
                failed=[k for k, v in items.items() if not v],
            )
        )
    ordered = sorted(checks, key=lambda c: CONDITIONS.index(c.condition))
    return Detail(
        person=role,
        customer_score=customer_score,
        co_customer_score=co_score,
        conditions=tuple(ordered),
        groups=tuple(groups),
        matched=matched,
        via=via,
    )


def _no_real_name(who: NormalizedPerson, spec: Spec) -> bool:
    """No name (nothing left after folding), or a placeholder name (MRG-4)."""
    return (not who.first and not who.last) or who.is_placeholder(spec.placeholders)


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
    for possible duplicates).

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
    for path, lead in (("inbound", inbound), ("existing", existing)):
        if not isinstance(lead, Lead):
            raise InvalidInput.single(path, lead, f"must be a Lead, not {type(lead).__name__}")
    problems = a.aware("now", now)
    if problems:
        raise InvalidInput(problems)
    if not isinstance(policy, MergePolicy):
        raise InvalidInput.single(
            "policy", policy, f"must be a MergePolicy, not {type(policy).__name__}"
        )
    when, rules = now, policy
    if mode not in ("auto", "duplicates"):
        raise InvalidInput.single("mode", mode, "must be 'auto' or 'duplicates'")
    if inbound.id == existing.id:
        raise InvalidInput.single(
            "existing.id", existing.id, "must differ from the inbound lead's id"
        )
    found = detail(inbound.customer, existing, compile_spec(rules, mode))
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
