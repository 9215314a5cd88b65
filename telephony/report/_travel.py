"""Reports back from their JSON form (``Report.from_dict``), so partial reports made elsewhere
(another process, another machine, a file) combine with ``+`` exactly as if made here."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from telephony._errors import ValidationError
from telephony._models import CallStatus, Direction
from telephony._records import parse_time

if TYPE_CHECKING:
    from telephony.report._grouping import GroupBy
    from telephony.report._report import Report
    from telephony.report._summary import Summary

__all__ = ["report_from_dict", "summary_from_dict"]

_DURATION = re.compile(r"(?:(-?\d+) days?, )?(\d+):(\d\d):(\d\d)(?:\.(\d{6}))?")


def _duration_key(value: Any) -> timedelta:
    # str(timedelta), as Report.to_dict writes a duration key.
    found = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise ValidationError(f"not a duration: {value!r}", field="groups")
    days, hours, minutes, secs, micro = found.groups()
    return timedelta(
        days=int(days or 0),
        hours=int(hours),
        minutes=int(minutes),
        seconds=int(secs),
        microseconds=int(micro or 0),
    )


def _decimal(value: Any, field: str) -> Decimal:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(f"not a decimal: {value!r}", field=field) from None


def _price_key(value: Any) -> Decimal:
    return _decimal(value, "groups")


def _time_key(value: Any) -> Hashable:
    return parse_time(value, "groups")


_KEY_TYPES: Mapping[str, Callable[[Any], Hashable]] = {
    "status": CallStatus,
    "direction": Direction,
    "day": date.fromisoformat,
    "week": date.fromisoformat,
    "hour": _time_key,
    "duration": _duration_key,
    "price": _price_key,
    **dict.fromkeys(
        ("created_at", "started_at", "answered_at", "ended_at", "updated_at"), _time_key
    ),
}


def _key_value(name: str, value: Any) -> Hashable:
    convert = _KEY_TYPES.get(name)
    if value is None or convert is None:
        return value  # type: ignore[no-any-return]
    try:
        return convert(value)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"group key {name}={value!r}: {exc}", field="groups") from None


def _counter(data: Mapping[str, Any], name: str, kind: Callable[[str], Any]) -> Counter[Any]:
    items = data.get(name, {})
    if not isinstance(items, Mapping):
        raise ValidationError("must be a mapping", field=name)
    try:
        return Counter({kind(key): int(count) for key, count in items.items()})
    except (ValueError, TypeError) as exc:
        raise ValidationError(str(exc), field=name) from None


def _whole(data: Mapping[str, Any], name: str) -> int:
    value = data.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError("must be a whole number", field=name)
    return value


def summary_from_dict(data: Mapping[str, Any]) -> Summary:
    """The ``Summary`` of a ``Summary.to_dict`` dict (derived figures are recomputed)."""
    from telephony.report._summary import Summary

    if not isinstance(data, Mapping):
        raise ValidationError("a summary must be a mapping", field="summary")
    talk = data.get("talk_time_seconds", 0)
    if isinstance(talk, bool) or not isinstance(talk, int | float):
        raise ValidationError("must be a number", field="talk_time_seconds")
    cost = data.get("cost", {})
    if not isinstance(cost, Mapping):
        raise ValidationError("must be a mapping", field="cost")
    return Summary(
        by_status=_counter(data, "by_status", CallStatus),
        by_direction=_counter(data, "by_direction", Direction),
        by_cause=_counter(data, "by_cause", str),
        cost={
            None if currency == "unknown" else currency: _decimal(amount, "cost")
            for currency, amount in cost.items()
        },
        answered=_whole(data, "answered"),
        effective=_whole(data, "effective"),
        talk_time=timedelta(seconds=talk),
        timed=_whole(data, "timed"),
    )


def report_from_dict(
    cls: type[Report], data: Mapping[str, Any], *, group_by: GroupBy | Sequence[GroupBy] | None
) -> Report:
    if not isinstance(data, Mapping):
        raise ValidationError("a report must be a mapping", field="report")
    names = data.get("group_by")
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ValidationError("must be a list of names", field="group_by")
    report = cls(group_by=tuple(names) if group_by is None else group_by)
    if list(report.group_by) != names:
        raise ValidationError(
            f"the report was grouped by {names}, not {list(report.group_by)}", field="group_by"
        )
    tallies: dict[tuple[Hashable, ...], Summary] = {}
    if names:
        groups = data.get("groups", [])
        if not isinstance(groups, list):
            raise ValidationError("must be a list", field="groups")
        for group in groups:
            key = group.get("key") if isinstance(group, Mapping) else None
            if not isinstance(key, Mapping) or set(key) != set(names):
                raise ValidationError(f"each key must name {names}", field="groups")
            tallies[tuple(_key_value(name, key[name]) for name in names)] = summary_from_dict(group)
    else:
        overall = summary_from_dict(data.get("overall", {}))
        if overall.calls:
            tallies[()] = overall
    report._tallies = tallies
    return report
