"""
leadcore.decisions pinned down in full, where the example tests leave it open.

The record of an operation (GEN-6) and its undo, every problem an undo names, the facts'
freezing and how a verdict shows itself. Each test kills mutants of decisions.py that the
example tests let survive (mutation testing, issue 20: ``python3 dev.py mutate decisions``).
"""

from __future__ import annotations

from types import MappingProxyType

import attrs

from leadcore import _display, decisions
from leadcore.decisions import Change, Reason, Verdict
from leadcore.model import Lead

from .asserts import problems

LEAD = Lead(id="L1", status="claimed", owner="sm1")


class TestChangesBetween:
    """GEN-6: every field that differs, in field order, old and new."""

    def test_every_changed_field_in_order(self) -> None:
        """Status before owner, as the fields are declared; unchanged fields left out."""
        after = attrs.evolve(LEAD, status="won", owner=None)

        assert decisions.changes_between(LEAD, after) == (
            Change(lead="L1", field="status", old="claimed", new="won"),
            Change(lead="L1", field="owner", old="sm1", new=None),
        )
        assert decisions.changes_between(LEAD, LEAD) == ()

    def test_two_leads_are_not_two_versions(self) -> None:
        """The id must stay."""
        assert problems(decisions.changes_between, LEAD, Lead(id="L2")) == [
            ("after.id", "L2", "must be the id of the lead before ('L1')")
        ]


class TestRevert:
    """GEN-6: an undo gives back the old values, or refuses whole."""

    def test_every_problem_named_by_its_place_in_the_record(self) -> None:
        """Changes of other leads are skipped, but counted in the paths."""
        record = [
            Change(lead="L2", field="x", old=1, new=2),
            Change(lead="L1", field="colour", old=1, new=2),
            Change(lead="L1", field="owner", old="p", new="q"),
        ]

        assert problems(decisions.revert, LEAD, record) == [
            ("changes[1].field", "colour", "is not a lead field"),
            (
                "changes[2].new",
                "q",
                (
                    "does not match the lead's current owner; it was changed since, so the record "
                    "cannot be undone safely"
                ),
            ),
        ]

    def test_the_first_change_of_a_field_gives_its_old_value(self) -> None:
        """Two changes of one field to the same value: the earliest old value wins."""
        record = [
            Change(lead="L1", field="status", old="new", new="claimed"),
            Change(lead="L1", field="status", old="interested", new="claimed"),
            Change(lead="L9", field="status", old="lost", new="won"),
        ]

        assert decisions.revert(LEAD, record) == attrs.evolve(LEAD, status="new")

    def test_an_undo_gives_back_every_field(self) -> None:
        """What changes_between recorded, revert undoes."""
        after = attrs.evolve(LEAD, status="won", owner=None, viewers=("sm2",))

        assert decisions.revert(after, decisions.changes_between(LEAD, after)) == LEAD


class TestReason:
    """GEN-4: a reason's facts are read-only, and equality ignores them."""

    def test_facts_are_frozen_and_not_compared(self) -> None:
        """A dict given becomes a read-only copy."""
        given = {"status": "won"}
        reason = Reason(code="not_wip", message="m", facts=given)
        given["status"] = "lost"

        assert isinstance(reason.facts, MappingProxyType)
        assert dict(reason.facts) == {"status": "won"}
        assert reason == Reason(code="not_wip", message="m")
        assert dict(Reason(code="x", message="m").facts) == {}

    def test_facts_must_be_a_mapping(self) -> None:
        """Anything else is refused by name."""
        assert problems(Reason, code="x", message="m", facts=5) == [
            ("facts", 5, "must be a mapping, not int")
        ]


class TestVerdict:
    """A yes or a no, and how it shows itself."""

    def test_from_reasons(self) -> None:
        """Allowed exactly when there is no reason."""
        reason = Reason(code="same_lead", message="m")

        assert Verdict.from_reasons([]) == Verdict(allowed=True)
        assert Verdict.from_reasons(iter([reason])) == Verdict(allowed=False, reasons=(reason,))
        assert Verdict.from_reasons([reason]).codes == ("same_lead",)

    def test_shown(self) -> None:
        """The codes, then the reasons cut to ``rows``; a yes has no table."""
        refused = Verdict(
            allowed=False,
            reasons=[Reason(code="a_b", message="m1"), Reason(code="c", message="m2")],
        )

        assert refused._view(1) == _display.View(
            "Verdict",
            "refused: a_b, c",
            tables=[_display.Table("reasons", ("code", "message"), [("a_b", "m1")], 2)],
        )
        assert Verdict(allowed=True)._view(1) == _display.View("Verdict", "allowed")


def test_the_module_lists_its_public_names() -> None:
    """``dir(leadcore.decisions)`` is its public surface."""
    assert dir(decisions) == sorted(decisions.__all__)
