"""
The merge family's vocabulary and its policy, :class:`~leadcore.merge.MergePolicy` (GEN-7).

At the bottom of the family: the engine, the index and :mod:`leadcore.merge` import it,
it imports none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, Literal

import attrs

from leadcore import _attrs as a
from leadcore import _fields, normalize
from leadcore._merge.rules import MatchRule, legacy_rule
from leadcore.errors import InvalidInput, Problem

__all__ = [
    "CONDITIONS",
    "MODES",
    "Condition",
    "MergePolicy",
    "Mode",
    "PersonRole",
    "Via",
    "check_mode",
]

Condition = Literal["name", "name_fuzzy", "email", "phone"]
"""
A match condition between two people (MRG-1, MRG-7).

``name``: first and last names present, not placeholders, equal after folding;
``name_fuzzy``: full names at least ``duplicate_name_min_ratio`` alike; ``email``: an
address in common; ``phone``: a number in common in E.164.
"""

PersonRole = Literal["customer", "co_customer"]
"""The person of an existing lead a match holds on: its customer, or its co-customer (MRG-5)."""

Via = str
"""How a lead matched: the label of the rule's group that holds: ``two_of_n`` (enough
conditions, MRG-1) or ``phone_only`` (a phone alone, MRG-4) under the rulebook's keys."""

Mode = Literal["auto", "duplicates"]
"""Which rules a comparison applies: auto-merge's (MRG-1, MRG-4) or duplicates' (MRG-7)."""

MODES: Final[tuple[Mode, ...]] = ("auto", "duplicates")
"""The two rules a policy holds: auto-merge and possible duplicates."""

CONDITIONS: Final[tuple[Condition, ...]] = ("name", "name_fuzzy", "email", "phone")
"""Every match condition, in the order results list them."""

_MAX_DAYS: Final = 1_000_000
"""Largest number of days a window may have (beyond it ``timedelta`` overflows)."""


# -- policy -------------------------------------------------------------------------------


def _conditions_check(path: str, value: object) -> list[Problem]:
    found = a.collection(a.text)(path, value)
    if found:
        return found
    items: tuple[str, ...] = value  # type: ignore[assignment]  # a tuple of str, checked above
    if not items:
        return [Problem(path, value, "must name at least one condition")]
    problems = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item not in CONDITIONS:
            known = ", ".join(repr(c) for c in CONDITIONS)
            problems.append(Problem(f"{path}[{index}]", item, f"must be one of {known}"))
        elif item in seen:
            problems.append(Problem(f"{path}[{index}]", item, "is listed twice"))
        seen.add(item)
    return problems


def _days_check(path: str, value: object) -> list[Problem]:
    found = a.count(path, value)
    if not found and value > _MAX_DAYS:  # type: ignore[operator]  # an int, checked above
        return [Problem(path, value, f"must be at most {_MAX_DAYS:,} days")]
    return found


def _ratio_check(path: str, value: object) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [Problem(path, value, f"must be a number, not {type(value).__name__}")]
    if not 0 <= value <= 100:  # a percentage
        return [Problem(path, value, "must be between 0 and 100")]
    return []


class _BadRule:
    """A rule that could not be read: its problems, reported by the field's check."""

    __slots__ = ("problems",)

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)


def _rule(value: object) -> object:
    """Read a rule given as JSON (a mapping); hand anything else through to the check."""
    if isinstance(value, Mapping):
        try:
            return MatchRule.from_json(value)
        except InvalidInput as error:
            return _BadRule(error.problems)
    return value


def _rule_check(path: str, value: object) -> list[Problem]:
    if value is None or isinstance(value, MatchRule):
        return []
    if isinstance(value, _BadRule):
        return [p.under(path) for p in value.problems]
    return [
        Problem(
            path,
            value,
            f"must be a match rule (a MatchRule or its JSON object), not {type(value).__name__}",
        )
    ]


def check_mode(mode: object, path: str = "mode") -> Mode:
    """
    Return ``mode`` if it is ``auto`` or ``duplicates``.

    Raises:
        InvalidInput: Any other value.

    """
    if mode not in MODES:
        raise InvalidInput.single(path, mode, "must be 'auto' or 'duplicates'")
    return mode


def _conditions(value: Iterable[str]) -> tuple[Condition, ...]:
    return a.to_tuple(value)  # type: ignore[arg-type]  # the check reports unknown names


_texts = a.collection(a.text)


@attrs.frozen(kw_only=True, cache_hash=True)
class MergePolicy(a.Frozen):
    """
    Every knob of the merge rules, with the rulebook's values as defaults (GEN-7).

    >>> MergePolicy(merge_max_age_days=180).merge_max_age_days
    180
    >>> MergePolicy(auto_merge_conditions=["email", "phone"]).auto_merge_conditions
    ('email', 'phone')

    Attributes:
        default_region: Region for phone numbers written without a country code (MRG-1).
        placeholder_names: Names that mean "no name" (MRG-4, case-insensitive).
        placeholder_email_locals: Local parts that make an email a filler
            (``none@none.com``): unusable, it never matches and is not "an email" for
            MRG-4 (v1.2 of the rules; see :func:`leadcore.normalize.is_placeholder_email`).
        credit_application_sources: Lead sources that mark a credit application (MRG-2).
        auto_merge_conditions: Conditions auto-merge counts, among ``name``,
            ``name_fuzzy``, ``email``, ``phone`` (MRG-1).
        auto_merge_min_conditions: How many of them must hold to auto-merge (MRG-1).
        merge_max_age_days: An existing lead is a candidate only if created less than
            this many days before now (MRG-3).
        merge_max_inactivity_days: ... and active at most this many days before now
            (MRG-3).
        duplicate_conditions: Conditions possible duplicates count (MRG-7).
        duplicate_min_conditions: How many of them must hold (MRG-7).
        duplicate_max_inactivity_days: Possible duplicates are active at most this many
            days before now (MRG-7).
        duplicate_name_min_ratio: ``token_sort_ratio`` from which ``name_fuzzy`` holds,
            0 to 100 (MRG-7).
        auto_merge_rule: A :class:`~leadcore.merge.MatchRule` (or its JSON object) for
            auto-merge, replacing ``auto_merge_conditions``,
            ``auto_merge_min_conditions`` and MRG-4 (give the rule's own phone-only
            group, :data:`~leadcore.merge.PHONE_ONLY`, to keep it). None: the rule those
            keys write (see :meth:`rule`).
        duplicate_rule: The same for possible duplicates (replacing
            ``duplicate_conditions`` and ``duplicate_min_conditions``).

    """

    default_region: str = attrs.field(
        metadata=a.check(_fields.region), default=normalize.DEFAULT_REGION, converter=_fields.upper
    )
    placeholder_names: tuple[str, ...] = attrs.field(
        metadata=a.check(_texts),
        default=normalize.DEFAULT_PLACEHOLDER_NAMES,
        converter=a.str_tuple,
    )
    placeholder_email_locals: tuple[str, ...] = attrs.field(
        metadata=a.check(_texts),
        default=normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
        converter=a.str_tuple,
    )
    credit_application_sources: tuple[str, ...] = attrs.field(
        metadata=a.check(_texts), default=("credit_application",), converter=a.str_tuple
    )
    auto_merge_conditions: tuple[Condition, ...] = attrs.field(
        metadata=a.check(_conditions_check),
        default=("name", "email", "phone"),
        converter=_conditions,
    )
    auto_merge_min_conditions: int = attrs.field(metadata=a.check(a.positive), default=2)
    merge_max_age_days: int = attrs.field(metadata=a.check(_days_check), default=365)
    merge_max_inactivity_days: int = attrs.field(metadata=a.check(_days_check), default=120)
    duplicate_conditions: tuple[Condition, ...] = attrs.field(
        metadata=a.check(_conditions_check),
        default=("name_fuzzy", "email", "phone"),
        converter=_conditions,
    )
    duplicate_min_conditions: int = attrs.field(metadata=a.check(a.positive), default=2)
    duplicate_max_inactivity_days: int = attrs.field(metadata=a.check(_days_check), default=45)
    duplicate_name_min_ratio: float = attrs.field(metadata=a.check(_ratio_check), default=90)
    auto_merge_rule: MatchRule | None = attrs.field(
        metadata=a.check(_rule_check), default=None, converter=_rule
    )
    duplicate_rule: MatchRule | None = attrs.field(
        metadata=a.check(_rule_check), default=None, converter=_rule
    )

    def rule(self, mode: Mode = "auto") -> MatchRule:
        """
        Return the match rule of ``mode``: the one given, or the one the rulebook's keys write.

        Without ``auto_merge_rule``, auto-merge's rule is at least
        ``auto_merge_min_conditions`` of ``auto_merge_conditions`` (group ``two_of_n``),
        then MRG-4 (group ``phone_only``); possible duplicates' is at least
        ``duplicate_min_conditions`` of ``duplicate_conditions`` (MRG-7). See
        :func:`leadcore._merge.rules.legacy_rule`.

        >>> [g.label for g in MergePolicy().rule("auto").groups]
        ['two_of_n', 'phone_only']

        Raises:
            InvalidInput: ``mode`` is neither ``auto`` nor ``duplicates``.

        """
        if check_mode(mode) == "auto":
            if self.auto_merge_rule is not None:
                return self.auto_merge_rule
            return legacy_rule(
                self.auto_merge_conditions,
                self.auto_merge_min_conditions,
                self.duplicate_name_min_ratio,
                phone_only=True,
            )
        if self.duplicate_rule is not None:
            return self.duplicate_rule
        return legacy_rule(
            self.duplicate_conditions,
            self.duplicate_min_conditions,
            self.duplicate_name_min_ratio,
            phone_only=False,
        )

    def _check_together(self) -> list[Problem]:
        problems = self._rule_conflicts()
        for minimum, listed in (
            ("auto_merge_min_conditions", "auto_merge_conditions"),
            ("duplicate_min_conditions", "duplicate_conditions"),
        ):
            need, have = getattr(self, minimum), len(getattr(self, listed))
            if need > have:
                problems.append(
                    Problem(
                        minimum,
                        need,
                        f"must be at most the number of {listed} ({have}); "
                        f"lower it or list more conditions",
                    )
                )
        return problems

    def _rule_conflicts(self) -> list[Problem]:
        # [decided] A rule replaces the rulebook's keys of its mode: giving both is an
        # error, not a silent preference (docs/match_rules.md).
        problems = []
        defaults = {f.name: f.default for f in attrs.fields(MergePolicy)}
        for rule_key, keys in (
            ("auto_merge_rule", ("auto_merge_conditions", "auto_merge_min_conditions")),
            ("duplicate_rule", ("duplicate_conditions", "duplicate_min_conditions")),
        ):
            if getattr(self, rule_key) is None:
                continue
            changed = [k for k in keys if getattr(self, k) != defaults[k]]
            if changed:
                problems.append(
                    Problem(
                        rule_key,
                        "<rule>",
                        f"replaces {' and '.join(keys)}; give either the rule or "
                        f"{', '.join(changed)}, not both",
                    )
                )
        if (
            self.auto_merge_rule is not None
            and self.duplicate_rule is not None
            and self.duplicate_name_min_ratio != defaults["duplicate_name_min_ratio"]
        ):
            problems.append(
                Problem(
                    "duplicate_name_min_ratio",
                    self.duplicate_name_min_ratio,
                    "has no effect when both rules are given (set the threshold of a "
                    "fuzzy item instead)",
                )
            )
        return problems
