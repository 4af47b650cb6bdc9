"""
What rules answer: verdicts with every reason (GEN-4), effects (GEN-3), change records (GEN-6).

* A :class:`Reason` is a stable snake_case ``code`` (API: never renamed without a
  deprecation), a human ``message`` and the ``facts`` the rule used.
* A :class:`Verdict` is a yes or a no with *all* the reasons that hold; a "no" is a
  result, never an exception.
* A :class:`Change` is one field of one lead that an operation replaced, with the old and
  the new value; :func:`changes_between` lists them and :func:`revert` undoes them, so
  every operation that changes a lead can be audited and undone.
* Effects the caller must carry out (notifications, cancelled events) are values:
  :class:`~leadcore.model.Notification` and :class:`CancelledEvent`.

>>> no = Reason(code="same_lead", message="a lead cannot be linked to itself")
>>> v = Verdict.from_reasons([no])
>>> v.allowed, v.codes
(False, ('same_lead',))
>>> Verdict.from_reasons([]).allowed
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from leadcore import _attrs as a
from leadcore._display import Shown, View, reasons_table, verdict
from leadcore._quote import quote
from leadcore.errors import InvalidInput, Problem
from leadcore.model import Lead

__all__ = [
    "CancelledEvent",
    "Change",
    "Reason",
    "Verdict",
    "changes_between",
    "revert",
]


def __dir__() -> list[str]:
    return list(__all__)


def _freeze_facts(value: Mapping[str, object]) -> Mapping[str, object]:
    raw: object = value
    if not isinstance(raw, Mapping):
        return value  # the field's check reports it
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Reason(a.Frozen):
    """
    Why a rule answered as it did.

    Attributes:
        code: Stable machine code, snake_case (``different_project``).
        message: A sentence for people.
        facts: The values the rule looked at, by name (read-only).

    """

    code: str = attrs.field(metadata=a.check(a.ident))
    message: str = attrs.field(metadata=a.check(a.string))
    facts: Mapping[str, object] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_freeze_facts, eq=False, hash=False
    )


def _reason_tuple(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return a.to_tuple(value)


@attrs.frozen(kw_only=True, repr=False)
class Verdict(a.Frozen, Shown):
    """
    A yes or a no, with every reason that holds (empty when the answer is yes).

    Attributes:
        allowed: True when nothing stands in the way.
        reasons: Every failing condition, in the order the rule text lists them.

    """

    allowed: bool = attrs.field(metadata=a.check(a.boolean))
    reasons: tuple[Reason, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Reason))), default=(), converter=_reason_tuple
    )

    @classmethod
    def from_reasons(cls, reasons: Iterable[Reason]) -> Verdict:
        """Return a verdict that allows exactly when there is no reason against."""
        found = tuple(reasons)
        return cls(allowed=not found, reasons=found)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reasons' codes, in order."""
        return tuple(r.code for r in self.reasons)

    def _view(self, rows: int) -> View:
        return View(
            "Verdict",
            verdict(self.allowed, self.reasons, "allowed"),
            tables=[reasons_table(self.reasons, rows)] if self.reasons else [],
        )


@attrs.frozen(kw_only=True)
class CancelledEvent(a.Frozen):
    """
    An effect: an event that the operation cancelled (LNK-6).

    Attributes:
        lead: The lead the event belongs to.
        event: The event's id.
        at: When the event was due.

    """

    lead: str = attrs.field(metadata=a.check(a.ident))
    event: str = attrs.field(metadata=a.check(a.ident))
    at: dt.datetime = attrs.field(metadata=a.check(a.aware))


@attrs.frozen(kw_only=True)
class Change(a.Frozen):
    """
    One field of one lead replaced by an operation (GEN-6).

    Attributes:
        lead: The id of the lead changed.
        field: The name of the :class:`~leadcore.model.Lead` attribute.
        old: The value before.
        new: The value after.

    """

    lead: str = attrs.field(metadata=a.check(a.ident))
    field: str = attrs.field(metadata=a.check(a.ident))
    old: Any = attrs.field(hash=False)
    new: Any = attrs.field(hash=False)


_LEAD_FIELDS = tuple(f.name for f in attrs.fields(Lead))


@a.checked
@a.takes_results
def changes_between(before: Lead, after: Lead) -> tuple[Change, ...]:
    """
    Return every field that differs between two versions of a lead, in field order.

    Raises:
        InvalidInput: The two leads do not have the same id.

    """
    if before.id != after.id:
        raise InvalidInput.single(
            "after.id", after.id, f"must be the id of the lead before ({quote(before.id)})"
        )
    return tuple(
        Change(lead=before.id, field=name, old=getattr(before, name), new=getattr(after, name))
        for name in _LEAD_FIELDS
        if getattr(before, name) != getattr(after, name)
    )


@a.checked
@a.takes_results
def revert(lead: Lead, changes: Iterable[Change]) -> Lead:
    """
    Undo ``changes`` on ``lead``: every changed field of this lead gets its old value.

    Changes of other leads are ignored, so a whole operation's record can be passed.

    Raises:
        InvalidInput: A change names a field a lead does not have, or the lead's current
            value is not the change's new value (it has been changed since).

    """
    given = tuple(changes)
    mine = [c for c in given if c.lead == lead.id]
    problems: list[Problem] = []
    for index, change in enumerate(given):
        if change.lead != lead.id:
            continue
        path = f"changes[{index}]"
        if change.field not in _LEAD_FIELDS:
            problems.append(Problem(f"{path}.field", change.field, "is not a lead field"))
        elif getattr(lead, change.field) != change.new:
            problems.append(
                Problem(
                    f"{path}.new",
                    change.new,
                    f"does not match the lead's current {change.field}; "
                    "it was changed since, so the record cannot be undone safely",
                )
            )
    if problems:
        raise InvalidInput(problems)
    # The lead may be a result over the GEN-5 limits (a merged lead): the one undone is
    # a result too.
    with a.results():
        return attrs.evolve(lead, **{c.field: c.old for c in reversed(mine)})
