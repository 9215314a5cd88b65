"""Fixtures: sandboxes started and stopped per test (they start in milliseconds), and raw
httpx clients for each vendor, so the wire contract is checked without the adapters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from telephony.sandbox import Sandbox
from tests.sandbox.helpers import (
    FROZEN,
    START,
    MakeSandbox,
    bandwidth_client,
    restcomm_client,
)


@pytest.fixture
def make_sandbox() -> Iterator[MakeSandbox]:
    started: list[Sandbox] = []

    def make(**options: Any) -> Sandbox:
        options.setdefault("start", START)
        options.setdefault("speed", FROZEN)
        options.setdefault("seed_calls", 0)
        sandbox = Sandbox(**options).start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.close()


@pytest.fixture
def sandbox(make_sandbox: MakeSandbox) -> Sandbox:
    return make_sandbox(seed_calls=0)


@pytest.fixture
def bandwidth(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with bandwidth_client(sandbox) as client:
        yield client


@pytest.fixture
def restcomm(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with restcomm_client(sandbox) as client:
        yield client
