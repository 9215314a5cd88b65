"""Bad input is a ValidationError naming the field, raised before any request is sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

import telephony
from telephony import NewCall
from telephony.adapters.bandwidth import BandwidthOptions, MachineDetection
from tests.bandwidth.fake_server import FakeBandwidth
from tests.support import Both

OK: dict[str, Any] = {
    "to": "+19195551234",
    "from_": "+19195554321",
    "answer_url": "https://app.example/answer",
}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"to": "9195551234"}, "to"),
        ({"to": "+0123"}, "to"),
        ({"to": "sip:nohost"}, "to"),
        ({"from_": "sip:alice@example.com"}, "from_"),
        ({"from_": ""}, "from_"),
        ({"answer_url": "ftp://app.example/answer"}, "answer_url"),
        ({"answer_url": "/relative"}, "answer_url"),
        ({"answer_url": "https://app.example/" + "a" * 2048}, "answer_url"),
        ({"fallback_url": "app.example"}, "fallback_url"),
        ({"answer_method": "PUT"}, "answer_method"),
        ({"ring_timeout": 0.5}, "ring_timeout"),
        ({"ring_timeout": 301}, "ring_timeout"),
        ({"options": BandwidthOptions(priority=0)}, "priority"),
        ({"options": BandwidthOptions(priority=6)}, "priority"),
        ({"options": BandwidthOptions(callback_timeout=26)}, "callback_timeout"),
        ({"options": BandwidthOptions(tag="x" * 4097)}, "tag"),
        ({"options": BandwidthOptions(display_name="x" * 257)}, "display_name"),
        (
            {"options": BandwidthOptions(machine_detection=MachineDetection(mode="maybe"))},
            "machine_detection.mode",
        ),
        ({"options": object()}, "options"),
    ],
)
def test_create_call_rejects_bad_input_before_sending(
    api: Both, server: FakeBandwidth, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(telephony.ValidationError) as info:
        api.create_call(NewCall(**{**OK, **overrides}))
    assert info.value.field == field
    assert field in str(info.value)
    assert isinstance(info.value, ValueError)
    assert server.requests == []


def test_limits_that_are_allowed(api: Both, server: FakeBandwidth) -> None:
    api.create_call(
        NewCall(**OK, ring_timeout=300, options=BandwidthOptions(priority=1, tag="x" * 4096))
    )
    assert len(server.requests) == 1


def test_missing_application_id(make_api: Any, server: FakeBandwidth) -> None:
    api = make_api(server, application_id=None)
    with pytest.raises(telephony.ValidationError, match="application"):
        api.create_call(NewCall(**OK))
    assert server.requests == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"started_after": datetime(2024, 1, 1)}, "started_after"),
        ({"started_before": datetime(2024, 1, 1)}, "started_before"),
        ({"status": "dialing"}, "status"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 10001}, "page_size"),
        ({"limit": -1}, "limit"),
    ],
)
def test_listing_rejects_bad_input_before_iterating(
    api: Both, server: FakeBandwidth, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(telephony.ValidationError) as info:
        api.client.list_calls(**kwargs)  # raises at the call, not at the first next()
    assert info.value.field == field
    assert server.requests == []


@pytest.mark.parametrize("call_id", ["", "a/b", "   "])
def test_bad_call_ids(api: Both, server: FakeBandwidth, call_id: str) -> None:
    with pytest.raises(telephony.ValidationError):
        api.get_call(call_id)
    assert server.requests == []


def test_redirect_and_bxml_input(api: Both, server: FakeBandwidth) -> None:
    with pytest.raises(telephony.ValidationError, match="url"):
        api.redirect("c-0001", "javascript:alert(1)")
    with pytest.raises(telephony.ValidationError, match="method"):
        api.redirect("c-0001", "https://app.example/x", method="DELETE")
    with pytest.raises(telephony.ValidationError, match="bxml"):
        api.replace_bxml("c-0001", "<Response/>")
    assert server.requests == []


@pytest.mark.parametrize(
    "settings",
    [
        {"account_id": ""},
        {"password": None},
        {"client_id": "id"},  # OAuth half given, plus basic credentials
        {"base_url": "not a url"},
        {"colour": "blue"},
    ],
)
def test_connect_rejects_bad_settings(settings: dict[str, Any]) -> None:
    base = {"account_id": "1", "username": "u", "password": "p"}
    with pytest.raises(telephony.ValidationError):
        telephony.connect("bandwidth", **{**base, **settings})


def test_unknown_provider() -> None:
    with pytest.raises(telephony.ValidationError, match="unknown provider"):
        telephony.connect("twilio-ish")
