"""The listing answers stay byte-for-byte what they were when the sandbox wrote every record
the slow, obvious way (a dict per call through ``json.dumps``; an f-string per element).

The golden digests below were taken from that code (commit d3febfc, before the listing
answers were made cheaper): seeded history, live calls in every phase (queued, ringing,
talking, redirected, hung up, cancelled, failed) with text that needs escaping, every filter,
several page sizes and both orders. A changed digest means a changed wire, which no speed-up
may do; a deliberate change of the wire takes new digests and says why.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import httpx
import pytest

from telephony.sandbox import Sandbox
from tests.sandbox.helpers import (
    START,
    MakeSandbox,
    bandwidth_client,
    create_bandwidth,
    create_restcomm,
    restcomm_client,
    text,
)

# Each test number (outcome chosen by the last digit), a plain number, awkward SIP URIs.
_BANDWIDTH_TO = [
    *(f"+1555010000{k}" for k in range(1, 8)),
    "+14155550123",
    'sip:"q\\u<&>"@h.example',
    "sip:\u00fcnic\u00f6de\u2603\U0001f600@h.example",
]
_RESTCOMM_TO = [
    *(f"+1555010000{k}" for k in range(1, 8)),
    "client:bob",
    "sip:al<i>&ce@h.example",
    '"Q" \u00fcn\u2603 & <b>',
]
GOLDEN = {
    ("bandwidth", 0): "5474efc0eb04eb736be7688bbe4c2b1da622991601c38e0dc83af39f50c41ea3",
    ("restcomm", 0): "f662cac2dd1e2f66c731662b5c01cfa9d820009c84d68622335975e34e275cf6",
    ("restcomm", -300): "bba9b99b133e690b799b77a001bd3cfc5b1f57a3188039eb6685be3cac92cbc6",
}


def _answer(response: httpx.Response, origin: str) -> bytes:
    """Status, the headers a client reads, and the body, with the port taken out."""
    head = {
        "status": response.status_code,
        "content-type": response.headers.get("content-type"),
        "link": response.headers.get("link", "").replace(origin, "ORIGIN"),
    }
    return json.dumps(head).encode() + b"\n" + response.content + b"\n"


def _bandwidth_live(sandbox: Sandbox, client: httpx.Client) -> None:
    ids = []
    for round_ in range(3):
        for to in _BANDWIDTH_TO:
            ids.append(create_bandwidth(client, sandbox, to, tag=f"r{round_}")["callId"])
        sandbox.advance(4.0 + 3 * round_)
    talking = client.get(f"/calls/{ids[-10]}").json()
    assert talking["state"] == "answered"
    redirect = {"state": "active", "redirectUrl": "https://app.example/next"}
    assert client.post(f"/calls/{ids[-10]}", json=redirect).status_code == 200
    assert client.post(f"/calls/{ids[-4]}", json={"state": "completed"}).status_code == 200
    assert client.post(f"/calls/{ids[-1]}", json={"state": "completed"}).status_code == 200
    sandbox.advance(1.5)


def _bandwidth_listings(sandbox: Sandbox) -> Iterator[bytes]:
    origin = sandbox.url
    with bandwidth_client(sandbox) as client:
        _bandwidth_live(sandbox, client)
        seeded = client.get("/calls", params={"pageSize": 50}).json()
        first = seeded[7]
        queries: list[dict[str, str | int]] = [
            {},
            {"pageSize": 1},
            {"pageSize": 7},
            {"pageSize": 128},
            {"pageSize": 10000},
            {"to": first["to"]},
            {"from": first["from"], "pageSize": 3},
            {"to": _BANDWIDTH_TO[8]},
            {"disconnectCause": "busy", "pageSize": 11},
            {"disconnectCause": "error"},
            {"disconnectCause": "hangup", "pageSize": 100},
            {"minStartTime": first["startTime"], "pageSize": 33},
            {"maxStartTime": seeded[40]["startTime"]},
            {"minStartTime": seeded[3]["startTime"], "maxStartTime": seeded[30]["startTime"]},
            {"minStartTime": "2026-03-02T11:00:00Z", "pageSize": 5},
        ]
        for params in queries:
            response = client.get("/calls", params=params)
            for _ in range(1000):
                yield _answer(response, origin)
                following = response.links.get("next", {}).get("url")
                if following is None:
                    break
                response = client.get(following)
        for call_id in (first["callId"], seeded[-1]["callId"]):
            yield _answer(client.get(f"/calls/{call_id}"), origin)


def _restcomm_live(sandbox: Sandbox, client: httpx.Client) -> None:
    sids = []
    for round_ in range(3):
        for k, to in enumerate(_RESTCOMM_TO):
            caller = '+1 (305) <555> & "\u00e9"' if k == 9 else "+13055550000"
            sids.append(text(create_restcomm(client, to, From=caller, Timeout="20"), "Sid"))
        sandbox.advance(4.0 + 3 * round_)
    redirect = {"Url": "https://app.example/next"}
    assert client.post(f"/Calls/{sids[-10]}", data=redirect).status_code == 200
    assert client.post(f"/Calls/{sids[-4]}", data={"Status": "completed"}).status_code == 200
    assert client.post(f"/Calls/{sids[-1]}", data={"Status": "canceled"}).status_code == 200
    sandbox.advance(1.5)


def _restcomm_listings(sandbox: Sandbox) -> Iterator[bytes]:
    origin = sandbox.url
    with restcomm_client(sandbox) as client:
        _restcomm_live(sandbox, client)
        page = client.get("/Calls", params={"PageSize": 60, "SortBy": "DateCreated:asc"})
        calls = page.text.split("<Call>")[1:]
        sid = calls[9].split("<Sid>")[1].split("<")[0]
        parent = next(c for c in calls if "<ParentCallSid>" in c)
        parent_sid = parent.split("<ParentCallSid>")[1].split("<")[0]
        queries: list[dict[str, str | int]] = [
            {},
            {"PageSize": 1},
            {"PageSize": 7, "Page": 3},
            {"PageSize": 1000},
            {"PageSize": 100, "SortBy": "DateCreated:asc"},
            {"PageSize": 100, "Page": 2, "SortBy": "date_created:asc"},
            {"PageSize": 13, "Page": 1000},
            {"To": "5550100002"},
            {"To": "bob", "PageSize": 5},
            {"From": "%555%", "PageSize": 20, "Page": 4},
            {"Status": "completed", "PageSize": 40},
            {"Status": "NO_ANSWER"},
            {"Status": "%ed", "PageSize": 9, "Page": 2},
            {"ParentCallSid": parent_sid},
            {"StartTime": "2026-03-01", "PageSize": 25},
            {"EndTime": "2026-02-27", "PageSize": 25, "SortBy": "DateCreated:asc"},
            {"StartTime": "2026-02-28", "EndTime": "2026-03-01", "PageSize": 30, "Page": 1},
        ]
        for params in queries:
            yield _answer(client.get("/Calls", params=params), origin)
        yield _answer(client.get(f"/Calls/{sid}"), origin)


@pytest.mark.parametrize(
    ("vendor", "offset"), [("bandwidth", 0), ("restcomm", 0), ("restcomm", -300)]
)
def test_listing_answers_are_byte_identical(
    make_sandbox: MakeSandbox, vendor: str, offset: int
) -> None:
    sandbox = make_sandbox(seed_calls=500, seed=29, start=START, restcomm_utc_offset_minutes=offset)
    answers = _bandwidth_listings(sandbox) if vendor == "bandwidth" else _restcomm_listings(sandbox)
    digest = hashlib.sha256()
    count = 0
    for answer in answers:
        digest.update(answer)
        count += 1
    assert count > 15
    assert digest.hexdigest() == GOLDEN[(vendor, offset)]
