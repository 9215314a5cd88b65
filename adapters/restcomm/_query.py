"""What a Restcomm listing asks the server for, and the exact test applied to what it answers.

The server narrows, the client decides: Restcomm matches To/From as suffixes of numbers stored
as dialed (with or without the ``+``), takes StartTime as whole days in its own time zone, and
cannot filter on status or the start time's upper bound usefully. So the query sent is a wide
net, and ``matches`` keeps exactly the calls the ``CallFilter`` asks for. Kept apart from the
adapter's paging flow, which only counts pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, timedelta

import attrs

from telephony.toolkit import Call, CallFilter

__all__ = ["list_params", "matches"]

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def _number_filter(wanted: str | None) -> tuple[str | None, Callable[[str | None], bool]]:
    """What to send for a ``to``/``from_`` filter, and the exact test on the stored value.

    Restcomm stores numbers as dialed, with or without the ``+``: an E.164 filter is sent
    without it (the server matches suffixes) and takes both forms; anything else (a SIP user,
    ``client:NAME``, digits) matches as stored."""
    if wanted is None:
        return None, lambda value: True
    if _E164.fullmatch(wanted):
        bare = wanted[1:]
        return bare, lambda value: value in (wanted, bare)
    return wanted, lambda value: value == wanted


def list_params(filters: CallFilter, number: int, size: int) -> dict[str, str]:
    """The query of list page ``number`` (from 0) of ``size`` calls, narrowed by ``filters``."""
    # The server narrows, the client decides: To/From are suffix matches there, StartTime
    # takes whole days in the server's own time zone.
    params: dict[str, str] = {}
    to, _ = _number_filter(filters.to)
    from_, _ = _number_filter(filters.from_)
    if to is not None:
        params["To"] = to
    if from_ is not None:
        params["From"] = from_
    if filters.parent_id is not None:
        params["ParentCallSid"] = filters.parent_id
    if filters.started_after is not None:
        # One day early covers any server offset (-12:00 to +14:00).
        day = filters.started_after.astimezone(UTC).date() - timedelta(days=1)
        params["StartTime"] = day.isoformat()
    # Not sent: Status (stored in mixed case and matched case-sensitively, and one neutral
    # status is several raw values) and EndTime (it filters on the call's end, so it
    # would drop calls still in progress or that ended after the bound).
    # Oldest first: current servers list newest first unless asked (older ones ignore it).
    params["SortBy"] = "DateCreated:asc"
    params["Page"] = str(number)
    params["PageSize"] = str(size)
    return params


def matches(filters: CallFilter, call: Call) -> bool:
    """``CallFilter.matches``, with Restcomm's numbers read as the same number with or
    without the ``+``."""
    _, to_matches = _number_filter(filters.to)
    _, from_matches = _number_filter(filters.from_)
    if not (to_matches(call.to) and from_matches(call.from_)):
        return False
    return attrs.evolve(filters, to=None, from_=None).matches(call)
