"""Figures worked out by hand, call by call, in each test."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest

import telephony
from telephony import CallStatus, Direction
from telephony.report import Report, Summary, amerge, asummarize, summarize
from tests.report.calls import T0, call, minute, seconds

S = CallStatus
IN, API, DIAL = Direction.INBOUND, Direction.OUTBOUND_API, Direction.OUTBOUND_DIAL


def mixed_calls() -> list[telephony.Call]:
    """Two providers; every status case the definitions distinguish."""
    return [
        # bandwidth: 7 calls, 5 attempts (b1-b5), answered b1, b2, b5.
        call("b1", S.COMPLETED, direction=API, disconnect_cause="hangup",
             answered_at=minute(0), duration=seconds(120)),
        # answered, no duration: talk time from answer to end, 30 s.
        call("b2", S.COMPLETED, direction=IN, disconnect_cause="hangup",
             answered_at=minute(1), ended_at=minute(1.5)),
        call("b3", S.BUSY, direction=API, disconnect_cause="busy"),
        call("b4", S.NO_ANSWER, direction=API, disconnect_cause="timeout"),
        # answered then failed: an answer time makes it answered (E.411 counts the answer).
        call("b5", S.FAILED, direction=DIAL, disconnect_cause="application-error",
             answered_at=minute(2), duration=seconds(10)),
        # live and unknown calls are not attempts, even when answered.
        call("b6", S.IN_PROGRESS, direction=IN, answered_at=minute(3)),
        call("b7", S.UNKNOWN, direction=IN, vendor_status="teleported", answered_at=minute(4),
             duration=seconds(99)),
        # restcomm: 6 calls, 4 attempts (r1-r4); no answer times at all, COMPLETED = answered.
        call("r1", S.COMPLETED, provider="restcomm", direction=IN, duration=seconds(45)),
        call("r2", S.COMPLETED, provider="restcomm", direction=API),  # no talk time known
        call("r3", S.REJECTED, provider="restcomm", direction=IN),
        call("r4", S.CANCELED, provider="restcomm", direction=API),
        call("r5", S.QUEUED, provider="restcomm", direction=API),
        call("r6", S.UNKNOWN, provider="restcomm", direction=Direction.UNKNOWN),
    ]  # fmt: skip


def test_empty_input() -> None:
    report = summarize([])
    assert report.groups == {}
    overall = report.overall
    assert (overall.calls, overall.attempts, overall.answered) == (0, 0, 0)
    assert (overall.asr, overall.ner, overall.acd) == (None, None, None)
    assert overall.talk_time == timedelta(0)
    assert (overall.in_progress, overall.unknown) == (0, 0)
    assert overall.by_status == {}
    assert overall.by_direction == {}
    assert overall.by_cause == {}
    assert overall.cost == {}


def test_only_failed_calls() -> None:
    calls = [
        call("f1", S.FAILED, disconnect_cause="error"),
        call("f2", S.FAILED, disconnect_cause="account-limit"),
        call("f3", S.FAILED, disconnect_cause="error"),
        call("c1", S.CANCELED, disconnect_cause="cancel"),
    ]
    overall = summarize(calls).overall
    assert overall.attempts == 4
    assert overall.answered == 0
    assert overall.asr == 0.0  # defined (there are attempts) and zero
    assert overall.ner == 0.0  # failed and canceled are not network-effective
    assert overall.acd is None  # nothing answered
    assert overall.by_status == {S.FAILED: 3, S.CANCELED: 1}
    assert overall.by_cause == {"error": 2, "account-limit": 1, "cancel": 1}


def test_grouped_by_provider() -> None:
    report = summarize(mixed_calls())
    assert report.group_by == ("provider",)
    assert list(report.groups) == [("bandwidth",), ("restcomm",)]

    bandwidth = report.groups[("bandwidth",)]
    assert bandwidth.calls == 7
    assert bandwidth.attempts == 5
    assert bandwidth.answered == 3  # b1, b2, b5
    assert bandwidth.effective == 5  # 3 answered + b3 busy + b4 no answer
    assert bandwidth.asr == pytest.approx(3 / 5)
    assert bandwidth.ner == 1.0
    assert bandwidth.talk_time == seconds(120 + 30 + 10)
    assert bandwidth.acd == seconds(160) / 3
    assert (bandwidth.in_progress, bandwidth.unknown) == (1, 1)
    assert bandwidth.by_status == {
        S.COMPLETED: 2, S.BUSY: 1, S.NO_ANSWER: 1, S.FAILED: 1, S.IN_PROGRESS: 1, S.UNKNOWN: 1,
    }  # fmt: skip
    assert bandwidth.by_direction == {API: 3, IN: 3, DIAL: 1}
    assert bandwidth.by_cause == {"hangup": 2, "busy": 1, "timeout": 1, "application-error": 1}

    restcomm = report.groups[("restcomm",)]
    assert restcomm.calls == 6
    assert restcomm.attempts == 4
    assert restcomm.answered == 2  # r1, r2: COMPLETED without answer times
    assert restcomm.effective == 3  # + r3 rejected; r4 canceled is not effective
    assert restcomm.asr == 0.5
    assert restcomm.ner == 0.75
    # r2 has no known talk time: it is left out of ACD rather than counted as 0 s.
    assert restcomm.talk_time == seconds(45)
    assert restcomm.timed == 1
    assert restcomm.acd == seconds(45)
    assert (restcomm.in_progress, restcomm.unknown) == (1, 1)
    assert restcomm.by_cause == {}

    overall = report.overall
    assert overall.calls == 13
    assert overall.attempts == 9
    assert overall.answered == 5
    assert overall.asr == pytest.approx(5 / 9)
    assert overall.ner == pytest.approx(8 / 9)
    assert overall.talk_time == seconds(205)
    assert overall.acd == seconds(51.25)  # 205 s over 4 timed answered calls
    assert (overall.in_progress, overall.unknown) == (2, 2)
    assert overall.by_direction == {API: 6, IN: 5, DIAL: 1, Direction.UNKNOWN: 1}


def test_grouped_by_direction() -> None:
    report = summarize(mixed_calls(), group_by="direction")
    assert report.group_by == ("direction",)
    assert set(report.groups) == {(API,), (IN,), (DIAL,), (Direction.UNKNOWN,)}
    # Keys compare equal to the plain values too.
    inbound = report.groups[("inbound",)]
    # b2 (answered, 30 s), b6 (live), b7 (unknown), r1 (answered, 45 s), r3 (rejected)
    assert inbound.calls == 5
    assert inbound.attempts == 3
    assert inbound.answered == 2
    assert inbound.ner == 1.0
    assert inbound.acd == seconds(37.5)
    outbound = report.groups[(API,)]
    # b1 (answered 120 s), b3 busy, b4 no answer, r2 (answered, no talk time), r4 canceled,
    # r5 queued
    assert (outbound.calls, outbound.attempts, outbound.answered) == (6, 5, 2)
    assert outbound.asr == 0.4
    assert outbound.ner == 0.8
    assert outbound.acd == seconds(120)
    assert outbound.in_progress == 1
    unknown = report.groups[(Direction.UNKNOWN,)]
    assert (unknown.calls, unknown.attempts, unknown.unknown) == (1, 0, 1)
    assert unknown.asr is None


def test_grouped_by_two_fields_and_a_function() -> None:
    def answered_by_machine(c: telephony.Call) -> bool:
        return c.answered_by == "machine"

    calls = [
        call("1", S.COMPLETED, answered_by="machine", duration=seconds(5)),
        call("2", S.COMPLETED, answered_by="human", duration=seconds(50)),
        call("3", S.BUSY, provider="restcomm"),
    ]
    report = summarize(calls, group_by=("provider", "status", answered_by_machine))
    assert report.group_by == ("provider", "status", "answered_by_machine")
    assert set(report.groups) == {
        ("bandwidth", S.COMPLETED, True),
        ("bandwidth", S.COMPLETED, False),
        ("restcomm", S.BUSY, False),
    }
    assert report.groups[("bandwidth", "completed", True)].acd == seconds(5)


def test_grouped_by_utc_day() -> None:
    minus_five = timezone(timedelta(hours=-5))
    calls = [
        call("a", S.COMPLETED, created_at=datetime(2024, 5, 1, 23, 30, tzinfo=UTC)),
        # 21:00 on 1 May at -05:00 is 02:00 UTC on 2 May.
        call("b", S.BUSY, created_at=datetime(2024, 5, 1, 21, 0, tzinfo=minus_five)),
        call("c", S.FAILED),  # no creation time
    ]
    report = summarize(calls, group_by="day")
    assert report.groups[(date(2024, 5, 1),)].attempts == 1
    assert report.groups[(date(2024, 5, 2),)].by_status == {S.BUSY: 1}
    assert report.groups[(None,)].by_status == {S.FAILED: 1}


def test_no_grouping_gives_only_overall() -> None:
    report = summarize(mixed_calls(), group_by=())
    assert report.group_by == ()
    assert report.groups == {}
    assert report.overall == summarize(mixed_calls()).overall


@pytest.mark.parametrize("bad", ["raw", "nope", 42, ("provider", "provider")])
def test_bad_grouping_is_a_validation_error(bad: object) -> None:
    with pytest.raises(telephony.ValidationError) as caught:
        summarize([], group_by=bad)  # type: ignore[arg-type]
    assert caught.value.field == "group_by"


def test_mixed_currencies_sum_exactly_per_currency() -> None:
    calls = [
        call("1", S.COMPLETED, price=Decimal("0.10"), currency="USD"),
        call("2", S.COMPLETED, price=Decimal("0.20"), currency="USD"),
        call("3", S.COMPLETED, provider="restcomm", price=Decimal("-0.0075"), currency="USD"),
        call("4", S.COMPLETED, price=Decimal("1.005"), currency="EUR"),
        call("5", S.BUSY, price=Decimal("0.5")),  # a price without a currency
        call("6", S.BUSY),  # no price: adds nothing
    ]
    report = summarize(calls)
    overall = report.overall
    # 0.10 + 0.20 is exactly 0.30 (as a float sum it would be 0.30000000000000004).
    assert overall.cost == {
        "USD": Decimal("0.2925"),
        "EUR": Decimal("1.005"),
        None: Decimal("0.5"),
    }
    assert all(type(amount) is Decimal for amount in overall.cost.values())
    assert report.groups[("bandwidth",)].cost["USD"] == Decimal("0.30")
    assert report.groups[("restcomm",)].cost == {"USD": Decimal("-0.0075")}


def test_a_float_price_is_refused() -> None:
    with pytest.raises(telephony.ValidationError) as caught:
        summarize([call("f", S.COMPLETED, price=0.1, currency="USD")])
    assert caught.value.field == "price"


def test_calls_without_an_answer_time() -> None:
    calls = [
        # COMPLETED with no answer time: answered (the vendor gives none), talk time known.
        call("1", S.COMPLETED, duration=seconds(60)),
        # COMPLETED with neither answer time nor duration: answered, talk time unknown.
        call("2", S.COMPLETED),
        # Not answered, no answer time: not answered whatever its duration field.
        call("3", S.NO_ANSWER),
    ]
    overall = summarize(calls).overall
    assert (overall.attempts, overall.answered, overall.timed) == (3, 2, 1)
    assert overall.asr == pytest.approx(2 / 3)
    assert overall.ner == 1.0
    assert overall.acd == seconds(60)
    only_unknown_talk = summarize([call("2", S.COMPLETED)]).overall
    assert only_unknown_talk.answered == 1
    assert only_unknown_talk.acd is None


def test_unknown_statuses_are_not_attempts() -> None:
    calls = [
        call("u1", S.UNKNOWN, vendor_status="warp", answered_at=T0, duration=seconds(9)),
        call("u2", S.UNKNOWN, vendor_status="limbo"),
        call("q", S.RINGING),
    ]
    overall = summarize(calls).overall
    assert (overall.calls, overall.attempts, overall.unknown, overall.in_progress) == (3, 0, 2, 1)
    assert overall.answered == 0
    assert overall.talk_time == timedelta(0)
    assert (overall.asr, overall.ner, overall.acd) == (None, None, None)


def test_accumulator_matches_one_pass_and_merges() -> None:
    calls = mixed_calls()
    whole = summarize(calls, group_by="direction")

    one_by_one = Report(group_by="direction")
    for c in calls:
        one_by_one.add(c)
    assert one_by_one == whole

    first, second = summarize(calls[:5], group_by="direction"), Report(group_by="direction")
    second.update(calls[5:])
    before = first.to_dict()
    merged = first.merge(second)
    assert merged == whole
    assert merged.overall == whole.overall
    assert first.to_dict() == before  # merge makes a new report

    a, b = Summary(), Summary()
    a.update(calls[:7])
    b.update(calls[7:])
    assert a.merge(b) == whole.overall
    assert a.merge(b).cost == {}
    assert a.merge(Summary()) == a


def test_groups_are_live_and_read_only() -> None:
    report = Report()
    report.add(call("1", S.BUSY))
    groups = report.groups
    report.add(call("2", S.BUSY, provider="restcomm"))
    assert len(groups) == 2
    with pytest.raises(TypeError):
        groups[("x",)] = Summary()  # type: ignore[index]


def test_merge_refuses_other_grouping() -> None:
    with pytest.raises(telephony.ValidationError):
        Report(group_by="provider").merge(Report(group_by="direction"))


def test_to_dict_is_json() -> None:
    calls = [*mixed_calls(), call("p", S.BUSY, price=Decimal("0.01"), currency="USD"),
             call("q", S.BUSY, provider="restcomm", price=Decimal("2"))]  # fmt: skip
    data = json.loads(json.dumps(summarize(calls, group_by=("provider", "day")).to_dict()))
    assert data["group_by"] == ["provider", "day"]
    assert [group["key"] for group in data["groups"]] == [
        {"provider": "bandwidth", "day": None},
        {"provider": "restcomm", "day": None},
    ]
    overall = data["overall"]
    assert overall["attempts"] == 11
    assert overall["answered"] == 5
    assert overall["asr"] == pytest.approx(5 / 11)
    assert overall["acd_seconds"] == 51.25
    assert overall["talk_time_seconds"] == 205
    assert overall["by_status"]["completed"] == 4
    assert overall["by_direction"] == {
        "inbound": 5,
        "outbound-api": 8,
        "outbound-dial": 1,
        "unknown": 1,
    }
    assert overall["cost"] == {"USD": "0.01", "unknown": "2"}
    empty = summarize([]).to_dict()
    assert empty["overall"]["asr"] is None
    assert empty["overall"]["acd_seconds"] is None
    assert empty["groups"] == []


def test_summarize_streams_a_generator_once() -> None:
    consumed: list[str] = []

    def stream():  # type: ignore[no-untyped-def]
        for c in mixed_calls():
            consumed.append(c.id)
            yield c

    assert summarize(stream()).overall.calls == 13
    assert len(consumed) == 13


@pytest.mark.anyio
async def test_asummarize_over_amerge() -> None:
    calls = mixed_calls()

    async def provider(name: str) -> AsyncIterator[telephony.Call]:
        for n, c in enumerate(x for x in calls if x.provider == name):
            yield attrs.evolve(c, created_at=minute(n))

    report = await asummarize(amerge(provider("bandwidth"), provider("restcomm")))
    assert report == summarize(calls)
