"""Vendor time stamps to timezone-aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["parse_datetime", "parse_iso"]


def parse_iso(value: str | None) -> datetime | None:
    """ISO 8601 with any offset (``Z`` included) to UTC; a naive value is taken as UTC.

    Raises ValueError on text that is not ISO 8601.
    """
    if not value:
        return None
    moment = datetime.fromisoformat(value)  # C fast path; accepts "Z" since 3.11
    offset = moment.utcoffset()
    if offset is None:
        return moment.replace(tzinfo=UTC)
    if offset or moment.tzinfo is not UTC:
        return moment.astimezone(UTC)
    return moment


def parse_datetime(value: str | None) -> datetime | None:
    """ISO 8601 or RFC 2822 (``Fri, 5 Jul 2013 22:15:53 +0000``), any offset, to UTC."""
    if not value:
        return None
    if value[:1].isdigit():
        return parse_iso(value)
    moment = parsedate_to_datetime(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
