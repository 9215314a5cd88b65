"""Seeded history: deterministic from the seed, computed on demand (a million calls start at
once and a deep page is quick), nothing stored."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest

from tests.sandbox.helpers import (
    START,
    MakeSandbox,
    bandwidth_client,
    restcomm_client,
    restcomm_page,
    text,
)


def listings(make_sandbox: MakeSandbox, **options: object) -> tuple[bytes, bytes]:
    sandbox = make_sandbox(seed_calls=300, **options)
    with bandwidth_client(sandbox) as bandwidth, restcomm_client(sandbox) as restcomm:
        return (
            bandwidth.get("/calls", params={"pageSize": 300}).content,
            restcomm.get("/Calls", params={"PageSize": 300}).content,
        )


def test_the_same_seed_gives_the_same_history(make_sandbox: MakeSandbox) -> None:
    first = listings(make_sandbox, seed=7)
    assert listings(make_sandbox, seed=7) == first
    other = listings(make_sandbox, seed=8)
    assert other[0] != first[0]
    assert other[1] != first[1]


def test_ids_and_outcomes_do_not_depend_on_the_start(make_sandbox: MakeSandbox) -> None:
    early = make_sandbox(seed_calls=50, seed=3)
    late = make_sandbox(seed_calls=50, seed=3, start=START + timedelta(days=30))
    with bandwidth_client(early) as one, bandwidth_client(late) as two:
        a, b = one.get("/calls").json(), two.get("/calls").json()
    assert [c["callId"] for c in a] == [c["callId"] for c in b]
    assert [c["disconnectCause"] for c in a] == [c["disconnectCause"] for c in b]
    assert a[0]["startTime"] != b[0]["startTime"]
    # The history ends before the sandbox starts: every seeded call is over.
    assert max(c["endTime"] for c in a) < START.isoformat().replace("+00:00", "Z")


def test_a_million_calls_start_at_once_and_deep_pages_are_quick(
    make_sandbox: MakeSandbox,
) -> None:
    began = time.perf_counter()
    sandbox = make_sandbox(seed_calls=1_000_000)
    assert time.perf_counter() - began < 0.5
    with restcomm_client(sandbox) as restcomm, bandwidth_client(sandbox) as bandwidth:
        began = time.perf_counter()
        attributes, calls = restcomm_page(
            restcomm.get("/Calls", params={"Page": 19_999, "PageSize": 50})
        )
        assert attributes["numpages"] == "20000"
        assert len(calls) == 50
        last_sid = text(calls[-1], "Sid")
        assert restcomm.get(f"/Calls/{last_sid}").status_code == 200
        assert time.perf_counter() - began < 2.0
        began = time.perf_counter()
        recent = bandwidth.get("/calls", params={"minStartTime": "2026-03-02T11:00:00Z"})
        assert recent.status_code == 200
        records = recent.json()
        assert 0 < len(records) <= 1000
        assert all(record["startTime"] >= "2026-03-02T11:00:00" for record in records)
        assert bandwidth.get(f"/calls/{records[-1]['callId']}").status_code == 200
        assert time.perf_counter() - began < 2.0
    # Nothing was stored for the seeded calls.
    assert sandbox.side("bandwidth").ledger.live() == []
    assert sandbox.side("restcomm").ledger.live() == []


def test_created_calls_follow_the_seeded_ones(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=30)
    with restcomm_client(sandbox) as restcomm:
        form = {"From": "+13055550000", "To": "+15550100001", "Url": "https://app.example/a"}
        created = [restcomm.post("/Calls", data=form) for _ in range(3)]
        assert all(response.status_code == 200 for response in created)
        _, calls = restcomm_page(
            restcomm.get("/Calls", params={"PageSize": 10, "Page": 3, "SortBy": "DateCreated:asc"})
        )
        assert len(calls) == 3
        assert all(text(call, "Direction") == "outbound-api" for call in calls)


def test_unknown_ids_that_look_right_are_not_found(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=10)
    with bandwidth_client(sandbox) as bandwidth:
        real = bandwidth.get("/calls").json()[0]["callId"]
        tampered = real[:-1] + ("0" if real[-1] != "0" else "1")
        assert bandwidth.get(f"/calls/{tampered}").status_code == 404
        other = make_sandbox(seed_calls=10, seed=99)
        with httpx.Client(timeout=10) as plain:
            settings = other.settings("bandwidth")
            url = f"{settings['base_url']}/accounts/{settings['account_id']}/calls/{real}"
            answer = plain.get(url, auth=(settings["username"], settings["password"]))
            assert answer.status_code == 404  # another seed's id


def test_the_quick_look_at_a_seeded_call_agrees_with_the_call(make_sandbox: MakeSandbox) -> None:
    # Filters first look at a cheap summary of each seeded call; it must never disagree.
    sandbox = make_sandbox(seed_calls=4000, seed=11)
    for api in sandbox.sides.values():
        history = api.ledger.history
        assert history is not None
        for i in range(history.count):
            record = history.record(i)
            summary = (record.direction, record.from_, record.to, record.outcome, record.cause)
            assert history.brief(i) == summary


@pytest.mark.parametrize("count", [12, 400, 12_000])  # calls hours apart ... seconds apart
def test_legs_start_while_their_parent_talks(make_sandbox: MakeSandbox, count: int) -> None:
    sandbox = make_sandbox(seed_calls=count)
    for api in sandbox.sides.values():
        history = api.ledger.history
        assert history is not None
        records = [history.record(i) for i in range(count)]
        assert [r.created for r in records] == sorted(r.created for r in records)
        assert [r.start for r in records] == [history.start_of(i) for i in range(count)]
        by_id = {record.id: record for record in records}
        for leg in (record for record in records if record.parent_id):
            parent = by_id[leg.parent_id]
            assert parent.answer is not None
            assert leg.start is not None
            assert parent.answer < leg.start < parent.end
        talk = [record.end - record.answer for record in records if record.answer is not None]
        assert max(talk) < 3600  # nobody is held on the line for hours
