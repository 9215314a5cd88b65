"""Prism fixtures: one ``prism mock`` of Bandwidth's Calls spec for the whole session, and a
factory of ``prism proxy --errors`` servers that validate a real server's answers.

Node.js and npm must be on PATH: without them these tests fail (they are not skipped).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.prism.harness import SPEC, PrismServer, ProxyFactory, install_prism, running_prism


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def prism_cli() -> tuple[str, Path]:
    """``(node, entry_script)`` of the pinned Prism, installed into ``.prism/`` if missing."""
    return install_prism()


@pytest.fixture(scope="session")
def prism_mock(
    prism_cli: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrismServer]:
    """``prism mock`` serving tests/prism/bandwidth-calls.yml; ``.url`` is the base URL."""
    node, entry = prism_cli
    log = tmp_path_factory.mktemp("prism") / "mock.log"
    with running_prism(node, entry, ["mock", str(SPEC)], log) as server:
        yield server


@pytest.fixture(scope="session")
def prism_proxy(
    prism_cli: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProxyFactory]:
    """``prism_proxy(upstream_url)``: a ``prism proxy SPEC UPSTREAM --errors`` server (one per
    upstream, reused for the session). Answers that break the spec come back as a 500 problem
    document; ``harness.violations(response)`` lists what was wrong."""
    node, entry = prism_cli
    logs = tmp_path_factory.mktemp("prism-proxy")
    started: dict[str, PrismServer] = {}

    def start(upstream: str) -> PrismServer:
        upstream = upstream.rstrip("/")
        if upstream not in started:
            server = PrismServer(
                args=["proxy", str(SPEC), upstream, "--errors"],
                log_path=logs / f"proxy-{len(started)}.log",
            )
            server.start(node, entry)
            started[upstream] = server
        return started[upstream]

    yield start
    failures: list[str] = []
    for server in started.values():
        try:
            server.stop()
        except AssertionError as exc:  # stop every one before reporting
            failures.append(str(exc))
    assert not failures, failures
