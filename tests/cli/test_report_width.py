"""``telephony report`` on a terminal: the table fits its width (``COLUMNS``), keeps the
telling figures with the same values as ``--wide``, and says what it left out."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from telephony.cli._output import shorten

# What every fitted table keeps, however narrow (60 columns and up).
ALWAYS = ("calls", "ASR", "cost")


class Terminal(io.StringIO):
    """A captured stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def table(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a report table, cut at the columns its rule marks."""
    lines = text.splitlines()
    spans = [found.span() for found in re.finditer(r"-+", lines[1])]
    rows = [line for line in lines if not set(line) <= {"-", " "}]
    cells = [[line[start:end].strip() for start, end in spans] for line in rows]
    return cells[0], cells[1:]


def shown(
    run: Any, monkeypatch: pytest.MonkeyPatch, argv: list[str], columns: int
) -> tuple[str, str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr("sys.stdout", screen := Terminal())
    result = run(*argv)
    assert result.code == 0, result
    return screen.getvalue(), result.err


GROUPINGS = [
    [],
    ["--group-by", "status"],
    ["--group-by", "direction"],
    ["--group-by", "disconnect_cause"],
    ["--group-by", "from"],
    ["--every", "day"],
    ["--every", "hour"],
    ["--group-by", "provider,id"],  # long ids: shortened in the middle
]


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize("grouping", GROUPINGS, ids=lambda g: " ".join(g) or "provider")
def test_the_table_fits_the_terminal_with_the_same_figures(
    run: Any,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    grouping: list[str],
    columns: int,
) -> None:
    argv = ["report", "-p", "bandwidth,restcomm", *grouping]
    wide_text, wide_err = shown(run, monkeypatch, [*argv, "--wide"], columns)
    fitted_text, note = shown(run, monkeypatch, argv, columns)
    assert wide_err == ""
    assert all(len(line) <= columns for line in fitted_text.splitlines()), fitted_text

    wide_header, wide_rows = table(wide_text)
    header, rows = table(fitted_text)
    assert set(ALWAYS) <= set(header)
    groups = len(wide_header) - 10  # the figure columns follow the grouping columns
    left_out = [name for name in wide_header[groups:] if name not in header]
    if max(len(line) for line in wide_text.splitlines()) <= columns:
        assert fitted_text == wide_text  # nothing to fit: the library's own table
        assert note == ""
    else:
        assert note == (
            f"left out to fit {columns} columns: {', '.join(left_out)} (--wide shows them)\n"
            if left_out
            else ""
        )
    if columns >= 80:  # the hour's 16 characters cost the answered count
        assert {"NER", "ACD"} | ({"answered"} if "hour" not in grouping else set()) <= set(header)
    assert len(rows) == len(wide_rows)
    for row, wide_row in zip(rows, wide_rows, strict=True):
        full = dict(zip(wide_header, wide_row, strict=True))
        cells = dict(zip(header, row, strict=True))
        for name in header[groups:]:  # every figure kept is the same text
            assert cells[name] == full[name]
        for position in range(groups):  # a group value (and name) whole or cut in the middle
            assert header[position] == shorten(wide_header[position], len(header[position]))
            cut = shorten(full[wide_header[position]], len(row[position]))
            assert row[position] == cut


def test_hours_show_as_date_and_hour_whole(
    run: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text, _ = shown(run, monkeypatch, ["report", "-p", "restcomm", "--every", "hour"], 60)
    header, rows = table(text)
    assert header[:2] == ["provider", "hour"]
    hours = [row[1] for row in rows[:-1]]
    assert hours
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:00", hour) for hour in hours), hours
