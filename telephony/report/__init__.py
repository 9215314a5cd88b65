"""Reporting over calls from any number of providers, as one data set.

``merge`` / ``amerge`` join call streams in creation order; ``summarize`` / ``asummarize`` give a
``Report`` (``overall`` and per-group ``Summary``: attempts, answered, ASR, NER, ACD, talk time,
counts, cost) in one streaming pass; ``write_csv`` / ``write_jsonl`` export normalized calls;
``format_table`` renders a report for a terminal; ``timeseries`` gives the figures per provider
per hour, day or week, and ``render_html`` one self-contained page of charts over them.
Definitions and sources: README.md here.
"""

from __future__ import annotations

from telephony.report._export import COLUMNS, export_record, iso_utc, write_csv, write_jsonl
from telephony.report._grouping import GroupBy, call_day, call_hour, call_week
from telephony.report._html import render_html
from telephony.report._merge import UnorderedStreamError, amerge, creation_order, merge
from telephony.report._report import Report, asummarize, summarize
from telephony.report._series import EVERY, FIGURES, Every, TimeSeries, atimeseries, timeseries
from telephony.report._summary import Summary
from telephony.report._table import format_table

__all__ = [
    "COLUMNS",
    "EVERY",
    "FIGURES",
    "Every",
    "GroupBy",
    "Report",
    "Summary",
    "TimeSeries",
    "UnorderedStreamError",
    "amerge",
    "asummarize",
    "atimeseries",
    "call_day",
    "call_hour",
    "call_week",
    "creation_order",
    "export_record",
    "format_table",
    "iso_utc",
    "merge",
    "render_html",
    "summarize",
    "timeseries",
    "write_csv",
    "write_jsonl",
]
