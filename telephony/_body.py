"""Reading an answer's body with a size cap while it streams in.

A vendor answer is untrusted input: it may be endless, or a small gzip body that inflates to
gigabytes. The clients send with ``stream=True`` and hand the response to ``read_body`` (or
``aread_body``), which counts bytes as they arrive and stops at the cap, so nothing much larger
than the cap is ever held. httpx's own decoders inflate a whole network chunk in one call (a
64 KiB gzip chunk can become 64 MiB), so Content-Encoding is decoded here instead, in steps of
at most ``_STEP`` bytes, and the cap applies to the decoded bytes.

A successful (2xx) answer over its cap is a ``ResponseTooLargeError``; an error answer is cut
at ``ERROR_BODY_BYTES`` instead (only its start is ever shown), so it still becomes the typed
error its status says. The cap is per request: adapters set a smaller one with
``with_body_limit`` where they know what the answer can hold.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import httpx

from telephony._errors import MalformedResponseError, ResponseTooLargeError

__all__ = [
    "ERROR_BODY_BYTES",
    "MAX_BODY_BYTES",
    "BodyReader",
    "aread_body",
    "body_limit",
    "read_body",
    "with_body_limit",
]

MAX_BODY_BYTES = 32 * 1024 * 1024
"""The cap of a request that names none."""
ERROR_BODY_BYTES = 64 * 1024
"""How much of an error answer is kept."""
ACCEPT_ENCODING = "gzip, deflate"
"""What the clients ask for: the codings decoded here (httpx would add br and zstd when their
libraries happen to be installed)."""

_EXTENSION = "telephony.body_limit"
_STEP = 64 * 1024  # most bytes one decoding step may produce
_MAX_CODINGS = 3  # "gzip, gzip, ..." deeper than this is not an answer anyone means
_SHOWN = 4096  # what a MalformedResponseError keeps of the body


def with_body_limit(request: httpx.Request, limit: int) -> httpx.Request:
    """Mark ``request`` so its answer is read up to ``limit`` bytes (after decoding)."""
    request.extensions[_EXTENSION] = limit
    return request


def body_limit(request: httpx.Request) -> int:
    limit = request.extensions.get(_EXTENSION)
    return limit if isinstance(limit, int) else MAX_BODY_BYTES


class _CodingError(Exception):
    """The body does not decode as its Content-Encoding says."""


class _Inflate:
    """One gzip or deflate layer, producing at most ``_STEP`` bytes per piece."""

    def __init__(self, coding: str) -> None:
        self._coding = coding
        wbits = zlib.MAX_WBITS | 16 if coding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(wbits)
        self._started = False

    def decode(self, data: bytes | memoryview) -> Iterator[bytes]:
        if not self._started and data:
            self._started = True
            # "deflate" is zlib-wrapped by the RFC, raw deflate from some servers (as httpx).
            if self._coding == "deflate" and bytes(data[:1]) != b"\x78":
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        inflater = self._inflater
        while not inflater.eof:
            try:
                piece = inflater.decompress(data, _STEP)
            except zlib.error as exc:
                raise _CodingError(f"the body is not {self._coding} data ({exc})") from None
            data = inflater.unconsumed_tail
            if piece:
                yield piece
            if not data and len(piece) < _STEP:
                break  # all input used and no output left pending
        # After the end of the coded data: trailing bytes are ignored, as httpx does.


class BodyReader:
    """Sans-IO: ``feed`` it the raw chunks of ``response``, then ``finish``. ``feed`` answers
    True once no more is wanted (an error answer cut at its cap)."""

    def __init__(self, response: httpx.Response, *, provider: str, decoded: bool = False) -> None:
        self.response = response
        self.provider = provider
        self.success = 200 <= response.status_code < 300
        limit = body_limit(response.request)
        self.limit = limit if self.success else min(limit, ERROR_BODY_BYTES)
        self._raw_limit = 2 * self.limit + _STEP  # what may arrive still coded
        self._raw = 0
        self._size = 0
        self._parts: list[bytes] = []
        self._full = False
        codings = [] if decoded else response.headers.get_list("content-encoding", True)
        # Unknown codings read as identity, as httpx does; decoding undoes them last first.
        self._layers = [
            _Inflate(coding)
            for coding in (value.strip().lower() for value in reversed(codings))
            if coding in ("gzip", "x-gzip", "deflate")
        ]
        if len(self._layers) > _MAX_CODINGS:
            self._fail(f"refusing {len(self._layers)} stacked Content-Encodings")

    def _fail(self, message: str) -> None:
        if self.success:
            raise MalformedResponseError(
                message,
                provider=self.provider,
                status_code=self.response.status_code,
                body=self._shown(),
            )
        self._full = True  # an error answer keeps what it has; its status says the rest

    def _shown(self) -> str:
        start, size = [], 0
        for part in self._parts:  # only the first parts: joining all would double the peak
            if size >= _SHOWN:
                break
            start.append(part)
            size += len(part)
        return b"".join(start)[:_SHOWN].decode("utf-8", "replace")

    def _take(self, data: bytes | memoryview) -> None:
        room = self.limit - self._size
        if len(data) > room:
            if self.success:
                raise ResponseTooLargeError(
                    f"refusing an answer over {self.limit} bytes",
                    provider=self.provider,
                    status_code=self.response.status_code,
                    limit=self.limit,
                    body=self._shown(),
                )
            data = data[:room]
            self._full = True
        self._size += len(data)
        self._parts.append(bytes(data))

    def _decode(self, data: bytes | memoryview, layer: int) -> None:
        if layer == len(self._layers):
            self._take(data)
            return
        for piece in self._layers[layer].decode(data):
            self._decode(piece, layer + 1)
            if self._full:
                return

    def feed(self, raw: bytes) -> bool:
        if self._full:
            return True
        self._raw += len(raw)
        if not self._layers:
            self._take(raw)
        else:
            view = memoryview(raw)
            try:
                for start in range(0, len(view), _STEP):
                    self._decode(view[start : start + _STEP], 0)
                    if self._full:
                        break
            except _CodingError as exc:
                self._fail(str(exc))
        if self._raw > self._raw_limit and not self._full:
            # Coded bytes that decode to (almost) nothing, without end.
            self._fail(f"refusing an answer over {self._raw_limit} bytes as sent")
        return self._full

    def finish(self) -> httpx.Response:
        content = self._parts[0] if len(self._parts) == 1 else b"".join(self._parts)
        self._parts = []
        # What httpx's own read() stores: the decoded body, served by .content/.text/.json().
        self.response._content = content
        return self.response


def _already_read(response: httpx.Response, provider: str) -> httpx.Response | None:
    """A response some transport built already read (httpx.MockTransport with content=),
    held to the same cap; None for a stream still to read."""
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return None
    reader = BodyReader(response, provider=provider, decoded=True)
    reader.feed(content)
    return reader.finish()


def read_body(response: httpx.Response, *, provider: str) -> httpx.Response:
    """``response`` with its body read up to its cap (see the module docstring), closed.
    Raises httpx.TransportError if the connection breaks on the way (the caller retries)."""
    try:
        done = _already_read(response, provider)
        if done is not None:
            return done
        reader = BodyReader(response, provider=provider)
        for raw in response.iter_raw():
            if reader.feed(raw):
                break
        return reader.finish()
    finally:
        response.close()


async def aread_body(response: httpx.Response, *, provider: str) -> httpx.Response:
    """``read_body`` for an async response."""
    try:
        done = _already_read(response, provider)
        if done is not None:
            return done
        reader = BodyReader(response, provider=provider)
        async for raw in response.aiter_raw():
            if reader.feed(raw):
                break
        return reader.finish()
    finally:
        await response.aclose()
