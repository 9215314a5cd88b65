from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.restcomm.fake_server import SETTINGS, FakeRestcomm
from tests.support import Both


@pytest.fixture
def server() -> FakeRestcomm:
    return FakeRestcomm()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api(mode: str, server: FakeRestcomm) -> Iterator[Both]:
    both = Both(mode, "restcomm", server, **SETTINGS)
    yield both
    both.close()


@pytest.fixture
def make_api(mode: str) -> Iterator[Callable[..., Both]]:
    made: list[Both] = []

    def make(handler: Any, **overrides: Any) -> Both:
        both = Both(mode, "restcomm", handler, **{**SETTINGS, **overrides})
        made.append(both)
        return both

    yield make
    for both in made:
        both.close()
