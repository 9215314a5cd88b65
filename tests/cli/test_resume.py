"""Resumable exports: `telephony calls list` stopped by errors or Ctrl-C and resumed writes
exactly what an uninterrupted export writes."""

from __future__ import annotations

import io
import shlex
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import telephony
from telephony.cli import main
from telephony.sandbox import Faults, Sandbox

START = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SEED = 21
MAX_RUNS = 60  # resumes allowed before giving up (each run saves at least one page or fails)


def _sandbox(faults: Faults | None = None) -> Sandbox:
    return Sandbox(seed_calls=240, seed=SEED, start=START, speed=1.0, faults=faults)


def _configure(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, provider: str) -> None:
    info = telephony.describe(provider)
    for key, value in sandbox.settings(provider).items():
        monkeypatch.setenv(info.setting(key).env, str(value))
    monkeypatch.delenv("TELEPHONY_PROFILE", raising=False)


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def clean() -> Iterator[Sandbox]:
    with _sandbox() as sandbox:
        yield sandbox


@pytest.mark.parametrize(("provider", "fmt"), [("bandwidth", "csv"), ("restcomm", "jsonl")])
def test_an_export_resumed_after_errors_equals_an_uninterrupted_one(
    clean: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, provider: str, fmt: str
) -> None:
    listing = ["calls", "list", "-p", provider, "--format", fmt, "--page-size", "20"]
    _configure(monkeypatch, clean, provider)
    whole = tmp_path / f"whole.{fmt}"
    assert _run(monkeypatch, [*listing, "--output", str(whole)])[0] == 0
    assert not Path(f"{whole}.resume").exists()  # a finished export leaves no resume file

    with _sandbox(Faults(server_error=0.25, rate_limit=0.0)) as faulty:
        _configure(monkeypatch, faulty, provider)
        resumed = tmp_path / f"resumed.{fmt}"
        argv = [*listing, "--output", str(resumed), "--max-retries", "0"]
        stops = 0
        for _ in range(MAX_RUNS):
            code, _, err = _run(monkeypatch, argv)
            if code == 0:
                break
            stops += 1
            assert code == 7  # the provider failed (500), no retries allowed
            hint = err.strip().splitlines()[0]
            if hint.startswith("telephony: "):
                continue  # stopped before its first page: nothing to go on from
            assert "to go on from there" in hint
            argv = shlex.split(hint.split(": ", 1)[1])[1:]  # the command it says to run
            assert argv[:3] == ["calls", "list", "--resume"]
            argv.extend(["--max-retries", "0"])
        else:
            pytest.fail("the export never finished")
    assert stops > 0  # it really was interrupted
    assert resumed.read_bytes() == whole.read_bytes()
    assert len(whole.read_text().splitlines()) == 240 + (fmt == "csv")


def test_ctrl_c_on_stdout_says_which_cursor_goes_on(
    clean: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(monkeypatch, clean, "restcomm")
    listing = ["calls", "list", "-p", "restcomm", "--format", "csv"]
    code, whole, _ = _run(monkeypatch, [*listing, "--page-size", "25"])
    assert code == 0

    original = telephony.Client.get_page
    calls = {"n": 0}

    def interrupted(self: telephony.Client, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(telephony.Client, "get_page", interrupted)
    code, first, err = _run(monkeypatch, [*listing, "--page-size", "25"])
    assert code == 130
    assert len(first.splitlines()) == 1 + 3 * 25  # the header and three whole pages
    command = shlex.split(err.splitlines()[0].split(": ", 1)[1].removesuffix(" >> OUTPUT"))
    assert "--cursor" in command
    monkeypatch.setattr(telephony.Client, "get_page", original)
    code, rest, _ = _run(monkeypatch, command[1:])
    assert code == 0
    assert first + rest == whole  # no header again, no call twice, none missing


def test_resume_refuses_what_would_not_line_up(
    clean: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(monkeypatch, clean, "bandwidth")
    base = ["calls", "list", "-p", "bandwidth"]
    code, _, err = _run(monkeypatch, [*base, "--cursor", "x", "--to", "+15550100001"])
    assert code == 2
    assert "cursor" in err
    code, _, err = _run(monkeypatch, [*base, "--format", "table", "--output", "x.txt"])
    assert code == 2
    assert "take --format jsonl" in err
    bogus = tmp_path / "bogus.resume"
    bogus.write_text("{}")
    code, _, err = _run(monkeypatch, ["calls", "list", "--resume", str(bogus)])
    assert code == 2
    assert "not a telephony resume file" in err
