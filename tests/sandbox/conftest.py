"""Fixtures: sandboxes started and stopped per test (they start in milliseconds), and raw
httpx clients for each vendor, so the wire contract is checked without the adapters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from telephony.sandbox import Faults, Sandbox

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
FROZEN = 1e-9  # a clock speed at which sandbox time only moves through advance()

MakeSandbox = Callable[..., Sandbox]


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


def bandwidth_client(sandbox: Sandbox, **options: Any) -> httpx.Client:
    settings = sandbox.settings("bandwidth")
    base = f"{settings['base_url']}/accounts/{settings['account_id']}"
    options.setdefault("auth", (settings["username"], settings["password"]))
    return httpx.Client(base_url=base, timeout=10, **options)


def restcomm_client(sandbox: Sandbox, **options: Any) -> httpx.Client:
    settings = sandbox.settings("restcomm")
    sid = settings["account_sid"]
    base = f"{settings['base_url']}/2012-04-24/Accounts/{sid}"
    options.setdefault("auth", (sid, settings["auth_token"]))
    return httpx.Client(base_url=base, timeout=10, **options)


@pytest.fixture
def bandwidth(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with bandwidth_client(sandbox) as client:
        yield client


@pytest.fixture
def restcomm(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with restcomm_client(sandbox) as client:
        yield client


__all__ = ["FROZEN", "START", "Faults", "MakeSandbox", "bandwidth_client", "restcomm_client"]
