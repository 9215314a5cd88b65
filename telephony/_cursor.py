"""Cursors: opaque, storable strings that say where a listing goes on.

A cursor comes back from outside (a file, a database, another process), so every field is
read through a checked accessor: a cursor that was not made by this library, or was edited,
is a ``ValidationError`` on the ``cursor`` field, never another exception and never a request
to somewhere else.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

import httpx

from telephony._checks import check_url
from telephony._errors import ValidationError
from telephony._http import same_origin

__all__ = [
    "MAX_CURSOR_LENGTH",
    "cursor_moment",
    "cursor_texts",
    "cursor_url",
    "cursor_whole",
    "decode_cursor",
    "encode_cursor",
]

_VERSION = 1
# Far above any cursor this library makes (a Bandwidth one holds at most a page of ids).
MAX_CURSOR_LENGTH = 4 * 1024 * 1024
_FOREIGN = "is not a cursor made by this library"


def encode_cursor(provider: str, state: dict[str, Any]) -> str:
    payload = json.dumps({"v": _VERSION, "p": provider, **state}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _loads(cursor: str) -> object:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return json.loads(raw, parse_constant=_no_constant)
    except (binascii.Error, ValueError, RecursionError):
        return None


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: never written by encode_cursor


def decode_cursor(provider: str, cursor: object) -> dict[str, Any]:
    """The state ``encode_cursor`` stored; ValidationError for anything else."""
    if not isinstance(cursor, str) or not cursor:
        raise ValidationError("must be a cursor string from Page.next_cursor", field="cursor")
    if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise ValidationError(_FOREIGN, field="cursor")
    state = _loads(cursor)
    if not isinstance(state, dict) or state.get("v") != _VERSION:
        raise ValidationError(_FOREIGN, field="cursor")
    made_for = state.get("p")
    if made_for != provider:
        shown = repr(made_for) if isinstance(made_for, str) and len(made_for) < 40 else "another"
        raise ValidationError(f"was made for provider {shown}, not {provider!r}", field="cursor")
    return state


def _bad(key: str) -> ValidationError:
    return ValidationError(f"{_FOREIGN} (field {key!r})", field="cursor")


def cursor_whole(state: dict[str, Any], key: str, *, low: int, high: int, default: int) -> int:
    """A whole number field in [low, high]."""
    value = state.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(key)
    return value


def cursor_moment(state: dict[str, Any], key: str) -> datetime | None:
    """A timezone-aware ISO 8601 time field (or None when absent or null)."""
    value = state.get(key)
    if value is None:
        return None
    moment = None
    if isinstance(value, str) and len(value) <= 64:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if moment is None or moment.utcoffset() is None:
        raise _bad(key)
    return moment


def cursor_texts(state: dict[str, Any], key: str, *, max_items: int) -> frozenset[str]:
    """A list-of-strings field (absent means empty)."""
    value = state.get(key, [])
    if (
        not isinstance(value, list)
        or len(value) > max_items
        or not all(isinstance(item, str) and 0 < len(item) <= 256 for item in value)
    ):
        raise _bad(key)
    return frozenset(value)


def cursor_url(state: dict[str, Any], key: str, *, base_url: httpx.URL) -> httpx.URL:
    """A URL field that must stay under ``base_url``: same scheme, host and port (else
    UnsafeRedirectError), a path below it, no user info or fragment. Only such a URL is ever
    sent credentials."""
    value = state.get(key)
    try:
        check_url(value, key, required=True)
    except ValidationError:
        raise _bad(key) from None
    assert isinstance(value, str)
    try:
        parsed = httpx.URL(value)
        parsed.host  # noqa: B018 - decoding it raises for a host like "xn--" (IDNA)
    except (httpx.InvalidURL, ValueError):
        raise _bad(key) from None
    # Another origin is refused as a paging link to it is (UnsafeRedirectError).
    url = same_origin(parsed, base_url)
    if (
        url.userinfo
        or url.fragment
        or not url.path.startswith(base_url.path)
        or "/../" in url.path + "/"
        or "/./" in url.path + "/"
    ):
        raise _bad(key)
    return url
