"""
Incremental eligibility and draws: the same waves as the rules, without rescans.

Two users. :func:`leadcore.routing.dispatch` draws the waves of one lead from
:class:`Offers` (the agents not offered yet, kept up to date wave after wave, so that
100,000 waves or agents cost linear time, GEN-5). The simulation keeps a
:class:`Pool` per project and channel, across leads.

:func:`leadcore.routing.eligible` looks at every agent and every claim for each lead; over
a day of 100,000 leads and 1,000 agents that is 10^8 checks. A :class:`Pool` keeps the
result of :func:`~leadcore.routing.eligible` for one project and channel up to date as
claims come in and time passes:

* preferred agents in a list sorted by id (the population :func:`rules.draw` samples);
* cooling-down agents in a list sorted by :func:`rules.round_robin_key`;
* for digital, a heap of the moments cool-downs may end; for offline, the current day.

The heap and the day are only an index of *when to look again*: whether an agent cools
down is always decided by :func:`rules.cooling`, the rules' own predicate, and waves are
drawn by :func:`rules.draw`, so the pool cannot disagree with the plain functions. The
simulation's ``cross_check`` option (and the test suite) compares the two on every lead.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
import random
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from typing import overload

from leadcore._routing import rules
from leadcore.model import Channel


class Pool:
    """Eligible agents of one project for one channel, kept up to date (mutable, private)."""

    __slots__ = (
        "channel",
        "cooldown",
        "cooled",
        "day",
        "eligible",
        "expiry",
        "preferred",
        "round_robin",
        "tz",
    )

    def __init__(
        self,
        channel: Channel,
        eligible: Iterable[str],
        *,
        tz: dt.tzinfo,
        cooldown: dt.timedelta,
    ) -> None:
        self.channel = channel
        self.tz = tz
        self.cooldown = cooldown
        self.eligible = frozenset(eligible)
        # Nobody has claimed yet: claims (history included) arrive through claim().
        self.preferred: list[str] = sorted(self.eligible)
        self.round_robin: list[tuple[dt.datetime, str]] = []
        self.cooled: dict[str, tuple[dt.datetime, str]] = {}
        self.expiry: list[tuple[dt.datetime, str]] = []
        self.day: dt.date | None = None

    def claim(self, agent: str, at: dt.datetime, now: dt.datetime) -> None:
        """Record ``agent``'s claim at ``at`` (claims arrive in time order, ``at <= now``)."""
        if agent not in self.eligible:
            return
        old = self.cooled.get(agent)
        if old is None:
            if not rules.cooling(self.channel, at, now, tz=self.tz, cooldown=self.cooldown):
                return
            del self.preferred[bisect.bisect_left(self.preferred, agent)]
        else:
            del self.round_robin[bisect.bisect_left(self.round_robin, old)]
        key = rules.round_robin_key(at, agent)
        bisect.insort(self.round_robin, key)
        self.cooled[agent] = key
        if self.channel is Channel.DIGITAL:
            heapq.heappush(self.expiry, (at + self.cooldown, agent))

    def _release(self, agent: str) -> None:
        key = self.cooled.pop(agent)
        del self.round_robin[bisect.bisect_left(self.round_robin, key)]
        bisect.insort(self.preferred, agent)

    def advance(self, now: dt.datetime) -> None:
        """Bring the pool to ``now``: agents whose cool-down ended become preferred again."""
        channel, tz, cooldown = self.channel, self.tz, self.cooldown
        if channel is Channel.DIGITAL:
            expiry = self.expiry
            while expiry and expiry[0][0] <= now:
                _, agent = heapq.heappop(expiry)
                key = self.cooled.get(agent)
                if key is not None and not rules.cooling(
                    channel, key[0], now, tz=tz, cooldown=cooldown
                ):
                    self._release(agent)
            return
        day = now.astimezone(tz).date()
        if day != self.day:
            self.day = day
            for agent, key in list(self.cooled.items()):
                if not rules.cooling(channel, key[0], now, tz=tz, cooldown=cooldown):
                    self._release(agent)

    def snapshot(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return (preferred sorted, fallback in round-robin order), as ``eligible`` would."""
        return tuple(self.preferred), tuple(agent for _, agent in self.round_robin)

    def draw(
        self, offered: AbstractSet[str], wave_size: int, rng: random.Random
    ) -> tuple[str, ...]:
        """Draw the next wave, excluding ``offered``, exactly as ``routing.next_wave`` does."""
        preferred = self.preferred
        removed = []
        for agent in offered:
            index = bisect.bisect_left(preferred, agent)
            if index < len(preferred) and preferred[index] == agent:
                del preferred[index]
                removed.append(agent)
        try:
            cooled = self.cooled
            fallback_count = len(self.round_robin) - sum(1 for a in offered if a in cooled)
            size = min(wave_size, len(preferred) + fallback_count)
            fallback = (agent for _, agent in self.round_robin if agent not in offered)
            return rules.draw(preferred, fallback, size, rng)
        finally:
            for agent in removed:
                bisect.insort(preferred, agent)


class Remaining(Sequence[str]):
    """
    The items of a list not yet removed, in their order, indexable by rank (mutable, private).

    A Fenwick tree counts the items left, so ``remaining[rank]`` and :meth:`remove` cost
    ``log n`` instead of the ``n`` of rebuilding or deleting from a list. It is a real
    :class:`~collections.abc.Sequence` with the same items, length and order as the list
    of survivors, so :func:`rules.draw` (``rng.sample``) draws from it exactly what it
    draws from that list. When fewer than half the items are left it packs itself again,
    so iterating costs the items left, not the items given.
    """

    __slots__ = ("_alive", "_items", "_left", "_top", "_tree", "_where")

    def __init__(self, items: Iterable[str]) -> None:
        self._pack(list(items))

    def _pack(self, items: list[str]) -> None:
        size = len(items)
        tree = [0] * (size + 1)
        for position in range(1, size + 1):
            tree[position] += 1
            parent = position + (position & -position)
            if parent <= size:
                tree[parent] += tree[position]
        self._items = items
        self._alive = bytearray(b"\x01") * size
        self._where = {item: index for index, item in enumerate(items)}
        self._tree = tree
        self._left = size
        self._top = 1 << (size.bit_length() - 1) if size else 0

    def __len__(self) -> int:
        return self._left

    @overload
    def __getitem__(self, rank: int) -> str: ...

    @overload
    def __getitem__(self, rank: slice) -> Sequence[str]: ...

    def __getitem__(self, rank: int | slice) -> str | Sequence[str]:
        if isinstance(rank, slice):
            return list(self)[rank]
        if rank < 0:
            rank += self._left
        if not 0 <= rank < self._left:
            msg = "Remaining index out of range"
            raise IndexError(msg)
        # The first position whose count of items left, up to and including it, is rank + 1.
        tree, size = self._tree, len(self._items)
        position, step = 0, self._top
        while step:
            candidate = position + step
            if candidate <= size and tree[candidate] <= rank:
                position = candidate
                rank -= tree[candidate]
            step >>= 1
        return self._items[position]

    def __iter__(self) -> Iterator[str]:
        return itertools.compress(self._items, self._alive)

    def __contains__(self, item: object) -> bool:
        index = self._where.get(item) if isinstance(item, str) else None
        return index is not None and bool(self._alive[index])

    def remove(self, item: str) -> None:
        """Remove ``item`` (it must be left)."""
        index = self._where[item]
        if not self._alive[index]:
            msg = f"{item!r} was removed already"
            raise ValueError(msg)
        self._alive[index] = 0
        self._left -= 1
        tree, size = self._tree, len(self._items)
        position = index + 1
        while position <= size:
            tree[position] -= 1
            position += position & -position
        if self._left * 2 < size:
            self._pack(list(self))


class Offers:
    """
    The agents still available to one dispatch, drawn wave after wave (mutable, private).

    :func:`leadcore.routing.next_wave` filters the whole eligibility against everyone
    offered before at every wave, which makes a dispatch of many waves over many agents
    quadratic. Here the preferred agents left are a :class:`Remaining` (the drawn ones
    are removed), and the cooled-down agents left are a suffix of the round-robin order:
    the rules take them from its front, so the ones offered are always its first ones.
    Each wave is drawn by :func:`rules.draw` from exactly the lists ``next_wave`` would
    build, so the same generator state gives the same waves.
    """

    __slots__ = ("_fallback", "_next_fallback", "_preferred")

    def __init__(self, preferred: Iterable[str], fallback: Sequence[str]) -> None:
        self._preferred = Remaining(preferred)
        self._fallback = fallback
        self._next_fallback = 0

    def draw(self, wave_size: int, rng: random.Random) -> tuple[str, ...]:
        """Draw the next wave, as ``next_wave`` given every agent drawn before."""
        preferred, start = self._preferred, self._next_fallback
        size = min(wave_size, len(preferred) + len(self._fallback) - start)
        wave = rules.draw(preferred, self._fallback[start : start + size], size, rng)
        taken = min(size, len(preferred))
        if taken == len(preferred):
            self._preferred = Remaining(())
        else:
            for agent in wave[:taken]:
                preferred.remove(agent)
        self._next_fallback = start + size - taken
        return wave
