"""``timeseries``: the figures per provider and per hour/day/week equal a report over each bucket's
calls, with empty buckets present so charts show gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from telephony import CallStatus, Page, ValidationError
from telephony.report import Report, summarize, timeseries

from .calls import T0, call, seconds

DAY = timedelta(days=1)


def _calls() -> list:  # type: ignore[type-arg]
    return [
        call("a", CallStatus.COMPLETED, created_at=T0, answered_at=T0, duration=seconds(60)),
        call("b", CallStatus.BUSY, created_at=T0 + timedelta(hours=1)),
        # no call on T0 + 1 day: a gap
        call(
            "c",
            CallStatus.COMPLETED,
            provider="restcomm",
            created_at=T0 + 2 * DAY,
            duration=seconds(30),
            price=Decimal("-0.25"),
            currency="USD",
        ),
        call("d", CallStatus.FAILED, provider="restcomm", created_at=T0 + 9 * DAY),
    ]


def test_days_are_filled_from_first_to_last_and_match_per_bucket_reports() -> None:
    series = timeseries(_calls(), every="day")
    assert series.names == ["bandwidth", "restcomm"]
    assert series.starts[0] == datetime(2024, 5, 1, tzinfo=UTC)
    assert len(series.starts) == 10  # May 1 .. May 10, the empty days included
    assert series.values("attempts", "bandwidth")[:3] == [2.0, 0.0, 0.0]
    assert series.values("asr", "bandwidth")[:2] == [0.5, None]  # no attempts: undefined
    assert series.values("acd", "restcomm")[2] == 30.0
    assert series.values("cost:USD", "restcomm")[2] == -0.25
    assert series.values("cost:USD", "bandwidth")[0] is None  # no price: no point
    one_day = summarize(_calls()[:2], group_by=())
    assert series.summary("bandwidth", series.starts[0]) == one_day.overall
    assert series.totals == summarize(_calls(), group_by="provider")


def test_hours_and_weeks() -> None:
    hours = timeseries(_calls()[:2], every="hour")
    assert [s.hour for s in hours.starts] == [12, 13]
    weeks = timeseries(_calls(), every="week")
    # 2024-05-01 is a Wednesday: its week starts on Monday 2024-04-29.
    assert [s.date() for s in weeks.starts] == [date(2024, 4, 29), date(2024, 5, 6)]
    assert weeks.values("attempts", "restcomm") == [1.0, 1.0]


def test_rows_are_plain_data_for_notebooks() -> None:
    rows = timeseries(_calls(), every="day").rows()
    assert len(rows) == 20  # 2 providers x 10 days
    first = rows[0]
    assert first == {
        "provider": "bandwidth",
        "start": "2024-05-01T00:00:00+00:00",
        "attempts": 2,
        "answered": 1,
        "asr": 0.5,
        "ner": 1.0,
        "acd": 60.0,
        "cost": {},
    }
    assert rows[12]["cost"] == {"USD": "-0.25"}


def test_bad_bucket_and_figure_are_named() -> None:
    with pytest.raises(ValidationError) as caught:
        timeseries([], every="month")  # type: ignore[arg-type]
    assert caught.value.field == "every"
    with pytest.raises(ValidationError) as figure:
        timeseries(_calls()).values("asrr", "bandwidth")
    assert figure.value.field == "figure"


def test_named_groupings_hour_and_week_travel_through_json() -> None:
    report = summarize(_calls(), group_by=("provider", "week"))
    assert Report.from_dict(report.to_dict()) == report
    hourly = summarize(_calls(), group_by=("hour",))
    assert Report.from_dict(hourly.to_dict()) == hourly


def test_reports_and_series_show_as_html_tables_in_jupyter() -> None:
    report = summarize(_calls())
    shown = report._repr_html_()
    assert shown.startswith("<table>")
    assert '<td class="k">restcomm</td>' in shown
    assert "50.0%" in shown  # bandwidth ASR
    assert '<th class="k">day</th>' in timeseries(_calls())._repr_html_()


def test_a_page_of_calls_shows_as_a_table_of_the_export_columns() -> None:
    page = Page(items=_calls()[:1])
    shown = page._repr_html_()
    assert '<th class="k">from</th>' in shown
    assert '<td class="k">a</td>' in shown
    assert "2024-05-01T12:00:00Z" in shown
