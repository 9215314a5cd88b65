"""Restcomm error answers (empty, plain text, unescaped <Message> XML) and unreadable or unsafe
success answers, for every operation, through Client and AsyncClient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

import telephony
from telephony.adapters.restcomm import _xml
from telephony.adapters.restcomm._xml import MAX_BODY_BYTES, UnreadableXMLError, parse_xml
from tests.restcomm.fake_server import fixture, sid, text
from tests.support import Both

NEW = telephony.NewCall(
    to="+15559876543", from_="+15551230000", answer_url="https://app.example/rcml"
)
OPERATIONS = ["create", "get", "list", "hangup", "redirect"]


def run(api: Both, operation: str) -> Any:
    return {
        "create": lambda: api.create_call(NEW),
        "get": lambda: api.get_call(sid(1)),
        "list": lambda: api.list_calls(),
        "hangup": lambda: api.hangup(sid(1)),
        "redirect": lambda: api.redirect(sid(1), "https://app.example/next"),
    }[operation]()


@pytest.mark.parametrize(
    ("status", "body", "kind", "message"),
    [
        (400, "From can not be null.", telephony.InvalidRequestError, "From can not be null."),
        (400, "", telephony.InvalidRequestError, "the server refused the request"),
        (401, "", telephony.AuthenticationError, "authentication failed"),
        (
            403,
            "Provided Account is not active",
            telephony.PermissionDeniedError,
            "Provided Account is not active",
        ),
        (404, "", telephony.NotFoundError, "not found"),
        (406, "", telephony.NotFoundError, "no call with this SID"),
        (410, "Call is already completed.", telephony.ConflictError, "Call is already completed."),
        (429, "", telephony.RateLimitedError, "Too Many Requests"),
        (
            500,
            "java.lang.NullPointerException\n\tat org.restcomm.connect.Foo(Foo.java:1)",
            telephony.ProviderServerError,
            "java.lang.NullPointerException",
        ),
        (
            503,
            "<html><body>Service Unavailable</body></html>",
            telephony.ProviderServerError,
            "Service Unavailable",
        ),
    ],
)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_error_statuses(
    make_api: Callable[..., Both],
    operation: str,
    status: int,
    body: str,
    kind: type[telephony.ProviderError],
    message: str,
) -> None:
    api = make_api(lambda request: text(status, body), max_retries=0)
    with pytest.raises(kind) as info:
        run(api, operation)
    err = info.value
    assert (err.provider, err.status_code, err.body) == ("restcomm", status, body)
    assert err.message.startswith(message)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_unescaped_message_xml_error_body(make_api: Callable[..., Both], operation: str) -> None:
    body = fixture("error_message_unescaped.xml")
    api = make_api(lambda request: httpx.Response(400, content=body), max_retries=0)
    with pytest.raises(telephony.InvalidRequestError) as info:
        run(api, operation)
    assert info.value.message == (
        "Can't dial <sip:bob@sip.example.com> & no fallback URL was given"
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (fixture("body_malformed.xml"), "not well-formed"),
        (b"Provided Account is not active", "not well-formed"),
        (b'{"sid": "CA1"}', "not well-formed"),
        (b"<html><body>Login</body></html>", "Call"),
        (b"", "empty"),
        (b"<RestcommResponse><Message>ok</Message></RestcommResponse>", "Call"),
        (fixture("body_billion_laughs.xml"), "DOCTYPE"),
        (fixture("body_external_entity.xml"), "DOCTYPE"),
        (b"<RestcommResponse><Call><Sid>&lol9;</Sid></Call></RestcommResponse>", "entity"),
        (
            b"<RestcommResponse><Call><Sid>CA1</Sid><Duration>six</Duration></Call>"
            b"</RestcommResponse>",
            "Call element",
        ),
        (b"<RestcommResponse><Call/></RestcommResponse>", "Call element"),
    ],
)
@pytest.mark.parametrize("operation", ["create", "get", "list"])
def test_unreadable_success_answers_are_malformed_with_the_body(
    make_api: Callable[..., Both], operation: str, body: bytes, reason: str
) -> None:
    api = make_api(lambda request: httpx.Response(200, content=body))
    with pytest.raises(telephony.MalformedResponseError) as info:
        run(api, operation)
    err = info.value
    assert err.provider == "restcomm"
    assert err.status_code == 200
    assert err.body == body[:4096].decode("utf-8", "replace")
    assert reason in str(err)
    assert not isinstance(err, telephony.ProviderError)


def test_modify_answers_are_not_read(make_api: Callable[..., Both]) -> None:
    # Whatever the server says the call was before the change is ignored, even garbage.
    api = make_api(lambda request: httpx.Response(200, content=b"not xml at all"))
    assert api.redirect(sid(1), "https://app.example/next") is None


def test_hardened_parser_refuses_a_doctype_even_past_the_scan() -> None:
    # The declaration scan runs first; this checks the parser's own refusal behind it.
    import xmltodict  # type: ignore[import-untyped]

    with pytest.raises(UnreadableXMLError, match="document type"):
        xmltodict.parse(b'<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>', expat=_xml._SafeExpat)


def test_size_limit() -> None:
    with pytest.raises(UnreadableXMLError, match="limit"):
        parse_xml(b" " * (MAX_BODY_BYTES + 1))


def test_size_limit_through_the_client(
    make_api: Callable[..., Both], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_xml, "MAX_BODY_BYTES", 2048)
    big = fixture("list_mixed_statuses.xml")
    assert len(big) > 2048
    api = make_api(lambda request: httpx.Response(200, content=big))
    with pytest.raises(telephony.MalformedResponseError, match="limit"):
        api.list_calls()


def test_utf16_answer_with_a_byte_order_mark() -> None:
    body = fixture("call_current_server.xml").decode().replace("UTF-8", "UTF-16").encode("utf-16")
    document = parse_xml(body)
    assert document["RestcommResponse"]["Call"][0]["PriceUnit"] == "USD"


def test_content_type_is_not_trusted(make_api: Callable[..., Both]) -> None:
    body = fixture("call_current_server.xml")
    api = make_api(
        lambda request: httpx.Response(
            200, content=body, headers={"Content-Type": "text/plain; charset=iso-8859-1"}
        )
    )
    assert api.get_call(sid(1)).currency == "USD"
