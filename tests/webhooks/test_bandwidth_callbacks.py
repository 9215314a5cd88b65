"""Bandwidth's call-event webhooks read into neutral events: every documented event, POST and
GET, every documented cause, Basic credentials accepted and refused, unknown events."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest

import telephony
from telephony import CallStatus, Direction
from tests.webhooks import examples as ex

HOOK = "https://app.example/hooks/bandwidth"


def post(body: dict[str, Any], **auth: str) -> telephony.CallEvent:
    return telephony.parse_callback(
        "bandwidth",
        method="POST",
        url=HOOK,
        headers={"Content-Type": "application/json"},
        body=json.dumps(body).encode(),
        **auth,
    )


def get(body: dict[str, Any]) -> telephony.CallEvent:
    flat = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in body.items()}
    return telephony.parse_callback(
        "bandwidth", method="GET", url=f"{HOOK}?{urlencode(flat)}", headers={}, body=b""
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize("deliver", [post, get], ids=["POST", "GET"])
@pytest.mark.parametrize(
    ("body", "status", "terminal", "direction"),
    [
        (ex.INITIATE, CallStatus.RINGING, False, Direction.INBOUND),
        (ex.ANSWER, CallStatus.IN_PROGRESS, False, Direction.OUTBOUND_API),
        (ex.DISCONNECT_BUSY, CallStatus.BUSY, True, Direction.OUTBOUND_API),
        (ex.DISCONNECT_HANGUP, CallStatus.COMPLETED, True, Direction.INBOUND),
        (ex.REDIRECT, CallStatus.IN_PROGRESS, False, Direction.OUTBOUND_API),
        (ex.TRANSFER_COMPLETE, None, False, Direction.INBOUND),
        (ex.MACHINE_DETECTION, CallStatus.IN_PROGRESS, False, Direction.OUTBOUND_API),
        (ex.TRANSFER_DISCONNECT, CallStatus.COMPLETED, True, Direction.OUTBOUND_DIAL),
    ],
    ids=lambda v: v["eventType"] + "-" + str(v.get("cause", "")) if isinstance(v, dict) else "",
)
def test_every_documented_event_reads_to_its_neutral_values(
    deliver: Any, body: dict[str, Any], status: CallStatus | None, terminal: bool, direction: Any
) -> None:
    event = deliver(body)
    assert event.provider == "bandwidth"
    assert event.event == body["eventType"]
    assert event.call_id == body["callId"]
    assert event.parent_id == body.get("parentCallId")
    assert event.account_id == "9900000"
    assert event.status is status
    assert event.is_terminal is terminal
    assert event.direction is direction
    assert event.occurred_at == at(body["eventTime"])
    answer = body.get("answerTime")
    assert event.answered_at == (at(answer) if answer else None)
    assert event.ended_at == (at(body["endTime"]) if terminal else None)
    # The cause of transferComplete is the B-leg's: never the A-leg's disconnect cause.
    assert event.disconnect_cause == (body.get("cause") if terminal else None)
    assert event.raw["eventType"] == body["eventType"]


def test_transfer_answer_is_the_b_leg_in_progress() -> None:
    body = dict(ex.TRANSFER_DISCONNECT, eventType="transferAnswer")
    for key in ("endTime", "cause"):
        del body[key]
    event = post(body)
    assert (event.status, event.is_terminal) == (CallStatus.IN_PROGRESS, False)
    assert event.parent_id == ex.TRANSFER_DISCONNECT["parentCallId"]
    assert event.direction is Direction.OUTBOUND_DIAL


@pytest.mark.parametrize(
    ("cause", "answered", "status"),
    [
        ("hangup", True, CallStatus.COMPLETED),
        ("hangup", False, CallStatus.CANCELED),
        ("busy", False, CallStatus.BUSY),
        ("timeout", False, CallStatus.NO_ANSWER),
        ("cancel", False, CallStatus.CANCELED),
        ("rejected", False, CallStatus.REJECTED),
        ("callback-error", True, CallStatus.FAILED),
        ("invalid-bxml", True, CallStatus.FAILED),
        ("application-error", True, CallStatus.FAILED),
        ("account-limit", False, CallStatus.FAILED),
        ("node-capacity-exceeded", False, CallStatus.FAILED),
        ("error", False, CallStatus.FAILED),
        ("unknown", False, CallStatus.FAILED),
        ("a-cause-added-later", True, CallStatus.COMPLETED),
        ("a-cause-added-later", False, CallStatus.FAILED),
    ],
)
def test_disconnect_causes_read_like_the_records(
    cause: str, answered: bool, status: CallStatus
) -> None:
    body = dict(ex.DISCONNECT_HANGUP, cause=cause)
    if not answered:
        body["answerTime"] = None
    event = post(body)
    assert event.status is status
    assert event.is_terminal
    assert event.disconnect_cause == cause


@pytest.mark.parametrize(
    ("value", "answered_by"),
    [
        ("human", "human"),
        ("answering-machine", "machine"),
        ("tone-detected", "machine"),
        ("silence", None),
        ("timeout", None),
        ("error", None),
    ],
)
def test_machine_detection_says_who_answered(value: str, answered_by: str | None) -> None:
    body = dict(ex.MACHINE_DETECTION, machineDetectionResult={"value": value, "duration": "PT1S"})
    assert post(body).answered_by == answered_by
    assert get(body).answered_by == answered_by


def test_a_get_query_with_flattened_nested_keys_is_read_too() -> None:
    query = urlencode(
        {
            "eventType": "answer",
            "callId": "c-1",
            "machineDetectionResult[value]": "answering-machine",
            "machineDetectionResult[duration]": "PT5.5612938S",
        }
    )
    event = telephony.parse_callback(
        "bandwidth", method="GET", url=f"{HOOK}?{query}", headers={}, body=b""
    )
    assert event.answered_by == "machine"


def test_unknown_events_and_fields_are_kept_without_a_status() -> None:
    body = dict(ex.REDIRECT, eventType="conferenceCompleted", brandNewField={"x": [1, 2]})
    event = post(body)
    assert (event.event, event.status, event.is_terminal) == ("conferenceCompleted", None, False)
    assert event.raw["brandNewField"] == {"x": [1, 2]}
    with pytest.raises(TypeError):
        event.raw["eventType"] = "changed"  # type: ignore[index]


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_basic_credentials_set_on_the_call_are_accepted() -> None:
    event = telephony.parse_callback(
        "bandwidth",
        method="POST",
        url=HOOK,
        headers=basic("hooks", "s3cr:et é"),
        body=json.dumps(ex.ANSWER).encode(),
        username="hooks",
        password="s3cr:et é",
    )
    assert event.status is CallStatus.IN_PROGRESS


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("hooks", "wrong"),
        basic("other", "s3cret"),
        basic("hooks", "s3cret" + "x"),
        {"Authorization": "Bearer s3cret"},
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:x").decode()},
    ],
    ids=["none", "password", "user", "longer", "bearer", "garbage", "no-colon", "not-utf8"],
)
def test_requests_without_the_credentials_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(telephony.InvalidCallbackError) as caught:
        telephony.parse_callback(
            "bandwidth",
            method="POST",
            url=HOOK,
            headers=headers,
            body=json.dumps(ex.ANSWER).encode(),
            username="hooks",
            password="s3cret",
        )
    assert caught.value.unauthenticated
    assert "s3cret" not in str(caught.value)


def test_half_a_credential_pair_is_a_validation_error() -> None:
    with pytest.raises(telephony.ValidationError, match="password"):
        post(ex.ANSWER, username="hooks")


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'"text"',
        b"{}",
        json.dumps({"eventType": "answer"}).encode(),
        json.dumps({"callId": "c-1"}).encode(),
        json.dumps({"eventType": 7, "callId": "c-1"}).encode(),
        json.dumps({"eventType": "answer", "callId": ["c-1"]}).encode(),
        json.dumps({"eventType": "answer", "callId": "c-1", "cause": 3}).encode(),
        json.dumps({"eventType": "answer", "callId": "c-1", "eventTime": "yesterday"}).encode(),
        b"\xff\xfe{}",
        b"[" * 100_000,
    ],
)
def test_unreadable_bodies_are_invalid_callbacks(body: bytes) -> None:
    with pytest.raises(telephony.InvalidCallbackError) as caught:
        telephony.parse_callback("bandwidth", method="POST", url=HOOK, headers={}, body=body)
    assert not caught.value.unauthenticated
