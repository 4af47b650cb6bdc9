"""
The dispatch of one lead (leadcore._routing.dispatch) pinned down in full.

Every rejection reason with its facts, every problem a state, a wave or an event is
refused with, and how a state shows itself. Each test kills mutants of
_routing/dispatch.py that the rule tests let survive (mutation testing, issue 20:
``python3 dev.py mutate _routing.dispatch``).
"""

from __future__ import annotations

import datetime as dt

import pytest

from leadcore import _display, routing
from leadcore._routing import dispatch
from leadcore.model import Channel
from leadcore.routing import DispatchEvent, DispatchState

from .asserts import explained, problems

T = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
M = dt.timedelta(minutes=1)
OPENED = routing.open_dispatch("offline", "L1", now=T)
OFFERED = dispatch.offer(OPENED, ["a1", "a2"])


def event(kind: str, agent: str | None, minutes: int) -> DispatchEvent:
    """An event ``minutes`` after T."""
    return DispatchEvent(kind=kind, agent=agent, at=T + minutes * M)


class TestRejections:
    """RTE-2, RTE-3: the first reason that holds, with its facts; the event counted."""

    def test_wrong_type_and_not_in_wave(self) -> None:
        """An offline lead is answered, not claimed; only the wave may answer."""
        _, wrong = dispatch.apply_event(OFFERED, event("claim", "a1", 0))
        _, stranger = dispatch.apply_event(OFFERED, event("answer", "zz", 0))

        assert wrong is not None
        assert stranger is not None
        assert explained([wrong.reason, stranger.reason]) == [
            (
                "wrong_event_type",
                "offline leads take answer, decline, timeout events, not claim",
                {"kind": "claim"},
            ),
            (
                "not_in_wave",
                "agent 'zz' is not in the current wave",
                {"agent": "zz", "wave": ("a1", "a2")},
            ),
        ]
        assert (wrong.index, wrong.code) == (0, "wrong_event_type")

    def test_declined_before_counts_the_event(self) -> None:
        """A rejected event still moves the clock and the count; its index is kept."""
        once, _ = dispatch.apply_event(OFFERED, event("decline", "a1", 1))

        after, rejection = dispatch.apply_event(once, event("answer", "a1", 2), index=7)

        assert rejection is not None
        assert explained([rejection.reason]) == [
            ("declined_before", "agent 'a1' declined this lead", {"agent": "a1"})
        ]
        assert (rejection.index, after.applied, after.clock, after.phase) == (
            7,
            2,
            T + 2 * M,
            "offered",
        )
        assert after.rejected == (rejection,)

    def test_decided_leads_reject_everything(self) -> None:
        """Taken by an agent, or gone to the fresh bucket."""
        taken, _ = dispatch.apply_event(OFFERED, event("answer", "a2", 1))
        once, _ = dispatch.apply_event(OFFERED, event("decline", "a1", 1))
        fresh, _ = dispatch.apply_event(once, event("decline", "a2", 2))

        _, late = dispatch.apply_event(taken, event("answer", "a1", 2))
        _, later = dispatch.apply_event(fresh, event("answer", "a2", 3))

        assert (taken.outcome, taken.agent, taken.decided_at) == ("claimed", "a2", T + M)
        assert (fresh.outcome, fresh.decided_at, fresh.declined) == (
            "fresh",
            T + 2 * M,
            frozenset({"a1", "a2"}),
        )
        assert late is not None
        assert later is not None
        assert explained([late.reason, later.reason]) == [
            ("lead_taken", "the lead was already claimed by 'a2'", {"agent": "a2"}),
            ("lead_in_fresh_bucket", "the lead already went to the fresh bucket", {}),
        ]

    def test_a_decline_short_of_the_whole_wave_keeps_it_open(self) -> None:
        """The wave ends when every agent of it declined, or at a time-out."""
        once, rejection = dispatch.apply_event(OFFERED, event("decline", "a1", 1))
        timed_out, _ = dispatch.apply_event(OFFERED, event("timeout", None, 1))

        assert (once.phase, once.declined, rejection) == ("offered", frozenset({"a1"}), None)
        assert (timed_out.phase, timed_out.decided_at) == ("fresh", T + M)
        digital = dispatch.offer(routing.open_dispatch("digital", "L1", now=T), ["a1"])
        next_wave, _ = dispatch.apply_event(digital, event("timeout", None, 1))
        assert (next_wave.phase, next_wave.clock, next_wave.decided_at) == (
            "awaiting_wave",
            T + M,
            None,
        )


class TestRefusals:
    """What offer and apply_event refuse, by path and value."""

    def test_offer(self) -> None:
        """Only a state awaiting a wave; no agent twice, in the wave or across waves."""
        digital = routing.open_dispatch("digital", "L1", now=T)
        again = dispatch.apply_event(dispatch.offer(digital, ["a1"]), event("timeout", None, 1))[0]

        assert problems(dispatch.offer, OFFERED, ["a3"]) == [
            ("state.phase", "offered", "must be 'awaiting_wave' to offer a wave")
        ]
        assert problems(dispatch.offer, OPENED, ["a1", "a2", "a1"]) == [
            ("wave[2]", "a1", "is listed twice in the wave")
        ]
        assert problems(dispatch.offer, again, ["a2", "a1"]) == [
            ("wave[1]", "a1", "was offered this lead in an earlier wave (RTE-2)")
        ]
        assert problems(dispatch.offer, 3, []) == [("state", 3, "must be a DispatchState, not int")]

    def test_apply_event(self) -> None:
        """Offer first; events in time order; a whole index; a real event."""
        assert problems(dispatch.apply_event, OPENED, event("timeout", None, 0)) == [
            (
                "state.phase",
                "awaiting_wave",
                "awaits its next wave: offer() it before applying events",
            )
        ]
        assert problems(dispatch.apply_event, OFFERED, event("timeout", None, -1)) == [
            (
                "event.at",
                T - M,
                (
                    "is before the latest event applied (2026-01-05T09:00:00+00:00); apply "
                    "events in time order"
                ),
            )
        ]
        assert problems(dispatch.apply_event, OFFERED, event("timeout", None, 0), index=-1) == [
            ("index", -1, "must not be negative")
        ]
        assert problems(dispatch.apply_event, OFFERED, "e") == [
            ("event", "e", "must be a DispatchEvent, not str")
        ]

    def test_an_event_needs_its_agent(self) -> None:
        """Every kind but a time-out names its agent."""
        assert problems(DispatchEvent, kind="decline", at=T) == [
            ("agent", None, "is required for a decline event")
        ]
        assert DispatchEvent(kind="timeout", at=T).agent is None

    def test_an_inconsistent_state(self) -> None:
        """Every invariant of a state, each by field."""
        found = problems(
            DispatchState,
            lead="L",
            channel="digital",
            max_waves=1,
            opened_at=T,
            clock=T,
            phase="claimed",
            waves=[["a"], ["a"]],
            wave_times=[T],
        )

        assert found == [
            ("wave_times", (T,), "must hold one time per wave"),
            ("waves", (("a",), ("a",)), "must hold at most 1"),
            ("agent", None, "is set exactly when the lead is claimed"),
            ("decided_at", None, "is set exactly when the lead is decided"),
            ("waves", (("a",), ("a",)), "must never offer an agent twice"),
        ]
        assert problems(
            DispatchState,
            lead="L",
            channel="digital",
            max_waves=1,
            opened_at=T,
            clock=T,
            phase="fresh",
        ) == [("decided_at", None, "is set exactly when the lead is decided")]


class TestState:
    """What a state says of itself."""

    def test_properties(self) -> None:
        """Outcome, current wave, offered agents; channel given by value."""
        assert (OPENED.outcome, OPENED.current_wave, OPENED.awaiting_wave, OPENED.decided) == (
            "pending",
            (),
            True,
            False,
        )
        assert (OFFERED.current_wave, OFFERED.offered, OFFERED.awaiting_wave) == (
            ("a1", "a2"),
            frozenset({"a1", "a2"}),
            False,
        )
        assert OPENED.channel is Channel.OFFLINE
        assert dispatch.offer(OPENED, []).decided

    @pytest.mark.parametrize(
        ("state", "headline"),
        [
            (OFFERED, "'L1' pending (offered)"),
            (OPENED, "'L1' pending (awaiting wave)"),
            (dispatch.offer(OPENED, []), "'L1' to the fresh bucket after 1 waves"),
        ],
    )
    def test_headlines(self, state: DispatchState, headline: str) -> None:
        """Pending with its phase in words, or decided."""
        assert state._view(1).headline == headline

    def test_shown(self) -> None:
        """The facts, then the first waves and rejected events."""
        digital = routing.open_dispatch(
            "digital", "L1", now=T, policy=routing.RoutingPolicy(digital_waves=3)
        )
        state = dispatch.offer(digital, ["a1"])
        state = dispatch.apply_event(state, event("timeout", None, 1))[0]
        state = dispatch.offer(state, ["a2"])
        state = dispatch.apply_event(state, event("answer", "a2", 2))[0]
        state = dispatch.apply_event(state, event("claim", "a3", 3))[0]
        state = dispatch.apply_event(state, event("claim", "a2", 4))[0]
        state = dispatch.apply_event(state, event("claim", "a1", 5))[0]

        assert state._view(1) == _display.View(
            "DispatchState",
            "'L1' claimed by 'a2' in wave 2",
            facts=[
                ("lead", "L1"),
                ("channel", Channel.DIGITAL),
                ("outcome", "claimed"),
                ("agent", "a2"),
                ("opened_at", T),
                ("decided_at", T + 4 * M),
                ("waves", 2),
                ("declined", 0),
                ("events_applied", 5),
                ("rejected", 3),
            ],
            tables=[
                _display.Table("waves", ("wave", "offered_at", "agents"), [(1, T, ("a1",))], 2),
                _display.Table(
                    "rejected_events",
                    ("index", "type", "agent", "at", "reason"),
                    [(1, dispatch.EventKind.ANSWER, "a2", T + 2 * M, "wrong_event_type")],
                    3,
                ),
            ],
        )


def test_the_clock_follows_the_deciding_event() -> None:
    """A claim, or the time-out of the last wave, moves the clock to its moment."""
    claimed, _ = dispatch.apply_event(OFFERED, event("answer", "a1", 3))
    fresh, _ = dispatch.apply_event(OFFERED, event("timeout", None, 4))

    assert (claimed.clock, claimed.decided_at, claimed.applied) == (T + 3 * M, T + 3 * M, 1)
    assert (fresh.clock, fresh.decided_at, fresh.applied) == (T + 4 * M, T + 4 * M, 1)


def test_invariants_name_the_value_that_breaks_them() -> None:
    """An agent without a claim; a decision time without a decision."""
    assert problems(
        DispatchState,
        lead="L",
        channel="digital",
        max_waves=1,
        opened_at=T,
        clock=T,
        agent="a1",
        decided_at=T,
    ) == [
        ("agent", "a1", "is set exactly when the lead is claimed"),
        ("decided_at", T, "is set exactly when the lead is decided"),
    ]


def test_offer_names_a_bad_agent_of_the_wave() -> None:
    """An empty id: @checked checks that ids are strings, offer that they are ids."""
    assert problems(dispatch.offer, OPENED, ["a1", ""]) == [
        ("wave[1]", "", "must be a non-empty id")
    ]


def test_a_trusted_event_is_the_event_built_from_its_parts() -> None:
    """The simulation's shortcut gives the same event as the checked constructor."""
    built = dispatch.trusted_event(dispatch.EventKind.CLAIM, T, "a1")

    assert built == DispatchEvent(kind="claim", at=T, agent="a1")
    assert (built.kind, built.at, built.agent) == (dispatch.EventKind.CLAIM, T, "a1")
