"""Hypothesis strategies for hostile answers, shared by both vendors' answer tests: statuses,
headers that lie, bodies compressed or not, values of the wrong type, dates at and past the
ends of ``datetime``, huge numbers, NaN, invalid unicode, deep nesting."""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import httpx
from hypothesis import strategies as st

from tests.reliability.answers import streamed

STATUSES = st.one_of(
    st.sampled_from([200, 201, 204, 400, 401, 403, 404, 406, 409, 410, 429, 500, 503]),
    st.integers(100, 599),
)


@st.composite
def offsets(draw: st.DrawFn) -> str:
    minutes = draw(st.integers(-1439, 1439))
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


ISO_DATES = st.one_of(
    st.sampled_from(
        [
            "2022-06-16T13:00:07.160Z",
            "9999-12-31T23:59:59.999999-23:59",
            "0001-01-01T00:00:00+23:59",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2022-13-45T25:61:00Z",
            "2022-06-16T13:00:07+99:00",
            "2022-06-16",
            "Z",
            "T",
            "+",
            "10000-01-01T00:00:00Z",
            "2022-06-16T13:00:07.160Z\x00",
        ]
    ),
    st.builds(
        lambda moment, offset: moment.isoformat() + offset,
        st.datetimes(),
        st.one_of(offsets(), st.just("Z"), st.just("")),
    ),
)
RFC_DATES = st.one_of(
    st.sampled_from(
        [
            "Thu, 5 Jul 2018 16:00:00 +0300",
            "Fri, 31 Dec 9999 23:59:59 -2359",
            "Mon, 1 Jan 0001 00:00:00 +2359",
            "Thu, 5 Jul 2018 16:00:00 +9999",
            "Thu, 5 Foo 2018 16:00:00 +0300",
            "Thu, 5 Jul 99999 16:00:00 +0300",
            "Thu, 5 Jul 2018",
            ", , , , ,",
        ]
    ),
    st.builds(
        lambda moment, zone: moment.strftime("%a, %d %b %Y %H:%M:%S ") + zone,
        st.datetimes(),
        offsets().map(lambda offset: offset.replace(":", "")),
    ),
)
HUGE_NUMBERS = st.sampled_from(
    ["1e999999", "-1e999999", "9" * 5000, "NaN", "Infinity", "-Infinity", "1E+999999999", "-0"]
)
TEXT = st.text(max_size=12)
WRONG = st.one_of(
    st.none(),
    st.integers(),
    st.integers(min_value=2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just("None"),
    st.just(""),
    st.just("\ud800"),  # a lone surrogate: valid JSON escape, not encodable text
    TEXT,
)

ENCODINGS = st.one_of(
    st.none(),
    st.sampled_from(
        [None, "gzip", "deflate", "x-gzip", "identity", "br", "zstd", "gzip, gzip", "nope"]
    ),
)
LINK_VALUES = st.one_of(
    st.none(),
    st.sampled_from(
        [
            b'<https://voice.bandwidth.com/api/v2/accounts/9900000/calls?pageToken=a>; rel="next"',
            b'</api/v2/accounts/9900000/calls?pageToken=b>; rel="next"',
            b'<https://evil.example/steal>; rel="next"',
            b'<http://[::1>; rel="next"',
            b'<https://voice.bandwidth.com:99999/x>; rel="next"',
            b'<>; rel="next"',
            b"<; rel=next",
            b'<https://voice.bandwidth.com/\xff\xfe>; rel="next"',
            b'<https://voice.bandwidth.com/a b>; rel="next", <x>; rel="next"',
            b"rel=next",
            b",,,;;;<<>>",
        ]
    ),
    st.binary(max_size=40).filter(lambda b: b"\r" not in b and b"\n" not in b),
)
RETRY_AFTER = st.one_of(
    st.none(),
    st.sampled_from(
        [b"5", b"-5", b"nan", b"inf", b"1e999", b"99999999999999999999", b"Wed, 21 Oct 2015"]
    ),
    st.binary(max_size=20).filter(lambda b: b"\r" not in b and b"\n" not in b),
)
# No retries, or retries whose waits may not pass 0 s (so junk Retry-After values go through
# the retry decision without the test ever sleeping).
RETRIES = st.sampled_from(
    [{"max_retries": 0}, {"max_retries": 2, "backoff": 0.0, "max_retry_wait": 0.0}]
)
CONTENT_TYPES = st.sampled_from(
    [None, b"application/json", b"application/xml", b"text/html", b"text/plain; charset=utf-16"]
)


def _coded(body: bytes, coding: str | None, honest: bool) -> bytes:
    if not honest or coding is None:
        return body
    if coding in ("gzip", "x-gzip"):
        return gzip.compress(body)
    if coding == "deflate":
        return zlib.compress(body)
    if coding == "gzip, gzip":
        return gzip.compress(gzip.compress(body))
    return body


@st.composite
def answers(
    draw: st.DrawFn,
    bodies: st.SearchStrategy[bytes],
    links: st.SearchStrategy[bytes | None] = LINK_VALUES,
) -> httpx.Response:
    """One HTTP answer: any status, lying or honest headers, a body from ``bodies``."""
    status = 200 if draw(st.integers(0, 9)) < 7 else draw(STATUSES)
    body = draw(bodies)
    coding = draw(ENCODINGS)
    headers: list[tuple[bytes, bytes]] = []
    if coding is not None:
        headers.append((b"Content-Encoding", coding.encode()))
    for name, values in (
        (b"Link", links),
        (b"Retry-After", RETRY_AFTER),
        (b"Content-Type", CONTENT_TYPES),
    ):
        value = draw(values)
        if value is not None:
            headers.append((name, value))
    content = _coded(body, coding, honest=draw(st.integers(0, 5)) > 0)
    if draw(st.booleans()):
        return httpx.Response(status, headers=headers, stream=streamed(200, content).stream)
    try:
        return httpx.Response(status, headers=headers, content=content)
    except httpx.DecodingError:
        # httpx decodes content= bodies itself, in the transport: stream a lying one instead.
        return httpx.Response(status, headers=headers, stream=streamed(200, content).stream)


def nested(depth: int, opening: str, closing: str) -> bytes:
    return (opening * depth + closing * depth).encode()


STYLES = ("mixed", "dates", "types")
"""How answers are made odd: a few fields any way, every date, or every field's type."""


def mutate(
    record: dict[str, Any], draw: st.DrawFn, dates: st.SearchStrategy[str], style: str = "mixed"
) -> Any:
    """``record`` with some fields given odd values, removed, or added (``style`` above)."""
    record = dict(record)
    if style == "dates":
        for key in record:
            if "Time" in key or "Date" in key or key == "lastUpdate":
                record[key] = draw(dates)
        return record
    if style == "types":
        for key in record:
            if draw(st.booleans()):
                record[key] = draw(st.one_of(WRONG, HUGE_NUMBERS))
        return record
    for key in draw(st.lists(st.sampled_from(sorted(record)), max_size=3, unique=True)):
        action = draw(st.integers(0, 4))
        if action == 0:
            del record[key]
        elif action == 1:
            record[key] = draw(HUGE_NUMBERS)
        elif action == 2:
            record[key] = draw(WRONG)
        else:
            record[key] = draw(dates)  # where a date belongs, and where it does not
    if draw(st.integers(0, 5)) == 0:
        record[draw(TEXT)] = draw(WRONG)
    return record
