"""
Routing inbound leads to sales agents (RTE-1 to RTE-8).

A lead reaches agents by one of four channels (RTE-1): a **digital** enquiry is offered to
a wave of agents who may claim or decline it, and to a second wave when nobody claims
(RTE-2); an **offline** call rings one wave of agents and the first to answer gets it
(RTE-3); what nobody takes goes to the **fresh** bucket, from which agents claim within a
quota (RTE-6); a **transfer** puts a lead straight into an agent's WIP bucket (RTE-7).

* :func:`eligible` says which agents may receive a lead (RTE-4) and which of them are
  preferred or cooling down (RTE-5); :func:`diagnose` tells an agent why it receives
  nothing (RTE-8).
* :func:`next_wave` draws a wave with an injected :class:`random.Random` (GEN-2);
  :func:`check_wave` judges a wave drawn by another implementation, since random draws
  cannot be compared by equality.
* :func:`dispatch` runs a lead's whole dispatch over claims, declines, answers and
  time-outs; it is a fold of :func:`open_dispatch`, :func:`offer` and
  :func:`apply_event` over frozen :class:`DispatchState` values (computed on private
  mutable state, so that 100,000 events or waves take linear time: same result).
* :func:`fresh_limit` and :func:`fresh_claim` compute the fresh-bucket quota (RTE-6);
  :func:`transfer` moves a lead to an agent (RTE-7).

The simulation of whole days of leads is in :mod:`leadcore.simulation`. Every number
lives in :class:`RoutingPolicy`; reason codes are listed in ``docs/routing.md``.

>>> import random
>>> from datetime import datetime, timezone
>>> now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
>>> lead = Lead(id="L1", project="p1")
>>> agents = [Agent(id=f"a{i}", project="p1") for i in range(1, 8)]
>>> result = dispatch("digital", lead, agents, [], [], now=now, rng=random.Random(7))
>>> result.outcome, len(result.waves[0])
('pending', 5)
"""

from __future__ import annotations

import collections
import datetime as dt
import random
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final, cast

import attrs

from leadcore import _attrs as a
from leadcore import _display as d
from leadcore._routing import dispatch as _dispatch
from leadcore._routing import fast, rules
from leadcore._routing import inputs as inp
from leadcore._routing.dispatch import (
    DispatchEvent,
    DispatchState,
    EventKind,
    Outcome,
    Phase,
    Rejection,
    apply_event,
    offer,
)
from leadcore.decisions import Change, Reason, changes_between
from leadcore.errors import InvalidInput, Problem
from leadcore.model import (
    CLAIMED,
    WIP_STATUSES,
    Agent,
    Channel,
    Claim,
    ClaimBucket,
    Lead,
    Role,
    User,
)
from leadcore.reasons import (
    CheckWave,
    Diagnose,
    DispatchRejection,
    Eligible,
    FreshClaim,
    Transfer,
)

__all__ = [
    "DEFAULT_TIMEZONE",
    "REASON_CODES",
    "Diagnosis",
    "DispatchEvent",
    "DispatchState",
    "Eligibility",
    "EventKind",
    "FreshGrant",
    "Outcome",
    "Phase",
    "Rejection",
    "RoutingPolicy",
    "TransferDecision",
    "WaveCheck",
    "apply_event",
    "check_wave",
    "diagnose",
    "dispatch",
    "eligible",
    "fresh_claim",
    "fresh_limit",
    "judge_wave",
    "next_wave",
    "offer",
    "open_dispatch",
    "transfer",
]


def __dir__() -> list[str]:
    return list(__all__)


DEFAULT_TIMEZONE: Final = "UTC"
"""Time zone of a project's calendar day when none is given (RTE-5)."""

REASON_CODES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        function: tuple(entry.code for entry in group.codes)
        for function, group in (
            ("eligible", Eligible),
            ("check_wave", CheckWave),
            ("dispatch", DispatchRejection),
            ("fresh_claim", FreshClaim),
            ("transfer", Transfer),
            ("diagnose", Diagnose),
        )
    }
)
"""Every reason code each function may give, in the order it lists them (codes are API)."""

_MAX_MINUTES: Final = 100 * 366 * 24 * 60
"""Longest cool-down or quota window a policy accepts: a century, in minutes (GEN-5)."""


# -- policy -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RoutingPolicy(a.Frozen):
    """
    Every number and list of the routing rules, with the rulebook's values as defaults (GEN-7).

    Attributes:
        default_timezone: IANA time zone of the project's calendar day when the caller
            names none (RTE-5, offline cool-down).
        wave_size: Most agents offered a lead at once (RTE-2, RTE-3).
        digital_waves: Waves a digital lead gets before the fresh bucket (RTE-2).
        offline_waves: Waves an offline call gets before the fresh bucket (RTE-3).
        digital_cooldown_minutes: An agent who claimed a lead less than this many minutes
            ago is not preferred for digital leads (RTE-5); 0 turns the cool-down off.
        fresh_window_minutes: The rolling window of the fresh-bucket quota (RTE-6).
        wip_statuses: Statuses that are a WIP bucket; a transferred lead keeps one of them,
            any other status becomes ``claimed`` (RTE-7).

    >>> RoutingPolicy(wave_size=3).wave_size
    3
    """

    default_timezone: str = attrs.field(
        metadata=a.check(rules.zone_problem), default=DEFAULT_TIMEZONE
    )
    wave_size: int = attrs.field(metadata=a.check(inp.positive_bounded(a.MAX_ITEMS)), default=5)
    digital_waves: int = attrs.field(metadata=a.check(inp.positive_bounded(a.MAX_ITEMS)), default=2)
    offline_waves: int = attrs.field(metadata=a.check(inp.positive_bounded(a.MAX_ITEMS)), default=1)
    digital_cooldown_minutes: int = attrs.field(
        metadata=a.check(inp.bounded(_MAX_MINUTES)), default=10
    )
    fresh_window_minutes: int = attrs.field(
        metadata=a.check(inp.positive_bounded(_MAX_MINUTES)), default=10
    )
    wip_statuses: tuple[str, ...] = attrs.field(
        metadata=a.check(a.collection(a.text)), default=WIP_STATUSES, converter=a.str_tuple
    )

    @property
    def cooldown(self) -> dt.timedelta:
        """The digital cool-down as a duration."""
        return dt.timedelta(minutes=self.digital_cooldown_minutes)

    @property
    def fresh_window(self) -> dt.timedelta:
        """The fresh quota's rolling window as a duration."""
        return dt.timedelta(minutes=self.fresh_window_minutes)

    def waves(self, channel: Channel) -> int:
        """Return how many waves a lead of ``channel`` gets (RTE-2, RTE-3)."""
        return self.digital_waves if channel is Channel.DIGITAL else self.offline_waves


_DEFAULT_POLICY: Final = RoutingPolicy()


# -- shared checks ------------------------------------------------------------------------


def _timezone(timezone: str | None, policy: RoutingPolicy) -> dt.tzinfo:
    if timezone is None:
        return rules.zone(policy.default_timezone, "policy.default_timezone")
    return rules.zone(timezone, "timezone")


def _policy(policy: RoutingPolicy) -> RoutingPolicy:
    return policy


# -- eligibility (RTE-4, RTE-5) -----------------------------------------------------------


@attrs.frozen(kw_only=True, repr=False)
class Eligibility(a.Frozen, d.Shown):
    """
    Which agents may receive a lead of a channel, at one moment (RTE-4, RTE-5).

    Attributes:
        channel: ``digital`` or ``offline``.
        preferred: Eligible agents not cooling down, sorted by id: waves are drawn from
            them at random first.
        fallback: Eligible agents cooling down, in round-robin order (oldest last claim
            first, ties by id): waves are filled from them when preferred agents run out.
        ineligible: Every other agent given, with every RTE-4 condition it fails.
        last_claims: The latest claim at or before ``now`` of each eligible agent that has
            one (the round-robin key).

    """

    channel: Channel = attrs.field(metadata=a.check(inp.routed), converter=inp.routed_channel)
    preferred: tuple[str, ...] = attrs.field(
        metadata=a.check(inp.id_list), default=(), converter=inp.id_tuple
    )
    fallback: tuple[str, ...] = attrs.field(
        metadata=a.check(inp.id_list), default=(), converter=inp.id_tuple
    )
    ineligible: Mapping[str, tuple[Reason, ...]] = attrs.field(
        metadata=a.check(inp.reason_map),
        factory=lambda: MappingProxyType({}),
        converter=inp.freeze_reasons,
        hash=False,
    )
    last_claims: Mapping[str, dt.datetime] = attrs.field(
        metadata=a.check(inp.time_map),
        factory=lambda: MappingProxyType({}),
        converter=inp.freeze_times,
        hash=False,
    )
    # Built once: judging a wave asks about every member, and rebuilding the set for
    # each would make a wave of n agents cost n^2 (GEN-5: linear time). Not part of the value.
    _eligible: frozenset[str] | None = attrs.field(
        init=False, default=None, eq=False, hash=False, repr=False
    )

    def _check_together(self) -> list[Problem]:
        seen: set[str] = set()
        found: list[Problem] = []
        for name, ids in (
            ("preferred", self.preferred),
            ("fallback", self.fallback),
            ("ineligible", tuple(self.ineligible)),
        ):
            for agent in ids:
                if agent in seen:
                    found.append(Problem(name, agent, "is listed twice across the groups"))
                seen.add(agent)
        return found

    @property
    def eligible(self) -> frozenset[str]:
        """Every eligible agent, preferred or cooling down."""
        found = self._eligible
        if found is None:
            found = frozenset(self.preferred) | frozenset(self.fallback)
            object.__setattr__(self, "_eligible", found)
        return found

    def knows(self, agent: str) -> bool:
        """Return whether ``agent`` was among the agents given (eligible or not)."""
        return agent in self.ineligible or agent in self.eligible

    def _view(self, rows: int) -> d.View:
        ineligible = list(self.ineligible.items())
        return d.View(
            "Eligibility",
            f"{self.channel.value}: {len(self.preferred):,} preferred, "
            f"{len(self.fallback):,} cooling down, {len(ineligible):,} ineligible",
            facts=[
                ("channel", self.channel),
                ("preferred", len(self.preferred)),
                ("fallback", len(self.fallback)),
                ("ineligible", len(ineligible)),
            ],
            tables=[
                d.Table(
                    "preferred",
                    ("agent",),
                    [(x,) for x in self.preferred[:rows]],
                    len(self.preferred),
                ),
                d.Table(
                    "fallback",
                    ("agent", "last_claim"),
                    [(x, self.last_claims.get(x)) for x in self.fallback[:rows]],
                    len(self.fallback),
                ),
                d.Table(
                    "ineligible",
                    ("agent", "reasons"),
                    [(x, tuple(r.code for r in why)) for x, why in ineligible[:rows]],
                    len(ineligible),
                ),
            ],
        )


def _last_claims(claims: Iterable[Claim], now: dt.datetime) -> dict[str, dt.datetime]:
    """The latest claim at or before ``now`` per agent; later claims are ignored."""
    last: dict[str, dt.datetime] = {}
    for claim in claims:
        if claim.at <= now:
            seen = last.get(claim.agent)
            if seen is None or claim.at > seen:
                last[claim.agent] = claim.at
    return last


@a.checked
def eligible(
    channel: Channel | str,
    lead: Lead,
    agents: Iterable[Agent],
    claims: Iterable[Claim],
    *,
    now: dt.datetime,
    timezone: str | None = None,
    policy: RoutingPolicy = _DEFAULT_POLICY,
) -> Eligibility:
    """
    Sort the agents into preferred, cooling down (fallback) and ineligible for a lead.

    RTE-4: eligible agents work on the lead's project, are active and have lead flow on;
    for digital leads also battery optimisation disabled and auto-run enabled, for offline
    leads also a reachable phone. RTE-5: an eligible agent cools down when it claimed any
    lead (any bucket) less than ``digital_cooldown_minutes`` before ``now`` (digital), or on
    the calendar day of ``now`` in ``timezone`` (offline); claims after ``now`` are ignored.
    Cooled-down agents are the fallback, in round-robin order.

    Args:
        channel: ``digital`` or ``offline``.
        lead: The lead to route (its ``project`` is required).
        agents: The agents to consider (unique ids).
        claims: Past claims of any agent and bucket.
        now: When the lead arrives; eligibility is computed once, at this moment.
        timezone: IANA name of the project's time zone; ``policy.default_timezone`` if None.
        policy: The routing policy.

    Returns:
        The agents sorted into groups, with the reasons of the ineligible ones.

    Raises:
        InvalidInput: A channel other than digital or offline, a lead without project,
            duplicate agent ids, an unknown time zone or a naive ``now``.

    >>> from datetime import datetime, timedelta, timezone
    >>> now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    >>> agents = [Agent(id="a1", project="p1"), Agent(id="a2", project="p1"),
    ...           Agent(id="a3", project="p1", lead_flow=False)]
    >>> claims = [Claim(agent="a2", at=now - timedelta(minutes=4))]
    >>> result = eligible("digital", Lead(id="L1", project="p1"), agents, claims, now=now)
    >>> result.preferred, result.fallback, [r.code for r in result.ineligible["a3"]]
    (('a1',), ('a2',), ['lead_flow_off'])
    """
    routed = inp.channel(channel, "channel")
    policy = _policy(policy)
    project = inp.project(lead, "lead")
    tz = _timezone(timezone, policy)
    given = inp.agents(agents, "agents")
    last = _last_claims(inp.claims(claims, "claims"), now)
    cooldown = policy.cooldown

    preferred: list[str] = []
    cooled: list[str] = []
    ineligible: dict[str, list[Reason]] = {}
    for agent in given:
        reasons = rules.ineligibility(agent, routed, project)
        if reasons:
            ineligible[agent.id] = reasons
        elif rules.cooling(routed, last.get(agent.id), now, tz=tz, cooldown=cooldown):
            cooled.append(agent.id)
        else:
            preferred.append(agent.id)
    cooled.sort(key=lambda agent: rules.round_robin_key(last[agent], agent))
    routable = {*preferred, *cooled}
    return Eligibility(
        channel=routed,
        preferred=sorted(preferred),
        fallback=cooled,
        ineligible=ineligible,
        last_claims={k: v for k, v in last.items() if k in routable},
    )


# -- waves (RTE-2, RTE-3, RTE-5) ----------------------------------------------------------


def _available(eligibility: Eligibility, offered: set[str]) -> tuple[list[str], list[str]]:
    preferred = [agent for agent in eligibility.preferred if agent not in offered]
    fallback = [agent for agent in eligibility.fallback if agent not in offered]
    return preferred, fallback


@a.checked
def next_wave(
    eligibility: Eligibility,
    offered_before: Iterable[str] = (),
    *,
    rng: random.Random,
    policy: RoutingPolicy = _DEFAULT_POLICY,
) -> tuple[str, ...]:
    """
    Draw the next wave for a lead: ``min(wave_size, available)`` agents (RTE-2, RTE-3).

    Available agents are the eligible ones not offered this lead before. Preferred agents
    are drawn at random with ``rng`` (GEN-2); when they run out the wave is filled with
    cooled-down agents in round-robin order (RTE-5). An empty tuple means nobody is
    available: the wave is empty and the dispatch skips ahead.

    Args:
        eligibility: The lead's eligibility, from :func:`eligible`.
        offered_before: Agents already offered this lead in earlier waves.
        rng: The random generator; the same state gives the same wave.
        policy: The routing policy (``wave_size``).

    Returns:
        The agents of the wave, in the order drawn.

    >>> elig = Eligibility(channel="digital", preferred=("a1", "a2"), fallback=("a9", "a8"))
    >>> next_wave(elig, ["a1"], rng=random.Random(1), policy=RoutingPolicy(wave_size=2))
    ('a2', 'a9')
    """
    policy = _policy(policy)
    offered = set(inp.ids(offered_before, "offered_before"))
    preferred, fallback = _available(eligibility, offered)
    size = min(policy.wave_size, len(preferred) + len(fallback))
    return rules.draw(preferred, fallback, size, rng)


@attrs.frozen(kw_only=True, repr=False)
class WaveCheck(a.Frozen, d.Shown):
    """
    Whether a wave is legal under the rules, with every reason it is not.

    Attributes:
        legal: True when the wave could have been drawn by the rules.
        reasons: Every failing condition, in the rulebook's order (empty when legal).
        size: The size the wave must have: ``min(wave_size, available)``.

    """

    legal: bool = attrs.field(metadata=a.check(a.boolean))
    reasons: tuple[Reason, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Reason))), default=()
    )
    size: int = attrs.field(metadata=a.check(a.count), default=0)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reasons' codes, in order."""
        return tuple(r.code for r in self.reasons)

    def _view(self, rows: int) -> d.View:
        return d.View(
            "WaveCheck",
            d.verdict(self.legal, self.reasons, "legal").replace("refused", "illegal"),
            facts=[("legal", self.legal), ("size", self.size)],
            tables=[d.reasons_table(self.reasons, rows)] if self.reasons else [],
        )


@a.checked
def judge_wave(
    eligibility: Eligibility,
    offered_before: Iterable[str],
    wave: Iterable[str],
    *,
    policy: RoutingPolicy = _DEFAULT_POLICY,
) -> WaveCheck:
    """
    Judge a wave against a lead's eligibility (the core of :func:`check_wave`).

    Reasons, in this order: ``unknown_agent``, ``ineligible_agent``, ``offered_before``,
    ``duplicate_agent``, ``wrong_size``, ``fallback_before_preferred``,
    ``fallback_out_of_order``, ``offline_second_wave`` (RTE-2 to RTE-5). Order inside
    the wave is free.

    >>> elig = Eligibility(channel="digital", preferred=("a1", "a2"), fallback=("a9", "a8"))
    >>> judge_wave(elig, [], ["a1", "a2", "a8"], policy=RoutingPolicy(wave_size=3)).codes
    ('fallback_out_of_order',)
    """
    policy = _policy(policy)
    offered = set(inp.ids(offered_before, "offered_before"))
    listed = inp.ids(wave, "wave")
    preferred, fallback = _available(eligibility, offered)
    size = min(policy.wave_size, len(preferred) + len(fallback))
    members = set(listed)
    found: list[Reason] = []

    unknown = sorted(agent for agent in members if not eligibility.knows(agent))
    if unknown:
        found.append(
            CheckWave.unknown_agent.reason({"agents": unknown}, agents=inp.listed(unknown))
        )
    ineligible = sorted(agent for agent in members if agent in eligibility.ineligible)
    if ineligible:
        found.append(
            CheckWave.ineligible_agent.reason({"agents": ineligible}, agents=inp.listed(ineligible))
        )
    again = sorted(members & offered)
    if again:
        found.append(CheckWave.offered_before.reason({"agents": again}, agents=inp.listed(again)))
    twice = sorted(agent for agent, n in collections.Counter(listed).items() if n > 1)
    if twice:
        found.append(CheckWave.duplicate_agent.reason({"agents": twice}, agents=inp.listed(twice)))
    if len(listed) != size:
        found.append(
            CheckWave.wrong_size.reason(
                {"size": len(listed), "expected": size},
                size=len(listed),
                wave_size=policy.wave_size,
                available=len(preferred) + len(fallback),
                expected=size,
            )
        )
    used = [agent for agent in fallback if agent in members]
    # Any cooled-down agent in the wave counts here, one offered before included: that
    # one is also offered_before, and a refusal lists every failing condition (GEN-4).
    cooled_in_wave = [agent for agent in eligibility.fallback if agent in members]
    left_out = [agent for agent in preferred if agent not in members]
    if cooled_in_wave and left_out:
        found.append(
            CheckWave.fallback_before_preferred.reason(
                {"fallback": cooled_in_wave, "preferred_left_out": left_out},
                fallback=inp.listed(cooled_in_wave),
                preferred=inp.listed(left_out),
            )
        )
    if used != fallback[: len(used)]:
        found.append(
            CheckWave.fallback_out_of_order.reason(
                {"expected": fallback[: len(used)], "fallback": used},
                expected=inp.listed(fallback[: len(used)]),
                fallback=inp.listed(used),
            )
        )
    waves_before = -(-len(offered) // policy.wave_size)
    if eligibility.channel is Channel.OFFLINE and waves_before >= policy.offline_waves:
        found.append(
            CheckWave.offline_second_wave.reason(
                {"offered_before": len(offered)},
                waves=policy.offline_waves,
                offered=len(offered),
            )
        )
    return WaveCheck(legal=not found, reasons=tuple(found), size=size)


@a.checked
def check_wave(  # noqa: PLR0917  # the rulebook's inputs, in the protocol's order
    channel: Channel | str,
    lead: Lead,
    agents: Iterable[Agent],
    claims: Iterable[Claim],
    offered_before: Iterable[str],
    wave: Iterable[str],
    *,
    now: dt.datetime,
    timezone: str | None = None,
    policy: RoutingPolicy = _DEFAULT_POLICY,
) -> WaveCheck:
    """
    Say whether a wave another implementation offered is legal, and why not (RTE-2 to RTE-5).

    Random draws cannot be compared by equality, so an oracle judges them: the wave is
    legal when every agent is known, eligible, not offered before and listed once; its size
    is ``min(wave_size, available)``; no cooled-down agent is offered while an available
    preferred one is left out; the cooled-down agents used are the first in round-robin
    order; and, for offline, no wave beyond ``offline_waves`` (nothing offered before, by
    default).

    Args:
        channel: ``digital`` or ``offline``.
        lead: The lead (its ``project`` is required).
        agents: The agents of the dispatch (unique ids).
        claims: Past claims, for the cool-downs.
        offered_before: Agents offered this lead in earlier waves.
        wave: The wave to judge.
        now: When the lead arrived; eligibility is computed at this moment.
        timezone: IANA name of the project's time zone; ``policy.default_timezone`` if None.
        policy: The routing policy.

    Returns:
        ``legal`` and every reason against, in the order above.

    >>> from datetime import datetime, timezone
    >>> now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    >>> agents = [Agent(id=f"a{i}", project="p1") for i in range(1, 8)]
    >>> lead = Lead(id="L1", project="p1")
    >>> check_wave("digital", lead, agents, [], [], ["a1", "a2", "a3", "a4", "a5"],
    ...            now=now).legal
    True
    >>> check_wave("digital", lead, agents, [], ["a1"], ["a1", "a2", "x"], now=now).codes
    ('unknown_agent', 'offered_before', 'wrong_size')
    """
    eligibility = eligible(channel, lead, agents, claims, now=now, timezone=timezone, policy=policy)
    return judge_wave(eligibility, offered_before, wave, policy=policy)


# -- dispatch (RTE-2, RTE-3) --------------------------------------------------------------


@a.checked
def open_dispatch(
    channel: Channel | str,
    lead: str,
    *,
    now: dt.datetime,
    policy: RoutingPolicy = _DEFAULT_POLICY,
) -> DispatchState:
    """
    Start the dispatch of a lead that arrives at ``now``: no wave offered yet (RTE-2, RTE-3).

    Args:
        channel: ``digital`` (``digital_waves`` waves) or ``offline`` (``offline_waves``).
        lead: The lead's id.
        now: When the lead arrives.
        policy: The routing policy.

    >>> from datetime import datetime, timezone
    >>> state = open_dispatch("offline", "L1", now=datetime(2026, 1, 5, 9, tzinfo=timezone.utc))
    >>> state.phase, state.max_waves
    ('awaiting_wave', 1)
    """
    routed = inp.channel(channel, "channel")
    policy = _policy(policy)
    problems = a.ident("lead", lead)
    if problems:
        raise InvalidInput(problems)
    return _dispatch.start(routed, lead, now, policy.waves(routed))


def _run_fill(
    run: _dispatch.Run, offers: fast.Offers, rng: random.Random, policy: RoutingPolicy
) -> None:
    """
    Offer waves until one has agents or the lead is decided.

    As ``state = offer(state, next_wave(eligibility, state.offered, ...))`` while the
    state awaits a wave, with the draws of :class:`fast.Offers`.
    """
    while run.awaiting_wave:
        wave = offers.draw(policy.wave_size, rng)
        if not wave:
            run.offer_empty_rest()
            return
        run.offer(wave)


@a.checked
def dispatch(
    channel: Channel | str,
    lead: Lead,
    agents: Iterable[Agent],
    claims: Iterable[Claim],
    events: Iterable[DispatchEvent],
    *,
    now: dt.datetime,
    rng: random.Random,
    timezone: str | None = None,
    policy: RoutingPolicy = _DEFAULT_POLICY,
) -> DispatchState:
    """
    Dispatch a lead: offer waves and apply the events in time order (RTE-2 to RTE-5).

    Eligibility is computed once, at ``now`` (:func:`eligible`); the first wave is drawn
    then with ``rng`` (:func:`next_wave`), each next wave at the moment the previous one
    ended. Events apply in ``at`` order, ties in the given order (:func:`apply_event`).
    Digital leads get ``digital_waves`` waves, offline calls ``offline_waves``; then the
    fresh bucket. The same ``rng`` state and events give the same result.

    Args:
        channel: ``digital`` or ``offline``.
        lead: The lead (its ``project`` is required).
        agents: The agents of the project (unique ids).
        claims: Past claims, for the cool-downs.
        events: Claims, declines, answers and time-outs, none before ``now``.
        now: When the lead arrives.
        rng: The random generator of the draws (GEN-2).
        timezone: IANA name of the project's time zone; ``policy.default_timezone`` if None.
        policy: The routing policy.

    Returns:
        The final state: outcome, agent, waves and rejected events.

    Raises:
        InvalidInput: As :func:`eligible`, or an event before ``now``.

    >>> from datetime import datetime, timedelta, timezone
    >>> now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    >>> agents = [Agent(id=f"a{i}", project="p1") for i in range(1, 4)]
    >>> events = [DispatchEvent(kind="timeout", at=now + timedelta(minutes=1))]
    >>> result = dispatch("digital", Lead(id="L1", project="p1"), agents, [], events,
    ...                   now=now, rng=random.Random(3))
    >>> result.outcome, [len(wave) for wave in result.waves]
    ('fresh', [3, 0])
    """
    eligibility = eligible(channel, lead, agents, claims, now=now, timezone=timezone, policy=policy)
    given = cast("tuple[DispatchEvent, ...]", inp.sized(events, "events"))
    for index, event in enumerate(given):
        if event.at < now:
            raise InvalidInput.single(
                f"events[{index}].at",
                event.at,
                f"is before now ({now.isoformat()}), when the lead arrived",
            )
    # The fold of open_dispatch, next_wave, offer and apply_event, run on mutable state
    # (GEN-5, linear time: a fold copies the state at every step, quadratic in events and waves).
    run = _dispatch.Run(open_dispatch(eligibility.channel, lead.id, now=now, policy=policy))
    offers = fast.Offers(eligibility.preferred, eligibility.fallback)
    _run_fill(run, offers, rng, policy)
    ordered = sorted(enumerate(given), key=lambda pair: pair[1].at)
    for position, (index, event) in enumerate(ordered):
        if run.decided:
            # Every later event is rejected: applied at once, not one tuple at a time.
            return _dispatch.reject_rest(run.freeze(position), ordered[position:])
        run.apply(event, index)
        _run_fill(run, offers, rng, policy)
    return run.freeze(len(ordered))


# -- fresh bucket (RTE-6) -----------------------------------------------------------------


@a.checked
def fresh_limit(fresh_count: int, active_agents: int) -> int:
    """
    Return how many fresh-bucket leads an agent may claim per window (RTE-6).

    ``fresh_count // active_agents + 1``, where ``fresh_count`` is the number of leads in
    the fresh bucket and ``active_agents`` the number of active agents of the project.

    Raises:
        InvalidInput: ``fresh_count`` negative, or ``active_agents`` below 1 (never
            clamped: a project without active agents has no quota to compute).

    >>> fresh_limit(9, 4), fresh_limit(0, 4), fresh_limit(8, 4)
    (3, 1, 3)
    """
    count = inp.count(fresh_count, "fresh_count")
    active = inp.count(active_agents, "active_agents", least=1)
    return count // active + 1


@attrs.frozen(kw_only=True, repr=False)
class FreshGrant(a.Frozen, d.Shown):
    """
    The answer to a claim of leads from the fresh bucket (RTE-6).

    Attributes:
        granted: How many leads the agent gets now (0 to ``requested``).
        limit: The quota per window: ``fresh_count // active_agents + 1``.
        used: The agent's fresh claims in the window before this one.
        reasons: Why the claim was cut (empty when granted in full):
            ``quota_exhausted``, ``not_enough_fresh_leads``.

    """

    granted: int = attrs.field(metadata=a.check(a.count))
    limit: int = attrs.field(metadata=a.check(a.positive))
    used: int = attrs.field(metadata=a.check(a.count))
    reasons: tuple[Reason, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Reason))), default=()
    )

    @property
    def codes(self) -> tuple[str, ...]:
        """The reasons' codes, in order."""
        return tuple(r.code for r in self.reasons)

    def _view(self, rows: int) -> d.View:
        return d.View(
            "FreshGrant",
            f"{self.granted} granted (limit {self.limit}, {self.used} used)",
            facts=[("granted", self.granted), ("limit", self.limit), ("used", self.used)],
            tables=[d.reasons_table(self.reasons, rows)] if self.reasons else [],
        )


@a.checked
def fresh_claim(
    agent: str,
    claims: Iterable[Claim],
    *,
    fresh_count: int,
    active_agents: int,
    requested: int = 1,
    now: dt.datetime,
    policy: RoutingPolicy = _DEFAULT_POLICY,
) -> FreshGrant:
    """
    Cut an agent's claim of ``requested`` fresh leads to what is left of its quota (RTE-6).

    ``used`` counts the agent's claims from the fresh bucket with ``0 <= now - at <
    fresh_window_minutes`` (other buckets and later claims do not count); ``granted`` is
    ``min(requested, max(0, limit - used), fresh_count)``.

    Args:
        agent: The claiming agent's id.
        claims: Past claims (only this agent's ``fresh`` ones count).
        fresh_count: Leads in the fresh bucket at the time of the claim.
        active_agents: Active agents of the project (at least 1).
        requested: How many leads the agent claims at once (at least 1).
        now: When the agent claims.
        policy: The routing policy (``fresh_window_minutes``).

    Raises:
        InvalidInput: Bad counts (see :func:`fresh_limit`), ``requested`` below 1.

    >>> from datetime import datetime, timedelta, timezone
    >>> now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    >>> past = [Claim(agent="a1", at=now - timedelta(minutes=m), bucket="fresh") for m in (1, 10)]
    >>> grant = fresh_claim("a1", past, fresh_count=9, active_agents=4, requested=5, now=now)
    >>> grant.limit, grant.used, grant.granted, grant.codes
    (3, 1, 2, ('quota_exhausted',))
    """
    problems = a.ident("agent", agent)
    if problems:
        raise InvalidInput(problems)
    policy = _policy(policy)
    limit = fresh_limit(fresh_count, active_agents)
    wanted = inp.count(requested, "requested", least=1)
    window = policy.fresh_window
    zero = dt.timedelta(0)
    used = sum(
        1
        for claim in inp.claims(claims, "claims")
        if claim.agent == agent
        and claim.bucket is ClaimBucket.FRESH
        and zero <= now - claim.at < window
    )
    left = max(0, limit - used)
    found: list[Reason] = []
    if wanted > left:
        found.append(
            FreshClaim.quota_exhausted.reason(
                {"limit": limit, "used": used, "left": left, "requested": wanted},
                limit=limit,
                minutes=policy.fresh_window_minutes,
                used=used,
                left=left,
                requested=wanted,
            )
        )
    if wanted > fresh_count:
        found.append(
            FreshClaim.not_enough_fresh_leads.reason(fresh_count=fresh_count, requested=wanted)
        )
    return FreshGrant(
        granted=min(wanted, left, fresh_count), limit=limit, used=used, reasons=tuple(found)
    )


# -- transfer (RTE-7) ---------------------------------------------------------------------


@attrs.frozen(kw_only=True, repr=False)
class TransferDecision(a.Frozen, d.Shown):
    """
    The answer to a transfer (RTE-7).

    Attributes:
        allowed: Whether the transfer is done.
        reasons: Every reason against (``not_owner``, ``not_permitted``,
            ``wrong_project``), empty when allowed.
        lead: The lead after the transfer (None when refused).
        bucket: The WIP bucket it lands in: its status (None when refused).
        record: Every field the transfer replaced (GEN-6).

    """

    allowed: bool = attrs.field(metadata=a.check(a.boolean))
    reasons: tuple[Reason, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Reason))), default=()
    )
    lead: Lead | None = attrs.field(metadata=a.check(a.optional(a.instance(Lead))), default=None)
    bucket: str | None = attrs.field(metadata=a.check(a.opt_text), default=None)
    record: tuple[Change, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Change))), default=()
    )

    @property
    def codes(self) -> tuple[str, ...]:
        """The reasons' codes, in order."""
        return tuple(r.code for r in self.reasons)

    def _view(self, rows: int) -> d.View:
        if self.lead is None:
            return d.View(
                "TransferDecision",
                d.verdict(self.allowed, self.reasons, "transferred"),
                tables=[d.reasons_table(self.reasons, rows)],
            )
        return d.View(
            "TransferDecision",
            f"{self.lead.id!r} to {self.lead.owner!r}, bucket {self.bucket!r}",
            facts=[("lead", self.lead.id), ("owner", self.lead.owner), ("bucket", self.bucket)],
            tables=[d.changes_table(self.record, rows)],
        )


def _transfer_permission(lead: Lead, by: User) -> Reason | None:
    if by.has(Role.TEAM_LEAD, Role.CALL_CENTER):
        return None
    if by.has(Role.AGENT):
        if lead.owner == by.id:
            return None
        return Transfer.not_owner.reason(
            {"owner": lead.owner, "by": by.id}, lead=lead.id, owner=lead.owner
        )
    return Transfer.not_permitted.reason(
        {"by": by.id, "roles": sorted(role.value for role in by.roles)}
    )


@a.checked
def transfer(
    lead: Lead,
    to: Agent,
    by: User,
    *,
    policy: RoutingPolicy = _DEFAULT_POLICY,
) -> TransferDecision:
    """
    Transfer a lead straight to an agent, into the WIP bucket of its status (RTE-7).

    A patch-out by the call centre, a transfer by another agent or by a team lead: an
    ``agent`` may transfer only a lead it owns (``not_owner``); a ``team_lead`` or
    ``call_center`` user any lead of the project; anyone else ``not_permitted``. The
    target must work on the lead's project (``wrong_project``). The lead's owner becomes
    the target; a WIP status is kept, any other becomes ``claimed``; ``bucket`` is that
    status.

    Raises:
        InvalidInput: The lead has no project.

    >>> lead = Lead(id="L1", project="p1", owner="a1", status="new")
    >>> done = transfer(lead, Agent(id="a2", project="p1"), User(id="a1", roles=["agent"]))
    >>> done.allowed, done.lead.owner, done.bucket
    (True, 'a2', 'claimed')
    """
    project = inp.project(lead, "lead")
    policy = _policy(policy)
    found: list[Reason] = []
    permission = _transfer_permission(lead, by)
    if permission is not None:
        found.append(permission)
    if to.project != project:
        found.append(
            Transfer.wrong_project.reason(
                {"agent_project": to.project, "lead_project": project},
                agent=to.id,
                agent_project=to.project,
                lead_project=project,
            )
        )
    if found:
        return TransferDecision(allowed=False, reasons=tuple(found))
    status = lead.status if lead.status in policy.wip_statuses else CLAIMED
    with a.results():  # the limits bound input, never output (GEN-5)
        after = attrs.evolve(lead, owner=to.id, status=status)
        return TransferDecision(
            allowed=True, lead=after, bucket=status, record=changes_between(lead, after)
        )


# -- diagnosis (RTE-8) --------------------------------------------------------------------


@attrs.frozen(kw_only=True, repr=False)
class Diagnosis(a.Frozen, d.Shown):
    """
    Why an agent receives no leads of a channel (RTE-8).

    Attributes:
        receiving: True when no condition fails.
        reasons: Every failing condition in the troubleshooting list's order: ``lead_flow_off``,
            ``inactive``, then ``battery_optimization_on`` and ``autorun_off`` (digital)
            or ``network_problem`` (offline).

    """

    receiving: bool = attrs.field(metadata=a.check(a.boolean))
    reasons: tuple[Reason, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Reason))), default=()
    )

    @property
    def codes(self) -> tuple[str, ...]:
        """The reasons' codes, in order."""
        return tuple(r.code for r in self.reasons)

    def _view(self, rows: int) -> d.View:
        return d.View(
            "Diagnosis",
            d.verdict(self.receiving, self.reasons, "receiving").replace(
                "refused", "not receiving"
            ),
            tables=[d.reasons_table(self.reasons, rows)] if self.reasons else [],
        )


@a.checked
def diagnose(agent: Agent, channel: Channel | str) -> Diagnosis:
    """
    List every reason an agent receives no leads of ``channel`` (RTE-8).

    Every RTE-4 condition of the channel that fails, inactivity included for both:
    lead flow off, inactive, battery optimisation on, auto-run off (digital); lead flow
    off, inactive, network problem (offline). Cool-downs and projects are not looked at.

    >>> diagnose(Agent(id="a1", lead_flow=False, autorun_enabled=False), "digital").codes
    ('lead_flow_off', 'autorun_off')
    >>> diagnose(Agent(id="a1", autorun_enabled=False), "offline").receiving
    True
    """
    routed = inp.channel(channel, "channel")
    found = rules.switch_reasons(agent, rules.DIAGNOSIS_ORDER[routed])
    return Diagnosis(receiving=not found, reasons=tuple(found))
