"""Restcomm's status callbacks as neutral ``CallEvent`` objects.

Two mechanisms post to a status callback URL (reference/restcomm-callbacks.md):

- **call progress events** (``CallbackSource=call-progress-events``, outbound legs): ``initiated``,
  ``ringing``, ``answered``, ``completed``. ``completed`` ends the leg whatever happened (busy,
  failed, canceled, talked), so its event has no status: only the call record says, and a
  ``CallTracker`` given a client reads it. ``CallDuration`` is ring time on a canceled leg,
  so it is never read as talk time. ``Timestamp`` is ``Tue, 04 Mar 2025 15:20:05 UTC`` with a
  time-zone *id* and locale-dependent names: read with ``zoneinfo``, else None.
- **the interpreter's callback** (incoming numbers, modified calls): the call's own status
  (``queued`` ... ``canceled``), with no time stamp.

Both are forms (POST body or GET query, UTF-8) where a null is a bare key or the text ``null``.
Restcomm authenticates nothing: ``path_secret=`` demands an unguessable segment in the URL's
path (it survives GET, which drops the query and user info) and ``account_sid=`` the account's
``AccountSid``. Together they prove the sender knew the URL and the account id; they do not
prove it was Restcomm (anyone the URL leaks to can forge a body).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import ClassVar
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from telephony.adapters.restcomm._normalize import PROVIDER, direction_of, status_of
from telephony.toolkit import (
    CallbackParser,
    CallbackRequest,
    CallEvent,
    CallStatus,
    Direction,
    InvalidCallbackError,
    Reply,
    read_pairs,
    same_secret,
)

__all__ = ["RestcommCallbacks", "read_timestamp"]

_PROGRESS = {
    "initiated": CallStatus.RINGING,
    "ringing": CallStatus.RINGING,
    "answered": CallStatus.IN_PROGRESS,
}
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_OFFSET = re.compile(r"([+-])(\d\d):?(\d\d)")
_CLOCK = re.compile(r"(\d\d):(\d\d):(\d\d)")
_ZONE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*")


def _zone(name: str) -> tzinfo | None:
    offset = _OFFSET.fullmatch(name)
    if offset:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        return timezone(-delta if sign == "-" else delta)
    if name in ("UTC", "GMT", "Z"):
        return UTC
    if not _ZONE_ID.fullmatch(name):
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return None


def read_timestamp(value: str | None) -> datetime | None:
    """``Tue, 04 Mar 2025 15:20:05 Europe/Athens`` (Joda ``EEE, dd MMM YYYY HH:mm:ss ZZZZ``)
    as UTC; None for anything else (another locale's month names, an unknown zone)."""
    if not value:
        return None
    parts = value.split()
    if len(parts) != 6:
        return None
    _, day, month, year, clock, zone_name = parts
    number = _MONTHS.get(month)
    hms = _CLOCK.fullmatch(clock)
    zone = _zone(zone_name)
    if number is None or hms is None or zone is None or not (day.isdigit() and year.isdigit()):
        return None
    try:
        hour, minute, second = (int(part) for part in hms.groups())
        local = datetime(int(year), number, int(day), hour, minute, second, tzinfo=zone)
        return local.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _params(request: CallbackRequest) -> dict[str, str | None]:
    text = request.body.decode("utf-8") if request.body.strip() else request.query
    params: dict[str, str | None] = {}
    for key, value in read_pairs(text):
        if key in params:
            # Restcomm never repeats a name; a repeat could smuggle a second AccountSid.
            raise InvalidCallbackError(f"{key} is given twice", provider=PROVIDER)
        params[key] = value
    return params


def _value(params: Mapping[str, str | None], name: str) -> str | None:
    value = params.get(name)
    return None if value in (None, "", "null") else value


class RestcommCallbacks(CallbackParser):
    """``parse_callback("restcomm", ..., path_secret=, account_sid=)``: a request whose URL
    path lacks the secret segment, or whose ``AccountSid`` differs, is refused (``403``)."""

    provider: ClassVar[str] = PROVIDER
    auth: ClassVar[tuple[str, ...]] = ("path_secret", "account_sid")

    def parse(self, request: CallbackRequest, /, **auth: str) -> CallEvent:
        secret = auth.get("path_secret")
        if secret is not None and not _has_segment(request.path, secret):
            raise InvalidCallbackError(
                "the URL path lacks the secret", provider=PROVIDER, unauthenticated=True
            )
        params = _params(request)
        account = _value(params, "AccountSid")
        expected = auth.get("account_sid")
        if expected is not None and not same_secret(account or "", expected):
            raise InvalidCallbackError(
                "AccountSid is not the expected account", provider=PROVIDER, unauthenticated=True
            )
        call_id, event = _value(params, "CallSid"), params.get("CallStatus")
        if call_id is None:
            raise InvalidCallbackError("no CallSid", provider=PROVIDER)
        if not event:
            raise InvalidCallbackError("no CallStatus", provider=PROVIDER)
        parent = _value(params, "ParentCallSid")
        direction = direction_of(_value(params, "Direction"))
        if parent is not None and direction in (Direction.UNKNOWN, Direction.OUTBOUND_API):
            direction = Direction.OUTBOUND_DIAL  # a leg with a parent is a <Dial> leg
        progress = (
            params.get("CallbackSource") == "call-progress-events"
            or "SequenceNumber" in params
            or event in ("initiated", "answered")
        )
        status: CallStatus | None
        occurred = answered = ended = None
        if progress:
            occurred = read_timestamp(_value(params, "Timestamp"))
            status = _PROGRESS.get(event)
            terminal = event == "completed"
            answered = occurred if event == "answered" else None
            ended = occurred if terminal else None
        else:
            found = status_of(event)
            status = None if found is CallStatus.UNKNOWN else found
            terminal = status is not None and status.is_terminal
        return CallEvent(
            provider=PROVIDER,
            call_id=call_id,
            event=event,
            status=status,
            is_terminal=terminal,
            parent_id=parent,
            account_id=account,
            occurred_at=occurred,
            answered_at=answered,
            ended_at=ended,
            direction=direction,
            answered_by=_value(params, "AnsweredBy"),
            raw=params,
        )

    def refuse(self, error: InvalidCallbackError) -> Reply:
        # Restcomm sends no credentials, so a challenge would be pointless: refuse outright.
        return Reply(403 if error.unauthenticated else 400)


def _has_segment(path: str, secret: str) -> bool:
    found = False
    for segment in path.split("/"):
        # Every segment is compared (no early exit) so timing says nothing of where it is.
        found = same_secret(unquote(segment), secret) | found
    return found
