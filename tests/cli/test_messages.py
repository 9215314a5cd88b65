"""Every way a bad input reaches a user of the command line: one line, exit code 2, naming the
flag, environment variable or profile key the user typed (never the library's name for it) and
what to do. The providers' settings rows are derived from their descriptions; a property test
throws random argv made of the real flags at ``main`` and sees only documented exit codes."""

from __future__ import annotations

import argparse
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telephony import describe
from telephony.cli import ExitCode, main
from telephony.cli._config import cli_settings
from telephony.cli._dates import parse_since, parse_until
from telephony.cli._parser import build_parser
from telephony.cli._types import non_negative_float, port, positive_float, positive_int, whole
from telephony.report import COLUMNS

from .conftest import ENV_NAMES, assert_one_line_failure

CALL = ["--to", "+15550100002", "--from", "+15557654321", "--answer-url", "https://app.example/a"]
# Library names a message must not show (the user never typed them), as whole words.
INTERNAL = re.compile(
    r"\b(started_after|started_before|from_|page_size|max_retries|max_retry_wait|group_by|"
    r"call_id|answer_url|parent_id|base_url|token_url|account_sid|account_id|application_id|"
    r"next_cursor|field)\b|connect\(|Options\(|Page\.|Traceback"
)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


OFFLINE = f"http://127.0.0.1:{_closed_port()}"


@pytest.fixture
def offline(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """Both providers configured with well-formed settings pointing at a closed port; the
    working directory a fresh folder (for the files some commands write)."""
    values = {
        "BANDWIDTH_ACCOUNT_ID": "9900000",
        "BANDWIDTH_USERNAME": "api-user",
        "BANDWIDTH_PASSWORD": "api-password",
        "BANDWIDTH_APPLICATION_ID": "app-1",
        "BANDWIDTH_BASE_URL": f"{OFFLINE}/bandwidth/api/v2",
        "RESTCOMM_BASE_URL": f"{OFFLINE}/restcomm",
        "RESTCOMM_ACCOUNT_SID": "AC" + "0" * 32,
        "RESTCOMM_AUTH_TOKEN": "restcomm-token",
    }
    for name, value in values.items():
        clean_env.setenv(name, value)
    clean_env.setenv("TELEPHONY_CONFIG", str(tmp_path / "missing.toml"))
    clean_env.chdir(tmp_path)
    return clean_env


def _row(
    argv: str,
    *named: str,
    env: dict[str, str] | None = None,
    todo: str = "",
    typed: tuple[str, ...] = (),
) -> Any:
    """``typed``: words the user may type that look like library names (export columns,
    profile keys)."""
    return pytest.param(argv.split(), env or {}, named, todo, typed, id=argv[:60])


# (argv, environment overrides, what the line must name, a hint of what to do)
ROWS = [
    # calls list
    _row("calls list -p bandwidth --since 2024-06-01 --until 2024-05-01", "--since", "--until"),
    _row("calls list -p bandwidth --since 99999999999d", "--since", todo="too long ago"),
    _row("calls list -p bandwidth --since 2024-13-01", "--since", todo="ISO 8601"),
    _row("calls list -p bandwidth --until soon", "--until", todo="ISO 8601"),
    _row("calls list -p bandwidth --limit -1", "--limit"),
    _row("calls list -p bandwidth --page-size 0", "--page-size"),
    _row("calls list -p bandwidth --page-size 100000", "--page-size", todo="1 to 10000"),
    _row("calls list -p restcomm --page-size 5000", "--page-size", todo="1 to 1000"),
    _row("calls list -p bandwidth --status happy", "--status", todo="choose from"),
    _row("calls list -p bandwidth --parent-id=", "--parent-id"),
    _row("calls list -p bandwidth --cursor garbage", "--cursor", todo="copy the whole cursor"),
    _row("calls list -p restcomm --cursor=", "--cursor", todo="copy the whole cursor"),
    _row("calls list -p bandwidth --cursor c --since 1d", "--cursor", todo="give no others"),
    _row("calls list -p bandwidth --resume nowhere.resume", "--resume nowhere.resume"),
    _row("calls list -p bandwidth --format table --output out.txt", "--output", "--format"),
    _row("calls list -p bandwidth --format csv --output no/such/dir.csv", "--output"),
    _row("calls list -p bandwidth --format parquet", "--output"),
    _row("calls list -p bandwidth --timeout 0", "--timeout"),
    _row("calls list -p bandwidth --timeout 1e300", "--timeout", todo="to 1e+06"),
    _row("calls list -p bandwidth --max-retries 1000", "--max-retries", todo="0 to 100"),
    _row("calls list -p bandwidth --max-retry-wait nan", "--max-retry-wait"),
    _row("calls list -p acme", "--provider", todo="bandwidth"),
    _row("calls list", "TELEPHONY_PROVIDER", todo="pass --provider"),
    _row("calls list", "TELEPHONY_PROVIDER", env={"TELEPHONY_PROVIDER": "acme"}),
    _row("calls list", "TELEPHONY_PROVIDER", env={"TELEPHONY_PROVIDER": "bandwidth,restcomm"}),
    _row("calls list --lim 3", "--lim", todo="telephony calls list --help"),
    # calls create / get / hangup / redirect / replace-bxml
    _row("calls create -p bandwidth --to +15550100002", "--from", "--answer-url"),
    _row(
        "calls create -p bandwidth --to 12 --from +15557654321 --answer-url https://a.b/c", "--to"
    ),
    _row(
        "calls create -p restcomm --to +15550100002 --from x --answer-url https://a.b/c", "--from"
    ),
    _row(
        "calls create -p bandwidth --to +15550100002 --from +15557654321 --answer-url a",
        "--answer-url",
    ),
    _row(
        "calls create -p restcomm " + " ".join(CALL) + " --fallback-url ftp://x", "--fallback-url"
    ),
    _row(
        "calls create -p restcomm " + " ".join(CALL) + " --status-callback-url x",
        "--status-callback-url",
    ),
    _row("calls create -p bandwidth " + " ".join(CALL) + " --ring-timeout 99999", "--ring-timeout"),
    _row("calls create -p bandwidth " + " ".join(CALL) + " --answer-method PUT", "--answer-method"),
    _row(
        "calls create -p bandwidth " + " ".join(CALL),
        "BANDWIDTH_APPLICATION_ID",
        env={"BANDWIDTH_APPLICATION_ID": ""},
        todo="set it",
        typed=("application_id",),  # the profile key
    ),
    _row("calls get -p bandwidth", "CALL_ID"),
    _row("calls get -p bandwidth ../x", "CALL_ID"),
    _row("calls get -p restcomm CAf94f564…0ef794c3ad", "CALL_ID", todo="--wide"),
    _row("calls list -p bandwidth --parent-id c-c7238f2…bbd34c04f7", "--parent-id", todo="--wide"),
    _row("calls hangup -p restcomm a/b", "CALL_ID"),
    _row("calls redirect -p bandwidth c-1 nope", "URL"),
    _row("calls redirect -p restcomm CA1 https://a.b/c --method PUT", "--method"),
    _row("calls replace-bxml -p bandwidth c-1 no-such.xml", "no-such.xml"),
    _row("calls replace-bxml -p restcomm CA1 -", "restcomm", todo="calls redirect"),
    # report
    _row(
        "report -p bandwidth --group-by colour",
        "--group-by colour",
        todo="direction",
        typed=COLUMNS,
    ),
    _row(
        "report -p bandwidth --group-by from_",
        "--group-by from_",
        todo="from",
        typed=(*COLUMNS, "from_"),
    ),
    _row(
        "report -p bandwidth --group-by none,status", "--group-by none", todo="alone", typed=COLUMNS
    ),
    _row("report -p bandwidth --group-by status,status", "--group-by"),
    _row("report -p bandwidth --every month", "--every", todo="choose from"),
    _row("report -p bandwidth --every day --group-by day", "--every", "--group-by"),
    _row("report -p bandwidth --since 2024-06-01 --until 2024-05-01", "--since", "--until"),
    _row("report -p bandwidth --html x.html --group-by provider,status", "--html", "--group-by"),
    _row("report --store nowhere.db", "--store", todo="telephony sync"),
    _row("report --store missing.toml --sandbox", "--store", "--sandbox"),
    _row("report -p bandwidth,acme", "--provider", todo="one of"),
    _row("report --format xml", "--format", todo="choose from"),
    # sync
    _row("sync -p bandwidth", "--store"),
    _row("sync -p bandwidth --store no/such/dir.db", "--store no/such/dir.db"),
    _row("sync -p bandwidth --store . ", "--store ."),
    _row("sync -p bandwidth --store s.db --overlap -5", "--overlap"),
    _row("sync -p bandwidth --store s.db --since 1d", "--since", todo="telephony sync --help"),
    # webhooks, sandbox, completion, profiles
    _row("webhooks listen --port 99999", "--port", todo="0 to 65535"),
    _row("webhooks listen --port 0 --path x", "--path", todo="telephony webhooks listen --help"),
    _row("webhooks listen --port 0 --check password=x", "--check", todo="--provider NAME"),
    _row(
        "webhooks listen --port 0 --provider restcomm --check username=x",
        "--check username",
        todo="path_secret",
        typed=("account_sid",),  # a check name the user types
    ),
    _row(
        "webhooks listen --port 0 --provider bandwidth --check pasword=x",
        "--check pasword",
        todo="password",
    ),
    _row("webhooks listen --port 0 --check secret", "--check", todo="NAME=VALUE"),
    _row("sandbox --port 70000", "--port", todo="0 to 65535"),
    _row("sandbox --speed 0", "--speed"),
    _row("sandbox --drop 2", "--drop", todo="0 to 1"),
    _row("sandbox --drop 0.6 --slow 0.6", "--drop", "--slow", todo="at most 1"),
    _row("sandbox --env --port 0", "--env", "--port"),
    _row("completion tcsh", "shell", todo="bash"),
    _row("demo --seed-calls 99999999999", "--seed-calls", todo="telephony sandbox"),
    _row("calls list --profile lab", "--profile lab", todo="TELEPHONY_CONFIG"),
    _row("calls list", "TELEPHONY_PROFILE=lab", env={"TELEPHONY_PROFILE": "lab"}),
    _row("calls", "ACTION", todo="telephony calls --help"),
]


@pytest.mark.parametrize(("argv", "env", "named", "todo", "typed"), ROWS)
def test_a_bad_input_names_what_the_user_typed(
    run: Any,
    offline: pytest.MonkeyPatch,
    argv: list[str],
    env: dict[str, str],
    named: tuple[str, ...],
    todo: str,
    typed: tuple[str, ...],
) -> None:
    for name, value in env.items():
        offline.setenv(name, value)
    line = assert_one_line_failure(run(*argv), ExitCode.USAGE)
    for name in named:
        assert name in line, line
    assert todo in line
    internal = [found.group(0) for found in INTERNAL.finditer(line)]
    assert set(internal) <= set(typed), line


def _setting_rows() -> Iterator[Any]:
    """Each provider's URL settings, from its description: a malformed value given as the
    variable, as the flag or in a profile names that one source."""
    for provider, shown in cli_settings().items():
        for setting in shown:
            if setting.url:
                yield pytest.param(provider, setting, id=f"{provider}-{setting.env}")


@pytest.mark.parametrize(("provider", "setting"), list(_setting_rows()))
def test_a_malformed_setting_names_its_variable_flag_or_profile_key(
    run: Any, offline: pytest.MonkeyPatch, tmp_path: Path, provider: str, setting: Any
) -> None:
    argv = ["calls", "list", "-p", provider]
    info = describe(provider)
    way = next((way for way in info.credentials if setting.keyword in way.optional), None)
    if way is not None:  # a setting used with one way to authenticate only: take that way
        for other in info.credentials:
            for name in other.settings:
                offline.delenv(info.setting(name).env, raising=False)
        for name in way.settings:
            offline.setenv(info.setting(name).env, f"given-{name}")
    offline.setenv(setting.env, "not-a-url")
    line = assert_one_line_failure(run(*argv), ExitCode.USAGE)
    assert line.startswith(f"telephony: invalid {setting.env}='not-a-url': ")
    assert "correct the variable" in line
    others = [s.env for group in cli_settings().values() for s in group if s.env != setting.env]
    assert not any(re.search(rf"\b{name}\b", line) for name in others), line

    line = assert_one_line_failure(run(*argv, setting.flag, "ftp://x"), ExitCode.USAGE)
    assert line.startswith(f"telephony: invalid {setting.flag} 'ftp://x': ")
    assert "correct the flag" in line

    config = tmp_path / "config.toml"
    keys = {s.keyword: os.environ[s.env] for s in cli_settings()[provider] if s.env in os.environ}
    keys[setting.keyword] = "not-a-url"
    lines = [f'{key} = "{value}"' for key, value in keys.items()]
    config.write_text("[profiles.lab]\n" + f'provider = "{provider}"\n' + "\n".join(lines) + "\n")
    config.chmod(0o600)
    offline.setenv("TELEPHONY_CONFIG", str(config))
    line = assert_one_line_failure(run(*argv, "--profile", "lab"), ExitCode.USAGE)
    assert f"invalid {setting.keyword} 'not-a-url' in profile 'lab' ({config})" in line
    assert "correct it in that file" in line


def test_a_refused_account_sid_names_the_variable(run: Any, offline: pytest.MonkeyPatch) -> None:
    offline.setenv("RESTCOMM_ACCOUNT_SID", "a b")
    line = assert_one_line_failure(run("report", "-p", "restcomm"), ExitCode.USAGE)
    assert line.startswith("telephony: invalid RESTCOMM_ACCOUNT_SID='a b': ")
    assert not INTERNAL.search(line), line


PROFILE = """[profiles.lab]
provider = "restcomm"
base_url = "http://127.0.0.1:9/restcomm"
account_sid = "AC00000000000000000000000000000000"
auth_token = "restcomm-token"
"""


@pytest.mark.parametrize(
    ("text", "mode", "argv", "named"),
    [
        (PROFILE + 'colour = "blue"\n', 0o600, ["--profile", "lab"], ["'colour'", "account_sid"]),
        (PROFILE, 0o644, ["--profile", "lab"], ["chmod 600"]),
        (
            PROFILE,
            0o600,
            ["--profile", "lab", "-p", "bandwidth"],
            ["--profile lab", "leave out -p"],
        ),
        (PROFILE, 0o600, ["--profile", "prod"], ["--profile prod", "no profile 'prod'", "lab"]),
        ("profiles = 3\n", 0o600, ["--profile", "lab"], ["[profiles.NAME]"]),
        ("[profiles\n", 0o600, ["--profile", "lab"], ["not valid TOML", "line 1"]),
    ],
    ids=["unknown-key", "readable-by-others", "other-provider", "no-such", "no-tables", "toml"],
)
def test_a_bad_profiles_file_names_the_file_and_what_to_fix(
    run: Any,
    offline: pytest.MonkeyPatch,
    tmp_path: Path,
    text: str,
    mode: int,
    argv: list[str],
    named: list[str],
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    config.chmod(mode)
    offline.setenv("TELEPHONY_CONFIG", str(config))
    line = assert_one_line_failure(run("calls", "list", *argv), ExitCode.USAGE)
    for name in named:
        assert name in line, line
    if "-p" not in argv:
        assert str(config) in line


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        ("calls list -p restcomm --format parquet --output taken", "--output taken"),
        ("calls list -p restcomm --format parquet --output taken/x", "--output taken/x"),
        ("calls list -p restcomm --format csv --output taken/x.csv", "--output taken/x.csv"),
        ("sync -p bandwidth --store s.db --parquet taken", "--parquet taken"),
        ("sync -p bandwidth --store s.db --parquet taken/x", "--parquet taken/x"),
        ("sync -p bandwidth --store taken/s.db", "--store taken/s.db"),
        ("report --store taken", "--store taken"),
        ("report --sandbox --seed-calls 3 --html taken/r.html", "--html taken/r.html"),
    ],
)
def test_a_file_where_a_folder_is_wanted_is_named_before_anything_is_sent(
    run: Any, offline: pytest.MonkeyPatch, tmp_path: Path, argv: str, named: str
) -> None:
    (tmp_path / "taken").write_text("a file\n")
    line = assert_one_line_failure(run(*argv.split()), ExitCode.USAGE)
    assert named in line, line
    assert not INTERNAL.search(line), line


# -- random argv -----------------------------------------------------------------------------

# Commands that return on their own (``sandbox`` only with --env: it serves otherwise), and the
# flags appended last so that nothing waits: no retry may wait at all.
_COMMANDS = {
    ("calls", "create"): ["--max-retry-wait", "0"],
    ("calls", "get"): ["--max-retry-wait", "0"],
    ("calls", "list"): ["--max-retry-wait", "0"],
    ("calls", "hangup"): ["--max-retry-wait", "0"],
    ("calls", "redirect"): ["--max-retry-wait", "0"],
    ("calls", "replace-bxml"): ["--max-retry-wait", "0"],
    ("report",): ["--max-retry-wait", "0"],
    ("sync",): ["--max-retry-wait", "0"],
    ("sandbox",): ["--env"],
    ("completion",): [],
}
# Long-running or input-reading flags the property test leaves out.
_SKIPPED = {"--help", "--sandbox", "--version", "--seed-calls", "--html"}
DOCUMENTED = {int(code) for code in ExitCode} - {int(ExitCode.INTERNAL)}


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


def _flags(path: tuple[str, ...]) -> list[argparse.Action]:
    command = dict(_commands(build_parser()))[path]
    return [action for action in command._actions if not set(action.option_strings) & _SKIPPED]


_ACTIONS = {path: _flags(path) for path in _COMMANDS}
_VALUES = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["now", "7d", "2h", "0m", "2024-05-01", "2024-05-01T09:30:00+02:00",
                     "bandwidth", "restcomm", "bandwidth,restcomm", "none", "from", "day",
                     "csv", "jsonl", "parquet", "table", "json", "x.db", "out/x", ".", "-",
                     f"{OFFLINE}/a", "+15550100002", "c-1", "CA1", ""]),
)  # fmt: skip


_PLAUSIBLE = {
    whole: st.integers(0, 300).map(str),
    positive_int: st.integers(1, 300).map(str),
    port: st.integers(0, 70000).map(str),
    positive_float: st.floats(0.001, 100).map(str),
    non_negative_float: st.floats(0, 100).map(str),
    parse_since: st.sampled_from(["2024-05-01", "7d", "now", "yesterday"]),
    parse_until: st.sampled_from(["2024-05-31", "1h", "now", "today"]),
}


_URL = st.sampled_from([f"{OFFLINE}/a", "nope"])  # never a host off this machine
_BY_NAME = {
    "call_id": st.sampled_from(["c-1", "CA" + "1" * 32, "../x"]),
    "url": _URL,
    "source": st.sampled_from(["-", "x.xml", "."]),
    "to": st.sampled_from(["+15550100002", "sip:a@b.example", "12"]),
    "from_": st.sampled_from(["+15557654321", "x"]),
    "store": st.sampled_from(["calls.db", ".", "no/such.db"]),
    "output": st.sampled_from(["out.csv", "out", "no/such/x"]),
}


def _value(action: argparse.Action) -> st.SearchStrategy[str]:
    """Mostly a value the flag could take (its choices, a number of its type), so that many
    commands get past the parser to the library and the network; else anything."""
    plausible = _BY_NAME.get(action.dest)
    if plausible is None:
        plausible = _PLAUSIBLE.get(action.type)  # type: ignore[arg-type]
    if action.dest.endswith("_url"):
        plausible = _URL
    if action.choices:
        plausible = st.sampled_from([str(choice) for choice in action.choices])
    if plausible is None:
        return _VALUES
    return st.sampled_from([plausible] * 4 + [_VALUES]).flatmap(lambda chosen: chosen)


@st.composite
def _argv(draw: st.DrawFn) -> list[str]:
    path = draw(st.sampled_from(sorted(_COMMANDS)))
    argv = list(path)
    actions = _ACTIONS[path]
    # Positionals and required flags nearly always, then any flags.
    needed = [a for a in actions if not a.option_strings or a.required]
    chosen = [a for a in needed if draw(st.integers(0, 9))]
    chosen += draw(st.lists(st.sampled_from(actions), max_size=5))
    for action in chosen:
        if action.option_strings:
            argv.append(draw(st.sampled_from(action.option_strings)))
            if action.nargs != 0:
                argv.append(draw(_value(action)))
        else:
            argv.append(draw(_value(action)))
    return [arg for arg in argv if arg != "--"] + _COMMANDS[path]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=_argv(), provider=st.sampled_from(["bandwidth", "restcomm", "bandwidth,restcomm"]))
def test_random_arguments_give_only_documented_exit_codes(
    offline: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], provider: str
) -> None:
    offline.setenv("TELEPHONY_PROVIDER", provider)
    code = main(argv)
    err = capsys.readouterr().err
    assert code in DOCUMENTED, (argv, err)
    assert "Traceback" not in err, (argv, err)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=_argv(), provider=st.sampled_from(["bandwidth", "restcomm", "bandwidth,restcomm"]))
def test_random_arguments_against_a_sandbox_give_only_documented_exit_codes(
    env: dict[str, str],
    clean_env: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    provider: str,
) -> None:
    """The same, with answers: what follows a listing (files written, tables, stores) too."""
    clean_env.chdir(tmp_path)
    clean_env.setenv("TELEPHONY_PROVIDER", provider)
    code = main(argv)
    err = capsys.readouterr().err
    assert code in DOCUMENTED, (argv, err)
    assert "Traceback" not in err, (argv, err)


def test_the_offline_environment_has_every_name_cleaned() -> None:
    # The fixtures above rely on clean_env knowing every variable the CLI reads.
    every = {s.env for group in cli_settings().values() for s in group}
    assert every <= set(ENV_NAMES)
