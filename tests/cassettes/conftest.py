"""Cassette tests: they replay ``cassettes/`` with the network blocked. With
``--telephony-record=all`` (``python cassettes/record.py``) the same tests run against Prism
(Bandwidth's spec) or the sandbox, started here, and write the cassettes again.

A test names its cassette with ``@pytest.mark.telephony_cassette("bandwidth/x.yaml")`` and
where it was recorded with ``@pytest.mark.recorded_against("prism")`` or
``@pytest.mark.recorded_against("sandbox", seed_calls=..., oauth=...)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from telephony.testing import plugin as _plugin

if not _plugin.autoloaded():
    # The package's pytest11 entry point is not installed: take the plugin's hooks and
    # fixtures into this conftest. (A ``pytest_plugins`` line is not allowed in a conftest
    # below the rootdir, and would register the plugin twice once the entry point exists.)
    from telephony.testing.plugin import (  # noqa: F401
        pytest_addoption,
        pytest_runtest_makereport,
        telephony_async_client,
        telephony_cassette,
        telephony_client,
        telephony_record_mode,
        telephony_record_settings,
        telephony_vcr,
        telephony_vcr_config,
    )

REPO_ROOT = Path(__file__).resolve().parents[2]
CASSETTES = REPO_ROOT / "cassettes"

# Recording sources. Prism answers from the spec's examples whatever the ids; the sandbox's
# history is fixed by its seed and start, so re-recording gives equivalent cassettes.
PRISM_SETTINGS = {
    "account_id": "7301999",
    "username": "prism-recorder",
    "password": "prism-recording-secret",
    "application_id": "04e88489-df02-4e34-a0ee-27a91849555f",
}
SANDBOX_START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
SANDBOX_SEED = 5
SANDBOX_SPEED = 120.0  # a 30 s call lasts 0.25 s of wall time while recording


def pytest_configure(config: pytest.Config) -> None:
    if not _plugin.autoloaded():
        _plugin.pytest_configure(config)
    config.addinivalue_line(
        "markers",
        "recorded_against(source, **options): where a cassette test records "
        "(prism, or sandbox with Sandbox options and oauth=True|False)",
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def telephony_cassette_dir() -> Path:
    return CASSETTES


@pytest.fixture
def recording(telephony_record_mode: str) -> bool:
    return telephony_record_mode != "none"


@pytest.fixture
def pause(recording: bool) -> Callable[[], None]:
    """Wait a moment between polls while recording (sandbox time moves); nothing on replay,
    where each poll gets the next recorded answer."""

    def wait() -> None:
        if recording:
            time.sleep(0.02)

    return wait


@pytest.fixture(scope="session")
def prism_for_recording(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.prism.harness import install_prism, running_prism  # only when recording

    node, entry = install_prism()
    log = tmp_path_factory.mktemp("prism-recording") / "mock.log"
    spec = REPO_ROOT / "tests" / "prism" / "bandwidth-calls.yml"
    with running_prism(node, entry, ["mock", str(spec)], log) as server:
        yield server


def _replay_only(provider: str) -> dict[str, Any]:
    raise AssertionError("live settings are only used while recording")


@pytest.fixture
def telephony_record_settings(
    request: pytest.FixtureRequest, telephony_record_mode: str
) -> Iterator[Callable[[str], dict[str, Any]]]:
    """Live settings while recording: Prism or a sandbox, by the ``recorded_against``
    marker, started here (before the cassette is in use, so their start-up is not
    recorded). Nothing is started on replay."""
    if telephony_record_mode == "none":
        yield _replay_only
        return
    marker = request.node.get_closest_marker("recorded_against")
    if marker is None:
        raise pytest.UsageError(f"{request.node.nodeid} has no recorded_against marker")
    source, options = marker.args[0], dict(marker.kwargs)
    if source == "prism":
        prism = request.getfixturevalue("prism_for_recording")

        def prism_settings(provider: str) -> dict[str, Any]:
            assert provider == "bandwidth", "Prism serves Bandwidth's spec only"
            return {**PRISM_SETTINGS, "base_url": prism.url}

        yield prism_settings
    elif source == "sandbox":
        from telephony.sandbox import Sandbox  # only when recording

        oauth = bool(options.pop("oauth", False))
        options.setdefault("seed", SANDBOX_SEED)
        options.setdefault("start", SANDBOX_START)
        options.setdefault("speed", SANDBOX_SPEED)
        with Sandbox(**options) as sandbox:

            def sandbox_settings(provider: str) -> dict[str, Any]:
                if provider == "bandwidth" and oauth:
                    return dict(sandbox.settings("bandwidth", oauth=True))
                return dict(sandbox.settings(provider))

            yield sandbox_settings
    else:
        raise pytest.UsageError(f"unknown recording source {source!r}")


@pytest.fixture(autouse=True)
def _every_interaction_replayed(
    request: pytest.FixtureRequest, telephony_record_mode: str
) -> Iterator[None]:
    """On replay, a cassette test must use every interaction its cassette holds: a
    cassette the test no longer exercises is stale."""
    if request.node.get_closest_marker("telephony_cassette") is None:
        yield
        return
    request.getfixturevalue("telephony_record_settings")  # starts a source before the cassette
    cassette = request.getfixturevalue("telephony_cassette")
    yield
    if telephony_record_mode == "none":
        unplayed = len(cassette) - len(cassette.play_counts)
        assert unplayed == 0, f"{unplayed} recorded interaction(s) never replayed"
