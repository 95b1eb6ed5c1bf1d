"""Shared fixtures and the hypothesis profile of the test suite."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# Reproducible and fast: the same examples on every run (derandomize, no example
# database), no per-example deadline (the first call of a test pays for imports),
# and a moderate number of examples per test.
settings.register_profile(
    "mathnn",
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("mathnn")


@pytest.fixture
def rng() -> np.random.Generator:
    """A NumPy Generator with a fixed seed, fresh for every test."""
    return np.random.default_rng(20261125)
