"""Listing filters, validated once and meaning the same on every provider."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import islice
from typing import Any, TypedDict

import attrs

from telephony._checks import check_text
from telephony._errors import ValidationError
from telephony._models import Call, CallStatus

__all__ = ["CallFilter", "FilterArgs", "StatusArg"]

StatusArg = CallStatus | str | Iterable[CallStatus | str] | None


class FilterArgs(TypedDict, total=False):
    """The filter keywords of ``list_calls`` and ``get_page``, declared once for both clients.

    ``to`` / ``from_``: exact numbers; ``status``: a ``CallStatus`` (or its value) or several;
    ``started_after`` / ``started_before``: timezone-aware bounds, inclusive; ``parent_id``:
    only the legs of that call."""

    to: str | None
    from_: str | None
    status: StatusArg
    started_after: datetime | None
    started_before: datetime | None
    parent_id: str | None


FILTER_NAMES = tuple(FilterArgs.__annotations__)
_MAX_STATUSES = 64  # more than every CallStatus: anything longer is not a list of them
_STATUS_VALUES = frozenset(s.value for s in CallStatus)
_STATUS_HELP = ", ".join(sorted(_STATUS_VALUES))


def _statuses(value: object) -> frozenset[CallStatus] | None:
    if value is None:
        return None
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, Iterable) and not isinstance(value, bytes | bytearray | Mapping):
        items = list(islice(value, _MAX_STATUSES + 1))
    else:
        raise ValidationError(
            f"takes a CallStatus or an iterable of them ({_STATUS_HELP})", field="status"
        )
    found = set()
    for item in items[:_MAX_STATUSES]:
        if not isinstance(item, str) or item not in _STATUS_VALUES:
            raise ValidationError(f"takes CallStatus values ({_STATUS_HELP})", field="status")
        found.add(CallStatus(item))
    if len(items) > _MAX_STATUSES:
        raise ValidationError(f"takes CallStatus values ({_STATUS_HELP})", field="status")
    return frozenset(found)


def _aware(value: object, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValidationError("must be a datetime", field=field)
    try:
        aware = value.utcoffset() is not None
    except (TypeError, ValueError):  # a tzinfo that misbehaves
        aware = False
    if not aware:
        raise ValidationError("must be timezone-aware (e.g. tzinfo=timezone.utc)", field=field)
    return value


def _text(value: object, field: str) -> str | None:
    return check_text(value, field, max_length=1024)


@attrs.frozen(kw_only=True)
class CallFilter:
    """What ``list_calls`` / ``get_page`` keep. Exact matches; time bounds inclusive."""

    to: str | None = None
    from_: str | None = None
    status: frozenset[CallStatus] | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None
    parent_id: str | None = None

    @classmethod
    def build(
        cls,
        *,
        to: str | None = None,
        from_: str | None = None,
        status: StatusArg = None,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        parent_id: str | None = None,
    ) -> CallFilter:
        """Validate user input (raising ValidationError) and build a filter."""
        after = _aware(started_after, "started_after")
        before = _aware(started_before, "started_before")
        if after and before and after > before:
            raise ValidationError("must not be later than started_before", field="started_after")
        return cls(
            to=_text(to, "to"),
            from_=_text(from_, "from_"),
            status=_statuses(status),
            started_after=after,
            started_before=before,
            parent_id=_text(parent_id, "parent_id"),
        )

    @classmethod
    def from_args(cls, filters: Mapping[str, object]) -> CallFilter:
        """``build`` from keyword arguments, refusing any that is not a filter."""
        for name in filters:
            if name not in FILTER_NAMES:
                raise ValidationError(
                    f"is not a filter (filters: {', '.join(FILTER_NAMES)})", field=str(name)
                )
        return cls.build(**filters)  # type: ignore[arg-type]

    @property
    def is_empty(self) -> bool:
        return self == _NO_FILTER

    def matches(self, call: Call) -> bool:
        """The neutral meaning of every filter, applied on the client."""
        if self.to is not None and call.to != self.to:
            return False
        if self.from_ is not None and call.from_ != self.from_:
            return False
        if self.status is not None and call.status not in self.status:
            return False
        if self.parent_id is not None and call.parent_id != self.parent_id:
            return False
        if self.started_after is not None or self.started_before is not None:
            started = call.started_at
            if started is None:
                return False
            if self.started_after is not None and started < self.started_after:
                return False
            if self.started_before is not None and started > self.started_before:
                return False
        return True

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form for cursors (only the filters that are set)."""
        out: dict[str, Any] = {}
        for key in ("to", "from_", "parent_id"):
            if (value := getattr(self, key)) is not None:
                out[key] = value
        if self.status is not None:
            out["status"] = sorted(s.value for s in self.status)
        for key in ("started_after", "started_before"):
            if (moment := getattr(self, key)) is not None:
                out[key] = moment.isoformat()
        return out

    @classmethod
    def from_json(cls, data: object) -> CallFilter:
        """The filter ``to_json`` stored in a cursor; ValidationError (field ``cursor``) for
        anything else."""
        problem = _json_problem(data)
        if problem is None:
            assert isinstance(data, dict)
            try:
                times = {
                    key: datetime.fromisoformat(data[key])
                    for key in ("started_after", "started_before")
                    if key in data
                }
                return cls.build(
                    to=data.get("to"),
                    from_=data.get("from_"),
                    status=data.get("status"),
                    parent_id=data.get("parent_id"),
                    **times,
                )
            except ValidationError as exc:
                problem = f"holds an invalid filter ({exc})"
            except (TypeError, ValueError):
                problem = "holds an invalid filter"
        raise ValidationError(problem, field="cursor")


def _json_problem(data: object) -> str | None:
    if not isinstance(data, dict):
        return "holds no filter object"
    unknown = [key for key in data if key not in FILTER_NAMES]
    if unknown:
        return "holds an unknown filter"
    for key in ("started_after", "started_before"):
        if key in data and not isinstance(data[key], str):
            return f"holds an invalid filter ({key})"
    if "status" in data and not isinstance(data["status"], list):
        return "holds an invalid filter (status)"
    return None


_NO_FILTER = CallFilter()
