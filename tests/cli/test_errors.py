"""Expected failures: one line on stderr, a documented exit code, no traceback, no secret."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from telephony.cli import ExitCode
from telephony.sandbox import Faults, Sandbox

from .conftest import Result, assert_one_line_failure, sandbox_env

CALLER = "+15557654321"
SECRET = "sup3r-s3cret-t0ken-value"


def create_args(provider: str, to: str) -> list[str]:
    return [
        "calls", "create", "-p", provider, "--to", to, "--from", CALLER,
        "--answer-url", "https://app.example/answer", "--format", "jsonl",
    ]  # fmt: skip


def assert_no_secret(result: Result, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in result.out
        assert secret not in result.err


# -- configuration and arguments -------------------------------------------------------------


def test_no_command(run: Any, clean_env: Any) -> None:
    result = run()
    assert result.code == ExitCode.USAGE
    assert result.err_lines[-1] == "telephony: choose a command (see telephony --help)"


def test_no_provider(run: Any, clean_env: Any) -> None:
    line = assert_one_line_failure(run("calls", "list"), ExitCode.USAGE)
    assert "TELEPHONY_PROVIDER" in line


def test_unknown_provider_in_environment(run: Any, clean_env: Any) -> None:
    clean_env.setenv("TELEPHONY_PROVIDER", "acme")
    line = assert_one_line_failure(run("calls", "list"), ExitCode.USAGE)
    assert "'acme'" in line
    assert "bandwidth" in line
    assert "restcomm" in line


@pytest.mark.parametrize(
    ("provider", "named"),
    [
        ("bandwidth", ["BANDWIDTH_ACCOUNT_ID", "BANDWIDTH_USERNAME and BANDWIDTH_PASSWORD"]),
        ("restcomm", ["RESTCOMM_BASE_URL", "RESTCOMM_ACCOUNT_SID", "RESTCOMM_AUTH_TOKEN"]),
    ],
)
def test_missing_configuration_names_the_variables(
    run: Any, clean_env: Any, provider: str, named: list[str]
) -> None:
    line = assert_one_line_failure(run("calls", "list", "-p", provider), ExitCode.USAGE)
    for name in named:
        assert name in line


@pytest.mark.parametrize(
    "argv",
    [
        ["calls", "list", "-p", "bandwidth", "--limit", "-1"],
        ["calls", "list", "-p", "bandwidth", "--page-size", "0"],
        ["calls", "list", "-p", "bandwidth", "--since", "last week"],
        ["calls", "list", "-p", "bandwidth", "--status", "happy"],
        ["calls", "list", "-p", "nope"],
        ["calls", "frobnicate"],
        ["calls"],
        ["calls", "get", "-p", "bandwidth"],
        ["calls", "create", "-p", "bandwidth", "--to", "+15550100001"],
        ["report", "--format", "xml"],
        ["sandbox", "--speed", "0"],
        ["calls", "list", "--lim", "3"],
    ],
)
def test_bad_arguments(run: Any, env: dict[str, str], argv: list[str]) -> None:
    line = assert_one_line_failure(run(*argv), ExitCode.USAGE)
    assert "--help" in line


def test_since_after_until_is_refused_before_sending(
    run: Any, env: dict[str, str], sandbox: Sandbox
) -> None:
    before = sandbox.request_count
    result = run(
        "calls", "list", "-p", "bandwidth", "--since", "2024-05-02", "--until", "2024-05-01"
    )
    line = assert_one_line_failure(result, ExitCode.USAGE)
    assert line.startswith("telephony: invalid --since:")
    assert sandbox.request_count == before


def test_a_mistyped_secret_flag_does_not_echo_the_secret(run: Any, env: dict[str, str]) -> None:
    result = run("calls", "list", "-p", "restcomm", "--restcomm-auth-tokn", SECRET)
    line = assert_one_line_failure(result, ExitCode.USAGE)
    assert "--restcomm-auth-tokn" in line
    assert_no_secret(result, SECRET)
    inline = run("calls", "list", "-p", "restcomm", f"--restcomm-auth-tokn={SECRET}")
    assert_one_line_failure(inline, ExitCode.USAGE)
    assert_no_secret(inline, SECRET)


def test_help_shows_no_secret_from_the_environment(run: Any, env: dict[str, str]) -> None:
    for argv in (["--help"], ["calls", "list", "--help"], ["report", "--help"]):
        result = run(*argv)
        assert result.code == 0
        assert "usage: telephony" in result.out
        assert_no_secret(result, env["BANDWIDTH_PASSWORD"], env["RESTCOMM_AUTH_TOKEN"])
    assert "RESTCOMM_AUTH_TOKEN" in run("calls", "list", "--help").out


def test_version(run: Any, clean_env: Any) -> None:
    result = run("--version")
    assert result.code == 0
    assert result.out.startswith("telephony ")


# -- answers from the provider ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "variable"),
    [("bandwidth", "BANDWIDTH_PASSWORD"), ("restcomm", "RESTCOMM_AUTH_TOKEN")],
)
def test_bad_credentials(
    run: Any, env: dict[str, str], clean_env: Any, provider: str, variable: str
) -> None:
    clean_env.setenv(variable, SECRET)
    result = run("calls", "list", "-p", provider, "--limit", "1")
    line = assert_one_line_failure(result, ExitCode.AUTH)
    assert f"{provider} refused the credentials (401)" in line
    assert_no_secret(result, SECRET)


def test_bad_credentials_given_as_a_flag_are_not_echoed(run: Any, env: dict[str, str]) -> None:
    result = run("calls", "list", "-p", "bandwidth", "--bandwidth-password", SECRET)
    assert_one_line_failure(result, ExitCode.AUTH)
    assert_no_secret(result, SECRET)


def test_another_account_is_denied(run: Any, env: dict[str, str], clean_env: Any) -> None:
    clean_env.setenv("BANDWIDTH_ACCOUNT_ID", "1234567")
    line = assert_one_line_failure(run("calls", "list", "-p", "bandwidth"), ExitCode.AUTH)
    assert "bandwidth denied (403)" in line


@pytest.mark.parametrize(
    ("provider", "call_id"),
    [
        ("bandwidth", "c-00000000-00000000-0000-0000-0000-000000000000"),
        ("restcomm", "CA" + "0" * 32),
    ],
)
def test_unknown_call(run: Any, env: dict[str, str], provider: str, call_id: str) -> None:
    result = run("calls", "get", "-p", provider, call_id)
    line = assert_one_line_failure(result, ExitCode.NOT_FOUND)
    assert line.startswith("telephony: not found:")


@pytest.mark.parametrize(("field", "value"), [("--to", "12"), ("--from", "not-a-number")])
def test_invalid_number_is_refused_before_sending(
    run: Any, env: dict[str, str], sandbox: Sandbox, field: str, value: str
) -> None:
    before = sandbox.request_count
    argv = create_args("bandwidth", "+15550100001")
    argv[argv.index(field) + 1] = value
    line = assert_one_line_failure(run(*argv), ExitCode.USAGE)
    assert line.startswith(f"telephony: invalid {field}: ")
    assert sandbox.request_count == before


@pytest.mark.parametrize("provider", ["bandwidth", "restcomm"])
def test_changing_an_ended_call_is_a_conflict(
    run: Any, env: dict[str, str], sandbox: Sandbox, provider: str
) -> None:
    created = run(*create_args(provider, "+15550100002"))  # busy, ends within seconds
    assert created.code == 0
    call_id = created.out.split('"id":"')[1].split('"')[0]
    sandbox.advance(60)
    line = assert_one_line_failure(run("calls", "hangup", "-p", provider, call_id), 5)
    assert line.startswith("telephony: cannot change the call now:")


def test_vendor_refusing_a_request(
    run: Any, env: dict[str, str], sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = run(*create_args("bandwidth", "+15550100007"))
    call_id = created.out.split('"id":"')[1].split('"')[0]
    sandbox.advance(20)
    monkeypatch.setattr("sys.stdin", io.StringIO("<Bxml><SpeakSentence>unclosed</Bxml>"))
    result = run("calls", "replace-bxml", "-p", "bandwidth", call_id, "-")
    line = assert_one_line_failure(result, ExitCode.REFUSED)
    assert line.startswith("telephony: request refused: bandwidth answered 400")


def test_unreadable_stdin(run: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    class Closed(io.StringIO):
        def read(self, size: int | None = -1) -> str:
            raise OSError("reading from stdin while output is captured")

    monkeypatch.setattr("sys.stdin", Closed())
    result = run("calls", "replace-bxml", "-p", "bandwidth", "c-1", "-")
    line = assert_one_line_failure(result, ExitCode.USAGE)
    assert line.startswith("telephony: cannot read BXML from '-'")


def test_unsupported_operation(run: Any, env: dict[str, str], tmp_path: Any) -> None:
    document = tmp_path / "x.xml"
    document.write_text("<Bxml></Bxml>")
    result = run("calls", "replace-bxml", "-p", "restcomm", "CA" + "1" * 32, str(document))
    line = assert_one_line_failure(result, ExitCode.USAGE)
    assert line.startswith("telephony: restcomm calls have no BXML to replace (only bandwidth)")
    assert "calls redirect" in line


def test_unreadable_bxml_file(run: Any, env: dict[str, str], tmp_path: Any) -> None:
    missing = tmp_path / "missing.xml"
    result = run("calls", "replace-bxml", "-p", "bandwidth", "c-1", str(missing))
    line = assert_one_line_failure(result, ExitCode.USAGE)
    assert "No such file" in line


@pytest.fixture(scope="module")
def failing_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    faults: Faults = request.param
    with Sandbox(seed_calls=5, speed=50.0, seed=2, faults=faults) as sb:
        yield sb


@pytest.mark.parametrize(
    ("failing_sandbox", "code", "start"),
    [
        (Faults(rate_limit=1.0, retry_after=7), ExitCode.RATE_LIMITED, "telephony: rate limited:"),
        (Faults(server_error=1.0), ExitCode.PROVIDER_FAILED, "telephony: provider failure:"),
        (Faults(drop=1.0), ExitCode.UNREACHABLE, "telephony: cannot reach the provider:"),
    ],
    indirect=["failing_sandbox"],
)
@pytest.mark.parametrize("provider", ["bandwidth", "restcomm"])
def test_failing_provider(
    run: Any,
    clean_env: Any,
    failing_sandbox: Sandbox,
    provider: str,
    code: ExitCode,
    start: str,
) -> None:
    for name, value in sandbox_env(failing_sandbox).items():
        clean_env.setenv(name, value)
    result = run("calls", "list", "-p", provider, "--max-retries", "0")
    line = assert_one_line_failure(result, code)
    assert line.startswith(start)
    if code is ExitCode.RATE_LIMITED:
        assert line.endswith("(retry after 7 s)")
    settings = sandbox_env(failing_sandbox)
    assert_no_secret(result, settings["BANDWIDTH_PASSWORD"], settings["RESTCOMM_AUTH_TOKEN"])


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_server_down(run: Any, env: dict[str, str], clean_env: Any) -> None:
    clean_env.setenv("RESTCOMM_BASE_URL", f"http://127.0.0.1:{_closed_port()}/restcomm")
    result = run("calls", "list", "-p", "restcomm", "--max-retries", "0", "--timeout", "2")
    line = assert_one_line_failure(result, ExitCode.UNREACHABLE)
    assert "ConnectError" in line
    assert_no_secret(result, env["RESTCOMM_AUTH_TOKEN"])


def test_credentials_in_a_base_url_are_not_echoed(
    run: Any, env: dict[str, str], clean_env: Any
) -> None:
    url = f"http://someone:{SECRET}@127.0.0.1:{_closed_port()}/restcomm"
    result = run(
        "calls", "list", "-p", "restcomm", "--max-retries", "0", "--restcomm-base-url", url
    )
    assert result.code != 0
    assert_no_secret(result, SECRET)


# -- the command line's own failures ---------------------------------------------------------


def test_internal_error_is_one_line_without_secrets(
    run: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"bug holding {env['RESTCOMM_AUTH_TOKEN']}")

    monkeypatch.setattr("telephony.cli._calls.write_calls", broken)  # the table
    monkeypatch.setattr("telephony.cli._calls.render_page", broken)  # jsonl, csv: page by page
    result = run("calls", "list", "-p", "restcomm", "--limit", "1")
    line = assert_one_line_failure(result, ExitCode.INTERNAL)
    assert "internal error: RuntimeError: bug holding ***" in line
    assert "TELEPHONY_DEBUG" in line
    assert_no_secret(result, env["RESTCOMM_AUTH_TOKEN"])
    monkeypatch.setenv("TELEPHONY_DEBUG", "1")
    debug = run("calls", "list", "-p", "restcomm", "--limit", "1")
    assert debug.code == ExitCode.INTERNAL
    assert "Traceback" in debug.err
    assert_no_secret(debug, env["RESTCOMM_AUTH_TOKEN"])


def test_interrupted(run: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr("telephony.cli._calls.write_calls", interrupted)
    monkeypatch.setattr("telephony.cli._calls.render_page", interrupted)
    result = run("calls", "list", "-p", "bandwidth")
    assert assert_one_line_failure(result, ExitCode.INTERRUPTED) == "telephony: interrupted"


def test_output_closed_early(clean_env: Any) -> None:
    """`telephony calls list | head -1`: exit 141 quietly once the reader is gone."""
    root = Path(__file__).resolve().parents[2]
    # Far more output than a pipe holds, so the writer is still at work when the reader quits.
    with Sandbox(seed_calls=3000, speed=1.0, seed=8) as sandbox:
        process = subprocess.Popen(
            [sys.executable, "-m", "telephony.cli", "calls", "list", "-p", "restcomm",
             "--page-size", "50", "--format", "jsonl"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, **sandbox_env(sandbox), "PYTHONPATH": str(root)},
        )  # fmt: skip
        assert process.stdout is not None
        assert process.stdout.readline().startswith(b'{"provider":"restcomm"')
        process.stdout.close()
        _, err = process.communicate(timeout=30)
    assert process.returncode == ExitCode.BROKEN_PIPE
    assert err == b""
