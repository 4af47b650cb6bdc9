"""
Refusals as an analyst sees them, and the safety nets every answer passes through.

A refused result (no leads, only reasons) shows ``refused: <codes>`` and its reasons in
its repr and notebook view (``leadcore._display``); the protocol answers every line,
even when a rule's handler fails; the small helpers behave at their edges.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from leadcore import _fuzzy, errors, handover, linking, merge, protocol, routing
from leadcore._protocol import registry
from leadcore.errors import InvalidInput, Problem
from leadcore.model import Agent, Lead, Org, Person, User
from tests.test_linking import SUPER, primary, secondary

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _first_line(value: object) -> str:
    return repr(value).splitlines()[0]


class TestRefusedResults:
    """``refused: <codes>`` heads the view; the reasons follow, code and message."""

    def test_a_refused_link(self) -> None:
        """linking.apply across projects: no leads, the reason shown."""
        result = linking.apply(primary(), secondary(project="x"), SUPER, "sm1", now=NOW)

        assert _first_line(result) == "<LinkResult: refused: different_project>"
        assert "different_project  leads of different projects" in repr(result)

    def test_a_refused_handover_and_assignment(self) -> None:
        """handover.apply to the lead's own org; review by a manager of another org."""
        orgs = [Org(id="hq"), Org(id="north", parent="hq")]
        sender = User(id="u1", org="hq", roles=["professional"])
        moved = handover.apply(Lead(id="L1", org="hq", owner="u1"), sender, "hq", orgs)
        assigned = handover.review(
            Lead(id="L1", org="hq", pipeline="manager"),
            User(id="x", org="north", roles=["professional"]),
            User(id="p1", org="hq", roles=["professional"]),
        )

        assert _first_line(moved) == "<HandoverResult: refused: same_org>"
        assert "the lead is already in organisation 'hq'" in repr(moved)
        assert _first_line(assigned) == "<AssignmentResult: refused: not_receiving_manager>"

    def test_a_refused_transfer(self) -> None:
        """routing.transfer by a user without the role, to another project's agent."""
        decision = routing.transfer(
            Lead(id="L", project="p", status="claimed"), Agent(id="b", project="q"), User(id="u")
        )

        assert _first_line(decision) == "<TransferDecision: refused: not_permitted, wrong_project>"

    def test_route_and_create_headlines_of_merge_auto(self) -> None:
        """MRG-2: both credit applications route to the lot; no match creates a lead."""
        ann = Person(first_name="Ann", last_name="Lee", emails=["a@x.io"])
        old = Lead(
            id="O",
            customer=ann,
            source="credit_application",
            lot="east",
            created_at=NOW - dt.timedelta(days=10),
            last_activity_at=NOW,
        )

        routed = merge.auto(Lead(id="N", customer=ann, source="credit_application"), [old], now=NOW)
        created = merge.auto(Lead(id="N", customer=ann), [], now=NOW)

        assert (
            _first_line(routed)
            == "<AutoMerge: route to lot 'east' of 'O': both_credit_applications>"
        )
        assert _first_line(created) == "<AutoMerge: create (lot None): no_match>"


class TestProtocolSafetyNets:
    """Every line gets an answer: a handler's failure is an error response, not a crash."""

    def _failing(self, monkeypatch: pytest.MonkeyPatch, error: Exception) -> dict[str, Any]:
        def fail(_request: registry.Request[Any]) -> dict[str, object]:
            raise error

        entry = registry.RULES["normalize.name"]
        monkeypatch.setitem(registry.RULES, "normalize.name", attrs.evolve(entry, handler=fail))
        return protocol.decide(
            {"id": 7, "rule": "normalize.name", "now": NOW.isoformat(), "input": {"value": "x"}}
        )

    def test_a_leadcore_error_is_invalid_input_at_input(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A LeadcoreError other than InvalidInput: invalid_input, its message, at input."""
        response = self._failing(monkeypatch, errors.LeadcoreError("no such thing"))

        assert response == {
            "id": 7,
            "ok": False,
            "error": {"code": "invalid_input", "message": "no such thing", "path": "input"},
        }

    def test_any_other_failure_is_an_internal_error_to_report(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A bug in a handler: internal_error naming the exception, the line still answered."""
        response = self._failing(monkeypatch, KeyError("k"))

        assert response["ok"] is False
        assert response["error"]["code"] == "internal_error"
        assert response["error"]["message"].startswith("leadcore failed on this request (KeyError:")
        assert response["error"]["message"].endswith("please report it with the request")

    def test_a_rule_registered_twice_is_a_programming_error(self) -> None:
        """Two handlers for one rule name: RuntimeError at import, never a silent override."""
        with pytest.raises(RuntimeError, match=r"rule 'normalize\.name' is registered twice"):
            registry.rule("normalize.name", policy=object)(lambda _request: {})


class TestEdges:
    """Small helpers at their edges."""

    def test_a_problem_under_no_prefix_is_itself(self) -> None:
        """Problem.under(''): the same problem, its path unchanged."""
        problem = Problem("existing[2].id", "L1", "must be unique")

        assert problem.under("") is problem
        assert problem.under("input").path == "input.existing[2].id"

    def test_fuzzy_scores_of_an_empty_name_are_zero(self) -> None:
        """An empty text is like nothing: ratio and Jaro-Winkler 0.0, not rapidfuzz's 100."""
        assert _fuzzy.ratio("", "") == 0.0
        assert _fuzzy.ratio("ada", "") == 0.0
        assert _fuzzy.jaro_winkler("", "ada") == 0.0

    def test_an_agent_in_two_groups_of_an_eligibility_is_refused(self) -> None:
        """Eligibility: an agent both preferred and cooling down is named with its group."""
        with pytest.raises(InvalidInput) as caught:
            routing.Eligibility(channel="digital", preferred=["a1"], fallback=["a1"])

        problem = caught.value.problems[0]
        assert (problem.path, problem.value) == ("fallback", "a1")
        assert problem.message == "is listed twice across the groups"


class TestAnswersShown:
    """Headlines of allowed answers, and of a related lookup that could not run."""

    def test_an_allowed_verdict_says_allowed(self) -> None:
        """linking.check of two leads that may be linked: ``allowed``."""
        verdict = linking.check(primary(), secondary(), SUPER, "sm1")

        assert _first_line(verdict) == "<Verdict: allowed>"

    def test_a_related_lookup_without_connection_shows_its_reason(self) -> None:
        """REL-1: crm_not_connected heads the view, with its message."""
        from leadcore import related  # noqa: PLC0415  # this test's family
        from leadcore.model import CrmRecord  # noqa: PLC0415

        result = related.find(
            "salesforce", CrmRecord(id="L1"), [CrmRecord(id="L2")], connected=False
        )

        assert "crm_not_connected" in _first_line(result)
