"""The WSGI and ASGI receivers answer each vendor what it expects, hand the application every
accepted event, and refuse the rest, with no web framework."""

from __future__ import annotations

import base64
import io
import json
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import anyio
import pytest

import telephony
from telephony.webhooks import ASGIApp, WSGIApp
from tests.webhooks import examples as ex

AUTH = "Basic " + base64.b64encode(b"hooks:s3cret").decode()


def wsgi(
    app: WSGIApp, method: str, path: str, body: bytes = b"", **headers: str
) -> tuple[str, dict[str, str], bytes]:
    path, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper()] = value
    setup_testing_defaults(environ)
    answered: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answered.update(status=status, headers=dict(headers))

    out = b"".join(app(environ, start_response))
    return answered["status"], answered["headers"], out


def asgi(
    app: ASGIApp, method: str, path: str, body: bytes = b"", **headers: str
) -> tuple[int, dict[str, str], bytes]:
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"127.0.0.1")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    sent: list[dict[str, Any]] = []
    chunks = [body[:10], body[10:]]

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    anyio.run(app, scope, receive, send)
    start, answer = sent
    found = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], found, answer["body"]


def test_bandwidth_over_wsgi_answers_bxml_where_it_waits_for_some() -> None:
    seen: list[telephony.CallEvent] = []
    app = WSGIApp(seen.append, provider="bandwidth", username="hooks", password="s3cret")
    status, headers, body = wsgi(
        app, "POST", "/hooks", json.dumps(ex.ANSWER).encode(), Authorization=AUTH
    )
    assert status == "200 OK"
    assert headers["Content-Type"] == "application/xml"
    assert b"<Response/>" in body
    status, _, body = wsgi(
        app, "POST", "/hooks", json.dumps(ex.DISCONNECT_BUSY).encode(), Authorization=AUTH
    )
    assert (status, body) == ("200 OK", b"")
    assert [e.status for e in seen] == [telephony.CallStatus.IN_PROGRESS, telephony.CallStatus.BUSY]


def test_bandwidth_without_credentials_gets_a_basic_challenge() -> None:
    seen: list[telephony.CallEvent] = []
    app = WSGIApp(seen.append, provider="bandwidth", username="hooks", password="s3cret")
    status, headers, _ = wsgi(app, "POST", "/hooks", json.dumps(ex.ANSWER).encode())
    assert status == "401 Unauthorized"
    assert headers["WWW-Authenticate"].startswith("Basic")
    assert seen == []


def test_the_handlers_bxml_is_sent_back() -> None:
    bxml = '<?xml version="1.0"?><Response><SpeakSentence>hi</SpeakSentence></Response>'
    app = WSGIApp(lambda event: bxml, provider="bandwidth")
    _, headers, body = wsgi(app, "POST", "/", json.dumps(ex.ANSWER).encode())
    assert body == bxml.encode()
    assert headers["Content-Type"] == "application/xml"


def test_restcomm_by_get_and_post_and_refused_without_the_secret() -> None:
    seen: list[telephony.CallEvent] = []
    app = WSGIApp(seen.append, provider="restcomm", path_secret="8f3a1c")
    status, _, body = wsgi(app, "POST", "/rc/8f3a1c/status", ex.RC_BUSY.encode())
    assert (status, body) == ("200 OK", b"")
    status, _, _ = wsgi(app, "GET", "/rc/8f3a1c/status?" + ex.RC_ANSWERED)
    assert status == "200 OK"
    status, _, _ = wsgi(app, "POST", "/rc/guess/status", ex.RC_BUSY.encode())
    assert status == "403 Forbidden"
    assert [e.event for e in seen] == ["completed", "answered"]


def test_one_app_serves_every_provider_by_its_path() -> None:
    seen: list[telephony.CallEvent] = []
    app = WSGIApp(seen.append, checks={"restcomm": {"account_sid": "AC" + "0" * 32}})
    assert wsgi(app, "POST", "/bandwidth/x", json.dumps(ex.ANSWER).encode())[0] == "200 OK"
    assert wsgi(app, "POST", "/restcomm/x", ex.RC_BUSY.encode())[0] == "403 Forbidden"
    assert wsgi(app, "POST", "/acme/x", b"{}")[0] == "404 Not Found"
    assert [e.provider for e in seen] == ["bandwidth"]


def test_garbage_oversized_and_failing_handlers_get_error_answers() -> None:
    def explode(event: telephony.CallEvent) -> None:
        raise RuntimeError("bug in the application")

    app = WSGIApp(explode, provider="bandwidth", max_body=100)
    assert wsgi(app, "POST", "/", b"not json")[0] == "400 Bad Request"
    assert wsgi(app, "POST", "/", b"{" * 101)[0].startswith("413")
    assert wsgi(app, "POST", "/", json.dumps({"eventType": "x", "callId": "c"}).encode())[0] == (
        "500 Internal Server Error"
    )


def test_the_asgi_app_awaits_async_handlers_and_answers_alike() -> None:
    seen: list[telephony.CallEvent] = []

    async def handler(event: telephony.CallEvent) -> str | None:
        seen.append(event)
        return None

    app = ASGIApp(handler, provider="restcomm", path_secret="8f3a1c")
    assert asgi(app, "POST", "/8f3a1c", ex.RC_BUSY.encode())[::2] == (200, b"")
    assert asgi(app, "GET", "/8f3a1c?" + ex.RC_ANSWERED)[0] == 200
    assert asgi(app, "POST", "/nope", ex.RC_BUSY.encode())[0] == 403
    bw = ASGIApp(handler, provider="bandwidth", username="hooks", password="s3cret")
    status, headers, _ = asgi(bw, "POST", "/", json.dumps(ex.ANSWER).encode())
    assert (status, headers["www-authenticate"][:5]) == (401, "Basic")
    status, headers, body = asgi(
        bw, "POST", "/", json.dumps(ex.ANSWER).encode(), Authorization=AUTH
    )
    assert (status, headers["content-type"]) == (200, "application/xml")
    assert body.endswith(b"<Response/>")
    assert [e.event for e in seen] == ["completed", "answered", "answer"]


def test_an_app_refuses_auth_keywords_without_a_provider() -> None:
    with pytest.raises(telephony.ValidationError, match="username"):
        WSGIApp(print, username="u")
    with pytest.raises(telephony.ValidationError, match="provider"):
        WSGIApp(print, provider="nobody")


def test_a_get_query_string_reaches_the_parser() -> None:
    seen: list[telephony.CallEvent] = []
    app = WSGIApp(seen.append, provider="bandwidth")
    flat = {k: v for k, v in ex.DISCONNECT_BUSY.items() if not isinstance(v, dict)}
    assert wsgi(app, "GET", "/?" + urlencode(flat))[0] == "200 OK"
    assert seen[0].status is telephony.CallStatus.BUSY
