"""What Restcomm writes back: a call record as the server's ``Call`` element (``call_xml``),
with the Status, StartTime/EndTime/Duration and price the server stores for it, and the
plain-text error bodies. Apart from the request handling (``_restcomm.py``) and the listing
(``_restcomm_listing.py``), which both write records through a ``RestcommWriter``; the Status
and time rules are also what the listing's filters compare against.
"""

from __future__ import annotations

import math
import re
import time

from telephony.sandbox._calls import (
    ANSWERED,
    BUSY,
    CANCELED,
    CLIENT,
    DIAL,
    INBOUND,
    NO_ANSWER,
    OUTBOUND,
    QUEUED,
    REJECTED,
    RINGING,
    TALKING,
    CallRecord,
)
from telephony.sandbox._exchange import Reply
from telephony.sandbox._times import MinuteFormat

__all__ = [
    "API_VERSION",
    "RATES",
    "SID",
    "XML_TYPE",
    "RestcommWriter",
    "ended_status",
    "text_reply",
    "wire_status",
    "wire_times",
]

API_VERSION = "2012-04-24"
# What the server's Sid constructor takes (anything else throws, and the server answers 500).
SID = re.compile(r"(?:ID[A-Za-z0-9]{32}-)?CA[A-Za-z0-9]{32}")
XML_TYPE = ("Content-Type", "application/xml")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DIRECTION = {
    INBOUND: "inbound",
    OUTBOUND: "outbound-api",
    DIAL: "outbound-api",  # the server writes outbound-api on every leg it places
    CLIENT: "Client-To-Client",
}
RATES = {INBOUND: 85, OUTBOUND: 130, DIAL: 130, CLIENT: 0}  # ten-thousandths of USD a minute


def wire_status(record: CallRecord, phase: str) -> str:
    """The Status text as the server stores it: calls it placed itself carry the enum NAME
    (QUEUED, IN_PROGRESS, NO_ANSWER...), inbound ones the lower-case value, and completed /
    canceled are lower case for everyone (Restcomm issue #1522)."""
    shout = record.direction in (OUTBOUND, DIAL)
    if phase == QUEUED:
        return "QUEUED" if shout else "queued"
    if phase == RINGING:
        return "RINGING" if shout else "ringing"
    if phase == TALKING:
        return "IN_PROGRESS" if shout else "in-progress"
    return ended_status(record.direction, record.outcome, record.cause)


def ended_status(direction: str, outcome: str, cause: str) -> str:
    """The Status text of a call that is over."""
    shout = direction in (OUTBOUND, DIAL)
    if outcome == ANSWERED:
        return "completed"
    if outcome == CANCELED:
        return "canceled"
    if outcome in (BUSY, REJECTED):
        return "BUSY" if shout else "busy"
    if outcome == NO_ANSWER:
        return "NO_ANSWER" if shout else "no-answer"
    if cause == "not-found":
        return "not-found"
    return "FAILED" if shout else "failed"


def wire_times(record: CallRecord, now: float) -> tuple[float, float | None, int | None]:
    """(StartTime, EndTime, Duration) as the server stores them at ``now``: StartTime is the
    creation, or the answer once answered; EndTime and Duration only once a connected or
    canceled leg is over (busy, no-answer and failed legs get neither)."""
    answer = record.answer
    answered = answer is not None and answer <= now
    start = answer if answered and answer is not None else record.created
    if now < record.end or record.outcome not in (ANSWERED, CANCELED):
        return start, None, None
    return start, record.end, max(0, math.floor(record.end - start))


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text or '"' in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace('"', "&quot;")
    return text


def text_reply(status: int, message: str) -> Reply:
    """An error answer: the body is plain text whatever the Content-Type says, as the server
    sends it."""
    return Reply(status, message.encode(), [XML_TYPE])


class RestcommWriter:
    """Writes the call records of one account in its server's time zone."""

    def __init__(self, *, account_sid: str, utc_offset_minutes: int = 0) -> None:
        self.account_sid = account_sid
        sign = "+" if utc_offset_minutes >= 0 else "-"
        hours, minutes = divmod(abs(utc_offset_minutes), 60)
        rfc_zone = f"{sign}{hours:02d}{minutes:02d}"
        iso_zone = "Z" if utc_offset_minutes == 0 else f"{sign}{hours:02d}:{minutes:02d}"
        # DateCreated/DateUpdated: ``EEE, d MMM yyyy HH:mm:ss Z``, day not padded.
        self.rfc2822 = MinuteFormat(
            lambda t: (
                f"{_DAYS[t.tm_wday]}, {t.tm_mday} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
                f"{t.tm_hour:02d}:{t.tm_min:02d}:"
            ),
            lambda second, millis: f"{second:02d} {rfc_zone}",
            offset_seconds=utc_offset_minutes * 60,
        )
        # StartTime/EndTime: Joda-Time's ISO 8601 with milliseconds.
        self.iso = MinuteFormat(
            lambda t: time.strftime("%Y-%m-%dT%H:%M:", t),
            lambda second, millis: f"{second:02d}.{millis:03d}{iso_zone}",
            offset_seconds=utc_offset_minutes * 60,
        )
        self._calls_uri = f"/{API_VERSION}/Accounts/{account_sid}/Calls/"

    def call_xml(self, record: CallRecord, now: float, indent: str) -> str:
        # Written as one f-string with the optional elements inlined: listing pages are made
        # of these, and a helper call per element cost a third of the time. A test holds the
        # bytes to the plain one-helper-per-element writing.
        end = record.end
        start, answer = record.start, record.answer
        ended = now >= end
        talking = not ended and start is not None and now >= start
        talking = talking and answer is not None and now >= answer
        if ended:
            status = ended_status(record.direction, record.outcome, record.cause)
            price = record.price
            if price is None:
                units = math.ceil(record.talk_seconds() / 60) * RATES[record.direction]
                price = f"{units // 10000}.{units % 10000:04d}" if units else "0.00"
            updated = end if not record.updated else record.last_change(now)
        else:
            if talking:
                phase = TALKING
            elif start is None or now < start:
                phase = QUEUED
            else:
                phase = RINGING
            status = wire_status(record, phase)
            price = "0.00"
            updated = record.last_change(now)
        i = indent + "  "
        sid = record.id
        uri = f"{self._calls_uri}{sid}"
        start_time, end_time, seconds = wire_times(record, now)
        rang = ended or talking
        esc = _escape
        instance, parent = record.instance, record.parent_id
        instance_line = f"{i}<InstanceId>{esc(instance)}</InstanceId>\n" if instance else ""
        parent_line = (
            f"{i}<ParentCallSid>{esc(parent)}</ParentCallSid>\n"
            if parent
            else f"{i}<ParentCallSid/>\n"
        )
        to, from_, number_sid = record.to, record.from_, record.number_sid
        to_line = f"{i}<To>{esc(to)}</To>\n" if to else f"{i}<To/>\n"
        from_line = f"{i}<From>{esc(from_)}</From>\n" if from_ else f"{i}<From/>\n"
        number_line = (
            f"{i}<PhoneNumberSid>{esc(number_sid)}</PhoneNumberSid>\n"
            if number_sid
            else f"{i}<PhoneNumberSid/>\n"
        )
        end_lines = (
            f"{i}<EndTime/>\n{i}<Duration/>\n"
            if end_time is None
            else f"{i}<EndTime>{self.iso(end_time)}</EndTime>\n{i}<Duration>{seconds}</Duration>\n"
        )
        answered_by = record.answered_by if rang else ""
        answered_line = (
            f"{i}<AnsweredBy>{esc(answered_by)}</AnsweredBy>\n"
            if answered_by
            else f"{i}<AnsweredBy/>\n"
        )
        caller_name = record.caller_name
        caller_line = (
            f"{i}<CallerName>{esc(caller_name)}</CallerName>\n"
            if caller_name
            else f"{i}<CallerName/>\n"
        )
        ring_line = (
            f"{i}<Ring_duration>{record.ring_seconds()}</Ring_duration>\n"
            if rang
            else f"{i}<Ring_duration/>\n"
        )
        return (
            f"{indent}<Call>\n{i}<Sid>{sid}</Sid>\n{instance_line}"
            f"{i}<DateCreated>{self.rfc2822(record.created)}</DateCreated>\n"
            f"{i}<DateUpdated>{self.rfc2822(updated)}</DateUpdated>\n{parent_line}"
            f"{i}<AccountSid>{self.account_sid}</AccountSid>\n{to_line}{from_line}{number_line}"
            f"{i}<Status>{status}</Status>\n"
            f"{i}<StartTime>{self.iso(start_time)}</StartTime>\n{end_lines}"
            f"{i}<Price>{price}</Price>\n{i}<PriceUnit>USD</PriceUnit>\n"
            f"{i}<Direction>{_DIRECTION[record.direction]}</Direction>\n{answered_line}"
            f"{i}<ApiVersion>{API_VERSION}</ApiVersion>\n{i}<ForwardedFrom/>\n{caller_line}"
            f"{i}<Uri>{uri}</Uri>\n"
            f"{i}<SubresourceUris>\n"
            f"{i}  <Notifications>{uri}/Notifications</Notifications>\n"
            f"{i}  <Recordings>{uri}/Recordings</Recordings>\n"
            f"{i}</SubresourceUris>\n{ring_line}"
            f"{indent}</Call>\n"
        )
