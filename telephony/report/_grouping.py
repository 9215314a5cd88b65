"""How calls fall into groups: ``GroupBy``, the named time groupings (``call_day``,
``call_hour``, ``call_week``), the key function a grouping gives, and how key values are written
out and sorted.

Kept apart from ``Report`` because the key function runs once per call (the hot path of every
report) and the key helpers are shared by the table, HTML and series renderers.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

import attrs

from telephony._errors import ValidationError
from telephony._models import Call

__all__ = [
    "GroupBy",
    "call_day",
    "call_hour",
    "call_week",
    "grouping",
    "key_value",
    "no_group",
    "sort_key",
]

# A grouping: a Call field name, "day", or a function of the call.
GroupBy = str | Callable[[Call], Hashable]


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


def grouping(group_by: GroupBy | Sequence[GroupBy]) -> tuple[tuple[str, ...], Callable[..., Any]]:
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


def key_value(value: Hashable) -> Any:
    """A group key value as JSON: str/int/float/bool/None as is, dates ISO 8601, anything else
    (enums included) as ``str``."""
    if value is None or (isinstance(value, bool | int | float) and not isinstance(value, Enum)):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def no_group(call: Call) -> tuple[()]:
    return ()


def sort_key(value: Hashable) -> tuple[bool, str]:
    return (value is None, str(key_value(value)))
