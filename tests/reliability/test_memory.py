"""Bounded memory: whatever the body (endless, a gzip bomb, nested without end), reading it
stops at a cap while it streams in, and peak memory (tracemalloc) stays a few MiB.

The bodies come from the transport chunk by chunk, as from a socket, and are produced lazily
by the test, so what tracemalloc counts is what the library holds.
"""

from __future__ import annotations

import asyncio
import functools
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import telephony
from tests.reliability.answers import CALL_SID, SETTINGS, Streamed

MiB = 1024 * 1024
CHUNK = 64 * 1024


def endless(piece: bytes) -> Callable[[], Iterator[bytes]]:
    """A body that never ends, in fresh 64 KiB chunks (as a socket gives them: each one new
    memory, so holding them all would show in the peak)."""
    chunk = piece * (CHUNK // len(piece))

    def chunks() -> Iterator[bytes]:
        while True:
            yield bytes(memoryview(chunk))

    return chunks


@functools.cache
def _bomb(decoded_bytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b" " * MiB
    packed = [packer.compress(block) for _ in range(decoded_bytes // MiB)]
    packed.append(packer.flush())
    return b"".join(packed)


def gzip_bomb(decoded_bytes: int) -> Callable[[], Iterator[bytes]]:
    """``decoded_bytes`` of spaces, gzip-compressed (about 1000:1), made once per run."""
    body = _bomb(decoded_bytes)
    return lambda: iter([body[i : i + CHUNK] for i in range(0, len(body), CHUNK)])


def deeply_nested(opening: bytes, depth: int) -> Callable[[], Iterator[bytes]]:
    body = opening * depth
    return lambda: iter([body[i : i + CHUNK] for i in range(0, len(body), CHUNK)])


class Served:
    """Answers every request with ``status`` and the body ``chunks`` makes; counts bytes."""

    def __init__(
        self, chunks: Callable[[], Iterator[bytes]], *, status: int = 200, **headers: str
    ) -> None:
        self.stream = Streamed(chunks)
        self.status = status
        self.headers = headers

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self.status, headers=self.headers, stream=self.stream)


def peak_of(mode: str, provider: str, served: Served, operation: str) -> tuple[Any, int]:
    """(what ``operation`` raised or returned, peak traced bytes while it ran)."""
    settings = {**SETTINGS[provider], "max_retries": 0}
    transport = httpx.MockTransport(served)

    def act(client: Any) -> Any:
        if operation == "get_call":
            return client.get_call(CALL_SID)
        return client.get_page()

    tracemalloc.start()
    try:
        if mode == "sync":
            with telephony.connect(provider, transport=transport, **settings) as client:
                try:
                    outcome = act(client)
                except telephony.TelephonyError as exc:
                    outcome = exc
        else:

            async def go() -> Any:
                async with telephony.connect_async(
                    provider, transport=transport, **settings
                ) as client:
                    try:
                        return await act(client)
                    except telephony.TelephonyError as exc:
                        return exc

            outcome = asyncio.run(go())
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


BODIES = {
    # name: (how it is made, Content-Encoding)
    "endless": (lambda: endless(b"["), None),
    "gzip bomb (128 MiB of spaces in 128 KiB)": (lambda: gzip_bomb(128 * MiB), "gzip"),
}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("provider", ["bandwidth", "restcomm"])
@pytest.mark.parametrize("operation", ["get_call", "get_page"])
@pytest.mark.parametrize("body", sorted(BODIES))
def test_an_oversized_answer_stops_at_the_cap_in_small_memory(
    body: str, operation: str, provider: str, mode: str
) -> None:
    make, coding = BODIES[body]
    headers = {"Content-Encoding": coding} if coding else {}
    served = Served(make(), **headers)
    outcome, peak = peak_of(mode, provider, served, operation)
    assert isinstance(outcome, telephony.ResponseTooLargeError), outcome
    assert outcome.status_code == 200
    assert outcome.limit <= 8 * MiB
    # What was read up to the cap, and little else (one decoding step, the objects around).
    assert peak < outcome.limit + 2 * MiB, f"peak {peak / MiB:.1f} MiB"
    assert served.stream.sent <= 2 * outcome.limit + 2 * CHUNK  # stopped reading there


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("provider", ["bandwidth", "restcomm"])
def test_an_endless_error_answer_is_cut_and_keeps_its_status(provider: str, mode: str) -> None:
    served = Served(endless(b"x"), status=503)
    outcome, peak = peak_of(mode, provider, served, "get_call")
    assert isinstance(outcome, telephony.ProviderServerError), outcome
    assert outcome.status_code == 503
    assert len(outcome.body) <= 4096
    assert peak < 2 * MiB, f"peak {peak / MiB:.1f} MiB"


@pytest.mark.parametrize(
    ("provider", "opening"),
    [("bandwidth", b"["), ("bandwidth", b'{"a":'), ("restcomm", b"<a>")],
)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_deep_nesting_is_refused_in_small_memory(provider: str, opening: bytes, mode: str) -> None:
    # Just under the 1 MiB cap of a one-call answer: parsed, not refused for its size.
    served = Served(deeply_nested(opening, MiB // len(opening) - 1))
    outcome, peak = peak_of(mode, provider, served, "get_call")
    assert type(outcome) is telephony.MalformedResponseError, outcome
    assert "nested" in str(outcome) or "deeper" in str(outcome)
    assert peak < 8 * MiB, f"peak {peak / MiB:.1f} MiB"


@pytest.mark.parametrize("provider", ["bandwidth", "restcomm"])
def test_a_lying_content_encoding_is_a_malformed_answer(provider: str) -> None:
    served = Served(lambda: iter([b"not gzip at all"]), **{"Content-Encoding": "gzip"})
    outcome, _ = peak_of("sync", provider, served, "get_call")
    assert type(outcome) is telephony.MalformedResponseError, outcome
    assert "gzip" in str(outcome)
    # An error answer that lies the same way keeps its status: the typed error still comes.
    served = Served(lambda: iter([b"not gzip"]), status=404, **{"Content-Encoding": "gzip"})
    outcome, _ = peak_of("sync", provider, served, "get_call")
    assert isinstance(outcome, telephony.NotFoundError), outcome
