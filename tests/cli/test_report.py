"""``telephony report``: figures equal to the library's over the same calls."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import telephony
import telephony.sandbox
from telephony.cli import ExitCode
from telephony.report import Report, format_table, merge, summarize
from telephony.sandbox import Sandbox

from .conftest import assert_one_line_failure


def library_report(
    sandbox: Sandbox,
    providers: tuple[str, ...] = ("bandwidth", "restcomm"),
    *,
    group_by: tuple[str, ...] = ("provider",),
    **filters: Any,
) -> Report:
    clients = [telephony.connect(name, **sandbox.settings(name)) for name in providers]
    try:
        return summarize(
            merge(*(client.list_calls(**filters) for client in clients)), group_by=group_by
        )
    finally:
        for client in clients:
            client.close()


def test_json_report_matches_the_library(run: Any, env: dict[str, str], sandbox: Sandbox) -> None:
    result = run("report", "-p", "bandwidth", "-p", "restcomm", "--format", "json")
    assert result.code == 0, result
    figures = json.loads(result.out)
    expected = library_report(sandbox).to_dict()
    assert figures == expected
    assert [group["key"]["provider"] for group in figures["groups"]] == ["bandwidth", "restcomm"]
    assert figures["overall"]["calls"] > 100


def test_table_report_is_the_library_table(
    run: Any, env: dict[str, str], sandbox: Sandbox, clean_env: Any
) -> None:
    clean_env.setenv("TELEPHONY_PROVIDER", "bandwidth,restcomm")
    result = run("report", "--format", "table")
    assert result.code == 0, result
    assert result.out == format_table(library_report(sandbox))


def test_time_window_and_grouping(run: Any, env: dict[str, str], sandbox: Sandbox) -> None:
    until = sandbox.now() - timedelta(days=1)
    since = until - timedelta(days=2)
    result = run(
        "report", "-p", "bandwidth,restcomm", "--group-by", "provider,direction",
        "--since", since.isoformat(), "--until", until.isoformat(), "--format", "json",
        "--page-size", "17",
    )  # fmt: skip
    assert result.code == 0, result
    expected = library_report(
        sandbox,
        group_by=("provider", "direction"),
        started_after=since,
        started_before=until,
    )
    assert json.loads(result.out) == expected.to_dict()
    everything = library_report(sandbox)
    assert 0 < expected.overall.calls < everything.overall.calls
    assert len(expected.groups) > 2


def test_one_provider_and_no_groups(run: Any, env: dict[str, str], sandbox: Sandbox) -> None:
    result = run("report", "-p", "restcomm", "--group-by", "none", "--format", "json")
    assert result.code == 0
    expected = library_report(sandbox, ("restcomm",), group_by=())
    assert json.loads(result.out) == expected.to_dict()
    assert expected.to_dict()["groups"] == []


def test_csv_report(run: Any, env: dict[str, str], sandbox: Sandbox) -> None:
    result = run(
        "report", "-p", "bandwidth", "-p", "restcomm", "--group-by", "provider",
        "--group-by", "status", "--format", "csv",
    )  # fmt: skip
    assert result.code == 0
    rows = list(csv.DictReader(io.StringIO(result.out)))
    expected = library_report(sandbox, group_by=("provider", "status"))
    assert len(rows) == len(expected.groups) + 1
    overall = rows[-1]
    assert overall["scope"] == "all"
    assert overall["provider"] == overall["status"] == ""
    assert int(overall["calls"]) == expected.overall.calls
    assert int(overall["answered"]) == expected.overall.answered
    assert float(overall["asr"]) == pytest.approx(expected.overall.asr)
    assert int(overall["status_busy"]) == expected.overall.by_status[telephony.CallStatus.BUSY]
    for row in rows[:-1]:
        summary = expected.groups[(row["provider"], telephony.CallStatus(row["status"]))]
        assert int(row["calls"]) == summary.calls
        assert int(row[f"status_{row['status']}"]) == summary.calls
    cost = dict(reversed(part.split(" ")) for part in overall["cost"].split(";"))
    assert {k: str(v) for k, v in expected.overall.cost.items()} == cost


def test_unknown_grouping(run: Any, env: dict[str, str]) -> None:
    result = run("report", "-p", "bandwidth", "--group-by", "colour")
    line = assert_one_line_failure(result, ExitCode.USAGE)
    assert line.startswith("telephony: --group-by colour: not a column")
    assert "give comma-separated names of provider, id" in line


def test_every_provider_is_checked_before_anything_is_sent(
    run: Any, env: dict[str, str], clean_env: Any, sandbox: Sandbox
) -> None:
    clean_env.delenv("RESTCOMM_AUTH_TOKEN")
    before = sandbox.request_count
    line = assert_one_line_failure(run("report", "-p", "bandwidth,restcomm"), ExitCode.USAGE)
    assert "RESTCOMM_AUTH_TOKEN" in line
    assert sandbox.request_count == before


def test_progress(run: Any, env: dict[str, str]) -> None:
    result = run("report", "-p", "bandwidth", "-p", "restcomm", "--format", "json", "--progress")
    assert result.code == 0
    total = json.loads(result.out)["overall"]["calls"]
    assert result.err_lines[-1].startswith(f"bandwidth+restcomm: {total:,} calls in ")


START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def pinned_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process sandbox of ``report --sandbox``, started at a known instant."""
    real = telephony.sandbox.Sandbox

    def pinned(**kwargs: Any) -> Sandbox:
        return real(start=START, **kwargs)

    monkeypatch.setattr(telephony.sandbox, "Sandbox", pinned)


def test_sandbox_report_matches_the_library(run: Any, clean_env: Any, pinned_sandbox: None) -> None:
    result = run("report", "--sandbox", "--seed-calls", "150", "--seed", "4", "--format", "json")
    assert result.code == 0, result
    with Sandbox(seed_calls=150, seed=4, start=START) as sandbox:
        expected = library_report(sandbox)
    assert json.loads(result.out) == expected.to_dict()
    assert expected.overall.calls > 250


def test_group_by_takes_the_export_column_names(
    run: Any, env: dict[str, str], sandbox: Sandbox
) -> None:
    result = run("report", "-p", "bandwidth", "--group-by", "from", "--format", "json")
    assert result.code == 0, result
    data = json.loads(result.out)
    assert data["group_by"] == ["from"]
    expected = library_report(sandbox, ("bandwidth",), group_by=("from_",))
    assert sorted(group["key"]["from"] for group in data["groups"]) == sorted(
        key[0] for key in expected.groups
    )
