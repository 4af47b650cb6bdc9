"""
Shared pytest configuration: the hypothesis profiles.

``fast`` is the default and the one the README's test command and CI run (``python3
dev.py test``, nothing set): 60 random examples per property, a fresh draw every run, so
each run explores new inputs. A failure prints the ``@reproduce_failure`` blob that
replays it, and hypothesis's example database (``.hypothesis/``) replays it on the next
run. ``LEADCORE_HYPOTHESIS_PROFILE=thorough`` runs 1,000 examples per property, for a
long local hunt. No profile is gentler than the default.
"""

from __future__ import annotations

import os

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
