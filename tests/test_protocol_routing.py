"""The routing protocol rules: happy paths, every reason code, bad input (RTE)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from leadcore import protocol

from .helpers import request

LEAD = {"id": "L1", "project": "p1"}
NOW = "2026-11-23T12:00:00+00:00"


def team(count: int, **switches: Any) -> list[dict[str, Any]]:
    """Agents a1..a<count> of p1 as JSON."""
    return [{"id": f"a{i}", "project": "p1", **switches} for i in range(1, count + 1)]


def ok(rule: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Decide and return the result, failing on an error response."""
    response = protocol.decide(request(rule, data, **extra))
    assert response["ok"], response
    return cast("dict[str, Any]", response["result"])


def error(rule: str, data: dict[str, Any], **extra: Any) -> tuple[str, str]:
    """Decide and return the error's (code, path), failing on a result."""
    response = protocol.decide(request(rule, data, **extra))
    assert not response["ok"], response
    problem = cast("dict[str, str]", response["error"])
    return problem["code"], problem["path"]


def codes(reasons: list[dict[str, Any]]) -> list[str]:
    """The codes of a reasons list."""
    return [r["code"] for r in reasons]


class TestEligible:
    """routing.eligible (RTE-4, RTE-5)."""

    def test_groups_and_orders(self) -> None:
        """RTE-4, RTE-5: preferred sorted, fallback round robin, ineligible with reasons."""
        agents = [*team(4), {"id": "a0", "project": "p2", "active": False}]
        claims = [
            {"agent": "a3", "at": "2026-11-23T11:58:00Z", "bucket": "fresh"},
            {"agent": "a2", "at": "2026-11-23T11:55:00Z", "bucket": "digital"},
        ]

        result = ok(
            "routing.eligible",
            {"channel": "digital", "lead": LEAD, "agents": agents, "claims": claims},
        )

        assert result["preferred"] == ["a1", "a4"]
        assert result["fallback"] == ["a2", "a3"]
        assert {k: codes(v) for k, v in result["ineligible"].items()} == {
            "a0": ["wrong_project", "inactive"]
        }
        assert result["ineligible"]["a0"][0]["message"]

    @pytest.mark.parametrize(
        ("channel", "switches", "expected"),
        [
            ("digital", {"active": False}, ["inactive"]),
            ("digital", {"lead_flow": False}, ["lead_flow_off"]),
            ("digital", {"battery_optimization_disabled": False}, ["battery_optimization_on"]),
            ("digital", {"autorun_enabled": False}, ["autorun_off"]),
            ("offline", {"network_ok": False}, ["network_problem"]),
            ("digital", {"project": "p9"}, ["wrong_project"]),
        ],
    )
    def test_every_eligibility_reason(
        self, channel: str, switches: dict[str, Any], expected: list[str]
    ) -> None:
        """RTE-4: each condition has its code."""
        result = ok(
            "routing.eligible",
            {"channel": channel, "lead": LEAD, "agents": [{**team(1)[0], **switches}]},
        )

        assert codes(result["ineligible"]["a1"]) == expected

    def test_timezone_input_and_policy_default(self) -> None:
        """RTE-5: the offline day is the input zone's, else policy.default_timezone."""
        data = {
            "channel": "offline",
            "lead": LEAD,
            "agents": team(1),
            "claims": [{"agent": "a1", "at": "2026-11-22T20:00:00Z", "bucket": "offline"}],
        }

        assert ok("routing.eligible", data)["preferred"] == ["a1"]
        assert ok("routing.eligible", {**data, "timezone": "Asia/Kolkata"})["fallback"] == ["a1"]
        in_india = ok("routing.eligible", data, policy={"default_timezone": "Asia/Kolkata"})
        assert in_india["fallback"] == ["a1"]


class TestCheckWave:
    """routing.check_wave (RTE-2 to RTE-5)."""

    base: dict[str, Any] = {  # noqa: RUF012  # read only
        "channel": "digital",
        "lead": LEAD,
        "agents": [*team(6), {"id": "a7", "project": "p1", "lead_flow": False}],
        "claims": [
            {"agent": "a6", "at": "2026-11-23T11:59:00Z", "bucket": "digital"},
            {"agent": "a5", "at": "2026-11-23T11:58:00Z", "bucket": "digital"},
        ],
    }

    def judge(self, wave: list[str], offered: list[str] | None = None, **extra: Any) -> list[str]:
        """The reason codes for a wave."""
        result = ok(
            "routing.check_wave",
            {**self.base, "offered_before": offered or [], "wave": wave, **extra},
        )
        assert result["legal"] is (not result["reasons"])
        return codes(result["reasons"])

    def test_legal_wave(self) -> None:
        """RTE-5: four preferred and the oldest cooled-down agent."""
        assert self.judge(["a4", "a5", "a1", "a3", "a2"]) == []

    @pytest.mark.parametrize(
        ("wave", "offered", "expected"),
        [
            (["a1", "a2", "a3", "a4", "x"], [], ["unknown_agent"]),
            (["a1", "a2", "a3", "a4", "a7"], [], ["ineligible_agent"]),
            (["a2", "a3", "a4", "a5", "a1"], ["a1"], ["offered_before"]),
            (["a1", "a1", "a2", "a3", "a4"], [], ["duplicate_agent"]),
            (["a1", "a2"], [], ["wrong_size"]),
            (["a5", "a6", "a1", "a2", "a3"], [], ["fallback_before_preferred"]),
            (["a6", "a1", "a2", "a3", "a4"], [], ["fallback_out_of_order"]),
        ],
    )
    def test_every_reason(self, wave: list[str], offered: list[str], expected: list[str]) -> None:
        """RTE-2 to RTE-5: each failing condition has its code."""
        assert self.judge(wave, offered) == expected

    def test_offline_second_wave(self) -> None:
        """RTE-3: an offline call rings one wave."""
        assert self.judge(["a2", "a3", "a4", "a5", "a6"], ["a1"], channel="offline") == [
            "offline_second_wave"
        ]

    def test_size_is_returned(self) -> None:
        """RTE-2: the expected size, min(wave_size, available), is in the result."""
        result = ok(
            "routing.check_wave",
            {**self.base, "offered_before": [], "wave": []},
            policy={"wave_size": 3},
        )

        assert (result["legal"], result["size"]) == (False, 3)


class TestDispatch:
    """routing.dispatch (RTE-2, RTE-3)."""

    def run(self, events: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        """Dispatch L1 among three agents (all of them in the first wave)."""
        data = {"channel": "digital", "lead": LEAD, "agents": team(3), "seed": 7, "events": events}
        data.update(extra)
        return ok("routing.dispatch", data)

    def test_claim_wins(self) -> None:
        """RTE-2: the first claim of the wave wins."""
        result = self.run([{"type": "claim", "agent": "a2", "at": "2026-11-23T12:00:05Z"}])

        assert (result["outcome"], result["agent"]) == ("claimed", "a2")
        assert sorted(result["waves"][0]) == ["a1", "a2", "a3"]
        assert result["decided_at"] == "2026-11-23T12:00:05+00:00"

    def test_every_rejection_reason_sorted_by_index(self) -> None:
        """RTE-2, routing conventions: rejected events listed in input order with reasons."""
        events = [
            {"type": "claim", "agent": "a1", "at": "2026-11-23T12:00:09Z"},
            {"type": "answer", "agent": "a1", "at": "2026-11-23T12:00:01Z"},
            {"type": "claim", "agent": "zz", "at": "2026-11-23T12:00:02Z"},
            {"type": "decline", "agent": "a3", "at": "2026-11-23T12:00:03Z"},
            {"type": "claim", "agent": "a3", "at": "2026-11-23T12:00:04Z"},
            {"type": "claim", "agent": "a2", "at": "2026-11-23T12:00:05Z"},
        ]

        result = self.run(events)

        assert result["agent"] == "a2"
        assert [(r["index"], r["reason"]) for r in result["rejected_events"]] == [
            (0, "lead_taken"),
            (1, "wrong_event_type"),
            (2, "not_in_wave"),
            (4, "declined_before"),
        ]
        assert result["rejected_events"][1] == {
            "index": 1,
            "type": "answer",
            "agent": "a1",
            "at": "2026-11-23T12:00:01+00:00",
            "reason": "wrong_event_type",
        }

    def test_fresh_and_events_after(self) -> None:
        """RTE-2: two time-outs send the lead to fresh; later events are rejected."""
        events = [
            {"type": "timeout", "at": "2026-11-23T12:01:00Z"},
            {"type": "timeout", "at": "2026-11-23T12:02:00Z"},
            {"type": "claim", "agent": "a1", "at": "2026-11-23T12:03:00Z"},
        ]

        result = self.run(events)

        # All three agents were in the first wave: the second is empty and skips ahead.
        assert (result["outcome"], result["agent"]) == ("fresh", None)
        assert result["waves"][1] == []
        assert result["decided_at"] == "2026-11-23T12:01:00+00:00"
        assert [(r["index"], r["reason"]) for r in result["rejected_events"]] == [
            (1, "lead_in_fresh_bucket"),
            (2, "lead_in_fresh_bucket"),
        ]

    def test_offline_answer(self) -> None:
        """RTE-3: the first to answer gets the call."""
        result = self.run(
            [{"type": "answer", "agent": "a3", "at": "2026-11-23T12:00:04Z"}], channel="offline"
        )

        assert (result["outcome"], result["agent"], len(result["waves"])) == ("claimed", "a3", 1)

    def test_same_seed_same_waves(self) -> None:
        """GEN-2: the seed fixes the draw."""
        data = {"channel": "digital", "lead": LEAD, "agents": team(12), "seed": 11, "events": []}

        assert ok("routing.dispatch", data) == ok("routing.dispatch", data)


class TestFresh:
    """routing.fresh_limit and routing.fresh_claim (RTE-6)."""

    def test_limit(self) -> None:
        """RTE-6: fresh // active + 1."""
        assert ok("routing.fresh_limit", {"fresh_count": 20, "active_agents": 10}) == {"limit": 3}

    def test_claim_cut(self) -> None:
        """RTE-6: a batch cut to the quota left, never past the bucket."""
        claims = [{"agent": "a1", "at": "2026-11-23T11:55:00Z", "bucket": "fresh"}]

        result = ok(
            "routing.fresh_claim",
            {"agent": "a1", "claims": claims, "fresh_count": 2, "active_agents": 1, "requested": 4},
        )

        assert {k: result[k] for k in ("granted", "limit", "used")} == {
            "granted": 2,
            "limit": 3,
            "used": 1,
        }
        assert codes(result["reasons"]) == ["quota_exhausted", "not_enough_fresh_leads"]

    def test_agent_as_an_object_and_requested_default(self) -> None:
        """RTE-6 [decided]: agent may be an id or an Agent; requested defaults to 1."""
        result = ok(
            "routing.fresh_claim",
            {"agent": {"id": "a1"}, "fresh_count": 0, "active_agents": 3},
        )

        assert (result["granted"], codes(result["reasons"])) == (0, ["not_enough_fresh_leads"])


class TestTransfer:
    """routing.transfer (RTE-7)."""

    lead: dict[str, Any] = {"id": "L1", "project": "p1", "owner": "a1", "status": "visit_done"}  # noqa: RUF012  # read only

    def test_allowed(self) -> None:
        """RTE-7: a WIP status is kept as the bucket; the lead is written in full."""
        result = ok(
            "routing.transfer",
            {
                "lead": self.lead,
                "to": {"id": "a2", "project": "p1"},
                "by": {"id": "a1", "roles": ["agent"]},
            },
        )

        assert (result["allowed"], result["bucket"]) == (True, "visit_done")
        assert result["lead"]["owner"] == "a2"
        assert "customer" in result["lead"]
        assert result["record"] == [{"lead": "L1", "field": "owner", "old": "a1", "new": "a2"}]

    @pytest.mark.parametrize(
        ("by", "to_project", "expected"),
        [
            ({"id": "a9", "roles": ["agent"]}, "p1", ["not_owner"]),
            ({"id": "m", "roles": ["manager"]}, "p1", ["not_permitted"]),
            ({"id": "t", "roles": ["team_lead"]}, "p2", ["wrong_project"]),
        ],
    )
    def test_refusals(self, by: dict[str, Any], to_project: str, expected: list[str]) -> None:
        """RTE-7: every reason code; a refusal carries no lead."""
        result = ok(
            "routing.transfer",
            {"lead": self.lead, "to": {"id": "a2", "project": to_project}, "by": by},
        )

        assert codes(result["reasons"]) == expected
        assert (result["allowed"], result["lead"], result["bucket"], result["record"]) == (
            False,
            None,
            None,
            [],
        )

    def test_policy_wip_statuses(self) -> None:
        """RTE-7, GEN-7: wip_statuses is overridable."""
        result = ok(
            "routing.transfer",
            {
                "lead": self.lead,
                "to": {"id": "a2", "project": "p1"},
                "by": {"id": "c", "roles": ["call_center"]},
            },
            policy={"wip_statuses": ["claimed", "interested"]},
        )

        assert result["bucket"] == "claimed"


class TestDiagnose:
    """routing.diagnose (RTE-8)."""

    def test_reasons_in_order(self) -> None:
        """RTE-8: every failing condition of the channel, in the troubleshooting list's order."""
        agent = {"id": "a1", "active": False, "lead_flow": False, "autorun_enabled": False}

        digital = ok("routing.diagnose", {"agent": agent, "channel": "digital"})
        offline = ok(
            "routing.diagnose", {"agent": {**agent, "network_ok": False}, "channel": "offline"}
        )

        assert (digital["receiving"], codes(digital["reasons"])) == (
            False,
            ["lead_flow_off", "inactive", "autorun_off"],
        )
        assert codes(offline["reasons"]) == ["lead_flow_off", "inactive", "network_problem"]
        assert ok("routing.diagnose", {"agent": {"id": "a1"}, "channel": "offline"}) == {
            "receiving": True,
            "reasons": [],
        }


class TestBadInput:
    """GEN-5: bad input is an error response naming the path."""

    dispatch: dict[str, Any] = {  # noqa: RUF012  # copied before use
        "channel": "digital",
        "lead": LEAD,
        "agents": team(2),
        "seed": 1,
        "events": [],
    }

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            ({"channel": "fresh"}, ("invalid_input", "input.channel")),
            ({"channel": None}, ("invalid_input", "input.channel")),
            ({"lead": None}, ("invalid_input", "input.lead")),
            ({"lead": {"id": "L1"}}, ("invalid_input", "input.lead.project")),
            ({"agents": [*team(2), {"id": "a1"}]}, ("invalid_input", "input.agents[2].id")),
            (
                {"agents": [{"id": "a1", "active": "yes"}]},
                ("invalid_input", "input.agents[0].active"),
            ),
            ({"timezone": "Mars/Base"}, ("invalid_input", "input.timezone")),
            ({"seed": None}, ("invalid_input", "input.seed")),
            ({"seed": True}, ("invalid_input", "input.seed")),
            ({"seed": "7"}, ("invalid_input", "input.seed")),
            (
                {"events": [{"type": "grab", "agent": "a1", "at": NOW}]},
                ("invalid_input", "input.events[0].type"),
            ),
            (
                {"events": [{"type": "claim", "at": NOW}]},
                ("invalid_input", "input.events[0].agent"),
            ),
            (
                {"events": [{"type": "claim", "agent": "a1", "at": "2026-11-23T12:00:00"}]},
                ("naive_datetime", "input.events[0].at"),
            ),
            (
                {"events": [{"type": "timeout", "at": "2026-11-23T11:59:59Z"}]},
                ("invalid_input", "input.events[0].at"),
            ),
            (
                {"claims": [{"agent": "a1", "at": NOW, "bucket": "loot"}]},
                ("invalid_input", "input.claims[0].bucket"),
            ),
        ],
    )
    def test_dispatch_input(self, change: dict[str, Any], expected: tuple[str, str]) -> None:
        """GEN-5: each bad field of a dispatch is named."""
        assert error("routing.dispatch", {**self.dispatch, **change}) == expected

    @pytest.mark.parametrize(
        ("rule", "data", "path"),
        [
            ("routing.fresh_limit", {"fresh_count": 3, "active_agents": 0}, "input.active_agents"),
            ("routing.fresh_limit", {"fresh_count": -3, "active_agents": 2}, "input.fresh_count"),
            ("routing.fresh_limit", {"fresh_count": 3}, "input.active_agents"),
            (
                "routing.fresh_claim",
                {"agent": "a1", "fresh_count": 3, "active_agents": 2, "requested": 0},
                "input.requested",
            ),
            ("routing.fresh_claim", {"fresh_count": 3, "active_agents": 2}, "input.agent"),
            (
                "routing.fresh_claim",
                {"agent": "", "fresh_count": 3, "active_agents": 2},
                "input.agent",
            ),
            ("routing.transfer", {"lead": LEAD, "by": {"id": "t"}}, "input.to"),
            (
                "routing.transfer",
                {"lead": LEAD, "to": {"id": "a"}, "by": {"id": "t", "roles": ["boss"]}},
                "input.by.roles[0]",
            ),
            ("routing.diagnose", {"agent": {"id": "a1"}, "channel": "transfer"}, "input.channel"),
            ("routing.diagnose", {"agent": ["a1"], "channel": "digital"}, "input.agent"),
            (
                "routing.check_wave",
                {"channel": "digital", "lead": LEAD, "wave": [1]},
                "input.wave[0]",
            ),
        ],
    )
    def test_other_rules_input(self, rule: str, data: dict[str, Any], path: str) -> None:
        """GEN-5: bad counts, ids, objects and channels are named."""
        assert error(rule, data) == ("invalid_input", path)

    @pytest.mark.parametrize(
        ("policy", "path"),
        [
            ({"wave_size": 0}, "policy.wave_size"),
            ({"default_timezone": "Nowhere"}, "policy.default_timezone"),
            ({"digital_cooldown_minutes": -5}, "policy.digital_cooldown_minutes"),
            ({"no_such_knob": 1}, "policy.no_such_knob"),
        ],
    )
    def test_policy_overrides(self, policy: dict[str, Any], path: str) -> None:
        """GEN-7: overrides are checked and named."""
        assert error("routing.dispatch", self.dispatch, policy=policy) == ("invalid_input", path)

    def test_policy_override_applies(self) -> None:
        """GEN-7: a smaller wave through the protocol."""
        result = ok(
            "routing.dispatch", {**self.dispatch, "agents": team(9)}, policy={"wave_size": 2}
        )

        assert len(result["waves"][0]) == 2
