"""
Replay a stream of leads through the routing rules, to compare policies (RTE-2 to RTE-5).

An analyst asks "what if the wave held 3 agents instead of 5?" or "what if the cool-down
were 5 minutes?". :func:`simulate` answers by replaying arrivals of leads (say a day of
100,000) and the behaviour of agents (how often they claim, decline or ignore an offer,
how fast they respond) through the rules of :mod:`leadcore.routing`, and reports per-agent
load, fairness (the Gini coefficient of leads per agent), time to claim and the share of
leads that falls to the fresh bucket.

The simulation is pure and seeded (GEN-2): the same arrivals, agents, behaviour and
``random.Random`` state give the same report. It does not copy the rules: each lead is
dispatched by :func:`~leadcore.routing.open_dispatch`, :func:`~leadcore.routing.offer` and
:func:`~leadcore.routing.apply_event`; cool-downs, round-robin order and wave draws are
the functions :func:`~leadcore.routing.eligible` and :func:`~leadcore.routing.next_wave`
use, applied incrementally so that a day of 100,000 leads and 1,000 agents takes seconds
(see ``benchmarks/routing.md``). ``cross_check=True`` recomputes every lead's eligibility
and every wave with the plain functions and fails loudly on any difference.

How a lead plays out: at its arrival the first wave is drawn; each agent offered responds
after an exponential delay (mean ``mean_response_seconds``) by claiming (or answering,
offline) with ``claim_probability``, declining with ``decline_probability``, or not at
all. The wave times out after ``wave_timeout_seconds``; the next wave is then offered (or
the lead goes to the fresh bucket). Late responses are applied too and rejected by the
rules (``not_in_wave``), and counted. A claim cools its agent down from its moment on.

>>> import random
>>> from datetime import date
>>> rng = random.Random(2026)
>>> agents = [Agent(id=f"a{i:02}", project="p1") for i in range(20)]
>>> arrivals = synthetic_arrivals(date(2026, 11, 23), count=300, project="p1", rng=rng)
>>> report = simulate(arrivals, agents, rng=rng)
>>> report.leads, report.claimed + report.fresh
(300, 300)
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final, NamedTuple, cast

import attrs

from leadcore import _attrs as a
from leadcore import _charts, _progress, routing
from leadcore import _display as d
from leadcore._quote import quote
from leadcore._routing import inputs as inp
from leadcore._routing import rules
from leadcore._routing.dispatch import start, trusted_event
from leadcore._routing.fast import Pool
from leadcore.errors import InvalidInput, Problem
from leadcore.model import Agent, Channel, Claim, ClaimBucket, Lead
from leadcore.routing import EventKind, RoutingPolicy

__all__ = [
    "Arrival",
    "Behaviour",
    "Percentiles",
    "SimulationReport",
    "gini",
    "simulate",
    "synthetic_arrivals",
]


def __dir__() -> list[str]:
    return list(__all__)


_DEFAULT_POLICY: Final = RoutingPolicy()
_MAX_SECONDS: Final = 86_400.0 * 366
"""Longest response delay or wave time-out accepted: a year (GEN-5)."""


# -- inputs -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Arrival(a.Frozen):
    """
    A lead arriving for routing.

    Attributes:
        lead: The lead's id.
        at: When it arrives.
        channel: ``digital`` or ``offline``.
        project: The project it is about.

    """

    lead: str = attrs.field(metadata=a.check(a.ident))
    at: dt.datetime = attrs.field(metadata=a.check(a.aware))
    channel: Channel = attrs.field(metadata=a.check(inp.routed), converter=inp.routed_channel)
    project: str = attrs.field(metadata=a.check(a.ident))


def _probability(path: str, value: object) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [Problem(path, value, f"must be a number, not {type(value).__name__}")]
    if not 0 <= value <= 1:
        return [Problem(path, value, "must be between 0 and 1")]
    return []


def _seconds(path: str, value: object) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [Problem(path, value, f"must be a number, not {type(value).__name__}")]
    if not 0 < value <= _MAX_SECONDS:
        return [Problem(path, value, f"must be above 0 and at most {_MAX_SECONDS:.0f} seconds")]
    return []


@attrs.frozen(kw_only=True)
class Behaviour(a.Frozen):
    """
    How an agent responds when offered a lead.

    Attributes:
        claim_probability: Chance to claim a digital lead or answer an offline call.
        decline_probability: Chance to decline (the rest of the time the agent does
            nothing and the wave times out).
        mean_response_seconds: Mean delay of a response (exponentially distributed).

    """

    claim_probability: float = attrs.field(metadata=a.check(_probability), default=0.5)
    decline_probability: float = attrs.field(metadata=a.check(_probability), default=0.2)
    mean_response_seconds: float = attrs.field(metadata=a.check(_seconds), default=20.0)

    def _check_together(self) -> list[Problem]:
        if self.claim_probability + self.decline_probability > 1:
            return [
                Problem(
                    "decline_probability",
                    self.decline_probability,
                    "plus claim_probability must be at most 1",
                )
            ]
        return []


# -- report -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Percentiles(a.Frozen):
    """
    A distribution summed up, in seconds (nearest-rank percentiles; None when empty).

    Attributes:
        count: How many values.
        mean: Their mean.
        p50: The median.
        p90: The 90th percentile.
        p99: The 99th percentile.
        max: The largest.

    """

    count: int = attrs.field(metadata=a.check(a.count))
    mean: float | None = None
    p50: float | None = None
    p90: float | None = None
    p99: float | None = None
    max: float | None = None

    @classmethod
    def of(cls, values: Iterable[float]) -> Percentiles:
        """
        Sum up ``values``.

        >>> Percentiles.of([4.0, 1.0, 3.0, 2.0]).p50
        2.0
        """
        ordered = sorted(values)
        if not ordered:
            return cls(count=0)

        def rank(p: float) -> float:
            return ordered[max(0, math.ceil(p * len(ordered)) - 1)]

        return cls(
            count=len(ordered),
            mean=sum(ordered) / len(ordered),
            p50=rank(0.5),
            p90=rank(0.9),
            p99=rank(0.99),
            max=ordered[-1],
        )


@a.checked
def gini(values: Iterable[int]) -> float:
    """
    Return the Gini coefficient of ``values``: 0 when all equal, near 1 when one has all.

    >>> gini([5, 5, 5, 5]), gini([0, 0, 0, 12])
    (0.0, 0.75)
    """
    ordered = sorted(values)
    total = sum(ordered)
    if not ordered or total == 0:
        return 0.0
    n = len(ordered)
    weighted = sum(rank * value for rank, value in enumerate(ordered, 1))
    return 2 * weighted / (n * total) - (n + 1) / n


def _frozen_counts(value: Mapping[str, int]) -> Mapping[str, int]:
    raw: object = value
    if not isinstance(raw, Mapping):
        return value  # the field's check reports it
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True, repr=False)
class SimulationReport(a.Frozen, d.Shown):
    """
    What happened to a stream of leads under a policy.

    Attributes:
        leads: Leads replayed.
        claimed: Leads an agent claimed (or answered).
        fresh: Leads that went to the fresh bucket.
        leads_by_channel: Leads per channel.
        fresh_by_channel: Fresh-bucket leads per channel.
        claimed_in_wave: Leads claimed in the first, second... wave.
        time_to_claim: Seconds from arrival to claim, over claimed leads.
        claims_per_agent: Leads claimed by each agent given (zeros included).
        offers_per_agent: Offers received by each agent given.
        routable_agents: The agents eligible (RTE-4) for at least one channel of their
            project, sorted: the only ones any policy can give a lead to.
        gini: Gini coefficient of the claims of the routable agents (0 is perfectly
            even); agents who can receive nothing would only add the same bias to every
            policy compared.
        rejected: Events the rules rejected, by reason code (late responses).

    """

    leads: int
    claimed: int
    fresh: int
    leads_by_channel: Mapping[str, int] = attrs.field(converter=_frozen_counts, hash=False)
    fresh_by_channel: Mapping[str, int] = attrs.field(converter=_frozen_counts, hash=False)
    claimed_in_wave: tuple[int, ...]
    time_to_claim: Percentiles
    claims_per_agent: Mapping[str, int] = attrs.field(converter=_frozen_counts, hash=False)
    offers_per_agent: Mapping[str, int] = attrs.field(converter=_frozen_counts, hash=False)
    routable_agents: tuple[str, ...]
    gini: float
    rejected: Mapping[str, int] = attrs.field(converter=_frozen_counts, hash=False)

    @property
    def fresh_share(self) -> float:
        """The share of leads that went to the fresh bucket (0 when there were none)."""
        return self.fresh / self.leads if self.leads else 0.0

    def summary(self) -> dict[str, float | int | None]:
        """
        Return the headline figures, for a table comparing policies.

        Keys: ``leads``, ``fresh_share``, ``gini``, ``claims_min``, ``claims_max`` (over
        the routable agents), ``ttc_p50``, ``ttc_p90``, ``ttc_p99`` (seconds),
        ``late_rejected``.
        """
        loads = [self.claims_per_agent[agent] for agent in self.routable_agents]
        return {
            "leads": self.leads,
            "fresh_share": round(self.fresh_share, 4),
            "gini": round(self.gini, 4),
            "claims_min": min(loads, default=0),
            "claims_max": max(loads, default=0),
            "ttc_p50": _rounded(self.time_to_claim.p50),
            "ttc_p90": _rounded(self.time_to_claim.p90),
            "ttc_p99": _rounded(self.time_to_claim.p99),
            "late_rejected": sum(self.rejected.values()),
        }

    def agent_rows(self) -> list[dict[str, object]]:
        """
        Return one row per agent given: agent, routable, claims, offers, share (of claims).

        Sorted by most claims, then agent id.
        """
        total = sum(self.claims_per_agent.values())
        routable = set(self.routable_agents)
        ordered = sorted(self.claims_per_agent.items(), key=lambda item: (-item[1], item[0]))
        return [
            {
                "agent": agent,
                "routable": agent in routable,
                "claims": claims,
                "offers": self.offers_per_agent.get(agent, 0),
                "share": claims / total if total else 0.0,
            }
            for agent, claims in ordered
        ]

    def chart_agents(self) -> Any:  # noqa: ANN401  # an altair chart
        """
        Return a bar chart of each routable agent's share of the claims (fairness).

        Agents sorted by share, a dashed rule at the even share (1 / routable agents);
        the title gives the Gini coefficient. Needs altair (the ``notebook`` extra).

        Raises:
            MissingDependency: altair is not installed.

        """
        routable = set(self.routable_agents)
        rows = [r for r in self.agent_rows() if r["agent"] in routable]
        even = 1 / len(rows) if rows else 0.0
        return _charts.bars(
            rows,
            x="agent",
            y="share",
            title=f"Share of claims per agent (Gini {self.gini:.3f})",
            x_title="agent",
            y_title="share of claims",
            rule=even,
        )

    def chart_time_to_claim(self) -> Any:  # noqa: ANN401  # an altair chart
        """
        Return a bar chart of the time to claim: mean, median, 90th and 99th percentile, max.

        Seconds from a lead's arrival to its claim, over claimed leads. Needs altair.

        Raises:
            MissingDependency: altair is not installed.

        """
        ttc = self.time_to_claim
        rows = [
            {"statistic": name, "seconds": value}
            for name, value in (
                ("mean", ttc.mean),
                ("p50", ttc.p50),
                ("p90", ttc.p90),
                ("p99", ttc.p99),
                ("max", ttc.max),
            )
            if value is not None
        ]
        return _charts.bars(
            rows,
            x="statistic",
            y="seconds",
            title=f"Time to claim of {ttc.count:,} claimed leads",
            x_title="statistic",
            y_title="seconds",
        )

    def _view(self, rows: int) -> d.View:
        total = sum(self.claims_per_agent.values())
        top = [
            {
                "agent": agent,
                "claims": claims,
                "offers": self.offers_per_agent.get(agent, 0),
                "share": claims / total if total else 0.0,
            }
            for agent, claims in heapq.nsmallest(
                rows, self.claims_per_agent.items(), key=lambda item: (-item[1], item[0])
            )
        ]
        ttc = self.time_to_claim
        return d.View(
            "SimulationReport",
            f"{self.leads:,} leads: {self.claimed:,} claimed, {self.fresh:,} to the fresh "
            f"bucket ({self.fresh_share:.1%}); Gini {self.gini:.3f}",
            facts=[*self.summary().items(), ("claimed_in_wave", self.claimed_in_wave)],
            tables=[
                d.Table(
                    "agents",
                    ("agent", "claims", "offers", "share"),
                    [(r["agent"], r["claims"], r["offers"], r["share"]) for r in top],
                    len(self.claims_per_agent),
                ),
                d.Table(
                    "time_to_claim",
                    ("count", "mean", "p50", "p90", "p99", "max"),
                    [(ttc.count, ttc.mean, ttc.p50, ttc.p90, ttc.p99, ttc.max)],
                    1,
                ),
            ],
        )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# -- the simulation -----------------------------------------------------------------------


def _behaviours(
    agents: Sequence[Agent], default: Behaviour, given: Mapping[str, Behaviour]
) -> dict[str, tuple[float, float, float]]:
    known = {agent.id for agent in agents}
    for agent_id in given:
        if agent_id not in known:
            raise InvalidInput.single(f"behaviours[{agent_id!r}]", agent_id, "is not an agent")
    table = {}
    for agent in agents:
        chosen = given.get(agent.id, default)
        table[agent.id] = (
            chosen.claim_probability,
            chosen.claim_probability + chosen.decline_probability,
            1.0 / chosen.mean_response_seconds,
        )
    return table


def _pools(
    agents: Sequence[Agent], tz: dt.tzinfo, policy: RoutingPolicy
) -> tuple[dict[tuple[str, Channel], Pool], dict[str, list[Pool]]]:
    """One pool per project and channel, built from the rules' own eligibility conditions."""
    by_project: dict[str | None, list[Agent]] = {}
    for agent in agents:
        by_project.setdefault(agent.project, []).append(agent)
    pools: dict[tuple[str, Channel], Pool] = {}
    of_agent: dict[str, list[Pool]] = {agent.id: [] for agent in agents}
    for project, members in by_project.items():
        if project is None:
            continue
        for channel in rules.ROUTED_CHANNELS:
            ok = [m.id for m in members if not rules.ineligibility(m, channel, project)]
            pool = Pool(channel, ok, tz=tz, cooldown=policy.cooldown)
            pools[project, channel] = pool
            for agent_id in ok:
                of_agent[agent_id].append(pool)
    return pools, of_agent


def _check_same(what: str, arrival: Arrival, fast: object, plain: object) -> None:
    if fast != plain:
        msg = (
            f"leadcore bug: the simulation's fast path gave {what} {quote(fast)} for lead "
            f"{quote(arrival.lead)} at {arrival.at.isoformat()}, the rule functions {quote(plain)}"
        )
        raise RuntimeError(msg)


class _Tally:
    """Running totals of a simulation (private, mutable)."""

    def __init__(self, agents: Sequence[Agent], waves: int, routable: Iterable[str]) -> None:
        self.routable = tuple(sorted(routable))
        self.claims: dict[str, int] = dict.fromkeys((agent.id for agent in agents), 0)
        self.offers: dict[str, int] = dict.fromkeys((agent.id for agent in agents), 0)
        self.leads: Counter[str] = Counter()
        self.fresh: Counter[str] = Counter()
        self.in_wave = [0] * waves
        self.waits: list[float] = []
        self.rejected: Counter[str] = Counter()

    def report(self) -> SimulationReport:
        claimed = sum(self.in_wave)
        return SimulationReport(
            leads=sum(self.leads.values()),
            claimed=claimed,
            fresh=sum(self.fresh.values()),
            leads_by_channel=dict(sorted(self.leads.items())),
            fresh_by_channel=dict(sorted(self.fresh.items())),
            claimed_in_wave=tuple(self.in_wave),
            time_to_claim=Percentiles.of(self.waits),
            claims_per_agent=self.claims,
            offers_per_agent=self.offers,
            routable_agents=self.routable,
            gini=gini(self.claims[agent] for agent in self.routable),
            rejected=dict(sorted(self.rejected.items())),
        )


@a.checked
def simulate(
    arrivals: Iterable[Arrival],
    agents: Iterable[Agent],
    *,
    rng: random.Random,
    policy: RoutingPolicy = _DEFAULT_POLICY,
    behaviour: Behaviour | None = None,
    behaviours: Mapping[str, Behaviour] | None = None,
    wave_timeout_seconds: float = 60.0,
    claims: Iterable[Claim] = (),
    timezone: str | None = None,
    cross_check: bool = False,
    progress: _progress.ProgressFn | bool | None = None,
) -> SimulationReport:
    """
    Replay ``arrivals`` through the routing rules and report load, fairness and speed.

    Leads are dispatched in arrival order (ties in the given order), each with the
    eligibility of its arrival moment (RTE-4, RTE-5): claims count from the moment they
    are made, so a claim made after a later lead arrived does not cool its agent down for
    that lead. Waves follow RTE-2 and RTE-3 under ``policy``.

    Args:
        arrivals: The leads, in any order.
        agents: Every agent (unique ids); each is eligible per RTE-4 for its project.
        rng: The random generator of wave draws and behaviour (GEN-2).
        policy: The routing policy to evaluate.
        behaviour: How agents respond, unless ``behaviours`` names them
            (:class:`Behaviour` defaults if None).
        behaviours: Behaviour of particular agents, by id.
        wave_timeout_seconds: How long a wave waits for a claim or answer.
        claims: Claims made before the stream (cool-downs and round-robin order).
        timezone: IANA name of the projects' time zone; ``policy.default_timezone`` if None.
        cross_check: Recompute each lead's eligibility and waves with
            :func:`~leadcore.routing.eligible` and :func:`~leadcore.routing.next_wave`
            and raise ``RuntimeError`` on any difference (slow: for tests and audits).
        progress: How far the replay got: a callable ``(stage, done, total)`` (stage
            ``simulate``, in leads), or True for a ``tqdm.auto`` bar (the ``notebook``
            extra); off by default.

    Returns:
        The report.

    Raises:
        InvalidInput: Duplicate agent ids, behaviours of unknown agents, a bad time-out
            or time zone.
        MissingDependency: ``progress=True`` without tqdm.

    >>> import random
    >>> from datetime import datetime, timedelta, timezone
    >>> start = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    >>> arrivals = [Arrival(lead=f"L{i}", at=start + timedelta(minutes=i), channel="digital",
    ...                     project="p1") for i in range(30)]
    >>> agents = [Agent(id=f"a{i}", project="p1") for i in range(8)]
    >>> always = Behaviour(claim_probability=1.0, decline_probability=0.0)
    >>> report = simulate(arrivals, agents, rng=random.Random(1), behaviour=always)
    >>> report.fresh, sum(report.claims_per_agent.values()), report.claimed_in_wave
    (0, 30, (30, 0))
    """
    given = inp.agents(agents, "agents")
    stream = cast("tuple[Arrival, ...]", inp.sized(arrivals, "arrivals"))
    history = inp.claims(claims, "claims")
    timeout_problems = _seconds("wave_timeout_seconds", wave_timeout_seconds)
    if timeout_problems:
        raise InvalidInput(timeout_problems)
    zone_name = policy.default_timezone if timezone is None else timezone
    tz = rules.zone(zone_name, "policy.default_timezone" if timezone is None else "timezone")
    table = _behaviours(given, behaviour or Behaviour(), behaviours or {})
    pools, pools_of = _pools(given, tz, policy)
    max_waves = max(policy.digital_waves, policy.offline_waves)
    tally = _Tally(given, max_waves, (agent for agent, mine in pools_of.items() if mine))
    timeout = dt.timedelta(seconds=wave_timeout_seconds)

    # Claims not yet visible to the rules: (at, sequence, agent), popped in time order.
    pending: list[tuple[dt.datetime, int, str]] = [
        (claim.at, sequence, claim.agent)
        for sequence, claim in enumerate(sorted(history, key=lambda c: c.at))
    ]
    heapq.heapify(pending)
    known_claims: list[Claim] = list(history) if cross_check else []
    empty = Pool(Channel.DIGITAL, (), tz=tz, cooldown=policy.cooldown)
    with _progress.using(progress) as report:
        _replay(
            sorted(stream, key=lambda item: item.at),
            report,
            _Run(given, policy, pools, pools_of, empty, tally, table, timeout, zone_name),
            pending,
            known_claims if cross_check else None,
            rng=rng,
        )
    return tally.report()


class _Run(NamedTuple):
    """What the replay loop reads (fixed for the whole simulation)."""

    agents: tuple[Agent, ...]
    policy: RoutingPolicy
    pools: dict[tuple[str, Channel], Pool]
    pools_of: dict[str, list[Pool]]
    empty: Pool
    tally: _Tally
    table: dict[str, tuple[float, float, float]]
    timeout: dt.timedelta
    zone_name: str


_STEP: Final = 1_000
"""Leads between two progress reports."""


def _replay(  # noqa: C901, PLR0912, PLR0915  # one event loop, kept in one place for speed
    ordered: list[Arrival],
    report: _progress.ProgressFn | None,
    run: _Run,
    pending: list[tuple[dt.datetime, int, str]],
    known_claims: list[Claim] | None,
    *,
    rng: random.Random,
) -> None:
    """Dispatch every lead in arrival order (the event loop of :func:`simulate`)."""
    given, policy, pools, pools_of, empty, tally, table, timeout, zone_name = run
    wave_size = policy.wave_size
    answer = {Channel.DIGITAL: EventKind.CLAIM, Channel.OFFLINE: EventKind.ANSWER}
    sequence = len(pending)
    total = len(ordered)
    for done, arrival in enumerate(ordered, 1):
        if report is not None and (done % _STEP == 0 or done == total):
            report("simulate", done, total)
        now, channel = arrival.at, arrival.channel
        while pending and pending[0][0] <= now:
            at, _, agent = heapq.heappop(pending)
            for pool in pools_of.get(agent, ()):
                pool.claim(agent, at, now)
        pool = pools.get((arrival.project, channel), empty)
        pool.advance(now)
        tally.leads[channel.value] += 1

        eligibility = None
        if known_claims is not None:
            eligibility = routing.eligible(
                channel,
                Lead(id=arrival.lead, project=arrival.project),
                given,
                known_claims,
                now=now,
                timezone=zone_name,
                policy=policy,
            )
            plain = (eligibility.preferred, eligibility.fallback)
            _check_same("the eligible agents", arrival, pool.snapshot(), plain)

        state = start(channel, arrival.lead, now, policy.waves(channel))
        offered: set[str] = set()
        # This lead's future events: (at, sequence, wave number, kind, agent).
        queue: list[tuple[dt.datetime, int, int, EventKind, str | None]] = []
        while True:
            while state.awaiting_wave:
                twin = None
                if eligibility is not None:
                    # The same generator state for the plain draw: same state, same wave.
                    twin = random.Random()  # noqa: S311  # a simulation, not cryptography
                    twin.setstate(rng.getstate())
                wave = pool.draw(offered, wave_size, rng)
                if eligibility is not None and twin is not None:
                    plain_wave = routing.next_wave(eligibility, offered, rng=twin, policy=policy)
                    _check_same("the wave", arrival, wave, plain_wave)
                state = routing.offer(state, wave)
                if not wave:
                    continue
                offered.update(wave)
                number, started = len(state.waves), state.clock
                for agent in wave:
                    tally.offers[agent] += 1
                    claim_below, respond_below, rate = table[agent]
                    draw = rng.random()
                    if draw < respond_below:
                        kind = answer[channel] if draw < claim_below else EventKind.DECLINE
                        when = started + dt.timedelta(seconds=rng.expovariate(rate))
                        heapq.heappush(queue, (when, sequence, number, kind, agent))
                        sequence += 1
                heapq.heappush(
                    queue, (started + timeout, sequence, number, EventKind.TIMEOUT, None)
                )
                sequence += 1
            if state.decided:
                break
            at, _, number, kind, who = heapq.heappop(queue)
            if kind is EventKind.TIMEOUT and number != len(state.waves):
                continue  # the time-out of a wave that already ended (all declined)
            event = trusted_event(kind, at, who)
            state, rejection = routing.apply_event(state, event)
            if rejection is not None:
                tally.rejected[rejection.code] += 1

        if state.agent is not None and state.decided_at is not None:
            tally.claims[state.agent] += 1
            tally.in_wave[len(state.waves) - 1] += 1
            tally.waits.append((state.decided_at - now).total_seconds())
            heapq.heappush(pending, (state.decided_at, sequence, state.agent))
            sequence += 1
            if known_claims is not None:
                bucket = ClaimBucket(channel.value)
                known_claims.append(Claim(agent=state.agent, at=state.decided_at, bucket=bucket))
        else:
            tally.fresh[channel.value] += 1


@a.checked
def synthetic_arrivals(
    day: dt.date,
    *,
    count: int,
    project: str,
    rng: random.Random,
    digital_share: float = 0.7,
    opening_hour: int = 9,
    closing_hour: int = 21,
    timezone: str = "UTC",
) -> tuple[Arrival, ...]:
    """
    Draw ``count`` leads arriving at uniformly random moments of a working day.

    Times are drawn between ``opening_hour`` and ``closing_hour`` of ``day`` in
    ``timezone``, each lead digital with probability ``digital_share`` (else offline);
    they are returned sorted, with ids ``L000001``, ``L000002``...

    Raises:
        InvalidInput: A negative or absurd count, hours out of order, a bad share or zone.

    >>> import random
    >>> from datetime import date
    >>> leads = synthetic_arrivals(date(2026, 11, 23), count=3, project="p1",
    ...                            rng=random.Random(0))
    >>> [(a.lead, a.at.hour >= 9, a.channel.value) for a in leads][:2]
    [('L000001', True, 'digital'), ('L000002', True, 'digital')]
    """
    found = inp.bounded(a.MAX_ITEMS)("count", count) + a.ident("project", project)
    found += _probability("digital_share", digital_share)
    if not 0 <= opening_hour < closing_hour <= 24:  # hours of a day
        found.append(Problem("closing_hour", closing_hour, "must follow opening_hour, in 0-24"))
    if found:
        raise InvalidInput(found)
    tz = rules.zone(timezone, "timezone")
    opening = dt.datetime(day.year, day.month, day.day, opening_hour, tzinfo=tz)
    span = (closing_hour - opening_hour) * 3600.0
    moments = sorted((rng.random() * span, rng.random() < digital_share) for _ in range(count))
    return tuple(
        Arrival(
            lead=f"L{number:06d}",
            at=opening + dt.timedelta(seconds=offset),
            channel=Channel.DIGITAL if digital else Channel.OFFLINE,
            project=project,
        )
        for number, (offset, digital) in enumerate(moments, 1)
    )
