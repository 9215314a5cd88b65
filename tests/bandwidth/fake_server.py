"""A small in-memory Bandwidth Calls API for httpx.MockTransport, written from the spec."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx

ACCOUNT = "9900000"
BASE = f"https://voice.bandwidth.com/api/v2/accounts/{ACCOUNT}/calls"
SETTINGS: dict[str, Any] = {
    "account_id": ACCOUNT,
    "username": "api-user",
    "password": "s3cret-pw",
    "application_id": "04e88489-df02-4e34-a0ee-27a91849555f",
}


def record(n: int, **overrides: Any) -> dict[str, Any]:
    """A disconnected, answered outbound call numbered ``n``."""
    base: dict[str, Any] = {
        "applicationId": SETTINGS["application_id"],
        "accountId": ACCOUNT,
        "callId": f"c-{n:04d}",
        "parentCallId": None,
        "to": "+19195551234",
        "from": "+19195554321",
        "direction": "outbound",
        "state": "disconnected",
        "stirShaken": None,
        "identity": None,
        "enqueuedTime": f"2022-06-16T13:{n % 60:02d}:07.160Z",
        "startTime": f"2022-06-16T13:{n % 60:02d}:08.160Z",
        "answerTime": f"2022-06-16T13:{n % 60:02d}:18.126Z",
        "endTime": f"2022-06-16T13:{n % 60:02d}:48.126Z",
        "disconnectCause": "hangup",
        "errorMessage": None,
        "errorId": None,
        "lastUpdate": f"2022-06-16T13:{n % 60:02d}:48.314Z",
    }
    base.update(overrides)
    return base


def error(
    status: int, kind: str = "validation", description: str = "bad", **headers: str
) -> httpx.Response:
    body = {"type": kind, "description": description, "id": "err-123"}
    return httpx.Response(status, json=body, headers=headers)


class FakeBandwidth:
    """Serves ``records`` with Link paging; logs every request in ``requests``."""

    def __init__(self, records: list[dict[str, Any]] | None = None, *, cap: int = 10000) -> None:
        self.records = records if records is not None else [record(i) for i in range(7)]
        self.cap = cap  # one query answers at most this many calls, as Bandwidth's 10000
        self.requests: list[httpx.Request] = []
        self.fail_next: list[httpx.Response | Exception] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail_next:
            failure = self.fail_next.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        expected = "Basic " + base64.b64encode(b"api-user:s3cret-pw").decode()
        if request.headers.get("Authorization") != expected:
            return error(401, "unauthorized", "Bad credentials")
        path = request.url.path
        prefix = f"/api/v2/accounts/{ACCOUNT}/calls"
        if path == prefix and request.method == "GET":
            return self.list(request)
        if path == prefix and request.method == "POST":
            return self.create(request)
        call_id = path.removeprefix(prefix + "/")
        if call_id.endswith("/bxml") and request.method == "PUT":
            return httpx.Response(204) if self.find(call_id[:-5]) else error(404)
        found = self.find(call_id)
        if found is None:
            return error(404, "validation", "Call not found")
        if request.method == "GET":
            return httpx.Response(200, json=found)
        if request.method == "POST":
            if found["state"] == "disconnected":
                return error(409, "validation", "Call is already disconnected")
            return httpx.Response(200)
        return error(405)

    def find(self, call_id: str) -> dict[str, Any] | None:
        return next((r for r in self.records if r["callId"] == call_id), None)

    def list(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        size = int(params.get("pageSize", "1000"))
        start = int(params.get("pageToken", "0"))
        rows = [
            r
            for r in self.records
            if all(
                r.get(key) == params[key]
                for key in ("to", "from", "disconnectCause")
                if key in params
            )
        ]
        if "minStartTime" in params:
            rows = [r for r in rows if r["startTime"] and r["startTime"] >= params["minStartTime"]]
        if "maxStartTime" in params:
            rows = [r for r in rows if r["startTime"] and r["startTime"] <= params["maxStartTime"]]
        rows = rows[: self.cap]
        chunk = rows[start : start + size]
        headers = {}
        if start + size < len(rows):
            next_params = {k: v for k, v in params.items() if k != "pageToken"}
            next_url = httpx.URL(BASE, params={**next_params, "pageToken": str(start + size)})
            headers["Link"] = f'<{next_url}>; rel="next"'
        return httpx.Response(200, json=chunk, headers=headers)

    def create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        answer = {
            "applicationId": body["applicationId"],
            "accountId": ACCOUNT,
            "callId": "c-new",
            "to": body["to"],
            "from": body["from"],
            "enqueuedTime": "2022-06-16T13:15:07.160Z",
            "callUrl": f"{BASE}/c-new",
            "callTimeout": body.get("callTimeout", 30),
            "callbackTimeout": 15,
            "answerMethod": body.get("answerMethod", "POST"),
            "answerUrl": body["answerUrl"],
            "disconnectMethod": "POST",
            "priority": body.get("priority", 5),
        }
        return httpx.Response(201, json=answer, headers={"Location": f"{BASE}/c-new"})
