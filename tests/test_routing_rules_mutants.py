"""
The small routing rules (leadcore._routing.rules) pinned down at their boundaries.

Time zones, the cool-down window to the second and the calendar day, the round-robin key
and the draw of a wave. Each test kills mutants of _routing/rules.py that the rule tests
let survive (mutation testing, issue 20: ``python3 dev.py mutate _routing.rules``).
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

import pytest

from leadcore._routing import rules
from leadcore.errors import Problem
from leadcore.model import Agent, Channel

from .asserts import explained, problems
from .helpers import NOW

SECOND = dt.timedelta(seconds=1)
TEN = dt.timedelta(minutes=10)
KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
ZONE = "must be an IANA time zone name such as 'UTC' or 'Asia/Kolkata'"


def test_time_zones() -> None:
    """Names of the bundled database only, named by path."""
    assert rules.zone("Asia/Kolkata", "timezone") == KOLKATA
    assert rules.zone_problem("tz", "UTC") == []
    assert rules.zone_problem("tz", "localtime") == [Problem("tz", "localtime", ZONE)]
    assert rules.zone_problem("tz", 5) == [Problem("tz", 5, ZONE)]
    assert problems(rules.zone, "Mars/Olympus", "policy.default_timezone") == [
        ("policy.default_timezone", "Mars/Olympus", ZONE)
    ]


@pytest.mark.parametrize(
    ("ago", "cooling"),
    [
        (None, False),
        (dt.timedelta(0), True),
        (TEN - SECOND, True),
        (TEN, False),
        (-SECOND, False),
    ],
)
def test_digital_cool_down_window(ago: dt.timedelta | None, cooling: bool) -> None:
    """RTE-5 digital: ``0 <= now - at < cooldown``."""
    last = None if ago is None else NOW - ago

    assert rules.cooling(Channel.DIGITAL, last, NOW, tz=dt.UTC, cooldown=TEN) is cooling


@pytest.mark.parametrize(
    ("last", "cooling"),
    [
        # NOW is 17:30 in Kolkata on 23 November; that day began at 18:30 UTC the day before.
        (dt.datetime(2026, 11, 22, 18, 30, tzinfo=dt.UTC), True),
        (dt.datetime(2026, 11, 22, 18, 29, tzinfo=dt.UTC), False),
        (NOW, True),
        (NOW + SECOND, False),
    ],
)
def test_offline_cool_down_is_the_calendar_day(last: dt.datetime, cooling: bool) -> None:
    """RTE-5 offline: a claim on the day of ``now`` in the project's zone, not after now."""
    assert rules.cooling(Channel.OFFLINE, last, NOW, tz=KOLKATA, cooldown=TEN) is cooling


def test_round_robin_and_draw() -> None:
    """Oldest claim first, ties by id; preferred at random, then fallback in order."""
    keys = sorted(
        [
            rules.round_robin_key(NOW, "b"),
            rules.round_robin_key(NOW, "a"),
            rules.round_robin_key(NOW - SECOND, "c"),
        ]
    )
    assert [agent for _, agent in keys] == ["c", "a", "b"]
    assert rules.draw(["p1", "p2"], ["f1", "f2", "f3"], 4, random.Random(7)) == (
        *random.Random(7).sample(["p1", "p2"], 2),
        "f1",
        "f2",
    )
    assert rules.draw(["p1", "p2", "p3"], ["f1"], 2, random.Random(7)) == tuple(
        random.Random(7).sample(["p1", "p2", "p3"], 2)
    )
    assert rules.draw(["p1", "p2"], ["f1"], 2, random.Random(7)) == tuple(
        random.Random(7).sample(["p1", "p2"], 2)
    )
    assert rules.draw([], ["f1", "f2"], 1, random.Random(7)) == ("f1",)


def test_ineligibility_reasons() -> None:
    """RTE-4: the project, then the switches in RTE-4's order, each with its facts."""
    agent = Agent(id="a1", project="p2", active=False, network_ok=False, autorun_enabled=False)

    assert explained(rules.ineligibility(agent, Channel.OFFLINE, "p1")) == [
        (
            "wrong_project",
            "the agent works on project 'p2', not on the lead's 'p1'",
            {"agent": "a1", "agent_project": "p2", "lead_project": "p1"},
        ),
        (
            "inactive",
            "the agent has set the app status to inactive",
            {"active": False, "agent": "a1"},
        ),
        (
            "network_problem",
            "the agent's phone cannot be reached (network problem)",
            {"agent": "a1", "network_ok": False},
        ),
    ]
    assert (
        rules.ineligibility(Agent(id="a1", project="p1", network_ok=False), Channel.DIGITAL, "p1")
        == []
    )
