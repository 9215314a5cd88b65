"""A running sandbox, the environment a `telephony` subprocess needs to reach it, and a path
for a store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import telephony
from telephony.sandbox import Sandbox

PROVIDERS = ("bandwidth", "restcomm")
LONG_CALL = "+15550100007"  # answers after 5 s and stays up an hour
CALLER = "+15557654321"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    # speed=1: sandbox time moves only when the test advances it (and at wall-clock pace).
    with Sandbox(seed_calls=240, seed=12, speed=1.0) as sb:
        yield sb


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "calls.db"


def sandbox_env(sb: Sandbox) -> dict[str, str]:
    """The environment variables `telephony` reads, pointed at the sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANDWIDTH_", "RESTCOMM_"))}
    env.pop("TELEPHONY_PROFILE", None)
    for name in PROVIDERS:
        info = telephony.describe(name)
        for key, value in sb.settings(name).items():
            env[info.setting(key).env] = str(value)
    return env


def clients(sb: Sandbox) -> list[telephony.Client]:
    return [telephony.connect(name, **sb.settings(name), backoff=0.0) for name in PROVIDERS]


def place_long_calls(sb: Sandbox, count: int) -> list[telephony.Call]:
    placed = []
    for client in clients(sb):
        with client:
            for _ in range(count):
                placed.append(
                    client.create_call(
                        telephony.NewCall(
                            to=LONG_CALL, from_=CALLER, answer_url="https://app.example/answer"
                        )
                    )
                )
    return placed


def vendor_calls(sb: Sandbox) -> dict[tuple[str, str], telephony.Call]:
    """Every call the sandbox holds now, as the adapters read it."""
    found: dict[tuple[str, str], telephony.Call] = {}
    for client in clients(sb):
        with client:
            for call in client.list_calls():
                found[(call.provider, call.id)] = call
    return found
