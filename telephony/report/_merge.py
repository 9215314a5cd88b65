"""Join call streams from several providers into one stream ordered by creation time.

A merge is only as ordered as its inputs: each stream must already be in creation order (as
every adapter's ``list_calls`` is). An input that goes backwards would make the merged stream
silently misordered (an export, a per-day report...), so it raises ``UnorderedStreamError``
naming the stream, instead.
"""

from __future__ import annotations

import heapq
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

from telephony._errors import TelephonyError, ValidationError
from telephony._models import Call

__all__ = ["UnorderedStreamError", "amerge", "creation_order", "merge"]


class UnorderedStreamError(TelephonyError, ValueError):
    """An input of ``merge`` went backwards in ``created_at``. ``stream`` names it (its name
    from ``names=``, else ``stream <index>``); ``previous`` and ``call`` are the two calls."""

    def __init__(self, stream: str, previous: Call, call: Call, *, reverse: bool) -> None:
        way = "newest first" if reverse else "oldest first"
        super().__init__(
            f"{stream} is not in creation order ({way}): call {call.id!r} of "
            f"{call.provider!r} created {_when(call)} comes after call {previous.id!r} "
            f"created {_when(previous)}; merge needs every stream ordered by created_at"
        )
        self.stream = stream
        self.previous = previous
        self.call = call


def _when(call: Call) -> str:
    return call.created_at.isoformat() if call.created_at is not None else "at an unknown time"


def _stream_names(count: int, names: Sequence[str] | None) -> list[str]:
    if names is None:
        return [f"stream {index}" for index in range(count)]
    if isinstance(names, str) or len(names) != count:
        raise ValidationError(f"must give one name per stream ({count})", field="names")
    return [str(name) for name in names]


def _checked(stream: Iterable[Call], name: str, *, reverse: bool) -> Iterator[Call]:
    previous: Call | None = None
    last: datetime | None = None
    for call in stream:
        key = creation_order(call)
        if last is not None and previous is not None and (key > last if reverse else key < last):
            raise UnorderedStreamError(name, previous, call, reverse=reverse)
        previous, last = call, key
        yield call


# A call the vendor has not stamped yet is the newest one there is: it sorts after every
# stamped call. Ties (this included) keep the order of the input streams.
_UNSTAMPED = datetime.max.replace(tzinfo=UTC)


def creation_order(call: Call) -> datetime:
    """The sort key ``merge`` uses: ``created_at``, or a moment after every real one if None.

    Raises ValidationError on a naive ``created_at`` (it cannot be ordered against UTC).
    """
    created_at = call.created_at
    if created_at is None:
        return _UNSTAMPED
    if created_at.tzinfo is None:
        raise ValidationError(
            f"call {call.id!r} of {call.provider!r} has a naive created_at", field="created_at"
        )
    return created_at


def merge(
    *streams: Iterable[Call], reverse: bool = False, names: Sequence[str] | None = None
) -> Iterator[Call]:
    """Merge call streams, each already ordered by ``created_at``, into one ordered stream.

    Lazy like ``heapq.merge``: it holds one call per stream and pulls the next call from a
    stream only when the previous one from that stream has been handed on, so a provider's next
    page is fetched only when the merged iteration needs it. Calls with equal ``created_at`` come
    in the order of ``streams``. A call with no ``created_at`` sorts after every dated call
    (``reverse=True``, for streams listed newest first: before them). An input that goes
    backwards raises ``UnorderedStreamError`` naming it (``names=``, one per stream, e.g.
    ``("bandwidth", "restcomm")``; else ``stream 0``, ``stream 1``...) when the merge reaches
    it; the calls handed on before that were in order.
    """
    labels = _stream_names(len(streams), names)
    checked = [
        _checked(stream, label, reverse=reverse)
        for stream, label in zip(streams, labels, strict=True)
    ]
    return heapq.merge(*checked, key=creation_order, reverse=reverse)


async def amerge(
    *streams: AsyncIterable[Call] | Iterable[Call],
    reverse: bool = False,
    names: Sequence[str] | None = None,
) -> AsyncIterator[Call]:
    """``merge`` for async iterables (e.g. ``AsyncClient.list_calls``); plain iterables may be
    mixed in. Streams are awaited one at a time: after the first call of each, the next call
    needed always comes from the stream whose call was just handed on. The async iterators
    given are closed (``aclose``, when they have one) when the merged stream ends or is closed
    early, so that their connections are released. An input that goes backwards raises
    ``UnorderedStreamError``, as in ``merge``."""
    labels = _stream_names(len(streams), names)
    iterators: list[AsyncIterator[Call]] = [_aiter(stream) for stream in streams]
    last: list[tuple[Call, datetime] | None] = [None] * len(iterators)
    # Heap entries: (distance from a fixed origin, stream index, call); the distance is
    # negated for reverse order, as heapq only keeps the smallest first. The index breaks ties,
    # keeps the order of the streams, and means calls themselves are never compared.
    heap: list[tuple[timedelta, int, Call]] = []
    try:
        for index, iterator in enumerate(iterators):
            await _push(heap, iterator, index, reverse=reverse, last=last, name=labels[index])
        while heap:
            _, index, call = heapq.heappop(heap)
            yield call
            await _push(
                heap, iterators[index], index, reverse=reverse, last=last, name=labels[index]
            )
    finally:
        for iterator in iterators:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()


_ORIGIN = datetime.min.replace(tzinfo=UTC)


async def _push(
    heap: list[tuple[timedelta, int, Call]],
    iterator: AsyncIterator[Call],
    index: int,
    *,
    reverse: bool,
    last: list[tuple[Call, datetime] | None],
    name: str,
) -> None:
    try:
        call = await anext(iterator)
    except StopAsyncIteration:
        return
    key = creation_order(call)
    before = last[index]
    if before is not None and (key > before[1] if reverse else key < before[1]):
        raise UnorderedStreamError(name, before[0], call, reverse=reverse)
    last[index] = (call, key)
    distance = key - _ORIGIN
    heapq.heappush(heap, (-distance if reverse else distance, index, call))


def _aiter(stream: AsyncIterable[Call] | Iterable[Call]) -> AsyncIterator[Call]:
    if isinstance(stream, AsyncIterable):
        return aiter(stream)
    return _from_sync(iter(stream))


async def _from_sync(iterator: Iterator[Call]) -> AsyncIterator[Call]:
    for call in iterator:
        yield call
