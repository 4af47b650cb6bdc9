"""
Input checks, field checks and converters of the routing rules (no rule logic here).

Every check raises (or returns) :class:`~leadcore.errors.InvalidInput` problems naming the
field path the caller used (``agents[2].id``), so the protocol can prefix ``input.``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from types import MappingProxyType
from typing import Final, cast

from leadcore import _attrs as a
from leadcore._quote import quote_all
from leadcore._routing import rules
from leadcore.decisions import Reason
from leadcore.errors import InvalidInput, Problem
from leadcore.model import Agent, Channel, Claim, Lead


def bounded(limit: int) -> a.Check:
    """Check a whole number from 0 to ``limit`` (GEN-5: no absurd sizes)."""

    def check(path: str, value: object) -> list[Problem]:
        found = a.count(path, value)
        if not found and cast("int", value) > limit:
            return [Problem(path, value, f"must be at most {limit}")]
        return found

    return check


def positive_bounded(limit: int) -> a.Check:
    """Check a whole number from 1 to ``limit``."""
    at_most = bounded(limit)

    def check(path: str, value: object) -> list[Problem]:
        return at_most(path, value) or a.positive(path, value)

    return check


def channel(value: object, path: str) -> Channel:
    """Return a routed channel (digital or offline), or raise naming ``path``."""
    if isinstance(value, str):
        for member in rules.ROUTED_CHANNELS:
            if value == member.value:
                return member
    raise InvalidInput.single(
        path, value, "must be 'digital' or 'offline' (the channels offered to agents in waves)"
    )


def sized(values: Iterable[object], path: str) -> tuple[object, ...]:
    """
    Return ``values`` as a tuple of at most MAX_ITEMS items, or raise naming ``path``.

    GEN-5's limit on lists: @a.checked checks their items' types, not their number.
    """
    found = tuple(values)
    if len(found) > a.MAX_ITEMS:
        raise InvalidInput.single(
            path, f"<{len(found)} items>", f"must hold at most {a.MAX_ITEMS} items"
        )
    return found


def agents(values: Iterable[Agent], path: str) -> tuple[Agent, ...]:
    """The agents (their type checked already) as a tuple: at most MAX_ITEMS, ids unique."""
    found = cast("tuple[Agent, ...]", sized(values, path))
    seen: set[str] = set()
    for index, agent in enumerate(found):
        if agent.id in seen:
            raise InvalidInput.single(
                f"{path}[{index}].id", agent.id, "is listed twice; agent ids must be unique"
            )
        seen.add(agent.id)
    return found


def claims(values: Iterable[Claim], path: str) -> tuple[Claim, ...]:
    """The claims (their type checked already) as a tuple of at most MAX_ITEMS."""
    return cast("tuple[Claim, ...]", sized(values, path))


def ids(values: Iterable[str], path: str) -> tuple[str, ...]:
    """
    Return ``values`` as a tuple of ids, or raise naming the first bad one.

    @a.checked has checked that they are strings; an id is also non-empty and at most
    MAX_TEXT characters, and the list at most MAX_ITEMS long (GEN-5).
    """
    found = cast("tuple[str, ...]", sized(values, path))
    # Fast path for the common case (waves on hot paths); details only when something fails.
    if all(type(v) is str and 0 < len(v) <= a.MAX_TEXT for v in found):
        return found
    raise InvalidInput(a.collection(a.ident)(path, found))


def project(lead: Lead, path: str) -> str:
    if lead.project is None:
        raise InvalidInput.single(
            f"{path}.project", None, "is required: a lead is routed to the agents of its project"
        )
    return lead.project


def id_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return a.to_tuple(value)


def freeze_reasons(value: Mapping[str, Iterable[Reason]]) -> Mapping[str, tuple[Reason, ...]]:
    """Freeze a mapping of agent ids to reasons, sorted by id; hand anything else through."""
    raw: object = value
    if not isinstance(raw, Mapping):
        return cast("Mapping[str, tuple[Reason, ...]]", raw)
    return MappingProxyType({k: a.to_tuple(v) for k, v in sorted(value.items())})


def freeze_times(value: Mapping[str, dt.datetime]) -> Mapping[str, dt.datetime]:
    """Freeze a mapping of agent ids to times, sorted by id; hand anything else through."""
    raw: object = value
    if not isinstance(raw, Mapping):
        return cast("Mapping[str, dt.datetime]", raw)
    return MappingProxyType(dict(sorted(value.items())))


def reason_map(path: str, value: object) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem(path, value, f"must be a mapping, not {type(value).__name__}")]
    found: list[Problem] = []
    for key, reasons in cast("Mapping[object, object]", value).items():
        found.extend(a.ident(f"{path}[{key!r}]", key))
        found.extend(a.collection(a.instance(Reason))(f"{path}[{key!r}]", reasons))
    return found


def time_map(path: str, value: object) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem(path, value, f"must be a mapping, not {type(value).__name__}")]
    found: list[Problem] = []
    for key, when in cast("Mapping[object, object]", value).items():
        found.extend(a.ident(f"{path}[{key!r}]", key))
        found.extend(a.aware(f"{path}[{key!r}]", when))
    return found


def routed(path: str, value: object) -> list[Problem]:
    if value in rules.ROUTED_CHANNELS:
        return []
    return [Problem(path, value, "must be Channel.DIGITAL or Channel.OFFLINE")]


PHASES: Final = ("awaiting_wave", "offered", "claimed", "fresh")


def phase(path: str, value: object) -> list[Problem]:
    if value in PHASES:
        return []
    return [Problem(path, value, f"must be one of {', '.join(map(repr, PHASES))}")]


def waves_tuple(value: Iterable[Iterable[str]]) -> tuple[tuple[str, ...], ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return cast("tuple[tuple[str, ...], ...]", value)
    return tuple(a.to_tuple(w) for w in value)


def times_tuple(value: Iterable[dt.datetime]) -> tuple[dt.datetime, ...]:
    return a.to_tuple(value)


def routed_channel(value: Channel | str) -> Channel:
    """Convert ``"digital"``/``"offline"`` to the member; hand anything else through."""
    for member in rules.ROUTED_CHANNELS:
        if value == member.value:
            return member
    return cast("Channel", value)


def listed(agents: Collection[str]) -> str:
    return quote_all(agents)


def count(value: object, path: str, *, least: int = 0) -> int:
    problems = a.count(path, value) if least == 0 else a.positive(path, value)
    if problems:
        raise InvalidInput(problems)
    return cast("int", value)


id_list = a.collection(a.ident)
