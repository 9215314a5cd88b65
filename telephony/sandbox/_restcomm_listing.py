"""Restcomm's call listing: ``GET .../Calls`` with the server's filters (SQL LIKE on To,
From, Status and ParentCallSid; StartTime/EndTime as days), ``Page``/``PageSize`` paging with
the server's defects, newest first unless ``SortBy`` asks otherwise. Apart from the rest of
the API (``_restcomm.py``) because it reads the ledger in its own way: a filtered count of the
seeded history is found by one scan and remembered every ``STRIDE`` matches, so that any page
starts near its first call and a million-call history lists in one pass.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from telephony.sandbox._calls import CallRecord
from telephony.sandbox._clock import SandboxClock
from telephony.sandbox._exchange import Reply, Request, first
from telephony.sandbox._ledger import Ledger
from telephony.sandbox._restcomm_wire import (
    API_VERSION,
    SID,
    XML_TYPE,
    RestcommWriter,
    ended_status,
    text_reply,
    wire_status,
    wire_times,
)

__all__ = ["RestcommListing"]

STRIDE = 512  # remember every STRIDE-th match of a filtered listing
ANSWER_SLACK = 120.0  # the longest a seeded or test-number call takes from creation to answer

_DAY = re.compile(r"(-?[0-9]+)-(-?[0-9]+)-(-?[0-9]+)")


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


class RestcommListing:
    """Answers the listing requests of one account whose server runs ``utc_offset_minutes``
    from UTC (the days of the StartTime/EndTime filters are its days)."""

    def __init__(
        self,
        *,
        clock: SandboxClock,
        ledger: Ledger,
        writer: RestcommWriter,
        utc_offset_minutes: int,
    ) -> None:
        self.clock = clock
        self.ledger = ledger
        self.writer = writer
        self._zone = timezone(timedelta(minutes=utc_offset_minutes))
        self._cache: OrderedDict[tuple[object, ...], _Seeded] = OrderedDict()
        self._cache_lock = threading.Lock()

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
                return text_reply(500, f'For input string: "{text}"')
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
            return text_reply(500, "/ by zero" if size == 0 else "Invalid LIMIT or OFFSET")
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
            position = self.ledger.position_of(parent) if SID.fullmatch(parent) else None
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
        path = f"/{API_VERSION}/Accounts/{self.writer.account_sid}/Calls"
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
        write = self.writer.call_xml
        parts.extend(write(record, now, "    ") for record in records)
        parts.append("  </Calls>\n</RestcommResponse>")
        return Reply(200, "".join(parts).encode(), [XML_TYPE])
