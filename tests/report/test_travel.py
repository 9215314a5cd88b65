"""Reports travel: pickled, deep-copied, to_dict/from_dict, and partial reports of disjoint
calls add up to the report of all of them, across processes too."""

from __future__ import annotations

import copy
import functools
import json
import multiprocessing
import pickle
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import telephony
from telephony.report import Report, call_day, summarize
from tests.report.calls import call, minute, seconds
from tests.report.strategies import call_lists

S = telephony.CallStatus
GROUPINGS: Sequence[tuple[str, ...]] = (
    (),
    ("provider",),
    ("provider", "day"),
    ("status", "direction", "currency"),
    ("account_id", "disconnect_cause", "created_at", "duration", "price"),
)


@settings(max_examples=60, deadline=None)
@given(calls=call_lists, cut=st.integers(0, 40), group_by=st.sampled_from(GROUPINGS))
def test_reports_of_disjoint_calls_add_up_to_the_report_of_all(
    calls: list[telephony.Call], cut: int, group_by: tuple[str, ...]
) -> None:
    whole = summarize(calls, group_by=group_by)
    parts = summarize(calls[:cut], group_by=group_by) + summarize(calls[cut:], group_by=group_by)
    assert parts == whole
    assert parts.to_dict() == whole.to_dict()


@settings(max_examples=60, deadline=None)
@given(calls=call_lists, group_by=st.sampled_from(GROUPINGS))
def test_a_report_survives_json_pickle_and_deepcopy(
    calls: list[telephony.Call], group_by: tuple[str, ...]
) -> None:
    report = summarize(calls, group_by=group_by)
    again = Report.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again == report
    assert again.overall.acd == report.overall.acd
    assert pickle.loads(pickle.dumps(report)) == report
    assert copy.deepcopy(report) == report
    # A report read back still counts: it is an accumulator like any other.
    extra = call("extra", S.COMPLETED, created_at=minute(1), duration=seconds(5))
    again.add(extra)
    assert again == summarize([*calls, extra], group_by=group_by)


def test_a_report_grouped_by_a_function_pickles_by_reference() -> None:
    calls = [call("a", S.COMPLETED, created_at=minute(0)), call("b", S.BUSY)]
    report = summarize(calls, group_by=("provider", call_day))
    copied = pickle.loads(pickle.dumps(report))
    assert copied == report
    copied.add(call("c", S.BUSY, created_at=minute(1)))  # the key function came back
    assert copied.overall.calls == 3
    data = json.loads(json.dumps(report.to_dict()))
    with pytest.raises(telephony.ValidationError) as caught:
        Report.from_dict(data)  # which function made these keys is not in the dict
    assert caught.value.field == "group_by"
    back = Report.from_dict(data, group_by=("provider", call_day))
    assert back.overall == report.overall
    assert back.group_by == ("provider", "call_day")


def test_from_dict_names_the_bad_field() -> None:
    data = summarize([call("a", S.COMPLETED, price=Decimal(1))]).to_dict()
    data["overall"]["by_status"] = {"answered-ish": 1}
    data["groups"][0]["cost"] = {"USD": "a lot"}
    with pytest.raises(telephony.ValidationError) as caught:
        Report.from_dict(data)
    assert caught.value.field == "cost"
    with pytest.raises(telephony.ValidationError):
        Report.from_dict({"group_by": "provider"})
    assert Report(group_by="provider").__add__(1) is NotImplemented


def _chunks(calls: list[telephony.Call], size: int) -> list[list[telephony.Call]]:
    return [calls[start : start + size] for start in range(0, len(calls), size)]


def test_a_report_split_across_a_process_pool_equals_the_whole(
    seeded_calls: list[telephony.Call],
) -> None:
    group_by = ("provider", "day", "direction")
    whole = summarize(seeded_calls, group_by=group_by)
    # spawn: each worker is a fresh interpreter, so calls and reports really cross a process
    # boundary as pickles.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        parts = list(
            pool.map(functools.partial(summarize, group_by=group_by), _chunks(seeded_calls, 150))
        )
    assert len(parts) > 2
    combined = sum(parts[1:], parts[0])
    assert combined == whole
    assert combined.overall.attempts > 0
    assert combined.to_dict() == whole.to_dict()


@pytest.fixture(scope="module")
def seeded_calls() -> list[telephony.Call]:
    """Real calls as the adapters read them from the sandbox, both vendors."""
    from telephony.sandbox import Sandbox

    with Sandbox(seed_calls=400, seed=12) as sandbox:
        calls: list[telephony.Call] = []
        for name in ("bandwidth", "restcomm"):
            with telephony.connect(name, **sandbox.settings(name)) as client:
                calls.extend(client.list_calls())
    return calls
