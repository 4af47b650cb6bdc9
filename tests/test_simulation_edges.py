"""Routing simulation at its edges: agents no lead can reach."""

from __future__ import annotations

import datetime as dt
import random

from leadcore import simulation
from leadcore.model import Agent
from leadcore.simulation import Arrival, Behaviour

NOW = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)


def test_an_agent_without_project_is_never_offered_a_lead() -> None:
    """RTE-1: leads go to their project's agents; one without a project gets none."""
    arrivals = [
        Arrival(lead=f"L{i}", project="p", channel="digital", at=NOW + dt.timedelta(minutes=i))
        for i in range(5)
    ]
    always = Behaviour(claim_probability=1.0, decline_probability=0.0)

    report = simulation.simulate(
        arrivals,
        [Agent(id="a", project="p"), Agent(id="nobody", project=None)],
        rng=random.Random(1),
        behaviour=always,
    )

    assert report.claims_per_agent == {"a": 5, "nobody": 0}
    assert report.fresh == 0
