"""Link-header paging: lazy, resumable from a stored cursor, refined filters, same origin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

import telephony
from telephony import CallStatus
from tests.bandwidth.fake_server import FakeBandwidth, record
from tests.support import Both


def test_lists_every_page_in_order(api: Both, server: FakeBandwidth) -> None:
    calls = api.list_calls(page_size=2)
    assert [c.id for c in calls] == [f"c-{i:04d}" for i in range(7)]
    assert len(server.requests) == 4  # 2+2+2+1
    assert server.requests[0].url.params["pageSize"] == "2"
    assert server.requests[1].url.params["pageToken"] == "2"


def test_second_page_is_fetched_only_when_reached(api: Both, server: FakeBandwidth) -> None:
    first_two = api.take(2, page_size=2)
    assert [c.id for c in first_two] == ["c-0000", "c-0001"]
    assert len(server.requests) == 1
    api.take(3, page_size=2)
    assert len(server.requests) == 3  # a new listing: page 1, then page 2 for the third call


def test_limit_stops_fetching(api: Both, server: FakeBandwidth) -> None:
    assert len(api.list_calls(page_size=2, limit=3)) == 3
    assert len(server.requests) == 2
    assert api.list_calls(limit=0) == []


def test_cursor_resumes_in_a_new_client(api: Both, make_api: Any, server: FakeBandwidth) -> None:
    page = api.get_page(page_size=3)
    assert [c.id for c in page.items] == ["c-0000", "c-0001", "c-0002"]
    assert isinstance(page.next_cursor, str)
    other = make_api(server)  # e.g. after a crash, in another process
    rest = other.get_page(page.next_cursor)
    assert [c.id for c in rest.items] == ["c-0003", "c-0004", "c-0005"]
    last = other.get_page(rest.next_cursor)
    assert [c.id for c in last.items] == ["c-0006"]
    assert last.next_cursor is None


def test_cursor_takes_no_other_filters(api: Both) -> None:
    page = api.get_page(page_size=3)
    with pytest.raises(telephony.ValidationError, match="cursor"):
        api.get_page(page.next_cursor, to="+15550000000")


@pytest.mark.parametrize("cursor", ["garbage", "eyJ2IjoxLCJwIjoicmVzdGNvbW0ifQ", ""])
def test_bad_cursors(api: Both, server: FakeBandwidth, cursor: str) -> None:
    with pytest.raises(telephony.ValidationError):
        api.get_page(cursor)
    assert server.requests == []


def test_filters_are_sent_and_refined(make_api: Any) -> None:
    records = [
        record(0, to="+15550000001", disconnectCause="busy", answerTime=None),
        record(1, to="+15550000001"),
        record(2, to="+15550000001", state="answered", endTime=None, disconnectCause=None),
        record(3, to="+15550000001", startTime="2022-06-16T14:00:00Z"),
    ]
    server = FakeBandwidth(records)
    api = make_api(server)
    calls = api.list_calls(
        to="+15550000001",
        status=[CallStatus.COMPLETED],
        started_before=datetime(2022, 6, 16, 13, 59, tzinfo=UTC),
    )
    assert [c.id for c in calls] == ["c-0001"]
    params = server.requests[-1].url.params
    assert params["to"] == "+15550000001"
    assert params["maxStartTime"] == "2022-06-16T13:59:00.000Z"
    assert "disconnectCause" not in params  # COMPLETED is not one cause on Bandwidth
    busy = api.list_calls(status="busy")
    assert [c.id for c in busy] == ["c-0000"]
    assert server.requests[-1].url.params["disconnectCause"] == "busy"


def test_filters_survive_in_the_cursor(make_api: Any) -> None:
    records = [
        record(
            i,
            disconnectCause="hangup" if i % 2 else "busy",
            answerTime=None if i % 2 == 0 else "2022-06-16T13:00:18.126Z",
        )
        for i in range(6)
    ]
    api = make_api(FakeBandwidth(records))
    page = api.get_page(page_size=2, status=CallStatus.COMPLETED)
    assert [c.id for c in page.items] == ["c-0001"]
    page = api.get_page(page.next_cursor)
    assert [c.id for c in page.items] == ["c-0003"]


def test_link_to_another_origin_is_refused(make_api: Any) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        link = '<https://evil.example/api/v2/accounts/9900000/calls?pageToken=2>; rel="next"'
        return httpx.Response(200, json=[record(1)], headers={"Link": link})

    api = make_api(handler)
    with pytest.raises(telephony.UnsafeRedirectError, match=r"evil\.example"):
        api.list_calls()
    assert [r.url.host for r in sent] == ["voice.bandwidth.com"]


def test_relative_link_is_resolved(make_api: Any) -> None:
    pages = {
        None: ([record(1)], '</api/v2/accounts/9900000/calls?pageToken=b>; rel="next"'),
        "b": ([record(2)], None),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        rows, link = pages[request.url.params.get("pageToken")]
        return httpx.Response(200, json=rows, headers={"Link": link} if link else {})

    assert [c.id for c in make_api(handler).list_calls()] == ["c-0001", "c-0002"]


def test_older_cursor_parameter_links_are_followed(make_api: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "cursor" in request.url.params:
            return httpx.Response(200, json=[record(2)])
        link = '<https://voice.bandwidth.com/api/v2/accounts/9900000/calls?cursor=xyz>; rel="next"'
        return httpx.Response(200, json=[record(1)], headers={"Link": link})

    assert [c.id for c in make_api(handler).list_calls()] == ["c-0001", "c-0002"]


def test_empty_page_with_a_link_ends_the_listing(make_api: Any) -> None:
    link = '<https://voice.bandwidth.com/api/v2/accounts/9900000/calls?pageToken=z>; rel="next"'
    api = make_api(lambda request: httpx.Response(200, json=[], headers={"Link": link}))
    assert api.list_calls() == []


def minute(n: int, second: int = 0) -> str:
    return f"2022-06-16T14:{n:02d}:{second:02d}.000Z"


def test_listing_goes_on_past_the_per_query_cap(make_api: Any) -> None:
    # Call 3 sat in the queue: created at minute 3, started at minute 9, after calls 4..8
    # were created. Every call must come exactly once, in creation order.
    records = [
        record(i, enqueuedTime=minute(i), startTime=minute(i, 30), answerTime=None)
        for i in range(13)
    ]
    records[3]["startTime"] = minute(9, 45)
    server = FakeBandwidth(records, cap=5)
    api = make_api(server)
    api.client.adapter.listing_cap = 5
    calls = api.list_calls(page_size=2)
    assert [c.id for c in calls] == [f"c-{i:04d}" for i in range(13)]
    continued = [r.url.params.get("minStartTime") for r in server.requests]
    assert continued[:3] == [None, None, None]  # the first query: 5 calls in pages of 2
    assert continued[3] == "2022-06-16T14:04:00.000Z"  # from the newest creation time seen


def test_the_cap_continuation_survives_in_cursors(
    make_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from telephony.adapters.bandwidth import BandwidthAdapter

    monkeypatch.setattr(BandwidthAdapter, "listing_cap", 4)
    records = [record(i, enqueuedTime=minute(i), startTime=minute(i, 30)) for i in range(9)]
    server = FakeBandwidth(records, cap=4)
    api = make_api(server)
    ids: list[str] = []
    page = api.get_page(page_size=3, status=CallStatus.COMPLETED)
    while True:
        ids += [c.id for c in page.items]
        if page.next_cursor is None:
            break
        page = make_api(server, max_retries=0).get_page(page.next_cursor)  # a new process
    assert ids == [f"c-{i:04d}" for i in range(9)]


def test_exactly_cap_calls_end_cleanly(make_api: Any) -> None:
    records = [record(i, enqueuedTime=minute(i), startTime=minute(i, 30)) for i in range(4)]
    server = FakeBandwidth(records, cap=4)
    api = make_api(server)
    api.client.adapter.listing_cap = 4
    assert [c.id for c in api.list_calls(page_size=4)] == [f"c-{i:04d}" for i in range(4)]
    assert len(server.requests) == 2  # the continuation finds nothing new and the listing ends


def test_a_listing_keeps_its_state_in_memory(
    make_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """list_calls follows each page's in-memory state: no cursor string is written or read
    back per page (past the cap too), and a page still gives the same cursor when asked."""
    import pickle

    from telephony.adapters.bandwidth import BandwidthAdapter, _adapter, _paging

    monkeypatch.setattr(BandwidthAdapter, "listing_cap", 4)
    records = [record(i, enqueuedTime=minute(i), startTime=minute(i, 30)) for i in range(9)]
    server = FakeBandwidth(records, cap=4)
    api = make_api(server)
    made: list[str] = []
    read: list[str] = []
    encode, decode = _paging.encode_cursor, _adapter.decode_cursor
    monkeypatch.setattr(_paging, "encode_cursor", lambda *a: made.append("x") or encode(*a))
    monkeypatch.setattr(_adapter, "decode_cursor", lambda *a: read.append("x") or decode(*a))

    assert [c.id for c in api.list_calls(page_size=3)] == [f"c-{i:04d}" for i in range(9)]
    assert (made, read) == ([], [])
    assert len(server.requests) > 3  # several pages and the query past the cap

    page = api.get_page(page_size=3)
    cursor = page.next_cursor
    assert isinstance(cursor, str)
    assert made == ["x"]
    assert page.next_cursor == cursor
    assert made == ["x"]
    assert pickle.loads(pickle.dumps(page)) == page
    assert pickle.loads(pickle.dumps(page)).next_cursor == cursor
    assert [c.id for c in make_api(server).get_page(cursor).items] == ["c-0003"]
