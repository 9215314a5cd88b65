"""Small builders for hand-made calls: times are minutes after a fixed UTC moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import telephony
from telephony import CallStatus, Direction

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def minute(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def call(
    id: str,
    status: CallStatus,
    *,
    provider: str = "bandwidth",
    direction: Direction = Direction.OUTBOUND_API,
    **fields: Any,
) -> telephony.Call:
    return telephony.Call(provider=provider, id=id, status=status, direction=direction, **fields)
