"""The standard figures per provider over time: one ``Summary`` per (provider, bucket).

People comparing vendors over weeks look at how ASR or cost moves, not at one total; this is
the data behind ``telephony report --every`` and its HTML charts, and what a notebook plots.
It is a ``Report`` grouped by (``by``, ``every``), plus the bucket arithmetic: every bucket
between the first and the last is present (empty ones as zero calls) so charts do not hide gaps.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Hashable, Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, get_args

from telephony._errors import ValidationError
from telephony._models import Call
from telephony.report._grouping import key_value
from telephony.report._report import Report
from telephony.report._summary import Summary, currency_label

__all__ = ["EVERY", "FIGURES", "Every", "TimeSeries", "atimeseries", "timeseries"]

Every = Literal["hour", "day", "week"]
EVERY: tuple[str, ...] = get_args(Every)
_STEP = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


def _acd_seconds(summary: Summary) -> float | None:
    return None if summary.acd is None else summary.acd.total_seconds()


# Figure name -> its value for one summary (None where undefined, e.g. ASR without attempts).
FIGURES: dict[str, Callable[[Summary], float | None]] = {
    "attempts": lambda summary: float(summary.attempts),
    "answered": lambda summary: float(summary.answered),
    "asr": lambda summary: summary.asr,
    "ner": lambda summary: summary.ner,
    "acd": _acd_seconds,
}


def _start(value: Hashable) -> datetime:
    """A bucket key (a date for day/week, a datetime for hour) as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise ValidationError(f"not a bucket start: {value!r}", field="every")


class TimeSeries:
    """Figures per series (``by``, the provider by default) and per bucket of ``every``.

    ``add(call)`` / ``update(calls)`` count calls; ``starts`` are the bucket starts (UTC, gaps
    filled); ``values(figure, name)`` one value per start; ``summary(name, start)`` the full
    ``Summary`` of a bucket; ``totals`` a ``Report`` per series; ``rows()`` / ``to_dict()`` plain
    data; in Jupyter it shows as an HTML table.
    """

    __slots__ = ("by", "every", "report")

    def __init__(self, *, every: Every = "day", by: str = "provider") -> None:
        if every not in EVERY:
            raise ValidationError(
                f"cannot bucket by {every!r}; use one of {', '.join(EVERY)}", field="every"
            )
        self.every: Every = every
        self.by = by
        self.report = Report(group_by=(by, every))

    def add(self, call: Call) -> None:
        """Count one call (calls without ``created_at`` go in no bucket but count in totals)."""
        self.report.add(call)

    def update(self, calls: Iterable[Call]) -> None:
        """Count every call of ``calls``, consuming it lazily."""
        self.report.update(calls)

    @property
    def names(self) -> list[str]:
        """The series (e.g. providers), sorted."""
        return sorted({str(key_value(key[0])) for key in self.report.groups})

    @property
    def starts(self) -> list[datetime]:
        """Every bucket start from the first call's bucket to the last one's, in order."""
        seen = [_start(key[1]) for key in self.report.groups if key[1] is not None]
        if not seen:
            return []
        step, first, last = _STEP[self.every], min(seen), max(seen)
        return [first + step * index for index in range(int((last - first) / step) + 1)]

    def summary(self, name: str, start: datetime) -> Summary:
        """The summary of one series in one bucket (empty if it had no call)."""
        bucket: Hashable = start if self.every == "hour" else start.date()
        for key, summary in self.report.groups.items():
            if str(key_value(key[0])) == name and key[1] == bucket:
                return summary
        return Summary()

    def _table(self) -> dict[tuple[str, datetime], Summary]:
        return {
            (str(key_value(key[0])), _start(key[1])): summary
            for key, summary in self.report.groups.items()
            if key[1] is not None
        }

    def values(self, figure: str, name: str) -> list[float | None]:
        """``figure`` (attempts, answered, asr, ner, acd in seconds, or ``cost:<currency>``) of
        series ``name`` for each of ``starts``."""
        table = self._table()
        get = _figure(figure)
        return [get(table.get((name, start), Summary())) for start in self.starts]

    @property
    def currencies(self) -> list[str]:
        """Currencies seen in any price ("unknown" for prices without one), sorted."""
        return sorted({currency_label(c) for s in self.report.groups.values() for c in s.cost})

    @property
    def totals(self) -> Report:
        """One summary per series over all buckets."""
        totals = Report(group_by=(self.by,))
        tallies = totals._tallies  # same package: filled directly, no call to replay
        for key, summary in self.report.groups.items():
            mine = tallies.get(key[:1])
            tallies[key[:1]] = summary.merge(Summary()) if mine is None else mine.merge(summary)
        return totals

    def rows(self) -> list[dict[str, Any]]:
        """One dict per (series, bucket) over ``starts``, empty buckets included: ``by``,
        ``start`` (ISO 8601), the figures (acd in seconds) and ``cost`` per currency."""
        table = self._table()
        rows: list[dict[str, Any]] = []
        for name in self.names:
            for start in self.starts:
                summary = table.get((name, start), Summary())
                row: dict[str, Any] = {self.by: name, "start": start.isoformat()}
                row.update({figure: get(summary) for figure, get in FIGURES.items()})
                for figure in ("attempts", "answered"):
                    row[figure] = int(row[figure])
                row["cost"] = {
                    currency_label(currency): str(amount)
                    for currency, amount in sorted(
                        summary.cost.items(), key=lambda item: str(item[0])
                    )
                }
                rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """``every``, ``by`` and ``rows()``: JSON-able."""
        return {"every": self.every, "by": self.by, "rows": self.rows()}

    def _repr_html_(self) -> str:
        from telephony.report._html import series_table

        return series_table(self)

    def __repr__(self) -> str:
        return f"TimeSeries(every={self.every!r}, names={self.names}, buckets={len(self.starts)})"


def _figure(figure: str) -> Callable[[Summary], float | None]:
    if figure.startswith("cost:"):
        wanted = figure.removeprefix("cost:")

        def cost(summary: Summary) -> float | None:
            amounts = [a for c, a in summary.cost.items() if currency_label(c) == wanted]
            return float(sum(amounts, Decimal(0))) if amounts else None

        return cost
    if figure not in FIGURES:
        known = ", ".join([*FIGURES, "cost:<currency>"])
        raise ValidationError(f"no figure {figure!r}; use one of {known}", field="figure")
    return FIGURES[figure]


def timeseries(calls: Iterable[Call], *, every: Every = "day", by: str = "provider") -> TimeSeries:
    """The standard figures of ``calls`` per ``by`` (a Call field, provider by default) and per
    hour, day or week of ``created_at`` (UTC; weeks start on Monday), in one lazy pass."""
    series = TimeSeries(every=every, by=by)
    series.update(calls)
    return series


async def atimeseries(
    calls: AsyncIterable[Call], *, every: Every = "day", by: str = "provider"
) -> TimeSeries:
    """``timeseries`` over an async iterable (e.g. ``amerge(...)``)."""
    series = TimeSeries(every=every, by=by)
    async for call in calls:
        series.add(call)
    return series


def series_of(report: Report) -> TimeSeries | None:
    """The time series a report grouped by (name, hour|day|week) already holds, else None."""
    if len(report.group_by) != 2 or report.group_by[1] not in EVERY:
        return None
    series = TimeSeries.__new__(TimeSeries)
    series.every = report.group_by[1]  # type: ignore[assignment]
    series.by = report.group_by[0]
    series.report = report
    return series
