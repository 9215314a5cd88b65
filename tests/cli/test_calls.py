"""``telephony calls ...`` against the in-process sandbox, both providers."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import timedelta
from typing import Any

import pytest

import telephony
from telephony.cli._progress import LONG_LISTING
from telephony.report import COLUMNS
from telephony.sandbox import Sandbox

from .conftest import Result

PROVIDERS = ["bandwidth", "restcomm"]
ANSWERED = "+15550100001"
STAYS_UP = "+15550100007"
CALLER = "+15557654321"
ANSWER_URL = "https://app.example/answer"


class Terminal(io.StringIO):
    """A captured stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def client(sandbox: Sandbox, provider: str) -> telephony.Client:
    return telephony.connect(provider, **sandbox.settings(provider))


def jsonl(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.out.splitlines()]


def create(run: Any, provider: str, to: str = ANSWERED, *extra: str) -> dict[str, Any]:
    result = run(
        "calls", "create", "-p", provider, "--to", to, "--from", CALLER,
        "--answer-url", ANSWER_URL, "--format", "jsonl", *extra,
    )  # fmt: skip
    assert result.code == 0, result
    [record] = jsonl(result)
    return record


@pytest.mark.parametrize("provider", PROVIDERS)
def test_create_then_get(run: Any, env: dict[str, str], provider: str) -> None:
    record = create(run, provider, ANSWERED, "--ring-timeout", "25")
    assert list(record) == list(COLUMNS)
    assert record["provider"] == provider
    assert record["to"] == ANSWERED
    assert record["from"] == CALLER
    assert record["direction"] == "outbound-api"
    got = run("calls", "get", "-p", provider, record["id"], "--format", "jsonl")
    assert got.code == 0
    [again] = jsonl(got)
    assert again["id"] == record["id"]
    assert again["to"] == ANSWERED


def test_provider_from_environment(run: Any, env: dict[str, str], clean_env: Any) -> None:
    clean_env.setenv("TELEPHONY_PROVIDER", "restcomm")
    record = create(run, "restcomm")
    result = run("calls", "get", record["id"], "--format", "csv")
    assert result.code == 0
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == list(COLUMNS)
    assert rows[1][COLUMNS.index("id")] == record["id"]
    assert rows[1][COLUMNS.index("provider")] == "restcomm"


def test_flags_override_environment(run: Any, env: dict[str, str], clean_env: Any) -> None:
    clean_env.setenv("RESTCOMM_ACCOUNT_SID", "AC" + "0" * 32)  # an account the sandbox lacks
    result = run(
        "calls", "list", "-p", "restcomm", "--limit", "1", "--format", "jsonl",
        "--restcomm-account-sid", env["RESTCOMM_ACCOUNT_SID"],
    )  # fmt: skip
    assert result.code == 0, result
    assert len(jsonl(result)) == 1


def test_get_as_table_lists_every_field(run: Any, env: dict[str, str]) -> None:
    record = create(run, "bandwidth")
    result = run("calls", "get", "-p", "bandwidth", record["id"], "--format", "table")
    assert result.code == 0
    lines = result.out.splitlines()
    assert [line.split()[0] for line in lines] == list(COLUMNS)
    assert lines[COLUMNS.index("id")].split()[1] == record["id"]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "table"])
def test_list_matches_the_library(
    run: Any, env: dict[str, str], sandbox: Sandbox, provider: str, fmt: str
) -> None:
    result = run(
        "calls", "list", "-p", provider, "--limit", "23", "--page-size", "7", "--format", fmt
    )
    assert result.code == 0, result
    with client(sandbox, provider) as api:
        expected = [call.id for call in api.list_calls(limit=23, page_size=7)]
    assert len(expected) == 23
    if fmt == "jsonl":
        ids = [record["id"] for record in jsonl(result)]
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(result.out)))
        assert rows[0] == list(COLUMNS)
        ids = [row[COLUMNS.index("id")] for row in rows[1:]]
    else:
        lines = result.out.splitlines()
        assert lines[0].split()[:4] == ["provider", "id", "direction", "status"]
        assert set(lines[1]) <= {"-", " "}
        ids = [line.split()[1] for line in lines[2:]]
    assert ids == expected


@pytest.mark.parametrize("provider", PROVIDERS)
def test_list_filters_match_the_library(
    run: Any, env: dict[str, str], sandbox: Sandbox, provider: str
) -> None:
    with client(sandbox, provider) as api:
        sample = list(api.list_calls(limit=40))
        middle = sample[10].started_at
        assert middle is not None
        since, until = middle - timedelta(hours=12), middle + timedelta(hours=12)
        expected = [
            call.id
            for call in api.list_calls(
                status=["busy", "completed"], started_after=since, started_before=until
            )
        ]
    assert expected
    result = run(
        "calls", "list", "-p", provider, "--status", "busy", "--status", "completed",
        "--since", since.isoformat(), "--until", until.isoformat(), "--format", "jsonl",
    )  # fmt: skip
    assert result.code == 0, result
    records = jsonl(result)
    assert [r["id"] for r in records] == expected
    assert {r["status"] for r in records} <= {"busy", "completed"}


def test_list_to_and_parent_filters(run: Any, env: dict[str, str], sandbox: Sandbox) -> None:
    with client(sandbox, "restcomm") as api:
        calls = list(api.list_calls())
    child = next(call for call in calls if call.parent_id)
    target = calls[3].to
    assert target
    by_parent = run(
        "calls", "list", "-p", "restcomm", "--parent-id", child.parent_id, "--format", "jsonl"
    )
    assert child.id in [r["id"] for r in jsonl(by_parent)]
    assert {r["parent_id"] for r in jsonl(by_parent)} == {child.parent_id}
    by_to = run("calls", "list", "-p", "restcomm", "--to", target, "--format", "jsonl")
    assert jsonl(by_to)
    assert {r["to"] for r in jsonl(by_to)} == {target}


def test_naive_dates_are_utc_and_a_date_alone_covers_the_day(
    run: Any, env: dict[str, str], sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A local time zone far from UTC, so reading naive times as local time would miss.
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        with client(sandbox, "bandwidth") as api:
            first = next(iter(api.list_calls()))
        assert first.started_at is not None
        day = first.started_at.date().isoformat()
        second = timedelta(seconds=1)
        naive_since = (first.started_at - second).replace(tzinfo=None).isoformat()
        naive_until = (first.started_at + second).replace(tzinfo=None).isoformat()
        for since, until in ((naive_since, naive_until), (day, day)):
            result = run(
                "calls", "list", "-p", "bandwidth", "--since", since, "--until", until,
                "--format", "jsonl",
            )  # fmt: skip
            assert result.code == 0, result
            assert first.id in [r["id"] for r in jsonl(result)]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_default_format_is_jsonl_when_piped_and_a_table_on_a_terminal(
    run: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    piped = run("calls", "list", "-p", "bandwidth", "--limit", "2")
    assert [json.loads(line)["provider"] for line in piped.out.splitlines()] == ["bandwidth"] * 2
    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    monkeypatch.setenv("COLUMNS", "200")  # wide enough for every column
    result = run("calls", "list", "-p", "bandwidth", "--limit", "2")
    assert result.code == 0
    lines = terminal.getvalue().splitlines()
    assert lines[0].startswith("provider")
    assert len(lines) == 4


def test_empty_listing_says_so_in_table_format(run: Any, env: dict[str, str]) -> None:
    result = run("calls", "list", "-p", "bandwidth", "--to", "+19999999999", "--format", "table")
    assert result.code == 0
    assert result.out == ""
    assert result.err == "no calls\n"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_hangup_ends_a_live_call(
    run: Any, env: dict[str, str], sandbox: Sandbox, provider: str
) -> None:
    record = create(run, provider, STAYS_UP)
    sandbox.advance(20)  # queued, rang, answered: now talking for an hour
    result = run("calls", "hangup", "-p", provider, record["id"])
    assert result.code == 0, result
    assert result.out == ""
    assert record["id"] in result.err
    [after] = jsonl(run("calls", "get", "-p", provider, record["id"], "--format", "jsonl"))
    assert after["status"] == "completed"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_redirect_a_live_call(
    run: Any, env: dict[str, str], sandbox: Sandbox, provider: str
) -> None:
    record = create(run, provider, STAYS_UP)
    sandbox.advance(20)
    result = run(
        "calls", "redirect", "-p", provider, record["id"], "https://app.example/next",
        "--method", "GET",
    )  # fmt: skip
    assert result.code == 0, result
    assert "redirected to https://app.example/next" in result.err
    [after] = jsonl(run("calls", "get", "-p", provider, record["id"], "--format", "jsonl"))
    assert after["status"] == "in-progress"


BXML = '<?xml version="1.0" encoding="UTF-8"?><Bxml><SpeakSentence>hi</SpeakSentence></Bxml>'


def test_replace_bxml_from_a_file_and_from_stdin(
    run: Any,
    env: dict[str, str],
    sandbox: Sandbox,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = create(run, "bandwidth", STAYS_UP)
    sandbox.advance(20)
    document = tmp_path / "next.xml"
    document.write_text(BXML)
    result = run("calls", "replace-bxml", "-p", "bandwidth", record["id"], str(document))
    assert result.code == 0, result
    assert "BXML replaced" in result.err
    monkeypatch.setattr("sys.stdin", io.StringIO(BXML))
    assert run("calls", "replace-bxml", "-p", "bandwidth", record["id"], "-").code == 0


def test_progress_is_reported_on_stderr_when_asked(run: Any, env: dict[str, str]) -> None:
    result = run(
        "calls", "list", "-p", "restcomm", "--limit", "30", "--format", "jsonl", "--progress"
    )
    assert result.code == 0
    assert len(result.out.splitlines()) == 30
    assert result.err_lines[-1].startswith("restcomm calls: 30 calls in ")
    assert "/s)" in result.err_lines[-1]
    quiet = run("calls", "list", "-p", "restcomm", "--limit", "3", "--format", "jsonl")
    assert quiet.err == ""


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("fmt", ["table", "jsonl"])
def test_progress_of_a_filtered_scan_says_scanned_and_kept(
    run: Any, env: dict[str, str], sandbox: Sandbox, provider: str, fmt: str
) -> None:
    # Two statuses are refined on the client by both adapters: every call is read, few kept.
    with client(sandbox, provider) as api:
        every = len(list(api.list_calls()))
        busy = len(list(api.list_calls(status=["busy", "failed"])))
    assert 0 < busy < every
    result = run(
        "calls", "list", "-p", provider, "--status", "busy", "--status", "failed",
        "--page-size", "50",
        "--format", fmt, "--progress",
    )  # fmt: skip
    assert result.code == 0, result
    assert result.err_lines[-1].startswith(
        f"{provider} calls: scanned {every:,}, kept {busy:,} in "
    )


def test_progress_shows_by_default_once_a_listing_runs_long(
    run: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    quick = run("calls", "list", "-p", "bandwidth", "--limit", "5", "--format", "csv")
    assert quick.code == 0
    assert terminal.getvalue() == ""  # a quick listing stays quiet
    # "Long" from the first call on: the line shows, terminal or not.
    monkeypatch.setitem(LONG_LISTING, True, 0.0)
    monkeypatch.setitem(LONG_LISTING, False, 0.0)
    result = run("calls", "list", "-p", "bandwidth", "--limit", "5", "--format", "csv")
    assert result.code == 0
    assert "5 calls in" in terminal.getvalue()
    monkeypatch.setattr("sys.stderr", piped := io.StringIO())
    run("calls", "list", "-p", "bandwidth", "--limit", "5", "--format", "csv")
    assert "bandwidth calls: 5 calls in" in piped.getvalue()
    assert len(result.out.splitlines()) == 6


def test_table_fits_the_terminal_unless_wide(
    run: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = ("calls", "list", "-p", "bandwidth", "--limit", "8")
    full = [json.loads(line) for line in run(*listing, "--format", "jsonl").out.splitlines()]
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr("sys.stdout", screen := Terminal())
    assert run(*listing).code == 0
    lines = screen.getvalue().splitlines()
    assert len(lines) == 10  # header, rule, 8 calls
    assert max(len(line) for line in lines) <= 80
    assert lines[0].split()[:3] == ["id", "status", "from"]  # provider, price... dropped
    for record, line in zip(full, lines[2:], strict=True):  # ids shortened in the middle
        head, tail = line.split()[0].split("…")
        assert record["id"].startswith(head)
        assert record["id"].endswith(tail)

    monkeypatch.setattr("sys.stdout", wide := Terminal())
    assert run(*listing, "--wide").code == 0
    assert max(len(line) for line in wide.getvalue().splitlines()) > 80
    assert all(record["id"] in wide.getvalue() for record in full)
