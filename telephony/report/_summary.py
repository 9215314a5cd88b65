"""Streaming call figures: ASR, NER, ACD, talk time, counts and cost, overall and per group.

Definitions and their sources are in this package's README.md.
"""

from __future__ import annotations

import functools
import operator
from collections import Counter
from collections.abc import AsyncIterable, Callable, Hashable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Any

import attrs

from telephony._errors import ValidationError
from telephony._models import Call, CallStatus, Direction

__all__ = [
    "GroupBy",
    "Report",
    "Summary",
    "asummarize",
    "call_day",
    "call_hour",
    "call_week",
    "summarize",
]

# A grouping: a Call field name, "day", or a function of the call.
GroupBy = str | Callable[[Call], Hashable]

_TERMINAL = frozenset(status for status in CallStatus if status.is_terminal)
_IN_PROGRESS = frozenset({CallStatus.QUEUED, CallStatus.RINGING, CallStatus.IN_PROGRESS})
# Attempts that were not answered but that the network delivered to the far end (E.425).
_EFFECTIVE_UNANSWERED = frozenset({CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.REJECTED})
_ZERO_TIME = timedelta(0)
_ZERO_COST = Decimal(0)


def _talk_time(call: Call) -> timedelta | None:
    """Talk time of an answered call: ``duration``, else answer to end; None if unknown."""
    if call.duration is not None:
        return call.duration
    if call.answered_at is not None and call.ended_at is not None:
        span = call.ended_at - call.answered_at
        return span if span >= _ZERO_TIME else None
    return None


@attrs.define(slots=True, eq=True)
class Summary:
    """Figures over a set of calls, built one call at a time.

    ``add(call)`` counts one more call; ``merge(other)`` gives the summary of both sets (so
    summaries made in parallel, or per provider, can be combined). Memory is bounded by the
    number of distinct statuses, directions, causes and currencies, never by the number of calls.
    Derived figures (``attempts``, ``asr``, ``ner``, ``acd``...) are properties, always current.
    """

    by_status: Counter[CallStatus] = attrs.field(factory=Counter)
    """Calls per status, every call counted (in progress and unknown included)."""
    by_direction: Counter[Direction] = attrs.field(factory=Counter)
    """Calls per direction, every call counted."""
    by_cause: Counter[str] = attrs.field(factory=Counter)
    """Calls per ``disconnect_cause``; calls without a cause are not counted here."""
    cost: dict[str | None, Decimal] = attrs.field(factory=dict)
    """``price`` summed per currency, as the vendor reports it (sign included). Prices without a
    currency are summed under the key None; calls without a price add nothing."""
    answered: int = 0
    """Attempts that were answered: an answer time, or COMPLETED (a vendor without answer
    times)."""
    effective: int = 0
    """Attempts that were answered, busy, not answered or rejected: the NER numerator."""
    talk_time: timedelta = _ZERO_TIME
    """Talk time summed over answered attempts whose talk time is known."""
    timed: int = 0
    """Answered attempts whose talk time is known: the ACD denominator."""

    # -- counting ---------------------------------------------------------------------------

    def add(self, call: Call) -> None:
        """Count one call."""
        status = call.status
        self.by_status[status] += 1
        self.by_direction[call.direction] += 1
        cause = call.disconnect_cause
        if cause is not None:
            self.by_cause[cause] += 1
        price = call.price
        if price is not None:
            if not isinstance(price, Decimal):
                raise ValidationError(
                    f"call {call.id!r} has a {type(price).__name__} price; expected Decimal",
                    field="price",
                )
            currency = call.currency
            self.cost[currency] = self.cost.get(currency, _ZERO_COST) + price
        if status not in _TERMINAL:
            return
        if call.answered_at is not None or status == CallStatus.COMPLETED:
            self.answered += 1
            self.effective += 1
            talk_time = _talk_time(call)
            if talk_time is not None:
                self.talk_time += talk_time
                self.timed += 1
        elif status in _EFFECTIVE_UNANSWERED:
            self.effective += 1

    def update(self, calls: Iterable[Call]) -> None:
        """Count every call of ``calls``, consuming it lazily."""
        add = self.add
        for call in calls:
            add(call)

    def merge(self, other: Summary) -> Summary:
        """A new summary of the calls of both ``self`` and ``other``."""
        cost = dict(self.cost)
        for currency, amount in other.cost.items():
            cost[currency] = cost.get(currency, _ZERO_COST) + amount
        return Summary(
            by_status=self.by_status + other.by_status,
            by_direction=self.by_direction + other.by_direction,
            by_cause=self.by_cause + other.by_cause,
            cost=cost,
            answered=self.answered + other.answered,
            effective=self.effective + other.effective,
            talk_time=self.talk_time + other.talk_time,
            timed=self.timed + other.timed,
        )

    # -- derived figures --------------------------------------------------------------------

    @property
    def calls(self) -> int:
        """Every call counted: attempts + in_progress + unknown."""
        return sum(self.by_status.values())

    @property
    def attempts(self) -> int:
        """Calls in a terminal status (completed, busy, no-answer, rejected, canceled, failed)."""
        return sum(count for status, count in self.by_status.items() if status in _TERMINAL)

    @property
    def in_progress(self) -> int:
        """Calls queued, ringing or in progress: not attempts (yet)."""
        return sum(count for status, count in self.by_status.items() if status in _IN_PROGRESS)

    @property
    def unknown(self) -> int:
        """Calls whose status is UNKNOWN: not attempts."""
        return self.by_status[CallStatus.UNKNOWN]

    @property
    def asr(self) -> float | None:
        """Answer-seizure ratio (ITU-T E.411): answered / attempts; None without attempts."""
        attempts = self.attempts
        return self.answered / attempts if attempts else None

    @property
    def ner(self) -> float | None:
        """Network effectiveness ratio (ITU-T E.425): (answered + busy + no-answer + rejected)
        / attempts; None without attempts."""
        attempts = self.attempts
        return self.effective / attempts if attempts else None

    @property
    def acd(self) -> timedelta | None:
        """Average call duration: mean talk time of answered attempts whose talk time is known;
        None if there are none."""
        return self.talk_time / self.timed if self.timed else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: ratios as floats, times in seconds, amounts as decimal strings."""
        return {
            "calls": self.calls,
            "attempts": self.attempts,
            "answered": self.answered,
            "effective": self.effective,
            "asr": self.asr,
            "ner": self.ner,
            "acd_seconds": None if self.acd is None else self.acd.total_seconds(),
            "talk_time_seconds": self.talk_time.total_seconds(),
            "timed": self.timed,
            "in_progress": self.in_progress,
            "unknown": self.unknown,
            "by_status": {str(key): n for key, n in sorted(self.by_status.items())},
            "by_direction": {str(key): n for key, n in sorted(self.by_direction.items())},
            "by_cause": dict(sorted(self.by_cause.items())),
            "cost": {
                currency_label(currency): str(amount)
                for currency, amount in sorted(self.cost.items(), key=_none_last)
            },
        }


def currency_label(currency: str | None) -> str:
    """How a cost key is written out: the currency, or "unknown" for prices without one (ISO
    4217 codes are three capital letters, so it cannot clash)."""
    return "unknown" if currency is None else currency


def _none_last(item: tuple[Any, Any]) -> tuple[bool, str]:
    return (item[0] is None, str(item[0]))


def call_day(call: Call) -> date | None:
    """The UTC date of ``created_at`` (None without one): the ``"day"`` grouping."""
    created_at = call.created_at
    if created_at is None:
        return None
    zone = created_at.tzinfo
    if zone is UTC:  # what adapters give: skip the conversion
        return created_at.date()
    if zone is None:
        raise ValidationError(f"call {call.id!r} has a naive created_at", field="created_at")
    return created_at.astimezone(UTC).date()


def call_hour(call: Call) -> datetime | None:
    """``created_at`` in UTC cut to the hour (None without one): the ``"hour"`` grouping."""
    created_at = call.created_at
    if created_at is None:
        return None
    if created_at.tzinfo is None:
        raise ValidationError(f"call {call.id!r} has a naive created_at", field="created_at")
    return created_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def call_week(call: Call) -> date | None:
    """The Monday starting the ISO week of ``created_at`` in UTC (None without one): the
    ``"week"`` grouping."""
    day = call_day(call)
    return None if day is None else day - timedelta(days=day.weekday())


_GROUPABLE_FIELDS = frozenset(field.name for field in attrs.fields(Call)) - {"raw"}
# Export column names that differ from the field (``from`` is a Python keyword): a report
# grouped by ``"from"`` is named like the CSV column.
_COLUMN_FIELDS = {"from": "from_"}
_NAMED_GROUPINGS: Mapping[str, Callable[[Call], Hashable]] = {
    "day": call_day,
    "hour": call_hour,
    "week": call_week,
}


def _grouping(group_by: GroupBy | Sequence[GroupBy]) -> tuple[tuple[str, ...], Callable[..., Any]]:
    """Names of the groupings and one function giving a call's group key (a tuple)."""
    items: Sequence[GroupBy]
    if isinstance(group_by, str) or callable(group_by):
        items = (group_by,)
    elif isinstance(group_by, Iterable):
        items = tuple(group_by)
    else:
        raise ValidationError(
            f"expected field names or functions, got {group_by!r}", field="group_by"
        )
    names: list[str] = []
    getters: list[Callable[[Call], Hashable]] = []
    for position, item in enumerate(items):
        if isinstance(item, str):
            if item in _NAMED_GROUPINGS:
                getters.append(_NAMED_GROUPINGS[item])
            elif item in _COLUMN_FIELDS:
                getters.append(operator.attrgetter(_COLUMN_FIELDS[item]))
            elif item in _GROUPABLE_FIELDS:
                getters.append(operator.attrgetter(item))
            else:
                known = ", ".join(sorted({*_GROUPABLE_FIELDS, *_NAMED_GROUPINGS, *_COLUMN_FIELDS}))
                raise ValidationError(
                    f"cannot group by {item!r}; use one of {known}, or a function of the call",
                    field="group_by",
                )
            names.append(item)
        elif callable(item):
            getters.append(item)
            names.append(getattr(item, "__name__", None) or f"group{position}")
        else:
            raise ValidationError(
                f"expected a field name or a function, got {item!r}", field="group_by"
            )
    if len(set(names)) != len(names):
        raise ValidationError(f"a grouping is named twice in {names}", field="group_by")
    # The hot path: one attrgetter of several names already returns a tuple.
    if (
        all(isinstance(item, str) and item in _GROUPABLE_FIELDS for item in items)
        and len(items) > 1
    ):
        return tuple(names), operator.attrgetter(*names)
    # Unrolled for the usual sizes: this runs once per call.
    if len(getters) == 1:
        (first,) = getters
        return tuple(names), lambda call: (first(call),)
    if len(getters) == 2:
        first, second = getters
        return tuple(names), lambda call: (first(call), second(call))
    if len(getters) == 3:
        first, second, third = getters
        return tuple(names), lambda call: (first(call), second(call), third(call))
    return tuple(names), lambda call: tuple([getter(call) for getter in getters])


class Report:
    """A summary of every call (``overall``) and one per group (``groups``).

    ``groups`` maps a key, the tuple of the grouped values in ``group_by`` order (e.g.
    ``("bandwidth",)`` or ``("restcomm", Direction.INBOUND)``), to that group's ``Summary``, in
    order of first appearance. With an empty ``group_by`` there are no groups.

    A Report is also the accumulator: ``add(call)`` counts one more call (e.g. to show progress
    while listing), ``merge(other)`` combines two reports with the same grouping. Memory grows
    only with the number of groups.
    """

    __slots__ = ("_key", "_spec", "_tallies", "group_by")

    def __init__(self, *, group_by: GroupBy | Sequence[GroupBy] = ("provider",)) -> None:
        names, key = _grouping(group_by)
        # Kept to rebuild the key function after pickling (functions travel by reference).
        self._spec: tuple[GroupBy, ...] = (
            (group_by,) if isinstance(group_by, str) or callable(group_by) else tuple(group_by)
        )
        self.group_by: tuple[str, ...] = names
        self._key: Callable[[Call], tuple[Hashable, ...]] = key if names else _no_group
        # Each call is counted once, in its group; ``overall`` is the sum of the groups, made
        # when asked for. Without a grouping, everything is in the one group ().
        self._tallies: dict[tuple[Hashable, ...], Summary] = {}

    @property
    def overall(self) -> Summary:
        """The summary of every call (a new object, computed from the groups)."""
        return functools.reduce(Summary.merge, self._tallies.values(), Summary())

    @property
    def groups(self) -> Mapping[tuple[Hashable, ...], Summary]:
        """Group key to that group's summary (read-only, live), in order of first appearance."""
        return MappingProxyType(self._tallies if self.group_by else {})

    def add(self, call: Call) -> None:
        """Count one call, overall and in its group."""
        key = self._key(call)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = Summary()
        tally.add(call)

    def update(self, calls: Iterable[Call]) -> None:
        """Count every call of ``calls``, consuming it lazily."""
        add = self.add
        for call in calls:
            add(call)

    def merge(self, other: Report) -> Report:
        """A new report of the calls of both; they must group by the same names."""
        if other.group_by != self.group_by:
            raise ValidationError(
                f"cannot merge a report grouped by {other.group_by} into one grouped by "
                f"{self.group_by}",
                field="group_by",
            )
        merged = Report.__new__(Report)
        merged._spec = self._spec
        merged.group_by = self.group_by
        merged._key = self._key
        merged._tallies = {key: tally.merge(Summary()) for key, tally in self._tallies.items()}
        for key, tally in other._tallies.items():
            mine = merged._tallies.get(key)
            merged._tallies[key] = tally.merge(Summary()) if mine is None else mine.merge(tally)
        return merged

    def __add__(self, other: object) -> Report:
        """``a + b``: the report of the calls of both (``merge``)."""
        if not isinstance(other, Report):
            return NotImplemented
        return self.merge(other)

    # Pickle and deepcopy: the grouping travels as given and the key function is rebuilt.
    def __getstate__(self) -> dict[str, Any]:
        return {"group_by": self._spec, "tallies": self._tallies}

    def __setstate__(self, state: dict[str, Any]) -> None:
        names, key = _grouping(state["group_by"])
        self._spec = tuple(state["group_by"])
        self.group_by = names
        self._key = key if names else _no_group
        self._tallies = state["tallies"]

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, group_by: GroupBy | Sequence[GroupBy] | None = None
    ) -> Report:
        """The report a ``to_dict`` dict describes, equal to the original when it grouped by
        Call fields or ``"day"`` (key values get their types back). A report grouped by
        functions needs them again as ``group_by``; its key values stay as JSON gave them."""
        from telephony.report._travel import report_from_dict

        return report_from_dict(cls, data, group_by=group_by)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: ``group_by``, ``overall`` and ``groups``, a list of summaries each
        with a ``key`` mapping grouping name to value (enums as their value, dates ISO 8601),
        sorted by key."""
        return {
            "group_by": list(self.group_by),
            "overall": self.overall.to_dict(),
            "groups": [
                {
                    "key": dict(zip(self.group_by, map(key_value, key), strict=True)),
                    **summary.to_dict(),
                }
                for key, summary in self.sorted_groups()
            ],
        }

    def sorted_groups(self) -> list[tuple[tuple[Hashable, ...], Summary]]:
        """The groups sorted by key (None last in each position), for stable output."""
        return sorted(self.groups.items(), key=lambda item: tuple(map(_sort_key, item[0])))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Report):
            return NotImplemented
        return (self.group_by, self._tallies) == (other.group_by, other._tallies)

    __hash__ = None  # type: ignore[assignment]

    def _repr_html_(self) -> str:
        """Jupyter shows a report as the table ``format_table`` prints."""
        from telephony.report._html import report_table

        return report_table(self)

    def __repr__(self) -> str:
        return (
            f"Report(group_by={self.group_by!r}, "
            f"calls={sum(tally.calls for tally in self._tallies.values())}, "
            f"groups={len(self.groups)})"
        )


def key_value(value: Hashable) -> Any:
    """A group key value as JSON: str/int/float/bool/None as is, dates ISO 8601, anything else
    (enums included) as ``str``."""
    if value is None or (isinstance(value, bool | int | float) and not isinstance(value, Enum)):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _no_group(call: Call) -> tuple[()]:
    return ()


def _sort_key(value: Hashable) -> tuple[bool, str]:
    return (value is None, str(key_value(value)))


def summarize(
    calls: Iterable[Call], *, group_by: GroupBy | Sequence[GroupBy] = ("provider",)
) -> Report:
    """Figures over ``calls``, overall and per group, in one lazy pass.

    ``group_by`` names Call fields (``"provider"``, ``"direction"``, ``"status"``...), ``"day"``
    (UTC date of ``created_at``), or functions of a call (grouped under their ``__name__``).
    """
    report = Report(group_by=group_by)
    report.update(calls)
    return report


async def asummarize(
    calls: AsyncIterable[Call], *, group_by: GroupBy | Sequence[GroupBy] = ("provider",)
) -> Report:
    """``summarize`` over an async iterable (e.g. ``amerge(...)``)."""
    report = Report(group_by=group_by)
    add = report.add
    async for call in calls:
        add(call)
    return report
