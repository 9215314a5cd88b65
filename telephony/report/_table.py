"""A report as a plain text table, for terminals."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime, timedelta

from telephony.report._grouping import key_value
from telephony.report._report import Report
from telephony.report._summary import Summary, currency_label

__all__ = ["format_table", "group_label"]

FIGURE_NAMES = (
    "calls",
    "attempts",
    "answered",
    "ASR",
    "NER",
    "ACD",
    "talk time",
    "in progress",
    "unknown",
    "cost",
)


def format_ratio(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio * 100:.1f}%"


def format_span(span: timedelta | None) -> str:
    """``H:MM:SS`` rounded to the second (hours may exceed 24); "-" for None."""
    if span is None:
        return "-"
    total = round(span.total_seconds())
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


def _cost(summary: Summary) -> str:
    if not summary.cost:
        return "-"
    items = sorted(summary.cost.items(), key=lambda item: (item[0] is None, item[0] or ""))
    return " ".join(f"{amount} {currency_label(currency)}" for currency, amount in items)


def figure_cells(summary: Summary) -> list[str]:
    return [
        str(summary.calls),
        str(summary.attempts),
        str(summary.answered),
        format_ratio(summary.asr),
        format_ratio(summary.ner),
        format_span(summary.acd),
        format_span(summary.talk_time),
        str(summary.in_progress),
        str(summary.unknown),
        _cost(summary),
    ]


def group_label(value: Hashable) -> str:
    """A group value as the table shows it; an hour bucket as ``2024-05-01 09:00`` (UTC, as
    every time of a report), not the 25 characters of its ISO form."""
    if isinstance(value, datetime) and value.utcoffset() == timedelta(0):
        return value.strftime("%Y-%m-%d %H:%M")
    shown = key_value(value)
    return "(none)" if shown is None else str(shown)


def format_table(report: Report) -> str:
    """One row per group (sorted by key) then an ``(all)`` row, columns aligned: group values
    left, figures right. Ratios in percent, ACD and talk time as H:MM:SS, "-" where a figure is
    undefined. Ends with a newline."""
    group_columns = list(report.group_by) or ["group"]
    header = [*group_columns, *FIGURE_NAMES]
    rows: list[list[str]] = [
        [*(group_label(value) for value in key), *figure_cells(summary)]
        for key, summary in report.sorted_groups()
    ]
    overall = ["(all)", *([""] * (len(group_columns) - 1)), *figure_cells(report.overall)]
    rows.append(overall)
    left = len(group_columns)
    return _render(header, rows, left_aligned=left)


def _render(header: Sequence[str], rows: Sequence[Sequence[str]], *, left_aligned: int) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if i < left_aligned else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    body = [line(row) for row in rows]
    groups = [*body[:-1], rule] if len(body) > 1 else []  # no group rows: one rule, not two
    return "\n".join([line(header), rule, *groups, body[-1]]) + "\n"
