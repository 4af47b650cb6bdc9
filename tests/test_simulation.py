"""Tests of leadcore.simulation: the rules replayed over streams of leads (RTE-2 to RTE-5)."""

from __future__ import annotations

import datetime as dt
import doctest
import random
from pathlib import Path

import pytest

from leadcore import simulation
from leadcore._routing import fast as _routing_fast
from leadcore.errors import InvalidInput
from leadcore.model import Agent, Channel, Claim
from leadcore.routing import RoutingPolicy
from leadcore.simulation import (
    Arrival,
    Behaviour,
    Percentiles,
    SimulationReport,
    gini,
    simulate,
    synthetic_arrivals,
)

DAY = dt.date(2026, 11, 23)
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
ALWAYS = Behaviour(claim_probability=1.0, decline_probability=0.0, mean_response_seconds=5.0)
NEVER = Behaviour(claim_probability=0.0, decline_probability=0.0)
DOCS = Path(__file__).resolve().parents[1] / "docs" / "routing.md"


def seeded(seed: int) -> random.Random:
    """A generator in a known state (GEN-2)."""
    return random.Random(seed)  # reproducible draws, not cryptography


def team(count: int, project: str = "p1") -> list[Agent]:
    """Agents a00..a<count-1> of ``project``."""
    return [Agent(id=f"a{i:02}", project=project) for i in range(count)]


def every_minute(count: int, channel: str = "digital", project: str = "p1") -> list[Arrival]:
    """``count`` leads, one a minute from START."""
    return [
        Arrival(lead=f"L{i}", at=START + dt.timedelta(minutes=i), channel=channel, project=project)
        for i in range(count)
    ]


def scenario(seed: int) -> dict[str, object]:
    """A small random scenario: agents with random switches on two projects, both channels."""
    rng = seeded(seed)
    agents = [
        Agent(
            id=f"a{i}",
            project=rng.choice(["p1", "p2"]),
            active=rng.random() < 0.9,
            lead_flow=rng.random() < 0.9,
            autorun_enabled=rng.random() < 0.9,
            network_ok=rng.random() < 0.8,
        )
        for i in range(rng.randint(0, 10))
    ]
    # Two days in Europe/Paris around the spring DST change, seen from Asia/Kolkata.
    arrivals = synthetic_arrivals(
        dt.date(2026, 3, 28), count=80, project="p1", rng=rng, opening_hour=0, closing_hour=24
    ) + synthetic_arrivals(dt.date(2026, 3, 29), count=40, project="p2", rng=rng)
    claims = [
        Claim(
            agent=f"a{rng.randint(0, 11)}",
            at=dt.datetime(2026, 3, 28, tzinfo=dt.UTC)
            + dt.timedelta(minutes=rng.randint(-900, 900)),
            bucket=rng.choice(["digital", "offline", "fresh"]),
        )
        for _ in range(8)
    ]
    policy = RoutingPolicy(
        wave_size=rng.randint(1, 5),
        digital_waves=rng.randint(1, 3),
        offline_waves=rng.randint(1, 2),
        digital_cooldown_minutes=rng.choice([0, 5, 10, 90]),
    )
    behaviour = Behaviour(
        claim_probability=rng.choice([0.1, 0.4, 0.8]),
        decline_probability=0.15,
        mean_response_seconds=rng.choice([5.0, 40.0]),
    )
    return {
        "arrivals": arrivals,
        "agents": agents,
        "claims": claims,
        "policy": policy,
        "behaviour": behaviour,
        "timezone": rng.choice(["Asia/Kolkata", "Europe/Paris", "UTC"]),
        "wave_timeout_seconds": rng.choice([20.0, 60.0]),
    }


class TestFastPathAgreesWithTheRules:
    """RTE-4, RTE-5, RTE-2: the incremental pools give the same waves as the plain functions."""

    @pytest.mark.parametrize("seed", range(12))
    def test_cross_check_on_random_scenarios(self, seed: int) -> None:
        """RTE-2 to RTE-5: every lead's eligibility and every wave equal the plain rules'."""
        report = simulate(rng=seeded(seed), cross_check=True, **scenario(seed))  # type: ignore[arg-type]  # the scenario's values are typed per key

        assert report.leads == 120

    def test_cross_check_same_report_as_without(self) -> None:
        """GEN-2: cross-checking draws nothing extra: the report is the same."""
        checked = simulate(rng=seeded(3), cross_check=True, **scenario(3))  # type: ignore[arg-type]  # as above
        plain = simulate(rng=seeded(3), **scenario(3))  # type: ignore[arg-type]  # as above

        assert checked == plain

    def test_cross_check_catches_a_wrong_fast_path(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """RTE-5: the check is not vacuous: a fast path that ignores round robin is caught."""
        real = _routing_fast.Pool.draw

        def reversed_draw(
            self: _routing_fast.Pool, offered: set[str], size: int, rng: random.Random
        ) -> tuple[str, ...]:
            return tuple(reversed(real(self, offered, size, rng)))

        monkeypatch.setattr(_routing_fast.Pool, "draw", reversed_draw)

        with pytest.raises(RuntimeError, match="fast path"):
            simulate(every_minute(3), team(3), rng=seeded(1), cross_check=True)


class TestSimulate:
    """RTE-2, RTE-3, RTE-5: what the report says."""

    def test_same_seed_same_report(self) -> None:
        """GEN-2: the simulation is reproducible."""
        arrivals = synthetic_arrivals(DAY, count=200, project="p1", rng=seeded(1))

        first = simulate(arrivals, team(15), rng=seeded(2))
        second = simulate(arrivals, team(15), rng=seeded(2))

        assert first == second
        assert first.summary() == second.summary()

    def test_every_lead_is_claimed_or_fresh(self) -> None:
        """RTE-2, RTE-3: each lead ends claimed or in the fresh bucket."""
        arrivals = synthetic_arrivals(DAY, count=300, project="p1", rng=seeded(5))

        report = simulate(arrivals, team(12), rng=seeded(6))

        assert report.leads == 300
        assert report.claimed + report.fresh == 300
        assert sum(report.claims_per_agent.values()) == report.claimed
        assert sum(report.claimed_in_wave) == report.claimed
        assert sum(report.leads_by_channel.values()) == 300
        assert sum(report.fresh_by_channel.values()) == report.fresh
        assert report.time_to_claim.count == report.claimed

    def test_agents_who_always_claim_leave_nothing_fresh(self) -> None:
        """RTE-2: the first claim of the first wave wins every lead."""
        report = simulate(every_minute(40), team(8), rng=seeded(1), behaviour=ALWAYS)

        assert (report.fresh, report.claimed_in_wave) == (0, (40, 0))
        assert report.time_to_claim.max is not None
        assert report.time_to_claim.max < 60

    def test_agents_who_never_respond_send_everything_to_fresh(self) -> None:
        """RTE-2, RTE-3: two waves for digital, one for offline, then the fresh bucket."""
        arrivals = every_minute(10) + every_minute(10, "offline")

        report = simulate(arrivals, team(12), rng=seeded(1), behaviour=NEVER)

        assert report.fresh_share == 1.0
        assert dict(report.fresh_by_channel) == {"digital": 10, "offline": 10}
        # 10 digital leads x (5 + 5) offers, 10 offline calls x 5 offers.
        assert sum(report.offers_per_agent.values()) == 150

    def test_no_agents_means_everything_is_fresh(self) -> None:
        """RTE-2: empty waves skip ahead to the fresh bucket."""
        report = simulate(every_minute(5), [], rng=seeded(1))

        assert (report.fresh, report.gini, report.time_to_claim.count) == (5, 0.0, 0)

    def test_leads_of_another_project_reach_no_one(self) -> None:
        """RTE-4: only agents of the lead's project are offered it."""
        report = simulate(every_minute(5, project="p2"), team(5), rng=seeded(1), behaviour=ALWAYS)

        assert report.fresh == 5
        assert set(report.offers_per_agent.values()) == {0}

    def test_cooldown_then_round_robin_spreads_leads_evenly(self) -> None:
        """RTE-5: one agent a wave: preferred agents first, then the oldest claim first."""
        one = RoutingPolicy(wave_size=1)

        report = simulate(every_minute(30), team(10), rng=seeded(1), behaviour=ALWAYS, policy=one)

        assert set(report.claims_per_agent.values()) == {3}
        assert report.gini == 0.0

    def test_offline_cooldown_is_the_day(self) -> None:
        """RTE-5: offline, every agent gets one call a day before round robin starts."""
        one = RoutingPolicy(wave_size=1)

        report = simulate(
            every_minute(6, "offline"), team(3), rng=seeded(1), behaviour=ALWAYS, policy=one
        )

        assert set(report.claims_per_agent.values()) == {2}

    def test_fairness_is_over_routable_agents(self) -> None:
        """RTE-4: an agent who can receive nothing is reported, but not in the fairness."""
        agents = [*team(4), Agent(id="off", project="p1", active=False)]
        one = RoutingPolicy(wave_size=1)

        report = simulate(every_minute(8), agents, rng=seeded(1), behaviour=ALWAYS, policy=one)

        assert report.routable_agents == ("a00", "a01", "a02", "a03")
        assert report.claims_per_agent["off"] == 0
        assert (report.gini, report.summary()["claims_min"]) == (0.0, 2)

    def test_late_responses_are_rejected_by_the_rules(self) -> None:
        """RTE-2: a claim after its wave timed out is outside the current wave."""
        slow = Behaviour(claim_probability=0.5, decline_probability=0.0, mean_response_seconds=90)

        report = simulate(every_minute(60), team(20), rng=seeded(3), behaviour=slow)

        assert set(report.rejected) == {"not_in_wave"}
        assert report.rejected["not_in_wave"] > 0

    def test_per_agent_behaviour(self) -> None:
        """RTE-2: the first claim wins, so the one keen agent gets every lead it claims first."""
        keen = {"a00": ALWAYS}

        report = simulate(
            every_minute(20), team(2), rng=seeded(1), behaviour=NEVER, behaviours=keen
        )

        assert report.claims_per_agent["a00"] == report.claimed
        assert report.claims_per_agent["a01"] == 0

    def test_claims_before_the_stream_cool_agents_down(self) -> None:
        """RTE-5: history counts: an agent who just claimed is offered after the others."""
        history = [Claim(agent="a00", at=START - dt.timedelta(minutes=1))]
        policy = RoutingPolicy(wave_size=1)

        report = simulate(
            every_minute(1), team(2), rng=seeded(1), behaviour=ALWAYS, claims=history,
            policy=policy,
        )  # fmt: skip

        assert dict(report.claims_per_agent) == {"a00": 0, "a01": 1}

    def test_smaller_waves_send_more_leads_to_fresh(self) -> None:
        """RTE-2, GEN-7: comparing policies, wave size 3 against 5 with shy agents."""
        arrivals = synthetic_arrivals(DAY, count=400, project="p1", rng=seeded(8))
        shy = Behaviour(claim_probability=0.15, decline_probability=0.2)

        five = simulate(arrivals, team(40), rng=seeded(9), behaviour=shy)
        three = simulate(
            arrivals, team(40), rng=seeded(9), behaviour=shy, policy=RoutingPolicy(wave_size=3)
        )

        assert three.fresh_share > five.fresh_share

    @pytest.mark.parametrize(
        ("kwargs", "path"),
        [
            ({"behaviours": {"zz": ALWAYS}}, "behaviours['zz']"),
            ({"wave_timeout_seconds": 0}, "wave_timeout_seconds"),
            ({"timezone": "Nowhere/Place"}, "timezone"),
            ({"agents": [Agent(id="a"), Agent(id="a")]}, "agents[1].id"),
            ({"arrivals": ["L1"]}, "arrivals[0]"),
        ],
    )
    def test_bad_input_is_refused(self, kwargs: dict[str, object], path: str) -> None:
        """GEN-5: bad input raises InvalidInput naming the field."""
        arguments: dict[str, object] = {"arrivals": every_minute(1), "agents": team(1)}
        arguments.update(kwargs)

        with pytest.raises(InvalidInput) as caught:
            simulate(rng=seeded(1), **arguments)  # type: ignore[arg-type]  # on purpose

        assert caught.value.path == path


class TestInputs:
    """The simulation's own input classes."""

    @pytest.mark.parametrize(
        ("kwargs", "path"),
        [
            ({"claim_probability": 1.5}, "claim_probability"),
            ({"claim_probability": 0.7, "decline_probability": 0.4}, "decline_probability"),
            ({"mean_response_seconds": 0}, "mean_response_seconds"),
            ({"decline_probability": True}, "decline_probability"),
        ],
    )
    def test_behaviour_is_checked(self, kwargs: dict[str, float], path: str) -> None:
        """GEN-5: probabilities in 0-1 adding up to at most 1, positive delays."""
        with pytest.raises(InvalidInput) as caught:
            Behaviour(**kwargs)

        assert caught.value.path == path

    def test_arrival_channel_is_digital_or_offline(self) -> None:
        """RTE-1: only digital and offline leads are dispatched in waves."""
        with pytest.raises(InvalidInput) as caught:
            Arrival(lead="L1", at=START, channel="fresh", project="p1")

        assert caught.value.path == "channel"
        assert Arrival(lead="L1", at=START, channel="offline", project="p1").channel is (
            Channel.OFFLINE
        )

    def test_synthetic_arrivals(self) -> None:
        """RTE-5: arrivals are sorted, inside opening hours, in the given zone."""
        leads = synthetic_arrivals(
            DAY, count=500, project="p1", rng=seeded(4), timezone="Asia/Kolkata",
            digital_share=1.0, opening_hour=10, closing_hour=11,
        )  # fmt: skip

        assert [a.lead for a in leads[:2]] == ["L000001", "L000002"]
        assert [a.at for a in leads] == sorted(a.at for a in leads)
        assert {a.at.hour for a in leads} == {10}
        assert {a.channel for a in leads} == {Channel.DIGITAL}

    @pytest.mark.parametrize(
        ("kwargs", "path"),
        [
            ({"count": -1}, "count"),
            ({"digital_share": 2.0}, "digital_share"),
            ({"opening_hour": 12, "closing_hour": 12}, "closing_hour"),
            ({"timezone": "Moon/Base"}, "timezone"),
        ],
    )
    def test_synthetic_arrivals_checks_its_input(
        self, kwargs: dict[str, object], path: str
    ) -> None:
        """GEN-5: bad counts, shares, hours and zones are refused."""
        arguments: dict[str, object] = {"count": 1, "project": "p1"}
        arguments.update(kwargs)

        with pytest.raises(InvalidInput) as caught:
            synthetic_arrivals(DAY, rng=seeded(1), **arguments)  # type: ignore[arg-type]  # on purpose

        assert caught.value.path == path


class TestFigures:
    """The report's figures."""

    @pytest.mark.parametrize(
        ("values", "expected"),
        [([], 0.0), ([0, 0], 0.0), ([3, 3, 3], 0.0), ([0, 0, 0, 12], 0.75), ([1, 3], 0.25)],
    )
    def test_gini(self, values: list[int], expected: float) -> None:
        """RTE-5 fairness: Gini is 0 when even, (n-1)/n when one agent has everything."""
        assert gini(values) == pytest.approx(expected)

    def test_percentiles_nearest_rank(self) -> None:
        """RTE-2 time to claim: nearest-rank percentiles over 1..100."""
        figures = Percentiles.of(float(v) for v in range(100, 0, -1))

        assert (figures.p50, figures.p90, figures.p99, figures.max) == (50.0, 90.0, 99.0, 100.0)
        assert figures.mean == 50.5
        assert Percentiles.of([]) == Percentiles(count=0)

    def test_summary_keys(self) -> None:
        """GEN-7: the summary holds the headline figures of a policy comparison."""
        report = simulate(every_minute(3), team(2), rng=seeded(1), behaviour=ALWAYS)

        assert isinstance(report, SimulationReport)
        assert set(report.summary()) == {
            "leads",
            "fresh_share",
            "gini",
            "claims_min",
            "claims_max",
            "ttc_p50",
            "ttc_p90",
            "ttc_p99",
            "late_rejected",
        }

    def test_module_lists_its_public_names(self) -> None:
        """GEN-5, STYLE: __dir__ returns __all__ (nothing undocumented leaks)."""
        assert dir(simulation) == simulation.__all__


def test_docs_page_examples_run() -> None:
    """RTE-1 to RTE-8: every example of docs/routing.md, the simulation's included, holds."""
    failures, tried = doctest.testfile(
        str(DOCS),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )

    assert tried > 10
    assert failures == 0
