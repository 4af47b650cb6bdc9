"""
The routing fast path (leadcore._routing.fast) checked against the plain rules.

:class:`Remaining` is a real sequence of the items left; :class:`Offers` draws the waves
``next_wave`` draws; :class:`Pool` keeps ``eligible``'s groups as claims come and time
passes, at the boundaries of the cool-down. Each test kills mutants of _routing/fast.py
that the rule tests let survive (mutation testing, issue 20:
``python3 dev.py mutate _routing.fast``).
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

import pytest

from leadcore import routing
from leadcore._routing import fast
from leadcore.model import Agent, Channel, Claim, Lead
from leadcore.routing import Eligibility, RoutingPolicy

from .helpers import NOW

MINUTE = dt.timedelta(minutes=1)
TEN = 10 * MINUTE
KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")


class TestRemaining:
    """A sequence of the items not removed, in order."""

    def test_indexing_slicing_and_bounds(self) -> None:
        """Ranks from the front and the back; slices; an exact IndexError at the ends."""
        left = fast.Remaining(["a", "b", "c", "d", "e", "f", "g", "h"])
        left.remove("c")

        assert [left[i] for i in range(len(left))] == ["a", "b", "d", "e", "f", "g", "h"]
        assert (left[-1], left[-7]) == ("h", "a")
        assert left[1:3] == ["b", "d"]
        for rank in (7, -8):
            with pytest.raises(IndexError, match=r"^Remaining index out of range$"):
                left[rank]

    def test_membership_and_removal(self) -> None:
        """Only items left are in it; an item is removed once."""
        left = fast.Remaining(["a", "b"])
        left.remove("a")

        junk: object = 3
        unhashable: object = ["b"]
        assert ("a" in left, "b" in left, junk in left, "z" in left) == (False, True, False, False)
        # As a list answers: an unhashable object is simply not in it (no TypeError).
        assert unhashable not in left
        with pytest.raises(ValueError, match=r"^'a' was removed already$"):
            left.remove("a")

    def test_it_packs_itself_and_stays_the_same_sequence(self) -> None:
        """Removing most items keeps order, length and ranks right."""
        items = [f"x{i:02}" for i in range(20)]
        left = fast.Remaining(items)
        for item in items[::2] + items[1:15:2]:
            left.remove(item)

        assert list(left) == items[15::2]
        assert [left[i] for i in range(len(left))] == items[15::2]
        assert len(left) == 3

    def test_it_packs_when_fewer_than_half_are_left(self) -> None:
        """Iterating costs the items left: packed once fewer than half remain, not before."""
        items = [f"x{i:02}" for i in range(20)]
        left = fast.Remaining(items)
        for item in items[:10]:
            left.remove(item)
        # Ten of twenty left: exactly half, not fewer, so nothing is packed yet.
        assert (len(left), len(left._items)) == (10, 20)

        left.remove(items[10])

        assert (len(left), len(left._items)) == (9, 9)
        assert list(left) == items[11:]


class TestOffers:
    """Wave after wave, the waves next_wave draws from the same generator."""

    @pytest.mark.parametrize(
        ("preferred", "fallback", "size"), [(3, 4, 2), (5, 0, 2), (1, 6, 3), (0, 5, 2)]
    )
    def test_the_same_waves_as_next_wave(self, preferred: int, fallback: int, size: int) -> None:
        """Until nobody is left, each wave equals next_wave's given everyone offered."""
        elig = Eligibility(
            channel="digital",
            preferred=tuple(f"p{i}" for i in range(preferred)),
            fallback=tuple(f"f{i}" for i in range(fallback)),
        )
        policy = RoutingPolicy(wave_size=size)
        offers = fast.Offers(elig.preferred, elig.fallback)
        mine, theirs = random.Random(5), random.Random(5)
        offered: list[str] = []
        while True:
            wave = offers.draw(size, mine)
            assert wave == routing.next_wave(elig, offered, rng=theirs, policy=policy)
            if not wave:
                break
            offered.extend(wave)
        assert sorted(offered) == sorted(elig.preferred + elig.fallback)


class TestPool:
    """A pool's groups are eligible's groups, claim after claim and minute after minute."""

    AGENTS = tuple(Agent(id=f"a{i}", project="p") for i in range(4))

    def groups(
        self, channel: str, claims: list[Claim], now: dt.datetime, tz: str = "UTC"
    ) -> tuple[object, ...]:
        """What eligible says."""
        found = routing.eligible(
            channel, Lead(id="L", project="p"), self.AGENTS, claims, now=now, timezone=tz
        )
        return found.preferred, found.fallback

    def test_digital_cool_downs_end_at_the_minute(self) -> None:
        """RTE-5: preferred again exactly ten minutes after the claim."""
        pool = fast.Pool(Channel.DIGITAL, ["a0", "a1", "a2", "a3"], tz=dt.UTC, cooldown=TEN)
        claims = [
            Claim(agent="a1", at=NOW),
            Claim(agent="zz", at=NOW),
            Claim(agent="a2", at=NOW + MINUTE),
        ]
        fed = 0
        for minutes in (0, 1, 9, 10, 11, 12):
            now = NOW + minutes * MINUTE
            pool.advance(now)
            while fed < len(claims) and claims[fed].at <= now:
                pool.claim(claims[fed].agent, claims[fed].at, now)
                fed += 1
            assert pool.snapshot() == self.groups("digital", claims, now), minutes

    def test_a_claim_already_over_does_not_cool(self) -> None:
        """A claim older than the cool-down, recorded late, leaves the agent preferred."""
        pool = fast.Pool(Channel.DIGITAL, ["a0", "a1"], tz=dt.UTC, cooldown=TEN)

        pool.claim("a1", NOW - TEN, NOW)

        assert pool.snapshot() == (("a0", "a1"), ())

    def test_offline_cool_downs_end_with_the_day_in_the_zone(self) -> None:
        """RTE-5 offline: the calendar day of the project's zone, not UTC's."""
        pool = fast.Pool(Channel.OFFLINE, ["a0", "a1", "a2", "a3"], tz=KOLKATA, cooldown=TEN)
        claims = [
            Claim(agent="a1", at=NOW),
            Claim(agent="a1", at=NOW + MINUTE),
            Claim(agent="a3", at=NOW),
        ]
        for claim in claims:
            pool.advance(claim.at)
            pool.claim(claim.agent, claim.at, claim.at)

        # NOW is 17:30 in Kolkata: the day there ends 6 h 30 min later, at 18:30 UTC.
        for later in (
            MINUTE,
            6 * 60 * MINUTE,
            6 * 60 * MINUTE + 29 * MINUTE,
            6 * 60 * MINUTE + 30 * MINUTE,
        ):
            now = NOW + later
            pool.advance(now)
            assert pool.snapshot() == self.groups("offline", claims, now, "Asia/Kolkata"), later

    def test_draw_leaves_out_the_agents_offered(self) -> None:
        """As next_wave: the offered ones, preferred or cooling down, are not drawn."""
        pool = fast.Pool(Channel.DIGITAL, ["a0", "a1", "a2", "a3"], tz=dt.UTC, cooldown=TEN)
        pool.claim("a2", NOW, NOW)
        pool.claim("a3", NOW + MINUTE, NOW + MINUTE)
        elig = Eligibility(channel="digital", preferred=("a0", "a1"), fallback=("a2", "a3"))
        policy = RoutingPolicy(wave_size=3)

        for offered in ({"a0"}, {"a2"}, {"a0", "a2"}, {"a0", "a1", "a2"}):
            wave = pool.draw(offered, 3, random.Random(2))
            assert wave == routing.next_wave(
                elig, sorted(offered), rng=random.Random(2), policy=policy
            )
        assert pool.snapshot() == (("a0", "a1"), ("a2", "a3"))
