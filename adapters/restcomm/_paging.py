"""Restcomm listing order: oldest first on every server version, each call once.

Why this is more than counting pages (see reference/restcomm-calls.md, "Order"):

- Servers from mid-2018 list newest first unless asked ``SortBy=DateCreated:asc``; the adapter
  always asks. In that order a call created while a listing runs lands at the end, so offset
  paging stays put, except inside one ``DateCreated`` second (the database may order calls of
  the same second differently from one query to the next). The cursor therefore keeps a
  *watermark*: the creation time of the last call yielded and the ids yielded at that instant.
  A record at or before the watermark that was already yielded is dropped.
- Older servers ignore ``SortBy`` and list by ``StartTime``, which the server sets at creation
  and moves to the answer time: an answered call comes after calls created later than it, and a
  call answered while the listing runs moves to the end (it would come twice, and shift a page).
  The adapter notices such a server when creation times go backwards in the server's order
  and from then on holds back, across pages, the calls created within ``hold`` seconds of the
  latest start time read: no call not read yet can have been created before that (a call is
  created at most ``hold`` before its start). ``hold`` is two minutes (Restcomm rings an API
  call for 60 s by default) or the longest creation-to-start span seen, whichever is longer.
  Held calls travel in the cursor, so it stays a plain string. Only a call not answered yet
  can move (``StartTime`` moves once, at the answer): the ids of calls yielded while queued or
  ringing are remembered until they come again, and that second sighting is dropped.

Memory and cursor size are bounded by the calls created within one second (current servers)
or within ``hold`` seconds (older ones) plus the calls that were ringing when listed, never by
the length of the listing. What offset paging cannot give on an older server: when a call
moves to the end, the calls after its old place shift back by one, and the one at the next
page boundary is not on any page read (list again to see it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from telephony.toolkit import Call, CallStatus, ValidationError

__all__ = ["MIN_HOLD_SECONDS", "Order", "arrange"]

MIN_HOLD_SECONDS = 120
# Statuses whose StartTime may still move (to the answer time).
_NOT_ANSWERED = frozenset({CallStatus.QUEUED, CallStatus.RINGING})


def _epoch_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


@attrs.frozen(kw_only=True)
class Order:
    """What the cursor carries between pages to keep the order and drop repeats."""

    watermark: int | None = None  # creation of the last call yielded, epoch milliseconds
    seen: tuple[tuple[str, int], ...] = ()  # (id, creation ms) yielded near the watermark
    latest_read: int | None = None  # the latest creation read, in the server's order
    by_start: bool = False  # the server ignores SortBy and lists by StartTime
    hold: int = MIN_HOLD_SECONDS
    held: tuple[Mapping[str, Any], ...] = ()  # raw records read but not yielded yet
    ringing: tuple[str, ...] = ()  # yielded before their answer: they may come again

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.watermark is not None:
            out["w"] = self.watermark
        if self.seen:
            out["seen"] = [list(pair) for pair in self.seen]
        if self.latest_read is not None:
            out["lr"] = self.latest_read
        if self.by_start:
            out["bs"] = 1
            out["hold"] = self.hold
        if self.held:
            out["held"] = [dict(record) for record in self.held]
        if self.ringing:
            out["ring"] = list(self.ringing)
        return out

    @classmethod
    def from_json(cls, state: Mapping[str, Any]) -> Order:
        try:
            watermark = _optional_int(state.get("w"))
            seen = tuple((str(i), _int(ms)) for i, ms in state.get("seen", []))
            latest = _optional_int(state.get("lr"))
            hold = _int(state.get("hold", MIN_HOLD_SECONDS))
            held = tuple(state.get("held", []))
            ringing = tuple(str(i) for i in state.get("ring", []))
        except (TypeError, ValueError):
            raise ValidationError("is not a Restcomm cursor", field="cursor") from None
        if hold < MIN_HOLD_SECONDS or not all(
            isinstance(record, dict) and isinstance(record.get("Sid"), str) for record in held
        ):
            raise ValidationError("is not a Restcomm cursor", field="cursor")
        return cls(
            watermark=watermark,
            seen=seen,
            latest_read=latest,
            by_start=bool(state.get("bs")),
            hold=hold,
            held=held,
            ringing=ringing,
        )


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("not an int")
    return value


def _optional_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def _creation_key(pair: tuple[Call, Mapping[str, Any]]) -> tuple[bool, datetime]:
    created = pair[0].created_at
    return (created is None, created or datetime.min.replace(tzinfo=UTC))


def arrange(
    order: Order,
    page: Sequence[tuple[Call, Mapping[str, Any]]],
    *,
    to_call: Callable[[Mapping[str, Any]], Call],
    last_page: bool,
) -> tuple[list[Call], Order]:
    """The calls to yield from one server page (``page``: each call with its raw record, in
    the server's order), oldest first and never one already yielded, and the order state for
    the next page. ``to_call`` reads the held records again."""
    by_start = order.by_start
    latest = order.latest_read
    read: list[tuple[Call, Mapping[str, Any]]] = []
    for call, record in page:
        created = call.created_at
        if created is not None:
            ms = _epoch_ms(created)
            if latest is not None and ms < latest:
                by_start = True  # creation went backwards: the server ignored SortBy
            latest = ms if latest is None else max(latest, ms)
        read.append((call, record))
    # Held records first, then the page: a record read again (it moved) replaces the held one.
    pool: dict[str, tuple[Call, Mapping[str, Any]]] = {}
    for record in order.held:
        call = to_call(record)
        pool[call.id] = (call, record)
    for call, record in read:
        pool.pop(call.id, None)
        pool[call.id] = (call, record)
    hold = order.hold
    cutoff: int | None = None
    if by_start:
        spans = [
            _epoch_ms(call.started_at) - _epoch_ms(call.created_at)
            for call, _ in pool.values()
            if call.started_at is not None and call.created_at is not None
        ]
        hold = max([hold, *(-(-span // 1000) for span in spans)])
        starts = [_epoch_ms(c.started_at) for c, _ in read if c.started_at is not None]
        if not last_page and starts:
            cutoff = max(starts) - hold * 1000
    seen = dict(order.seen)
    ringing = set(order.ringing)
    ready: list[tuple[Call, Mapping[str, Any]]] = []
    held: list[Mapping[str, Any]] = []
    for call, record in pool.values():
        if call.id in ringing:
            if call.status not in _NOT_ANSWERED:
                ringing.discard(call.id)  # answered since: it moved once and cannot again
            continue
        if call.id in seen:
            continue  # yielded already: a repeat at a page boundary
        created = call.created_at
        if cutoff is not None and created is not None and _epoch_ms(created) > cutoff:
            held.append(record)
        else:
            ready.append((call, record))
    ready.sort(key=_creation_key)
    watermark = order.watermark
    for call, _ in ready:
        if call.created_at is None:
            continue
        ms = _epoch_ms(call.created_at)
        seen[call.id] = ms
        if call.status in _NOT_ANSWERED:
            ringing.add(call.id)
        watermark = ms if watermark is None else max(watermark, ms)
    if watermark is not None:
        # Current servers repeat only within one creation instant; older ones within ``hold``.
        floor = watermark - (hold * 1000 if by_start else 0)
        seen = {key: ms for key, ms in seen.items() if ms >= floor}
    state = Order(
        watermark=watermark,
        seen=tuple(sorted(seen.items())),
        latest_read=latest,
        by_start=by_start,
        hold=hold,
        held=tuple(held),
        ringing=tuple(sorted(ringing)),
    )
    return [call for call, _ in ready], state
