from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.bandwidth.fake_server import SETTINGS, FakeBandwidth
from tests.support import Both


@pytest.fixture
def server() -> FakeBandwidth:
    return FakeBandwidth()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api(mode: str, server: FakeBandwidth) -> Iterator[Both]:
    both = Both(mode, "bandwidth", server, **SETTINGS)
    yield both
    both.close()


@pytest.fixture
def make_api(mode: str) -> Iterator[Any]:
    made: list[Both] = []

    def make(handler: Any, **overrides: Any) -> Both:
        both = Both(mode, "bandwidth", handler, **{**SETTINGS, **overrides})
        made.append(both)
        return both

    yield make
    for both in made:
        both.close()
