"""A Bandwidth call record as the API writes it: ``call_state`` is the ``callState`` object a
GET of one call answers, ``call_json`` the same record as JSON text for the listing pages,
written field by field because a page holds up to 10000 of them (a test holds it byte for
byte to ``json.dumps`` of ``call_state``). Apart from the request handling (``_bandwidth.py``)
and the listing (``_bandwidth_listing.py``), which both write records through a
``BandwidthWriter``.
"""

from __future__ import annotations

import json
import json.encoder
import time
from collections.abc import Callable
from typing import Any

from telephony.sandbox._calls import INBOUND, CallRecord
from telephony.sandbox._times import MinuteFormat

__all__ = ["JSON_TYPE", "BandwidthWriter", "iso"]

JSON_TYPE = ("Content-Type", "application/json")

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


class BandwidthWriter:
    """Writes the call records of one account, whose id and own application id are in
    every record."""

    def __init__(self, *, account_id: str, application_id: str) -> None:
        self.account_id = account_id
        self.application_id = application_id
        # The start of every listed record that keeps the account's own application.
        self._head = (
            f'{{"applicationId":{_string(application_id)},"accountId":{_string(account_id)}'
        )

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
