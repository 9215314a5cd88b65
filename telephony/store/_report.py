"""Reports over the store in one pass, the figures counted by SQLite where it can.

A grouping by stored columns (provider, direction, status, numbers, account, cause, currency,
``day``) is one ``GROUP BY`` query: SQLite counts per group, status, direction, cause and
currency, sums talk time in integer microseconds (exact), and a Python aggregate sums prices
as ``Decimal`` (exact, never SQL's floating point). No ``Call`` is built, and memory grows with
the number of distinct rows of that query, not with the number of calls. Any other grouping
(a function, a time) streams the stored calls through ``summarize``. Both give a ``Report``
equal to ``summarize(store.calls(...))``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from telephony._models import CallStatus, Direction
from telephony.report import GroupBy, Report, Summary

if TYPE_CHECKING:
    from telephony.store._store import CallStore

__all__ = ["summarize_store"]

_DAY_US = 86_400_000_000
_EPOCH_DAY = date(1970, 1, 1)
_EFFECTIVE_UNANSWERED = frozenset({CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.REJECTED})


def _day(value: int | None) -> date | None:
    return None if value is None else _EPOCH_DAY + timedelta(days=value)


def _same(value: Any) -> Any:
    return value


# Groupings SQL can make: (expression, how its value becomes the Call's value).
_SQL_GROUPINGS: dict[str, tuple[str, Callable[[Any], Hashable]]] = {
    "provider": ("provider", _same),
    "account_id": ("account_id", _same),
    "direction": ("direction", Direction),
    "status": ("status", CallStatus),
    "vendor_status": ("vendor_status", _same),
    "from_": ("from_", _same),
    "to": ("to_", _same),
    "parent_id": ("parent_id", _same),
    "disconnect_cause": ("disconnect_cause", _same),
    "currency": ("currency", _same),
    "answered_by": ("answered_by", _same),
    # Floor division (SQLite's "/" truncates toward zero: days before 1970 need the fix).
    "day": (
        f"(created_us / {_DAY_US}) - (created_us < 0 AND created_us % {_DAY_US} != 0)",
        lambda value: _day(value),
    ),
}

# Groupings the calls_for_reports index covers (see _rows.SCHEMA).
_COVERED = frozenset(
    {"provider", "account_id", "status", "direction", "disconnect_cause", "currency", "day"}
)

# Answered: terminal, with an answer time or COMPLETED (as Summary.add decides).
_ANSWERED = "(terminal = 1 AND (answered_us IS NOT NULL OR status = 'completed'))"
_TALK = (
    f"CASE WHEN {_ANSWERED} THEN COALESCE(duration_us, CASE WHEN answered_us IS NOT NULL "
    "AND ended_us IS NOT NULL AND ended_us >= answered_us THEN ended_us - answered_us END) END"
)


class _DecimalSum:
    """SQL aggregate ``decimal_sum(price)``: the exact sum of decimal texts, NULL if none."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, value: str | None) -> None:
        if value is not None:
            amount = Decimal(value)
            self.total = amount if self.total is None else self.total + amount

    def finalize(self) -> str | None:
        return None if self.total is None else str(self.total)


def _sql_names(group_by: GroupBy | Sequence[GroupBy]) -> list[str] | None:
    items = [group_by] if isinstance(group_by, str) or callable(group_by) else list(group_by)
    if all(isinstance(item, str) and item in _SQL_GROUPINGS for item in items):
        return [str(item) for item in items]
    return None


def summarize_store(
    store: CallStore,
    *,
    provider: str | Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    group_by: GroupBy | Sequence[GroupBy] = ("provider",),
) -> Report:
    report = Report(group_by=group_by)  # validates the grouping first
    names = _sql_names(group_by)
    if names is None:
        plain = all(isinstance(item, str) for item in report.group_by)
        report.update(store.calls(provider, since, until, raw=not plain))
        return report
    where, params = store._where(provider, since, until)
    # The index that covers the usual groupings holds no vendor records: scanning it reads a
    # tenth of what the table holds. SQLite's planner, without statistics, may not pick it.
    index = " INDEXED BY calls_for_reports" if _COVERED.issuperset(names) else ""
    keys = [f"{_SQL_GROUPINGS[name][0]} AS k{n}" for n, name in enumerate(names)]
    key_refs = [f"k{n}" for n in range(len(names))]
    group = ", ".join([*key_refs, "status", "direction", "disconnect_cause", "currency", "ans"])
    query = (
        f"SELECT {', '.join([*key_refs, 'status', 'direction', 'disconnect_cause', 'currency'])}, "
        "ans, count(*), sum(talk), count(talk), decimal_sum(price) FROM ("
        f"SELECT {', '.join([*keys, 'status', 'direction', 'disconnect_cause', 'currency'])}, "
        f"{_ANSWERED} AS ans, {_TALK} AS talk, price FROM calls{index}{where}"
        f") GROUP BY {group}"
    )
    db = store.connection
    db.create_aggregate("decimal_sum", 1, _DecimalSum)  # type: ignore[arg-type]
    decoders = [_SQL_GROUPINGS[name][1] for name in names]
    width = len(names)
    tallies: dict[tuple[Hashable, ...], Summary] = {}
    for row in db.execute(query, params):
        key = tuple(decode(value) for decode, value in zip(decoders, row[:width], strict=True))
        status_text, direction_text, cause, currency, answered, count, talk, timed, cost = row[
            width:
        ]
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = Summary()
        status = CallStatus(status_text)
        tally.by_status[status] += count
        tally.by_direction[Direction(direction_text)] += count
        if cause is not None:
            tally.by_cause[cause] += count
        if cost is not None:
            tally.cost[currency] = tally.cost.get(currency, Decimal(0)) + Decimal(cost)
        if answered:
            tally.answered += count
            tally.effective += count
            if timed:
                tally.talk_time += timedelta(microseconds=talk)
                tally.timed += timed
        elif status in _EFFECTIVE_UNANSWERED:
            tally.effective += count
    report._tallies = tallies
    return report
