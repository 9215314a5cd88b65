"""Bandwidth Voice API v2 "Calls", as its OpenAPI spec and reference describe it.

Served under ``/bandwidth/api/v2``; the OAuth2 token endpoint under
``/bandwidth/api/v1/oauth2/token``. JSON in and out, ``voiceApiError`` bodies, 201 + Location
on create, ``Link: <...>; rel="next"`` paging with an opaque ``pageToken`` and at most 10000
calls per listing, calls forgotten 7 days after they end.

This module takes the requests (dispatch, credentials and OAuth2 tokens, create, get,
update, BXML); what a body must hold is checked in ``_bandwidth_fields.py``, a call record is
written by ``_bandwidth_wire.py`` and the listing is ``_bandwidth_listing.py``.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from telephony.sandbox._bandwidth_fields import InvalidRequestError, create_fields, update_state
from telephony.sandbox._bandwidth_listing import RETENTION, BandwidthListing
from telephony.sandbox._bandwidth_wire import JSON_TYPE, BandwidthWriter, iso
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
from telephony.sandbox._times import millis

__all__ = ["API_PREFIX", "TOKEN_PATH", "BandwidthApi"]

API_PREFIX = "/bandwidth/api/v2"
TOKEN_PATH = "/bandwidth/api/v1/oauth2/token"  # noqa: S105 - a path, not a secret

_CALLS = re.compile(r"/accounts/([^/]+)/calls(?:/([^/]+)(/bxml)?)?")
_CAUSE = {ANSWERED: "hangup", BUSY: "busy", NO_ANSWER: "timeout", REJECTED: "rejected"}


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
        self.writer = BandwidthWriter(account_id=account_id, application_id=application_id)
        self.listing = BandwidthListing(
            clock=clock,
            ledger=ledger,
            writer=self.writer,
            token_key=self._token_key,
            error=self._error,
        )

    # -- plumbing --------------------------------------------------------------------------

    def _error(self, status: int, kind: str, description: str, *headers: tuple[str, str]) -> Reply:
        self._errors += 1
        # Bandwidth's error docs: the 409 example carries an empty id.
        error_id = "" if status == 409 else f"{mix64(self._token_key ^ self._errors):016x}"
        body = {"type": kind, "description": description, "id": error_id}
        return Reply(status, json.dumps(body).encode(), [JSON_TYPE, *headers])

    def _json(self, status: int, data: Any, *headers: tuple[str, str]) -> Reply:
        body = json.dumps(data, separators=(",", ":")).encode()
        return Reply(status, body, [JSON_TYPE, *headers])

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
                return self.listing.list_calls(request)
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
        return self._json(200, self.writer.call_state(record, now))

    def create_call(self, request: Request) -> Reply:
        body = self._read_json(request)
        if isinstance(body, Reply):
            return body
        try:
            fields = create_fields(body, application_id=self.application_id)
        except InvalidRequestError as exc:
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

    def update_call(self, request: Request, call_id: str) -> Reply:
        now = self.clock.now()
        record = self._find(call_id, now)
        if record is None:
            return self._not_found(call_id)
        body = self._read_json(request)
        if isinstance(body, Reply):
            return body
        try:
            state = update_state(body)
        except InvalidRequestError as exc:
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
