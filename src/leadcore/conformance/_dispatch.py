"""
Replay a ``routing.dispatch`` request with another implementation's waves.

The rulebook leaves the random draw of each wave to the implementation, so two correct
implementations may offer different waves and, through them, reach different outcomes
(an agent who claims is in one's wave, not in the other's). To compare the rest of the
answer, leadcore replays the request's events on the *other implementation's* waves with
its own dispatch steps (:func:`leadcore.routing.open_dispatch`, :func:`~leadcore.routing.offer`,
:func:`~leadcore.routing.apply_event`): whatever is not a random choice must then agree.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from leadcore import _wire
from leadcore.errors import LeadcoreError

__all__ = ["leadcore_replay"]


def _policy(raw: object) -> Any:  # noqa: ANN401  # a RoutingPolicy, imported lazily
    from leadcore.routing import RoutingPolicy  # noqa: PLC0415  # a rule family, loaded late

    base = RoutingPolicy()
    if not isinstance(raw, dict):
        return base
    own = {f.name for f in attrs.fields(RoutingPolicy)}
    return attrs.evolve(base, **{k: v for k, v in raw.items() if k in own})


def leadcore_replay(
    request: Mapping[str, Any], waves: Sequence[Sequence[str]]
) -> dict[str, Any] | str | None:
    """
    Return leadcore's dispatch result for ``request`` when the waves are ``waves``.

    An empty wave (nobody left to offer) may be left out of ``waves``: the result lists
    it, as leadcore does.

    Returns:
        The result object (as ``routing.dispatch`` writes it) when the events use up
        exactly the given waves; a sentence saying how the waves do not fit the events
        (too many or too few); None when the request cannot be replayed (bad input,
        which the error comparison judges instead).

    """
    from leadcore import routing  # noqa: PLC0415  # a rule family, loaded late
    from leadcore._protocol import routing as wire  # noqa: PLC0415

    try:
        data = _wire.Obj.at(copy.deepcopy(request.get("input")), "input")
        now = _wire.parse_datetime(request.get("now"), "now")
        policy = _policy(request.get("policy"))
        channel = data.text("channel")
        lead = _wire.read_lead(data.obj("lead"))
        agents = [_wire.read_agent(o) for o in data.objs("agents")]
        claims = [_wire.read_claim(o) for o in data.objs("claims")]
        events = [wire.read_event(o) for o in data.objs("events")]
        eligibility = routing.eligible(
            channel,
            lead,
            agents,
            claims,
            now=now,
            timezone=data.opt_text("timezone"),
            policy=policy,
        )
        eligible = {*eligibility.preferred, *eligibility.fallback}
        state = routing.open_dispatch(channel, lead.id, now=now, policy=policy)
        given = [tuple(w) for w in waves]
        offered: set[str] = set()
        used = 0

        def fill(state: routing.DispatchState) -> routing.DispatchState | str:
            nonlocal used
            while state.awaiting_wave:
                if not eligible - offered and (used >= len(given) or given[used]):
                    # Nobody is left: the wave is empty and skips ahead (RTE-2), whether
                    # the answer lists it as [] or leaves it out.
                    state = routing.offer(state, ())
                    continue
                if used >= len(given):
                    return (
                        f"the events call for wave {used + 1}, but the answer offers "
                        f"only {len(given)}"
                    )
                state = routing.offer(state, given[used])
                offered.update(given[used])
                used += 1
            return state

        filled = fill(state)
        for index, event in sorted(enumerate(events), key=lambda pair: pair[1].at):
            if isinstance(filled, str):
                return filled
            filled, _ = routing.apply_event(filled, event, index=index)
            filled = fill(filled)
        if isinstance(filled, str):
            return filled
        if used < len(given):
            return (
                f"the answer offers {len(given)} waves, but with its waves and these events "
                f"leadcore offers {used}"
            )
        result: dict[str, Any] = wire.write_state(filled)
    except (LeadcoreError, ValueError, TypeError):
        return None
    return result
