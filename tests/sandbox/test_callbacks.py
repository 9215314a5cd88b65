"""The sandbox delivers status callbacks the way each vendor does (reference/
bandwidth-callbacks.md, restcomm-callbacks.md): events, method, content type, parameters,
credentials and quirks; and its fault options duplicate, hold back and drop them."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

import telephony
from telephony.adapters.bandwidth import BandwidthOptions
from telephony.sandbox import CallbackFaults, Sandbox


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Capture:
    """A receiver that keeps every request as it arrived."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k[:5] == "HTTP_"
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        with self.lock:
            self.requests.append(
                {
                    "method": environ["REQUEST_METHOD"],
                    "path": environ["PATH_INFO"],
                    "query": environ.get("QUERY_STRING", ""),
                    "headers": headers,
                    "body": body,
                }
            )
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]


@pytest.fixture
def capture() -> Iterator[tuple[str, Capture]]:
    found = Capture()
    server: WSGIServer = make_server("127.0.0.1", 0, found, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", found
    finally:
        server.shutdown()
        thread.join(timeout=30)
        server.server_close()


def run_calls(sb: Sandbox, place: Any, numbers: list[str]) -> None:
    for number in numbers:
        place(number)
    sb.advance(600)
    assert sb.wait_for_callbacks(timeout=60)


def test_bandwidth_posts_answer_and_disconnect_json_with_basic_credentials(
    capture: tuple[str, Capture],
) -> None:
    url, got = capture
    with (
        Sandbox(seed_calls=0, seed=1) as sb,
        telephony.connect("bandwidth", **sb.settings("bandwidth")) as client,
    ):

        def place(number: str) -> None:
            client.create_call(
                telephony.NewCall(
                    to=number,
                    from_="+15557654321",
                    answer_url=f"{url}/answer",
                    status_callback_url=f"{url}/status?tenant=7",
                    options=BandwidthOptions(username="hooks", password="pw", tag="t-1"),
                )
            )

        run_calls(sb, place, ["+15550100001", "+15550100002"])
    events = [(r["path"], json.loads(r["body"])) for r in got.requests]
    # No ringing event on Bandwidth: answer (answered calls) and disconnect (every call).
    assert sorted((path, body["eventType"], body.get("cause")) for path, body in events) == [
        ("/answer", "answer", None),
        ("/status", "disconnect", "busy"),
        ("/status", "disconnect", "hangup"),
    ]
    by_kind = {(body["eventType"], body.get("cause")): body for _, body in events}
    busy = by_kind[("disconnect", "busy")]
    assert "answerTime" not in busy
    talked = by_kind[("disconnect", "hangup")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", talked["endTime"])
    assert talked["answerTime"] == by_kind[("answer", None)]["answerTime"]
    assert talked["tag"] == "t-1"
    assert talked["direction"] == "outbound"
    assert talked["callUrl"].endswith("/calls/" + talked["callId"])
    for request in got.requests:
        assert request["method"] == "POST"
        assert request["headers"]["content-type"] == "application/json"
        token = base64.b64encode(b"hooks:pw").decode()
        assert request["headers"]["authorization"] == f"Basic {token}"
    assert {r["query"] for r in got.requests if r["path"] == "/status"} == {"tenant=7"}


def test_bandwidth_by_get_puts_the_fields_in_the_query(capture: tuple[str, Capture]) -> None:
    url, got = capture
    with (
        Sandbox(seed_calls=0, seed=2) as sb,
        telephony.connect("bandwidth", **sb.settings("bandwidth")) as client,
    ):

        def place(number: str) -> None:
            client.create_call(
                telephony.NewCall(
                    to=number,
                    from_="+15557654321",
                    answer_url=f"{url}/answer",
                    status_callback_url=f"{url}/status",
                    status_callback_method="GET",
                )
            )

        run_calls(sb, place, ["+15550100005"])
    (request,) = got.requests  # failed before answering: only the disconnect
    assert (request["method"], request["body"], request["path"]) == ("GET", b"", "/status")
    query = dict(parse_qsl(request["query"]))
    assert (query["eventType"], query["cause"]) == ("disconnect", "error")
    assert query["errorMessage"]
    assert "authorization" not in request["headers"]


def _restcomm(sb: Sandbox, url: str, method: str = "POST") -> Any:
    client = telephony.connect("restcomm", **sb.settings("restcomm"))

    def place(number: str) -> None:
        client.create_call(
            telephony.NewCall(
                to=number,
                from_="+15557654321",
                answer_url="https://app.example/rcml",
                status_callback_url=url,
                status_callback_method=method,
            )
        )

    return client, place


def test_restcomm_posts_every_progress_event_as_a_form(capture: tuple[str, Capture]) -> None:
    url, got = capture
    with Sandbox(seed_calls=0, seed=3) as sb:
        client, place = _restcomm(sb, f"{url}/rc/secret/status")
        with client:
            run_calls(sb, place, ["+15550100001"])
    events = [r["body"].decode() for r in got.requests]
    statuses = [dict(parse_qsl(body))["CallStatus"] for body in events]
    assert statuses == ["initiated", "ringing", "answered", "completed"]
    for request, body in zip(got.requests, events, strict=True):
        assert request["headers"]["content-type"] == (
            "application/x-www-form-urlencoded; charset=UTF-8"
        )
        assert request["headers"]["user-agent"].startswith("Apache-HttpClient/4")
        assert "&ForwardedFrom&" in body  # a null: a bare key
        fields = dict(parse_qsl(body))
        assert fields["CallbackSource"] == "call-progress-events"
        assert fields["Direction"] == "outbound-api"
        assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d UTC", fields["Timestamp"])
        assert fields["SequenceNumber"] == str(statuses.index(fields["CallStatus"]))
    assert dict(parse_qsl(events[-1]))["CallDuration"] == "30"


def test_restcomm_completed_hides_the_outcome_and_no_answer_sends_none(
    capture: tuple[str, Capture],
) -> None:
    url, got = capture
    with Sandbox(seed_calls=0, seed=4) as sb:
        client, place = _restcomm(sb, f"{url}/s")
        with client:
            numbers = ["+15550100002", "+15550100003", "+15550100005", "+15550100006"]
            run_calls(sb, place, numbers)
    last: dict[str, dict[str, str]] = {}
    for request in got.requests:
        fields = dict(parse_qsl(request["body"].decode()))
        last[fields["To"]] = fields
    busy, failed, canceled = (last[n] for n in ("+15550100002", "+15550100005", "+15550100006"))
    assert {busy["CallStatus"], failed["CallStatus"], canceled["CallStatus"]} == {"completed"}
    assert (busy["CallDuration"], failed["CallDuration"]) == ("0", "0")
    assert int(canceled["CallDuration"]) > 0  # ring time since creation, not talk time
    assert last["+15550100003"]["CallStatus"] == "ringing"  # rang out: no completed at all


def test_restcomm_by_get_drops_the_urls_query_and_user_info(capture: tuple[str, Capture]) -> None:
    url, got = capture
    with Sandbox(seed_calls=0, seed=5) as sb:
        hook = url.replace("http://", "http://user:pw@") + "/hook?tenant=7"
        client, place = _restcomm(sb, hook, method="GET")
        with client:
            run_calls(sb, place, ["+15550100002"])
    assert [r["method"] for r in got.requests] == ["GET"] * 3
    for request in got.requests:
        assert request["path"] == "/hook"
        assert "tenant" not in request["query"]
        assert "authorization" not in request["headers"]
        assert "ForwardedFrom&" in request["query"]


@pytest.mark.parametrize(
    ("faults", "copies"),
    [(CallbackFaults(duplicate=1.0), 2), (CallbackFaults(drop=1.0), 0)],
    ids=["duplicate", "drop"],
)
def test_faults_duplicate_and_drop(
    capture: tuple[str, Capture], faults: CallbackFaults, copies: int
) -> None:
    url, got = capture
    with Sandbox(seed_calls=0, seed=6, callback_faults=faults) as sb:
        client, place = _restcomm(sb, f"{url}/s")
        with client:
            run_calls(sb, place, ["+15550100002"])
        sent = sb.callbacks_sent
    assert len(got.requests) == 3 * copies  # initiated, ringing, completed
    assert all(s.dropped for s in sent) is (copies == 0)


def test_fault_shares_are_checked() -> None:
    with pytest.raises(ValueError, match="reorder"):
        CallbackFaults(reorder=1.5)


def test_reorder_sends_everything_but_not_in_order(capture: tuple[str, Capture]) -> None:
    url, got = capture
    with Sandbox(seed_calls=0, seed=7, callback_faults=CallbackFaults(reorder=0.5)) as sb:
        client, place = _restcomm(sb, f"{url}/s")
        with client:
            run_calls(sb, place, ["+15550100001"] * 4)
    sequence: dict[str, list[int]] = {}
    for request in got.requests:
        fields = dict(parse_qsl(request["body"].decode()))
        sequence.setdefault(fields["CallSid"], []).append(int(fields["SequenceNumber"]))
    assert all(sorted(numbers) == [0, 1, 2, 3] for numbers in sequence.values())
    assert any(numbers != sorted(numbers) for numbers in sequence.values())


def test_seeded_calls_send_nothing(capture: tuple[str, Capture]) -> None:
    _, got = capture
    with Sandbox(seed_calls=50, seed=8) as sb:
        sb.advance(600)
        assert sb.wait_for_callbacks(timeout=5)
    assert got.requests == []
