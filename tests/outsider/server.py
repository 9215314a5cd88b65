"""A small Acme Voice server for the outsider adapter's tests: a real HTTP server on
127.0.0.1 (the command line and the cassette recorder need one), written from Acme's
"contract" below, not from the adapter.

    POST /v1/tenants/{tenant}/calls            {"to", "from", "answerUrl"}   201 call
    GET  /v1/tenants/{tenant}/calls/{id}                                     200 call / 404
    GET  /v1/tenants/{tenant}/calls?pageSize=N&after=ID                      {"calls", "nextAfter"}
    POST /v1/tenants/{tenant}/calls/{id}/actions  {"action": "hangup"|"redirect", ...}  204 / 409

Every request needs ``X-Acme-Key``. Calls answer only when the test says (``answer``).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TENANT = "t-7f3a9c21"
API_KEY = "acme-live-key-4b1d9e77c0"
SIGNING_KEY = "acme-signing-key-c3f0a1b2"
_OUTCOMES = ("completed", "busy", "no-answer", "completed", "failed", "canceled", "completed")


class AcmeServer:
    def __init__(self) -> None:
        self.calls: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        start = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
        for index in range(8):  # history, oldest first
            created = start + timedelta(minutes=index)
            outcome = _OUTCOMES[index % len(_OUTCOMES)]
            answered = created + timedelta(seconds=4) if outcome == "completed" else None
            record = self._record("+1555010000" + str(index % 7 + 1), "+15557654321", created)
            record.update(
                state="ended",
                outcome=outcome,
                direction="inbound" if index % 3 == 0 else "outbound",
                answeredAt=_iso(answered),
                endedAt=_iso((answered or created) + timedelta(seconds=30)),
            )
        self.url = ""

    def _record(self, to: str, from_: str, created: datetime) -> dict[str, Any]:
        call_id = f"ac-{next(self._ids):06d}"
        record = {
            "id": call_id,
            "tenantId": TENANT,
            "to": to,
            "from": from_,
            "state": "ringing",
            "outcome": None,
            "direction": "outbound",
            "createdAt": _iso(created),
            "answeredAt": None,
            "endedAt": None,
        }
        self.calls[call_id] = record
        return record

    def settings(self) -> dict[str, str]:
        return {"base_url": f"{self.url}/v1", "tenant_id": TENANT, "api_key": API_KEY}

    def answer(self, call_id: str) -> None:
        with self.lock:
            record = self.calls[call_id]
            record.update(state="live", answeredAt=_iso(datetime.now(UTC)))

    # -- the API -----------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: str, body: bytes, key: str | None) -> Any:
        if key != API_KEY:
            return 401, {"error": {"code": "unauthorized", "message": "bad API key"}}
        prefix = f"/v1/tenants/{TENANT}/calls"
        if not path.startswith(prefix):
            return 404, {"error": {"code": "not_found", "message": "no such tenant"}}
        parts = [part for part in path[len(prefix) :].split("/") if part]
        with self.lock:
            if not parts and method == "POST":
                data = json.loads(body)
                record = self._record(data["to"], data["from"], datetime.now(UTC))
                return 201, {**record, "signingKey": SIGNING_KEY}
            if not parts:
                params = parse_qs(query)
                size = int(params.get("pageSize", ["20"])[0])
                ids = list(self.calls)
                after = params.get("after", [None])[0]
                start = ids.index(after) + 1 if after in self.calls else 0
                page = ids[start : start + size]
                more = start + size < len(ids)
                return 200, {
                    "calls": [self.calls[i] for i in page],
                    "nextAfter": page[-1] if more else None,
                }
            found = self.calls.get(parts[0])
            if found is None:
                return 404, {"error": {"code": "not_found", "message": f"no call {parts[0]}"}}
            if len(parts) == 1:
                return 200, found
            if found["state"] == "ended":
                return 409, {"error": {"code": "ended", "message": "the call has ended"}}
            if json.loads(body).get("action") == "hangup":
                outcome = "completed" if found["state"] == "live" else "canceled"
                found.update(state="ended", outcome=outcome, endedAt=_iso(datetime.now(UTC)))
            return 204, None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, payload = self.server.acme.handle(
            self.command, parts.path, parts.query, body, self.headers.get("X-Acme-Key")
        )
        content = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        if content:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@contextmanager
def running() -> Iterator[AcmeServer]:
    acme = AcmeServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.acme = acme  # type: ignore[attr-defined]
    acme.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield acme
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
