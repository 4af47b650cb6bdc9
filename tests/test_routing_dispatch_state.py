"""
``DispatchState`` as a value (RTE-2): its invariants and how it reads in a notebook.

A state built by hand (as the protocol's readers and the conformance toolkit do) is
checked like any frozen class: no agent offered twice, no more waves than the policy's.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from leadcore import routing
from leadcore.errors import InvalidInput
from leadcore.routing import DispatchEvent

NOW = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
OPENED = routing.open_dispatch("digital", "L1", now=NOW)


def test_a_claimed_dispatch_reads_as_claimed_by_its_agent() -> None:
    """The headline names the lead, the agent and the wave."""
    offered = routing.offer(OPENED, ["a1", "a2"])

    claimed, _ = routing.apply_event(offered, DispatchEvent(kind="claim", agent="a2", at=NOW))

    assert repr(claimed).splitlines()[0] == "<DispatchState: 'L1' claimed by 'a2' in wave 1>"


def test_a_dispatch_with_no_one_to_offer_goes_fresh_after_its_waves() -> None:
    """Two empty waves (max_waves 2): the fresh bucket, said so in the headline."""
    once = routing.offer(OPENED, [])

    twice = routing.offer(once, [])

    assert (once.phase, twice.phase, twice.outcome) == ("awaiting_wave", "fresh", "fresh")
    assert repr(twice).splitlines()[0] == "<DispatchState: 'L1' to the fresh bucket after 2 waves>"


@pytest.mark.parametrize(
    ("waves", "message"),
    [
        ((("a1",), ("a1",)), "must never offer an agent twice"),
        ((("a1",), ("a2",), ("a3",)), "must hold at most 2"),
    ],
)
def test_a_state_built_by_hand_keeps_the_invariants(
    waves: tuple[tuple[str, ...], ...], message: str
) -> None:
    """An agent in two waves, or more waves than max_waves: refused at ``waves``."""
    with pytest.raises(InvalidInput) as caught:
        attrs.evolve(OPENED, waves=waves, wave_times=(NOW,) * len(waves))

    assert [(p.path, p.message) for p in caught.value.problems] == [("waves", message)]
