"""Bandwidth's call listing: ``GET .../calls`` with its filters (``to``, ``from``,
``disconnectCause``, ``minStartTime``/``maxStartTime``), ``pageSize``, and the next page as
``Link: <...>; rel="next"`` carrying an opaque, checked ``pageToken``; at most 10000 calls per
listing, calls forgotten ``RETENTION`` after they end. Apart from the rest of the API
(``_bandwidth.py``) because it reads the ledger in its own way: the seeded history by
position (the range a time filter allows found by bisection, number filters checked on a
call's brief before the call is built), the calls created since after it.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from telephony.sandbox._bandwidth_wire import JSON_TYPE, BandwidthWriter
from telephony.sandbox._calls import CallRecord
from telephony.sandbox._clock import SandboxClock
from telephony.sandbox._exchange import Reply, Request
from telephony.sandbox._ledger import Ledger
from telephony.sandbox._mix import mix64
from telephony.sandbox._times import to_millis

__all__ = ["RETENTION", "BandwidthListing"]

RETENTION = 7 * 86400.0  # a call is forgotten (not listed, not found) this long after it ends
MAX_LISTED = 10000
DEFAULT_PAGE_SIZE = 1000


def _parse_iso(text: str) -> float | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class BandwidthListing:
    """Answers the listing requests of one account; ``error`` writes the API's
    ``voiceApiError`` answers (their ids count every error the API gave)."""

    def __init__(
        self,
        *,
        clock: SandboxClock,
        ledger: Ledger,
        writer: BandwidthWriter,
        token_key: int,
        error: Callable[[int, str, str], Reply],
    ) -> None:
        self.clock = clock
        self.ledger = ledger
        self.writer = writer
        self._token_key = token_key
        self._error = error

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
        write = self.writer.call_json
        body = "[" + ",".join([write(record, now) for record in records]) + "]"
        return Reply(200, body.encode(), [JSON_TYPE, *headers])

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
