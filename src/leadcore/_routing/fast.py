"""
Incremental eligibility for the simulation: the same waves as the rules, without rescans.

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
import random
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

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
