"""Restcomm paging: the client counts pages itself, with its own filters and page size, and
stops at a short page, an empty page, or a 400 after the first page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

import telephony
from telephony import CallStatus
from telephony._cursor import decode_cursor, encode_cursor
from tests.restcomm.fake_server import CALLS_PATH, FakeRestcomm, fixture, record, sid, text
from tests.support import Both


def pages(*answers: httpx.Response) -> Callable[[httpx.Request], httpx.Response]:
    """A handler serving the answer for each ``Page`` number, logging requests."""

    def handler(request: httpx.Request) -> httpx.Response:
        handler.requests.append(request)  # type: ignore[attr-defined]
        return answers[int(request.url.params["Page"])]

    handler.requests = []  # type: ignore[attr-defined]
    return handler


def xml_page(name: str) -> httpx.Response:
    return httpx.Response(200, content=fixture(name), headers={"Content-Type": "application/xml"})


def sent(handler: object) -> list[httpx.Request]:
    return handler.requests  # type: ignore[attr-defined,no-any-return]


def test_default_page_size_and_first_page(api: Both, server: FakeRestcomm) -> None:
    calls = api.list_calls()
    assert [c.id for c in calls] == [sid(i) for i in range(7)]
    params = server.requests[0].url.params
    assert (params["Page"], params["PageSize"]) == ("0", "100")
    assert len(server.requests) == 1  # 7 < 100: a short page is the last


def test_floor_defect_null_next_link_and_filter_dropping_uris(
    make_api: Callable[..., Both],
) -> None:
    handler = pages(
        xml_page("list_floor_page0.xml"),
        xml_page("list_floor_page1.xml"),  # says it is the last page ("null" next link)
        xml_page("list_floor_page2_short.xml"),  # but the fifth call is here
    )
    api = make_api(handler)
    calls = api.list_calls(to="5065", page_size=2)
    # The server's suffix match let +15555065 through; "to" is exact.
    assert [c.to for c in calls] == ["5065", "5065", "5065"]
    assert [c.id for c in calls] == [sid(0x5A1E0000 + n) for n in (100, 102, 103)]
    requests = sent(handler)
    assert [r.url.params["Page"] for r in requests] == ["0", "1", "2"]
    for request in requests:
        # Our own filters and page size on every page; never the server's page URIs.
        assert request.url.path == CALLS_PATH
        assert request.url.params["To"] == "5065"
        assert request.url.params["PageSize"] == "2"
        assert "AfterSid" not in request.url.params


def test_empty_trailing_page_stops(make_api: Callable[..., Both]) -> None:
    handler = pages(
        xml_page("list_floor_page0.xml"),
        xml_page("list_floor_page1.xml"),
        xml_page("list_floor_page2_empty.xml"),
    )
    api = make_api(handler)
    assert len(api.list_calls(page_size=2)) == 4
    assert len(sent(handler)) == 3


def test_400_past_the_end_stops(make_api: Callable[..., Both]) -> None:
    handler = pages(xml_page("list_floor_page0.xml"), xml_page("list_floor_page1.xml"), text(400))
    api = make_api(handler)
    assert len(api.list_calls(page_size=2)) == 4
    page = api.get_page(
        cursor=encode_cursor("restcomm", {"page": 2, "size": 2, "f": {}}),
    )
    assert (list(page.items), page.next_cursor) == ([], None)


def test_400_on_the_first_page_is_an_error(make_api: Callable[..., Both]) -> None:
    api = make_api(lambda request: text(400))
    with pytest.raises(telephony.InvalidRequestError) as info:
        api.list_calls()
    assert info.value.status_code == 400


def test_one_call_page_is_a_list(make_api: Callable[..., Both]) -> None:
    api = make_api(pages(xml_page("list_one_call.xml")))
    page = api.get_page(page_size=50)
    assert [c.id for c in page.items] == [
        "ID8deb35fc5121429fa96635aebe3976d2-CA9a0d1f1f7a1b4bd0a3e6f6a1f7d9c0b2"
    ]
    assert page.next_cursor is None


def test_full_page_gives_a_next_cursor_even_with_a_null_link(
    make_api: Callable[..., Both],
) -> None:
    api = make_api(pages(xml_page("list_floor_page0.xml"), xml_page("list_floor_page1.xml")))
    first = api.get_page(page_size=2)
    assert first.next_cursor is not None
    second = api.get_page(cursor=first.next_cursor)
    assert second.next_cursor is not None  # full page: the "null" next link is not believed
    assert decode_cursor("restcomm", second.next_cursor)["page"] == 2


def test_mixed_statuses_page(make_api: Callable[..., Both]) -> None:
    api = make_api(pages(xml_page("list_mixed_statuses.xml")))
    calls = api.list_calls()
    assert [c.status for c in calls] == [
        CallStatus.QUEUED,
        CallStatus.RINGING,
        CallStatus.RINGING,
        CallStatus.IN_PROGRESS,
        CallStatus.IN_PROGRESS,
        CallStatus.COMPLETED,
        CallStatus.BUSY,
        CallStatus.NO_ANSWER,
        CallStatus.NO_ANSWER,
        CallStatus.CANCELED,
        CallStatus.FAILED,
        CallStatus.FAILED,
        CallStatus.UNKNOWN,
    ]
    assert calls[-1].vendor_status == "parked"
    assert calls[-1].direction is telephony.Direction.UNKNOWN
    assert calls[-1].raw["Direction"] == "sideways"


def test_cursor_is_a_storable_string_carrying_filters_and_page_size(
    make_api: Callable[..., Both], server: FakeRestcomm
) -> None:
    server.records = [record(i, To="5065") for i in range(5)]
    api = make_api(server)
    first = api.get_page(page_size=2, to="5065")
    assert first.next_cursor is not None
    state = decode_cursor("restcomm", first.next_cursor)
    assert len(state.pop("r")) == 3  # the loop check's few fields (telephony._trail)
    assert (state["page"], state["size"], state["f"]) == (1, 2, {"to": "5065"})
    # A new client (another process, later) resumes from the string alone.
    later = make_api(server)
    second = later.get_page(cursor=first.next_cursor)
    params = server.requests[-1].url.params
    assert (params["Page"], params["PageSize"], params["To"]) == ("1", "2", "5065")
    assert [c.id for c in second.items] == [sid(2), sid(3)]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        encode_cursor("bandwidth", {"url": "https://voice.bandwidth.com/x"}),
        encode_cursor("restcomm", {"page": 0, "size": 2, "f": {}}),
        encode_cursor("restcomm", {"page": "1", "size": 2, "f": {}}),
        encode_cursor("restcomm", {"page": 1, "size": 5000, "f": {}}),
        encode_cursor("restcomm", {"page": 1, "size": 2, "f": []}),
        encode_cursor("restcomm", {"page": 1, "size": 2, "f": {"status": ["sideways"]}}),
    ],
)
def test_bad_cursors_are_refused_before_sending(
    api: Both, server: FakeRestcomm, cursor: str
) -> None:
    with pytest.raises(telephony.ValidationError) as info:
        api.get_page(cursor=cursor)
    assert info.value.field == "cursor"
    assert server.requests == []


def test_cursor_keeps_its_page_size(api: Both, server: FakeRestcomm) -> None:
    cursor = encode_cursor("restcomm", {"page": 1, "size": 2, "f": {}})
    with pytest.raises(telephony.ValidationError) as info:
        api.get_page(cursor=cursor, page_size=3)
    assert info.value.field == "page_size"
    api.get_page(cursor=cursor, page_size=2)  # the same size is fine
    assert server.requests[-1].url.params["PageSize"] == "2"


@pytest.mark.parametrize("size", [0, -1, 1001, True, 2.5])
def test_page_size_range(api: Both, server: FakeRestcomm, size: object) -> None:
    with pytest.raises(telephony.ValidationError) as info:
        api.get_page(page_size=size)
    assert info.value.field == "page_size"
    assert server.requests == []


def test_limit_and_laziness(api: Both, server: FakeRestcomm) -> None:
    assert [c.id for c in api.list_calls(page_size=2, limit=3)] == [sid(0), sid(1), sid(2)]
    assert len(server.requests) == 2
    server.requests.clear()
    assert [c.id for c in api.take(1, page_size=2)] == [sid(0)]
    assert len(server.requests) == 1


def test_to_and_from_are_exact_though_the_server_matches_suffixes(
    api: Both, server: FakeRestcomm
) -> None:
    server.records = [
        record(1, To="5065", From="+15551230000"),
        record(2, To="+15555065", From="+15551230000"),
        record(3, To="5065", From="+445551230000"),
        record(4, To="5065", From="15551230000"),
        record(5, To="15065", From="+15551230000"),
    ]
    # An E.164 filter takes the number stored with or without its "+"; other values (here
    # plain digits) match as stored. Call.from_ keeps the stored value.
    calls = api.list_calls(to="5065", from_="+15551230000")
    assert [(c.id, c.from_) for c in calls] == [
        (sid(1), "+15551230000"),
        (sid(4), "15551230000"),
    ]
    params = server.requests[0].url.params
    assert (params["To"], params["From"]) == ("5065", "15551230000")


def test_started_after_asks_for_covering_days_then_refines(api: Both, server: FakeRestcomm) -> None:
    # The server counts whole days on its own clock (UTC-6 here): 2018-07-05T03:00Z is still
    # July 4th there. Asking StartTime=2018-07-05 would lose it.
    server.records = [
        record(1, StartTime="2018-07-05T01:59:59.000Z"),
        record(2, StartTime="2018-07-05T02:00:00.000Z"),
        record(3, StartTime="2018-07-05T03:00:00.000Z"),
        record(4, StartTime="2018-07-06T12:00:00.000Z"),
    ]
    after = datetime(2018, 7, 5, 2, 0, tzinfo=UTC)
    calls = api.list_calls(started_after=after)
    assert [c.id for c in calls] == [sid(2), sid(3), sid(4)]
    assert server.requests[0].url.params["StartTime"] == "2018-07-04"


def test_started_after_in_another_offset_is_converted(api: Both, server: FakeRestcomm) -> None:
    plus_ten = datetime(2018, 7, 5, 8, 0, tzinfo=timezone(timedelta(hours=10)))
    api.list_calls(started_after=plus_ten)  # 2018-07-04T22:00Z
    assert server.requests[0].url.params["StartTime"] == "2018-07-03"


def test_started_before_is_refined_on_the_client_only(api: Both, server: FakeRestcomm) -> None:
    # EndTime filters on the call's end: it would drop the live call and the long one.
    server.records = [
        record(1, StartTime="2018-07-05T10:00:00.000Z", EndTime="2018-07-05T10:01:00.000Z"),
        record(2, StartTime="2018-07-05T11:00:00.000Z", EndTime=None, Status="in-progress"),
        record(3, StartTime="2018-07-05T23:00:00.000Z", EndTime="2018-07-07T01:00:00.000Z"),
        record(4, StartTime="2018-07-06T00:00:01.000Z", EndTime="2018-07-06T00:01:00.000Z"),
        record(5, StartTime=None, EndTime=None, Status="queued"),
    ]
    before = datetime(2018, 7, 6, 0, 0, tzinfo=UTC)
    calls = api.list_calls(started_before=before)
    assert [c.id for c in calls] == [sid(1), sid(2), sid(3)]
    assert "EndTime" not in server.requests[0].url.params


def test_status_is_refined_on_the_client_across_raw_spellings(
    api: Both, server: FakeRestcomm
) -> None:
    server.records = [
        record(1, Status="busy"),
        record(2, Status="BUSY"),
        record(3, Status="completed"),
        record(4, Status="NO_ANSWER"),
        record(5, Status="no-answer"),
    ]
    calls = api.list_calls(status=[CallStatus.BUSY, CallStatus.NO_ANSWER])
    assert [c.id for c in calls] == [sid(1), sid(2), sid(4), sid(5)]
    assert "Status" not in server.requests[0].url.params


def test_parent_id_goes_to_the_server_and_is_checked(api: Both, server: FakeRestcomm) -> None:
    parent = sid(1)
    server.records = [
        record(1),
        record(2, ParentCallSid=parent, Direction="outbound-dial"),
        record(3, ParentCallSid=sid(9), Direction="outbound-dial"),
    ]
    calls = api.list_calls(parent_id=parent)
    assert [c.id for c in calls] == [sid(2)]
    assert calls[0].direction is telephony.Direction.OUTBOUND_DIAL
    assert server.requests[0].url.params["ParentCallSid"] == parent


def test_filtered_pages_can_be_short_yet_have_a_next_cursor(
    api: Both, server: FakeRestcomm
) -> None:
    server.records = [record(i, Status="busy" if i % 2 else "completed") for i in range(4)]
    page = api.get_page(page_size=2, status="busy")
    assert [c.id for c in page.items] == [sid(1)]
    assert page.next_cursor is not None
    assert [c.id for c in api.list_calls(page_size=2, status="busy")] == [sid(1), sid(3)]
