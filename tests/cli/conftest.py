"""Fixtures for the command-line tests: a sandbox per module, the environment pointing at it
(and nothing else), and ``run`` to call ``main`` in-process with captured output."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from telephony.cli import main
from telephony.cli._config import PROFILE_ENV, PROVIDER_ENV, cli_settings
from telephony.sandbox import Sandbox

ENV_NAMES = [s.env for group in cli_settings().values() for s in group] + [
    PROVIDER_ENV,
    PROFILE_ENV,
    "TELEPHONY_CONFIG",
    "TELEPHONY_DEBUG",
]


def sandbox_env(sandbox: Sandbox) -> dict[str, str]:
    """The environment variables that point both providers at ``sandbox``."""
    found: dict[str, str] = {}
    for provider, settings in cli_settings().items():
        try:
            values = sandbox.settings(provider)
        except ValueError:  # a provider the sandbox has no side for
            continue
        for setting in settings:
            if setting.keyword in values:
                found[setting.env] = str(values[setting.keyword])
    return found


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed_calls=60, speed=50.0, seed=11) as sb:
        yield sb


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No telephony variable from the machine running the tests leaks in."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def env(clean_env: pytest.MonkeyPatch, sandbox: Sandbox) -> dict[str, str]:
    values = sandbox_env(sandbox)
    for name, value in values.items():
        clean_env.setenv(name, value)
    return values


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Any:
    def invoke(*argv: str) -> Result:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def assert_one_line_failure(result: Result, code: int) -> str:
    """An expected failure: the exit code, one ``telephony:`` line on stderr, no traceback,
    nothing on stdout."""
    assert result.code == code, result
    assert result.out == ""
    assert len(result.err_lines) == 1, result.err
    assert result.err.startswith("telephony: ")
    assert "Traceback" not in result.err
    return result.err_lines[0]
