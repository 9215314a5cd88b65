"""Bandwidth Voice API v2 "Calls", as its OpenAPI spec and reference describe it.

Served under ``/bandwidth/api/v2``; the OAuth2 token endpoint under
``/bandwidth/api/v1/oauth2/token``. JSON in and out, ``voiceApiError`` bodies, 201 + Location
on create, ``Link: <...>; rel="next"`` paging with an opaque ``pageToken`` and at most 10000
calls per listing, calls forgotten 7 days after they end.
"""

from __future__ import annotations

import base64
import json
import json.encoder
import re
import secrets
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from telephony.sandbox._calls import (
    ANSWERED,
    BUSY,
    CANCELED,
    ENDED,
    FAILED,
    INBOUND,
    NO_ANSWER,
    OUTBOUND,
    QUEUED,
    REJECTED,
    TALKING,
    CallRecord,
    plan_for,
)
from telephony.sandbox._clock import SandboxClock
from telephony.sandbox._exchange import Reply, Request, basic_credentials
from telephony.sandbox._ledger import Ledger
from telephony.sandbox._mix import MASK, mix64
from telephony.sandbox._times import MinuteFormat, millis, to_millis

__all__ = ["API_PREFIX", "RETENTION", "TOKEN_PATH", "BandwidthApi", "iso"]

API_PREFIX = "/bandwidth/api/v2"
TOKEN_PATH = "/bandwidth/api/v1/oauth2/token"  # noqa: S105 - a path, not a secret
RETENTION = 7 * 86400.0
MAX_LISTED = 10000
DEFAULT_PAGE_SIZE = 1000

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_SIP_URI = re.compile(r"sips?:[^\s@]+@[^\s@]+")
_CALLS = re.compile(r"/accounts/([^/]+)/calls(?:/([^/]+)(/bxml)?)?")
_JSON = ("Content-Type", "application/json")
_CAUSE = {ANSWERED: "hangup", BUSY: "busy", NO_ANSWER: "timeout", REJECTED: "rejected"}

# What json.dumps writes for a string (its C escaper, ASCII only) and for any other value:
# listing pages are written field by field with these, byte for byte as json.dumps would.
_string: Callable[[str], str] = json.encoder.encode_basestring_ascii
_dumps = json.JSONEncoder(separators=(",", ":")).encode


def _value(value: object) -> str:
    if value is None:
        return "null"
    if type(value) is str:
        return _string(value)
    if type(value) is dict and all(type(key) is str for key in value):
        # json.dumps' own dict path is Python code, slower than this (stirShaken).
        return "{" + ",".join([f"{_string(k)}:{_value(v)}" for k, v in value.items()]) + "}"
    return _dumps(value)


iso = MinuteFormat(
    lambda t: time.strftime("%Y-%m-%dT%H:%M:", t),
    lambda second, millis: f"{second:02d}.{millis:03d}Z",
)
iso.__doc__ = "ISO 8601 in UTC with milliseconds, as Bandwidth writes times."


def _parse_iso(text: str) -> float | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class _InvalidRequestError(Exception):
    """A request the API refuses with 400."""


def _url(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise _InvalidRequestError(f"'{name}' is required.")
        return None
    if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", value):
        raise _InvalidRequestError(f"Invalid {name}: only http and https are allowed.")
    if len(value) > 2048:
        raise _InvalidRequestError(f"Invalid {name}: longer than 2048 characters.")
    return value


def _text(body: dict[str, Any], name: str, limit: int) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise _InvalidRequestError(f"'{name}' must be a string of at most {limit} characters.")
    return value


def _method(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        return "POST"
    if value not in ("GET", "POST"):
        raise _InvalidRequestError(f"'{name}' must be GET or POST.")
    return str(value)


def _number(body: dict[str, Any], name: str, low: float, high: float, default: float) -> float:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _InvalidRequestError(f"'{name}' must be a number from {low:g} to {high:g}.")
    return float(value)


class BandwidthApi:
    # Set by the Sandbox: called with each created call (its callbacks are then delivered).
    on_create: Callable[[CallRecord], None] | None = None

    def __init__(
        self,
        *,
        clock: SandboxClock,
        ledger: Ledger,
        account_id: str,
        username: str,
        password: str,
        client_id: str,
        client_secret: str,
        application_id: str,
        token_key: int,
        token_lifetime: float = 3600.0,
        get_lag: float = 0.0,
    ) -> None:
        self.clock = clock
        self.ledger = ledger
        self.account_id = account_id
        self.application_id = application_id
        self._basic = (username, password)
        self._client = (client_id, client_secret)
        self._token_key = token_key & MASK
        self._token_lifetime = token_lifetime
        self._tokens: dict[str, float] = {}  # access token -> wall-clock expiry (monotonic)
        self._tokens_lock = threading.Lock()
        self._errors = 0
        self.get_lag = get_lag
        # The start of every listed record that keeps the account's own application.
        self._head = (
            f'{{"applicationId":{_string(application_id)},"accountId":{_string(account_id)}'
        )

    # -- plumbing --------------------------------------------------------------------------

    def _error(self, status: int, kind: str, description: str, *headers: tuple[str, str]) -> Reply:
        self._errors += 1
        # Bandwidth's error docs: the 409 example carries an empty id.
        error_id = "" if status == 409 else f"{mix64(self._token_key ^ self._errors):016x}"
        body = {"type": kind, "description": description, "id": error_id}
        return Reply(status, json.dumps(body).encode(), [_JSON, *headers])

    def _json(self, status: int, data: Any, *headers: tuple[str, str]) -> Reply:
        body = json.dumps(data, separators=(",", ":")).encode()
        return Reply(status, body, [_JSON, *headers])

    def _authorized(self, request: Request) -> bool:
        authorization = request.header("authorization")
        if authorization[:7].lower() == "bearer ":
            token = authorization[7:].strip()
            with self._tokens_lock:
                expiry = self._tokens.get(token)
            return expiry is not None and time.monotonic() < expiry
        return basic_credentials(authorization) == self._basic

    def _read_json(self, request: Request) -> dict[str, Any] | Reply:
        if request.media_type() != "application/json":
            return self._error(415, "validation", "Content-Type must be application/json.")
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return self._error(400, "validation", "The request body is not valid JSON.")
        if not isinstance(body, dict):
            return self._error(400, "validation", "The request body must be a JSON object.")
        return body

    def forgotten(self, record: CallRecord, now: float) -> bool:
        return now >= record.end and now - record.end > RETENTION

    # -- dispatch --------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        if request.path == TOKEN_PATH:
            return self.token(request)
        if not self._authorized(request):
            return self._error(401, "authentication-error", "Invalid credentials.")
        match = _CALLS.fullmatch(request.path.removeprefix(API_PREFIX))
        if match is None:
            return self._error(404, "validation", "No such resource.")
        account, call_id, bxml = match.groups()
        if account != self.account_id:
            return self._error(403, "authorization-error", f"Access to account {account} denied.")
        method = request.method
        if call_id is None:
            if method == "GET":
                return self.list_calls(request)
            if method == "POST":
                return self.create_call(request)
        elif bxml:
            if method == "PUT":
                return self.replace_bxml(request, call_id)
        elif method == "GET":
            return self.get_call(request, call_id)
        elif method == "POST":
            return self.update_call(request, call_id)
        return self._error(405, "validation", f"{method} is not allowed here.")

    # -- OAuth2 ----------------------------------------------------------------------------

    def token(self, request: Request) -> Reply:
        if request.method != "POST":
            return self._json(405, {"error": "invalid_request"})
        if basic_credentials(request.header("authorization")) != self._client:
            challenge = ("WWW-Authenticate", 'Basic realm="oauth2"')
            return self._json(401, {"error": "invalid_client"}, challenge)
        form = dict(parse_qsl(request.body.decode("utf-8", "replace")))
        if form.get("grant_type") != "client_credentials":
            return self._json(400, {"error": "unsupported_grant_type"})
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._tokens_lock:
            self._tokens = {key: end for key, end in self._tokens.items() if end > now}
            self._tokens[token] = now + self._token_lifetime
        answer = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self._token_lifetime),
        }
        return self._json(200, answer, ("Cache-Control", "no-store"))

    # -- records ---------------------------------------------------------------------------

    def call_state(self, record: CallRecord, now: float) -> dict[str, Any]:
        end = record.end
        start, answer = record.start, record.answer
        ended = now >= end
        if ended:
            state = "disconnected"
        elif start is None or now < start:
            state = "queued"
        elif answer is not None and now >= answer:
            state = "answered"
        else:
            state = "initiated"
        error = record.error if ended else None
        inbound = record.direction == INBOUND
        extra = record.extra
        return {
            "applicationId": extra.get("applicationId", self.application_id),
            "accountId": self.account_id,
            "callId": record.id,
            "parentCallId": record.parent_id,
            "to": record.to,
            "from": record.from_,
            "direction": "inbound" if inbound else "outbound",
            "state": state,
            "stirShaken": extra.get("stirShaken"),
            "identity": None,
            "enqueuedTime": None if inbound else iso(record.created),
            "startTime": iso(start) if start is not None and start <= now else None,
            "answerTime": iso(answer) if answer is not None and answer <= now else None,
            "endTime": iso(end) if ended else None,
            "disconnectCause": record.cause if ended else None,
            "errorMessage": error[0] if error else None,
            "errorId": error[1] if error else None,
            "lastUpdate": iso(end if ended and not record.updated else record.last_change(now)),
        }

    def call_json(self, record: CallRecord, now: float) -> str:
        """``call_state`` as JSON text without building the dict: byte for byte what
        ``json.dumps(call_state(record, now), separators=(",", ":"))`` writes (a test holds
        it). Listing pages are made of these; they cost about half as much."""
        end = record.end
        start, answer = record.start, record.answer
        updates = record.updated
        if now >= end:
            state = '"disconnected"'
            end_text = f'"{iso(end)}"'
            last = end_text if not updates else f'"{iso(record.last_change(now))}"'
            cause = _value(record.cause)
            error = record.error
            if error:
                message, error_id = _value(error[0]), _value(error[1])
            else:
                message = error_id = "null"
        else:
            if start is None or now < start:
                state = '"queued"'
            elif answer is not None and now >= answer:
                state = '"answered"'
            else:
                state = '"initiated"'
            end_text = cause = message = error_id = "null"
            last = f'"{iso(record.last_change(now))}"'
        extra = record.extra
        head = self._head
        if extra:
            app = extra.get("applicationId", self.application_id)
            if app != self.application_id or type(app) is not str:
                head = f'{{"applicationId":{_value(app)},"accountId":{_string(self.account_id)}'
            stir = _value(extra.get("stirShaken"))
        else:
            stir = "null"
        if record.direction == INBOUND:
            direction, enqueued = '"inbound"', "null"
        else:
            direction, enqueued = '"outbound"', f'"{iso(record.created)}"'
        started = f'"{iso(start)}"' if start is not None and start <= now else "null"
        answered = f'"{iso(answer)}"' if answer is not None and answer <= now else "null"
        parent = record.parent_id
        return (
            f'{head},"callId":{_string(record.id)},'
            f'"parentCallId":{"null" if parent is None else _string(parent)},'
            f'"to":{_string(record.to)},"from":{_string(record.from_)},'
            f'"direction":{direction},"state":{state},"stirShaken":{stir},"identity":null,'
            f'"enqueuedTime":{enqueued},"startTime":{started},"answerTime":{answered},'
            f'"endTime":{end_text},"disconnectCause":{cause},"errorMessage":{message},'
            f'"errorId":{error_id},"lastUpdate":{last}}}'
        )

    def _find(self, call_id: str, now: float) -> CallRecord | None:
        record = self.ledger.find(call_id)
        if record is None or self.forgotten(record, now):
            return None
        return record

    def _not_found(self, call_id: str) -> Reply:
        return self._error(404, "validation", f"Call {call_id} was not found.")

    # -- operations ------------------------------------------------------------------------

    def get_call(self, request: Request, call_id: str) -> Reply:
        now = self.clock.now()
        record = self._find(call_id, now)
        if record is None or (self.get_lag and now - record.created < self.get_lag):
            return self._not_found(call_id)  # near-realtime: a new call shows up late
        return self._json(200, self.call_state(record, now))

    def create_call(self, request: Request) -> Reply:
        body = self._read_json(request)
        if isinstance(body, Reply):
            return body
        try:
            fields = self._create_fields(body)
        except _InvalidRequestError as exc:
            return self._error(400, "validation", str(exc))
        now = millis(self.clock.now())
        ring_timeout = float(fields["callTimeout"])
        start, answer, end, outcome = plan_for(fields["to"], created=now, ring_timeout=ring_timeout)

        def make(position: int, call_id: str) -> CallRecord:
            record = CallRecord(
                seq=position,
                id=call_id,
                direction=OUTBOUND,
                from_=fields["from"],
                to=fields["to"],
                created=now,
                start=start,
                answer=answer,
                end=end,
                outcome=outcome,
                cause=_CAUSE.get(outcome, "cancel"),
                ring_timeout=ring_timeout,
            )
            if outcome == FAILED:
                record.cause = "error"
                record.error = ("Call failed: SIP 503 Service Unavailable", f"{position:032x}")
            record.extra["applicationId"] = fields["applicationId"]
            record.extra["create"] = fields  # callback URLs, methods and credentials
            return record

        record = self.ledger.add(make)
        if self.on_create is not None:
            self.on_create(record)
        call_url = f"{request.origin}{API_PREFIX}/accounts/{self.account_id}/calls/{record.id}"
        answer_body = {
            "applicationId": fields["applicationId"],
            "accountId": self.account_id,
            "callId": record.id,
            "to": record.to,
            "from": record.from_,
            "enqueuedTime": iso(now),
            "callUrl": call_url,
            "callTimeout": fields["callTimeout"],
            "callbackTimeout": fields["callbackTimeout"],
            "tag": fields["tag"],
            "answerMethod": fields["answerMethod"],
            "answerUrl": fields["answerUrl"],
            "answerFallbackMethod": fields["answerFallbackMethod"],
            "answerFallbackUrl": fields["answerFallbackUrl"],
            "disconnectMethod": fields["disconnectMethod"],
            "disconnectUrl": fields["disconnectUrl"],
            "username": fields["username"],
            "password": "*****" if fields["password"] is not None else None,
            "fallbackUsername": fields["fallbackUsername"],
            "fallbackPassword": "*****" if fields["fallbackPassword"] is not None else None,
            "priority": fields["priority"],
        }
        return self._json(201, answer_body, ("Location", call_url))

    def _create_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        for name in ("to", "from", "applicationId", "answerUrl"):
            if body.get(name) is None:
                raise _InvalidRequestError(f"'{name}' is required.")
        to, from_ = body["to"], body["from"]
        if not isinstance(to, str) or not (_E164.fullmatch(to) or _SIP_URI.fullmatch(to)):
            raise _InvalidRequestError(f"'to' must be an E.164 number or a SIP URI, not {to!r}.")
        if not isinstance(from_, str) or not _E164.fullmatch(from_):
            raise _InvalidRequestError(f"'from' must be an E.164 number, not {from_!r}.")
        if body["applicationId"] != self.application_id:
            raise _InvalidRequestError(f"Application {body['applicationId']!r} was not found.")
        priority = body.get("priority")
        if priority is not None and (
            isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= 5
        ):
            raise _InvalidRequestError("'priority' must be a whole number from 1 to 5.")
        privacy = body.get("privacy")
        if privacy is not None and not isinstance(privacy, bool):
            raise _InvalidRequestError("'privacy' must be true or false.")
        _text(body, "displayName", 256)
        _text(body, "uui", 350)
        detection = body.get("machineDetection")
        if detection is not None:
            if not isinstance(detection, dict):
                raise _InvalidRequestError("'machineDetection' must be an object.")
            if detection.get("mode") not in (None, "sync", "async"):
                raise _InvalidRequestError("'machineDetection.mode' must be sync or async.")
            _url(detection, "callbackUrl")
            _url(detection, "fallbackUrl")
        call_timeout = _number(body, "callTimeout", 1, 300, 30)
        callback_timeout = _number(body, "callbackTimeout", 1, 25, 15)
        return {
            "to": to,
            "from": from_,
            "applicationId": body["applicationId"],
            "answerUrl": _url(body, "answerUrl", required=True),
            "answerMethod": _method(body, "answerMethod"),
            "answerFallbackUrl": _url(body, "answerFallbackUrl"),
            "answerFallbackMethod": _method(body, "answerFallbackMethod"),
            "disconnectUrl": _url(body, "disconnectUrl"),
            "disconnectMethod": _method(body, "disconnectMethod"),
            "callTimeout": call_timeout,
            "callbackTimeout": callback_timeout,
            "tag": _text(body, "tag", 4096),
            "username": _text(body, "username", 1024),
            "password": _text(body, "password", 1024),
            "fallbackUsername": _text(body, "fallbackUsername", 1024),
            "fallbackPassword": _text(body, "fallbackPassword", 1024),
            "priority": priority if priority is not None else 5,
        }

    def update_call(self, request: Request, call_id: str) -> Reply:
        now = self.clock.now()
        record = self._find(call_id, now)
        if record is None:
            return self._not_found(call_id)
        body = self._read_json(request)
        if isinstance(body, Reply):
            return body
        state = body.get("state")
        if state is None:
            state = "active"
        try:
            if state not in ("active", "completed"):
                raise _InvalidRequestError("'state' must be active or completed.")
            if state == "completed":
                for name in ("redirectUrl", "redirectFallbackUrl", "tag"):
                    if body.get(name) is not None:
                        raise _InvalidRequestError(
                            f"'{name}' is not allowed when state is completed."
                        )
                # The official SDK sends the methods' defaults with every update, hang-ups
                # included, and the server takes them: only their values are checked.
                _method(body, "redirectMethod")
                _method(body, "redirectFallbackMethod")
            else:
                _url(body, "redirectUrl", required=True)
                _url(body, "redirectFallbackUrl")
                _method(body, "redirectMethod")
                _method(body, "redirectFallbackMethod")
                _text(body, "tag", 4096)
            for name in ("username", "password", "fallbackUsername", "fallbackPassword"):
                _text(body, name, 1024)
        except _InvalidRequestError as exc:
            return self._error(400, "validation", str(exc))
        with self.ledger.lock:
            now = millis(self.clock.now())
            phase = record.phase(now)
            if phase == ENDED:
                return self._error(409, "validation", f"Call {call_id} has already ended.")
            if state == "active":
                if phase != TALKING:
                    return self._error(
                        409, "validation", f"Call {call_id} is not answered yet: cannot redirect."
                    )
                record.updated.append(now)
            elif phase == TALKING:
                record.end, record.outcome, record.cause = now, ANSWERED, "hangup"
            else:
                # Unanswered: a queued call leaves the queue, an outbound one is cancelled,
                # an inbound one rejected.
                if phase == QUEUED:
                    record.start = None
                record.answer, record.end = None, now
                if record.direction == INBOUND:
                    record.outcome, record.cause = REJECTED, "rejected"
                else:
                    record.outcome, record.cause = CANCELED, "cancel"
                record.error = None
        return Reply(200)

    def replace_bxml(self, request: Request, call_id: str) -> Reply:
        now = self.clock.now()
        record = self._find(call_id, now)
        if record is None:
            return self._not_found(call_id)
        if request.media_type() != "application/xml":
            return self._error(415, "validation", "Content-Type must be application/xml.")
        if b"<!DOCTYPE" in request.body or b"<!ENTITY" in request.body:
            return self._error(400, "validation", "Invalid BXML: DTDs are not allowed.")
        try:
            # No DTD can get here, so no entity expansion: the stdlib parser is safe.
            root = ElementTree.fromstring(request.body)  # noqa: S314
        except ElementTree.ParseError as exc:
            return self._error(400, "validation", f"Invalid BXML: {exc}")
        if root.tag != "Bxml":
            return self._error(400, "validation", "Invalid BXML: the root element must be <Bxml>.")
        with self.ledger.lock:
            now = millis(self.clock.now())
            phase = record.phase(now)
            if phase != TALKING:
                return self._error(
                    409, "validation", f"Call {call_id} is not active: cannot replace its BXML."
                )
            record.updated.append(now)
        return Reply(204)

    # -- listing ---------------------------------------------------------------------------

    def _page_token(self, position: int, served: int) -> str:
        check = mix64(self._token_key ^ (position * 0x100000001B3 + served)) & 0xFFFFFFFF
        raw = f"{position}.{served}.{check:08x}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _read_page_token(self, token: str) -> tuple[int, int] | None:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            position_text, served_text, _check = raw.split(".")
            position, served = int(position_text), int(served_text)
        except (ValueError, UnicodeDecodeError):
            return None
        if position < 0 or not 0 <= served < MAX_LISTED:
            return None
        return (position, served) if self._page_token(position, served) == token else None

    def list_calls(self, request: Request) -> Reply:
        params = dict(reversed(request.query))  # the first value of each name wins
        size_text = params.get("pageSize", str(DEFAULT_PAGE_SIZE))
        if not re.fullmatch(r"[0-9]{1,6}", size_text) or not 1 <= int(size_text) <= MAX_LISTED:
            return self._error(400, "validation", "pageSize must be an integer from 1 to 10000.")
        page_size = int(size_text)
        position, served = 0, 0
        if "pageToken" in params:
            token = self._read_page_token(params["pageToken"])
            if token is None:
                return self._error(400, "validation", "Invalid pageToken.")
            position, served = token
        bounds: list[float | None] = []
        for name in ("minStartTime", "maxStartTime"):
            text = params.get(name)
            moment = None if text is None else _parse_iso(text)
            if text is not None and moment is None:
                return self._error(400, "validation", f"Invalid {name}: {text!r} is not ISO 8601.")
            bounds.append(moment)
        low, high = bounds
        low_ms = None if low is None else to_millis(low)
        high_ms = None if high is None else to_millis(high)
        to, from_, cause = params.get("to"), params.get("from"), params.get("disconnectCause")
        now = self.clock.now()
        forget_before = now - RETENTION

        def accept(record: CallRecord) -> bool:
            if to is not None and record.to != to:
                return False
            if from_ is not None and record.from_ != from_:
                return False
            if record.end <= now:
                if record.end < forget_before:
                    return False
                if cause is not None and record.cause != cause:
                    return False
            elif cause is not None:
                return False
            if low_ms is not None or high_ms is not None:
                start = record.start
                if start is None or start > now:
                    return False
                start_ms = to_millis(start)
                if (low_ms is not None and start_ms < low_ms) or (
                    high_ms is not None and start_ms > high_ms
                ):
                    return False
            return True

        probe = None
        history = self.ledger.history
        if history is not None and (to is not None or from_ is not None or cause is not None):
            brief = history.brief

            def probe(i: int) -> bool:
                _, caller, callee, _, ended_cause = brief(i)  # seeded calls are all over
                return (
                    (to is None or callee == to)
                    and (from_ is None or caller == from_)
                    and (cause is None or ended_cause == cause)
                )

        begin, seeded_end = self._seeded_range(low, high, forget_before)
        room = min(page_size, MAX_LISTED - served)
        records: list[CallRecord] = []
        following: CallRecord | None = None
        for record in self.ledger.scan(
            begin=max(position, begin), seeded_end=seeded_end, accept=accept, probe=probe
        ):
            if len(records) == room:
                following = record
                break
            records.append(record)
        headers: list[tuple[str, str]] = []
        if following is not None and served + len(records) < MAX_LISTED:
            query = [(k, v) for k, v in request.query if k != "pageToken"]
            query.append(("pageToken", self._page_token(following.seq, served + len(records))))
            path = quote(request.path)
            headers.append(("Link", f'<{request.origin}{path}?{urlencode(query)}>; rel="next"'))
        body = "[" + ",".join([self.call_json(record, now) for record in records]) + "]"
        return Reply(200, body.encode(), [_JSON, *headers])

    def _seeded_range(
        self, low: float | None, high: float | None, forget_before: float
    ) -> tuple[int, int]:
        history = self.ledger.history
        if history is None or history.count == 0:
            return 0, 0
        # Calls created this long before the retention limit have certainly been forgotten.
        begin = history.first_created_at_or_after(forget_before - history.max_duration)
        if low is not None:
            begin = max(begin, history.first_start_at_or_after(low))
        end = history.count if high is None else history.first_start_after(high)
        return begin, end
