"""Properties of routing: legal waves, exact boundaries, the quota formula, no mutation (RTE)."""

from __future__ import annotations

import copy
import datetime as dt
import random
import zoneinfo
from typing import Any

import attrs
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from leadcore import routing
from leadcore.decisions import revert
from leadcore.model import WIP_STATUSES, Agent, Channel, Claim, ClaimBucket, Lead, Role, User
from leadcore.routing import (
    DispatchEvent,
    DispatchState,
    Eligibility,
    RoutingPolicy,
    apply_event,
    eligible,
    judge_wave,
    next_wave,
    offer,
    open_dispatch,
)

from .strategies import NOW

LEAD = Lead(id="L1", project="p1")
ZONES = ["UTC", "Asia/Kolkata", "America/New_York", "Europe/Paris", "Pacific/Kiritimati"]
RTE8_ORDER = {
    Channel.DIGITAL: ("lead_flow_off", "inactive", "battery_optimization_on", "autorun_off"),
    Channel.OFFLINE: ("lead_flow_off", "inactive", "network_problem"),
}

channels = st.sampled_from([Channel.DIGITAL, Channel.OFFLINE])
mostly_true = st.sampled_from([True, True, True, False])


def seeded(seed: int) -> random.Random:
    """A generator in a known state (GEN-2)."""
    return random.Random(seed)  # reproducible draws, not cryptography


@st.composite
def teams(draw: st.DrawFn, *, max_size: int = 12) -> list[Agent]:
    """Agents with unique ids, mostly of project p1 with their switches on."""
    count = draw(st.integers(0, max_size))
    return [
        Agent(
            id=f"a{i:02}",
            project=draw(st.sampled_from(["p1", "p1", "p1", "p2"])),
            active=draw(mostly_true),
            lead_flow=draw(mostly_true),
            battery_optimization_disabled=draw(mostly_true),
            autorun_enabled=draw(mostly_true),
            network_ok=draw(mostly_true),
        )
        for i in range(count)
    ]


def claims_of(agents: list[Agent]) -> st.SearchStrategy[list[Claim]]:
    """Claims by those agents (and a stranger) within a day of NOW, either side."""
    who = st.sampled_from([a.id for a in agents] + ["stranger"])
    return st.lists(
        st.builds(
            Claim,
            agent=who,
            at=st.integers(-86_400, 3_600).map(lambda s: NOW + dt.timedelta(seconds=s)),
            bucket=st.sampled_from(ClaimBucket),
        ),
        max_size=15,
    )


policies = st.builds(
    RoutingPolicy,
    wave_size=st.integers(1, 6),
    digital_waves=st.integers(1, 3),
    offline_waves=st.integers(1, 2),
    digital_cooldown_minutes=st.sampled_from([0, 5, 10, 60]),
)


@st.composite
def events_for(draw: st.DrawFn, agents: list[Agent]) -> list[DispatchEvent]:
    """Events of any kind by any agent (strangers too), at or after NOW, ties included."""
    who = st.sampled_from([a.id for a in agents] + ["stranger"])
    found = []
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["claim", "decline", "decline", "answer", "timeout"]))
        seconds = draw(st.integers(0, 300))
        found.append(
            DispatchEvent(
                kind=kind,
                agent=None if kind == "timeout" else draw(who),
                at=NOW + dt.timedelta(seconds=seconds),
            )
        )
    return found


@st.composite
def eligibilities(draw: st.DrawFn) -> Eligibility:
    """Any eligibility: disjoint preferred, fallback and ineligible agents."""
    ids = draw(st.lists(st.sampled_from([f"a{i}" for i in range(14)]), unique=True))
    groups: dict[str, list[str]] = {"preferred": [], "fallback": [], "ineligible": []}
    for agent in ids:
        groups[draw(st.sampled_from(sorted(groups)))].append(agent)
    reason = routing.diagnose(Agent(id="x", active=False), "digital").reasons
    return Eligibility(
        channel=draw(channels),
        preferred=sorted(groups["preferred"]),
        fallback=groups["fallback"],
        ineligible=dict.fromkeys(groups["ineligible"], reason),
    )


class TestWaves:
    """RTE-2 to RTE-5: waves are legal, never repeat an agent, never hold an ineligible one."""

    @given(
        channel=channels,
        data=st.data(),
        policy=policies,
        seed=st.integers(0, 2**32),
    )
    def test_dispatch_waves_are_legal(
        self, channel: Channel, data: st.DataObject, policy: RoutingPolicy, seed: int
    ) -> None:
        """RTE-2, RTE-4: every wave of a dispatch is judged legal and holds eligible agents."""
        agents = data.draw(teams())
        claims = data.draw(claims_of(agents))
        events = data.draw(events_for(agents))
        elig = eligible(channel, LEAD, agents, claims, now=NOW, policy=policy)

        state = routing.dispatch(
            channel, LEAD, agents, claims, events, now=NOW, rng=seeded(seed), policy=policy
        )

        offered: list[str] = []
        for wave in state.waves:
            assert judge_wave(elig, offered, wave, policy=policy).legal
            assert set(wave) <= elig.eligible
            offered.extend(wave)
        assert len(offered) == len(set(offered))
        assert len(state.waves) <= policy.waves(channel)
        if state.outcome == "claimed":
            assert state.agent in state.waves[-1]
            assert state.agent not in state.declined
        assert {r.index for r in state.rejected} <= set(range(len(events)))

    @given(elig=eligibilities(), data=st.data(), seed=st.integers(0, 2**32))
    def test_next_wave_is_always_judged_legal(
        self, elig: Eligibility, data: st.DataObject, seed: int
    ) -> None:
        """RTE-2, RTE-5: whatever was offered before, the drawn wave passes check_wave."""
        everyone = sorted(elig.eligible)
        offered = data.draw(
            st.lists(st.sampled_from(everyone), unique=True) if everyone else st.just([])
        )
        policy = RoutingPolicy(wave_size=data.draw(st.integers(1, 6)), offline_waves=100)

        wave = next_wave(elig, offered, rng=seeded(seed), policy=policy)

        check = judge_wave(elig, offered, wave, policy=policy)
        assert check.legal, check.codes
        assert len(wave) == check.size
        assert not set(wave) & set(offered)

    @given(elig=eligibilities(), seed=st.integers(0, 2**32), data=st.data())
    def test_tampered_waves_are_caught(
        self, elig: Eligibility, seed: int, data: st.DataObject
    ) -> None:
        """RTE-2: dropping an agent, repeating one or adding an ineligible one is illegal."""
        wave = next_wave(elig, rng=seeded(seed))
        assume(wave)
        dropped = list(wave[1:])
        repeated = [*wave, wave[0]]

        assert "wrong_size" in judge_wave(elig, [], dropped).codes
        assert "duplicate_agent" in judge_wave(elig, [], repeated).codes
        if elig.ineligible:
            intruder = data.draw(st.sampled_from(sorted(elig.ineligible)))
            assert "ineligible_agent" in judge_wave(elig, [], [*wave[1:], intruder]).codes

    @given(
        channel=channels,
        data=st.data(),
        seed=st.integers(0, 2**32),
    )
    def test_same_seed_same_dispatch(
        self, channel: Channel, data: st.DataObject, seed: int
    ) -> None:
        """GEN-2: same seed and events, same result; inputs are never mutated (GEN-3)."""
        agents = data.draw(teams())
        claims = data.draw(claims_of(agents))
        events = data.draw(events_for(agents))
        before = copy.deepcopy((agents, claims, events))

        first = routing.dispatch(channel, LEAD, agents, claims, events, now=NOW, rng=seeded(seed))
        second = routing.dispatch(channel, LEAD, agents, claims, events, now=NOW, rng=seeded(seed))

        assert first == second
        assert (agents, claims, events) == before


def folded_dispatch(  # dispatch's arguments
    channel: Channel,
    agents: list[Agent],
    claims: list[Claim],
    events: list[DispatchEvent],
    *,
    rng: random.Random,
    policy: RoutingPolicy,
) -> DispatchState:
    """RTE-2, RTE-3 as the docs say: a fold of open_dispatch, next_wave, offer, apply_event."""
    elig = eligible(channel, LEAD, agents, claims, now=NOW, policy=policy)

    def fill(state: DispatchState) -> DispatchState:
        while state.awaiting_wave:
            state = offer(state, next_wave(elig, state.offered, rng=rng, policy=policy))
        return state

    state = fill(open_dispatch(channel, LEAD.id, now=NOW, policy=policy))
    for index, event in sorted(enumerate(events), key=lambda pair: pair[1].at):
        state, _ = apply_event(state, event, index=index)
        state = fill(state)
    return state


class TestDispatchIsTheFold:
    """RTE-2, RTE-3: dispatch runs on mutable state (GEN-5), with the fold's answers."""

    @given(
        channel=channels,
        data=st.data(),
        policy=st.builds(
            RoutingPolicy,
            wave_size=st.integers(1, 8),
            digital_waves=st.integers(1, 12),
            offline_waves=st.integers(1, 12),
            digital_cooldown_minutes=st.sampled_from([0, 10]),
        ),
        seed=st.integers(0, 2**32),
    )
    def test_dispatch_equals_the_fold_of_its_steps(
        self, channel: Channel, data: st.DataObject, policy: RoutingPolicy, seed: int
    ) -> None:
        """RTE-2, RTE-3: same waves, times, declines, rejections (reasons and facts), outcome."""
        agents = data.draw(teams(max_size=30))
        claims = data.draw(claims_of(agents))
        events = data.draw(events_for(agents))

        fast = routing.dispatch(
            channel, LEAD, agents, claims, events, now=NOW, rng=seeded(seed), policy=policy
        )
        slow = folded_dispatch(channel, agents, claims, events, rng=seeded(seed), policy=policy)

        assert fast == slow
        assert attrs.asdict(fast, recurse=False) == attrs.asdict(slow, recurse=False)
        assert [(r.reason.message, dict(r.reason.facts)) for r in fast.rejected] == [
            (r.reason.message, dict(r.reason.facts)) for r in slow.rejected
        ]

    @given(
        size=st.integers(0, 200),
        data=st.data(),
        seed=st.integers(0, 2**32),
    )
    def test_remaining_agents_are_the_list_of_survivors(
        self, size: int, data: st.DataObject, seed: int
    ) -> None:
        """RTE-2: the preferred agents left sample, index and iterate as the filtered list."""
        from leadcore._routing.fast import Remaining  # noqa: PLC0415  # private, tested here

        items = [f"a{i:03}" for i in range(size)]
        left = Remaining(items)
        survivors = list(items)
        for _ in range(data.draw(st.integers(0, size))):
            gone = data.draw(st.sampled_from(survivors))
            left.remove(gone)
            survivors.remove(gone)
            count = data.draw(st.integers(0, len(survivors)))

            assert list(left) == survivors
            assert [left[i] for i in range(-len(left), len(left))] == survivors * 2
            assert seeded(seed).sample(left, count) == seeded(seed).sample(survivors, count)
            assert (gone in left, survivors[0] in left if survivors else False) == (
                False,
                bool(survivors),
            )


class TestCooldownBoundaries:
    """RTE-5: the exact boundaries of the cool-downs."""

    @given(
        microseconds=st.integers(-3 * 3_600_000_000, 3 * 3_600_000_000)
        | st.sampled_from([-1, 0, 1, 599_999_999, 600_000_000, 600_000_001]),
        minutes=st.sampled_from([0, 1, 5, 10, 30]),
    )
    def test_digital_cooldown_is_half_open(self, microseconds: int, minutes: int) -> None:
        """RTE-5: cooled down exactly when 0 <= now - at < cool-down (10 minutes is over)."""
        age = dt.timedelta(microseconds=microseconds)
        policy = RoutingPolicy(digital_cooldown_minutes=minutes)
        claims = [Claim(agent="a1", at=NOW - age)]

        result = eligible("digital", LEAD, [Agent(id="a1", project="p1")], claims, now=NOW,
                          policy=policy)  # fmt: skip

        cooling = dt.timedelta(0) <= age < dt.timedelta(minutes=minutes)
        assert (result.fallback == ("a1",)) is cooling
        assert (result.preferred == ("a1",)) is not cooling

    @given(
        zone=st.sampled_from(ZONES),
        now_seconds=st.integers(0, 2 * 86_400),
        claim_seconds=st.integers(-2 * 86_400, 2 * 86_400),
    )
    def test_offline_cooldown_is_the_local_day(
        self, zone: str, now_seconds: int, claim_seconds: int
    ) -> None:
        """RTE-5: offline, cooled down exactly when the claim is on now's day in the zone."""
        now = dt.datetime(2026, 3, 28, tzinfo=dt.UTC) + dt.timedelta(seconds=now_seconds)
        at = now + dt.timedelta(seconds=claim_seconds)
        tz = zoneinfo.ZoneInfo(zone)

        result = eligible("offline", LEAD, [Agent(id="a1", project="p1")],
                          [Claim(agent="a1", at=at)], now=now, timezone=zone)  # fmt: skip

        same_day = at <= now and at.astimezone(tz).date() == now.astimezone(tz).date()
        assert (result.fallback == ("a1",)) is same_day

    @given(data=st.data())
    def test_round_robin_order(self, data: st.DataObject) -> None:
        """RTE-5: the fallback is sorted by last claim, then id."""
        agents = data.draw(teams())
        claims = data.draw(claims_of(agents))

        result = eligible("digital", LEAD, agents, claims, now=NOW)

        keys = [(result.last_claims[a], a) for a in result.fallback]
        assert keys == sorted(keys)
        assert list(result.preferred) == sorted(result.preferred)


class TestFreshQuota:
    """RTE-6: the quota formula and its boundaries."""

    @given(active=st.integers(1, 500), k=st.integers(0, 50))
    def test_limit_steps_up_exactly_at_multiples(self, active: int, k: int) -> None:
        """RTE-6: fresh // active + 1 rises by one exactly at each multiple of active."""
        assert routing.fresh_limit(k * active, active) == k + 1
        if k:
            assert routing.fresh_limit(k * active - 1, active) == k

    @given(
        fresh_count=st.integers(0, 300),
        active=st.integers(1, 40),
        requested=st.integers(1, 30),
        ages=st.lists(
            st.integers(-60_000_000, 900_000_000) | st.sampled_from([0, 599_999_999, 600_000_000]),
            max_size=20,
        ),
    )
    def test_granted_is_what_is_left(
        self, fresh_count: int, active: int, requested: int, ages: list[int]
    ) -> None:
        """RTE-6: granted = min(requested, max(0, limit - used), fresh_count)."""
        claims = [
            Claim(agent="a1", at=NOW - dt.timedelta(microseconds=us), bucket="fresh") for us in ages
        ]
        before = copy.deepcopy(claims)

        grant = routing.fresh_claim(
            "a1", claims, fresh_count=fresh_count, active_agents=active, requested=requested,
            now=NOW,
        )  # fmt: skip

        used = sum(1 for us in ages if 0 <= us < 600_000_000)
        limit = fresh_count // active + 1
        assert (grant.limit, grant.used) == (limit, used)
        assert grant.granted == min(requested, max(0, limit - used), fresh_count)
        assert (grant.granted == requested) is (not grant.reasons)
        assert claims == before


class TestTransferAndDiagnosis:
    """RTE-7, RTE-8."""

    @given(
        status=st.sampled_from([*WIP_STATUSES, "new", "booked", None]),
        owner=st.sampled_from(["a1", "a2", None]),
        by_roles=st.frozensets(st.sampled_from(Role)),
        target_project=st.sampled_from(["p1", "p2", None]),
    )
    def test_transfer(
        self,
        status: str | None,
        owner: str | None,
        by_roles: frozenset[Role],
        target_project: str | None,
    ) -> None:
        """RTE-7: allowed iff permitted and in the project; the record undoes it."""
        lead = Lead(id="L1", project="p1", status=status, owner=owner)
        by = User(id="a1", roles=by_roles)

        done = routing.transfer(lead, Agent(id="a3", project=target_project), by)

        permitted = by.has(Role.TEAM_LEAD, Role.CALL_CENTER) or (
            by.has(Role.AGENT) and owner == "a1"
        )
        assert done.allowed is (permitted and target_project == "p1")
        if done.lead is not None:
            assert done.lead.owner == "a3"
            assert done.bucket == (status if status in WIP_STATUSES else "claimed")
            assert revert(done.lead, done.record) == lead

    @given(
        channel=channels,
        switches=st.fixed_dictionaries(
            {
                name: st.booleans()
                for name in (
                    "active",
                    "lead_flow",
                    "battery_optimization_disabled",
                    "autorun_enabled",
                    "network_ok",
                )
            }
        ),
    )
    def test_diagnosis_matches_eligibility(
        self, channel: Channel, switches: dict[str, Any]
    ) -> None:
        """RTE-8, RTE-4: an agent of the project receives leads iff the diagnosis is clear."""
        agent = Agent(id="a1", project="p1", **switches)

        result = routing.diagnose(agent, channel)

        elig = eligible(channel, LEAD, [agent], [], now=NOW)
        assert result.receiving is (elig.preferred == ("a1",))
        order = RTE8_ORDER[channel]
        assert list(result.codes) == [c for c in order if c in result.codes]
        assert sorted(result.codes) == sorted(r.code for r in elig.ineligible.get("a1", ()))


class DispatchMachine(RuleBasedStateMachine):
    """
    RTE-2, RTE-3: random claims, declines, answers and time-outs against a simple model.

    The model says which events are accepted; the machine checks every reason, that each
    wave is legal when offered, that no agent is offered twice, and that every state it
    reaches is valid (re-built with full validation).
    """

    def __init__(self) -> None:
        super().__init__()
        self.clock = NOW
        self.state: DispatchState = open_dispatch("digital", "L1", now=NOW)
        self.elig = Eligibility(channel="digital")
        self.policy = RoutingPolicy()
        self.rng = seeded(0)
        # The model.
        self.declined: set[str] = set()
        self.outcome = "pending"
        self.owner: str | None = None

    @initialize(
        channel=channels,
        agents=teams(max_size=14),
        policy=policies,
        seed=st.integers(0, 2**32),
    )
    def start(
        self, channel: Channel, agents: list[Agent], policy: RoutingPolicy, seed: int
    ) -> None:
        """A lead arrives: eligibility at now, the first wave offered."""
        self.policy, self.rng = policy, seeded(seed)
        self.elig = eligible(channel, LEAD, agents, [], now=NOW, policy=policy)
        self.state = open_dispatch(channel, "L1", now=NOW, policy=policy)
        self._fill()

    def _fill(self) -> None:
        while self.state.awaiting_wave:
            offered = [a for wave in self.state.waves for a in wave]
            wave = next_wave(self.elig, offered, rng=self.rng, policy=self.policy)
            assert judge_wave(self.elig, offered, wave, policy=self.policy).legal
            self.state = offer(self.state, wave)
        if self.state.phase == "fresh":
            self.outcome = "fresh"

    def _expected(self, kind: str, agent: str | None) -> str | None:
        accepted = {"claim", "decline", "timeout"} if self.elig.channel is Channel.DIGITAL else {
            "answer", "decline", "timeout"
        }  # fmt: skip
        if kind not in accepted:
            return "wrong_event_type"
        if self.outcome == "claimed":
            return "lead_taken"
        if self.outcome == "fresh":
            return "lead_in_fresh_bucket"
        if kind == "timeout":
            return None
        if agent not in self.state.current_wave:
            return "not_in_wave"
        if agent in self.declined:
            return "declined_before"
        return None

    def _apply(self, kind: str, agent: str | None, seconds: int) -> None:
        self.clock += dt.timedelta(seconds=seconds)
        expected = self._expected(kind, agent)
        before = self.state
        wave = set(before.current_wave)
        ends = expected is None and (
            kind == "timeout" or (kind == "decline" and wave <= {*self.declined, agent})
        )

        self.state, rejection = apply_event(
            self.state, DispatchEvent(kind=kind, agent=agent, at=self.clock)
        )

        assert (rejection.code if rejection else None) == expected
        if ends:
            last = len(self.state.waves) >= self.state.max_waves
            assert self.state.phase == ("fresh" if last else "awaiting_wave")
        elif expected is None and kind in ("claim", "answer"):
            assert (self.state.phase, self.state.agent) == ("claimed", agent)
            self.outcome, self.owner = "claimed", agent
        else:
            assert (self.state.phase, self.state.waves) == (before.phase, before.waves)
        if expected is None and kind == "decline" and agent is not None:
            self.declined.add(agent)
        if ends:
            self._fill()

    @rule(data=st.data(), seconds=st.integers(0, 90))
    def take(self, data: st.DataObject, seconds: int) -> None:
        """An agent of the current wave (or anyone) claims or answers."""
        kind = "claim" if self.elig.channel is Channel.DIGITAL else "answer"
        self._apply(kind, data.draw(self._someone()), seconds)

    @rule(data=st.data(), seconds=st.integers(0, 90))
    def decline(self, data: st.DataObject, seconds: int) -> None:
        """An agent declines."""
        self._apply("decline", data.draw(self._someone()), seconds)

    @rule(seconds=st.integers(0, 120))
    def timeout(self, seconds: int) -> None:
        """The current wave times out."""
        self._apply("timeout", None, seconds)

    @rule(data=st.data(), seconds=st.integers(0, 30))
    def wrong_type(self, data: st.DataObject, seconds: int) -> None:
        """A claim on an offline call, an answer on a digital lead."""
        kind = "answer" if self.elig.channel is Channel.DIGITAL else "claim"
        self._apply(kind, data.draw(self._someone()), seconds)

    @precondition(lambda self: self.state.phase == "offered")
    @rule(data=st.data(), seconds=st.integers(0, 30))
    def whole_wave_declines(self, data: st.DataObject, seconds: int) -> None:
        """Every agent of the wave declines, in a drawn order."""
        wave = data.draw(st.permutations(self.state.current_wave))
        for agent in wave:
            if self.state.phase != "offered":
                break
            self._apply("decline", agent, seconds)

    def _someone(self) -> st.SearchStrategy[str]:
        wave = list(self.state.current_wave)
        everyone = sorted({*self.elig.eligible, *self.elig.ineligible, "stranger"})
        return (
            st.sampled_from(wave) | st.sampled_from(everyone) if wave else st.sampled_from(everyone)
        )

    @invariant()
    def state_is_valid_and_agrees_with_the_model(self) -> None:
        """Every state re-validates; outcome and owner match the model; nobody offered twice."""
        attrs.evolve(self.state)  # full validation, the invariants included
        assert self.state.outcome == self.outcome
        assert self.state.agent == self.owner
        offered = [a for wave in self.state.waves for a in wave]
        assert len(offered) == len(set(offered))
        assert set(offered) <= self.elig.eligible
        assert len(self.state.waves) <= self.state.max_waves
        assert not self.state.awaiting_wave


TestDispatchMachine = DispatchMachine.TestCase
