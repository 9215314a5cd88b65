"""Vendor time stamps to timezone-aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = ["parse_datetime", "parse_iso"]


def parse_iso(value: str | None) -> datetime | None:
    """ISO 8601 with any offset (``Z`` included) to UTC; a naive value is taken as UTC.

    Raises ValueError on text that is not ISO 8601.
    """
    if not value:
        return None
    moment = _fromisoformat(value)  # C; gives the UTC singleton for "Z" since 3.11
    if value[-1] == "Z":
        return moment  # the common case, on the listing hot path: nothing more to do
    offset = moment.utcoffset()
    if offset is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_fromisoformat = datetime.fromisoformat


def parse_datetime(value: str | None) -> datetime | None:
    """ISO 8601 or RFC 2822 (``Fri, 5 Jul 2013 22:15:53 +0000``), any offset, to UTC."""
    if not value:
        return None
    if value[4:5] == "-":  # YYYY-...
        return parse_iso(value)
    return _rfc2822_fast(value) or _rfc2822(value)


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def _rfc2822_fast(value: str) -> datetime | None:
    """The one shape servers send (``Tue, 5 May 2017 10:16:44 +0300``), without the general
    parser's cost; None for anything else, which the general parser then reads."""
    parts = value.split()
    if len(parts) != 6 or len(parts[5]) != 5 or parts[5][0] not in "+-":
        return None
    _, day, month, year, clock, zone = parts
    try:
        hour, minute, second = clock.split(":")
        moment = datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    except (KeyError, ValueError):
        return None
    return moment - offset if zone[0] == "+" else moment + offset


def _rfc2822(value: str) -> datetime:
    moment = parsedate_to_datetime(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
