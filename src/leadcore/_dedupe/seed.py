"""
The rulebook's keys by kind (name, email, phone): the blocking the Spark engine runs.

The local engine blocks any match rule through key spaces (:mod:`leadcore._dedupe.block`).
The Spark engine (``leadcore._spark``) was built on the rulebook's keys (MRG-1, MRG-4,
MRG-7: a two-of-n group over name, email and phone, ``name_fuzzy``, the phone-only
group) and joins keys by *kind*; this module is what it calls. The keys are the key
spaces' own (:func:`leadcore._merge.keys.person_values`, one definition for both
engines), and :func:`seed_keys` reads the kinds from the compiled rule, so a policy's
rulebook keys mean the same on both engines. A policy with a match rule
(``auto_merge_rule``, ``duplicate_rule``) has no kinds: :func:`seed_keys` gives None and
the Spark engine refuses it (see ``docs/spark.md``); moving the Spark engine onto
key spaces is described in ``docs/decisions.md`` (Match rules).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Final, Literal, NamedTuple

from leadcore import _fuzzy
from leadcore._dedupe.block import Person, generic_problem
from leadcore._merge.engine import Spec
from leadcore._merge.keys import Key, person_values, show_key
from leadcore._merge.rules import rule_json
from leadcore.errors import InvalidInput

__all__ = [
    "KINDS",
    "Key",
    "Kind",
    "Person",
    "RealName",
    "SeedKeys",
    "close_pairs",
    "full_name",
    "generic_error",
    "loads",
    "person_keys",
    "phone_only_person",
    "plan",
    "real_names",
    "row_keys",
    "seed_keys",
    "seed_of",
    "shares_enough",
    "show_key",
]

Kind = Literal["name", "email", "phone"]
KINDS: Final[tuple[Kind, ...]] = ("name", "email", "phone")

RealName = Callable[[tuple[str, str]], bool]
"""Whether a (first, last) folded name can meet the ``name`` condition."""


class SeedKeys(NamedTuple):
    """A mode's rulebook keys, as the Spark engine reads them (:func:`seed_keys`)."""

    spec: Spec
    kinds: tuple[Kind, ...]
    """The keyed conditions listed (``name``, ``email``, ``phone``), in that order."""
    required_kinds: int
    """How many kinds of key any two-of-n match shares (the minimum, less ``name_fuzzy``)."""
    name_fuzzy: bool
    phone_only: bool
    """Whether the phone-only group (MRG-4) is in the rule (auto-merge)."""

    @property
    def mode(self) -> str:
        """``auto`` or ``duplicates``."""
        return self.spec.mode

    @property
    def ratio(self) -> float:
        """``name_fuzzy``'s threshold."""
        return self.spec.ratio


def seed_keys(spec: Spec) -> SeedKeys | None:
    """
    The rulebook's keys of ``spec``; None when its rule was given (a match rule).

    Read from the rule the rulebook's keys write (:func:`leadcore._merge.rules.legacy_rule`):
    its group ``two_of_n`` lists the conditions and their minimum, and auto-merge adds
    the group ``phone_only``.
    """
    if spec.origin.endswith("_rule"):
        return None
    two = spec.groups[0]
    labels = {i.item.label for i in two.items}
    name_fuzzy = "name_fuzzy" in labels
    kinds = tuple(k for k in KINDS if k in labels)
    return SeedKeys(
        spec=spec,
        kinds=kinds,
        required_kinds=two.need - (1 if name_fuzzy else 0),
        name_fuzzy=name_fuzzy,
        phone_only=any(g.label == "phone_only" for g in spec.groups[1:]),
    )


def seed_of(spec: Spec) -> SeedKeys:
    """
    The rulebook's keys of ``spec``, or the Spark engine's refusal of a match rule.

    Raises:
        InvalidInput: ``spec``'s rule was given (``policy.merge.auto_merge_rule``...).

    """
    found = seed_keys(spec)
    if found is None:
        raise InvalidInput.single(
            f"policy.merge.{spec.origin}",
            rule_json(spec.rule),
            "is a match rule: the Spark engine runs the rulebook's keys only "
            "(auto_merge_conditions, duplicate_conditions...); run a match rule on the "
            "local engine (leadcore.dedupe.find of a file or a table)",
        )
    return found


def person_keys(person: Person, kind: Kind, real: RealName) -> tuple[Key, ...]:
    """
    The blocking keys of one kind a person holds.

    Phones and emails are the normal forms themselves; a name is the (first, last) pair
    when both are present and ``real`` (not a placeholder under the rules).

    >>> person_keys(("ada", "lovelace", ("ada@x.org",), ()), "name", lambda name: True)
    (('ada', 'lovelace'),)
    """
    first, last, emails, phones = person
    if kind == "phone":
        return phones
    if kind == "email":
        return emails
    return ((first, last),) if first and last and real((first, last)) else ()


def real_names(spec: Spec) -> RealName:
    """Whether a (first, last) folded name is real under ``spec`` (memoised per name)."""
    memo: dict[tuple[str, str], bool] = {}
    blank = spec.folded

    def real(name: tuple[str, str]) -> bool:
        found = memo.get(name)
        if found is None:
            found = memo[name] = bool(person_values("name", name[0], name[1], (), (), blank))
        return found

    return real


def row_keys(
    customer: Person, co: Person | None, kinds: Sequence[Kind], real: RealName
) -> list[tuple[Kind, Key, bool]]:
    """
    Every blocking key of a row, once: ``(kind, key, held by the customer)``.

    A row is in the block of every key either of its persons holds (it is found as an
    existing lead through any of them); as an inbound lead only its customer's keys
    count (the third item). Keys of the customer come first, in :func:`person_keys`
    order, then the co-customer's others.
    """
    found: list[tuple[Kind, Key, bool]] = []
    for kind in kinds:
        own = person_keys(customer, kind, real)
        found.extend((kind, k, True) for k in own)
        if co is not None:
            found.extend((kind, k, False) for k in person_keys(co, kind, real) if k not in own)
    return found


def shares_enough(
    inbound: Person,
    existing: Sequence[Person],
    kinds: Sequence[Kind],
    required: int,
    real: RealName,
) -> bool:
    """
    Whether the inbound customer shares ``required`` kinds of key with one existing person.

    Necessary for a two-of-n match; the merge rules decide.
    """
    first, last, emails, phones = inbound
    named = "name" in kinds and bool(first) and bool(last) and real((first, last))
    emailed = "email" in kinds and bool(emails)
    phoned = "phone" in kinds and bool(phones)
    for other_first, other_last, other_emails, other_phones in existing:
        shared = 0
        if named and other_first == first and other_last == last:
            shared += 1
        if emailed and any(e in other_emails for e in emails):
            shared += 1
        if phoned and any(p in other_phones for p in phones):
            shared += 1
        if shared >= required:
            return True
    return False


def full_name(first: str, last: str) -> str:
    """A person's full folded name, as ``name_fuzzy`` compares it."""
    return f"{first} {last}".strip()


def close_pairs(
    mine: dict[str, list[int]], theirs: dict[str, list[int]], ratio: float
) -> set[tuple[int, int]]:
    """
    The (inbound, existing) rows whose folded names reach the ``name_fuzzy`` ratio.

    ``mine``: inbound customers' full folded names to their rows; ``theirs``: existing
    persons' names to their rows. Scored as the rule scores (``token_sort_ratio``), after
    a length bound no close pair can miss.
    """
    # rapidfuzz's ratio is 200 * matches / (len1 + len2) with matches <= the shorter
    # length; token sorting keeps a folded name's length (single spaces, trimmed). So
    # a pair below this length bound cannot reach the ratio and is not scored.
    by_length: dict[int, list[str]] = {}
    for name in theirs:
        by_length.setdefault(len(name), []).append(name)
    score = _fuzzy.token_sort_ratio
    found: set[tuple[int, int]] = set()
    for name, xs in mine.items():
        size = len(name)
        close: list[int] = []
        for length, names in by_length.items():
            if 200 * min(size, length) < ratio * (size + length):
                continue
            for other in names:
                if score(name, other, score_cutoff=ratio) >= ratio:
                    close.extend(theirs[other])
        found.update((x, y) for x in xs for y in close if x != y)
    return found


def phone_only_person(person: Person, seed: SeedKeys) -> bool:
    """
    Whether an inbound customer may match on a phone alone (MRG-4) under ``seed``.

    The phone-only group's guard: a phone, no email, no real name (blank or a
    placeholder), as :data:`leadcore.merge.PHONE_ONLY`'s ``inbound_lacks`` reads it.
    """
    first, last, emails, phones = person
    if not seed.phone_only or not phones or emails:
        return False
    return not person_values("full_name", first, last, (), (), seed.spec.folded)


def loads(counts: Mapping[Kind, Counter[Key]], limit: int) -> dict[Kind, int]:
    """The pairs each kind's blocks would give (keys held by 2 to ``limit`` rows)."""
    return {
        kind: sum(c * (c - 1) for c in found.values() if 1 < c <= limit)
        for kind, found in counts.items()
    }


def plan(
    kinds: Sequence[Kind], required: int, load: Callable[[], dict[Kind, int]]
) -> tuple[Kind, ...]:
    """
    The kinds to enumerate: leave out ``required - 1``, names first, then the largest.

    ``load`` gives each kind's pairs (see :func:`loads`), asked only when needed; the
    local engine's :func:`leadcore._dedupe.block.plan` chooses the same for the
    rulebook's keys.
    """
    skip = max(0, required - 1)
    if not skip:
        return tuple(kinds)
    left_out: list[Kind] = ["name"] if "name" in kinds else []
    if len(left_out) < skip:
        found = load()
        weights = {kind: found.get(kind, 0) for kind in kinds if kind != "name"}
        rest = sorted(weights, key=lambda k: (-weights[k], k))
        left_out += rest[: skip - len(left_out)]
    return tuple(k for k in kinds if k not in left_out)


def generic_error(big: Mapping[Kind, Mapping[Key, int]], limit: int) -> InvalidInput:
    """The error of ``generic_keys='error'``: every generic key, by kind, most held first."""
    return InvalidInput(
        [
            generic_problem(kind, k, c, limit)
            for kind in KINDS
            for k, c in sorted(big.get(kind, {}).items(), key=lambda i: (-i[1], show_key(i[0])))
        ]
    )
