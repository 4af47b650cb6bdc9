"""
The facts routing's reasons carry (GEN-4), and the paths and values of its refusals.

``test_routing.py`` pins which codes each rule gives; these pin what each reason says it
used (``Reason.facts``), which the protocol sends and other implementations are checked
against: a fact lost or wrong is an answer that no longer explains itself.
"""

from __future__ import annotations

import datetime as dt

import pytest

from leadcore import routing
from leadcore.errors import InvalidInput
from leadcore.model import Agent, Claim, ClaimBucket, Lead, Role, User
from leadcore.routing import DispatchEvent

NOW = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
WIP = Lead(id="L", project="p", owner="a1", status="claimed")
OK = Agent(id="ok", project="p")
ELSEWHERE = Agent(id="other", project="q")
DOWN = Agent(
    id="off",
    project="p",
    active=False,
    lead_flow=False,
    battery_optimization_disabled=False,
    autorun_enabled=False,
    network_ok=False,
)
"""An agent failing every readiness check of RTE-4."""


def _facts(reasons: object) -> list[tuple[str, dict[str, object]]]:
    return [(r.code, dict(r.facts)) for r in reasons]  # type: ignore[attr-defined]  # reasons


class TestEligible:
    """RTE-4: each ineligible agent's reasons name the agent and the value that failed."""

    def test_offline_readiness_and_project_facts(self) -> None:
        """Offline: inactive, lead flow off, network problem; another project's agent."""
        eligibility = routing.eligible("offline", WIP, [OK, ELSEWHERE, DOWN], [], now=NOW)

        assert eligibility.preferred == ("ok",)
        assert _facts(eligibility.ineligible["off"]) == [
            ("inactive", {"agent": "off", "active": False}),
            ("lead_flow_off", {"agent": "off", "lead_flow": False}),
            ("network_problem", {"agent": "off", "network_ok": False}),
        ]
        assert _facts(eligibility.ineligible["other"]) == [
            ("wrong_project", {"agent": "other", "agent_project": "q", "lead_project": "p"})
        ]

    def test_digital_readiness_facts(self) -> None:
        """Digital: the app's battery optimisation and autorun count, the network does not."""
        eligibility = routing.eligible("digital", WIP, [DOWN], [], now=NOW)

        assert [code for code, _ in _facts(eligibility.ineligible["off"])] == [
            "inactive",
            "lead_flow_off",
            "battery_optimization_on",
            "autorun_off",
        ]
        assert _facts(eligibility.ineligible["off"])[2:] == [
            ("battery_optimization_on", {"agent": "off", "battery_optimization_disabled": False}),
            ("autorun_off", {"agent": "off", "autorun_enabled": False}),
        ]

    def test_diagnose_gives_the_same_facts(self) -> None:
        """routing.diagnose: the agent's own checks, with the values read."""
        diagnosis = routing.diagnose(DOWN, "digital")

        assert _facts(diagnosis.reasons) == [
            ("lead_flow_off", {"agent": "off", "lead_flow": False}),
            ("inactive", {"agent": "off", "active": False}),
            ("battery_optimization_on", {"agent": "off", "battery_optimization_disabled": False}),
            ("autorun_off", {"agent": "off", "autorun_enabled": False}),
        ]


def test_check_wave_names_the_agents_and_sizes() -> None:
    """RTE-2, RTE-3: unknown, ineligible, offered before, repeated agents; the sizes."""
    verdict = routing.check_wave(
        "digital", WIP, [OK, ELSEWHERE, DOWN], [], ["ok"], ["ok", "ok", "zz", "other"], now=NOW
    )

    assert _facts(verdict.reasons) == [
        ("unknown_agent", {"agents": ["zz"]}),
        ("ineligible_agent", {"agents": ["other"]}),
        ("offered_before", {"agents": ["ok"]}),
        ("duplicate_agent", {"agents": ["ok"]}),
        ("wrong_size", {"size": 4, "expected": 0}),
    ]


class TestDispatch:
    """RTE-2: each rejected event's reason names the agent (and the wave, the kind)."""

    def test_rejections_carry_their_facts(self) -> None:
        """A wrong kind, an outsider, a claim after a decline, a claim after the win."""
        state = routing.offer(routing.open_dispatch("digital", "L1", now=NOW), ["a1", "a2"])
        rejected = []
        for second, (kind, agent) in enumerate(
            [
                ("answer", "a1"),
                ("claim", "zz"),
                ("decline", "a1"),
                ("claim", "a1"),
                ("claim", "a2"),
                ("claim", "a2"),
            ]
        ):
            at = NOW + dt.timedelta(seconds=second)
            state, rejection = routing.apply_event(
                state, DispatchEvent(kind=kind, agent=agent, at=at)
            )
            if rejection is not None:
                rejected.append(
                    (rejection.index, rejection.reason.code, dict(rejection.reason.facts))
                )

        assert (state.outcome, state.agent) == ("claimed", "a2")
        assert rejected == [
            (0, "wrong_event_type", {"kind": "answer"}),
            (1, "not_in_wave", {"agent": "zz", "wave": ("a1", "a2")}),
            (3, "declined_before", {"agent": "a1"}),
            (5, "lead_taken", {"agent": "a2"}),
        ]

    def test_an_event_before_the_wave_is_refused_at_the_phase(self) -> None:
        """apply_event while the dispatch awaits a wave: InvalidInput at state.phase."""
        state = routing.open_dispatch("digital", "L1", now=NOW)

        with pytest.raises(InvalidInput) as caught:
            routing.apply_event(state, DispatchEvent(kind="claim", agent="a1", at=NOW))

        problem = caught.value.problems[0]
        assert (problem.path, problem.value) == ("state.phase", "awaiting_wave")


def test_fresh_claim_facts_give_the_quota_and_the_bucket() -> None:
    """RTE-6: the limit, what was used and is left, what was asked and what the bucket holds."""
    old = [Claim(agent="a", bucket=ClaimBucket.FRESH, at=NOW - dt.timedelta(hours=1))]

    grant = routing.fresh_claim("a", old, fresh_count=2, active_agents=1, requested=5, now=NOW)

    assert grant.granted == 2
    assert _facts(grant.reasons) == [
        ("quota_exhausted", {"limit": 3, "used": 0, "left": 3, "requested": 5}),
        ("not_enough_fresh_leads", {"fresh_count": 2, "requested": 5}),
    ]


def test_transfer_facts_name_the_user_roles_and_projects() -> None:
    """RTE-7: a sales manager moving a lead to another project's agent."""
    manager = User(id="u", roles=[Role.SALES_MANAGER])

    decision = routing.transfer(WIP, ELSEWHERE, manager)

    assert _facts(decision.reasons) == [
        ("not_permitted", {"by": "u", "roles": ["sales_manager"]}),
        ("wrong_project", {"agent_project": "q", "lead_project": "p"}),
    ]
