"""``calls list`` streams: its memory peak does not grow with the number of calls listed."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from telephony.cli import main
from telephony.sandbox import Sandbox

from .conftest import sandbox_env

SMALL, LARGE = 600, 2_400
PAGE_SIZE = "100"


class NullSink:
    """stdout that drops everything (capturing the output would itself grow with it).

    It also collects cyclic garbage every few hundred lines: httpx leaves each response in a
    reference cycle (its connection pool's bookkeeping), freed only when the collector runs,
    at times that depend on allocation counts. Collecting here makes the peak measure what
    the listing keeps alive, not when the collector last ran.
    """

    written = 0

    def write(self, text: str) -> int:
        lines = text.count("\n")
        if (self.written + lines) // 200 != self.written // 200:
            gc.collect()
        self.written += lines
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


@pytest.fixture(scope="module")
def big_sandbox() -> Iterator[Sandbox]:
    # Seeded calls are computed on demand: 200k of them cost the sandbox nothing.
    with Sandbox(seed_calls=200_000, speed=1.0, seed=3) as sb:
        yield sb


def peak_of_listing(provider: str, fmt: str, limit: int, monkeypatch: Any) -> tuple[int, int]:
    sink = NullSink()
    monkeypatch.setattr("sys.stdout", sink)
    gc.collect()
    tracemalloc.start()
    try:
        code = main(
            ["calls", "list", "-p", provider, "--limit", str(limit), "--page-size", PAGE_SIZE,
             "--format", fmt]
        )  # fmt: skip
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 0
    return peak, sink.written


@pytest.mark.parametrize(
    ("provider", "fmt"), [("bandwidth", "jsonl"), ("restcomm", "csv"), ("bandwidth", "table")]
)
def test_listing_memory_is_flat(
    clean_env: pytest.MonkeyPatch, big_sandbox: Sandbox, provider: str, fmt: str
) -> None:
    for name, value in sandbox_env(big_sandbox).items():
        clean_env.setenv(name, value)
    small, large = (SMALL, LARGE) if provider == "bandwidth" else (SMALL // 2, LARGE // 2)
    # Warm up: imports, converters, caches; the in-process sandbox's own caches (its minute
    # cache) fill as far as the large listing reaches, so they do not count as the listing's.
    peak_of_listing(provider, fmt, large, clean_env)
    small_peak, small_lines = peak_of_listing(provider, fmt, small, clean_env)
    large_peak, large_lines = peak_of_listing(provider, fmt, large, clean_env)
    header = 0 if fmt == "jsonl" else 1 if fmt == "csv" else 2
    assert (small_lines, large_lines) == (small + header, large + header)
    # Four times the calls: were they kept, the peak would grow by several MB (a Call and its
    # raw record are ~2 KB). A page in flight is the same size in both runs.
    assert large_peak < small_peak * 1.2 + 128 * 1024, (small_peak, large_peak)
