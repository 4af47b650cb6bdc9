"""
The small routing rules that both :mod:`leadcore.routing` and the simulation's fast path use.

There is one copy of each rule, here: the time zone lookup, the cool-down predicate
(RTE-5), the round-robin order of cooled-down agents (RTE-5) and the draw of a wave from
the agents available (RTE-2, RTE-3, RTE-4). :mod:`leadcore.routing` applies them to whole
lists; :mod:`leadcore._routing.fast` keeps the same lists up to date incrementally and calls
the same functions, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from types import MappingProxyType
from typing import Final

from leadcore.decisions import Reason
from leadcore.errors import InvalidInput, Problem
from leadcore.model import Agent, Channel
from leadcore.reasons import Diagnose, Eligible, ReasonCode

ROUTED_CHANNELS: Final = (Channel.DIGITAL, Channel.OFFLINE)
"""The channels whose leads are offered to agents in waves (RTE-2, RTE-3)."""


@functools.cache
def _zone_names() -> frozenset[str]:
    # The names of the bundled tzdata package (a dependency), not whatever the machine has:
    # "localtime" and friends would make answers depend on the host.
    text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(text.split())


def zone_problem(path: str, value: object) -> list[Problem]:
    """Check an IANA time zone name (``Asia/Kolkata``, ``UTC``)."""
    if isinstance(value, str) and value in _zone_names():
        return []
    return [
        Problem(
            path=path,
            value=value,
            message="must be an IANA time zone name such as 'UTC' or 'Asia/Kolkata'",
        )
    ]


@functools.cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def zone(name: str, path: str) -> zoneinfo.ZoneInfo:
    """
    Return the time zone called ``name``.

    Raises:
        InvalidInput: ``name`` is not an IANA name of the bundled tz database.

    """
    problems = zone_problem(path, name)
    if problems:
        raise InvalidInput(problems)
    return _zone(name)


def cooling(
    channel: Channel,
    last_claim: dt.datetime | None,
    now: dt.datetime,
    *,
    tz: dt.tzinfo,
    cooldown: dt.timedelta,
) -> bool:
    """
    Return whether an agent whose latest claim (at or before ``now``) is ``last_claim`` cools down.

    RTE-5: digital, a claim with ``0 <= now - at < cooldown``; offline, a claim on the same
    calendar day as ``now`` in ``tz``. The latest claim decides both: if any claim up to
    ``now`` is in the window (or on the day), the latest one is.
    """
    if last_claim is None:
        return False
    if channel is Channel.DIGITAL:
        return dt.timedelta(0) <= now - last_claim < cooldown
    return last_claim <= now and last_claim.astimezone(tz).date() == now.astimezone(tz).date()


def round_robin_key(last_claim: dt.datetime, agent: str) -> tuple[dt.datetime, str]:
    """Order of cooled-down agents: oldest last claim first, ties by agent id (RTE-5)."""
    return (last_claim, agent)


def draw(
    preferred: Sequence[str],
    fallback: Iterable[str],
    size: int,
    rng: random.Random,
) -> tuple[str, ...]:
    """
    Draw a wave of ``size`` agents: preferred ones at random first, then the fallback in order.

    ``preferred`` is the available preferred agents sorted by id, ``fallback`` the available
    cooled-down agents in round-robin order, and ``size`` is ``min(wave_size, available)``
    (RTE-2, RTE-3, RTE-5). The random draw is ``rng.sample`` over the sorted preferred
    agents, so the same list and the same generator state give the same wave.
    """
    if len(preferred) >= size:
        return tuple(rng.sample(preferred, size))
    head = rng.sample(preferred, len(preferred))
    return (*head, *itertools.islice(fallback, size - len(preferred)))


# -- RTE-4 and RTE-8: the agent's switches ------------------------------------------------

Switch = tuple[ReasonCode, str]
"""A reason code and the agent's switch (attribute) that gives it when off."""

# RTE-4 lists app status, then lead flow; RTE-8 (the product's troubleshooting list) lists
# lead flow first. Reasons follow the order of the rule that gives them (the rulebook
# "Conventions"), so the two orders differ on purpose.
ELIGIBILITY_ORDER: Final[Mapping[Channel, tuple[Switch, ...]]] = MappingProxyType(
    {
        Channel.DIGITAL: (
            (Eligible.inactive, "active"),
            (Eligible.lead_flow_off, "lead_flow"),
            (Eligible.battery_optimization_on, "battery_optimization_disabled"),
            (Eligible.autorun_off, "autorun_enabled"),
        ),
        Channel.OFFLINE: (
            (Eligible.inactive, "active"),
            (Eligible.lead_flow_off, "lead_flow"),
            (Eligible.network_problem, "network_ok"),
        ),
    }
)


DIAGNOSIS_ORDER: Final[Mapping[Channel, tuple[Switch, ...]]] = MappingProxyType(
    {
        Channel.DIGITAL: (
            (Diagnose.lead_flow_off, "lead_flow"),
            (Diagnose.inactive, "active"),
            (Diagnose.battery_optimization_on, "battery_optimization_disabled"),
            (Diagnose.autorun_off, "autorun_enabled"),
        ),
        Channel.OFFLINE: (
            (Diagnose.lead_flow_off, "lead_flow"),
            (Diagnose.inactive, "active"),
            (Diagnose.network_problem, "network_ok"),
        ),
    }
)


def switch_reasons(agent: Agent, order: tuple[Switch, ...]) -> list[Reason]:
    found = []
    for code, attribute in order:
        if not getattr(agent, attribute):
            found.append(code.reason({"agent": agent.id, attribute: False}))
    return found


def ineligibility(agent: Agent, channel: Channel, project: str) -> list[Reason]:
    found = []
    if agent.project != project:
        found.append(
            Eligible.wrong_project.reason(
                {"agent": agent.id, "agent_project": agent.project, "lead_project": project},
                agent_project=agent.project,
                lead_project=project,
            )
        )
    found.extend(switch_reasons(agent, ELIGIBILITY_ORDER[channel]))
    return found
