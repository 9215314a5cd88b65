"""How calls and reports are written: an aligned table for people, JSON lines or CSV for
programs (the stable columns of ``telephony.report``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, timedelta
from typing import Any, TextIO

from telephony._models import Call, CallStatus, Direction
from telephony.report import (
    COLUMNS,
    EVERY,
    Report,
    export_record,
    format_table,
    write_csv,
    write_jsonl,
)
from telephony.report._table import FIGURE_NAMES, figure_cells, group_label

__all__ = [
    "CALL_FORMATS",
    "CUT",
    "REPORT_FORMATS",
    "report_table",
    "shorten",
    "write_call",
    "write_calls",
    "write_report",
    "write_status_counts",
]

CALL_FORMATS = ("table", "jsonl", "csv")
CUT = "…"  # in the middle of a value a table shortened
REPORT_FORMATS = ("table", "json", "csv")

_TABLE_COLUMNS = (
    "provider",
    "id",
    "direction",
    "status",
    "from",
    "to",
    "created (UTC)",
    "duration",
    "price",
)
_RIGHT_ALIGNED = frozenset({"duration", "price"})
# What a narrow terminal loses first (calls list shows one provider), and the shortest id kept.
_DROP_ORDER = ("provider", "price", "direction", "duration", "from")
_MIN_ID = 12
# The table streams: column widths come from the first rows, later rows keep them (a longer
# cell just pushes its row out), so memory stays flat however many calls go by.
_WIDTH_SAMPLE = 50


def _span(span: timedelta | None) -> str:
    if span is None:
        return "-"
    total = round(span.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _when(call: Call) -> str:
    created_at = call.created_at
    if created_at is None:
        return "-"
    return created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _row(call: Call) -> list[str]:
    price = "-" if call.price is None else f"{call.price} {call.currency or ''}".rstrip()
    return [
        call.provider,
        call.id,
        str(call.direction),
        str(call.status),
        call.from_ or "-",
        call.to or "-",
        _when(call),
        _span(call.duration),
        price,
    ]


def _line(cells: Sequence[str], widths: Sequence[int], names: Sequence[str]) -> str:
    parts = [
        cell.rjust(width) if name in _RIGHT_ALIGNED else cell.ljust(width)
        for cell, width, name in zip(cells, widths, names, strict=True)
    ]
    return "  ".join(parts).rstrip()


def shorten(text: str, width: int) -> str:
    """``text`` cut in the middle to ``width`` characters (ids differ at both ends)."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + CUT + text[len(text) - (width - 1 - head) :]


def _fit(
    widths: list[int], limit: int | None, keep: Sequence[str] = ()
) -> tuple[list[int], list[int]]:
    """The columns kept and their widths so a line takes at most ``limit`` characters: drop
    the least telling columns first (but not those in ``keep``), then shorten the id (and any
    cell) in the middle."""
    kept = list(range(len(_TABLE_COLUMNS)))
    fitted = list(widths)
    if limit is None:
        return kept, fitted

    def total() -> int:
        return sum(fitted[i] for i in kept) + 2 * (len(kept) - 1)

    ident = _TABLE_COLUMNS.index("id")
    for name in (name for name in _DROP_ORDER if name not in keep):
        # The provider column of a one-provider listing says nothing: it goes before any id
        # is cut; the others only when cutting the id to its shortest is not enough.
        spare = 0 if name == "provider" else max(0, fitted[ident] - _MIN_ID)
        if total() - spare <= limit:
            break
        kept.remove(_TABLE_COLUMNS.index(name))
    fitted[ident] = max(_MIN_ID, fitted[ident] - max(0, total() - limit))
    return kept, fitted


def _write_table(
    calls: Iterable[Call], out: TextIO, *, width: int | None = None, keep: Sequence[str] = ()
) -> int:
    count = 0
    columns: list[int] | None = None
    widths: list[int] = []
    sample: list[list[str]] = []

    def line(row: Sequence[str]) -> str:
        assert columns is not None
        if width is not None:  # a cell longer than its column is cut, not pushed out
            row = [shorten(cell, widths[i]) for i, cell in enumerate(row)]
        names = [_TABLE_COLUMNS[i] for i in columns]
        return _line([row[i] for i in columns], [widths[i] for i in columns], names)

    def flush_sample() -> list[int]:
        nonlocal widths
        found = [max(len(row[i]) for row in [list(_TABLE_COLUMNS), *sample]) for i in range(9)]
        kept, widths = _fit(found, width, keep)
        nonlocal columns
        columns = kept
        out.write(line(_TABLE_COLUMNS) + "\n")
        out.write("  ".join("-" * widths[i] for i in kept) + "\n")
        for row in sample:
            out.write(line(row) + "\n")
        sample.clear()
        out.flush()
        return kept

    for call in calls:
        count += 1
        if columns is None:
            sample.append(_row(call))
            if len(sample) >= _WIDTH_SAMPLE:
                flush_sample()
        else:
            out.write(line(_row(call)) + "\n")
    if columns is None and sample:
        flush_sample()
    return count


def write_calls(
    calls: Iterable[Call],
    out: TextIO,
    *,
    fmt: str,
    width: int | None = None,
    keep: Sequence[str] = (),
) -> int:
    """Stream ``calls`` to ``out``; returns how many were written. A table fits in ``width``
    characters when given (columns dropped, those in ``keep`` excepted, then ids shortened in
    the middle): a listing of several providers keeps ``provider``."""
    if fmt == "jsonl":
        return write_jsonl(calls, out)
    if fmt == "csv":
        return write_csv(calls, out)
    return _write_table(calls, out, width=width, keep=keep)


def write_call(call: Call, out: TextIO, *, fmt: str) -> None:
    """One call: every exported field, one per line, for a table; else one record."""
    if fmt != "table":
        write_calls([call], out, fmt=fmt)
        return
    record = export_record(call)
    width = max(len(name) for name in COLUMNS)
    for name in COLUMNS:
        value = record[name]
        out.write(f"{name.ljust(width)}  {'-' if value is None else value}\n")


_CSV_FIGURES = (
    "calls",
    "attempts",
    "answered",
    "effective",
    "asr",
    "ner",
    "acd_seconds",
    "talk_time_seconds",
    "in_progress",
    "unknown",
)


def _report_csv(report: Report, out: TextIO) -> None:
    """One row per group then an overall row (group cells empty, ``scope`` = all). Stable
    columns: the group names, the figures, one count per status and direction, and cost as
    ``amount currency`` pairs joined by ``;``."""
    data = report.to_dict()
    statuses = [str(status) for status in CallStatus]
    directions = [str(direction) for direction in Direction]
    header = [
        "scope",
        *data["group_by"],
        *_CSV_FIGURES,
        *(f"status_{name}" for name in statuses),
        *(f"direction_{name}" for name in directions),
        "cost",
    ]
    writer = csv.writer(out)
    writer.writerow(header)

    def row(scope: str, key: dict[str, Any], summary: dict[str, Any]) -> list[Any]:
        return [
            scope,
            *(_cell(key.get(name)) for name in data["group_by"]),
            *(_cell(summary[name]) for name in _CSV_FIGURES),
            *(summary["by_status"].get(name, 0) for name in statuses),
            *(summary["by_direction"].get(name, 0) for name in directions),
            ";".join(f"{amount} {currency}" for currency, amount in summary["cost"].items()),
        ]

    for group in data["groups"]:
        writer.writerow(row("group", group["key"], group))
    writer.writerow(row("all", {}, data["overall"]))


def _cell(value: Any) -> Any:
    return "" if value is None else value


def write_report(report: Report, out: TextIO, *, fmt: str, width: int | None = None) -> list[str]:
    """The report as ``fmt``; a table fits in ``width`` characters when given. Returns the
    figures the table left out to fit."""
    if fmt == "json":
        out.write(json.dumps(report.to_dict(), indent=2) + "\n")
    elif fmt == "csv":
        _report_csv(report, out)
    else:
        table, dropped = report_table(report, width=width)
        out.write(table)
        return dropped
    return []


def write_status_counts(
    report: Report, out: TextIO, *, label: Callable[[tuple[Any, ...]], str]
) -> None:
    """Calls per status for each group: the columns are the statuses seen anywhere."""
    seen = [status for status in CallStatus if report.overall.by_status[status]]
    header = ["", *(str(status) for status in seen), "total"]
    rows = [
        [label(key), *(str(summary.by_status[s]) for s in seen), str(summary.calls)]
        for key, summary in report.sorted_groups()
    ]
    rows.append(
        ["(all)", *(str(report.overall.by_status[s]) for s in seen), str(report.overall.calls)]
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for cells in [header, *rows]:
        parts = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        out.write("  ".join(parts).rstrip() + "\n")


# A report on a narrow terminal loses these first (least telling first); the group columns,
# calls, ASR and cost always stay. Then long group values (ids, SIP URIs) are shortened.
_REPORT_DROP_ORDER = ("unknown", "in progress", "attempts", "talk time", "answered", "NER", "ACD")
_MIN_GROUP = 12  # as calls list keeps of an id


def report_table(report: Report, *, width: int | None = None) -> tuple[str, list[str]]:
    """``format_table(report)``, fitted into ``width`` characters when given: the least telling
    figures left out, then long group values shortened in the middle. Returns the table and
    the names of the figures left out."""
    natural = format_table(report)
    if width is None or max(map(len, natural.splitlines())) <= width:
        return natural, []
    groups = list(report.group_by) or ["group"]
    header = [*groups, *FIGURE_NAMES]
    rows = [
        [*(group_label(value) for value in key), *figure_cells(summary)]
        for key, summary in report.sorted_groups()
    ]
    rows.append(["(all)", *([""] * (len(groups) - 1)), *figure_cells(report.overall)])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    kept = list(range(len(header)))
    dropped: list[str] = []

    def total() -> int:
        return sum(widths[i] for i in kept) + 2 * (len(kept) - 1)

    # Group values that may be shortened: not time buckets (a cut date says nothing).
    cuttable = [i for i, name in enumerate(groups) if name not in EVERY]

    def shrinkable() -> int:  # what shortening the group values down to their minimum saves
        return sum(max(0, widths[i] - _MIN_GROUP) for i in cuttable)

    for name in _REPORT_DROP_ORDER:
        if total() - shrinkable() <= width:
            break
        kept.remove(header.index(name))
        dropped.append(name)
    while total() > width:
        widest = max(cuttable, key=lambda i: widths[i], default=None)
        if widest is None or widths[widest] <= _MIN_GROUP:
            break
        widths[widest] = max(_MIN_GROUP, widths[widest] - (total() - width))

    def line(cells: Sequence[str]) -> str:
        parts = [
            shorten(cells[i], widths[i]).ljust(widths[i])
            if i < len(groups)
            else cells[i].rjust(widths[i])
            for i in kept
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * widths[i] for i in kept)
    body = [line(row) for row in rows]
    groups = [*body[:-1], rule] if len(body) > 1 else []  # as format_table: one rule if no rows
    lines = [line(header), rule, *groups, body[-1]]
    return "\n".join(lines) + "\n", sorted(dropped, key=header.index)
