"""
Shared pytest configuration: the hypothesis profiles, and the one Spark session.

``fast`` is the default and the one the README's test command and CI run (``python3
dev.py test``, nothing set): 60 random examples per property, a fresh draw every run, so
each run explores new inputs. A failure prints the ``@reproduce_failure`` blob that
replays it, and hypothesis's example database (``.hypothesis/``) replays it on the next
run. ``LEADCORE_HYPOTHESIS_PROFILE=thorough`` runs 1,000 examples per property, for a
long local hunt. No profile is gentler than the default.

``spark`` is the local Spark session every Spark test shares (one JVM per test run).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "fast",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("thorough", parent=settings.get_profile("fast"), max_examples=1_000)
settings.load_profile(os.environ.get("LEADCORE_HYPOTHESIS_PROFILE", "fast"))


def _empty_caches() -> None:
    """Empty leadcore's function caches and ``normalize``'s normal forms by person."""
    for name, module in list(sys.modules.items()):
        if name == "leadcore" or name.startswith("leadcore."):
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()
    normalize = sys.modules.get("leadcore.normalize")
    if normalize is not None:
        normalize._CACHE.clear()


if os.environ.get("LEADCORE_HYPOTHESIS_PROFILE") == "mutation":

    @pytest.fixture(autouse=True)
    def _fresh_caches() -> None:
        """
        Under mutation testing, empty leadcore's caches before each test.

        mutmut runs each mutant's tests in a process forked from one that ran the tests
        already: a cached result (a compiled match rule, ``compile_spec``; the normal
        forms of a person a test module holds, ``normalize.person``) would answer for the
        mutated code without running it, and the mutant would survive unseen.
        """
        _empty_caches()


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """
    The one local Spark session of the whole test run (2 cores, few shuffle partitions).

    Started on first use, by leadcore's own helper (which checks Java and sets
    PYSPARK_PYTHON), and stopped at the end. Every Spark test shares it: starting a JVM
    takes seconds.
    """
    from tests.spark_session import shared  # noqa: PLC0415  # only when a test asks

    started = shared()
    yield started
    started.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """
    Run a test marked ``unmeasured`` with coverage paused (setup, call and teardown).

    The mark is for tests of size, whose lines smaller tests reach: the GEN-5 limits at
    100,000 items (tests/test_output_limits.py). Traced line by line, they took three
    times as long; their assertions run all the same. The branch-coverage gate of the
    test command still holds without them (docs/coverage.md). A process they start
    (a subprocess, a pool's worker) is measured as usual.
    """
    measured = sys.modules.get("coverage")
    current = measured.Coverage.current() if measured is not None else None
    if current is None or item.get_closest_marker("unmeasured") is None:
        return (yield)
    current.stop()
    try:
        return (yield)
    finally:
        current.start()
        # What the test computed once and kept (function caches, normal forms, each
        # class's checks and plan) is computed again, measured, by the next test that
        # needs it: a line reached on a first call only is not lost to the pause.
        _empty_caches()
        checks = sys.modules["leadcore._attrs"]
        checks._FIELD_CHECKS.clear()
        checks._PLANS.clear()


def _is_spark(nodeid: str) -> bool:
    """Whether a test is a Spark test: its id names Spark (checked below for the fixture)."""
    return "spark" in nodeid.lower()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test that uses the ``spark`` fixture without naming Spark in its id."""
    unnamed = [
        item.nodeid
        for item in items
        if "spark" in getattr(item, "fixturenames", ()) and not _is_spark(item.nodeid)
    ]
    if unnamed:
        raise pytest.UsageError(
            "these tests use the spark fixture but do not name Spark in their id, so the "
            "test command's scheduler would not keep them with the other Spark tests: "
            + ", ".join(unnamed)
        )


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:  # xdist objects
    """
    Under ``--dist loadscope``: the Spark tests in one unit, sent first; the rest by file.

    ``python3 dev.py test`` runs the suite on two processes (pytest-xdist). Each unit of
    work runs on one of them, one test after another. Every Spark test is in the unit
    ``spark``, so that one worker holds the one Spark session (a JVM each would cost
    both cores), and that unit is sent first, being the longest. Any other test runs with
    its file, so that a file's expensive fixtures (the documentation site, large tables)
    are built once. (``--dist loadgroup`` with ``xdist_group`` marks would say this, but
    it groups nothing on pytest 9.2: pytest-xdist issue 1386.) Other ``--dist`` modes are
    xdist's own.
    """
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import (  # type: ignore[import-untyped]  # noqa: PLC0415  # under xdist
        LoadScopeScheduling,
    )

    class SparkFirst(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped
        def _split_scope(self, nodeid: str) -> str:
            return "spark" if _is_spark(nodeid) else nodeid.split("::", 1)[0]

        def schedule(self) -> None:
            collected = self.registered_collections.values()
            if self.collection is None and any(_is_spark(n) for c in collected for n in c):
                # The queue is ordered; a unit assigned again keeps its place: first.
                self.workqueue.setdefault("spark", {})
            super().schedule()

    return SparkFirst(config, log)
