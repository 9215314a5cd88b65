"""Every Bandwidth operation through Client and AsyncClient against an in-memory server."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

import telephony
from telephony import CallStatus, Direction, NewCall
from telephony.adapters.bandwidth import BandwidthOptions, MachineDetection
from tests.bandwidth.fake_server import ACCOUNT, SETTINGS, FakeBandwidth, record
from tests.support import Both

NEW = NewCall(to="+19195551234", from_="+19195554321", answer_url="https://app.example/answer")


def test_create_call_sends_camel_case_json_and_returns_queued_call(
    api: Both, server: FakeBandwidth
) -> None:
    options = BandwidthOptions(
        priority=2, tag="t1", machine_detection=MachineDetection(mode="async", silence_timeout=5)
    )
    call = api.create_call(
        NewCall(
            to="sip:alice@sip.example",
            from_="+19195554321",
            answer_url="https://app.example/answer",
            answer_method="GET",
            fallback_url="https://app.example/fallback",
            status_callback_url="https://app.example/disconnect",
            ring_timeout=45.5,
            options=options,
        )
    )
    sent = server.requests[-1]
    assert sent.method == "POST"
    assert sent.url.path == f"/api/v2/accounts/{ACCOUNT}/calls"
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.content) == {
        "to": "sip:alice@sip.example",
        "from": "+19195554321",
        "applicationId": SETTINGS["application_id"],
        "answerUrl": "https://app.example/answer",
        "answerMethod": "GET",
        "answerFallbackUrl": "https://app.example/fallback",
        "disconnectUrl": "https://app.example/disconnect",
        "callTimeout": 45.5,
        "machineDetection": {"mode": "async", "silenceTimeout": 5},
        "priority": 2,
        "tag": "t1",
    }
    assert call.id == "c-new"
    assert call.provider == "bandwidth"
    assert call.status is CallStatus.QUEUED
    assert call.direction is Direction.OUTBOUND_API
    assert call.created_at == datetime(2022, 6, 16, 13, 15, 7, 160000, tzinfo=UTC)


def test_application_id_from_options_overrides_default(api: Both, server: FakeBandwidth) -> None:
    api.create_call(
        NewCall(
            to=NEW.to,
            from_=NEW.from_,
            answer_url=NEW.answer_url,
            options=BandwidthOptions(application_id="other-app"),
        )
    )
    assert json.loads(server.requests[-1].content)["applicationId"] == "other-app"


def test_get_call(api: Both, server: FakeBandwidth) -> None:
    call = api.get_call("c-0003")
    assert server.requests[-1].url.path.endswith("/calls/c-0003")
    assert (call.id, call.status, call.account_id) == ("c-0003", CallStatus.COMPLETED, ACCOUNT)
    assert call.duration is not None
    assert call.duration.total_seconds() == 30


def test_hangup_and_redirect_send_update_bodies(api: Both, server: FakeBandwidth) -> None:
    server.records.append(record(99, state="answered", endTime=None, disconnectCause=None))
    assert api.hangup("c-0099") is None
    assert json.loads(server.requests[-1].content) == {"state": "completed"}
    assert api.redirect("c-0099", "https://app.example/next", method="GET") is None
    assert json.loads(server.requests[-1].content) == {
        "state": "active",
        "redirectUrl": "https://app.example/next",
        "redirectMethod": "GET",
    }


def test_replace_bxml_puts_xml(api: Both, server: FakeBandwidth) -> None:
    bxml = '<?xml version="1.0" encoding="UTF-8"?><Bxml><SpeakSentence>Hi</SpeakSentence></Bxml>'
    assert api.replace_bxml("c-0001", bxml) is None
    sent = server.requests[-1]
    assert (sent.method, sent.url.path) == ("PUT", f"/api/v2/accounts/{ACCOUNT}/calls/c-0001/bxml")
    assert sent.headers["Content-Type"] == "application/xml"
    assert sent.content == bxml.encode()


def test_capabilities(api: Both) -> None:
    assert api.client.capabilities.replace_bxml is True
    assert api.client.capabilities.max_page_size == 10000
    assert api.client.provider == "bandwidth"


def test_modify_an_ended_call_is_a_conflict(api: Both) -> None:
    with pytest.raises(telephony.ConflictError) as info:
        api.hangup("c-0001")
    assert info.value.status_code == 409
    # Bandwidth's type is "validation" for 409 too: the neutral class follows the status.
    assert info.value.code == "validation"


def test_unknown_call_is_not_found(api: Both) -> None:
    with pytest.raises(telephony.NotFoundError) as info:
        api.get_call("c-nope")
    assert (info.value.message, info.value.request_id) == ("Call not found", "err-123")


def test_unknown_values_in_a_listing_do_not_crash(make_api: object) -> None:
    weird = [
        record(1, state="parked"),
        record(2, disconnectCause="solar-flare", answerTime=None),
        record(3, direction="lateral"),
    ]
    api = make_api(FakeBandwidth(weird))  # type: ignore[operator]
    calls = api.list_calls()
    assert [c.status for c in calls] == [
        CallStatus.UNKNOWN,
        CallStatus.FAILED,
        CallStatus.COMPLETED,
    ]
    assert calls[0].vendor_status == "parked"
    assert calls[1].disconnect_cause == "solar-flare"
    assert calls[2].direction is Direction.UNKNOWN
    assert calls[2].raw["direction"] == "lateral"
