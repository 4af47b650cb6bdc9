"""
The routing rules' input checks (leadcore._routing.inputs) pinned down in full.

Each check's path, value and message, the bounds exactly, and the converters. Each test
kills mutants of _routing/inputs.py that the rule tests let survive (mutation testing,
issue 20: ``python3 dev.py mutate _routing.inputs``).
"""

from __future__ import annotations

import datetime as dt
import random

from leadcore import _attrs as a
from leadcore import routing, simulation
from leadcore._routing import inputs
from leadcore.decisions import Reason
from leadcore.errors import Problem
from leadcore.model import Agent, Channel, Claim, Lead

from .asserts import problems
from .helpers import NOW


def test_bounded_counts() -> None:
    """From 0 (or 1) to the limit, both ends included; whole numbers only."""
    at_most = inputs.bounded(5)
    positive = inputs.positive_bounded(5)

    assert at_most("p", 5) == []
    assert at_most("p", 0) == []
    assert at_most("p", 6) == [Problem("p", 6, "must be at most 5")]
    assert at_most("p", -1) == [Problem("p", -1, "must not be negative")]
    assert at_most("p", "x") == [Problem("p", "x", "must be a whole number, not str")]
    assert positive("p", 1) == []
    assert positive("p", 5) == []
    assert positive("p", 0) == [Problem("p", 0, "must be at least 1")]
    assert positive("p", 6) == [Problem("p", 6, "must be at most 5")]
    assert problems(inputs.count, -1, "n") == [("n", -1, "must not be negative")]
    assert problems(inputs.count, 0, "n", least=1) == [("n", 0, "must be at least 1")]
    assert inputs.count(0, "n") == 0
    assert inputs.count(3, "n", least=1) == 3


def test_sizes_and_lists() -> None:
    """At most MAX_ITEMS items; agents unique; ids (their types are @a.checked's)."""
    assert inputs.sized(range(a.MAX_ITEMS), "xs") == tuple(range(a.MAX_ITEMS))
    assert problems(inputs.sized, range(a.MAX_ITEMS + 1), "xs") == [
        ("xs", f"<{a.MAX_ITEMS + 1} items>", f"must hold at most {a.MAX_ITEMS} items")
    ]
    assert problems(inputs.agents, [Agent(id="a"), Agent(id="b"), Agent(id="a")], "agents") == [
        ("agents[2].id", "a", "is listed twice; agent ids must be unique")
    ]
    claim = Claim(agent="a", at=NOW)
    assert inputs.claims(iter([claim]), "claims") == (claim,)
    long = "x" * (a.MAX_TEXT + 1)
    assert inputs.ids(["a", "x" * a.MAX_TEXT], "ids") == ("a", "x" * a.MAX_TEXT)
    assert problems(inputs.ids, ["a", "", 3, long], "ids") == [
        ("ids[1]", "", "must be a non-empty id"),
        ("ids[2]", 3, "must be a string, not int"),
        ("ids[3]", long, f"must be at most {a.MAX_TEXT} characters, has {a.MAX_TEXT + 1}"),
    ]


def test_field_checks() -> None:
    """Mappings of agent ids, routed channels, phases: each problem by path."""
    naive = dt.datetime(2020, 1, 1)  # noqa: DTZ001  # naive on purpose
    reason = Reason(code="inactive", message="m")

    assert inputs.reason_map("m", 5) == [Problem("m", 5, "must be a mapping, not int")]
    assert inputs.reason_map("m", {"a1": (reason,)}) == []
    assert inputs.reason_map("m", {"": (1,)}) == [
        Problem("m['']", "", "must be a non-empty id"),
        Problem("m[''][0]", 1, "must be a Reason, not int"),
    ]
    assert inputs.time_map("t", 5) == [Problem("t", 5, "must be a mapping, not int")]
    assert inputs.time_map("t", {"a1": NOW}) == []
    assert inputs.time_map("t", {"": naive}) == [
        Problem("t['']", "", "must be a non-empty id"),
        Problem(
            "t['']",
            naive,
            "must be timezone-aware (add an offset such as +00:00)",
            "naive_datetime",
        ),
    ]
    assert inputs.routed("c", "fresh") == [
        Problem("c", "fresh", "must be Channel.DIGITAL or Channel.OFFLINE")
    ]
    assert inputs.routed("c", Channel.OFFLINE) == []
    assert inputs.phase("p", "x") == [
        Problem("p", "x", "must be one of 'awaiting_wave', 'offered', 'claimed', 'fresh'")
    ]
    assert inputs.phase("p", "fresh") == []


def test_converters_hand_anything_else_through() -> None:
    """Known values converted, sorted and frozen; the rest left for the checks."""
    assert inputs.routed_channel("offline") is Channel.OFFLINE
    assert inputs.routed_channel("fresh") == "fresh"
    assert inputs.waves_tuple([["a"], ("b", "c")]) == (("a",), ("b", "c"))
    for junk in ("ab", 5):
        assert inputs.waves_tuple(junk) is junk  # type: ignore[arg-type, comparison-overlap]  # junk
    assert list(inputs.freeze_reasons({"b": [], "a": []})) == ["a", "b"]
    assert list(inputs.freeze_times({"b": NOW, "a": NOW})) == ["a", "b"]
    for freeze in (inputs.freeze_reasons, inputs.freeze_times):
        assert freeze(5) == 5  # type: ignore[arg-type, comparison-overlap]  # junk on purpose
    assert inputs.listed(["a1", "a2"]) == "'a1', 'a2'"


def test_argument_checks_raise_naming_the_path() -> None:
    """Channel and the lead's project."""
    assert problems(inputs.channel, Channel.FRESH, "c") == [
        (
            "c",
            Channel.FRESH,
            "must be 'digital' or 'offline' (the channels offered to agents in waves)",
        )
    ]
    assert inputs.channel("digital", "c") is Channel.DIGITAL


def test_ids_refuse_an_empty_one_alone() -> None:
    """The fast path lets only non-empty strings through."""
    assert problems(inputs.ids, [""], "wave") == [("wave[0]", "", "must be a non-empty id")]


def test_a_routed_lead_needs_its_project() -> None:
    """A lead, with a project: each named by the path given."""
    assert problems(inputs.project, Lead(id="L"), "lead") == [
        ("lead.project", None, "is required: a lead is routed to the agents of its project")
    ]
    assert inputs.project(Lead(id="L", project="p"), "lead") == "p"


def test_too_many_agents_claims_or_ids_are_named_by_path() -> None:
    """GEN-5: each list checks its size under its own name."""
    many = [Agent(id="a")] * (a.MAX_ITEMS + 1)
    size = (f"<{a.MAX_ITEMS + 1} items>", f"must hold at most {a.MAX_ITEMS} items")

    assert problems(inputs.agents, many, "input.agents") == [("input.agents", *size)]
    assert problems(inputs.claims, many, "input.claims") == [("input.claims", *size)]
    assert problems(inputs.ids, ["a"] * (a.MAX_ITEMS + 1), "input.wave") == [("input.wave", *size)]


def test_public_functions_check_list_sizes_and_ids() -> None:
    """
    GEN-5 through the public functions: @a.checked checks types, not limits.

    So each list's size and each id's emptiness are checked by the family itself, named
    by the argument (a list one item too long, an empty id in a wave).
    """
    over = a.MAX_ITEMS + 1
    size = (f"<{over} items>", f"must hold at most {a.MAX_ITEMS} items")
    lead = Lead(id="L", project="p")
    agents = [Agent(id="a1", project="p"), Agent(id="a2", project="p")]
    claims = [Claim(agent="a1", at=NOW)] * over
    elig = routing.eligible("digital", lead, agents, [], now=NOW)
    state = routing.open_dispatch("digital", "L", now=NOW)
    arrival = simulation.Arrival(lead="L", at=NOW, channel="digital", project="p")
    rng = random.Random(1)
    assert problems(routing.eligible, "digital", lead, [Agent(id="x")] * over, [], now=NOW) == [
        ("agents", *size)
    ]
    assert problems(routing.eligible, "digital", lead, agents, claims, now=NOW) == [
        ("claims", *size)
    ]
    assert problems(routing.fresh_claim, "a1", claims, fresh_count=1, active_agents=1, now=NOW) == [
        ("claims", *size)
    ]
    assert problems(routing.next_wave, elig, ["a1"] * over, rng=rng) == [("offered_before", *size)]
    assert problems(routing.next_wave, elig, ["a1", ""], rng=rng) == [
        ("offered_before[1]", "", "must be a non-empty id")
    ]
    assert problems(routing.judge_wave, elig, [], ["a1"] * over) == [("wave", *size)]
    assert problems(routing.judge_wave, elig, [""], ["a1"]) == [
        ("offered_before[0]", "", "must be a non-empty id")
    ]
    assert problems(routing.offer, state, ["a1"] * over) == [("wave", *size)]
    assert problems(routing.offer, state, ["a1", ""]) == [("wave[1]", "", "must be a non-empty id")]
    assert problems(simulation.simulate, [arrival] * over, agents, rng=rng) == [("arrivals", *size)]
    assert problems(simulation.simulate, [arrival], agents, rng=rng, claims=claims) == [
        ("claims", *size)
    ]
