"""``--since`` / ``--until``: ISO 8601 on the command line, UTC-aware datetimes for the library.

Rules (also in README.md): an offset or ``Z`` is honoured; a date-time without one is read as
UTC (the library and its exports speak UTC); a date alone is the start of that UTC day for
``--since`` and its last microsecond for ``--until``, so ``--until 2024-05-01`` includes
that whole day. Relative times count back from now: ``30m``, ``2h``, ``7d``, ``2w``; and
``now``, ``today`` (its UTC start), ``yesterday``.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta

__all__ = ["parse_since", "parse_until"]

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_AGO = re.compile(r"(\d+)\s*(m|min|h|d|w)", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _relative(value: str, now: datetime) -> datetime | None:
    """``7d`` (ago), ``now``, ``today``, ``yesterday``; None if ``value`` is none of them."""
    word = value.lower()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if word == "now":
        return now
    if word == "today":
        return midnight
    if word == "yesterday":
        return midnight - timedelta(days=1)
    found = _AGO.fullmatch(word)
    if found is None:
        return None
    try:
        return now - timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
    except OverflowError:
        raise argparse.ArgumentTypeError(f"too long ago: {value!r}") from None


def _parse(text: str, *, end_of_day: bool, now: datetime | None = None) -> datetime:
    value = text.strip()
    relative = _relative(value, now or datetime.now(UTC))
    if relative is not None:
        if end_of_day and value.lower() in ("today", "yesterday"):  # the whole day, like a date
            relative += timedelta(days=1, microseconds=-1)
        return relative
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date: {text!r}; give ISO 8601 (2024-05-01, 2024-05-01T09:30:00+02:00) or a "
            "time ago (30m, 2h, 7d, 2w, now, today, yesterday)"
        ) from None
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    if end_of_day and _DATE_ONLY.fullmatch(value):
        moment += timedelta(days=1, microseconds=-1)
    return moment.astimezone(UTC)


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    return _parse(text, end_of_day=False, now=now)


def parse_until(text: str, *, now: datetime | None = None) -> datetime:
    return _parse(text, end_of_day=True, now=now)
