"""
Auto-merge, possible duplicates and manual merge of leads (MRG-1 to MRG-8).

* :func:`match` is the pairwise decision: does an inbound person match an existing lead,
  on which of its people, by which conditions (MRG-1, MRG-4, MRG-5, MRG-7)? It is the one
  copy of the matching rules; everything else here, and batch deduplication, calls it.
  The rules are written in a match-rule language (:class:`MatchRule`: groups of
  :class:`MatchItem` comparisons); the policy's rulebook keys write the seed's rules,
  and ``auto_merge_rule`` / ``duplicate_rule`` take any other (``docs/match_rules.md``).
* :func:`auto` decides what happens to an inbound lead: merge into an existing lead,
  route to the lot of one it may not merge with, or create (MRG-2, MRG-3, MRG-6).
* :func:`duplicates` lists the possible duplicates shown on a lead (MRG-7), never merged.
* :func:`explain` says why two leads match or not, condition by condition: the values,
  their normal forms, scores against thresholds, the closest group of conditions, and the
  windows and guards in the way ("why not").
* :func:`manual` merges two leads with a chosen master (MRG-8) and returns a record from
  which :func:`unmerge` restores both leads exactly.
* :class:`MergeIndex` holds existing leads by normalised phone, email and name, so that
  :func:`auto` and :func:`duplicates` look at the few leads sharing a key instead of
  scanning every lead, with the same answers.

Every number and list of these rules is a field of :class:`MergePolicy`. Where the rulebook is
silent the choices taken are listed in ``docs/merge.md`` ("Decisions").

>>> from datetime import datetime, timedelta, timezone
>>> now = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
>>> existing = Lead(
...     id="L1",
...     customer=Person(first_name="Ada", last_name="Lovelace", emails=["ada@example.com"]),
...     lot="north",
...     created_at=now - timedelta(days=30),
...     last_activity_at=now - timedelta(days=2),
... )
>>> inbound = Lead(
...     id="N1",
...     customer=Person(first_name="ADA", last_name="lovelace", emails=[" Ada@Example.com"]),
... )
>>> decision = auto(inbound, [existing], now=now)
>>> decision.action, decision.target, decision.lot, decision.matched
('merge', 'L1', 'north', ('name', 'email'))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal, NamedTuple

import attrs

from leadcore import _attrs as a
from leadcore import _display as d
from leadcore import _fields
from leadcore._merge.counts import KeyCounts, count_leads, limited_spaces
from leadcore._merge.engine import (
    Counter,
    Outcome,
    Probe,
    Spec,
    compile_spec,
    evaluate,
    first_match,
    people_of,
)
from leadcore._merge.explain import (
    Blocker,
    ConditionCheck,
    GroupCheck,
    MatchExplanation,
    explain,
)
from leadcore._merge.index import MergeIndex
from leadcore._merge.manual import merge_leads
from leadcore._merge.policy import (
    CONDITIONS,
    Condition,
    MergePolicy,
    Mode,
    PersonRole,
    Via,
    check_mode,
)
from leadcore._merge.reasons import both_credit, window_reasons
from leadcore._merge.rules import (
    FREE_MAIL_DOMAINS,
    PHONE_ONLY,
    Blanks,
    MatchGroup,
    MatchItem,
    MatchRule,
    Method,
    Normalizer,
    People,
    Placeholders,
    Scorer,
    rule_json,
)
from leadcore._quote import quote
from leadcore.decisions import Change, Reason, changes_between, revert
from leadcore.errors import InvalidInput
from leadcore.model import MERGED, Lead, Person
from leadcore.normalize import NormalizedPerson
from leadcore.reasons import MergeAuto

__all__ = [
    "CONDITIONS",
    "FREE_MAIL_DOMAINS",
    "PHONE_ONLY",
    "REASON_CODES",
    "Action",
    "AutoMerge",
    "Blanks",
    "Blocker",
    "Candidate",
    "Condition",
    "ConditionCheck",
    "Discarded",
    "Duplicate",
    "Duplicates",
    "GroupCheck",
    "KeyCounts",
    "ManualMerge",
    "Match",
    "MatchExplanation",
    "MatchGroup",
    "MatchItem",
    "MatchRule",
    "MergeIndex",
    "MergePolicy",
    "MergeRecord",
    "Method",
    "Mode",
    "Normalizer",
    "People",
    "PersonRole",
    "Placeholders",
    "Scorer",
    "Via",
    "auto",
    "compare",
    "duplicates",
    "explain",
    "index_is_exact",
    "manual",
    "match",
    "rule_json",
    "unmerge",
]


def __dir__() -> list[str]:
    return list(__all__)


Action = Literal["merge", "route", "create"]
"""What :func:`auto` decides for an inbound lead (MRG-6)."""

_DEFAULT: Final = MergePolicy()


# -- results ------------------------------------------------------------------------------


def _label_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return a.to_tuple(value)


def _candidate_tuple(value: Iterable[Candidate]) -> tuple[Candidate, ...]:
    return a.to_tuple(value)


def _duplicate_tuple(value: Iterable[Duplicate]) -> tuple[Duplicate, ...]:
    return a.to_tuple(value)


def _discarded_tuple(value: Iterable[Discarded]) -> tuple[Discarded, ...]:
    return a.to_tuple(value)


@attrs.frozen(kw_only=True)
class Match(a.Frozen):
    """
    How an inbound person compares with an existing lead (MRG-1, MRG-4, MRG-5).

    Attributes:
        person: The existing lead's person compared: ``customer``, or ``co_customer``
            when its name is strictly closer to the inbound name (MRG-5). For a
            phone-only match, the person who has the phone in common.
        matched: The conditions that hold, in the order ``name``, ``name_fuzzy``,
            ``email``, ``phone`` (only those the policy counts); under a match rule, the
            labels of the matching group's items that hold (for no match, those of the
            group that came closest).
        via: ``two_of_n`` when enough conditions hold, ``phone_only`` for MRG-4, None
            when the lead does not match; under a match rule, the label of the group
            that holds.

    """

    person: PersonRole
    matched: tuple[str, ...] = attrs.field(converter=_label_tuple)
    via: Via | None

    @property
    def matches(self) -> bool:
        """Whether the lead matches (``via`` is not None)."""
        return self.via is not None


@attrs.frozen(kw_only=True)
class Candidate(a.Frozen):
    """
    An existing lead that matches an inbound lead, and why it was or was not taken.

    Attributes:
        id: The existing lead's id.
        matched: The conditions that hold (see :class:`Match`).
        person: The person compared.
        via: ``two_of_n`` or ``phone_only`` (under a match rule: the group that holds).
        reasons: Why it was not taken, in the rulebook's order: ``both_credit_applications``
            (MRG-2), ``missing_dates``, ``created_too_long_ago``, ``no_recent_activity``
            (MRG-3), ``outranked`` (MRG-6). Empty for the lead merged into. The lead an
            inbound is routed to carries ``both_credit_applications``.

    """

    id: str
    matched: tuple[str, ...] = attrs.field(converter=_label_tuple)
    person: PersonRole
    via: Via
    reasons: tuple[Reason, ...] = attrs.field(converter=_fields.reason_tuple)

    @property
    def qualifies(self) -> bool:
        """Whether it is within the MRG-3 windows (a merge or routing target)."""
        return not any(r.code in _WINDOW_CODES for r in self.reasons)


@attrs.frozen(kw_only=True, repr=False)
class AutoMerge(a.Frozen, d.Shown):
    """
    What happens to an inbound lead (MRG-6), with every reason.

    Attributes:
        action: ``merge`` into ``target`` (the existing lead is master), ``route`` to
            ``lot`` because MRG-2 forbids merging with every candidate, or ``create``.
        target: The lead merged into or routed to; None for ``create``.
        lot: The lot the inbound lead goes to: the target's, or its own for ``create``.
        matched: The conditions that hold with the target (empty for ``create``).
        person: The target's person compared (None for ``create``).
        via: How the target matches (None for ``create``).
        reasons: Empty for ``merge``; ``both_credit_applications`` for ``route``; for
            ``create``, ``no_match`` when no lead matches, else every reason that kept
            the matching leads out, in the rulebook's order.
        candidates: Every existing lead that matches, best first (MRG-6 order: most
            conditions, most recent activity, smallest id), each with why it was not
            taken.

    """

    action: Action
    target: str | None
    lot: str | None
    matched: tuple[str, ...] = attrs.field(converter=_label_tuple)
    person: PersonRole | None
    via: Via | None
    reasons: tuple[Reason, ...] = attrs.field(converter=_fields.reason_tuple)
    candidates: tuple[Candidate, ...] = attrs.field(converter=_candidate_tuple)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reasons' codes, in order."""
        return tuple(r.code for r in self.reasons)

    def _view(self, rows: int) -> d.View:
        how = f"{'+'.join(self.matched)} on the {self.person}, {self.via}"
        if self.action == "merge":
            headline = f"merge into {self.target!r} (lot {self.lot!r}): {how}"
        elif self.action == "route":
            headline = f"route to lot {self.lot!r} of {self.target!r}: {', '.join(self.codes)}"
        else:
            headline = f"create (lot {self.lot!r}): {', '.join(self.codes)}"
        return d.View(
            "AutoMerge",
            headline,
            facts=[
                ("action", self.action),
                ("target", self.target),
                ("lot", self.lot),
                ("matched", self.matched),
                ("person", self.person),
                ("via", self.via),
                ("candidates", len(self.candidates)),
            ],
            tables=[
                d.reasons_table(self.reasons, rows),
                d.Table(
                    "candidates",
                    ("id", "matched", "person", "via", "reasons"),
                    [
                        (c.id, c.matched, c.person, c.via, tuple(r.code for r in c.reasons))
                        for c in self.candidates[:rows]
                    ],
                    len(self.candidates),
                ),
            ],
        )


@attrs.frozen(kw_only=True)
class Duplicate(a.Frozen):
    """
    A possible duplicate of a lead (MRG-7).

    Attributes:
        id: The existing lead's id.
        matched: The conditions that hold.
        person: The existing lead's person compared (MRG-5 applies).
        via: The group of the rule that holds: ``two_of_n`` under the rulebook's keys
            (not shown in the repr).

    """

    id: str
    matched: tuple[str, ...] = attrs.field(converter=_label_tuple)
    person: PersonRole
    via: Via = attrs.field(default="two_of_n", repr=False)


@attrs.frozen(kw_only=True, repr=False)
class Duplicates(a.Frozen, d.Shown):
    """
    The possible duplicates of a lead, sorted by id (MRG-7).

    Attributes:
        duplicates: The possible duplicates; never merged automatically.

    """

    duplicates: tuple[Duplicate, ...] = attrs.field(converter=_duplicate_tuple)

    @property
    def ids(self) -> tuple[str, ...]:
        """The duplicates' ids, sorted."""
        return tuple(d.id for d in self.duplicates)

    def _view(self, rows: int) -> d.View:
        return d.View(
            "Duplicates",
            f"{len(self.duplicates):,} possible duplicates",
            tables=[
                d.Table(
                    "duplicates",
                    ("id", "matched", "person"),
                    [(x.id, x.matched, x.person) for x in self.duplicates[:rows]],
                    len(self.duplicates),
                )
            ],
        )


@attrs.frozen(kw_only=True)
class Discarded(a.Frozen):
    """
    A value of the other lead that the merged lead does not hold (MRG-8, GEN-6).

    Attributes:
        lead: The id of the lead it came from (the other lead).
        field: Where it was: a lead field (``status``), a person's field
            (``customer.first_name``, ``customer.phones``), ``events`` or
            ``fields.<name>``.
        value: The value (for a list field, the one item that lost).

    """

    lead: str
    field: str
    value: Any = attrs.field(eq=True, hash=False)


def _discarded_table(discarded: tuple[Discarded, ...], rows: int) -> d.Table:
    return d.Table(
        "discarded",
        ("lead", "field", "value"),
        [(x.lead, x.field, d.brief(x.value)) for x in discarded[:rows]],
        len(discarded),
    )


@attrs.frozen(kw_only=True, repr=False)
class MergeRecord(a.Frozen, d.Shown):
    """
    Everything a manual merge replaced, to audit it and undo it (MRG-8, GEN-6).

    Attributes:
        master: The master's id.
        other: The other (retired) lead's id.
        changes: Every field the merge changed on either lead, with old and new values.
        discarded: Every value of the other lead the merged lead does not hold.
        retired: The other lead as retired by the merge (it keeps all its values).

    """

    master: str
    other: str
    changes: tuple[Change, ...] = attrs.field(converter=_fields.change_tuple)
    discarded: tuple[Discarded, ...] = attrs.field(converter=_discarded_tuple)
    retired: Lead

    def _view(self, rows: int) -> d.View:
        return d.View(
            "MergeRecord",
            f"{self.other!r} merged into {self.master!r}",
            facts=[
                ("master", self.master),
                ("other", self.other),
                ("changes", len(self.changes)),
                ("discarded", len(self.discarded)),
            ],
            tables=[
                d.changes_table(self.changes, rows, "changes"),
                _discarded_table(self.discarded, rows),
            ],
        )


@attrs.frozen(kw_only=True, repr=False)
class ManualMerge(a.Frozen, d.Shown):
    """
    The result of a manual merge (MRG-8).

    Attributes:
        lead: The master after the merge.
        retired: The other lead, with status ``merged`` and ``merged_into`` the master.
        record: What the merge changed and discarded; :func:`unmerge` undoes it.

    """

    lead: Lead
    retired: Lead
    record: MergeRecord

    @property
    def discarded(self) -> tuple[Discarded, ...]:
        """Every value of the other lead the merged lead does not hold."""
        return self.record.discarded

    def _view(self, rows: int) -> d.View:
        return d.View(
            "ManualMerge",
            f"{self.retired.id!r} merged into {self.lead.id!r}",
            facts=[
                ("lead", self.lead.id),
                ("retired", self.retired.id),
                ("changes", len(self.record.changes)),
                ("discarded", len(self.record.discarded)),
            ],
            tables=[
                _discarded_table(self.record.discarded, rows),
                d.changes_table(self.record.changes, rows),
            ],
        )


# -- reasons ------------------------------------------------------------------------------

_WINDOW_CODES: Final = frozenset(
    entry.code
    for entry in (
        MergeAuto.missing_dates,
        MergeAuto.created_too_long_ago,
        MergeAuto.no_recent_activity,
    )
)
REASON_CODES: Final = tuple(entry.code for entry in MergeAuto.codes)
"""Every reason code of :func:`auto`, in the order reasons are listed (the rulebook's order)."""


def _outranked(lead: Lead, winner: str) -> Reason:
    return MergeAuto.outranked.reason({"winner": winner}, lead=lead.id, winner=winner)


def _no_match(inbound: Lead) -> Reason:
    return MergeAuto.no_match.reason({}, inbound=inbound.id)


# -- validation ---------------------------------------------------------------------------


class _Query(NamedTuple):
    now: dt.datetime
    policy: MergePolicy
    leads: Sequence[Lead] | MergeIndex
    spec: Spec
    probe: Probe


def _counter(
    spec: Spec, existing: Sequence[Lead] | MergeIndex, counts: KeyCounts | None
) -> Counter | None:
    """How keys are counted for items with ``max_leads``: given, or over ``existing``."""
    if not spec.limited:
        return None
    if counts is not None:
        return counts.counter()
    if isinstance(existing, MergeIndex):
        return existing.counter(spec)
    found = count_leads(
        existing, limited_spaces([spec]), spec.region, spec.folded, spec.email_placeholders
    )

    def count(space: object, key: object) -> int:
        return found.get(space, {}).get(key, 0)  # type: ignore[call-overload, no-any-return]  # a space and a key

    return count


def _query(
    lead: Lead,
    existing: Iterable[Lead] | MergeIndex,
    *,
    now: dt.datetime,
    policy: MergePolicy,
    mode: Mode,
    counts: KeyCounts | None,
) -> _Query:
    """Prepare the inbound side of auto/duplicates once (their arguments are checked)."""
    leads = _check_existing(existing, policy)
    spec = compile_spec(policy, mode)
    who = people_of(lead.customer, spec)
    probe = spec.probe(who, lead, _counter(spec, leads, counts))
    return _Query(now, policy, leads, spec, probe)


def _check_existing(
    existing: Iterable[Lead] | MergeIndex, policy: MergePolicy
) -> Sequence[Lead] | MergeIndex:
    """The existing leads, refusing an index of another region or fillers, or a repeated id."""
    if isinstance(existing, MergeIndex):
        if existing.region != policy.default_region:
            raise InvalidInput.single(
                "policy.default_region",
                policy.default_region,
                f"must be the region the index was built with ({quote(existing.region)})",
            )
        if existing.placeholder_email_locals != policy.placeholder_email_locals:
            raise InvalidInput.single(
                "policy.placeholder_email_locals",
                policy.placeholder_email_locals,
                "must be the email fillers the index was built with "
                f"({existing.placeholder_email_locals!r})",
            )
        return existing
    leads = tuple(existing)
    if len(leads) > a.MAX_ITEMS:
        # A plain list is a scan; more than this belongs in a MergeIndex. (@a.checked
        # checks the leads' type, not their number.)
        raise InvalidInput.single(
            "existing",
            f"<{len(leads)} leads>",
            f"must hold at most {a.MAX_ITEMS} leads; use a MergeIndex for more",
        )
    seen: dict[str, int] = {}
    for position, lead in enumerate(leads):
        first = seen.setdefault(lead.id, position)
        if first != position:
            raise InvalidInput.single(
                f"existing[{position}].id",
                lead.id,
                f"is also the id of existing[{first}]; ids must be unique",
            )
    return leads


def _pool(probe: Probe, existing: Sequence[Lead] | MergeIndex, spec: Spec) -> Iterable[Lead]:
    if isinstance(existing, MergeIndex):
        return existing.lookup(probe, spec)
    return existing


@a.checked
def index_is_exact(policy: MergePolicy = _DEFAULT, *, mode: Mode = "auto") -> bool:
    """
    Return whether :class:`MergeIndex` lookups find every match under ``policy``.

    A group of the mode's rule can be looked up when every match of it shares a key:
    it has an exact-style item (exact, domain, prefix, initial; blanks not matching)
    that must hold, or a ``block_on`` item, or so many items of its ``of`` that some
    exact-style ones must hold. Fuzzy items and items whose blanks match share no key.
    Under the seed's rules this fails only when a fuzzy name alone is enough
    (``name_fuzzy`` listed and a minimum of 1). When it fails, :func:`auto` and
    :func:`duplicates` scan the index's leads instead (same answers, linear time), and
    batch deduplication refuses the policy.

    >>> index_is_exact(), index_is_exact(mode="duplicates")
    (True, True)
    >>> index_is_exact(MergePolicy(duplicate_min_conditions=1), mode="duplicates")
    False
    >>> fuzzy = MatchItem(field="full_name", method="fuzzy", threshold=90)
    >>> zip_code = MatchItem(field="fields.zip")
    >>> index_is_exact(MergePolicy(duplicate_rule=MatchRule(any_of=[
    ...     MatchGroup(all_of=[fuzzy], block_on=[zip_code])])), mode="duplicates")
    True

    Raises:
        InvalidInput: ``policy`` is not a MergePolicy, or ``mode`` is unknown.

    """
    return compile_spec(policy, check_mode(mode)).exact


# -- matching (MRG-1, MRG-4, MRG-5) -------------------------------------------------------


@a.checked
def compare(
    left: Person | NormalizedPerson,
    right: Person | NormalizedPerson,
    *,
    policy: MergePolicy = _DEFAULT,
    mode: Mode = "auto",
) -> tuple[str, ...]:
    """
    Return the items of ``mode``'s rule that hold between two people (MRG-1, MRG-7).

    Symmetric: ``compare(a, b) == compare(b, a)``. Under the seed's rules the items are
    the conditions: ``name`` (first and last present, not placeholders, each equal
    after folding), ``name_fuzzy`` (``token_sort_ratio`` of the folded full names at
    least ``duplicate_name_min_ratio``), ``email`` and ``phone`` (one in common after
    normalisation); only those listed in the policy for ``mode`` are checked. With a
    rule, every person-field item of its groups (those without ``inbound_lacks``,
    which are about the inbound lead, not about two people), once each, in the order
    they first appear.

    >>> ada = Person(first_name="Ada", last_name="Lovelace", phones=["(415) 867-5309"])
    >>> compare(ada, Person(first_name="ada", last_name="LOVELACE", phones=["4158675309"]))
    ('name', 'phone')
    >>> compare(ada, Person(first_name="Ada", last_name="Lovelac"), mode="duplicates")
    ('name_fuzzy',)

    Raises:
        InvalidInput: ``left`` or ``right`` is not a person, ``policy`` is invalid, or
            ``mode`` is unknown.

    """
    spec = compile_spec(policy, check_mode(mode))
    one = _normal(left, spec)
    two = _normal(right, spec)
    probe = spec.probe(one)
    found: dict[str, None] = {}
    for group in spec.groups:
        if group.lacks:
            continue
        for item in (*group.items, *group.required):
            if item.person and item.check(probe.prepared[item.index], two, None, None):
                found[item.label] = None
    return tuple(found)


def _normal(who: Person | NormalizedPerson, spec: Spec) -> NormalizedPerson:
    return who if isinstance(who, NormalizedPerson) else people_of(who, spec)


def _inbound(
    value: Person | NormalizedPerson | Lead, spec: Spec
) -> tuple[NormalizedPerson, Lead | None, Person | None]:
    if isinstance(value, Lead):
        return people_of(value.customer, spec), value, value.customer
    who = _normal(value, spec)
    return who, None, value if isinstance(value, Person) else None


def _single_counter(spec: Spec, existing: Lead, counts: KeyCounts | None) -> Counter | None:
    if not spec.limited:
        return None
    if counts is not None:
        return counts.counter()
    return _counter(spec, (existing,), None)


@a.checked
def match(
    inbound: Person | NormalizedPerson | Lead,
    existing: Lead,
    *,
    policy: MergePolicy = _DEFAULT,
    mode: Mode = "auto",
    counts: KeyCounts | None = None,
) -> Match:
    """
    Match an inbound lead's customer against an existing lead (MRG-1, MRG-4, MRG-5, MRG-7).

    Under the seed's rules: the existing lead's customer is compared, or its
    co-customer alone when the co-customer's folded full name is strictly closer to the
    inbound one (``token_sort_ratio``; an empty name scores 0; a tie keeps the customer:
    MRG-5). It matches ``two_of_n`` when at least the policy's minimum of the mode's
    conditions hold. In ``auto`` mode only, when that fails, it matches ``phone_only``
    (MRG-4) if the inbound person has a phone in common with either person, no usable
    email, and no name or a placeholder name. With a rule (``auto_merge_rule``,
    ``duplicate_rule``), its groups are tried in order and ``via`` is the label of the
    first that holds (see :class:`MatchRule`).

    This is the one pairwise decision behind :func:`auto`, :func:`duplicates` and batch
    deduplication; it knows nothing of dates, sources or lots (but a rule may compare
    lead fields: pass the inbound :class:`~leadcore.model.Lead` for them). Pass a
    :class:`~leadcore.normalize.NormalizedPerson` (normalised with the policy's region)
    to skip normalisation on hot paths. Keys of items with ``max_leads`` are counted
    over ``counts`` (default: the existing lead alone, so they never exceed a limit).

    >>> lead = Lead(
    ...     id="L1",
    ...     customer=Person(first_name="Bob", last_name="Stone", phones=["(415) 867-5309"]),
    ...     co_customer=Person(first_name="Alice", last_name="Stone", emails=["al@x.io"]),
    ... )
    >>> match(Person(first_name="Alice", last_name="Stone", emails=["AL@x.io"]), lead)
    Match(person='co_customer', matched=('name', 'email'), via='two_of_n')
    >>> match(Person(first_name="Unknown", phones=["+14158675309"]), lead)
    Match(person='customer', matched=('phone',), via='phone_only')

    Raises:
        InvalidInput: ``inbound`` is not a person or lead, ``existing`` not a Lead,
            ``policy`` or ``mode`` is invalid.

    """
    spec = compile_spec(policy, check_mode(mode))
    who, lead, _ = _inbound(inbound, spec)
    probe = spec.probe(who, lead, _single_counter(spec, existing, counts))
    role, matched, via = evaluate(probe, existing, spec)
    return Match(person=role, matched=matched, via=via)


# -- auto-merge (MRG-2, MRG-3, MRG-6) ----------------------------------------------------


def _activity(item: tuple[Lead, Outcome]) -> dt.datetime:
    return item[0].last_activity_at or _NEVER


_NEVER: Final = dt.datetime.min.replace(tzinfo=dt.UTC)


def _rank(found: list[tuple[Lead, Outcome]]) -> list[tuple[Lead, Outcome]]:
    """Sort by MRG-6: most conditions, most recent activity (none last), smallest id."""
    # Stable sorts, last key first (a reversed sort keeps the order of equal items).
    ordered = sorted(found, key=lambda item: item[0].id)
    ordered.sort(key=_activity, reverse=True)
    ordered.sort(key=lambda item: len(item[1][1]), reverse=True)
    return ordered


def _sorted_reasons(reasons: Iterable[Reason]) -> tuple[Reason, ...]:
    return tuple(sorted(reasons, key=lambda r: REASON_CODES.index(r.code)))


@a.checked
def auto(
    inbound: Lead,
    existing: Iterable[Lead] | MergeIndex,
    *,
    now: dt.datetime,
    policy: MergePolicy = _DEFAULT,
    counts: KeyCounts | None = None,
) -> AutoMerge:
    """
    Decide whether an inbound lead merges into an existing lead (MRG-1 to MRG-6).

    Only the inbound lead's customer is compared, against every existing lead, on all
    lots (:func:`match`). A matching lead is a merge candidate when it was created less
    than ``merge_max_age_days`` before ``now`` and had activity at most
    ``merge_max_inactivity_days`` before it (MRG-3; a lead without either date is not a
    candidate). Candidates rank by most conditions, then most recent activity, then
    smallest id (MRG-6). The inbound lead merges into the best candidate MRG-2 allows
    (not both from a credit application) and takes its lot; when MRG-2 blocks every
    candidate it is routed to the best one's lot; with no candidate it is created on its
    own lot. An existing lead with the inbound lead's id is skipped.

    ``existing`` is a list of leads (scanned) or a :class:`MergeIndex` (looked up; same
    answers). The result lists every matching lead and why it was not taken. Under a
    match rule (``auto_merge_rule``), a lead matches when a group of the rule holds;
    keys of items with ``max_leads`` are counted over ``existing``, or over ``counts``.

    >>> from datetime import datetime, timedelta, timezone
    >>> now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    >>> old = Lead(id="L1", customer=Person(phones=["(415) 867-5309"]), lot="east",
    ...            source="credit_application", created_at=now - timedelta(days=10),
    ...            last_activity_at=now)
    >>> call = Lead(id="N1", customer=Person(first_name="Null", phones=["4158675309"]),
    ...             source="credit_application")
    >>> decision = auto(call, [old], now=now)
    >>> decision.action, decision.lot, decision.via, decision.codes
    ('route', 'east', 'phone_only', ('both_credit_applications',))

    Raises:
        InvalidInput: A lead is not a Lead, two existing leads share an id, ``now`` is
            naive, or the policy does not fit the index's region.

    """
    now, policy, leads, spec, probe = _query(
        inbound, existing, now=now, policy=policy, mode="auto", counts=counts
    )
    found: list[tuple[Lead, Outcome]] = []
    for lead in _pool(probe, leads, spec):
        if lead.id == inbound.id:
            continue
        outcome = first_match(probe, lead, spec)
        if outcome[2] is not None:
            found.append((lead, outcome))
    return _decide(inbound, _rank(found), now=now, policy=policy)


@attrs.frozen
class _Judged:
    lead: Lead
    outcome: Outcome
    reasons: list[Reason]
    blocked: bool
    qualifies: bool


def _decide(
    inbound: Lead, ranked: list[tuple[Lead, Outcome]], *, now: dt.datetime, policy: MergePolicy
) -> AutoMerge:
    credit = frozenset(policy.credit_application_sources)
    inbound_credit = inbound.source in credit
    judged = []
    for lead, outcome in ranked:
        reasons = []
        blocked = inbound_credit and lead.source in credit
        if blocked:
            reasons.append(both_credit(inbound, lead))
        window = window_reasons(lead, now, policy)
        reasons.extend(window)
        judged.append(_Judged(lead, outcome, reasons, blocked, qualifies=not window))
    qualifying = [j for j in judged if j.qualifies]
    mergeable = [j for j in qualifying if not j.blocked]
    chosen = mergeable[0] if mergeable else (qualifying[0] if qualifying else None)
    candidates = []
    for j in judged:
        reasons = list(j.reasons)
        # Outranked: in the same race as the winner (mergeable, or all blocked) but not it.
        if chosen is not None and j is not chosen and j.qualifies and j.blocked == chosen.blocked:
            reasons.append(_outranked(j.lead, chosen.lead.id))
        role, matched, via = j.outcome
        candidates.append(
            Candidate(id=j.lead.id, matched=matched, person=role, via=via, reasons=reasons)  # type: ignore[arg-type]  # a match: via is set
        )
    if chosen is None:
        codes: dict[str, Reason] = {}
        for j in judged:
            for reason in j.reasons:
                codes.setdefault(reason.code, reason)
        top = _sorted_reasons(codes.values()) if codes else (_no_match(inbound),)
        return AutoMerge(
            action="create",
            target=None,
            lot=inbound.lot,
            matched=(),
            person=None,
            via=None,
            reasons=top,
            candidates=candidates,
        )
    role, matched, via = chosen.outcome
    return AutoMerge(
        action="merge" if mergeable else "route",
        target=chosen.lead.id,
        lot=chosen.lead.lot,
        matched=matched,
        person=role,
        via=via,
        reasons=() if mergeable else tuple(chosen.reasons),
        candidates=candidates,
    )


# -- possible duplicates (MRG-7) ----------------------------------------------------------


@a.checked
def duplicates(
    lead: Lead,
    existing: Iterable[Lead] | MergeIndex,
    *,
    now: dt.datetime,
    policy: MergePolicy = _DEFAULT,
    counts: KeyCounts | None = None,
) -> Duplicates:
    """
    List the possible duplicates of ``lead`` among ``existing`` (MRG-7).

    An existing lead is a possible duplicate when it had activity at most
    ``duplicate_max_inactivity_days`` before ``now`` (a lead without
    ``last_activity_at`` is not one) and at least ``duplicate_min_conditions`` of
    ``duplicate_conditions`` hold between ``lead``'s customer and its customer or
    co-customer (MRG-5 applies), or ``duplicate_rule`` holds. They are listed, sorted by
    id, never merged. ``lead`` itself (same id) is skipped, so ``existing`` may contain
    it. Keys of items with ``max_leads`` are counted over ``existing``, or ``counts``.

    >>> from datetime import datetime, timedelta, timezone
    >>> now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    >>> mine = Lead(id="L1", customer=Person(first_name="Jon", last_name="Smith",
    ...                                      emails=["js@x.io"]))
    >>> other = Lead(id="L2", customer=Person(first_name="John", last_name="Smith",
    ...                                       emails=["JS@x.io"]),
    ...              last_activity_at=now - timedelta(days=45))
    >>> duplicates(mine, [mine, other], now=now).duplicates
    (Duplicate(id='L2', matched=('name_fuzzy', 'email'), person='customer'),)

    Raises:
        InvalidInput: A lead is not a Lead, two existing leads share an id, ``now`` is
            naive, or the policy does not fit the index's region.

    """
    now, policy, leads, spec, probe = _query(
        lead, existing, now=now, policy=policy, mode="duplicates", counts=counts
    )
    limit = dt.timedelta(days=policy.duplicate_max_inactivity_days)
    found = []
    for other in _pool(probe, leads, spec):
        active = other.last_activity_at
        if other.id == lead.id or active is None or not now - active <= limit:
            continue
        role, matched, via = first_match(probe, other, spec)
        if via is not None:
            found.append(Duplicate(id=other.id, matched=matched, person=role, via=via))
    found.sort(key=lambda d: d.id)
    return Duplicates(duplicates=found)


# -- manual merge (MRG-8) -----------------------------------------------------------------


@a.checked
def manual(master: Lead, other: Lead, *, policy: MergePolicy = _DEFAULT) -> ManualMerge:
    """
    Merge ``other`` into ``master`` (MRG-8).

    Field by field, where both leads have a value the master's wins and where one has a
    value it is kept (None and blank text are no value). People merge field by field
    (customer with customer, co-customer with co-customer); phones and emails are united
    in order, an item whose normalised form is already there dropped; events (by id),
    viewers and ``fields`` (key by key) are united. ``merged_into`` is never taken from
    the other lead. The other lead is retired: status ``merged``, ``merged_into`` the
    master's id, its values otherwise kept.

    The record lists every field changed on either lead and every value of the other
    lead the merged lead does not hold (``discarded``); :func:`unmerge` undoes the merge.

    >>> master = Lead(id="A", customer=Person(first_name="Ada", phones=["4158675309"]),
    ...               status="interested")
    >>> other = Lead(id="B", customer=Person(first_name="Adah", last_name="Lovelace",
    ...                                      phones=["+1 415 867 5309", "+442079460018"]),
    ...              status="claimed")
    >>> result = manual(master, other)
    >>> c = result.lead.customer
    >>> c.first_name, c.last_name, c.phones
    ('Ada', 'Lovelace', ('4158675309', '+442079460018'))
    >>> result.retired.status, result.retired.merged_into
    ('merged', 'A')
    >>> for lost in result.discarded:
    ...     print(lost.field, repr(lost.value))
    customer.first_name 'Adah'
    customer.phones '+1 415 867 5309'
    status 'claimed'

    Raises:
        InvalidInput: Either is not a Lead, or both have the same id.

    """
    if master.id == other.id:
        raise InvalidInput.single(
            "other.id",
            other.id,
            "must differ from the master's id: a lead cannot merge with itself",
        )
    # The limits bound input, never output (GEN-5): two leads of 100,000 phones (emails,
    # viewers, events, fields) merge into one of up to 200,000.
    with a.results():
        merged, lost = merge_leads(master, other, policy.default_region)
        retired = attrs.evolve(other, status=MERGED, merged_into=master.id)
        record = MergeRecord(
            master=master.id,
            other=other.id,
            changes=changes_between(master, merged) + changes_between(other, retired),
            discarded=tuple(
                Discarded(lead=master.id if mine else other.id, field=f, value=v)
                for f, v, mine in lost
            ),
            retired=retired,
        )
        return ManualMerge(lead=merged, retired=retired, record=record)


@a.checked
@a.takes_results
def unmerge(lead: Lead, record: MergeRecord, *, retired: Lead | None = None) -> tuple[Lead, Lead]:
    """
    Undo a manual merge: return the master and the other lead as they were (MRG-8).

    ``lead`` is the merged lead; the other lead is rebuilt from the record's retired
    lead, or from ``retired`` when given (the retired lead as the caller holds it now).

    >>> result = manual(Lead(id="A", status="claimed"), Lead(id="B", lot="east"))
    >>> unmerge(result.lead, result.record) == (Lead(id="A", status="claimed"),
    ...                                         Lead(id="B", lot="east"))
    True

    Raises:
        InvalidInput: ``lead`` (or ``retired``) is not the lead the record was made for,
            or was changed since the merge.

    """
    if lead.id != record.master:
        raise InvalidInput.single(
            "lead.id", lead.id, f"must be the master of the record ({quote(record.master)})"
        )
    source = record.retired if retired is None else retired
    if source.id != record.other:
        raise InvalidInput.single(
            "retired.id",
            source.id,
            f"must be the retired lead of the record ({quote(record.other)})",
        )
    return revert(lead, record.changes), revert(source, record.changes)
