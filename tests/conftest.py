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
from collections.abc import Iterator
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

if os.environ.get("LEADCORE_HYPOTHESIS_PROFILE") == "mutation":

    @pytest.fixture(autouse=True)
    def _fresh_caches() -> None:
        """
        Under mutation testing, empty leadcore's function caches before each test.

        mutmut runs each mutant's tests in a process forked from one that ran the tests
        already: a cached result (a compiled match rule, ``compile_spec``) would answer
        for the mutated code without running it, and the mutant would survive unseen.
        """
        for name, module in list(sys.modules.items()):
            if name == "leadcore" or name.startswith("leadcore."):
                for value in list(vars(module).values()):
                    clear = getattr(value, "cache_clear", None)
                    if callable(clear):
                        clear()


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
