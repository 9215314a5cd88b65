from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone

import pytest

import telephony
from telephony import CallStatus
from telephony.report import UnorderedStreamError, amerge, merge
from tests.report.calls import T0, call, minute

DONE = CallStatus.COMPLETED


def ids(calls: object) -> list[str]:
    return [c.id for c in calls]  # type: ignore[attr-defined]


def test_interleaves_streams_by_created_at() -> None:
    bandwidth = [call(f"b{n}", DONE, created_at=minute(n)) for n in (1, 4, 5)]
    restcomm = [call(f"r{n}", DONE, provider="restcomm", created_at=minute(n)) for n in (2, 3, 6)]
    assert ids(merge(bandwidth, restcomm)) == ["b1", "r2", "r3", "b4", "b5", "r6"]


def test_orders_by_instant_whatever_the_offset() -> None:
    plus_two = timezone(timedelta(hours=2))
    # 13:30+02:00 is 11:30 UTC: before T0 (12:00 UTC), although its wall clock is later.
    early = call("early", DONE, created_at=datetime(2024, 5, 1, 13, 30, tzinfo=plus_two))
    assert ids(merge([call("t0", DONE, created_at=T0)], [early])) == ["early", "t0"]


def test_ties_keep_stream_order() -> None:
    first = [call("a1", DONE, created_at=T0), call("a2", DONE, created_at=T0)]
    second = [call("b1", DONE, created_at=T0)]
    assert ids(merge(second, first)) == ["b1", "a1", "a2"]
    assert ids(merge(first, second)) == ["a1", "a2", "b1"]


def test_missing_created_at_sorts_last() -> None:
    one = [call("a", DONE, created_at=minute(1)), call("a-none", DONE)]
    two = [call("b", DONE, created_at=minute(2)), call("b-none", DONE)]
    assert ids(merge(one, two)) == ["a", "b", "a-none", "b-none"]


def test_reverse_for_newest_first_streams() -> None:
    one = [call("a-none", DONE), call("a3", DONE, created_at=minute(3))]
    two = [call("b2", DONE, created_at=minute(2)), call("b1", DONE, created_at=minute(1))]
    assert ids(merge(one, two, reverse=True)) == ["a-none", "a3", "b2", "b1"]


def test_no_streams_and_empty_streams() -> None:
    assert list(merge()) == []
    assert ids(merge([], [call("x", DONE, created_at=T0)], [])) == ["x"]


def test_is_lazy_pulling_one_call_ahead_per_stream() -> None:
    pulled: list[str] = []

    def stream(name: str, minutes: list[int]) -> Iterator[telephony.Call]:
        for n in minutes:
            pulled.append(f"{name}{n}")
            yield call(f"{name}{n}", DONE, created_at=minute(n))

    merged = merge(stream("a", [1, 2, 3]), stream("b", [10, 11]))
    assert pulled == []
    assert next(merged).id == "a1"
    assert pulled == ["a1", "b10"]
    assert next(merged).id == "a2"
    assert pulled == ["a1", "b10", "a2"]


def test_a_stream_going_backwards_raises_naming_it() -> None:
    unsorted = [call("late", DONE, created_at=minute(9)), call("early", DONE, created_at=T0)]
    other = [call("mid", DONE, created_at=minute(5))]
    merged = merge(other, unsorted, names=("bandwidth", "restcomm"))
    with pytest.raises(UnorderedStreamError) as info:
        list(merged)
    assert info.value.stream == "restcomm"
    assert (info.value.previous.id, info.value.call.id) == ("late", "early")
    assert "restcomm" in str(info.value)
    assert isinstance(info.value, telephony.TelephonyError)
    with pytest.raises(UnorderedStreamError, match="stream 1 is not in creation order"):
        list(merge(other, unsorted))


def test_reverse_streams_going_forwards_raise() -> None:
    oldest_first = [call("a1", DONE, created_at=minute(1)), call("a2", DONE, created_at=minute(2))]
    with pytest.raises(UnorderedStreamError, match="newest first"):
        list(merge(oldest_first, reverse=True))


def test_names_must_match_the_streams() -> None:
    with pytest.raises(telephony.ValidationError) as info:
        merge([], [], names=("only-one",))
    assert info.value.field == "names"


def test_async_stream_going_backwards_raises_naming_it() -> None:
    async def backwards() -> AsyncIterator[telephony.Call]:
        for n in (3, 1):
            yield call(f"a{n}", DONE, provider="restcomm", created_at=minute(n))

    async def collect() -> list[str]:
        return [
            c.id
            async for c in amerge(
                [call("b2", DONE, created_at=minute(2))],
                backwards(),
                names=["bandwidth", "restcomm"],
            )
        ]

    with pytest.raises(UnorderedStreamError) as info:
        asyncio.run(collect())
    assert info.value.stream == "restcomm"


def test_naive_created_at_is_a_validation_error() -> None:
    naive = call("naive", DONE, created_at=datetime(2024, 5, 1, 12, 0))
    with pytest.raises(telephony.ValidationError, match="naive") as caught:
        list(merge([naive], [call("ok", DONE, created_at=T0)]))
    assert caught.value.field == "created_at"


async def agen(
    calls: list[telephony.Call], log: list[str], name: str
) -> AsyncIterator[telephony.Call]:
    try:
        for c in calls:
            log.append(f"pull {c.id}")
            yield c
    finally:
        log.append(f"closed {name}")


@pytest.mark.anyio
async def test_amerge_orders_async_and_sync_streams() -> None:
    log: list[str] = []
    bandwidth = [call(f"b{n}", DONE, created_at=minute(n)) for n in (1, 4)]
    restcomm = [call(f"r{n}", DONE, provider="restcomm", created_at=minute(n)) for n in (2, 5)]
    plain = [call("p3", DONE, created_at=minute(3)), call("p-none", DONE)]
    merged = [
        c.id async for c in amerge(agen(bandwidth, log, "b"), agen(restcomm, log, "r"), plain)
    ]
    assert merged == ["b1", "r2", "p3", "b4", "r5", "p-none"]
    assert "closed b" in log
    assert "closed r" in log


@pytest.mark.anyio
async def test_amerge_matches_merge_including_ties_and_reverse() -> None:
    one = [
        call("a-none", DONE),
        call("a2", DONE, created_at=minute(2)),
        call("a1", DONE, created_at=T0),
    ]
    two = [call("b2", DONE, created_at=minute(2)), call("b0", DONE, created_at=minute(-1))]
    expected = ids(merge(one, two, reverse=True))
    assert expected == ["a-none", "a2", "b2", "a1", "b0"]
    log: list[str] = []
    got = [c.id async for c in amerge(agen(one, log, "1"), agen(two, log, "2"), reverse=True)]
    assert got == expected


@pytest.mark.anyio
async def test_amerge_is_lazy_and_closes_streams_when_stopped_early() -> None:
    log: list[str] = []
    one = [call(f"a{n}", DONE, created_at=minute(n)) for n in (1, 2, 3)]
    two = [call(f"b{n}", DONE, created_at=minute(n)) for n in (10, 11)]
    merged = amerge(agen(one, log, "a"), agen(two, log, "b"))
    assert log == []
    assert (await anext(merged)).id == "a1"
    assert log == ["pull a1", "pull b10"]
    await merged.aclose()
    assert log == ["pull a1", "pull b10", "closed a", "closed b"]


@pytest.mark.anyio
async def test_amerge_of_nothing() -> None:
    assert [c async for c in amerge()] == []
