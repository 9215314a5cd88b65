"""Input checks shared by the core, the clients and the adapters.

Each raises ``ValidationError`` naming the field, before anything is sent. None of them echoes
a URL or a credential back (a URL may hold ``user:password@``), and none chains the parser's own
exception: a ``ValidationError`` from here has no ``__cause__`` or ``__context__`` that could
carry the value.
"""

from __future__ import annotations

import math
import re
from urllib.parse import SplitResult, urlsplit

import httpx

from telephony._errors import ValidationError

__all__ = [
    "MAX_URL_LENGTH",
    "check_call_id",
    "check_method",
    "check_number",
    "check_text",
    "check_url",
    "check_whole",
    "parse_base_url",
]

MAX_URL_LENGTH = 8192
MAX_ID_LENGTH = 256
_METHODS = ("GET", "POST")
# What a path segment of ours may hold: RFC 3986 unreserved characters only. Nothing that
# could end the segment ('/', '?', '#'), escape it ('%', '\\') or change its meaning.
_ID = re.compile(r"[A-Za-z0-9._~-]+")
_HOST = re.compile(r"[A-Za-z0-9._:-]+")


def _has_control_or_space(value: str) -> bool:
    return any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in value)


def _split(value: str) -> tuple[SplitResult, httpx.URL] | None:
    """Both parsers' reading of ``value``, or None if either refuses it (never raising, so
    that no parser exception ends up in a ValidationError's context)."""
    try:
        parts = urlsplit(value)
        port = parts.port  # raises for a port out of range or not a number
        url = httpx.URL(value)
        host = url.raw_host.decode("ascii")
    except (ValueError, httpx.InvalidURL, UnicodeError):
        return None
    if port is not None and not 1 <= port <= 65535:
        return None
    if not host or not _HOST.fullmatch(host):
        return None
    return parts, url


def check_url(value: object, field: str, *, required: bool = False) -> None:
    """An absolute http(s) URL (None allowed unless ``required``)."""
    if value is None:
        if required:
            raise ValidationError("is required: an absolute http(s) URL", field=field)
        return
    if not isinstance(value, str):
        raise ValidationError("must be a string URL", field=field)
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(f"must be at most {MAX_URL_LENGTH} characters", field=field)
    found = None if _has_control_or_space(value) else _split(value)
    if found is None or found[0].scheme not in ("http", "https"):
        raise ValidationError(
            "must be an absolute http(s) URL with a valid host and port", field=field
        )


def parse_base_url(
    value: object, field: str, *, credentials_hint: str, directory: bool = True
) -> httpx.URL:
    """Where requests go: an absolute http(s) URL with no user info, query or fragment,
    returned with a trailing slash when it is a ``directory`` (a root requests go under).
    Credentials in it are refused (never used, never shown): ``credentials_hint`` says which
    settings take them instead."""
    check_url(value, field, required=True)
    assert isinstance(value, str)
    found = _split(value)
    assert found is not None
    parts, url = found
    if "@" in parts.netloc:
        raise ValidationError(
            f"must not hold credentials (user:password@): pass them as {credentials_hint}",
            field=field,
        )
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise ValidationError("must not have a query or fragment", field=field)
    return url.copy_with(path=url.path.rstrip("/") + "/") if directory else url


def check_call_id(value: object, field: str = "call_id") -> str:
    """A call id that can only name a call: one path segment of unreserved characters."""
    if not isinstance(value, str) or not value:
        raise ValidationError("must be a non-empty call id string", field=field)
    if len(value) > MAX_ID_LENGTH:
        raise ValidationError(f"must be at most {MAX_ID_LENGTH} characters", field=field)
    if not _ID.fullmatch(value) or not value.strip("."):
        raise ValidationError(
            "must be a call id (letters, digits, '-', '_', '.', '~'; not '.' or '..')",
            field=field,
        )
    return value


def check_method(value: object, field: str, *, required: bool = False) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str) or value not in _METHODS:
        shown = repr(value) if isinstance(value, str) and len(value) < 20 else type(value).__name__
        raise ValidationError(f"must be 'GET' or 'POST', got {shown}", field=field)


def check_number(
    value: object,
    field: str,
    *,
    low: float,
    high: float,
    low_open: bool = False,
    optional: bool = True,
) -> float | None:
    """A finite real number in [low, high] (or (low, high] with ``low_open``); bools and
    NaN are refused."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError("must be a number", field=field)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError("must be a finite number", field=field)
    # int and float compare exactly, so a huge int is refused here without overflowing.
    if value < low or value > high or (low_open and value == low):
        bound = f"more than {low:g}" if low_open else f"from {low:g}"
        raise ValidationError(f"must be {bound} to {high:g}", field=field)
    return float(value)


def check_whole(
    value: object, field: str, *, low: int, high: int, optional: bool = True
) -> int | None:
    """A whole number (not a bool) in [low, high]."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"must be a whole number from {low} to {high}", field=field)
    return value


def check_text(
    value: object, field: str, *, max_length: int, optional: bool = True, single_line: bool = True
) -> str | None:
    """A string, not blank, of at most ``max_length`` characters (without control characters
    when ``single_line``)."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("must be a non-empty string", field=field)
    if len(value) > max_length:
        raise ValidationError(f"must be at most {max_length} characters", field=field)
    if single_line and any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValidationError("must not hold control characters", field=field)
    return value
