"""Bad input is a ValidationError naming the field, raised before anything is sent."""

from __future__ import annotations

import asyncio
from typing import Any

import attrs
import httpx
import pytest

import telephony
from telephony.adapters.restcomm import (
    RestcommCallUpdate,
    RestcommOptions,
    modify_call,
    modify_call_async,
)
from tests.restcomm.fake_server import SETTINGS, FakeRestcomm, sid
from tests.support import Both


def new_call(**overrides: Any) -> telephony.NewCall:
    fields: dict[str, Any] = {
        "to": "+15559876543",
        "from_": "+15551230000",
        "answer_url": "https://app.example/rcml",
    }
    return telephony.NewCall(**{**fields, **overrides})


@pytest.mark.parametrize(
    "address",
    [
        "+15559876543",
        "+442071838750",
        "5065",
        "1235",
        "client:alice",
        "client:bob.smith-2",
        "sip:bob@sip.example.com",
        "sip:+15559876543@sip.example.com:5080;transport=tcp",
        "sips:alice@secure.example.com",
    ],
)
@pytest.mark.parametrize("field", ["to", "from_"])
def test_restcomm_addresses_are_accepted(
    api: Both, server: FakeRestcomm, field: str, address: str
) -> None:
    api.create_call(new_call(**{field: address}))
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "address",
    [
        "+0123456789",
        "+1234567890123456",
        "555-987-6543",
        "client:",
        "client:al ice",
        "sip:no-host",
        "bob@sip.example.com",
        "tel:+15559876543",
        "+1555 987 6543",
        "alice",
    ],
)
@pytest.mark.parametrize("field", ["to", "from_"])
def test_other_addresses_are_refused(
    api: Both, server: FakeRestcomm, field: str, address: str
) -> None:
    with pytest.raises(telephony.ValidationError) as info:
        api.create_call(new_call(**{field: address}))
    assert info.value.field == field
    assert server.requests == []


@attrs.frozen
class OtherOptions:
    tag: str = "x"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (OtherOptions(), "options"),
        (RestcommOptions(username="u"), "password"),
        (RestcommOptions(password="p"), "username"),
        (RestcommOptions(username="", password="p"), "username"),
        (RestcommOptions(status_callback_events=["ringing", "hungup"]), "status_callback_events"),
        (RestcommOptions(status_callback_events="ringing"), "status_callback_events"),
        (RestcommOptions(status_callback_events=[]), "status_callback_events"),
    ],
)
def test_bad_options(api: Both, server: FakeRestcomm, options: object, field: str) -> None:
    with pytest.raises(telephony.ValidationError) as info:
        api.create_call(new_call(options=options))
    assert info.value.field == field
    assert server.requests == []


def test_sip_password_is_never_shown() -> None:
    options = RestcommOptions(username="sipuser", password="sip-s3cret")
    assert "sip-s3cret" not in repr(options)
    assert "sip-s3cret" not in repr(new_call(options=options))


@pytest.mark.parametrize(
    "call_id", ["CA1.json", "..", "CA1?Status=completed", "CA1#x", "CA 1", "", "x" * 129]
)
@pytest.mark.parametrize("operation", ["get", "hangup", "redirect"])
def test_call_ids_that_would_change_the_url_are_refused(
    api: Both, server: FakeRestcomm, call_id: str, operation: str
) -> None:
    run = {
        "get": lambda: api.get_call(call_id),
        "hangup": lambda: api.hangup(call_id),
        "redirect": lambda: api.redirect(call_id, "https://app.example/next"),
    }[operation]
    with pytest.raises(telephony.ValidationError) as info:
        run()
    assert info.value.field == "call_id"
    assert server.requests == []


@pytest.mark.parametrize(
    ("url", "method", "field"),
    [
        ("ftp://app.example/x", "POST", "url"),
        ("/relative", "POST", "url"),
        ("https://app.example/x", "PUT", "method"),
    ],
)
def test_bad_redirects(api: Both, server: FakeRestcomm, url: str, method: str, field: str) -> None:
    with pytest.raises(telephony.ValidationError) as info:
        api.redirect(sid(1), url, method=method)
    assert info.value.field == field
    assert server.requests == []


@pytest.mark.parametrize(
    ("update", "field"),
    [
        (RestcommCallUpdate(), "update"),
        (RestcommCallUpdate(url="ftp://x.example/y"), "url"),
        (RestcommCallUpdate(url="https://x.example/y", method="PATCH"), "method"),
        (RestcommCallUpdate(method="GET"), "method"),
        (RestcommCallUpdate(mute="yes"), "mute"),  # type: ignore[arg-type]
        (RestcommCallUpdate(move_connected_call_leg=1), "move_connected_call_leg"),  # type: ignore[arg-type]
        (RestcommCallUpdate(status_callback_url="nope", mute=True), "status_callback_url"),
    ],
)
def test_bad_vendor_updates(update: RestcommCallUpdate, field: str) -> None:
    server = FakeRestcomm()
    transport = httpx.MockTransport(server)
    with (
        telephony.connect("restcomm", transport=transport, **SETTINGS) as client,
        pytest.raises(telephony.ValidationError) as info,
    ):
        modify_call(client, call_id=sid(1), update=update)
    assert info.value.field == field

    async def modify_async() -> None:
        async with telephony.connect_async("restcomm", transport=transport, **SETTINGS) as aclient:
            await modify_call_async(aclient, call_id=sid(1), update=update)

    with pytest.raises(telephony.ValidationError) as info:
        asyncio.run(modify_async())
    assert info.value.field == field
    assert server.requests == []


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({**SETTINGS, "base_url": "rc.example/restcomm"}, "base_url"),
        ({**SETTINGS, "account_sid": "AC/../x"}, "account_sid"),
        ({**SETTINGS, "account_sid": ""}, "account_sid"),
        ({**SETTINGS, "auth_token": ""}, "auth_token"),
        ({"base_url": SETTINGS["base_url"], "account_sid": SETTINGS["account_sid"]}, "settings"),
        ({**SETTINGS, "application_id": "x"}, "settings"),
    ],
)
def test_bad_settings(settings: dict[str, Any], field: str) -> None:
    with pytest.raises(telephony.ValidationError) as info:
        telephony.connect("restcomm", **settings)
    assert info.value.field == field
    assert "rc-token-s3cret" not in str(info.value)


def test_base_url_keeps_its_path() -> None:
    with telephony.connect("restcomm", **{**SETTINGS, "base_url": "https://rc.example/rc/"}) as c:
        assert str(c.adapter.base_url) == "https://rc.example/rc/"
