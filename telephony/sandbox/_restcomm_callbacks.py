"""Restcomm's call progress events for calls created through the sandbox, as
reference/restcomm-callbacks.md reads them from the server's ``Call`` actor.

An API call with a ``StatusCallback`` gets all four events whatever ``StatusCallbackEvent``
says: ``initiated`` when the INVITE leaves, ``ringing``, ``answered``, and ``completed`` when
the leg ends *whatever the outcome*, with ``CallDuration`` = talk seconds when answered, 0 when
busy or failed, and the seconds since creation when canceled. A leg that rings out on the Call
actor's own path (the sandbox's no-answer) sends no ``completed`` at all. Parameters are a
UTF-8 form; a null is a bare key (Apache's encoder); ``Timestamp`` is Joda's
``EEE, dd MMM YYYY HH:mm:ss ZZZZ`` in the server's zone (a zone id). GET rebuilds the URL from
scheme, host, port and path: your query string and user info are dropped.
"""

from __future__ import annotations

import math
import time
from urllib.parse import quote_plus, urlsplit

from telephony.sandbox._calls import ANSWERED, CANCELED, FAILED, NO_ANSWER, CallRecord
from telephony.sandbox._delivery import Callback

__all__ = ["RestcommCallbacks"]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SEQUENCE = {"initiated": 0, "ringing": 1, "answered": 2, "completed": 3}
_USER_AGENT = "Apache-HttpClient/4.5.2 (java 1.5)"


def _form(pairs: list[tuple[str, str | None]]) -> str:
    return "&".join(
        quote_plus(key) if value is None else f"{quote_plus(key)}={quote_plus(value)}"
        for key, value in pairs
    )


class RestcommCallbacks:
    """The ``CallbackSide`` of the Restcomm sandbox. ``record.extra["status_callback"]`` holds
    ``(url, method)`` from the create request."""

    def __init__(self, *, account_sid: str, instance_id: str, utc_offset_minutes: int) -> None:
        self.account_sid = account_sid
        self.instance_id = instance_id
        self.offset = utc_offset_minutes
        if utc_offset_minutes == 0:
            self.zone = "UTC"
        else:
            sign = "+" if utc_offset_minutes > 0 else "-"
            hours, minutes = divmod(abs(utc_offset_minutes), 60)
            self.zone = f"{sign}{hours:02d}:{minutes:02d}"  # Joda's id of a fixed offset

    def timestamp(self, moment: float) -> str:
        t = time.gmtime(math.floor(moment) + self.offset * 60)
        return (
            f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} {self.zone}"
        )

    def callbacks(self, record: CallRecord, now: float) -> list[Callback]:
        target = record.extra.get("status_callback")
        if not isinstance(target, tuple):
            return []
        url, method = target
        start, answer, end = record.start, record.answer, record.end
        events: list[tuple[str, float]] = []
        if start is not None and start <= now and start <= end:
            events.append(("initiated", start))
            if record.outcome != FAILED:  # a failure comes before any 180 Ringing
                events.append(("ringing", start))
        if answer is not None and answer <= now and answer <= end:
            events.append(("answered", answer))
        if now >= end and record.outcome != NO_ANSWER:
            events.append(("completed", end))
        return [self._callback(record, name, moment, url, method) for name, moment in events]

    def _duration(self, record: CallRecord) -> int:
        if record.outcome == ANSWERED and record.answer is not None:
            return max(0, math.floor(record.end - record.answer))
        if record.outcome == CANCELED:
            return max(0, math.floor(record.end - record.created))  # since creation: ring time
        return 0

    def _callback(
        self, record: CallRecord, event: str, moment: float, url: str, method: str
    ) -> Callback:
        pairs: list[tuple[str, str | None]] = [
            ("InstanceId", self.instance_id),
            ("AccountSid", self.account_sid),
            ("CallSid", record.id),
            ("From", record.from_),
            ("To", record.to),
            ("Direction", "outbound-api"),
            ("CallerName", record.from_),
            ("ForwardedFrom", None),
            ("CallStatus", event),
        ]
        if event == "completed":
            pairs.append(("CallDuration", str(self._duration(record))))
        pairs += [
            ("Timestamp", self.timestamp(moment)),
            ("CallbackSource", "call-progress-events"),
            ("SequenceNumber", str(_SEQUENCE[event])),
        ]
        headers = [("User-Agent", _USER_AGENT)]
        if method == "GET":
            parts = urlsplit(url)
            host = parts.hostname or ""
            if ":" in host:
                host = f"[{host}]"
            port = f":{parts.port}" if parts.port else ""
            rebuilt = f"{parts.scheme}://{host}{port}{parts.path}?{_form(pairs)}"
            return Callback(
                call_id=record.id,
                name=event,
                due=moment,
                method="GET",
                url=rebuilt,
                headers=headers,
            )
        headers.append(("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"))
        return Callback(
            call_id=record.id,
            name=event,
            due=moment,
            method="POST",
            url=url,
            headers=headers,
            body=_form(pairs).encode(),
        )
