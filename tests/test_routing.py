"""Example tests of leadcore.routing, one class per rule or public function (RTE)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, cast

import attrs
import pytest

from leadcore import routing
from leadcore.errors import InvalidInput
from leadcore.model import Agent, Channel, Claim, Lead, User
from leadcore.routing import (
    DispatchEvent,
    DispatchState,
    Eligibility,
    RoutingPolicy,
    apply_event,
    check_wave,
    diagnose,
    dispatch,
    eligible,
    fresh_claim,
    fresh_limit,
    judge_wave,
    next_wave,
    offer,
    open_dispatch,
    transfer,
)

from .helpers import NOW, at

LEAD = Lead(id="L1", project="p1")


def seeded(seed: int) -> random.Random:
    """A generator in a known state (GEN-2)."""
    return random.Random(seed)  # reproducible draws, not cryptography


def agents(count: int, **switches: Any) -> list[Agent]:
    """Agents a1..a<count> of project p1, with the given switches."""
    return [Agent(id=f"a{i}", project="p1", **switches) for i in range(1, count + 1)]


def claim(agent: str, minutes_ago: float, bucket: str = "digital") -> Claim:
    """A claim by ``agent`` some minutes before NOW."""
    return Claim(agent=agent, at=at(minutes=minutes_ago), bucket=bucket)


def event(kind: str, agent: str | None = None, seconds: float = 0) -> DispatchEvent:
    """An event some seconds after NOW."""
    return DispatchEvent(kind=kind, agent=agent, at=NOW + dt.timedelta(seconds=seconds))


def codes(reasons: tuple[Any, ...] | list[Any]) -> list[str]:
    """The codes of reasons."""
    return [r.code for r in reasons]


class TestPolicy:
    """GEN-7: every number of the routing rules is a policy field with the rulebook's default."""

    def test_defaults_are_the_spec_values(self) -> None:
        """GEN-7, RTE-2, RTE-5, RTE-6: 5 agents, 2 and 1 waves, 10 minutes, UTC, WIP list."""
        policy = RoutingPolicy()

        assert (policy.wave_size, policy.digital_waves, policy.offline_waves) == (5, 2, 1)
        assert (policy.digital_cooldown_minutes, policy.fresh_window_minutes) == (10, 10)
        assert policy.default_timezone == "UTC"
        assert policy.wip_statuses == (
            "claimed",
            "interested",
            "meeting_done",
            "visit_done",
            "final_negotiation",
        )

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("wave_size", 0),
            ("digital_waves", 0),
            ("offline_waves", -1),
            ("digital_cooldown_minutes", -1),
            ("digital_cooldown_minutes", 10**12),
            ("fresh_window_minutes", 0),
            ("wave_size", True),
            ("default_timezone", "Mars/Olympus"),
            ("default_timezone", "localtime"),
            ("wip_statuses", "claimed"),
        ],
    )
    def test_bad_values_are_refused_naming_the_field(self, field: str, value: object) -> None:
        """GEN-5, GEN-7: a bad policy value is an InvalidInput naming the field."""
        with pytest.raises(InvalidInput) as caught:
            RoutingPolicy(**cast("dict[str, Any]", {field: value}))

        assert caught.value.path == field

    def test_a_zero_cooldown_is_allowed(self) -> None:
        """RTE-5, GEN-7: an analyst may switch the digital cool-down off."""
        assert RoutingPolicy(digital_cooldown_minutes=0).cooldown == dt.timedelta(0)


class TestChannels:
    """RTE-1: four channels; only digital and offline are offered in waves."""

    def test_the_four_channels(self) -> None:
        """RTE-1: digital, offline, fresh bucket and transfer."""
        assert [c.value for c in Channel] == ["digital", "offline", "fresh", "transfer"]

    @pytest.mark.parametrize("channel", ["fresh", "transfer", "email", Channel.FRESH])
    def test_waves_are_for_digital_and_offline_only(self, channel: str) -> None:
        """RTE-1: asking who may receive a fresh or transferred lead is an input error."""
        with pytest.raises(InvalidInput) as caught:
            eligible(channel, LEAD, agents(2), [], now=NOW)

        assert caught.value.path == "channel"


class TestEligible:
    """RTE-4: eligible agents, with every failing condition in RTE-4's order."""

    def test_everyone_eligible_and_preferred_sorted_by_id(self) -> None:
        """RTE-4: active agents of the project with every switch on are preferred."""
        given = [Agent(id=i, project="p1") for i in ("b", "a", "c")]

        result = eligible("digital", LEAD, given, [], now=NOW)

        assert result.preferred == ("a", "b", "c")
        assert result.fallback == ()
        assert dict(result.ineligible) == {}

    def test_digital_conditions_in_rte4_order(self) -> None:
        """RTE-4: wrong project, inactive, lead flow, battery, auto-run, all listed."""
        agent = Agent(
            id="x",
            project="p2",
            active=False,
            lead_flow=False,
            battery_optimization_disabled=False,
            autorun_enabled=False,
            network_ok=False,
        )

        result = eligible("digital", LEAD, [agent], [], now=NOW)

        assert codes(result.ineligible["x"]) == [
            "wrong_project",
            "inactive",
            "lead_flow_off",
            "battery_optimization_on",
            "autorun_off",
        ]

    def test_offline_conditions_in_rte4_order(self) -> None:
        """RTE-4: offline looks at the network, not at battery or auto-run."""
        agent = Agent(
            id="x",
            project="p1",
            active=False,
            lead_flow=False,
            battery_optimization_disabled=False,
            autorun_enabled=False,
            network_ok=False,
        )

        result = eligible("offline", LEAD, [agent], [], now=NOW)

        assert codes(result.ineligible["x"]) == ["inactive", "lead_flow_off", "network_problem"]

    @pytest.mark.parametrize(
        ("switch", "digital", "offline"),
        [
            ("battery_optimization_disabled", False, True),
            ("autorun_enabled", False, True),
            ("network_ok", True, False),
        ],
    )
    def test_channel_specific_switches(self, switch: str, digital: bool, offline: bool) -> None:
        """RTE-4: battery and auto-run matter to digital only, the network to offline only."""
        given = [Agent(id="x", project="p1", **{switch: False})]

        assert bool(eligible("digital", LEAD, given, [], now=NOW).preferred) is digital
        assert bool(eligible("offline", LEAD, given, [], now=NOW).preferred) is offline

    def test_agent_without_project_is_wrong_project(self) -> None:
        """RTE-4: an agent with no project is not in the lead's project."""
        result = eligible("digital", LEAD, [Agent(id="x")], [], now=NOW)

        assert codes(result.ineligible["x"]) == ["wrong_project"]

    def test_lead_without_project_is_an_input_error(self) -> None:
        """RTE-4, GEN-5: a lead is routed to its project's agents: the project is required."""
        with pytest.raises(InvalidInput) as caught:
            eligible("digital", Lead(id="L1"), agents(2), [], now=NOW)

        assert caught.value.path == "lead.project"

    def test_duplicate_agent_ids_are_an_input_error(self) -> None:
        """GEN-5: agent ids must be unique; the second one is named."""
        with pytest.raises(InvalidInput) as caught:
            eligible("digital", LEAD, [*agents(2), Agent(id="a1", project="p1")], [], now=NOW)

        assert caught.value.path == "agents[2].id"

    def test_naive_now_is_refused(self) -> None:
        """GEN-1: now must be timezone-aware."""
        with pytest.raises(InvalidInput) as caught:
            eligible("digital", LEAD, agents(1), [], now=dt.datetime(2026, 1, 1))  # noqa: DTZ001  # naive on purpose

        assert caught.value.code == "naive_datetime"

    def test_wrong_types_are_input_errors(self) -> None:
        """GEN-5: a non-agent in the list is named by its path, not a deep AttributeError."""
        with pytest.raises(InvalidInput) as caught:
            eligible("digital", LEAD, [agents(1)[0], "a2"], [], now=NOW)  # type: ignore[list-item]  # on purpose

        assert caught.value.path == "agents[1]"


class TestCooldown:
    """RTE-5: cool-downs and the round-robin fallback."""

    def test_digital_claim_under_ten_minutes_cools_down(self) -> None:
        """RTE-5: a claim 9 minutes 59 seconds ago makes the agent a fallback."""
        result = eligible("digital", LEAD, agents(2), [claim("a1", 9 + 59 / 60)], now=NOW)

        assert result.preferred == ("a2",)
        assert result.fallback == ("a1",)

    def test_digital_claim_exactly_ten_minutes_old_no_longer_cools_down(self) -> None:
        """RTE-5: now - at < 10 min; a claim exactly 10 minutes old is over."""
        result = eligible("digital", LEAD, agents(2), [claim("a1", 10)], now=NOW)

        assert result.preferred == ("a1", "a2")

    def test_claim_at_now_cools_down_and_claims_after_now_are_ignored(self) -> None:
        """RTE-5, routing conventions: claims count when 0 <= now - at."""
        claims = [claim("a1", 0), claim("a2", -1)]

        result = eligible("digital", LEAD, agents(2), claims, now=NOW)

        assert result.fallback == ("a1",)
        assert result.preferred == ("a2",)

    def test_claims_of_any_bucket_cool_down(self) -> None:
        """RTE-5, routing conventions: cool-downs count claims of any bucket."""
        claims = [claim("a1", 1, "fresh"), claim("a2", 1, "transfer"), claim("a3", 1, "offline")]

        result = eligible("digital", LEAD, agents(4), claims, now=NOW)

        assert result.preferred == ("a4",)

    def test_policy_cooldown_is_used(self) -> None:
        """RTE-5, GEN-7: with a 5-minute cool-down a 6-minute-old claim is over."""
        policy = RoutingPolicy(digital_cooldown_minutes=5)

        result = eligible("digital", LEAD, agents(1), [claim("a1", 6)], now=NOW, policy=policy)

        assert result.preferred == ("a1",)

    def test_offline_claim_earlier_the_same_day_cools_down(self) -> None:
        """RTE-5: offline, a claim on the same calendar day (UTC by default)."""
        claims = [claim("a1", 11 * 60 + 59)]  # 00:01 UTC, now is 12:00 UTC

        result = eligible("offline", LEAD, agents(2), claims, now=NOW)

        assert result.fallback == ("a1",)

    def test_offline_claim_yesterday_does_not_cool_down(self) -> None:
        """RTE-5: a claim at 23:59 the day before is another calendar day."""
        claims = [claim("a1", 12 * 60 + 1)]

        result = eligible("offline", LEAD, agents(1), claims, now=NOW)

        assert result.preferred == ("a1",)

    def test_offline_day_is_the_projects_time_zone_day(self) -> None:
        """RTE-5: 20:00 UTC on the 22nd is 01:30 on the 23rd in Asia/Kolkata: same day."""
        evening = Claim(agent="a1", at=dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.UTC))
        now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)

        in_utc = eligible("offline", LEAD, agents(1), [evening], now=now)
        in_india = eligible("offline", LEAD, agents(1), [evening], now=now, timezone="Asia/Kolkata")

        assert in_utc.preferred == ("a1",)
        assert in_india.fallback == ("a1",)

    def test_policy_default_timezone_is_used(self) -> None:
        """RTE-5, GEN-7: without a timezone argument, policy.default_timezone."""
        evening = Claim(agent="a1", at=dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.UTC))
        policy = RoutingPolicy(default_timezone="Asia/Kolkata")
        now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)

        result = eligible("offline", LEAD, agents(1), [evening], now=now, policy=policy)

        assert result.fallback == ("a1",)

    def test_unknown_timezone_is_an_input_error(self) -> None:
        """RTE-5, GEN-5: the time zone must be an IANA name."""
        with pytest.raises(InvalidInput) as caught:
            eligible("offline", LEAD, agents(1), [], now=NOW, timezone="India Standard Time")

        assert caught.value.path == "timezone"

    def test_round_robin_is_oldest_last_claim_first_ties_by_id(self) -> None:
        """RTE-5 [decided]: fallback order is oldest last claim first, then agent id."""
        claims = [
            claim("a3", 8),
            claim("a1", 2),
            claim("a1", 9),  # a1's last claim is the 2-minute-old one
            claim("a4", 5),
            claim("a2", 5),
        ]

        result = eligible("digital", LEAD, agents(4), claims, now=NOW)

        assert result.fallback == ("a3", "a2", "a4", "a1")
        assert result.last_claims["a1"] == at(minutes=2)


class TestNextWave:
    """RTE-2, RTE-3, RTE-5: drawing a wave."""

    def test_wave_of_five_preferred_agents(self) -> None:
        """RTE-2: min(5, available) agents, all preferred when enough are."""
        elig = eligible("digital", LEAD, agents(9), [], now=NOW)

        wave = next_wave(elig, rng=seeded(1))

        assert len(wave) == 5
        assert len(set(wave)) == 5
        assert set(wave) <= set(elig.preferred)

    def test_fewer_available_than_wave_size(self) -> None:
        """RTE-2: with three agents, a wave of three."""
        elig = eligible("digital", LEAD, agents(3), [], now=NOW)

        assert sorted(next_wave(elig, rng=seeded(1))) == ["a1", "a2", "a3"]

    def test_fill_from_fallback_in_round_robin_order(self) -> None:
        """RTE-5: preferred first, then cooled-down agents oldest claim first."""
        claims = [claim("a1", 1), claim("a2", 3), claim("a3", 2), claim("a4", 4)]
        elig = eligible("digital", LEAD, agents(5), claims, now=NOW, policy=RoutingPolicy())

        wave = next_wave(elig, rng=seeded(5), policy=RoutingPolicy(wave_size=3))

        assert wave == ("a5", "a4", "a2")

    def test_offered_agents_are_never_drawn_again(self) -> None:
        """RTE-2: the second wave holds none offered before."""
        elig = eligible("digital", LEAD, agents(7), [], now=NOW)
        first = next_wave(elig, rng=seeded(2))

        second = next_wave(elig, first, rng=seeded(2))

        assert not set(first) & set(second)
        assert sorted(first + second) == [f"a{i}" for i in range(1, 8)]

    def test_nobody_available_gives_an_empty_wave(self) -> None:
        """RTE-2: an empty wave when every eligible agent was offered."""
        elig = eligible("digital", LEAD, agents(2), [], now=NOW)

        assert next_wave(elig, ["a1", "a2"], rng=seeded(0)) == ()

    def test_same_seed_same_wave(self) -> None:
        """GEN-2: the draw depends only on the generator's state."""
        elig = eligible("digital", LEAD, agents(30), [], now=NOW)

        assert next_wave(elig, rng=seeded(9)) == next_wave(elig, rng=seeded(9))


class TestCheckWave:
    """RTE-2 to RTE-5: judging waves drawn by another implementation."""

    def judge(self, wave: list[str], offered: list[str] = [], **kw: Any) -> list[str]:  # noqa: B006  # never mutated
        """Codes for ``wave`` among 7 agents: a1-a4 preferred, a5 then a6 cooling, a7 off."""
        given = [*agents(6), Agent(id="a7", project="p1", active=False)]
        claims = [claim("a6", 1), claim("a5", 2)]
        channel = kw.pop("channel", "digital")
        return list(check_wave(channel, LEAD, given, claims, offered, wave, now=NOW, **kw).codes)

    def test_preferred_then_round_robin_is_legal(self) -> None:
        """RTE-5: four preferred and the oldest cooled-down agent; order inside is free."""
        assert self.judge(["a5", "a3", "a1", "a4", "a2"]) == []

    def test_unknown_agent(self) -> None:
        """RTE-4: every agent must be among those given."""
        assert self.judge(["a1", "a2", "a3", "a4", "zz"])[0] == "unknown_agent"

    def test_ineligible_agent(self) -> None:
        """RTE-4: an inactive agent may not be offered."""
        assert "ineligible_agent" in self.judge(["a1", "a2", "a3", "a4", "a7"])

    def test_offered_before(self) -> None:
        """RTE-2: the second wave offers nobody from the first."""
        assert self.judge(["a1", "a5", "a6"], offered=["a1", "a2", "a3", "a4"]) == [
            "offered_before",
            "wrong_size",
        ]

    def test_second_wave_legal(self) -> None:
        """RTE-2: after a1-a4 and a5, the second wave is a6 alone."""
        assert self.judge(["a6"], offered=["a1", "a2", "a3", "a4", "a5"]) == []

    def test_duplicate_agent(self) -> None:
        """RTE-2: an agent is listed once."""
        assert self.judge(["a1", "a1", "a2", "a3", "a4"]) == ["duplicate_agent"]

    def test_wrong_size(self) -> None:
        """RTE-2: min(5, available) agents, no fewer."""
        assert self.judge(["a1", "a2", "a3"]) == ["wrong_size"]

    def test_empty_wave_legal_only_when_nobody_is_available(self) -> None:
        """RTE-2: an empty wave is legal when nobody is left to offer."""
        everyone = [f"a{i}" for i in range(1, 7)]

        assert self.judge([], offered=everyone) == []
        assert self.judge([], offered=everyone[:5]) == ["wrong_size"]

    def test_fallback_before_preferred(self) -> None:
        """RTE-5: no cooled-down agent while a preferred one is left out."""
        assert self.judge(["a5", "a6", "a1", "a2", "a3"]) == ["fallback_before_preferred"]

    def test_fallback_out_of_order(self) -> None:
        """RTE-5: the cooled-down agents used are the first in round-robin order."""
        assert self.judge(["a6", "a1", "a2", "a3", "a4"]) == ["fallback_out_of_order"]

    def test_offline_gets_one_wave(self) -> None:
        """RTE-3: an offline call rings one wave; nothing may have been offered before."""
        assert self.judge(["a2", "a3", "a4", "a5", "a6"], offered=["a1"], channel="offline") == [
            "offline_second_wave"
        ]

    def test_offline_first_wave_legal(self) -> None:
        """RTE-3, RTE-5: offline cool-down is the day: a5 and a6 claimed today."""
        assert self.judge(["a1", "a2", "a3", "a4", "a5"], channel="offline") == []

    def test_every_reason_at_once_in_spec_order(self) -> None:
        """GEN-4: a refusal lists every failing condition."""
        assert self.judge(["zz", "a7", "a1", "a1", "a6"], offered=["a1"]) == [
            "unknown_agent",
            "ineligible_agent",
            "offered_before",
            "duplicate_agent",
            "fallback_before_preferred",
            "fallback_out_of_order",
        ]

    def test_judge_wave_reports_the_expected_size(self) -> None:
        """RTE-2: size is min(wave_size, available)."""
        elig = Eligibility(channel="digital", preferred=("a", "b"), fallback=("c",))

        assert judge_wave(elig, [], ["a", "b", "c"], policy=RoutingPolicy(wave_size=4)).size == 3


class TestDispatchDigital:
    """RTE-2: digital leads, two waves, then the fresh bucket."""

    def run(self, events: list[DispatchEvent], count: int = 7, **kw: Any) -> DispatchState:
        """Dispatch L1 among ``count`` agents with seed 1."""
        return dispatch(
            "digital", LEAD, agents(count), kw.pop("claims", []), events, now=NOW,
            rng=seeded(1), **kw,
        )  # fmt: skip

    def test_no_event_leaves_the_first_wave_pending(self) -> None:
        """RTE-2: the first wave is offered at once; without events the lead is pending."""
        state = self.run([])

        assert state.outcome == "pending"
        assert len(state.waves) == 1
        assert state.wave_times == (NOW,)

    def test_first_claim_of_the_wave_wins(self) -> None:
        """RTE-2: the first claim wins; a later claim is rejected as lead_taken."""
        first = self.run([]).waves[0]

        state = self.run([event("claim", first[2], 5), event("claim", first[0], 6)])

        assert (state.outcome, state.agent, state.decided_at) == (
            "claimed",
            first[2],
            NOW + dt.timedelta(seconds=5),
        )
        assert [(r.index, r.code) for r in state.rejected] == [(1, "lead_taken")]

    def test_claim_from_outside_the_wave_is_rejected(self) -> None:
        """RTE-2: only agents of the current wave may claim."""
        outsider = (set(agents_ids(7)) - set(self.run([]).waves[0])).pop()

        state = self.run([event("claim", outsider, 1)])

        assert state.outcome == "pending"
        assert [r.code for r in state.rejected] == ["not_in_wave"]

    def test_declined_agent_cannot_claim(self) -> None:
        """RTE-2, routing conventions: an agent who declined cannot claim."""
        agent = self.run([]).waves[0][0]

        state = self.run([event("decline", agent, 1), event("claim", agent, 2)])

        assert [r.code for r in state.rejected] == ["declined_before"]

    def test_all_declined_offers_the_second_wave_at_that_moment(self) -> None:
        """RTE-2: when every agent of the wave declines, the next wave follows at once."""
        first = self.run([]).waves[0]
        declines = [event("decline", agent, i + 1) for i, agent in enumerate(first)]

        state = self.run(declines)

        assert len(state.waves) == 2
        assert state.wave_times[1] == NOW + dt.timedelta(seconds=5)
        assert sorted(first + state.waves[1]) == agents_ids(7)

    def test_timeout_offers_the_second_wave_then_fresh(self) -> None:
        """RTE-2: a wave times out; after the second one the lead goes to the fresh bucket."""
        state = self.run([event("timeout", None, 60), event("timeout", None, 120)])

        assert state.outcome == "fresh"
        assert state.decided_at == NOW + dt.timedelta(seconds=120)
        assert [len(w) for w in state.waves] == [5, 2]

    def test_second_wave_agent_claims(self) -> None:
        """RTE-2: after the first wave times out, a second-wave agent's claim wins."""
        second = self.run([event("timeout", None, 60)]).waves[1]

        state = self.run([event("timeout", None, 60), event("claim", second[0], 70)])

        assert (state.outcome, state.agent) == ("claimed", second[0])

    def test_first_wave_agent_cannot_claim_during_the_second(self) -> None:
        """RTE-2: a late claim from the first wave is outside the current wave."""
        first = self.run([]).waves[0]

        state = self.run([event("timeout", None, 60), event("claim", first[0], 61)])

        assert [r.code for r in state.rejected] == ["not_in_wave"]

    def test_nobody_eligible_goes_straight_to_fresh(self) -> None:
        """RTE-2 [decided]: empty waves skip ahead and are recorded as empty."""
        state = dispatch("digital", LEAD, agents(3, active=False), [], [], now=NOW, rng=seeded(1))

        assert state.outcome == "fresh"
        assert state.waves == ((), ())
        assert state.decided_at == NOW

    def test_first_wave_takes_everyone_so_second_is_empty(self) -> None:
        """RTE-2: three agents all decline: the second wave is empty, the lead is fresh."""
        first = self.run([], count=3).waves[0]

        state = self.run([event("decline", a, 1) for a in first], count=3)

        assert state.outcome == "fresh"
        assert state.waves[1] == ()

    def test_events_after_fresh_are_rejected(self) -> None:
        """RTE-2: events after the lead is in the fresh bucket are rejected."""
        state = self.run(
            [event("timeout", None, 1), event("timeout", None, 2), event("claim", "a1", 3)]
        )

        assert [r.code for r in state.rejected] == ["lead_in_fresh_bucket"]

    def test_answer_is_not_a_digital_event(self) -> None:
        """RTE-2, routing conventions: digital takes claim, decline and timeout only."""
        agent = self.run([]).waves[0][0]

        state = self.run([event("answer", agent, 1)])

        assert [r.code for r in state.rejected] == ["wrong_event_type"]
        assert state.outcome == "pending"

    def test_events_apply_in_time_order_ties_in_input_order(self) -> None:
        """RTE-2, routing conventions: sorted by at, ties in the given order."""
        first = self.run([]).waves[0]
        events = [
            event("claim", first[1], 9),
            event("claim", first[0], 5),
            event("claim", first[2], 5),
        ]

        state = self.run(events)

        assert state.agent == first[0]
        assert [(r.index, r.code) for r in state.rejected] == [(2, "lead_taken"), (0, "lead_taken")]

    def test_event_before_now_is_an_input_error(self) -> None:
        """GEN-5: the lead arrives at now; an earlier event is inconsistent input."""
        with pytest.raises(InvalidInput) as caught:
            self.run([event("timeout", None, 1), event("claim", "a1", -1)])

        assert caught.value.path == "events[1].at"

    def test_same_seed_same_events_same_result(self) -> None:
        """GEN-2: dispatch is reproducible."""
        events = [event("timeout", None, 60), event("decline", "a3", 61)]

        assert self.run(events) == self.run(events)

    def test_cooled_down_agents_fill_the_wave(self) -> None:
        """RTE-5: with two preferred agents, three cooled-down ones in round-robin order."""
        claims = [claim("a3", 1), claim("a4", 2), claim("a5", 3), claim("a6", 4), claim("a7", 5)]

        state = self.run([], claims=claims)

        assert sorted(state.waves[0][:2]) == ["a1", "a2"]
        assert state.waves[0][2:] == ("a7", "a6", "a5")


def agents_ids(count: int) -> list[str]:
    """The ids a1..a<count>, sorted."""
    return sorted(f"a{i}" for i in range(1, count + 1))


class TestDispatchOffline:
    """RTE-3: offline calls, one wave, then the fresh bucket."""

    def run(self, events: list[DispatchEvent]) -> DispatchState:
        """Dispatch an offline call among 4 agents."""
        return dispatch("offline", LEAD, agents(4), [], events, now=NOW, rng=seeded(4))

    def test_first_to_answer_gets_the_lead(self) -> None:
        """RTE-3: the first agent to answer gets the lead."""
        state = self.run([event("answer", "a3", 8), event("answer", "a1", 9)])

        assert (state.outcome, state.agent) == ("claimed", "a3")
        assert [r.code for r in state.rejected] == ["lead_taken"]

    def test_nobody_answers_goes_to_fresh(self) -> None:
        """RTE-3: one wave only; a time-out sends the call to the fresh bucket."""
        state = self.run([event("timeout", None, 30)])

        assert state.outcome == "fresh"
        assert len(state.waves) == 1

    def test_everyone_rejects_the_call(self) -> None:
        """RTE-3: when every agent declines, the lead goes to the fresh bucket."""
        state = self.run([event("decline", f"a{i}", i) for i in range(1, 5)])

        assert state.outcome == "fresh"

    def test_claim_is_not_an_offline_event(self) -> None:
        """RTE-3, routing conventions: offline takes answer, decline and timeout only."""
        state = self.run([event("claim", "a1", 1)])

        assert [r.code for r in state.rejected] == ["wrong_event_type"]

    def test_policy_can_give_offline_two_waves(self) -> None:
        """RTE-3, GEN-7: offline_waves is a policy knob."""
        policy = RoutingPolicy(offline_waves=2, wave_size=2)

        state = dispatch(
            "offline", LEAD, agents(4), [], [event("timeout", None, 30)], now=NOW,
            rng=seeded(4), policy=policy,
        )  # fmt: skip

        assert state.outcome == "pending"
        assert len(state.waves) == 2


class TestStateMachine:
    """RTE-2: the dispatch's steps, used one by one."""

    def test_open_offer_apply(self) -> None:
        """RTE-2: open, offer a wave, a claim wins."""
        state = offer(open_dispatch("digital", "L9", now=NOW), ["a1", "a2"])

        state, rejection = apply_event(state, event("claim", "a2", 3))

        assert rejection is None
        assert (state.outcome, state.agent, state.applied) == ("claimed", "a2", 1)

    def test_rejection_is_returned_and_recorded(self) -> None:
        """RTE-2: a rejected event is returned and kept in the state, with its index."""
        state = offer(open_dispatch("digital", "L9", now=NOW), ["a1"])

        state, rejection = apply_event(state, event("claim", "a5", 3), index=7)

        assert rejection is not None
        assert (rejection.index, rejection.code) == (7, "not_in_wave")
        assert state.rejected == (rejection,)

    def test_offer_twice_is_an_error(self) -> None:
        """GEN-5: a wave is offered only when the dispatch awaits one."""
        state = offer(open_dispatch("digital", "L9", now=NOW), ["a1"])

        with pytest.raises(InvalidInput) as caught:
            offer(state, ["a2"])

        assert caught.value.path == "state.phase"

    def test_offer_cannot_repeat_an_agent(self) -> None:
        """RTE-2: the state machine refuses a wave that repeats an agent."""
        state = offer(open_dispatch("digital", "L9", now=NOW), ["a1"])
        state, _ = apply_event(state, event("timeout", None, 1))

        with pytest.raises(InvalidInput) as again:
            offer(state, ["a2", "a1"])
        with pytest.raises(InvalidInput) as twice:
            offer(state, ["a2", "a2"])

        assert again.value.path == "wave[1]"
        assert twice.value.path == "wave[1]"

    def test_apply_while_awaiting_a_wave_is_an_error(self) -> None:
        """GEN-5: events apply to an offered wave."""
        with pytest.raises(InvalidInput) as caught:
            apply_event(open_dispatch("digital", "L9", now=NOW), event("timeout"))

        assert caught.value.path == "state.phase"

    def test_events_must_come_in_time_order(self) -> None:
        """GEN-5: an event earlier than the last one applied is refused."""
        state = offer(open_dispatch("digital", "L9", now=NOW), ["a1", "a2"])
        state, _ = apply_event(state, event("decline", "a1", 10))

        with pytest.raises(InvalidInput) as caught:
            apply_event(state, event("claim", "a2", 5))

        assert caught.value.path == "event.at"

    def test_events_need_an_agent_except_timeouts(self) -> None:
        """GEN-5: claim, decline and answer events name their agent."""
        with pytest.raises(InvalidInput) as caught:
            DispatchEvent(kind="claim", at=NOW)

        assert caught.value.path == "agent"

    def test_states_are_frozen(self) -> None:
        """GEN-3: a state cannot be changed in place."""
        state = open_dispatch("digital", "L9", now=NOW)

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            state.phase = "fresh"  # type: ignore[misc]  # on purpose

    def test_inconsistent_state_is_refused(self) -> None:
        """GEN-5: a hand-built state must be consistent."""
        with pytest.raises(InvalidInput):
            DispatchState(
                lead="L1", channel="digital", max_waves=2, opened_at=NOW, clock=NOW,
                phase="claimed",
            )  # fmt: skip


class TestFreshLimit:
    """RTE-6: the fresh-bucket quota formula."""

    @pytest.mark.parametrize(
        ("fresh_count", "active", "limit"),
        [(0, 1, 1), (0, 10, 1), (9, 10, 1), (10, 10, 2), (11, 10, 2), (19, 10, 2), (20, 10, 3)],
    )
    def test_formula_and_its_boundaries(self, fresh_count: int, active: int, limit: int) -> None:
        """RTE-6: fresh_count // active_agents + 1."""
        assert fresh_limit(fresh_count, active) == limit

    @pytest.mark.parametrize(("fresh_count", "active", "path"), [(5, 0, "active_agents"),
                             (5, -2, "active_agents"), (-1, 3, "fresh_count")])  # fmt: skip
    def test_bad_counts_are_input_errors_never_clamped(
        self, fresh_count: int, active: int, path: str
    ) -> None:
        """RTE-6: zero or fewer active agents is an input error."""
        with pytest.raises(InvalidInput) as caught:
            fresh_limit(fresh_count, active)

        assert caught.value.path == path


class TestFreshClaim:
    """RTE-6: claims from the fresh bucket cut to the quota."""

    def test_claim_within_quota_is_granted(self) -> None:
        """RTE-6: limit 3, nothing used: 2 requested, 2 granted."""
        grant = fresh_claim("a1", [], fresh_count=9, active_agents=4, requested=2, now=NOW)

        assert (grant.granted, grant.limit, grant.used, grant.codes) == (2, 3, 0, ())

    def test_batch_claim_is_cut_to_what_is_left(self) -> None:
        """RTE-6: limit 3, 2 used in the window: a batch of 5 gets 1."""
        claims = [claim("a1", 1, "fresh"), claim("a1", 9.9, "fresh")]

        grant = fresh_claim("a1", claims, fresh_count=9, active_agents=4, requested=5, now=NOW)

        assert (grant.granted, grant.used, grant.codes) == (1, 2, ("quota_exhausted",))

    def test_quota_exhausted(self) -> None:
        """RTE-6: nothing left: nothing granted."""
        claims = [claim("a1", 0, "fresh"), claim("a1", 5, "fresh")]

        grant = fresh_claim("a1", claims, fresh_count=4, active_agents=4, now=NOW)

        assert (grant.granted, grant.limit, grant.codes) == (0, 2, ("quota_exhausted",))

    def test_only_this_agents_fresh_claims_in_the_window_count(self) -> None:
        """RTE-6: other agents, other buckets, 10-minute-old and future claims do not count."""
        claims = [
            claim("a2", 1, "fresh"),
            claim("a1", 1, "digital"),
            claim("a1", 10, "fresh"),
            claim("a1", -1, "fresh"),
            claim("a1", 9.99, "fresh"),
        ]

        grant = fresh_claim("a1", claims, fresh_count=9, active_agents=4, now=NOW)

        assert grant.used == 1

    def test_never_more_than_the_bucket_holds(self) -> None:
        """RTE-6, routing conventions: granted never exceeds fresh_count."""
        grant = fresh_claim("a1", [], fresh_count=1, active_agents=1, requested=2, now=NOW)

        assert (grant.limit, grant.granted, grant.codes) == (2, 1, ("not_enough_fresh_leads",))

    def test_window_is_a_policy_knob(self) -> None:
        """RTE-6, GEN-7: with a 30-minute window a 20-minute-old claim counts."""
        policy = RoutingPolicy(fresh_window_minutes=30)
        claims = [claim("a1", 20, "fresh")]

        grant = fresh_claim("a1", claims, fresh_count=0, active_agents=1, now=NOW, policy=policy)

        assert grant.used == 1

    @pytest.mark.parametrize("requested", [0, -1])
    def test_requested_must_be_positive(self, requested: int) -> None:
        """GEN-5: a claim is of one lead or more."""
        with pytest.raises(InvalidInput) as caught:
            fresh_claim("a1", [], fresh_count=1, active_agents=1, requested=requested, now=NOW)

        assert caught.value.path == "requested"


class TestTransfer:
    """RTE-7: transfers into the WIP bucket of the lead's status."""

    lead = Lead(id="L1", project="p1", owner="a1", status="interested")
    target = Agent(id="a2", project="p1")

    def test_agent_transfers_its_own_lead(self) -> None:
        """RTE-7: the owning agent may transfer; a WIP status is kept as the bucket."""
        done = transfer(self.lead, self.target, User(id="a1", roles=["agent"]))

        assert done.allowed
        assert done.lead is not None
        assert (done.lead.owner, done.lead.status, done.bucket) == (
            "a2",
            "interested",
            "interested",
        )
        assert [(c.field, c.old, c.new) for c in done.record] == [("owner", "a1", "a2")]

    def test_non_wip_status_becomes_claimed(self) -> None:
        """RTE-7: a lead whose status is not WIP lands in claimed."""
        lead = attrs.evolve(self.lead, status="new")

        done = transfer(lead, self.target, User(id="tl", roles=["team_lead"]))

        assert done.bucket == "claimed"
        assert [(c.field, c.old, c.new) for c in done.record] == [
            ("status", "new", "claimed"),
            ("owner", "a1", "a2"),
        ]

    def test_missing_status_becomes_claimed(self) -> None:
        """RTE-7: no status is not a WIP status."""
        done = transfer(
            Lead(id="L1", project="p1"), self.target, User(id="c", roles=["call_center"])
        )

        assert done.bucket == "claimed"

    @pytest.mark.parametrize("role", ["team_lead", "call_center"])
    def test_team_lead_and_call_centre_transfer_any_lead(self, role: str) -> None:
        """RTE-7: a team lead or the call centre (patch-out) may transfer any lead."""
        assert transfer(self.lead, self.target, User(id="x", roles=[role])).allowed

    def test_agent_cannot_transfer_a_lead_it_does_not_own(self) -> None:
        """RTE-7: an agent may transfer only a lead it owns."""
        done = transfer(self.lead, self.target, User(id="a9", roles=["agent"]))

        assert (done.allowed, done.codes, done.lead, done.bucket) == (
            False,
            ("not_owner",),
            None,
            None,
        )

    @pytest.mark.parametrize("roles", [[], ["manager"], ["super_user", "sales_manager"]])
    def test_other_roles_are_not_permitted(self, roles: list[str]) -> None:
        """RTE-7: anyone else is not_permitted."""
        done = transfer(self.lead, self.target, User(id="a1", roles=roles))

        assert done.codes == ("not_permitted",)

    def test_target_outside_the_project_and_every_reason(self) -> None:
        """RTE-7, GEN-4: the target must be in the lead's project; all reasons listed."""
        done = transfer(self.lead, Agent(id="a3", project="p2"), User(id="a9", roles=["agent"]))

        assert done.codes == ("not_owner", "wrong_project")

    def test_wip_list_is_a_policy_knob(self) -> None:
        """RTE-7, GEN-7: statuses outside policy.wip_statuses become claimed."""
        policy = RoutingPolicy(wip_statuses=["claimed"])

        done = transfer(self.lead, self.target, User(id="t", roles=["team_lead"]), policy=policy)

        assert done.bucket == "claimed"

    def test_lead_without_project_is_an_input_error(self) -> None:
        """RTE-7, GEN-5: the target is checked against the lead's project."""
        with pytest.raises(InvalidInput) as caught:
            transfer(Lead(id="L1"), self.target, User(id="t", roles=["team_lead"]))

        assert caught.value.path == "lead.project"


class TestDiagnose:
    """RTE-8: why an agent receives no leads."""

    broken = Agent(
        id="a1",
        active=False,
        lead_flow=False,
        battery_optimization_disabled=False,
        autorun_enabled=False,
        network_ok=False,
    )

    def test_digital_reasons_in_the_seeds_order(self) -> None:
        """RTE-8: lead flow, app status, battery optimisation, auto-run."""
        result = diagnose(self.broken, "digital")

        assert not result.receiving
        assert result.codes == (
            "lead_flow_off",
            "inactive",
            "battery_optimization_on",
            "autorun_off",
        )

    def test_offline_reasons_in_the_seeds_order(self) -> None:
        """RTE-8: lead flow, inactive, network."""
        assert diagnose(self.broken, "offline").codes == (
            "lead_flow_off",
            "inactive",
            "network_problem",
        )

    def test_receiving_agent(self) -> None:
        """RTE-8: nothing fails, nothing to report."""
        result = diagnose(Agent(id="a1"), Channel.DIGITAL)

        assert (result.receiving, result.codes) == (True, ())

    def test_single_reason(self) -> None:
        """RTE-8: only what fails is listed."""
        assert diagnose(Agent(id="a1", network_ok=False), "offline").codes == ("network_problem",)

    def test_only_routed_channels(self) -> None:
        """RTE-1, RTE-8: a fresh-bucket diagnosis is an input error."""
        with pytest.raises(InvalidInput) as caught:
            diagnose(Agent(id="a1"), "fresh")

        assert caught.value.path == "channel"


class TestPurity:
    """GEN-3: inputs are never mutated."""

    def test_dispatch_leaves_its_inputs_alone(self) -> None:
        """GEN-3: the agents, claims and events lists are unchanged."""
        given, claims = agents(6), [claim("a1", 1)]
        events = [event("timeout", None, 9), event("decline", "a2", 1)]
        copies = (list(given), list(claims), list(events))

        dispatch("digital", LEAD, given, claims, events, now=NOW, rng=seeded(1))

        assert (given, claims, events) == copies

    def test_reason_codes_are_listed(self) -> None:
        """GEN-4: every reason code of the family is listed, once per function."""
        assert routing.REASON_CODES["diagnose"] == (
            "lead_flow_off",
            "inactive",
            "battery_optimization_on",
            "autorun_off",
            "network_problem",
        )
        assert len(routing.REASON_CODES["check_wave"]) == 8


class TestDispatchTail:
    """RTE-2: events after the lead is decided are all rejected, quickly and identically."""

    def test_late_events_match_a_fold_of_apply_event(self) -> None:
        """RTE-2: dispatch's one-step rejection of a decided tail equals applying each event."""
        agents = [Agent(id=f"a{i}", project="p1") for i in range(1, 4)]
        lead = Lead(id="L1", project="p1")
        events = [
            routing.DispatchEvent(kind="claim", agent="a1", at=at(minutes=-1)),
            routing.DispatchEvent(kind="claim", agent="a2", at=at(minutes=-2)),
            routing.DispatchEvent(kind="answer", agent="a3", at=at(minutes=-3)),
            routing.DispatchEvent(kind="timeout", agent=None, at=at(minutes=-3)),
        ]

        fast = routing.dispatch("digital", lead, agents, [], events, now=NOW, rng=random.Random(7))
        eligibility = routing.eligible("digital", lead, agents, [], now=NOW)
        state = routing.offer(
            routing.open_dispatch("digital", "L1", now=NOW),
            routing.next_wave(eligibility, frozenset(), rng=random.Random(7)),
        )
        for index, event in enumerate(events):
            state, _ = routing.apply_event(state, event, index=index)

        assert fast.outcome == "claimed"
        assert fast == state
        assert [r.code for r in fast.rejected] == [
            "lead_taken",
            "wrong_event_type",
            "lead_taken",
        ]


class TestCost:
    """GEN-5: routing answers 100,000 agents, events or waves in linear time."""

    def test_judging_a_wave_builds_the_eligible_set_once(self) -> None:
        """RTE-2, RTE-4: knows() asks one set for every member of a wave of n agents."""
        team = agents(300)
        elig = eligible("digital", LEAD, team, [], now=NOW)
        built = elig.eligible

        check = judge_wave(elig, [], [a.id for a in team], policy=RoutingPolicy(wave_size=300))

        assert check.legal
        assert elig.eligible is built
        assert all(elig.knows(a.id) for a in team)
        assert elig.eligible is built

    @staticmethod
    def _copies(monkeypatch: pytest.MonkeyPatch, run: Any) -> int:
        """How many dispatch states ``run()`` builds by copying a state."""
        from leadcore._routing import dispatch as machine  # noqa: PLC0415  # patched here

        copies = 0
        real = machine._next

        def counted(state: DispatchState, **changes: object) -> DispatchState:
            nonlocal copies
            copies += 1
            return real(state, **changes)

        monkeypatch.setattr(machine, "_next", counted)
        run()
        return copies

    @pytest.mark.parametrize("count", [100, 1_000])
    def test_dispatch_copies_no_state_per_event(
        self, monkeypatch: pytest.MonkeyPatch, count: int
    ) -> None:
        """RTE-2: n events (declines by strangers, time-outs, late claims) cost one state."""
        events = [event("decline", f"x{i}", i % 7) for i in range(count)]
        events += [event("timeout", None, 8), event("decline", "a1", 9), event("claim", "a2", 9)]

        def run() -> None:
            state = dispatch("digital", LEAD, agents(count), [], events, now=NOW, rng=seeded(3))
            assert len(state.rejected) >= count

        assert self._copies(monkeypatch, run) <= 2

    @pytest.mark.parametrize("count", [100, 1_000])
    def test_one_wave_of_n_agents_declined_by_all(
        self, monkeypatch: pytest.MonkeyPatch, count: int
    ) -> None:
        """RTE-2: a wave of n agents and n declines: no copy of the declines per decline."""
        team = agents(count)
        events = [event("decline", a.id, i // 10) for i, a in enumerate(team)]
        policy = RoutingPolicy(wave_size=count)

        def run() -> None:
            state = dispatch(
                "digital", LEAD, team, [], events, now=NOW, rng=seeded(5), policy=policy
            )
            assert (state.outcome, len(state.declined), state.rejected) == ("fresh", count, ())

        assert self._copies(monkeypatch, run) == 1

    @pytest.mark.parametrize("count", [100, 10_000])
    def test_waves_nobody_can_take_are_offered_at_once(
        self, monkeypatch: pytest.MonkeyPatch, count: int
    ) -> None:
        """RTE-2: digital_waves = n with nobody available draws once, not n times."""
        from leadcore._routing import rules  # noqa: PLC0415  # patched here

        draws = 0
        real = rules.draw

        def counted(*args: Any) -> tuple[str, ...]:
            nonlocal draws
            draws += 1
            return real(*args)

        monkeypatch.setattr(rules, "draw", counted)
        policy = RoutingPolicy(digital_waves=count)

        state = dispatch(
            "digital", LEAD, agents(3, active=False), [], [], now=NOW, rng=seeded(1), policy=policy
        )

        assert (state.outcome, len(state.waves), draws) == ("fresh", count, 1)
        assert set(state.wave_times) == {NOW}
