"""Memory stays flat: summarizing 1M calls peaks no higher than summarizing 10k."""

from __future__ import annotations

import functools
import itertools
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import telephony
from telephony import CallStatus, Direction
from telephony.report import summarize
from tests.report.calls import T0

# 100k distinct calls (unique ids, 7 days, 10 statuses, 4 directions, 2 currencies) built once,
# before measuring, and cycled: building 1M fresh calls under tracemalloc would triple the run
# time. The pool is larger than the small run, so anything kept per call or per call id still
# grows between the two runs: 100k kept references alone are 800 KB.
POOL_SIZE = 100_000
SMALL, LARGE = 10_000, 1_000_000
ALLOWED_GROWTH = 64 * 1024  # bytes; measured: ~11 KB (wider counts and sums)


def make_pool() -> list[telephony.Call]:
    statuses = list(CallStatus)
    directions = list(Direction)
    causes = ["hangup", "busy", "timeout", None]
    second = timedelta(seconds=1)
    pool = []
    for n in range(POOL_SIZE):
        answered = n % 3 == 0
        pool.append(
            telephony.Call(
                provider="bandwidth" if (n // 10) % 2 else "restcomm",
                id=f"call-{n}",
                status=statuses[n % 10],
                direction=directions[n % 4],
                disconnect_cause=causes[n % 4],
                created_at=T0 + timedelta(days=n % 7, seconds=n),
                answered_at=T0 if answered else None,
                duration=second * (n % 300) if answered else None,
                price=Decimal("0.0075") if n % 5 else None,
                currency="USD" if n % 2 else "EUR",
            )
        )
    return pool


@functools.cache
def pool() -> list[telephony.Call]:
    return make_pool()  # built on first use, not when tests are collected


def stream(count: int) -> Iterator[telephony.Call]:
    # Not itertools.cycle: it keeps its own copy of everything it has seen.
    return itertools.islice(itertools.chain.from_iterable(itertools.repeat(pool())), count)


def peak_bytes(consume: Callable[[Iterable[telephony.Call]], Any], count: int) -> int:
    pool()
    tracemalloc.start()
    try:
        consume(stream(count))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def grouped(calls: Iterable[telephony.Call]) -> telephony.report.Report:
    return summarize(calls, group_by=("provider", "direction", "day"))


def test_the_measure_sees_a_consumer_that_keeps_calls() -> None:
    # Control: keeping every call shows up as growth far beyond the allowance.
    assert peak_bytes(list, 100_000) - peak_bytes(list, SMALL) > 10 * ALLOWED_GROWTH


def test_summarizing_1m_calls_keeps_memory_flat() -> None:
    small = peak_bytes(grouped, SMALL)
    large = peak_bytes(grouped, LARGE)
    assert large - small < ALLOWED_GROWTH, (small, large)

    report = grouped(stream(SMALL))
    # 2 providers x 4 directions x 7 days; the pool cycles statuses in tens.
    assert len(report.groups) == 2 * 4 * 7
    overall = report.overall
    assert overall.calls == SMALL
    assert overall.attempts == SMALL * 6 // 10
    assert overall.in_progress == SMALL * 3 // 10
    assert overall.unknown == SMALL // 10
