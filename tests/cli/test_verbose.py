"""``-v`` shows retries (reason and wait) on stderr, ``-vv`` every request; the progress line
says when a listing is waiting to retry; ``--max-retry-wait`` bounds the waiting. Secrets are
never shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from telephony.cli import ExitCode
from telephony.sandbox import Faults, Sandbox
from tests.cli.conftest import sandbox_env


@pytest.fixture
def storm(clean_env: pytest.MonkeyPatch) -> Iterator[tuple[Sandbox, dict[str, str]]]:
    """A sandbox answering 429 (Retry-After 0) to a third of the requests, and the
    environment pointing at it."""
    faults = Faults(rate_limit=0.35, retry_after=0)
    with Sandbox(seed_calls=30, speed=1e-9, seed=5, faults=faults) as sandbox:
        values = sandbox_env(sandbox)
        for name, value in values.items():
            clean_env.setenv(name, value)
        yield sandbox, values


def secrets(values: dict[str, str]) -> list[str]:
    return [
        values[name] for name in ("BANDWIDTH_PASSWORD", "RESTCOMM_AUTH_TOKEN") if name in values
    ]


@pytest.mark.parametrize("provider", ["bandwidth", "restcomm"])
def test_v_logs_each_retry_and_the_progress_line_says_so(
    run: Any, storm: tuple[Sandbox, dict[str, str]], provider: str
) -> None:
    _, values = storm
    result = run(
        "calls", "list", "-p", provider, "-v", "--progress", "--format", "jsonl",
        "--page-size", "5", "--max-retries", "20",
    )  # fmt: skip
    assert result.code == ExitCode.OK, result.err
    ids = [json.loads(line)["id"] for line in result.out.splitlines()]
    assert len(ids) == len(set(ids)) == 30
    retries = [line for line in result.err_lines if line.startswith("telephony.retry: ")]
    assert retries, result.err
    assert all("after 429 Too Many Requests, Retry-After 0 s" in line for line in retries)
    assert all(" in 0.00 s " in line for line in retries)
    waiting = [line for line in result.err_lines if "waiting 0.0 s to retry (429" in line]
    assert len(waiting) == len(retries)
    assert not [line for line in result.err_lines if line.startswith("telephony: GET")]
    for secret in secrets(values):
        assert secret not in result.err


def test_vv_logs_every_request_and_httpx_own_lines(
    run: Any, storm: tuple[Sandbox, dict[str, str]]
) -> None:
    _, values = storm
    result = run("-vv", "calls", "list", "-p", "bandwidth", "--limit", "3", "--max-retries", "20")
    assert result.code == ExitCode.OK, result.err
    assert any(line.startswith("telephony: GET http://127.0.0.1") for line in result.err_lines)
    assert any(line.startswith("httpx: HTTP Request: GET") for line in result.err_lines)
    assert any(line.startswith("httpcore.") for line in result.err_lines)
    for secret in secrets(values):
        assert secret not in result.err


def test_without_v_nothing_is_logged(run: Any, storm: tuple[Sandbox, dict[str, str]]) -> None:
    result = run("calls", "list", "-p", "restcomm", "--page-size", "5", "--max-retries", "20")
    assert result.code == ExitCode.OK, result.err
    assert result.err == ""


def test_max_retry_wait_bounds_the_waiting(run: Any, clean_env: pytest.MonkeyPatch) -> None:
    with Sandbox(seed_calls=5, speed=1e-9, faults=Faults(rate_limit=1.0, retry_after=30)) as sb:
        for name, value in sandbox_env(sb).items():
            clean_env.setenv(name, value)
        result = run(
            "-v", "calls", "list", "-p", "bandwidth", "--max-retries", "5",
            "--max-retry-wait", "10",
        )  # fmt: skip
    assert result.code == ExitCode.RATE_LIMITED
    assert "would pass max_retry_wait (10.00 s left)" in result.err


def test_sync_says_when_it_waits_to_retry(
    run: Any, storm: tuple[Sandbox, dict[str, str]], tmp_path: Any
) -> None:
    store = str(tmp_path / "calls.db")
    result = run(
        "sync", "--store", store, "-p", "restcomm", "--page-size", "5", "--max-retries", "20"
    )
    assert result.code == ExitCode.OK, result.err
    waits = [line for line in result.err_lines if line.startswith("sync: waiting 0.0 s to retry")]
    assert waits
    assert all("(429 Too Many Requests, Retry-After 0 s)" in line for line in waits)
