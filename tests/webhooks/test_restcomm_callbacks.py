"""Restcomm's status callbacks read into neutral events: both mechanisms' every status, POST
forms and GET queries, bare keys and ``null``, zone-named time stamps, the path secret and
AccountSid checks, unknown statuses."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

import telephony
from telephony import CallStatus, Direction
from telephony.adapters.restcomm._callbacks import read_timestamp
from tests.webhooks import examples as ex

HOOK = "https://app.example/hooks/rc/8f3a1c/status"
ACCOUNT = "ACae6e420f425248d6a26948c17a9e2acf"
LEG = "ID6f1c0d2b9e8a4c7f8d3e2a1b0c9d8e7f-CA4b2e9d7c1a0f4e3b8c6d5a4f3e2d1c0b"


def deliver(form: str, method: str, **auth: str) -> telephony.CallEvent:
    if method == "GET":
        return telephony.parse_callback(
            "restcomm", method="GET", url=f"{HOOK}?{form}", headers={}, body=b"", **auth
        )
    return telephony.parse_callback(
        "restcomm",
        method="POST",
        url=HOOK,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
        body=form.encode(),
        **auth,
    )


def progress(status: str, **extra: str) -> str:
    fields = {
        "InstanceId": "ID6f1c0d2b9e8a4c7f8d3e2a1b0c9d8e7f",
        "AccountSid": ACCOUNT,
        "CallSid": LEG,
        "From": "+15551230000",
        "To": "+15557650001",
        "Direction": "outbound-api",
        "CallerName": "+15551230000",
        "CallStatus": status,
        "Timestamp": "Tue, 04 Mar 2025 15:10:42 UTC",
        "CallbackSource": "call-progress-events",
        "SequenceNumber": str(["initiated", "ringing", "answered", "completed"].index(status)),
        **extra,
    }
    return urlencode(fields) + "&ForwardedFrom"


METHODS = pytest.mark.parametrize("method", ["POST", "GET"])
MOMENT = datetime(2025, 3, 4, 15, 10, 42, tzinfo=UTC)


@METHODS
def test_the_reference_examples_read_to_their_neutral_values(method: str) -> None:
    answered = deliver(ex.RC_ANSWERED, method)
    assert (answered.event, answered.status, answered.is_terminal) == (
        "answered",
        CallStatus.IN_PROGRESS,
        False,
    )
    assert answered.answered_at == answered.occurred_at == MOMENT
    assert answered.account_id == ACCOUNT
    assert answered.direction is Direction.OUTBOUND_API
    assert answered.raw["ForwardedFrom"] is None  # a bare key: null
    busy = deliver(ex.RC_BUSY, method)
    # completed hides the outcome (busy here): terminal, no status, CallDuration not talk time
    assert (busy.event, busy.status, busy.is_terminal) == ("completed", None, True)
    assert busy.answered_at is None
    assert busy.ended_at == datetime(2025, 3, 4, 15, 20, 5, tzinfo=UTC)
    interpreter = deliver(ex.RC_INTERPRETER_COMPLETED, method)
    assert (interpreter.status, interpreter.is_terminal) == (CallStatus.COMPLETED, True)
    assert interpreter.direction is Direction.INBOUND
    assert interpreter.occurred_at is None  # the interpreter sends no event time
    assert interpreter.raw["CallerName"] == "null"


def test_a_dial_leg_by_get_with_a_zone_id() -> None:
    path = ex.RC_DIAL_RINGING_GET.removeprefix("GET ")
    event = telephony.parse_callback(
        "restcomm", method="GET", url=f"https://app.example{path}", headers={}, body=b""
    )
    assert (event.status, event.direction) == (CallStatus.RINGING, Direction.OUTBOUND_DIAL)
    assert (
        event.parent_id == "ID6f1c0d2b9e8a4c7f8d3e2a1b0c9d8e7f-CA0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    )
    # Athens is UTC+2 in March
    assert event.occurred_at == datetime(2025, 3, 4, 14, 1, 12, tzinfo=UTC)


@METHODS
@pytest.mark.parametrize(
    ("status", "neutral", "terminal"),
    [
        ("initiated", CallStatus.RINGING, False),
        ("ringing", CallStatus.RINGING, False),
        ("answered", CallStatus.IN_PROGRESS, False),
        ("completed", None, True),
    ],
)
def test_every_progress_event(
    method: str, status: str, neutral: CallStatus | None, terminal: bool
) -> None:
    event = deliver(progress(status), method)
    assert (event.event, event.status, event.is_terminal) == (status, neutral, terminal)
    assert event.occurred_at == MOMENT
    assert event.ended_at == (MOMENT if terminal else None)
    assert event.answered_at == (MOMENT if status == "answered" else None)


def test_a_canceled_legs_call_duration_is_never_talk_time() -> None:
    event = deliver(progress("completed", CallDuration="17"), "POST")
    assert (event.status, event.answered_at) == (None, None)


@METHODS
@pytest.mark.parametrize(
    ("status", "neutral"),
    [
        ("queued", CallStatus.QUEUED),
        ("ringing", CallStatus.RINGING),
        ("in-progress", CallStatus.IN_PROGRESS),
        ("completed", CallStatus.COMPLETED),
        ("busy", CallStatus.BUSY),
        ("failed", CallStatus.FAILED),
        ("no-answer", CallStatus.NO_ANSWER),
        ("canceled", CallStatus.CANCELED),
    ],
)
def test_every_interpreter_status(method: str, status: str, neutral: CallStatus) -> None:
    form = urlencode(
        {
            "CallSid": LEG,
            "AccountSid": ACCOUNT,
            "CallStatus": status,
            "ApiVersion": "2012-04-24",
            "Direction": "inbound",
            "CallerName": "null",
        }
    )
    event = deliver(form, method)
    assert (event.status, event.is_terminal) == (neutral, neutral.is_terminal)
    assert event.direction is Direction.INBOUND


def test_unknown_statuses_and_fields_are_kept_without_a_status() -> None:
    event = deliver(progress("ringing") + "&CallStatus2=x&NewThing", "POST")
    assert event.raw["NewThing"] is None
    odd = deliver(urlencode({"CallSid": LEG, "CallStatus": "wait-for-answer-2"}), "POST")
    assert (odd.event, odd.status, odd.is_terminal) == ("wait-for-answer-2", None, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 04 Mar 2025 15:20:05 UTC", datetime(2025, 3, 4, 15, 20, 5, tzinfo=UTC)),
        ("Tue, 04 Mar 2025 15:20:05 Europe/Athens", datetime(2025, 3, 4, 13, 20, 5, tzinfo=UTC)),
        ("Tue, 04 Mar 2025 15:20:05 +0100", datetime(2025, 3, 4, 14, 20, 5, tzinfo=UTC)),
        ("mar., 04 mars 2025 15:20:05 UTC", None),  # a French JVM
        ("Tue, 04 Mar 2025 15:20:05 Mars/Olympus_Mons", None),
        ("Tue, 04 Mar 2025 15:20:05 ../../etc/passwd", None),
        ("Tue, 31 Feb 2025 15:20:05 UTC", None),
        ("2025-03-04T15:20:05Z", None),
        ("", None),
    ],
)
def test_time_stamps_with_zone_ids(text: str, expected: datetime | None) -> None:
    assert read_timestamp(text) == expected


@METHODS
def test_the_path_secret_and_account_are_accepted(method: str) -> None:
    event = deliver(ex.RC_ANSWERED, method, path_secret="8f3a1c", account_sid=ACCOUNT)
    assert event.status is CallStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("url", "form", "auth"),
    [
        ("https://app.example/hooks/rc/status", ex.RC_ANSWERED, {"path_secret": "8f3a1c"}),
        ("https://app.example/hooks/rc/8f3a1/status", ex.RC_ANSWERED, {"path_secret": "8f3a1c"}),
        ("https://app.example/hooks/?s=8f3a1c", ex.RC_ANSWERED, {"path_secret": "8f3a1c"}),
        (HOOK, ex.RC_ANSWERED, {"account_sid": "AC" + "0" * 32}),
        (HOOK, progress("ringing").replace("AccountSid=", "Other="), {"account_sid": ACCOUNT}),
    ],
    ids=["no-secret", "prefix", "in-query", "other-account", "no-account"],
)
def test_requests_failing_the_checks_are_refused(url: str, form: str, auth: dict[str, str]) -> None:
    with pytest.raises(telephony.InvalidCallbackError) as caught:
        telephony.parse_callback(
            "restcomm", method="POST", url=url, headers={}, body=form.encode(), **auth
        )
    assert caught.value.unauthenticated
    assert "8f3a1c" not in str(caught.value)


def test_a_repeated_account_sid_is_refused() -> None:
    form = progress("ringing") + "&AccountSid=ACevil"
    with pytest.raises(telephony.InvalidCallbackError, match="twice"):
        deliver(form, "POST", account_sid=ACCOUNT)


def test_checks_the_provider_does_not_take_are_validation_errors() -> None:
    with pytest.raises(telephony.ValidationError, match="username"):
        deliver(ex.RC_ANSWERED, "POST", username="u")


@pytest.mark.parametrize(
    "body",
    [b"", b"CallStatus=ringing", b"CallSid=CA1", b"CallSid=null&CallStatus=x", b"\xff=1", b"%ff=1"],
)
def test_unreadable_forms_are_invalid_callbacks(body: bytes) -> None:
    with pytest.raises(telephony.InvalidCallbackError):
        telephony.parse_callback("restcomm", method="POST", url=HOOK, headers={}, body=body)
