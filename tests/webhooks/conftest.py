"""The reliability tests' Hypothesis profiles (``ci``: bounded examples; ``soak``: 10,000),
also when this folder runs alone."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,  # a shared 2-core CI machine: wall-clock limits would flake
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
}
settings.register_profile("ci", max_examples=60, **_COMMON)
settings.register_profile("soak", max_examples=10_000, **_COMMON)
settings.register_profile("thorough", max_examples=10_000, **_COMMON)
settings.load_profile(os.environ.get("TELEPHONY_HYPOTHESIS_PROFILE", "ci"))
