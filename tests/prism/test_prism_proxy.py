"""The ``prism_proxy`` fixture validates a real server's answers against Bandwidth's spec.

A tiny upstream on 127.0.0.1 answers one conforming call record, one that breaks the spec and
a documented 404; the proxy must pass the first and the 404 through untouched and turn the
second into a 500 listing what is wrong. This is what makes a clean run against a real server
(e.g. the sandbox) mean something.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

import telephony
from tests.prism.harness import (
    ProxyFactory,
    RecordingTransport,
    assert_no_violations,
    violations,
)

CALLS_PATH = "/accounts/9900000/calls"
GOOD_RECORD = {
    "applicationId": "app-1",
    "accountId": "9900000",
    "callId": "c-good",
    "to": "+19195551234",
    "from": "+19195554321",
    "direction": "outbound",
    "state": "answered",
    "enqueuedTime": "2024-05-01T10:00:00.000Z",
    "startTime": "2024-05-01T10:00:00.500Z",
    "answerTime": "2024-05-01T10:00:07.250Z",
    "endTime": None,
    "disconnectCause": None,
    "errorMessage": None,
    "errorId": None,
    "lastUpdate": "2024-05-01T10:00:07.250Z",
}
# callId must be a string and direction one of inbound/outbound.
BAD_RECORD = {**GOOD_RECORD, "callId": 7, "direction": "sideways"}


class _Upstream(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == f"{CALLS_PATH}/c-good":
            self._answer(200, GOOD_RECORD)
        elif self.path == f"{CALLS_PATH}/c-bad":
            self._answer(200, BAD_RECORD)
        else:
            self._answer(404, {"type": "not-found", "description": "no such call", "id": "e-1"})

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _connect(url: str, transport: RecordingTransport) -> telephony.Client:
    return telephony.connect(
        "bandwidth",
        base_url=url,
        transport=transport,
        max_retries=0,
        account_id="9900000",
        username="proxy-user",
        password="proxy-secret",
    )


def test_conforming_answer_passes(prism_proxy: ProxyFactory, upstream: str) -> None:
    transport = RecordingTransport()
    with _connect(prism_proxy(upstream).url, transport) as client:
        call = client.get_call("c-good")
    assert call.id == "c-good"
    assert call.status is telephony.CallStatus.IN_PROGRESS
    assert call.direction is telephony.Direction.OUTBOUND_API
    assert_no_violations(transport.exchanges)


def test_documented_error_passes(prism_proxy: ProxyFactory, upstream: str) -> None:
    transport = RecordingTransport()
    with (
        _connect(prism_proxy(upstream).url, transport) as client,
        pytest.raises(telephony.NotFoundError) as caught,
    ):
        client.get_call("c-gone")
    assert (caught.value.code, caught.value.message) == ("not-found", "no such call")
    assert caught.value.request_id == "e-1"
    assert_no_violations(transport.exchanges)


def test_answer_that_breaks_the_spec_is_caught(prism_proxy: ProxyFactory, upstream: str) -> None:
    transport = RecordingTransport()
    with (
        _connect(prism_proxy(upstream).url, transport) as client,
        pytest.raises(telephony.ProviderServerError) as caught,
    ):
        client.get_call("c-bad")
    assert caught.value.status_code == 500
    (exchange,) = transport.exchanges
    where = {tuple(v["location"]) for v in violations(exchange.response)}
    assert where == {("response", "body", "callId"), ("response", "body", "direction")}
    with pytest.raises(AssertionError, match="direction"):
        assert_no_violations(transport.exchanges)


def test_same_upstream_reuses_one_proxy(prism_proxy: ProxyFactory, upstream: str) -> None:
    first = prism_proxy(upstream)
    assert prism_proxy(upstream + "/") is first
    assert first.process is not None
    assert first.process.poll() is None


def test_route_sends_a_servers_own_urls_through_the_proxy(
    prism_proxy: ProxyFactory, upstream: str
) -> None:
    # The client is configured with the upstream's URL; the transport reroutes to Prism,
    # which is why the spec-breaking record is caught (the upstream itself answers 200).
    proxy = prism_proxy(upstream)
    transport = RecordingTransport(route=(upstream, proxy.url))
    with _connect(upstream, transport) as client, pytest.raises(telephony.ProviderServerError):
        client.get_call("c-bad")
    (exchange,) = transport.exchanges
    assert str(exchange.request.url) == f"{proxy.url}{CALLS_PATH}/c-bad"
    assert exchange.request.headers["Host"] == proxy.url.removeprefix("http://")
    with httpx.Client(trust_env=False) as direct:
        assert direct.get(f"{upstream}{CALLS_PATH}/c-bad").json() == BAD_RECORD
