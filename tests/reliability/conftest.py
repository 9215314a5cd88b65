"""Hypothesis profiles for the reliability tests.

CI runs the ``ci`` profile (a bounded example count, so the whole suite stays within its time
budget). For a deep run, ``TELEPHONY_HYPOTHESIS_PROFILE=soak python -m pytest tests/reliability``
runs 10,000 examples per property (``thorough`` is the same profile under another name). Tests
that need more (the answer tests: 300 in CI) or fewer (a whole listing per example) scale
from ``settings.default``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,  # a shared 2-core CI machine: wall-clock limits would flake
    "database": None,  # no .hypothesis/ directory left in the working tree
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
}
settings.register_profile("ci", max_examples=60, **_COMMON)
settings.register_profile("soak", max_examples=10_000, **_COMMON)
settings.register_profile("thorough", max_examples=10_000, **_COMMON)
settings.load_profile(os.environ.get("TELEPHONY_HYPOTHESIS_PROFILE", "ci"))
