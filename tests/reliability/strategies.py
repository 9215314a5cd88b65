"""Hypothesis strategies for what a caller might pass: right values, wrong types, and the
values that break naive checks (NaN, infinities, huge numbers, control characters, URLs that
do not parse, paths that climb)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
from hypothesis import strategies as st

NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        ".",
        "..",
        "...",
        "?",
        "#",
        "/",
        "%2F",
        "%2e%2e",
        "a/b",
        "a?b=c",
        "a#b",
        "a\\b",
        "a\nb",
        "a\x00b",
        "a\x7fb",
        "\u202e",
        "é",
        "x" * 300,
        "CA" + "0" * 32,
        "c-15ac29a2-1331029c-2cb0-4a07-b215-b22865662d85",
    ]
)
TEXT = st.one_of(NASTY_TEXT, st.text(max_size=40))
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**400, -(10**400), 0, 1, 2**63]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), -0.0, 1e-300, 1e300]),
)
MOMENTS = st.one_of(
    st.datetimes(),  # naive
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(
        min_value=datetime(2000, 1, 2),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([timezone(timedelta(hours=14)), timezone(-timedelta(hours=12))]),
    ),
)

_SCHEMES = st.sampled_from(["http", "https", "ftp", "file", "", "HTTPS", "javascript"])
_USERINFO = st.sampled_from(["", "user@", "user:pa55word@", ":@", "@"])
_HOSTS = st.sampled_from(
    ["app.example", "127.0.0.1", "[::1]", "[::1", "", "a b", "exämple.com", "xn--", "h_st"]
)
_PORTS = st.sampled_from(["", ":80", ":0", ":65535", ":65536", ":99999", ":-1", ":x", ":"])
_PATHS = st.sampled_from(["", "/", "/answer", "/a/../b", "/%zz", "/a b", "/\x00"])
_TAILS = st.sampled_from(["", "?q=1", "#frag", "?", "#"])


@st.composite
def urls(draw: st.DrawFn) -> str:
    """Strings shaped like URLs, right and wrong in every part."""
    scheme = draw(_SCHEMES)
    prefix = f"{scheme}://" if draw(st.booleans()) else f"{scheme}:"
    parts = [_USERINFO, _HOSTS, _PORTS, _PATHS, _TAILS]
    return prefix + "".join(draw(part) for part in parts)


def wild(*extra: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Any value at all, weighted towards the ones that break checks."""
    return st.one_of(
        st.none(),
        st.booleans(),
        NUMBERS,
        TEXT,
        urls(),
        MOMENTS,
        st.binary(max_size=8),
        st.lists(st.one_of(st.none(), TEXT, st.integers()), max_size=3),
        st.dictionaries(TEXT, st.integers(), max_size=2),
        st.builds(object),
        st.just(httpx.Timeout(5.0)),
        st.just(httpx.Timeout(None, connect=float("nan"))),
        *extra,
    )


def json_wild() -> st.SearchStrategy[Any]:
    """Any JSON value (NaN and infinities included: Python's json writes them)."""
    return st.one_of(
        st.none(),
        st.booleans(),
        NUMBERS,
        TEXT,
        urls(),
        st.lists(st.one_of(st.none(), TEXT, st.integers()), max_size=3),
        st.dictionaries(TEXT, st.integers(), max_size=2),
    )
