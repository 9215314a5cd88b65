"""Bandwidth side, on the wire: auth, formats, codes, the call life cycle, paging."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from telephony.sandbox import Sandbox
from tests.sandbox.helpers import (
    ISO_MILLIS_Z,
    MakeSandbox,
    bandwidth_client,
    create_bandwidth,
    follow_bandwidth,
)

CALL_STATE_FIELDS = {
    "applicationId", "accountId", "callId", "parentCallId", "to", "from", "direction",
    "state", "stirShaken", "identity", "enqueuedTime", "startTime", "answerTime", "endTime",
    "disconnectCause", "errorMessage", "errorId", "lastUpdate",
}  # fmt: skip


def assert_voice_api_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"type", "description", "id"}
    assert isinstance(body["type"], str)
    assert isinstance(body["description"], str)
    # Bandwidth's documented error types: not one per status, "validation" for all these.
    if status in (400, 404, 405, 409, 415):
        assert body["type"] == "validation"
    if status == 409:
        assert body["id"] == ""  # as in the documented 409 example
    return body


# -- auth ------------------------------------------------------------------------------------


def test_wrong_or_missing_credentials_get_a_json_401(sandbox: Sandbox) -> None:
    with bandwidth_client(sandbox, auth=("sandbox", "wrong")) as client:
        assert_voice_api_error(client.get("/calls"), 401)
    with bandwidth_client(sandbox, auth=None) as client:
        assert_voice_api_error(client.get("/calls"), 401)
        bearer = {"Authorization": "Bearer not-a-token"}
        assert_voice_api_error(client.get("/calls", headers=bearer), 401)


def test_another_account_is_forbidden(sandbox: Sandbox, bandwidth: httpx.Client) -> None:
    url = sandbox.settings("bandwidth")["base_url"] + "/accounts/1234567/calls"
    assert_voice_api_error(bandwidth.get(url), 403)


def test_oauth2_client_credentials(sandbox: Sandbox) -> None:
    settings = sandbox.settings("bandwidth", oauth=True)
    assert {"client_id", "client_secret", "token_url"} <= set(settings)
    assert "username" not in settings
    assert "password" not in settings
    credentials = (settings["client_id"], settings["client_secret"])
    form = {"grant_type": "client_credentials"}
    with httpx.Client(timeout=10) as http:
        token = http.post(settings["token_url"], data=form, auth=credentials)
        assert token.status_code == 200
        answer = token.json()
        assert answer["token_type"] == "Bearer"
        assert answer["expires_in"] > 0
        calls = f"{settings['base_url']}/accounts/{settings['account_id']}/calls"
        bearer = {"Authorization": f"Bearer {answer['access_token']}"}
        assert http.get(calls, headers=bearer).status_code == 200
        refused = http.post(settings["token_url"], data=form, auth=(credentials[0], "nope"))
        assert refused.status_code == 401
        assert refused.json() == {"error": "invalid_client"}
        wrong_grant = http.post(
            settings["token_url"], data={"grant_type": "password"}, auth=credentials
        )
        assert wrong_grant.status_code == 400


# -- create ----------------------------------------------------------------------------------


def test_create_answers_201_with_location_and_every_required_field(
    sandbox: Sandbox, bandwidth: httpx.Client
) -> None:
    body = {
        "to": "+15550100001",
        "from": "+19195554321",
        "applicationId": sandbox.settings("bandwidth")["application_id"],
        "answerUrl": "https://app.example/answer",
        "tag": "t-1",
        "password": "secret",
        "callTimeout": 12.5,
    }
    response = bandwidth.post("/calls", json=body)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    created = response.json()
    assert response.headers["location"] == created["callUrl"]
    assert created["callUrl"].endswith(f"/calls/{created['callId']}")
    for field in ("accountId", "answerMethod", "answerUrl", "applicationId", "callId",
                  "callUrl", "disconnectMethod", "from", "to"):  # fmt: skip
        assert isinstance(created[field], str), field
    assert created["accountId"] == sandbox.settings("bandwidth")["account_id"]
    assert created["password"] == "*****"  # never echoed
    assert created["tag"] == "t-1"
    assert created["callTimeout"] == 12.5
    assert created["answerMethod"] == "POST"
    assert created["priority"] == 5
    assert ISO_MILLIS_Z.fullmatch(created["enqueuedTime"])
    assert created["callId"].startswith("c-")


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"to": None}, 400),
        ({"answerUrl": "ftp://app.example/answer"}, 400),
        ({"to": "5551234"}, 400),
        ({"from": "sip:me@host.example"}, 400),
        ({"callTimeout": 0}, 400),
        ({"priority": 9}, 400),
        ({"tag": "x" * 4097}, 400),
        ({"answerMethod": "PUT"}, 400),
        ({"applicationId": "not-this-account's"}, 400),
    ],
)
def test_create_refuses_invalid_bodies(
    sandbox: Sandbox, bandwidth: httpx.Client, change: dict[str, Any], status: int
) -> None:
    body = {
        "to": "+15550100001",
        "from": "+19195554321",
        "applicationId": sandbox.settings("bandwidth")["application_id"],
        "answerUrl": "https://app.example/answer",
    }
    body.update(change)
    body = {key: value for key, value in body.items() if value is not None}
    error = assert_voice_api_error(bandwidth.post("/calls", json=body), status)
    assert error["type"] == "validation"
    assert bandwidth.get("/calls").json() == []  # nothing was created


def test_create_needs_json(sandbox: Sandbox, bandwidth: httpx.Client) -> None:
    assert_voice_api_error(bandwidth.post("/calls", data={"to": "+15550100001"}), 415)
    broken = bandwidth.post("/calls", content=b"{", headers={"Content-Type": "application/json"})
    assert_voice_api_error(broken, 400)


def test_unknown_path_and_method(bandwidth: httpx.Client) -> None:
    assert_voice_api_error(bandwidth.get("/nothing"), 404)
    assert_voice_api_error(bandwidth.delete("/calls"), 405)


# -- the life of a call ------------------------------------------------------------------------


def get_state(bandwidth: httpx.Client, call_id: str) -> dict[str, Any]:
    response = bandwidth.get(f"/calls/{call_id}")
    assert response.status_code == 200, response.text
    state: dict[str, Any] = response.json()
    assert set(state) == CALL_STATE_FIELDS
    return state


def test_answered_call_moves_through_its_states(sandbox: Sandbox, bandwidth: httpx.Client) -> None:
    call_id = create_bandwidth(bandwidth, sandbox, "+15550100001")["callId"]
    state = get_state(bandwidth, call_id)
    assert state["state"] == "queued"
    assert state["startTime"] is None
    assert state["direction"] == "outbound"
    assert state["disconnectCause"] is None
    sandbox.advance(2.5)
    state = get_state(bandwidth, call_id)
    assert state["state"] == "initiated"
    assert ISO_MILLIS_Z.fullmatch(state["startTime"])
    sandbox.advance(5)
    state = get_state(bandwidth, call_id)
    assert state["state"] == "answered"
    assert state["answerTime"] is not None
    sandbox.advance(30)
    state = get_state(bandwidth, call_id)
    assert state["state"] == "disconnected"
    assert state["disconnectCause"] == "hangup"
    assert state["enqueuedTime"] < state["startTime"] < state["answerTime"] < state["endTime"]
    assert state["lastUpdate"] == state["endTime"]


@pytest.mark.parametrize(
    ("number", "cause", "answered"),
    [
        ("+15550100002", "busy", False),
        ("+15550100003", "timeout", False),
        ("+15550100004", "rejected", False),
        ("+15550100005", "error", False),
        ("+15550100006", "cancel", False),
        ("+15550100099", "hangup", True),
    ],
)
def test_test_numbers_choose_the_outcome(
    sandbox: Sandbox, bandwidth: httpx.Client, number: str, cause: str, answered: bool
) -> None:
    call_id = create_bandwidth(bandwidth, sandbox, number)["callId"]
    sandbox.advance(120)
    state = get_state(bandwidth, call_id)
    assert state["state"] == "disconnected"
    assert state["disconnectCause"] == cause
    assert (state["answerTime"] is not None) is answered
    assert (state["errorMessage"] is not None) is (cause == "error")


def test_no_answer_follows_the_call_timeout(sandbox: Sandbox, bandwidth: httpx.Client) -> None:
    call_id = create_bandwidth(bandwidth, sandbox, "+15550100003", callTimeout=10)["callId"]
    sandbox.advance(2 + 9)
    assert get_state(bandwidth, call_id)["state"] == "initiated"
    sandbox.advance(2)
    assert get_state(bandwidth, call_id)["disconnectCause"] == "timeout"


def test_hangup_and_redirect(sandbox: Sandbox, bandwidth: httpx.Client) -> None:
    call_id = create_bandwidth(bandwidth, sandbox, "+15550100007")["callId"]
    redirect = {"redirectUrl": "https://app.example/next"}
    # Not answered yet: it cannot be redirected.
    assert_voice_api_error(bandwidth.post(f"/calls/{call_id}", json=redirect), 409)
    sandbox.advance(10)
    done = bandwidth.post(f"/calls/{call_id}", json=redirect)
    assert done.status_code == 200
    assert done.content == b""
    assert get_state(bandwidth, call_id)["state"] == "answered"
    sandbox.advance(60)
    hangup = bandwidth.post(f"/calls/{call_id}", json={"state": "completed"})
    assert hangup.status_code == 200
    assert hangup.content == b""
    state = get_state(bandwidth, call_id)
    assert state["state"] == "disconnected"
    assert state["disconnectCause"] == "hangup"
    assert state["answerTime"] is not None
    again = bandwidth.post(f"/calls/{call_id}", json={"state": "completed"})
    assert_voice_api_error(again, 409)


def test_completing_an_unanswered_call_cancels_it(
    sandbox: Sandbox, bandwidth: httpx.Client
) -> None:
    queued = create_bandwidth(bandwidth, sandbox, "+15550100001")["callId"]
    assert bandwidth.post(f"/calls/{queued}", json={"state": "completed"}).status_code == 200
    state = get_state(bandwidth, queued)
    assert state["disconnectCause"] == "cancel"
    assert state["startTime"] is None
    ringing = create_bandwidth(bandwidth, sandbox, "+15550100003")["callId"]
    sandbox.advance(4)
    assert bandwidth.post(f"/calls/{ringing}", json={"state": "completed"}).status_code == 200
    state = get_state(bandwidth, ringing)
    assert state["disconnectCause"] == "cancel"
    assert state["answerTime"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"state": "active"},  # redirectUrl missing
        {"state": "completed", "redirectUrl": "https://app.example/next"},
        {"state": "paused"},
        {"redirectUrl": "mailto:me@example.com"},
    ],
)
def test_update_refuses_invalid_bodies(
    sandbox: Sandbox, bandwidth: httpx.Client, body: dict[str, Any]
) -> None:
    call_id = create_bandwidth(bandwidth, sandbox, "+15550100007")["callId"]
    sandbox.advance(10)
    assert_voice_api_error(bandwidth.post(f"/calls/{call_id}", json=body), 400)


def test_unknown_calls_are_404(sandbox: Sandbox, bandwidth: httpx.Client) -> None:
    made_up = "c-15ac29a2-1331029c-2cb0-4a07-b215-b22865662d85"
    assert_voice_api_error(bandwidth.get(f"/calls/{made_up}"), 404)
    assert_voice_api_error(bandwidth.post(f"/calls/{made_up}", json={"state": "completed"}), 404)
    bxml = {"Content-Type": "application/xml"}
    assert_voice_api_error(
        bandwidth.put(f"/calls/{made_up}/bxml", content=b"<Bxml/>", headers=bxml), 404
    )


def test_replace_bxml(sandbox: Sandbox, bandwidth: httpx.Client) -> None:
    call_id = create_bandwidth(bandwidth, sandbox, "+15550100007")["callId"]
    xml = {"Content-Type": "application/xml"}
    document = (
        b'<?xml version="1.0" encoding="UTF-8"?><Bxml><SpeakSentence>Hi</SpeakSentence></Bxml>'
    )
    assert_voice_api_error(
        bandwidth.put(f"/calls/{call_id}/bxml", content=document, headers=xml), 409
    )
    sandbox.advance(10)
    replaced = bandwidth.put(f"/calls/{call_id}/bxml", content=document, headers=xml)
    assert replaced.status_code == 204
    assert replaced.content == b""
    assert_voice_api_error(
        bandwidth.put(f"/calls/{call_id}/bxml", content=b"<Bxml>", headers=xml), 400
    )
    assert_voice_api_error(
        bandwidth.put(f"/calls/{call_id}/bxml", content=b"<Response/>", headers=xml), 400
    )
    as_json = bandwidth.put(
        f"/calls/{call_id}/bxml", content=document, headers={"Content-Type": "application/json"}
    )
    assert_voice_api_error(as_json, 415)


def test_calls_are_forgotten_seven_days_after_they_end(
    sandbox: Sandbox, bandwidth: httpx.Client
) -> None:
    call_id = create_bandwidth(bandwidth, sandbox, "+15550100002")["callId"]
    sandbox.advance(10 + 6 * 86400)
    assert get_state(bandwidth, call_id)["disconnectCause"] == "busy"
    assert len(bandwidth.get("/calls").json()) == 1
    sandbox.advance(86400 + 1)
    assert_voice_api_error(bandwidth.get(f"/calls/{call_id}"), 404)
    assert bandwidth.get("/calls").json() == []


# -- listing ---------------------------------------------------------------------------------


def test_paging_follows_link_headers_to_the_end(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=250)
    with bandwidth_client(sandbox) as client:
        live = create_bandwidth(client, sandbox, "+15550100001")["callId"]
        first = client.get("/calls", params={"pageSize": 100})
        link = first.headers["link"]
        assert link.startswith(f"<{sandbox.url}/bandwidth/api/v2/accounts/")
        assert link.endswith('>; rel="next"')
        assert "pageToken=" in link
        assert "pageSize=100" in link
        pages = follow_bandwidth(client, pageSize=100)
    assert [len(page) for page in pages] == [100, 100, 51]
    calls = [call for page in pages for call in page]
    assert len({call["callId"] for call in calls}) == 251
    assert calls[-1]["callId"] == live
    created = [call["enqueuedTime"] or call["startTime"] for call in calls]
    assert created == sorted(created)
    for call in calls:
        assert set(call) == CALL_STATE_FIELDS


def test_a_listing_stops_at_ten_thousand_calls(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=10_500)
    with bandwidth_client(sandbox) as client:
        whole = client.get("/calls", params={"pageSize": 10000})
        assert len(whole.json()) == 10000
        assert "link" not in whole.headers
        pages = follow_bandwidth(client, pageSize=4000)
        assert [len(page) for page in pages] == [4000, 4000, 2000]
        assert len(client.get("/calls").json()) == 1000  # the default page size


@pytest.mark.parametrize(
    "params",
    [
        {"pageSize": "0"},
        {"pageSize": "10001"},
        {"pageSize": "many"},
        {"pageToken": "bm90LWEtdG9rZW4"},
        {"minStartTime": "yesterday"},
        {"maxStartTime": "2026-13-45T00:00:00Z"},
    ],
)
def test_list_refuses_bad_parameters(bandwidth: httpx.Client, params: dict[str, str]) -> None:
    assert_voice_api_error(bandwidth.get("/calls", params=params), 400)


def test_list_filters(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=600)
    with bandwidth_client(sandbox) as client:
        everything = [call for page in follow_bandwidth(client) for call in page]
        sample = everything[300]
        by_to = [call for page in follow_bandwidth(client, to=sample["to"]) for call in page]
        assert sample in by_to
        assert all(call["to"] == sample["to"] for call in by_to)
        assert by_to == [call for call in everything if call["to"] == sample["to"]]
        by_from = [
            call for page in follow_bandwidth(client, **{"from": sample["from"]}) for call in page
        ]
        assert by_from == [call for call in everything if call["from"] == sample["from"]]
        busy = [c for page in follow_bandwidth(client, disconnectCause="busy") for c in page]
        assert busy
        assert busy == [c for c in everything if c["disconnectCause"] == "busy"]
        low, high = everything[100]["startTime"], everything[200]["startTime"]
        window = follow_bandwidth(client, minStartTime=low, maxStartTime=high, pageSize=40)
        inside = [call for page in window for call in page]
        assert inside == everything[100:201]  # both bounds inclusive
        assert (
            "minStartTime="
            in client.get("/calls", params={"minStartTime": low, "pageSize": 5}).headers["link"]
        )


def test_seeded_history_is_realistic(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=3000)
    with bandwidth_client(sandbox) as client:
        calls = [call for page in follow_bandwidth(client, pageSize=3000) for call in page]
    assert len(calls) == 3000
    causes = {call["disconnectCause"] for call in calls}
    assert {"hangup", "busy", "timeout", "rejected", "cancel"} <= causes
    assert causes & {"error", "callback-error", "invalid-bxml", "application-error"}
    assert {call["direction"] for call in calls} == {"inbound", "outbound"}
    by_id = {call["callId"]: call for call in calls}
    legs = [call for call in calls if call["parentCallId"]]
    assert legs
    for leg in legs:
        parent = by_id[leg["parentCallId"]]
        assert leg["direction"] == "outbound"
        assert parent["answerTime"] < leg["startTime"] < parent["endTime"]
    inbound = [call for call in calls if call["direction"] == "inbound"]
    assert all(call["enqueuedTime"] is None and call["stirShaken"] for call in inbound)
    assert all(call["state"] == "disconnected" for call in calls)
    assert all(
        (call["errorMessage"] is not None)
        is (call["disconnectCause"] not in {"hangup", "busy", "timeout", "rejected", "cancel"})
        for call in calls
    )
    json.dumps(calls)  # plain JSON types only
