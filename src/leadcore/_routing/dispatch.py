"""
The dispatch of one lead as a state machine over frozen states (RTE-2, RTE-3).

Public through :mod:`leadcore.routing`, which re-exports every name here and adds
:func:`~leadcore.routing.open_dispatch` (it needs the policy) and
:func:`~leadcore.routing.dispatch` (the fold over a list of events).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Container, Iterable
from types import MappingProxyType
from typing import Final, Literal, cast

import attrs

from leadcore import _attrs as a
from leadcore import _display as d
from leadcore._routing import inputs as inp
from leadcore.decisions import Reason
from leadcore.errors import InvalidInput, Problem
from leadcore.model import Channel
from leadcore.reasons import DispatchRejection

__all__ = [
    "DispatchEvent",
    "DispatchState",
    "EventKind",
    "Outcome",
    "Phase",
    "Rejection",
    "apply_event",
    "offer",
]


class EventKind(a.ClosedEnum):
    """What happened during a dispatch (the protocol's events of routing.dispatch)."""

    CLAIM = "claim"
    """A digital lead claimed by an agent of the current wave."""
    DECLINE = "decline"
    """An agent of the current wave declined the lead (or rejected the call)."""
    ANSWER = "answer"
    """An offline call answered by an agent of the wave: the agent gets the lead."""
    TIMEOUT = "timeout"
    """The current wave timed out; the next wave (or the fresh bucket) follows."""


_ACCEPTED: Final = MappingProxyType(
    {
        Channel.DIGITAL: frozenset({EventKind.CLAIM, EventKind.DECLINE, EventKind.TIMEOUT}),
        Channel.OFFLINE: frozenset({EventKind.ANSWER, EventKind.DECLINE, EventKind.TIMEOUT}),
    }
)

_as_event_kind = a.to_enum(EventKind)


def _event_kind(value: EventKind | str) -> EventKind:
    return _as_event_kind(value)


@attrs.frozen(kw_only=True)
class DispatchEvent(a.Frozen):
    """
    One thing that happened to a lead being dispatched.

    Attributes:
        kind: ``claim``, ``decline``, ``answer`` or ``timeout``.
        at: When it happened.
        agent: The agent (required but for a time-out, where it is ignored).

    """

    kind: EventKind = attrs.field(metadata=a.check(a.member(EventKind)), converter=_event_kind)
    at: dt.datetime = attrs.field(metadata=a.check(a.aware))
    agent: str | None = attrs.field(metadata=a.check(a.opt_ident), default=None)

    def _check_together(self) -> list[Problem]:
        if self.agent is None and self.kind is not EventKind.TIMEOUT:
            return [Problem("agent", None, f"is required for a {self.kind.value} event")]
        return []


@attrs.frozen(kw_only=True)
class Rejection(a.Frozen):
    """
    An event the dispatch did not accept, and why.

    Attributes:
        index: The event's position in the caller's list.
        event: The event.
        reason: Why it was rejected (``wrong_event_type``, ``lead_taken``,
            ``lead_in_fresh_bucket``, ``not_in_wave`` or ``declined_before``).

    """

    index: int = attrs.field(metadata=a.check(a.count))
    event: DispatchEvent = attrs.field(metadata=a.check(a.instance(DispatchEvent)))
    reason: Reason = attrs.field(metadata=a.check(a.instance(Reason)))

    @property
    def code(self) -> str:
        """The reason's code."""
        return self.reason.code


def _rejections(value: Iterable[Rejection]) -> tuple[Rejection, ...]:
    return a.to_tuple(value)


Phase = Literal["awaiting_wave", "offered", "claimed", "fresh"]
"""Where a dispatch stands: waiting for its next wave, wave offered, or decided."""

Outcome = Literal["claimed", "fresh", "pending"]
"""How a dispatch ended: an agent has the lead, it went to the fresh bucket, or not yet."""


@attrs.frozen(kw_only=True, repr=False)
class DispatchState(a.Frozen, d.Shown):
    """
    The whole state of one lead's dispatch, as frozen data (RTE-2, RTE-3).

    Build one with :func:`open_dispatch`, then :func:`offer` waves and
    :func:`apply_event` events; each returns a new state. :func:`dispatch` does it all.

    Attributes:
        lead: The lead's id.
        channel: ``digital`` or ``offline``.
        max_waves: Waves before the fresh bucket (``digital_waves`` or ``offline_waves``).
        opened_at: When the lead arrived (the first wave is offered then).
        clock: The time of the latest event applied (``opened_at`` at first); the next
            wave is offered at this moment.
        phase: ``awaiting_wave``, ``offered``, ``claimed`` or ``fresh``.
        waves: The waves offered so far, each in the order drawn; an empty wave means
            nobody was available.
        wave_times: When each wave was offered.
        declined: Agents who declined the lead.
        agent: The agent who got the lead, once claimed.
        decided_at: When the lead was claimed or went to the fresh bucket.
        rejected: Every event rejected so far, with its reason.
        applied: How many events were applied (accepted or rejected).

    """

    lead: str = attrs.field(metadata=a.check(a.ident))
    channel: Channel = attrs.field(metadata=a.check(inp.routed), converter=inp.routed_channel)
    max_waves: int = attrs.field(metadata=a.check(inp.positive_bounded(a.MAX_ITEMS)))
    opened_at: dt.datetime = attrs.field(metadata=a.check(a.aware))
    clock: dt.datetime = attrs.field(metadata=a.check(a.aware))
    phase: Phase = attrs.field(metadata=a.check(inp.phase), default="awaiting_wave")
    waves: tuple[tuple[str, ...], ...] = attrs.field(
        metadata=a.check(a.collection(inp.id_list)), default=(), converter=inp.waves_tuple
    )
    wave_times: tuple[dt.datetime, ...] = attrs.field(
        metadata=a.check(a.collection(a.aware)), default=(), converter=inp.times_tuple
    )
    declined: frozenset[str] = attrs.field(
        metadata=a.check(a.collection(a.ident, frozenset)),
        default=frozenset(),
        converter=a.str_frozenset,
    )
    agent: str | None = attrs.field(metadata=a.check(a.opt_ident), default=None)
    decided_at: dt.datetime | None = attrs.field(metadata=a.check(a.opt_aware), default=None)
    rejected: tuple[Rejection, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Rejection))), default=(), converter=_rejections
    )
    applied: int = attrs.field(metadata=a.check(a.count), default=0)

    def _check_together(self) -> list[Problem]:
        found: list[Problem] = []
        if len(self.wave_times) != len(self.waves):
            found.append(Problem("wave_times", self.wave_times, "must hold one time per wave"))
        if len(self.waves) > self.max_waves:
            found.append(Problem("waves", self.waves, f"must hold at most {self.max_waves}"))
        if (self.phase == "claimed") != (self.agent is not None):
            found.append(Problem("agent", self.agent, "is set exactly when the lead is claimed"))
        if (self.phase in ("claimed", "fresh")) != (self.decided_at is not None):
            found.append(
                Problem("decided_at", self.decided_at, "is set exactly when the lead is decided")
            )
        offered = [agent for wave in self.waves for agent in wave]
        if len(set(offered)) != len(offered):
            found.append(Problem("waves", self.waves, "must never offer an agent twice"))
        return found

    @property
    def outcome(self) -> Outcome:
        """``claimed``, ``fresh`` or ``pending``."""
        if self.phase == "claimed":
            return "claimed"
        if self.phase == "fresh":
            return "fresh"
        return "pending"

    @property
    def current_wave(self) -> tuple[str, ...]:
        """The wave on offer (empty unless the phase is ``offered``)."""
        return self.waves[-1] if self.phase == "offered" else ()

    @property
    def offered(self) -> frozenset[str]:
        """Every agent offered the lead so far."""
        return frozenset(agent for wave in self.waves for agent in wave)

    @property
    def awaiting_wave(self) -> bool:
        """Whether the next wave must be offered before any event applies."""
        return self.phase == "awaiting_wave"

    @property
    def decided(self) -> bool:
        """Whether the lead was claimed or went to the fresh bucket."""
        return self.phase in ("claimed", "fresh")

    def _view(self, rows: int) -> d.View:
        if self.phase == "claimed":
            headline = f"{self.lead!r} claimed by {self.agent!r} in wave {len(self.waves)}"
        elif self.phase == "fresh":
            headline = f"{self.lead!r} to the fresh bucket after {len(self.waves)} waves"
        else:
            headline = f"{self.lead!r} pending ({self.phase.replace('_', ' ')})"
        return d.View(
            "DispatchState",
            headline,
            facts=[
                ("lead", self.lead),
                ("channel", self.channel),
                ("outcome", self.outcome),
                ("agent", self.agent),
                ("opened_at", self.opened_at),
                ("decided_at", self.decided_at),
                ("waves", len(self.waves)),
                ("declined", len(self.declined)),
                ("events_applied", self.applied),
                ("rejected", len(self.rejected)),
            ],
            tables=[
                d.Table(
                    "waves",
                    ("wave", "offered_at", "agents"),
                    [
                        (number, at, wave)
                        for number, (wave, at) in enumerate(
                            zip(self.waves[:rows], self.wave_times, strict=False), 1
                        )
                    ],
                    len(self.waves),
                ),
                d.Table(
                    "rejected_events",
                    ("index", "type", "agent", "at", "reason"),
                    [
                        (r.index, r.event.kind, r.event.agent, r.event.at, r.code)
                        for r in self.rejected[:rows]
                    ],
                    len(self.rejected),
                ),
            ],
        )


_STATE_FIELDS: Final = tuple(field.name for field in attrs.fields(DispatchState))


def _next(state: DispatchState, **changes: object) -> DispatchState:
    """
    Return ``state`` with ``changes``, without validating it again.

    Every transition below builds its changes from a validated state and a validated
    event or wave, and keeps the class's invariants by construction (the stateful test
    re-validates every state it reaches), so checking all fields again on each step
    would only cost time: a simulated day applies a million of them.
    """
    new = object.__new__(DispatchState)
    put = object.__setattr__
    for name in _STATE_FIELDS:
        put(new, name, getattr(state, name))
    for name, value in changes.items():
        put(new, name, value)
    return new


_FRESH_START: Final = MappingProxyType(
    {
        field.name: field.default
        for field in attrs.fields(DispatchState)
        if field.default is not attrs.NOTHING
    }
)


def start(channel: Channel, lead: str, now: dt.datetime, max_waves: int) -> DispatchState:
    """
    Return the state of a dispatch opened at ``now``, from checked arguments.

    The caller has checked ``channel`` (routed), ``lead`` (an id), ``now`` (aware) and
    ``max_waves`` (positive): :func:`leadcore.routing.open_dispatch` and the simulation,
    which checked its arrivals once, up front.
    """
    new = object.__new__(DispatchState)
    for name, value in _FRESH_START.items():
        object.__setattr__(new, name, value)
    for name, value in (
        ("lead", lead),
        ("channel", channel),
        ("max_waves", max_waves),
        ("opened_at", now),
        ("clock", now),
    ):
        object.__setattr__(new, name, value)
    return new


def trusted_event(kind: EventKind, at: dt.datetime, agent: str | None) -> DispatchEvent:
    """Return an event built from checked parts (the simulation's own agents and times)."""
    new = object.__new__(DispatchEvent)
    object.__setattr__(new, "kind", kind)
    object.__setattr__(new, "at", at)
    object.__setattr__(new, "agent", agent)
    return new


def _state(state: DispatchState) -> DispatchState:
    return state


@a.checked
@a.takes_results  # a state of the dispatch, as its step functions give it
def offer(state: DispatchState, wave: Iterable[str]) -> DispatchState:
    """
    Offer the next wave, at the state's ``clock`` (RTE-2, RTE-3).

    An empty wave (nobody available) skips ahead: it counts as a wave that ended at once,
    so the dispatch awaits its next wave, or goes to the fresh bucket after the last one.

    Raises:
        InvalidInput: The state is not awaiting a wave, or the wave repeats an agent
            (within itself or from an earlier wave).

    >>> from datetime import datetime, timezone
    >>> from leadcore.routing import open_dispatch
    >>> state = open_dispatch("offline", "L1", now=datetime(2026, 1, 5, 9, tzinfo=timezone.utc))
    >>> offer(state, ["a1", "a2"]).current_wave
    ('a1', 'a2')
    >>> offer(state, []).outcome
    'fresh'
    """
    state = _state(state)
    agents = inp.ids(wave, "wave")
    if not state.awaiting_wave:
        raise InvalidInput.single(
            "state.phase", state.phase, "must be 'awaiting_wave' to offer a wave"
        )
    offered = state.offered
    seen: set[str] = set()
    for index, agent in enumerate(agents):
        if agent in seen:
            raise InvalidInput.single(f"wave[{index}]", agent, "is listed twice in the wave")
        if agent in offered:
            raise InvalidInput.single(
                f"wave[{index}]", agent, "was offered this lead in an earlier wave (RTE-2)"
            )
        seen.add(agent)
    waves = (*state.waves, agents)
    times = (*state.wave_times, state.clock)
    if agents:
        return _next(state, phase="offered", waves=waves, wave_times=times)
    if len(waves) >= state.max_waves:
        return _next(state, phase="fresh", waves=waves, wave_times=times, decided_at=state.clock)
    return _next(state, waves=waves, wave_times=times)


def _rejection_reason(state: DispatchState, event: DispatchEvent) -> Reason | None:
    """The reason ``event`` is rejected in ``state`` (the rulebook's order), or None."""
    return rejection_reason(
        state.channel,
        state.phase,
        state.agent,
        state.current_wave,
        state.current_wave,
        state.declined,
        event,
    )


def rejection_reason(  # noqa: PLR0917  # the parts of a state the rule reads
    channel: Channel,
    phase: Phase,
    agent: str | None,
    wave: tuple[str, ...],
    in_wave: Container[str | None],
    declined: Container[str | None],
    event: DispatchEvent,
) -> Reason | None:
    """
    The reason ``event`` is rejected (the rulebook's order), or None: the one copy of the rule.

    It reads a dispatch's channel, phase, agent, current ``wave`` (``in_wave`` is the
    same agents, as whatever answers ``in`` fastest) and the agents who ``declined``:
    :func:`apply_event` gives them from a frozen state, :class:`Run` from its own.
    """
    if event.kind not in _ACCEPTED[channel]:
        accepted = sorted(kind.value for kind in _ACCEPTED[channel])
        return DispatchRejection.wrong_event_type.reason(
            {"kind": event.kind.value},
            channel=channel.value,
            accepted=", ".join(accepted),
            kind=event.kind.value,
        )
    if phase == "claimed":
        return DispatchRejection.lead_taken.reason({"agent": agent}, agent=agent)
    if phase == "fresh":
        return DispatchRejection.lead_in_fresh_bucket.reason({})
    if event.kind is EventKind.TIMEOUT:
        return None
    if event.agent not in in_wave:
        return DispatchRejection.not_in_wave.reason(
            {"agent": event.agent, "wave": wave}, agent=event.agent
        )
    if event.agent in declined:
        return DispatchRejection.declined_before.reason({"agent": event.agent}, agent=event.agent)
    return None


def _end_wave(
    state: DispatchState, at: dt.datetime, *, declined: frozenset[str], applied: int
) -> DispatchState:
    """The current wave ends at ``at``: await the next one, or the fresh bucket after the last."""
    if len(state.waves) >= state.max_waves:
        return _next(
            state, phase="fresh", decided_at=at, clock=at, declined=declined, applied=applied
        )
    return _next(state, phase="awaiting_wave", clock=at, declined=declined, applied=applied)


def reject_rest(state: DispatchState, events: Iterable[tuple[int, DispatchEvent]]) -> DispatchState:
    """
    Apply events, in time order, to a decided dispatch: every one is rejected.

    The same as folding :func:`apply_event` over them (a decided dispatch changes only
    its clock, count and rejections), but builds the state once: rebuilding the tuple of
    rejections at every event would be quadratic in a long tail of late events. Its
    callers call it once the dispatch is decided (``state.decided``).
    """
    rejected = list(state.rejected)
    clock, applied = state.clock, state.applied
    for index, event in events:
        reason = _rejection_reason(state, event)
        if reason is None:  # pragma: no cover  # a decided dispatch rejects everything
            msg = "a decided dispatch accepted an event"
            raise AssertionError(msg)
        rejected.append(Rejection(index=index, event=event, reason=reason))
        clock, applied = event.at, applied + 1
    return _next(state, rejected=tuple(rejected), clock=clock, applied=applied)


@a.checked
@a.takes_results  # a state of the dispatch, as its step functions give it
def apply_event(
    state: DispatchState,
    event: DispatchEvent,
    *,
    index: int | None = None,
) -> tuple[DispatchState, Rejection | None]:
    """
    Apply one event to a dispatch: return the new state and the rejection, if any.

    RTE-2, RTE-3: the first valid claim (digital) or answer (offline) from an agent of the
    current wave wins. A decline marks the agent; when every agent of the wave has declined,
    or at a ``timeout``, the wave ends and the next one is awaited, or the lead goes to
    the fresh bucket after the last wave. Rejected, with the first reason that holds:
    ``wrong_event_type`` (digital takes claim/decline/timeout, offline
    answer/decline/timeout), ``lead_taken``, ``lead_in_fresh_bucket``, ``not_in_wave``,
    ``declined_before``.

    Each call returns a new frozen state, so its cost grows with the state (waves,
    declines, rejections so far): to apply a whole list of events, call
    :func:`~leadcore.routing.dispatch`, which gives the same state in linear time.

    Args:
        state: The dispatch so far; not awaiting a wave.
        event: The event, not earlier than ``state.clock``.
        index: The event's position in the caller's list (``state.applied`` if None).

    Raises:
        InvalidInput: The state awaits a wave (offer it first), or the event is earlier
            than the latest event applied (apply events in time order).

    >>> from datetime import datetime, timezone
    >>> from leadcore.routing import open_dispatch
    >>> t = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    >>> state = offer(open_dispatch("digital", "L1", now=t), ["a1", "a2"])
    >>> state, rejection = apply_event(state, DispatchEvent(kind="claim", agent="a3", at=t))
    >>> rejection.code
    'not_in_wave'
    >>> state, rejection = apply_event(state, DispatchEvent(kind="claim", agent="a2", at=t))
    >>> state.outcome, state.agent, rejection
    ('claimed', 'a2', None)
    """
    state = _state(state)
    if state.awaiting_wave:
        raise InvalidInput.single(
            "state.phase", state.phase, "awaits its next wave: offer() it before applying events"
        )
    if event.at < state.clock:
        raise InvalidInput.single(
            "event.at",
            event.at,
            f"is before the latest event applied ({state.clock.isoformat()}); "
            "apply events in time order",
        )
    position = state.applied if index is None else index
    problems = a.count("index", position)
    if problems:
        raise InvalidInput(problems)
    reason = _rejection_reason(state, event)
    clock, applied = event.at, state.applied + 1
    if reason is not None:
        rejection = Rejection(index=position, event=event, reason=reason)
        rejected = (*state.rejected, rejection)
        return _next(state, rejected=rejected, clock=clock, applied=applied), rejection
    if event.kind is EventKind.TIMEOUT:
        return _end_wave(state, clock, declined=state.declined, applied=applied), None
    agent = cast("str", event.agent)
    if event.kind is EventKind.DECLINE:
        declined = state.declined | {agent}
        if declined.issuperset(state.current_wave):
            return _end_wave(state, clock, declined=declined, applied=applied), None
        return _next(state, declined=declined, clock=clock, applied=applied), None
    claimed = _next(
        state, phase="claimed", agent=agent, decided_at=clock, clock=clock, applied=applied
    )
    return claimed, None


class Run:
    """
    A dispatch being run: :func:`offer` and :func:`apply_event` on mutable state (private).

    A fold of those functions copies the state at every step (the waves, the declines, the
    rejections), so a dispatch of many events or waves would cost their square.
    :func:`leadcore.routing.dispatch` runs the same transitions here, on lists and sets
    that grow in place, and freezes the result once: the same :class:`DispatchState` the
    fold returns (the test suite compares the two). Waves come from the dispatch's own
    draws, so they are not checked again; events are checked by the caller.
    """

    __slots__ = (
        "agent",
        "clock",
        "decided_at",
        "declined",
        "in_wave",
        "phase",
        "rejected",
        "start",
        "wave",
        "wave_declines",
        "wave_times",
        "waves",
    )

    def __init__(self, start: DispatchState) -> None:
        # ``start`` is a dispatch just opened (routing.dispatch opens it).
        self.start = start
        self.phase: Phase = start.phase
        self.clock = start.clock
        self.agent: str | None = None
        self.decided_at: dt.datetime | None = None
        self.waves: list[tuple[str, ...]] = []
        self.wave_times: list[dt.datetime] = []
        self.declined: set[str] = set()
        self.rejected: list[Rejection] = []
        self.wave: tuple[str, ...] = ()
        self.in_wave: frozenset[str] = frozenset()
        self.wave_declines = 0

    @property
    def awaiting_wave(self) -> bool:
        """Whether the next wave must be offered (as :attr:`DispatchState.awaiting_wave`)."""
        return self.phase == "awaiting_wave"

    @property
    def decided(self) -> bool:
        """Whether the lead was claimed or went to the fresh bucket."""
        return self.phase in ("claimed", "fresh")

    def offer(self, wave: tuple[str, ...]) -> None:
        """
        Offer a wave of agents drawn by the rules (as :func:`offer`).

        The wave is not empty: an empty draw goes to :meth:`offer_empty_rest`.
        """
        self.waves.append(wave)
        self.wave_times.append(self.clock)
        self.phase = "offered"
        self.wave, self.in_wave, self.wave_declines = wave, frozenset(wave), 0

    def offer_empty_rest(self) -> None:
        """
        Offer an empty wave and every wave left, all empty: nobody is available.

        Nothing can make an agent available before the next event, so each next wave
        drawn now is empty too: they are offered at once, not one draw at a time.
        """
        missing = self.start.max_waves - len(self.waves)
        self.waves.extend(itertools.repeat((), missing))
        self.wave_times.extend(itertools.repeat(self.clock, missing))
        self.phase, self.decided_at = "fresh", self.clock

    def apply(self, event: DispatchEvent, index: int) -> None:
        """Apply an event no earlier than the clock to an offered wave (as :func:`apply_event`)."""
        reason = rejection_reason(
            self.start.channel,
            self.phase,
            self.agent,
            self.wave,
            self.in_wave,
            self.declined,
            event,
        )
        self.clock = event.at
        if reason is not None:
            self.rejected.append(Rejection(index=index, event=event, reason=reason))
        elif event.kind is EventKind.TIMEOUT:
            self._end_wave()
        elif event.kind is EventKind.DECLINE:
            # Not rejected: a member of the wave who had not declined yet.
            self.declined.add(cast("str", event.agent))
            self.wave_declines += 1
            if self.wave_declines == len(self.in_wave):
                self._end_wave()
        else:
            self.phase, self.agent, self.decided_at = "claimed", event.agent, event.at

    def _end_wave(self) -> None:
        if len(self.waves) >= self.start.max_waves:
            self.phase, self.decided_at = "fresh", self.clock
        else:
            self.phase = "awaiting_wave"
        self.wave, self.in_wave = (), frozenset()

    def freeze(self, applied: int) -> DispatchState:
        """Return the state reached, ``applied`` events after the start."""
        return _next(
            self.start,
            phase=self.phase,
            clock=self.clock,
            agent=self.agent,
            decided_at=self.decided_at,
            waves=tuple(self.waves),
            wave_times=tuple(self.wave_times),
            declined=frozenset(self.declined),
            rejected=tuple(self.rejected),
            applied=applied,
        )
