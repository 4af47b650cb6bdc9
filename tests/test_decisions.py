"""Verdicts, reasons and change records (GEN-4, GEN-6)."""

from __future__ import annotations

import attrs
import pytest

from leadcore.decisions import CancelledEvent, Change, Reason, Verdict, changes_between, revert
from leadcore.errors import InvalidInput
from leadcore.model import Lead, Person

from .helpers import NOW


class TestVerdict:
    """GEN-4: a refusal lists every reason; yes has none."""

    def test_yes_when_no_reason(self) -> None:
        """GEN-4: an empty reason list means allowed."""
        verdict = Verdict.from_reasons([])

        assert verdict.allowed is True
        assert verdict.codes == ()

    def test_no_keeps_every_reason_in_order(self) -> None:
        """GEN-4: every failing condition, in order."""
        reasons = [
            Reason(code="different_project", message="m1", facts={"a": 1}),
            Reason(code="primary_not_wip", message="m2"),
        ]

        verdict = Verdict.from_reasons(reasons)

        assert verdict.allowed is False
        assert verdict.codes == ("different_project", "primary_not_wip")
        assert verdict.reasons[0].facts["a"] == 1

    def test_reason_codes_must_be_present(self) -> None:
        """A reason without a code explains nothing: refused."""
        with pytest.raises(InvalidInput):
            Reason(code="", message="x")


class TestChanges:
    """GEN-6: every replaced value is kept, and can be put back."""

    def test_changes_between_lists_each_changed_field(self) -> None:
        """GEN-6: only fields that differ, with old and new values."""
        before = Lead(id="L1", status="claimed", owner="u1")
        after = attrs.evolve(before, status="linked", linked_to="L0")

        record = changes_between(before, after)

        assert record == (
            Change(lead="L1", field="status", old="claimed", new="linked"),
            Change(lead="L1", field="linked_to", old=None, new="L0"),
        )

    def test_revert_restores_the_lead(self) -> None:
        """GEN-6: a record undoes its operation exactly."""
        before = Lead(id="L1", customer=Person(phones=["1"]), status="claimed")
        after = attrs.evolve(before, customer=Person(phones=["1", "2"]), status="merged")

        assert revert(after, changes_between(before, after)) == before

    def test_revert_ignores_other_leads(self) -> None:
        """A whole operation's record can be passed; other leads' changes are skipped."""
        lead = Lead(id="L1")

        assert revert(lead, [Change(lead="L2", field="status", old=None, new="x")]) == lead

    def test_revert_refuses_stale_records(self) -> None:
        """Undoing over a later change would lose it: refused, naming the change."""
        before = Lead(id="L1", status="a")
        after = attrs.evolve(before, status="b")
        later = attrs.evolve(after, status="c")

        with pytest.raises(InvalidInput) as caught:
            revert(later, changes_between(before, after))

        assert caught.value.path == "changes[0].new"

    def test_revert_refuses_unknown_fields(self) -> None:
        """A change naming no lead field is refused."""
        with pytest.raises(InvalidInput, match="not a lead field"):
            revert(Lead(id="L1"), [Change(lead="L1", field="colour", old=1, new=2)])

    def test_changes_between_needs_the_same_lead(self) -> None:
        """Comparing two different leads is a mistake: refused."""
        with pytest.raises(InvalidInput):
            changes_between(Lead(id="a"), Lead(id="b"))


def test_cancelled_event_is_a_value() -> None:
    """GEN-3: effects are returned as values, with aware datetimes."""
    effect = CancelledEvent(lead="L1", event="e1", at=NOW)

    assert effect == CancelledEvent(lead="L1", event="e1", at=NOW)
