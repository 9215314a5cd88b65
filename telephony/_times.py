"""Vendor time stamps to timezone-aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = ["parse_datetime", "parse_iso"]


def parse_iso(value: str | None) -> datetime | None:
    """ISO 8601 with any offset (``Z`` included) to UTC; a naive value is taken as UTC.

    RFC 3339's lower-case ``z`` is read as ``Z``; digits past the microsecond round it half
    up (``.1234565`` is ``.123457``), as msgspec does, so the Bandwidth typed decode and this
    parser agree on every stamp both accept. Raises ValueError on text that is not ISO 8601.
    """
    if not value:
        return None
    try:
        moment = _fromisoformat(value)  # C; gives the UTC singleton for "Z" since 3.11
    except ValueError:
        if value[-1] != "z":
            raise
        value = value[:-1] + "Z"
        moment = _fromisoformat(value)
    if len(value) > 22:  # room for 7+ fraction digits: "20240301T100000.1234567"
        moment = _round_fraction(value, moment)
    if value[-1] == "Z":
        return moment  # the common case, on the listing hot path: nothing more to do
    offset = moment.utcoffset()
    if offset is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_FRACTION = re.compile(r"[.,]([0-9]{7,})")
_MICROSECOND = timedelta(microseconds=1)


def _round_fraction(value: str, moment: datetime) -> datetime:
    """``moment`` (fromisoformat truncates past six digits) rounded half up on the seventh."""
    mark = value.find(".")
    if mark < 0:
        mark = value.find(",")
    if mark < 0 or not value[mark + 7 : mark + 8].isdigit():  # the usual case, decided cheaply
        return moment
    found = _FRACTION.search(value)
    if found is None or found.group(1)[6] < "5":
        return moment
    return moment + _MICROSECOND


_fromisoformat = datetime.fromisoformat


def parse_datetime(value: str | None) -> datetime | None:
    """ISO 8601 or RFC 2822 (``Fri, 5 Jul 2013 22:15:53 +0000``), any offset, to UTC."""
    if not value:
        return None
    if value[4:5] == "-":  # YYYY-...
        return parse_iso(value)
    return _rfc2822_fast(value) or _rfc2822(value)


_MONTHS = {
    name: f"{number:02d}"
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def _rfc2822_fast(value: str) -> datetime | None:
    """The one shape servers send (``Tue, 5 May 2017 10:16:44 +0300``), rewritten as ISO 8601
    for the C parser (3x cheaper than the general parser); None for anything else, which the
    general parser then reads."""
    parts = value.split()
    if len(parts) != 6:
        return None
    _, day, month, year, clock, zone = parts
    try:
        moment = _fromisoformat(f"{year}-{_MONTHS[month]}-{day.zfill(2)}T{clock}{zone}")
    except (KeyError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return moment if zone == "+0000" else moment.astimezone(UTC)


def _rfc2822(value: str) -> datetime:
    moment = parsedate_to_datetime(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
