"""Reports as HTML: one self-contained page with SVG charts, and tables for Jupyter.

The page must open anywhere, offline, years later: so no CDN, no script, no font to fetch; the
charts are SVG drawn here in Python (a few lines and bars need no plotting library).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from telephony._models import Call
from telephony.report._export import COLUMNS, export_record
from telephony.report._grouping import key_value
from telephony.report._report import Report
from telephony.report._series import TimeSeries
from telephony.report._summary import Summary
from telephony.report._table import FIGURE_NAMES, figure_cells, format_ratio

__all__ = ["calls_table", "render_html", "report_table", "series_table"]

_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")
_WIDTH, _HEIGHT = 520, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 16, 34, 40
_MOST_CATEGORIES = 10
_KEY_CLASS = ' class="k"'
_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1240px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.grid{display:flex;flex-wrap:wrap;gap:12px}
figure.chart{margin:0;border:1px solid #ddd;border-radius:6px;padding:6px;background:#fff}
figcaption{font-weight:600;margin:0 0 2px 4px}
svg text{font:11px system-ui,sans-serif;fill:#333}
table{border-collapse:collapse;margin:6px 0 14px}
td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
td.k,th.k{text-align:left}th{background:#f5f5f5}.muted{color:#666}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _color(index: int) -> str:
    return _COLORS[index % len(_COLORS)]


_RATIO_TICKS = [0.0, 0.25, 0.5, 0.75, 1.0]
_SECOND_STEPS = (15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def _ticks(top: float, kind: str) -> list[float]:
    """Five round tick values from 0 covering ``top``: ratios 0-100%, seconds in round
    minutes, counts and amounts 1, 2, 2.5 or 5 times a power of ten."""
    if kind == "ratio" or top <= 0:
        return _RATIO_TICKS if kind == "ratio" else [0.0, 1.0, 2.0, 3.0, 4.0]
    raw = top / 4
    if kind == "seconds" and raw <= _SECOND_STEPS[-1]:
        step = float(next(s for s in _SECOND_STEPS if s >= raw))
    else:
        magnitude = 10.0 ** math.floor(math.log10(raw))
        step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * index for index in range(5)]


def _legend(names: Sequence[str]) -> str:
    parts, x = [], _LEFT
    for index, name in enumerate(names):
        parts.append(
            f'<rect x="{x}" y="8" width="12" height="12" fill="{_color(index)}"/>'
            f'<text x="{x + 16}" y="18">{_e(name)}</text>'
        )
        x += 28 + 7 * len(name)
    return "".join(parts)


def _anchor(index: int, count: int) -> str:
    """Edge labels grow inwards so they are not cut by the chart's border."""
    if count > 1 and index == 0:
        return "start"
    return "end" if count > 1 and index == count - 1 else "middle"


def _line_chart(
    key: str,
    title: str,
    starts: Sequence[datetime],
    lines: Sequence[tuple[str, Sequence[float | None]]],
    *,
    show: Callable[[float], str],
    kind: str,
    every: str,
) -> str:
    """One line per series over the buckets, with axes, ticks and a legend."""
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    top = max((v for _, values in lines for v in values if v is not None), default=0.0)
    ticks = _ticks(top, kind)
    scale = ticks[-1] or 1.0
    count = len(starts)

    def x_at(index: int) -> float:
        return _LEFT + (plot_w / 2 if count == 1 else plot_w * index / (count - 1))

    def y_at(value: float) -> float:
        return _TOP + plot_h - plot_h * value / scale

    out = [
        f'<line x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{_LEFT + plot_w}" y2="{_TOP + plot_h}" '
        'stroke="#999"/>'
    ]
    for tick in ticks:
        y = y_at(tick)
        out.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_e(show(tick))}</text>'
        )
    shape = "%Y-%m-%d %H:00" if every == "hour" else "%Y-%m-%d"
    labelled = {0, count - 1, *range(0, count, max(1, math.ceil(count / 5)))}
    for index in sorted(i for i in labelled if 0 <= i < count):
        out.append(
            f'<text x="{x_at(index):.1f}" y="{_TOP + plot_h + 16}" '
            f'text-anchor="{_anchor(index, count)}">'
            f"{_e(starts[index].strftime(shape))}</text>"
        )
    for number, (name, values) in enumerate(lines):
        color, segment = _color(number), []
        for index, value in enumerate([*values, None]):
            if value is not None:
                segment.append(f"{x_at(index):.1f},{y_at(value):.1f}")
                if count <= 60:
                    out.append(
                        f'<circle cx="{x_at(index):.1f}" cy="{y_at(value):.1f}" r="2.5" '
                        f'fill="{color}"><title>{_e(name)} '
                        f"{_e(starts[index].strftime(shape))}: {_e(show(value))}</title></circle>"
                    )
            elif segment:
                points = " ".join(segment)
                out.append(
                    f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>'
                )
                segment = []
    out.append(_legend([name for name, _ in lines]))
    return _figure(key, title, _HEIGHT, "".join(out))


def _bar_chart(key: str, title: str, names: Sequence[str], counts: Sequence[dict[str, int]]) -> str:
    """Horizontal bars: one row per category (the most frequent first), one bar per series."""
    totals: dict[str, int] = {}
    for series in counts:
        for category, n in series.items():
            totals[category] = totals.get(category, 0) + n
    categories = sorted(totals, key=lambda c: (-totals[c], c))
    if len(categories) > _MOST_CATEGORIES:
        kept = categories[: _MOST_CATEGORIES - 1]
        counts = [
            {
                **{c: s.get(c, 0) for c in kept},
                "(other)": sum(n for c, n in s.items() if c not in kept),
            }
            for s in counts
        ]
        categories = [*kept, "(other)"]
    label_w, bar_h = 150, 12
    row_h = bar_h * max(1, len(names)) + 8
    height = _TOP + row_h * max(1, len(categories)) + 10
    top = max((n for s in counts for n in s.values()), default=0) or 1
    plot_w = _WIDTH - label_w - 60
    out = []
    if not categories:
        out.append(f'<text x="{label_w}" y="{_TOP + 14}">no calls</text>')
    for row, category in enumerate(categories):
        y0 = _TOP + row * row_h
        out.append(
            f'<text x="{label_w - 6}" y="{y0 + row_h / 2 + 2:.1f}" text-anchor="end">'
            f"{_e(category)}</text>"
        )
        for number, series in enumerate(counts):
            n = series.get(category, 0)
            y, w = y0 + number * bar_h, max(1.0, plot_w * n / top) if n else 0.0
            out.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{_color(number)}">'
                f"<title>{_e(names[number])} {_e(category)}: {n}</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}">{n}</text>'
            )
    out.append(_legend(names))
    return _figure(key, title, height, "".join(out))


def _figure(key: str, title: str, height: float, body: str) -> str:
    return (
        f'<figure class="chart" data-chart="{_e(key)}"><figcaption>{_e(title)}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {_WIDTH} {height:.0f}" role="img" aria-label="{_e(title)}">'
        f"<title>{_e(title)}</title>{body}</svg></figure>"
    )


def _count(value: float) -> str:
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def _seconds(value: float) -> str:
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes}:{seconds:02d}"


def _percent(value: float) -> str:
    whole = round(value * 100, 6).is_integer()
    return f"{value * 100:.0f}%" if whole else format_ratio(value)


def _charts(series: TimeSeries) -> list[str]:
    names, starts, every = series.names, series.starts, series.every
    specs: list[tuple[str, str, Callable[[float], str], str]] = [
        ("attempts", "Attempts", _count, "count"),
        ("answered", "Answered", _count, "count"),
        ("asr", "ASR (answered / attempts)", _percent, "ratio"),
        ("ner", "NER (network effectiveness)", _percent, "ratio"),
        ("acd", "ACD (average talk time, m:ss)", _seconds, "seconds"),
        *((f"cost:{c}", f"Cost ({c})", _count, "count") for c in series.currencies),
    ]
    return [
        _line_chart(
            key,
            f"{title} per {every}",
            starts,
            [(name, series.values(key, name)) for name in names],
            show=show,
            kind=kind,
            every=every,
        )
        for key, title, show, kind in specs
    ]


def _breakdowns(totals: Report) -> list[str]:
    keyed = totals.sorted_groups()
    names = [_label(key[0]) for key, _ in keyed]
    summaries = [summary for _, summary in keyed]

    def counts(field: Callable[[Summary], Any]) -> list[dict[str, int]]:
        return [{str(k): n for k, n in field(s).items()} for s in summaries]

    return [
        _bar_chart("status", "Calls by status", names, counts(lambda s: s.by_status)),
        _bar_chart("direction", "Calls by direction", names, counts(lambda s: s.by_direction)),
        _bar_chart("cause", "Calls by disconnect cause", names, counts(lambda s: s.by_cause)),
    ]


def _label(value: object) -> str:
    shown = key_value(value)
    return "(none)" if shown is None else str(shown)


def _html_table(header: Sequence[str], rows: Iterable[Sequence[str]], *, keys: int) -> str:
    def cells(tag: str, row: Sequence[str]) -> str:
        return "".join(
            f"<{tag}{_KEY_CLASS if i < keys else ''}>{_e(cell)}</{tag}>"
            for i, cell in enumerate(row)
        )

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f"<table><thead><tr>{cells('th', header)}</tr></thead><tbody>{body}</tbody></table>"


def report_table(report: Report) -> str:
    """The ``format_table`` rows as an HTML table (what Jupyter shows for a Report)."""
    group_columns = list(report.group_by) or ["group"]
    rows = [[*map(_label, key), *figure_cells(s)] for key, s in report.sorted_groups()]
    rows.append(["(all)", *[""] * (len(group_columns) - 1), *figure_cells(report.overall)])
    return _html_table([*group_columns, *FIGURE_NAMES], rows, keys=len(group_columns))


def series_table(series: TimeSeries) -> str:
    """One row per (series, bucket) with calls: what Jupyter shows for a TimeSeries."""
    return report_table(series.report)


def calls_table(calls: Iterable[Any]) -> str:
    """Calls as an HTML table of the export columns (other items as their repr)."""
    items = list(calls)
    if items and all(isinstance(item, Call) for item in items):
        rows = [[_label(export_record(c)[name]) for name in COLUMNS] for c in items]
        return _html_table(COLUMNS, rows, keys=len(COLUMNS))
    return _html_table(["item"], [[repr(item)] for item in items], keys=1)


def render_html(series: TimeSeries, *, title: str = "Call report") -> str:
    """One self-contained HTML page: the figures per ``series.every`` for each series as line
    charts, calls by status, direction and disconnect cause as bar charts, then the tables."""
    totals = series.totals
    starts = series.starts
    period = f"{starts[0]:%Y-%m-%d} to {starts[-1]:%Y-%m-%d}" if starts else "no dated calls"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f'<h1>{_e(title)}</h1><p class="muted">{_e(", ".join(series.names) or "no calls")}; '
        f"{_e(period)}; per {_e(series.every)} (UTC); {totals.overall.calls} calls</p>"
        f'<h2>Over time</h2><div class="grid">{"".join(_charts(series))}</div>'
        f'<h2>Breakdowns</h2><div class="grid">{"".join(_breakdowns(totals))}</div>'
        f"<h2>Totals</h2>{report_table(totals)}"
        f"<h2>Per {_e(series.every)}</h2>{series_table(series)}"
        "</body></html>\n"
    )
