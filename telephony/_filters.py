"""Listing filters, validated once and meaning the same on every provider."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from telephony._errors import ValidationError
from telephony._models import Call, CallStatus

__all__ = ["CallFilter"]

StatusArg = CallStatus | str | Iterable[CallStatus | str] | None


def _statuses(value: StatusArg) -> frozenset[CallStatus] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    try:
        return frozenset(CallStatus(item) for item in items)
    except ValueError:
        allowed = ", ".join(s.value for s in CallStatus)
        raise ValidationError(f"takes CallStatus values ({allowed})", field="status") from None


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValidationError("must be a datetime", field=field)
    if value.utcoffset() is None:
        raise ValidationError("must be timezone-aware (e.g. tzinfo=timezone.utc)", field=field)
    return value


def _text(value: str | None, field: str) -> str | None:
    if value is not None and (not isinstance(value, str) or not value):
        raise ValidationError("must be a non-empty string", field=field)
    return value


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
    def from_json(cls, data: dict[str, Any]) -> CallFilter:
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
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"holds an invalid filter ({exc})", field="cursor") from None


_NO_FILTER = CallFilter()
