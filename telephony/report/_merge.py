"""Join call streams from several providers into one stream ordered by creation time."""

from __future__ import annotations

import heapq
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta

from telephony._errors import ValidationError
from telephony._models import Call

__all__ = ["amerge", "creation_order", "merge"]

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


def merge(*streams: Iterable[Call], reverse: bool = False) -> Iterator[Call]:
    """Merge call streams, each already ordered by ``created_at``, into one ordered stream.

    Lazy like ``heapq.merge``: it holds one call per stream and pulls the next call from a
    stream only when the previous one from that stream has been handed on, so a provider's next
    page is fetched only when the merged iteration needs it. Calls with equal ``created_at`` come
    in the order of ``streams``. A call with no ``created_at`` sorts after every dated call
    (``reverse=True``, for streams listed newest first: before them). An input that is not in
    order is not reordered: every call still comes out exactly once.
    """
    return heapq.merge(*streams, key=creation_order, reverse=reverse)


async def amerge(
    *streams: AsyncIterable[Call] | Iterable[Call], reverse: bool = False
) -> AsyncIterator[Call]:
    """``merge`` for async iterables (e.g. ``AsyncClient.list_calls``); plain iterables may be
    mixed in. Streams are awaited one at a time: after the first call of each, the next call
    needed always comes from the stream whose call was just handed on. The async iterators
    given are closed (``aclose``, when they have one) when the merged stream ends or is closed
    early, so that their connections are released."""
    iterators: list[AsyncIterator[Call]] = [_aiter(stream) for stream in streams]
    # Heap entries: (distance from a fixed origin, stream index, call); the distance is
    # negated for reverse order, as heapq only keeps the smallest first. The index breaks ties,
    # keeps the order of the streams, and means calls themselves are never compared.
    heap: list[tuple[timedelta, int, Call]] = []
    try:
        for index, iterator in enumerate(iterators):
            await _push(heap, iterator, index, reverse=reverse)
        while heap:
            _, index, call = heapq.heappop(heap)
            yield call
            await _push(heap, iterators[index], index, reverse=reverse)
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
) -> None:
    try:
        call = await anext(iterator)
    except StopAsyncIteration:
        return
    distance = creation_order(call) - _ORIGIN
    heapq.heappush(heap, (-distance if reverse else distance, index, call))


def _aiter(stream: AsyncIterable[Call] | Iterable[Call]) -> AsyncIterator[Call]:
    if isinstance(stream, AsyncIterable):
        return aiter(stream)
    return _from_sync(iter(stream))


async def _from_sync(iterator: Iterator[Call]) -> AsyncIterator[Call]:
    for call in iterator:
        yield call
