# ruff: noqa: E501  (the expected table is wider than a code line)
from __future__ import annotations

from decimal import Decimal

from telephony import CallStatus
from telephony.report import format_table, summarize
from tests.report.calls import call, seconds

S = CallStatus


def test_table_by_provider() -> None:
    calls = [
        call("b1", S.COMPLETED, duration=seconds(3725), price=Decimal("0.10"), currency="USD"),
        call("b2", S.BUSY),
        call("r1", S.COMPLETED, provider="restcomm", duration=seconds(30)),
        call("r2", S.RINGING, provider="restcomm", price=Decimal("1.5"), currency="EUR"),
        call("r3", S.UNKNOWN, provider="restcomm"),
    ]
    # bandwidth: 2 attempts, 1 answered (ASR 50%), NER 100% (busy counts), ACD 1:02:05.
    # restcomm: 1 attempt answered, ACD 30 s. Overall ACD (3725 + 30) / 2 = 1877.5 s -> 0:31:18.
    expected = [
        "provider   calls  attempts  answered     ASR     NER      ACD  talk time  in progress  unknown              cost",
        "---------  -----  --------  --------  ------  ------  -------  ---------  -----------  -------  ----------------",
        "bandwidth      2         2         1   50.0%  100.0%  1:02:05    1:02:05            0        0          0.10 USD",
        "restcomm       3         1         1  100.0%  100.0%  0:00:30    0:00:30            1        1           1.5 EUR",
        "---------  -----  --------  --------  ------  ------  -------  ---------  -----------  -------  ----------------",
        "(all)          5         3         2   66.7%  100.0%  0:31:18    1:02:35            1        1  1.5 EUR 0.10 USD",
    ]  # fmt: skip
    assert format_table(summarize(calls)) == "\n".join(expected) + "\n"


def test_table_of_nothing() -> None:
    table = format_table(summarize([], group_by=()))
    lines = table.splitlines()
    assert lines[0].split() == [
        "group", "calls", "attempts", "answered", "ASR", "NER", "ACD", "talk", "time", "in",
        "progress", "unknown", "cost",
    ]  # fmt: skip
    assert lines[-1].split() == ["(all)", "0", "0", "0", "-", "-", "-", "0:00:00", "0", "0", "-"]
    assert len(lines) == 3  # header, one rule, the overall row: no empty group section
