"""``telephony sandbox``: a real server process, stopped with Ctrl+C."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from telephony.cli import ExitCode
from telephony.sandbox import Sandbox

from .conftest import assert_one_line_failure

ROOT = Path(__file__).resolve().parents[2]


def _read_until(process: subprocess.Popen[str], marker: str, deadline: float) -> list[str]:
    lines: list[str] = []
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if marker in line:
            return lines
    raise AssertionError(f"no {marker!r} in {lines}")


def test_sandbox_serves_until_interrupted(run: Any, clean_env: Any) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "telephony.cli", "sandbox", "--port", "0", "--seed-calls", "9",
         "--speed", "100", "--seed", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        lines = _read_until(process, "Press Ctrl+C", time.monotonic() + 15)
        assert "9 seeded calls per account, time runs x100" in lines[1]
        assert not any("eval" in line for line in lines)  # port 0: --env could not name it
        restcomm = next(line for line in lines if line.startswith("  restcomm: "))
        settings = dict(pair.split("=", 1) for pair in restcomm.split(": ", 1)[1].split())
        clean_env.setenv("RESTCOMM_BASE_URL", settings["base_url"])
        clean_env.setenv("RESTCOMM_ACCOUNT_SID", settings["account_sid"])
        clean_env.setenv("RESTCOMM_AUTH_TOKEN", settings["auth_token"])
        result = run("calls", "list", "-p", "restcomm", "--format", "jsonl")
        assert result.code == 0, result
        records = [json.loads(line) for line in result.out.splitlines()]
        assert len(records) == 9
        assert {record["provider"] for record in records} == {"restcomm"}
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert out.endswith("stopped\n")
    assert "Traceback" not in err


def test_port_in_use(run: Any, clean_env: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("sandbox", "--port", str(port))
    line = assert_one_line_failure(result, ExitCode.FAILURE)
    assert line.startswith(f"telephony: cannot serve on --host 127.0.0.1 --port {port}:")


def test_a_sandbox_on_a_known_port_says_how_to_export_its_settings(
    run: Any, clean_env: Any
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "telephony.cli", "sandbox", "--port", str(port), "--seed-calls",
         "3", "--seed", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        lines = _read_until(process, "Press Ctrl+C", time.monotonic() + 15)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)
    command = f"telephony sandbox --env --port {port} --seed 5"
    assert lines[0] == f'in another shell: eval "$({command})"'
    printed = run(*shlex.split(command)[1:])  # the exports of the sandbox that ran
    served = dict(pair.split("=", 1) for pair in lines[3].split(": ", 1)[1].split())
    assert f"export BANDWIDTH_ACCOUNT_ID={served['account_id']}" in printed.out.splitlines()


def test_env_prints_exports_that_reach_the_running_sandbox(
    run: Any, clean_env: pytest.MonkeyPatch, sandbox: Sandbox
) -> None:
    port = sandbox.url.rsplit(":", 1)[1].strip("/")
    result = run("sandbox", "--env", "--port", port, "--seed", "11")
    assert result.code == 0, result
    exports = dict(
        shlex.split(line.removeprefix("export "))[0].split("=", 1)
        for line in result.out.splitlines()
    )
    assert all(line.startswith("export ") for line in result.out.splitlines())
    assert exports["TELEPHONY_PROVIDER"] == "bandwidth,restcomm"
    for name, value in exports.items():
        clean_env.setenv(name, value)
    listed = run("report", "--format", "json")  # both providers, from the variables alone
    assert listed.code == 0, listed
    assert json.loads(listed.out)["overall"]["calls"] >= 2 * 60  # both seeded accounts
