"""A small in-memory Restcomm-Connect Calls API for httpx.MockTransport, written from the
reference's account of the real server, quirks included:

- list: To/From are suffix matches, Status a case-sensitive match on the stored (mixed-case)
  value, StartTime whole days in the server's own time zone, EndTime on the call's *end*;
  newest first (``date_created DESC``) unless ``SortBy=DateCreated:asc`` (or
  ``date_created:asc``) asks for oldest first; ``legacy_order=True`` is a server from before
  mid-2018: it ignores SortBy and orders by start time; ``numpages`` is floor(total /
  pagesize), ``total`` is the page count, links are the string "null" or URIs that keep only
  Page/PageSize/AfterSid under another prefix; a page past ``numpages`` answers 400 with an
  empty body;
- create answers 200 with one Call; a missing field is a plain-text 400;
- modify: unknown call 406 (empty), ended call 410 (text), and the answer shows the call as it
  was before the change; ``Status=canceled`` does nothing to an answered call,
  ``Status=completed`` ends a call in any live state;
- a malformed call SID (not ``CA``/``ID..-CA..`` + letters and digits): 500, GET and POST;
- create: ``StartTime`` set at creation, ``To`` stored as the SIP user part (``client:alice``
  is stored ``alice``);
- bad credentials: 401, empty body, ``WWW-Authenticate``.

It renders XML with its own code (no adapter code), so a misreading in the adapter fails here.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape, quoteattr

import httpx

ACCOUNT = "ACae6e420f425248d6a26948c17a9e2acf"
TOKEN = "rc-token-s3cret"
BASE_URL = "https://rc.example/restcomm"
SETTINGS: dict[str, Any] = {"base_url": BASE_URL, "account_sid": ACCOUNT, "auth_token": TOKEN}
CALLS_PATH = f"/restcomm/2012-04-24/Accounts/{ACCOUNT}/Calls"
FIXTURES = Path(__file__).parent / "fixtures"
SERVER_ZONE = timezone(timedelta(hours=-6))  # the server's clock, for its StartTime filter

_ORDER = (
    "Sid",
    "InstanceId",
    "DateCreated",
    "DateUpdated",
    "ParentCallSid",
    "AccountSid",
    "To",
    "From",
    "PhoneNumberSid",
    "Status",
    "StartTime",
    "EndTime",
    "Duration",
    "Price",
    "PriceUnit",
    "Direction",
    "AnsweredBy",
    "ApiVersion",
    "ForwardedFrom",
    "CallerName",
    "Uri",
)


_SID = re.compile(r"(?:ID[A-Za-z0-9]{32}-)?CA[A-Za-z0-9]{32}")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sid(n: int) -> str:
    return f"CA{n:032x}"


def record(n: int, **overrides: str | None) -> dict[str, str | None]:
    """A completed, answered inbound call numbered ``n``, in the current server format."""
    minute = n % 60
    base: dict[str, str | None] = {
        "Sid": sid(n),
        "InstanceId": "ID1f2d67b716b34162954fbfc7d7d50b89",
        "DateCreated": f"Thu, 5 Jul 2018 16:{minute:02d}:00 +0300",
        "DateUpdated": f"Thu, 5 Jul 2018 16:{minute:02d}:40 +0300",
        "ParentCallSid": None,
        "AccountSid": ACCOUNT,
        "To": "+15559876543",
        "From": "+15551230000",
        "PhoneNumberSid": None,
        "Status": "completed",
        "StartTime": f"2018-07-05T13:{minute:02d}:01.000Z",
        "EndTime": f"2018-07-05T13:{minute:02d}:40.000Z",
        "Duration": "30",
        "Price": "0.00",
        "PriceUnit": "USD",
        "Direction": "inbound",
        "AnsweredBy": None,
        "ApiVersion": "2012-04-24",
        "ForwardedFrom": None,
        "CallerName": None,
        "Ring_duration": "9",
    }
    base.update(overrides)
    return base


def render_call(rec: dict[str, str | None]) -> str:
    uri = f"/2012-04-24/Accounts/{ACCOUNT}/Calls/{rec['Sid']}"
    values = {**rec, "Uri": uri}
    parts = ["<Call>"]
    for name in _ORDER:
        if name == "InstanceId" and not values.get(name):
            continue  # written only when set
        value = values.get(name)
        parts.append(f"<{name}/>" if value is None else f"<{name}>{escape(value)}</{name}>")
    parts.append(
        f"<SubresourceUris><Notifications>{uri}/Notifications</Notifications>"
        f"<Recordings>{uri}/Recordings</Recordings></SubresourceUris>"
    )
    ring = rec.get("Ring_duration")
    parts.append("<Ring_duration/>" if ring is None else f"<Ring_duration>{ring}</Ring_duration>")
    parts.append("</Call>")
    return "".join(parts)


def xml(body: str, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status,
        content=f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'.encode(),
        headers={"Content-Type": "application/xml"},
    )


def text(status: int, body: str = "") -> httpx.Response:
    # Restcomm's error bodies are empty or plain text, whatever the Content-Type says.
    return httpx.Response(status, content=body.encode(), headers={"Content-Type": "text/plain"})


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _created(value: str | None) -> datetime:
    return parsedate_to_datetime(value) if value else datetime.min.replace(tzinfo=UTC)


def _server_day(value: str) -> datetime:
    return datetime.combine(date.fromisoformat(value), datetime.min.time(), SERVER_ZONE)


class FakeRestcomm:
    """Serves ``records``; logs every request in ``requests``. ``fail_next`` responses (or
    exceptions) are served first, in order."""

    def __init__(
        self, records: list[dict[str, str | None]] | None = None, *, legacy_order: bool = False
    ) -> None:
        self.records = records if records is not None else [record(i) for i in range(7)]
        self.legacy_order = legacy_order
        self.requests: list[httpx.Request] = []
        self.fail_next: list[httpx.Response | Exception] = []
        self.created = 0

    # -- dispatch ----------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail_next:
            failure = self.fail_next.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="Restcomm realm"'})
        path = request.url.path
        if path == CALLS_PATH:
            if request.method == "GET":
                return self.list(request)
            if request.method == "POST":
                return self.create(request)
            return text(405)
        if not path.startswith(CALLS_PATH + "/"):
            return text(404)
        call_sid = path.removeprefix(CALLS_PATH + "/")
        if not _SID.fullmatch(call_sid):
            # new Sid(...) throws and nothing maps the exception.
            return text(500, f"java.lang.IllegalArgumentException: Invalid Sid: {call_sid}")
        found = self.find(call_sid)
        if request.method == "GET":
            return (
                xml(f"<RestcommResponse>{render_call(found)}</RestcommResponse>")
                if found
                else (text(404))
            )
        if request.method == "POST":
            return self.modify(found, request)
        return text(405)

    def find(self, call_sid: str) -> dict[str, str | None] | None:
        return next((r for r in self.records if r["Sid"] == call_sid), None)

    @staticmethod
    def form(request: httpx.Request) -> dict[str, str]:
        return dict(parse_qsl(request.content.decode(), keep_blank_values=True))

    # -- operations --------------------------------------------------------------------------

    def create(self, request: httpx.Request) -> httpx.Response:
        form = self.form(request)
        for field in ("From", "To", "Url"):
            if field not in form:
                return text(400, f"{field} can not be null.")
        self.created += 1
        minute = (900 + self.created) % 60
        to = form["To"]
        user = re.fullmatch(r"(?:client:|sips?:)([^@]+)(?:@.*)?", to)
        new = record(
            900 + self.created,
            Sid=f"ID1f2d67b716b34162954fbfc7d7d50b89-CA{900 + self.created:032x}",
            To=user.group(1) if user else to,
            From=form["From"],
            Status="queued",
            Direction="outbound-api",
            StartTime=f"2018-07-05T13:{minute:02d}:00.000Z",  # set at creation
            EndTime=None,
            Duration=None,
            Ring_duration=None,
        )
        self.records.append(new)
        return xml(f"<RestcommResponse>{render_call(new)}</RestcommResponse>")

    def modify(self, found: dict[str, str | None] | None, request: httpx.Request) -> httpx.Response:
        if found is None:
            return text(406)
        status = (found["Status"] or "").lower().replace("_", "-")
        if status not in ("queued", "ringing", "wait-for-answer", "in-progress"):
            return text(410, "Call is already completed.")
        before = render_call(found)
        form = self.form(request)
        wanted = form.get("Status")
        if wanted == "completed" and status == "in-progress":
            found.update(Status="completed", EndTime="2018-07-05T14:30:00.000Z", Duration="30")
        elif wanted in ("canceled", "completed") and status != "in-progress":
            # Hung up while ringing: Duration is the ring time (canceled is ignored once
            # the call is answered).
            found.update(Status="canceled", EndTime="2018-07-05T14:30:00.000Z", Duration="12")
        if "Url" in form:
            found["CallerName"] = f"redirected to {form['Url']}"  # visible in a later GET
        return xml(f"<RestcommResponse>{before}</RestcommResponse>")

    def list(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        try:
            number = int(params.get("Page", "0"))
            size = int(params.get("PageSize", "50"))
            after = _server_day(params["StartTime"]) if "StartTime" in params else None
            before = (
                _server_day(params["EndTime"]) + timedelta(days=1) if "EndTime" in params else None
            )
        except ValueError:
            return text(400)
        rows = []
        for rec in self.records:
            if "To" in params and not (rec["To"] or "").endswith(params["To"]):
                continue
            if "From" in params and not (rec["From"] or "").endswith(params["From"]):
                continue
            if "Status" in params and rec["Status"] != params["Status"]:
                continue
            if "ParentCallSid" in params and rec["ParentCallSid"] != params["ParentCallSid"]:
                continue
            started, ended = _when(rec["StartTime"]), _when(rec["EndTime"])
            if after is not None and (started is None or started < after):
                continue
            if before is not None and (ended is None or ended > before):
                continue
            rows.append(rec)
        if self.legacy_order:
            # Before mid-2018: ORDER BY start_time, calls not started yet (NULL) first.
            rows.sort(key=lambda r: (r["StartTime"] is not None, _when(r["StartTime"]) or 0))
        else:
            # ORDER BY date_created DESC, unless SortBy asks otherwise (stable, as SQL ties go).
            ascending = params.get("SortBy") in ("DateCreated:asc", "date_created:asc")
            rows.sort(key=lambda r: _created(r["DateCreated"]), reverse=not ascending)
        numpages = len(rows) // size
        if number > numpages:
            return text(400)
        chunk = rows[number * size : (number + 1) * size]
        short = f"/2012-04-24/Accounts/{ACCOUNT}/Calls"
        next_uri = (
            f"{short}?Page={number + 1}&PageSize={size}&AfterSid={chunk[-1]['Sid']}"
            if number < numpages and chunk
            else "null"
        )
        prev_uri = f"{short}?Page={number - 1}&PageSize={size}" if number else "null"
        attributes = {
            "page": str(number),
            "numpages": str(numpages),
            "pagesize": str(size),
            "total": str(numpages),
            "start": str(number * size),
            "end": str(number * size + max(len(chunk) - 1, 0)),
            "uri": CALLS_PATH,
            "firstpageuri": f"{CALLS_PATH}?Page=0&PageSize={size}",
            "previouspageuri": prev_uri,
            "nextpageuri": next_uri,
            "lastpageuri": f"{CALLS_PATH}?Page={numpages}&PageSize={size}",
        }
        attrs_text = " ".join(f"{key}={quoteattr(value)}" for key, value in attributes.items())
        calls = "".join(render_call(rec) for rec in chunk)
        return xml(f"<RestcommResponse><Calls {attrs_text}>{calls}</Calls></RestcommResponse>")
