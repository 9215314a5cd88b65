"""Calls travel: pickle, deepcopy, and to_dict/from_dict (JSON lines exports read back)."""

from __future__ import annotations

import copy
import io
import json
import pickle
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings

import telephony
from telephony.report import write_jsonl
from tests.report.strategies import calls


def _same(one: telephony.Call, other: telephony.Call) -> None:
    assert one == other
    assert dict(one.raw) == dict(other.raw)  # raw is not part of ==
    assert one.raw is not other.raw or one is other


@settings(max_examples=100, deadline=None)
@given(call=calls())
def test_a_call_pickles_deep_copies_and_round_trips_through_json(call: telephony.Call) -> None:
    _same(pickle.loads(pickle.dumps(call)), call)
    _same(copy.deepcopy(call), call)
    _same(copy.copy(call), call)
    _same(telephony.Call.from_dict(json.loads(json.dumps(call.to_dict()))), call)


def test_raw_stays_read_only_after_travelling() -> None:
    call = telephony.Call(provider="p", id="1", status=telephony.CallStatus.BUSY, raw={"a": 1})
    for copied in (pickle.loads(pickle.dumps(call)), copy.deepcopy(call)):
        with pytest.raises(TypeError):
            copied.raw["a"] = 2  # type: ignore[index]


def test_a_jsonl_export_reads_back_into_the_same_calls() -> None:
    moment = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
    originals = [
        telephony.Call(
            provider="bandwidth",
            id="c-1",
            status=telephony.CallStatus.COMPLETED,
            direction=telephony.Direction.OUTBOUND_API,
            from_="+15550000001",
            to="+15550100001",
            created_at=moment,
            answered_at=moment + timedelta(seconds=5),
            duration=timedelta(seconds=30, microseconds=5),
            price=Decimal("0.0130"),
            currency="USD",
        ),
        telephony.Call(provider="restcomm", id="c-2", status=telephony.CallStatus.UNKNOWN),
    ]
    out = io.StringIO()
    write_jsonl(originals, out)
    back = [telephony.Call.from_dict(json.loads(line)) for line in out.getvalue().splitlines()]
    assert back == originals
    assert str(back[0].price) == "0.0130"
    assert back[0].created_at == moment


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"direction": "sideways"}, "direction"),
        ({"created_at": "2024-05-01T12:00:00"}, "created_at"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"price": 0.1}, "price"),
        ({"price": "NaN"}, "price"),
        ({"duration": "30"}, "duration"),
        ({"from": 15550000001}, "from_"),
        ({"id": ""}, "id"),
        ({"raw": [1]}, "raw"),
    ],
)
def test_from_dict_names_the_bad_field(change: dict[str, object], field: str) -> None:
    record = telephony.Call(provider="p", id="1", status=telephony.CallStatus.BUSY).to_dict()
    with pytest.raises(telephony.ValidationError) as caught:
        telephony.Call.from_dict({**record, **change})
    assert caught.value.field == field


def test_from_dict_ignores_columns_added_later() -> None:
    record = {"provider": "p", "id": "1", "status": "busy", "a_future_column": 1}
    assert telephony.Call.from_dict(record).status is telephony.CallStatus.BUSY
