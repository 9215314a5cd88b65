"""``--since`` / ``--until``: ISO 8601 on the command line, UTC-aware datetimes for the library.

Rules (also in README.md): an offset or ``Z`` is honoured; a date-time without one is read as
UTC (the library and its exports speak UTC); a date alone is the start of that UTC day for
``--since`` and its last microsecond for ``--until``, so ``--until 2024-05-01`` includes
that whole day.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta

__all__ = ["parse_since", "parse_until"]

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse(text: str, *, end_of_day: bool) -> datetime:
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 date or date-time: {text!r} (e.g. 2024-05-01 or "
            "2024-05-01T09:30:00+02:00)"
        ) from None
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    if end_of_day and _DATE_ONLY.fullmatch(value):
        moment += timedelta(days=1, microseconds=-1)
    return moment.astimezone(UTC)


def parse_since(text: str) -> datetime:
    return _parse(text, end_of_day=False)


def parse_until(text: str) -> datetime:
    return _parse(text, end_of_day=True)
