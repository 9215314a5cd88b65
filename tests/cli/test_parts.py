"""The command line's parts on their own: dates, progress, secrets, exit codes."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime, timedelta

import pytest

import telephony
from telephony.cli import ExitCode
from telephony.cli._config import Redactor, secrets_in
from telephony.cli._dates import parse_since, parse_until
from telephony.cli._exit import classify
from telephony.cli._progress import Progress


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("2024-05-01", utc(2024, 5, 1), utc(2024, 5, 1, 23, 59, 59, 999999)),
        ("2024-05-01T09:30:00", utc(2024, 5, 1, 9, 30), utc(2024, 5, 1, 9, 30)),
        ("2024-05-01T09:30:00Z", utc(2024, 5, 1, 9, 30), utc(2024, 5, 1, 9, 30)),
        ("2024-05-01T09:30:00+02:00", utc(2024, 5, 1, 7, 30), utc(2024, 5, 1, 7, 30)),
    ],
)
def test_dates(text: str, since: datetime, until: datetime) -> None:
    assert parse_since(text) == since
    assert parse_until(text) == until
    assert parse_since(text).tzinfo is UTC


NOW = datetime(2024, 5, 8, 15, 45, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("7d", utc(2024, 5, 1, 15, 45, 30), utc(2024, 5, 1, 15, 45, 30)),
        ("2h", utc(2024, 5, 8, 13, 45, 30), utc(2024, 5, 8, 13, 45, 30)),
        ("30m", utc(2024, 5, 8, 15, 15, 30), utc(2024, 5, 8, 15, 15, 30)),
        ("1w", utc(2024, 5, 1, 15, 45, 30), utc(2024, 5, 1, 15, 45, 30)),
        ("now", NOW, NOW),
        ("today", utc(2024, 5, 8), utc(2024, 5, 8, 23, 59, 59, 999999)),
        ("Yesterday", utc(2024, 5, 7), utc(2024, 5, 7, 23, 59, 59, 999999)),
    ],
)
def test_relative_times_count_back_from_now(text: str, since: datetime, until: datetime) -> None:
    assert parse_since(text, now=NOW) == since
    assert parse_until(text, now=NOW) == until


@pytest.mark.parametrize("text", ["last tuesday", "7x", "2024-13-01", "", "1714550400"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="not a date"):
        parse_since(text)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_live_redraws_in_place_and_clears() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(stream, label="bandwidth calls", enabled=True, live=True, clock=clock)
    seen = []
    for item in progress.track(range(5)):
        seen.append(item)
        clock.now += 0.0625  # a redraw every other item (interval 0.1 s)
    assert seen == [0, 1, 2, 3, 4]
    assert stream.getvalue() == (
        "\rbandwidth calls: 3 calls, 24/s\x1b[K\rbandwidth calls: 5 calls, 20/s\x1b[K"
    )
    progress.finish()
    assert stream.getvalue().endswith("\r\x1b[Kbandwidth calls: 5 calls in 0.3 s (16/s)\n")


def test_progress_into_a_file_writes_lines_each_second() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(stream, label="x", enabled=True, live=False, clock=clock)
    for _ in progress.track(range(30)):
        clock.now += 0.125
    progress.finish()
    assert "\r" not in stream.getvalue()
    assert stream.getvalue().splitlines() == [
        "x: 9 calls, 9/s",
        "x: 17 calls, 8/s",
        "x: 25 calls, 8/s",
        "x: 30 calls in 3.8 s (8/s)",
    ]


def test_progress_after_a_delay_is_silent_until_then() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(stream, label="x", enabled=True, live=False, after=2.0, clock=clock)
    for _ in progress.track(range(30)):
        clock.now += 0.125
    progress.finish()
    assert stream.getvalue().splitlines() == [
        "x: 17 calls, 8/s",
        "x: 25 calls, 8/s",
        "x: 30 calls in 3.8 s (8/s)",
    ]
    quick = Progress(stream := io.StringIO(), label="x", enabled=True, live=True, after=2.0,
                     clock=clock)  # fmt: skip
    list(quick.track(range(3)))
    quick.retrying(reason="429 Too Many Requests", wait=0.5)  # still short: not worth a word
    quick.finish()
    assert stream.getvalue() == ""
    quick.retrying(reason="429 Too Many Requests", wait=5.0)
    assert "waiting 5.0 s to retry (429 Too Many Requests)" in stream.getvalue()


def test_progress_counts_records_scanned_apart_from_calls_kept() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(stream, label="x", enabled=True, live=False, clock=clock)
    for kept in ([], [1], []):  # pages of 100 records read, keeping 0, 1, 0
        clock.now += 1.0
        progress.scan(100)
        list(progress.track(kept))
    progress.finish()
    assert stream.getvalue().splitlines() == [
        "x: scanned 100, kept 0, 100/s",  # a page that kept nothing still moves the line
        "x: scanned 200, kept 0, 100/s",  # shown as the page is read, before its calls
        "x: scanned 300, kept 1, 100/s",
        "x: scanned 300, kept 1 in 3.0 s (100/s)",
    ]


def test_progress_disabled_only_counts() -> None:
    stream = io.StringIO()
    progress = Progress(stream, label="x", enabled=False, live=True)
    assert list(progress.track("abc")) == ["a", "b", "c"]
    progress.finish()
    assert progress.count == 3
    assert stream.getvalue() == ""


def test_secrets_are_found_in_flags_environment_and_urls() -> None:
    argv = [
        "calls", "list", "--bandwidth-password", "pw-from-flag",
        "--restcomm-auth-token=token-inline", "--bandwidth-client-secret",
        "--restcomm-base-url", "https://user:url-password@host/restcomm",
    ]  # fmt: skip
    environ = {"BANDWIDTH_CLIENT_SECRET": "env-secret", "BANDWIDTH_USERNAME": "not-secret"}
    found = secrets_in(argv, environ)
    assert {"pw-from-flag", "token-inline", "env-secret", "url-password"} <= set(found)
    assert "not-secret" not in found


def test_redactor() -> None:
    redact = Redactor(["s3cr3t/+x", "abc", ""])
    assert redact("got s3cr3t/+x and s3cr3t%2F%2Bx") == "got *** and ***"
    assert redact("abc stays: too short to hide") == "abc stays: too short to hide"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (telephony.ValidationError("bad", field="to"), ExitCode.USAGE),
        (telephony.UnsupportedOperationError("no"), ExitCode.USAGE),
        (telephony.AuthenticationError("m", provider="p", status_code=401), ExitCode.AUTH),
        (telephony.PermissionDeniedError("m", provider="p", status_code=403), ExitCode.AUTH),
        (telephony.NotFoundError("m", provider="p", status_code=404), ExitCode.NOT_FOUND),
        (telephony.ConflictError("m", provider="p", status_code=409), ExitCode.CONFLICT),
        (telephony.RateLimitedError("m", provider="p", status_code=429), ExitCode.RATE_LIMITED),
        (telephony.ProviderServerError("m", provider="p", status_code=503), 7),
        (telephony.MalformedResponseError("m", provider="p"), ExitCode.PROVIDER_FAILED),
        (telephony.InvalidRequestError("m", provider="p", status_code=400), ExitCode.REFUSED),
        (telephony.TransportError("down"), ExitCode.UNREACHABLE),
        (telephony.UnsafeRedirectError("elsewhere"), ExitCode.FAILURE),
    ],
)
def test_every_error_has_its_exit_code(error: telephony.TelephonyError, code: int) -> None:
    assert classify(error)[0] == code


def test_exit_codes_are_distinct() -> None:
    values = [code.value for code in ExitCode]
    assert len(values) == len(set(values))


def test_validation_messages_use_the_flags_of_the_command_that_ran() -> None:
    from telephony.cli._exit import flag_names
    from telephony.cli._parser import build_parser

    args, _ = build_parser().parse_known_args(["calls", "list"])
    flags = flag_names(args.command_parser)
    assert flags["started_after"] == "--since"
    assert flags["from_"] == "--from"
    assert flags["max_retries"] == "--max-retries"
    error = telephony.ValidationError(
        "must not be later than started_before", field="started_after"
    )
    assert classify(error, flags)[1] == "invalid --since: must not be later than --until"
    assert classify(telephony.ValidationError("odd"), flags)[1] == "invalid input: odd"


def test_durations_in_the_table() -> None:
    from telephony.cli._output import _span

    assert _span(None) == "-"
    assert _span(timedelta(seconds=3725.4)) == "1:02:05"
