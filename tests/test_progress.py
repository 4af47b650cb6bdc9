"""
``progress=True`` on long library calls draws a tqdm bar; off by default.

Batch deduplication (``load``, ``find``, ``what_if``) and the routing simulation take
``progress``: None or False (nothing), a callable, or True for ``tqdm.auto`` bars. tqdm
is optional: without it, ``progress=True`` is a clear error.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from importlib import resources
from pathlib import Path

import pytest

from leadcore import dedupe, simulation
from leadcore.errors import InvalidInput, LeadcoreError, MissingDependency
from leadcore.merge import MergePolicy
from leadcore.model import Agent

SAMPLE = Path(str(resources.files("leadcore").joinpath("data", "sample_leads.csv")))
NOW = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def test_find_draws_a_bar_per_stage(capsys: pytest.CaptureFixture[str]) -> None:
    """Reading, blocking and deciding each get a bar that ends full."""
    dedupe.find(SAMPLE, now=NOW, tz="UTC", progress=True)

    drawn = capsys.readouterr().err

    for stage in ("read", "block", "decide"):
        assert stage in drawn
    assert "100%" in drawn


def test_off_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """No bar unless asked for."""
    dedupe.what_if(SAMPLE, now=NOW, tz="UTC", other=MergePolicy(), progress=False)
    dedupe.find(SAMPLE, now=NOW, tz="UTC")

    assert capsys.readouterr().err == ""


def test_a_callable_still_gets_every_stage() -> None:
    """A callback sees the stages in order, each ending at its total."""
    seen: list[tuple[str, int, int]] = []

    dedupe.find(SAMPLE, now=NOW, tz="UTC", progress=lambda *call: seen.append(call))

    stages = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert stages == ["read", "block", "decide"]
    last = {stage: (done, total) for stage, done, total in seen}
    assert all(done == total for done, total in last.values())


def test_the_simulation_draws_a_bar(capsys: pytest.CaptureFixture[str]) -> None:
    """A day of leads replayed: one bar, in leads."""
    rng = random.Random(4)
    arrivals = simulation.synthetic_arrivals(
        dt.date(2026, 11, 23), count=1_500, project="p", rng=rng
    )
    agents = [Agent(id=f"a{i}", project="p") for i in range(10)]

    simulation.simulate(arrivals, agents, rng=rng, progress=True)

    drawn = capsys.readouterr().err
    assert "simulate" in drawn
    assert "1500/1500" in drawn


def test_without_tqdm_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bars need tqdm, which is optional: without it, the error names the package."""
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)

    with pytest.raises(MissingDependency) as caught:
        dedupe.find(SAMPLE, now=NOW, tz="UTC", progress=True)

    assert isinstance(caught.value, LeadcoreError)
    assert isinstance(caught.value, ImportError)
    assert caught.value.package == "tqdm"
    assert "pip install 'leadcore[notebook]'" in str(caught.value)


def test_a_bad_value_is_an_input_error() -> None:
    """GEN-5: progress must be a bool, None or a callable."""
    with pytest.raises(InvalidInput) as caught:
        dedupe.find(SAMPLE, now=NOW, tz="UTC", progress="yes")  # type: ignore[call-overload]  # on purpose

    assert caught.value.path == "progress"
