"""
The conformance toolkit on answers and requests of an unusual shape (issue 20, coverage).

An implementation that prints something other than JSON, reason codes that differ only
by unexpected ones, a dispatch judged with expected waves of another shape or a replay
that gives up, the wave replay running out of waves before the events do, leadcore's
extension refusals asked about requests they do not fit, and a vector's expected part
without a result key that holds extensions.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from leadcore import conformance, protocol, reasons
from leadcore.conformance import Vector, WaveJudge
from leadcore.conformance._contract import EXTENSION_KEYS, SPEC_RESULT_KEYS
from leadcore.conformance._dispatch import leadcore_replay

PYTHON = sys.executable
NOW = "2026-11-23T09:00:00Z"


def _dispatch(**extra: Any) -> dict[str, Any]:
    return {
        "id": "d",
        "rule": "routing.dispatch",
        "now": NOW,
        "input": {
            "channel": "digital",
            "lead": {"id": "L1", "project": "p1"},
            "agents": [{"id": f"a{i}", "project": "p1"} for i in range(1, 15)],
            "seed": 4,
            **extra,
        },
    }


def _refused(path: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": "invalid_input", "path": path}}


def test_an_answer_that_is_not_json_is_no_answer_of_that_kind() -> None:
    """A line of text back: no answer, grouped as "not a JSON object"."""
    vector = Vector(
        where="t.jsonl:1",
        description="a vector",
        rules=("GEN-5",),
        request={"id": "t", "rule": "normalize.name", "now": NOW, "input": {"value": "Ada"}},
        expected={"id": "t", "ok": True, "result": {"normalized": "ada"}},
    )
    script = "import sys\nfor line in sys.stdin:\n    print('hello', flush=True)\n"

    report = conformance.run([PYTHON, "-c", script], [vector], timeout=20)

    assert [c.status for c in report.cases] == ["no_answer"]
    assert report.groups[0].cause == ("", "no_answer", "not a JSON object")
    assert report.cases[0].mismatches[0].note == "the answer is not JSON: 'hello'"


def test_reason_codes_beyond_the_expected_ones_alone_are_named_unexpected() -> None:
    """Every expected code given, one more too: only 'unexpected', detail '+code'."""
    request = {"id": 1, "rule": "link.check", "now": NOW, "input": {}}
    expected = {"id": 1, "ok": True, "result": {"allowed": False, "reasons": [{"code": "a"}]}}
    actual = {
        "id": 1,
        "ok": True,
        "result": {"allowed": False, "reasons": [{"code": "a"}, {"code": "b"}]},
    }

    [found] = conformance.compare(request, expected, actual)

    assert (found.path, found.kind, found.expected, found.actual) == (
        "result.reasons",
        "reasons",
        ["a"],
        ["a", "b"],
    )
    assert (found.note, found.detail) == ("reason codes differ: unexpected b", "+b")


class TestWaveJudgeEdges:
    """routing.dispatch's judge on what a hand-written vector or a replay may give it."""

    @staticmethod
    def legal(_request: object, _wave: object, _before: object) -> tuple[bool, list[str]]:
        """Every wave is legal."""
        return True, []

    def test_expected_waves_of_another_shape_count_as_none(self) -> None:
        """Expected "waves": "none" against no waves: the rest is compared, exactly."""
        judge = WaveJudge(check_wave=self.legal, replay=None)
        expected = {"waves": "none", "outcome": "fresh"}

        same = judge({}, expected, {"waves": [], "outcome": "fresh"}, "result")
        other = judge({}, expected, {"waves": [], "outcome": "pending"}, "result")

        assert same == []
        assert [(m.path, m.kind, m.expected, m.actual) for m in other] == [
            ("result.outcome", "value", "fresh", "pending")
        ]

    def test_a_replay_that_gives_up_leaves_other_waves_unjudged(self) -> None:
        """Other legal waves and a replay answering None: no mismatch, the replay asked."""
        asked: list[object] = []

        def replay(_request: object, waves: object) -> None:
            asked.append(waves)

        judge = WaveJudge(check_wave=self.legal, replay=replay)
        expected = {"waves": [["a1"]], "outcome": "fresh"}

        found = judge({}, expected, {"waves": [["a2"]], "outcome": "claimed"}, "result")

        assert found == []
        assert asked == [[["a2"]]]

    def test_the_replay_says_when_the_events_call_for_a_wave_not_given(self) -> None:
        """Two time-outs call for a second wave; an answer of one wave does not fit."""
        events = [
            {"type": "timeout", "at": "2026-11-23T09:05:00Z"},
            {"type": "timeout", "at": "2026-11-23T09:10:00Z"},
        ]
        request = _dispatch(events=events)
        waves = protocol.decide(request)["result"]["waves"]  # type: ignore[index]

        assert len(waves) == 2
        assert leadcore_replay(request, waves[:1]) == (
            "the events call for wave 2, but the answer offers only 1"
        )


class TestExtensionRefusalsThatDoNotFit:
    """A refusal at an extension's path is the contract when its condition does not hold."""

    @pytest.mark.parametrize(
        ("events", "path"),
        [
            ([{"type": "timeout", "at": "2026-11-23T08:05:00Z"}], "input.events[3].at"),
            ([{"type": "timeout", "at": "not a date"}], "input.events[0].at"),
            ([{"type": "timeout", "at": 5}], "input.events[0].at"),
        ],
        ids=["no-such-event", "not-a-date", "not-text"],
    )
    def test_an_event_not_read_as_before_now_is_a_contract_refusal(
        self, events: list[dict[str, Any]], path: str
    ) -> None:
        """No event at that index, or a time that is no date-time: not "before now"."""
        split = conformance.expectation(_dispatch(events=events), _refused(path))

        assert split.contract
        assert split.extensions == ()

    def test_the_same_refusal_of_an_event_before_now_is_an_extension(self) -> None:
        """The counterpart: an event an hour before now is leadcore's own refusal."""
        events = [{"type": "timeout", "at": "2026-11-23T08:05:00Z"}]

        split = conformance.expectation(_dispatch(events=events), _refused("input.events[0].at"))

        assert not split.contract
        assert split.extensions == ("error: an event before now is refused (docs/routing.md)",)

    def test_agents_that_are_not_a_list_repeat_no_id(self) -> None:
        """input.agents as an object: a refusal at agents[1].id is no repeated id."""
        request = _dispatch()
        request["input"]["agents"] = {"a1": {"id": "a1"}}

        split = conformance.expectation(request, _refused("input.agents[1].id"))

        assert (split.contract, split.extensions) == (True, ())

    def test_a_minimum_above_the_default_conditions_is_an_extension(self) -> None:
        """Conditions given as text count as the default three: a minimum of four is over."""
        request = {
            "id": "m",
            "rule": "merge.auto",
            "now": NOW,
            "input": {},
            "policy": {"auto_merge_min_conditions": 4, "auto_merge_conditions": "name"},
        }

        split = conformance.expectation(request, _refused("policy.auto_merge_min_conditions"))

        assert split.extensions == (
            "error: a minimum of conditions above their number is refused (docs/merge.md)",
        )


def test_an_expected_part_without_the_result_key_of_an_extension_stays_as_it_is() -> None:
    """merge.duplicates' extension is in duplicates[].person: no duplicates key, no change."""
    request = {"id": "m", "rule": "merge.duplicates", "now": NOW, "input": {}}
    response = {"ok": True, "result": {"reasons": [{"code": "no_match"}]}}

    split = conformance.expectation(request, response)

    assert (split.contract, split.extensions) == (True, ())
    assert split.expected == response


def test_no_rule_with_extension_codes_answers_an_ineligible_map() -> None:
    """expectation() strips extension codes from reasons only; none are elsewhere."""
    with_codes = [
        rule
        for rule in SPEC_RESULT_KEYS
        if set(reasons.codes(rule)) - set(reasons.codes(rule, extension=False))
    ]

    assert with_codes == ["link.check", "link.apply", "merge.auto"]
    for rule in with_codes:
        assert "ineligible" not in SPEC_RESULT_KEYS[rule]
        assert not any(key.startswith("ineligible") for key in EXTENSION_KEYS.get(rule, ()))
