"""Restcomm-Connect "Calls" (API 2012-04-24), as its server really behaves.

Served under ``/restcomm/2012-04-24/Accounts/{AccountSid}/Calls``. Form posts in, XML out
(no ``.json`` variant), 200 on create with the ``Call`` element under an odd root, empty or
plain-text error bodies keyed on the status (406 unknown call, 410 ended call, 500 for a
malformed SID), mixed-case statuses, two date formats in one record, and Page/PageSize paging
with the server's defects: ``numpages`` = floor(total / pagesize), ``total`` written from the
page count, ``"null"`` links, page URIs without the filters, 400 past the end; newest first
unless ``SortBy`` asks otherwise.

Times as the server's ``Call`` actor writes them: ``StartTime`` at creation, moved to the
answer time on answer; ``EndTime`` and ``Duration`` (= end - start, whole seconds) when the leg
completes, so a canceled call's ``Duration`` is its ring time, and busy, no-answer and failed
legs have neither. Every leg the server places is ``outbound-api``, ``<Dial>`` legs included
(they carry a ``ParentCallSid``).
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl

from telephony.sandbox._calls import (
    ANSWERED,
    BUSY,
    CANCELED,
    CLIENT,
    DIAL,
    ENDED,
    INBOUND,
    NO_ANSWER,
    OUTBOUND,
    QUEUED,
    REJECTED,
    RINGING,
    TALKING,
    CallRecord,
    plan_for,
)
from telephony.sandbox._clock import SandboxClock
from telephony.sandbox._exchange import Reply, Request, basic_credentials, first
from telephony.sandbox._ledger import Ledger
from telephony.sandbox._times import MinuteFormat, millis

__all__ = [
    "API_ROOT",
    "API_VERSION",
    "DEFAULT_RING_TIMEOUT",
    "RATES",
    "RestcommApi",
    "ended_status",
    "wire_status",
    "wire_times",
]

API_VERSION = "2012-04-24"
API_ROOT = f"/restcomm/{API_VERSION}"
DEFAULT_RING_TIMEOUT = 60.0
STRIDE = 512  # remember every STRIDE-th match of a filtered listing
ANSWER_SLACK = 120.0  # the longest a seeded or test-number call takes from creation to answer

_PATH = re.compile(API_ROOT + r"/Accounts/([^/]+)/Calls(?:/([^/]+))?")
# What the server's Sid constructor takes (anything else throws, and the server answers 500).
_SID = re.compile(r"(?:ID[A-Za-z0-9]{32}-)?CA[A-Za-z0-9]{32}")
# The SIP user part the server stores for ``client:NAME`` and ``sip:user@host``.
_USER_PART = re.compile(r"(?:client:|sips?:)([^@;]+)(?:@.*)?", re.DOTALL)
_DAY = re.compile(r"(-?[0-9]+)-(-?[0-9]+)-(-?[0-9]+)")
_XML = ("Content-Type", "application/xml")
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


def _ascending(sort_by: str | None) -> bool:
    """Whether ``SortBy`` asks for oldest first (``DateCreated:asc``, ``date_created:asc``);
    anything else keeps the default, newest first."""
    if sort_by is None:
        return False
    field, _, way = sort_by.partition(":")
    return field.replace("_", "").lower() == "datecreated" and way.lower() == "asc"


def _like(pattern: str) -> Callable[[str], bool]:
    """SQL LIKE, case-sensitive as on Restcomm's default database."""
    body = pattern[1:] if pattern.startswith("%") else pattern
    if "%" not in body and "_" not in body:
        if pattern.startswith("%"):
            return lambda value: value.endswith(body)
        return lambda value: value == pattern
    regex = re.compile(
        "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern),
        re.DOTALL,
    )
    return lambda value: regex.fullmatch(value) is not None


class _Seeded:
    """Which seeded calls a filter matches: a plain range, or positions found by one scan
    and remembered every STRIDE matches."""

    def __init__(self, lo: int, hi: int, marks: list[int] | None, total: int) -> None:
        self.lo, self.hi, self.marks, self.total = lo, hi, marks, total


class RestcommApi:
    # Set by the Sandbox: called with each created call (its callbacks are then delivered).
    on_create: Callable[[CallRecord], None] | None = None

    def __init__(
        self,
        *,
        clock: SandboxClock,
        ledger: Ledger,
        account_sid: str,
        auth_token: str,
        email: str,
        instance_id: str,
        utc_offset_minutes: int = 0,
    ) -> None:
        self.clock = clock
        self.ledger = ledger
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._email = email
        self.instance_id = instance_id
        self.offset = utc_offset_minutes
        sign = "+" if utc_offset_minutes >= 0 else "-"
        hours, minutes = divmod(abs(utc_offset_minutes), 60)
        self._rfc_zone = f"{sign}{hours:02d}{minutes:02d}"
        self._iso_zone = "Z" if utc_offset_minutes == 0 else f"{sign}{hours:02d}:{minutes:02d}"
        self._zone = timezone(timedelta(minutes=utc_offset_minutes))
        rfc_zone, iso_zone = self._rfc_zone, self._iso_zone
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
        self._cache: OrderedDict[tuple[object, ...], _Seeded] = OrderedDict()
        self._cache_lock = threading.Lock()

    # -- formats ---------------------------------------------------------------------------

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

    def _one(self, record: CallRecord, now: float) -> Reply:
        body = "<RestcommResponse>\n" + self.call_xml(record, now, "  ") + "</RestcommResponse>"
        return Reply(200, body.encode(), [_XML])

    # -- dispatch --------------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        credentials = basic_credentials(request.header("authorization"))
        if credentials is None:
            return False
        user, password = credentials
        return user in (self.account_sid, self._email) and password == self.auth_token

    def handle(self, request: Request) -> Reply:
        if not self._authorized(request):
            return Reply(401, b"", [("WWW-Authenticate", 'Basic realm="Restcomm realm"')])
        match = _PATH.fullmatch(request.path)
        if match is None:
            return Reply(404)
        account, sid = match.groups()
        if account != self.account_sid:
            return Reply(403)
        method = request.method
        if sid is None:
            if method == "GET":
                return self.list_calls(request)
            if method == "POST":
                return self.create_call(request)
        elif method == "GET":
            return self.get_call(sid)
        elif method == "POST":
            return self.modify_call(request, sid)
        return Reply(405, b"", [("Allow", "GET, POST, OPTIONS, HEAD")])

    @staticmethod
    def _text(status: int, message: str) -> Reply:
        # The body is plain text whatever the Content-Type says, as the server sends it.
        return Reply(status, message.encode(), [_XML])

    def _form(self, request: Request) -> list[tuple[str, str]] | Reply:
        if request.body and request.media_type() != "application/x-www-form-urlencoded":
            return Reply(415)
        text = request.body.decode("utf-8", "replace")
        return parse_qsl(text, keep_blank_values=True)

    # -- operations ------------------------------------------------------------------------

    @staticmethod
    def _bad_sid(sid: str) -> Reply:
        # new Sid(...) throws and no exception mapper handles it.
        return RestcommApi._text(500, f"java.lang.IllegalArgumentException: Invalid Sid {sid}")

    def get_call(self, sid: str) -> Reply:
        if not _SID.fullmatch(sid):
            return self._bad_sid(sid)
        record = self.ledger.find(sid)
        if record is None:
            return Reply(404)
        return self._one(record, self.clock.now())

    def create_call(self, request: Request) -> Reply:
        form = self._form(request)
        if isinstance(form, Reply):
            return form
        values = {name: first(form, name) for name in ("From", "To", "Url", "Timeout")}
        for name in ("From", "To", "Url"):
            if values[name] is None:
                return self._text(400, f"{name} can not be null.")
        ring_timeout = DEFAULT_RING_TIMEOUT
        timeout_text = values["Timeout"]
        if timeout_text is not None:
            if not re.fullmatch(r"[+-]?[0-9]{1,9}", timeout_text):
                return self._text(500, f'For input string: "{timeout_text}"')
            ring_timeout = float(int(timeout_text))
        to = (values["To"] or "").strip()
        user = _USER_PART.fullmatch(to)
        stored_to = user.group(1) if user else to  # the server keeps the SIP user part
        from_ = (values["From"] or "").strip()
        now = millis(self.clock.now())
        start, answer, end, outcome = plan_for(to, created=now, ring_timeout=ring_timeout)

        status_callback = first(form, "StatusCallback")
        callback_method = (first(form, "StatusCallbackMethod") or "POST").strip().upper()

        def make(position: int, sid: str) -> CallRecord:
            record = CallRecord(
                seq=position,
                id=sid,
                direction=OUTBOUND,
                from_=from_,
                to=stored_to,
                created=now,
                start=start,
                answer=answer,
                end=end,
                outcome=outcome,
                cause="",
                instance=self.instance_id,
                ring_timeout=ring_timeout,
            )
            if status_callback:
                record.extra["status_callback"] = (status_callback, callback_method)
            return record

        record = self.ledger.add(make)
        if self.on_create is not None:
            self.on_create(record)
        # xstream names the root after the record's Java class: clients must look for Call.
        root = "org.restcomm.connect.dao.entities.CallDetailRecord"
        body = f"<{root}>\n{self.call_xml(record, now, '  ')}</{root}>"
        return Reply(200, body.encode(), [_XML])

    def modify_call(self, request: Request, sid: str) -> Reply:
        form = self._form(request)
        if isinstance(form, Reply):
            return form
        if not _SID.fullmatch(sid):
            return self._bad_sid(sid)
        record = self.ledger.find(sid)
        if record is None:
            return Reply(406)
        url = first(form, "Url")
        status = first(form, "Status")
        with self.ledger.lock:
            now = millis(self.clock.now())
            phase = record.phase(now)
            if phase == ENDED:
                return self._text(410, "Call is already completed.")
            if url is not None and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url):
                return self._text(500, f"no protocol: {url}")
            before = self._one(record, now)  # the answer shows the call before the change
            wanted = (status or "").lower()
            if wanted == "completed" and phase == TALKING:
                record.end, record.outcome = now, ANSWERED
            elif wanted in ("completed", "canceled") and phase in (QUEUED, RINGING):
                # Completed hangs up in any live state; canceled only a call not answered
                # (on an answered call it answers 200 and does nothing).
                if phase == QUEUED:
                    record.start = None
                record.answer, record.end, record.outcome = None, now, CANCELED
            elif url is not None and phase == TALKING:
                record.updated.append(now)
        return before

    # -- listing ---------------------------------------------------------------------------

    def _day(self, text: str, *, plus_days: int = 0) -> float | None:
        """Midnight (server time) of a ``yyyy-MM-dd`` day, parsed as leniently as Java's
        SimpleDateFormat: a trailing part is ignored and out-of-range fields roll over."""
        match = _DAY.match(text)
        if match is None:
            return None
        year, month, day = (int(part) for part in match.groups())
        year += (month - 1) // 12
        month = (month - 1) % 12 + 1
        try:
            midnight = datetime(year, month, 1, tzinfo=self._zone)
            midnight += timedelta(days=day - 1 + plus_days)
        except (ValueError, OverflowError):
            return None
        return midnight.timestamp()

    def list_calls(self, request: Request) -> Reply:
        query = request.query
        size_text = first(query, "PageSize") or "50"
        page_text = first(query, "Page") or "0"
        for text in (size_text, page_text):
            if not re.fullmatch(r"[+-]?[0-9]{1,9}", text):
                return self._text(500, f'For input string: "{text}"')
        size, page = int(size_text), int(page_text)
        to, from_ = first(query, "To"), first(query, "From")
        status, parent = first(query, "Status"), first(query, "ParentCallSid")
        conference = first(query, "ConferenceSid")
        start_text, end_text = first(query, "StartTime"), first(query, "EndTime")
        started_from = ended_by = None
        if start_text is not None:
            started_from = self._day(start_text)
            if started_from is None:
                return Reply(400)
        if end_text is not None:
            ended_by = self._day(end_text, plus_days=1)
            if ended_by is None:
                return Reply(400)
        checks: list[Callable[[CallRecord, float], bool]] = []
        if to is not None:
            to_like = _like("%" + to)
            checks.append(lambda record, now: to_like(record.to))
        if from_ is not None:
            from_like = _like("%" + from_)
            checks.append(lambda record, now: from_like(record.from_))
        if status is not None:
            status_like = _like(status)
            checks.append(lambda record, now: status_like(wire_status(record, record.phase(now))))
        if parent is not None:
            parent_like = _like(parent)
            checks.append(lambda record, now: parent_like(record.parent_id or "\0"))
        if conference is not None:
            checks.append(lambda record, now: False)  # no sandbox call is in a conference
        if ended_by is not None:
            limit = ended_by

            def ended_in_time(record: CallRecord, now: float) -> bool:
                end_time = wire_times(record, now)[1]  # NULL for busy/no-answer/failed legs
                return end_time is not None and end_time <= limit

            checks.append(ended_in_time)
        if started_from is not None:
            since = started_from
            checks.append(lambda record, now: wire_times(record, now)[0] >= since)
        now = self.clock.now()

        def accept(record: CallRecord) -> bool:
            return all(check(record, now) for check in checks)

        probe = self._probe(to, from_, status)
        key = (to, from_, status, parent, conference, started_from, ended_by)
        seeded = self._seeded(
            key, accept if checks else None, probe, started_from, ended_by, parent
        )
        live = [record for record in self.ledger.live() if accept(record)]
        total = seeded.total + len(live)
        if size <= 0 or page < 0:
            # The server divides by the page size and hands a negative offset to SQL.
            return self._text(500, "/ by zero" if size == 0 else "Invalid LIMIT or OFFSET")
        pages = total // size
        if page > pages:
            return Reply(400)
        offset = page * size
        # ORDER BY date_created DESC unless SortBy asks otherwise: positions are creation
        # order, so a newest-first page is an ascending slice read backwards.
        ascending = _ascending(first(query, "SortBy"))
        if ascending:
            begin, count = offset, size
        else:
            begin = max(0, total - offset - size)
            count = max(0, total - offset - begin)
        records = self._slice(seeded, accept, probe, begin, count)
        if len(records) < count:
            skip = max(0, begin - seeded.total)
            records.extend(live[skip : skip + count - len(records)])
        if not ascending:
            records.reverse()
        return self._page(records, now, page=page, size=size, pages=pages)

    def _probe(
        self, to: str | None, from_: str | None, status: str | None
    ) -> Callable[[int], bool] | None:
        """A first look at seeded call ``i`` (all over by now) from its brief alone."""
        history = self.ledger.history
        if history is None or (to is None and from_ is None and status is None):
            return None
        brief = history.brief
        to_like = None if to is None else _like("%" + to)
        from_like = None if from_ is None else _like("%" + from_)
        status_like = None if status is None else _like(status)

        def probe(i: int) -> bool:
            direction, caller, callee, outcome, cause = brief(i)
            return (
                (to_like is None or to_like(callee))
                and (from_like is None or from_like(caller))
                and (status_like is None or status_like(ended_status(direction, outcome, cause)))
            )

        return probe

    def _seeded(
        self,
        key: tuple[object, ...],
        accept: Callable[[CallRecord], bool] | None,
        probe: Callable[[int], bool] | None,
        started_from: float | None,
        ended_by: float | None,
        parent: str | None,
    ) -> _Seeded:
        history = self.ledger.history
        if history is None or history.count == 0:
            return _Seeded(0, 0, None, 0)
        # StartTime is the creation or the answer (at most ANSWER_SLACK later), and a call
        # created after the EndTime bound cannot have ended before it.
        lo = 0
        if started_from is not None:
            lo = history.first_created_at_or_after(started_from - ANSWER_SLACK)
        hi = history.count if ended_by is None else history.first_created_after(ended_by)
        if parent is not None and "%" not in parent and "_" not in parent:
            # Only call p + lag can be a leg of call p: no need to look anywhere else.
            position = self.ledger.position_of(parent) if _SID.fullmatch(parent) else None
            if position is None or position + history.lag >= history.count:
                return _Seeded(0, 0, None, 0)
            lo = max(lo, position + history.lag)
            hi = min(hi, position + history.lag + 1)
        if hi <= lo:
            return _Seeded(lo, lo, None, 0)
        if accept is None:
            return _Seeded(lo, hi, None, hi - lo)
        # With only a StartTime bound, calls created on or after it surely match (StartTime
        # is never before the creation): only the ones just before it need a look.
        by_start_only = key[:5] == (None,) * 5 and ended_by is None and started_from is not None
        sure = hi
        if by_start_only and started_from is not None:
            sure = max(lo, min(hi, history.first_created_at_or_after(started_from)))
        cache_key = (*key, lo, hi)
        with self._cache_lock:
            cached = self._cache.get(cache_key)
            if cached is not None:
                self._cache.move_to_end(cache_key)
                return cached
        marks: list[int] = []
        count = 0
        for record in self.ledger.scan(begin=lo, seeded_end=sure, accept=accept, probe=probe):
            if record.seq >= sure:
                break
            if count % STRIDE == 0:
                marks.append(record.seq)
            count += 1
        # Every call from ``sure`` to ``hi`` matches: the (k * STRIDE)-th match is found by
        # arithmetic, without building them.
        marks.extend(range(sure + (-count) % STRIDE, hi, STRIDE))
        count += hi - sure
        result = _Seeded(lo, hi, marks, count)
        with self._cache_lock:
            self._cache[cache_key] = result
            while len(self._cache) > 32:
                self._cache.popitem(last=False)
        return result

    def _slice(
        self,
        seeded: _Seeded,
        accept: Callable[[CallRecord], bool],
        probe: Callable[[int], bool] | None,
        offset: int,
        size: int,
    ) -> list[CallRecord]:
        if offset >= seeded.total:
            return []
        history = self.ledger.history
        assert history is not None
        wanted = min(size, seeded.total - offset)
        if seeded.marks is None:
            begin = seeded.lo + offset
            return [history.record(position) for position in range(begin, begin + wanted)]
        mark = offset // STRIDE
        skip = offset - mark * STRIDE
        records: list[CallRecord] = []
        for record in self.ledger.scan(
            begin=seeded.marks[mark], seeded_end=seeded.hi, accept=accept, probe=probe
        ):
            if record.seq >= seeded.hi:
                break
            if skip:
                skip -= 1
                continue
            records.append(record)
            if len(records) == wanted:
                break
        return records

    def _page(
        self, records: list[CallRecord], now: float, *, page: int, size: int, pages: int
    ) -> Reply:
        path = f"/{API_VERSION}/Accounts/{self.account_sid}/Calls"
        last = page == pages
        end = page * size + len(records) if last else size - 1 + page * size
        previous = "null" if page == 0 else f"{path}?Page={page - 1}&amp;PageSize={size}"
        if last or not records:
            following = "null"
        else:
            after = records[min(size, len(records)) - 1].id
            following = f"{path}?Page={page + 1}&amp;PageSize={size}&amp;AfterSid={after}"
        head = (
            f'  <Calls page="{page}" numpages="{pages}" pagesize="{size}" total="{pages}" '
            f'start="{page * size}" end="{end}" uri="{path}" '
            f'firstpageuri="{path}?Page=0&amp;PageSize={size}" '
            f'previouspageuri="{previous}" nextpageuri="{following}" '
            f'lastpageuri="{path}?Page={pages}&amp;PageSize={size}">\n'
        )
        parts = ["<RestcommResponse>\n", head]
        parts.extend(self.call_xml(record, now, "    ") for record in records)
        parts.append("  </Calls>\n</RestcommResponse>")
        return Reply(200, "".join(parts).encode(), [_XML])
