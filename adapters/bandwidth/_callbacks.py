"""Bandwidth's call-event webhooks (``answer``, ``disconnect``, ``transferComplete``...) as
neutral ``CallEvent`` objects.

Bandwidth posts one JSON object (or, when the ``*Method`` says GET, puts the same properties in
the query string) and authenticates only with HTTP Basic, using the credentials set on the call
or application. The status rules are the records' rules (``cause`` read like
``disconnectCause``), with two twists from the reference: ``transferComplete`` is about the
A-leg but its ``cause`` describes the B-leg (the A-leg goes on: no status, not terminal), and
``transferDisconnect`` ends the B-leg it names.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from telephony.adapters.bandwidth._normalize import PROVIDER, direction_of, status_of
from telephony.toolkit import (
    CallbackParser,
    CallbackRequest,
    CallEvent,
    CallStatus,
    InvalidCallbackError,
    Reply,
    ValidationError,
    basic_credentials,
    parse_iso,
    read_pairs,
    same_secret,
)

__all__ = ["BandwidthCallbacks"]

_LIVE = {
    "initiate": CallStatus.RINGING,
    "answer": CallStatus.IN_PROGRESS,
    "redirect": CallStatus.IN_PROGRESS,
    "machineDetectionComplete": CallStatus.IN_PROGRESS,
    "transferAnswer": CallStatus.IN_PROGRESS,
}
_ENDING = frozenset({"disconnect", "transferDisconnect"})
# Bandwidth waits for BXML after these and runs it [docs]; the others are notifications.
_SYNCHRONOUS = frozenset({"initiate", "answer", "redirect", "transferAnswer", "transferComplete"})
_MACHINE = frozenset({"answering-machine", "tone-detected"})
_TEXT_FIELDS = (
    "accountId",
    "callId",
    "parentCallId",
    "direction",
    "cause",
    "eventTime",
    "answerTime",
    "endTime",
)
_EMPTY_BXML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _params(request: CallbackRequest) -> dict[str, Any]:
    if request.body.strip():
        # Any content type: the body is JSON whatever a proxy may have labelled it.
        found = json.loads(request.body.decode("utf-8"))
        if not isinstance(found, dict):
            raise ValueError("the body is not a JSON object")
        return found
    pairs = read_pairs(request.query)
    params: dict[str, Any] = {}
    for key, value in pairs:
        if key in params:
            raise ValueError(f"{key} is given twice")
        params[key] = value
    return _nest(params)


def _nest(params: dict[str, Any]) -> dict[str, Any]:
    """A GET query's nested objects, whose encoding is not documented: JSON text, or
    ``name.key`` / ``name[key]`` flattened keys, become objects; anything else stays text."""
    nested: dict[str, Any] = {}
    for key, value in params.items():
        head, dot, tail = key.partition(".")
        if not dot and key.endswith("]") and "[" in key:
            head, _, tail = key[:-1].partition("[")
            dot = "."
        if dot and head and tail:
            group = nested.setdefault(head, {})
            if isinstance(group, dict):
                group[tail] = value
                continue
        if isinstance(value, str) and value.startswith("{"):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        nested.setdefault(key, value)
    return nested


def _moment(params: Mapping[str, Any], name: str) -> datetime | None:
    value = params.get(name)
    if not value:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise InvalidCallbackError(f"{name} is not an ISO 8601 time", provider=PROVIDER) from None


def _answered_by(params: Mapping[str, Any]) -> str | None:
    result = params.get("machineDetectionResult")
    value = result.get("value") if isinstance(result, dict) else None
    if not isinstance(value, str):
        return None
    if value in _MACHINE:
        return "machine"
    return "human" if value == "human" else None


class BandwidthCallbacks(CallbackParser):
    """``parse_callback("bandwidth", ..., username=, password=)``: with credentials, a request
    without the same Basic credentials is refused (``401`` and a Basic challenge)."""

    provider: ClassVar[str] = PROVIDER
    auth: ClassVar[tuple[str, ...]] = ("username", "password")

    def parse(self, request: CallbackRequest, /, **auth: str) -> CallEvent:
        self._authenticate(request, auth)
        params = _params(request)
        event, call_id = params.get("eventType"), params.get("callId")
        if not isinstance(event, str) or not event:
            raise InvalidCallbackError("no eventType", provider=PROVIDER)
        if not isinstance(call_id, str) or not call_id:
            raise InvalidCallbackError("no callId", provider=PROVIDER)
        for name in _TEXT_FIELDS:
            if not isinstance(params.get(name), str | None):
                raise InvalidCallbackError(f"{name} is not text", provider=PROVIDER)
        answered = _moment(params, "answerTime")
        was_answered = answered is not None
        ending = event in _ENDING
        cause = params.get("cause") if ending else None
        status = _LIVE.get(event)
        if ending:
            status = status_of("disconnected", cause, was_answered)
        parent = params.get("parentCallId")
        return CallEvent(
            provider=PROVIDER,
            call_id=call_id,
            event=event,
            status=status,
            is_terminal=ending,
            parent_id=parent,
            account_id=params.get("accountId"),
            occurred_at=_moment(params, "eventTime"),
            answered_at=answered,
            ended_at=_moment(params, "endTime") if ending else None,
            direction=direction_of(params.get("direction"), parent),
            answered_by=_answered_by(params),
            disconnect_cause=cause,
            raw=params,
        )

    def acknowledge(self, event: CallEvent, content: bytes | None = None) -> Reply:
        # A synchronous event waits for BXML: with none, an empty <Response/> (the call then
        # goes on as with no more BXML) rather than a body Bandwidth would call invalid.
        if content is None and event.event in _SYNCHRONOUS:
            content = _EMPTY_BXML
        return super().acknowledge(event, content)

    @staticmethod
    def _authenticate(request: CallbackRequest, auth: Mapping[str, str]) -> None:
        if not auth:
            return
        username, password = auth.get("username"), auth.get("password")
        if username is None or password is None:
            missing = "password" if password is None else "username"
            raise ValidationError("give both username and password, or neither", field=missing)
        given = basic_credentials(request) or ("", "")
        # Both compared, always: the time taken does not say which one differed.
        user_ok = same_secret(given[0], username)
        password_ok = same_secret(given[1], password)
        if not (user_ok and password_ok):
            raise InvalidCallbackError(
                "missing or wrong Basic credentials", provider=PROVIDER, unauthenticated=True
            )
