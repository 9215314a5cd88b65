"""Restcomm as its server really behaves (reference/restcomm-calls.md, corrected from its
source): answered only when the status says so, dial legs, hang-up, SIDs, numbers, and the
listing order on current and older servers. Each case runs on Client and AsyncClient."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

import telephony
from telephony import CallStatus, Direction
from telephony.report import summarize
from telephony.toolkit import encode_cursor
from tests.restcomm.fake_server import ACCOUNT, BASE_URL, TOKEN, FakeRestcomm, record, sid
from tests.support import Both

T0 = datetime(2018, 7, 5, 13, 0, tzinfo=UTC)


def at(
    n: int,
    *,
    created: float,
    start: float | None = None,
    status: str = "completed",
    end: float | None = None,
    duration: int | None = None,
    **overrides: str | None,
) -> dict[str, str | None]:
    """Call ``n`` created ``created`` seconds after T0, with StartTime ``start`` (default: the
    creation, as the server sets it), EndTime ``end`` and Duration as given."""
    start = created if start is None else start

    def iso(seconds: float) -> str:
        return (T0 + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")

    values: dict[str, str | None] = {
        "DateCreated": format_datetime(T0 + timedelta(seconds=created)),
        "DateUpdated": format_datetime(T0 + timedelta(seconds=end or created)),
        "Status": status,
        "StartTime": iso(start),
        "EndTime": None if end is None else iso(end),
        "Duration": None if duration is None else str(duration),
        "Direction": "outbound-api",
    }
    values.update(overrides)
    return record(n, **values)


# -- 1. answered means answered --------------------------------------------------------------


def test_only_a_connected_status_is_an_answer(api: Both, server: FakeRestcomm) -> None:
    server.records = [
        # answered at 8 s (StartTime moved there), hung up at 38 s: talk time 30 s
        at(1, created=0, start=8, end=38, duration=30),
        # canceled while ringing: Duration is the ring time
        at(2, created=10, end=22, duration=12, status="canceled"),
        # busy / no-answer / failed legs often have no EndTime and no Duration
        at(3, created=20, status="BUSY"),
        at(4, created=30, status="NO_ANSWER", end=90, duration=60),
        at(5, created=40, status="FAILED", duration=3),
        # talking now: answered, no talk time yet
        at(6, created=50, start=55, status="IN_PROGRESS"),
        # rewritten to completed at a server restart: no EndTime, no Duration
        at(7, created=60, status="completed"),
    ]
    calls = {call.id: call for call in api.list_calls()}
    answered = calls[sid(1)]
    assert answered.status is CallStatus.COMPLETED
    assert answered.answered_at == T0 + timedelta(seconds=8)
    assert answered.duration == timedelta(seconds=30)
    for n in (2, 3, 4, 5):
        assert (calls[sid(n)].answered_at, calls[sid(n)].duration) == (None, None), n
    assert calls[sid(2)].ended_at == T0 + timedelta(seconds=22)
    assert calls[sid(3)].ended_at is None
    talking = calls[sid(6)]
    assert (talking.answered_at, talking.duration) == (T0 + timedelta(seconds=55), None)
    restarted = calls[sid(7)]
    assert (restarted.status, restarted.vendor_status) == (CallStatus.UNKNOWN, "completed")
    assert (restarted.answered_at, restarted.duration) == (None, None)

    report = summarize(calls.values()).overall
    assert report.attempts == 5  # 1..5; 6 is in progress, 7 unknown
    assert report.answered == 1
    assert report.asr == pytest.approx(1 / 5)
    assert report.acd == timedelta(seconds=30)
    assert report.in_progress == 1


# -- 3. dial legs ----------------------------------------------------------------------------


def test_outbound_api_with_a_parent_is_a_dial_leg(api: Both, server: FakeRestcomm) -> None:
    server.records = [
        at(1, created=0, start=5, end=60, duration=55, Direction="inbound"),
        at(2, created=9, start=12, end=50, duration=38, ParentCallSid=sid(1)),
        at(3, created=20, start=25, end=50, duration=25),
        at(4, created=30, start=33, end=50, duration=17, Direction="outbound-dial"),
    ]
    directions = [call.direction for call in api.list_calls()]
    assert directions == [
        Direction.INBOUND,
        Direction.OUTBOUND_DIAL,
        Direction.OUTBOUND_API,
        Direction.OUTBOUND_DIAL,
    ]


# -- 5. call ids -----------------------------------------------------------------------------

GOOD_SIDS = [
    "CA" + "0123456789abcdef" * 2,
    "CA" + "Z" * 32,  # letters and digits, not only hex
    "ID" + "a1" * 16 + "-CA" + "Zz" * 16,
]
BAD_SIDS = [
    "CA" + "0" * 31,
    "CA" + "0" * 33,
    "XX" + "0" * 32,
    "ID" + "a" * 32 + "CA" + "b" * 32,
    "ID" + "a" * 31 + "-CA" + "b" * 32,
    "CA" + "0" * 31 + "_",
    "CA" + "0" * 31 + "é",
    "calls",
    "",
]


@pytest.mark.parametrize("bad", BAD_SIDS)
@pytest.mark.parametrize("operation", ["get_call", "hangup", "redirect"])
def test_a_malformed_sid_is_refused_before_sending(
    api: Both, server: FakeRestcomm, bad: str, operation: str
) -> None:
    args: tuple[str, ...] = (bad, "https://app.example/next") if operation == "redirect" else (bad,)
    with pytest.raises(telephony.ValidationError) as info:
        getattr(api, operation)(*args)
    assert info.value.field == "call_id"
    assert server.requests == []  # the server would answer 500, and that would be retried


@pytest.mark.parametrize("good", GOOD_SIDS)
def test_well_formed_sids_reach_the_server(api: Both, server: FakeRestcomm, good: str) -> None:
    server.records = [record(1, Sid=good)]
    assert api.get_call(good).id == good
    with pytest.raises(telephony.ConflictError):
        api.hangup(good)  # completed already: 410


def test_the_server_answers_500_to_a_malformed_sid() -> None:
    # What the client-side check saves: the fake server, like the real one, cannot map it.
    server = FakeRestcomm()
    client = httpx.Client(transport=httpx.MockTransport(server), auth=(ACCOUNT, TOKEN))
    with client:
        assert client.get(f"{BASE_URL}/2012-04-24/Accounts/{ACCOUNT}/Calls/CA12").status_code == 500


# -- 6. numbers ------------------------------------------------------------------------------


def test_e164_filters_find_numbers_stored_with_or_without_plus(
    api: Both, server: FakeRestcomm
) -> None:
    server.records = [
        at(1, created=0, end=9, duration=9, To="+19295550050", From="alice"),
        at(2, created=10, end=19, duration=9, To="19295550050", From="client:alice"),
        at(3, created=20, end=29, duration=9, To="29295550050", From="alice"),
        at(4, created=30, end=39, duration=9, To="+19295550051", From="bob"),
    ]
    found = api.list_calls(to="+19295550050")
    assert [(c.id, c.to) for c in found] == [(sid(1), "+19295550050"), (sid(2), "19295550050")]
    assert server.requests[-1].url.params["To"] == "19295550050"
    # A SIP user part or client: name matches exactly as stored.
    assert [c.id for c in api.list_calls(from_="alice")] == [sid(1), sid(3)]
    assert [c.id for c in api.list_calls(from_="client:alice")] == [sid(2)]


# -- 2. order and each call once -------------------------------------------------------------


def _history(count: int) -> list[dict[str, str | None]]:
    """``count`` calls 10 s apart; every third is answered 25 s after its creation, so its
    StartTime (moved to the answer) is later than that of the next two calls."""
    calls = []
    for n in range(count):
        created = 10.0 * n
        if n % 3 == 0:
            calls.append(at(n, created=created, start=created + 25, end=created + 60, duration=35))
        else:
            calls.append(at(n, created=created, end=created + 5, duration=5, status="BUSY"))
    return calls


@pytest.mark.parametrize("legacy", [False, True], ids=["current", "legacy"])
def test_oldest_first_each_call_once(make_api: Callable[..., Both], legacy: bool) -> None:
    server = FakeRestcomm(_history(23), legacy_order=legacy)
    api = make_api(server)
    calls = api.list_calls(page_size=4)
    assert [c.id for c in calls] == [sid(n) for n in range(23)]
    assert all(r.url.params["SortBy"] == "DateCreated:asc" for r in server.requests)


class _Growing:
    """A server that gets a new call, and sees a ringing call answered, after every list
    request: the list grows and, on an older server, a moved call shifts the pages."""

    def __init__(self, server: FakeRestcomm) -> None:
        self.server = server
        self.clock = 10.0 * len(server.records)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        response = self.server(request)
        if request.method == "GET" and request.url.path.endswith("/Calls"):
            self.clock += 10
            n = 100 + len(self.server.requests)
            self.server.records.append(at(n, created=self.clock, status="RINGING", Duration=None))
            ringing = next(
                (r for r in self.server.records if r["Status"] == "RINGING" and r is not None),
                None,
            )
            if ringing is not None and ringing["Sid"] != sid(n):
                started = (T0 + timedelta(seconds=self.clock)).isoformat(timespec="milliseconds")
                ringing.update(Status="IN_PROGRESS", StartTime=started)
        return response


@pytest.mark.parametrize("legacy", [False, True], ids=["current", "legacy"])
def test_calls_created_and_answered_mid_listing_never_repeat_or_reorder(
    make_api: Callable[..., Both], legacy: bool
) -> None:
    server = FakeRestcomm(_history(20), legacy_order=legacy)
    api = make_api(_Growing(server))
    calls = api.list_calls(page_size=3)
    ids = [c.id for c in calls]
    assert len(ids) == len(set(ids))
    # Every call that existed when the listing began is there, once.
    assert set(ids) >= {sid(n) for n in range(20)}
    created = [c.created_at for c in calls]
    assert created == sorted(created)  # type: ignore[type-var]


def test_the_cursor_carries_the_order_state(
    make_api: Callable[..., Both],
) -> None:
    server = FakeRestcomm(_history(12), legacy_order=True)
    first = make_api(server).get_page(page_size=4)
    ids = [c.id for c in first.items]
    cursor = first.next_cursor
    while cursor is not None:
        page = make_api(server).get_page(cursor=cursor)  # a new client each time
        ids.extend(c.id for c in page.items)
        cursor = page.next_cursor
    assert ids == [sid(n) for n in range(12)]


class _TiesFlip:
    """A current server whose database orders calls of the same DateCreated second
    differently from one query to the next (ORDER BY date_created alone is not unique)."""

    def __init__(self, server: FakeRestcomm) -> None:
        self.server = server

    def __call__(self, request: httpx.Request) -> httpx.Response:
        response = self.server(request)
        if len(self.server.requests) == 1:
            self.server.records.reverse()  # the stable sort then flips every tie
        return response


def test_a_call_repeated_across_a_page_boundary_is_yielded_once(
    make_api: Callable[..., Both],
) -> None:
    seconds = [0, 1, 2, 5, 5, 5, 5, 5, 5, 9]
    history = [at(n, created=t, end=t + 3, duration=3) for n, t in enumerate(seconds)]
    server = FakeRestcomm(history)
    calls = make_api(_TiesFlip(server)).list_calls(page_size=4)
    ids = [c.id for c in calls]
    # Page 0 ends inside the 5 s tie; in the flipped order call 3 comes again on page 2 (and
    # call 8 is on no page: offset paging cannot show it, dropping repeats cannot bring it).
    assert ids == [sid(n) for n in (0, 1, 2, 3, 7, 6, 5, 4, 9)]
    assert len(ids) == len(set(ids))
    created = [c.created_at for c in calls]
    assert created == sorted(created)  # type: ignore[type-var]


def test_older_server_a_call_that_moved_when_answered_is_yielded_once(
    make_api: Callable[..., Both],
) -> None:
    history = _history(60)
    history[10] = at(10, created=100, status="RINGING")  # ringing when the listing starts
    server = FakeRestcomm(history, legacy_order=True)
    lists = 0

    def answer_mid_listing(request: httpx.Request) -> httpx.Response:
        nonlocal lists
        response = server(request)
        lists += 1
        if lists == 12:  # call 10 was yielded (ringing); answered now, it moves to the end
            moved = (T0 + timedelta(seconds=615)).isoformat(timespec="milliseconds")
            found = server.find(sid(10))
            assert found is not None
            found.update(Status="IN_PROGRESS", StartTime=moved)
        return response

    calls = make_api(answer_mid_listing).list_calls(page_size=3)
    ids = [c.id for c in calls]
    assert ids.count(sid(10)) == 1
    assert len(ids) == len(set(ids))
    created = [c.created_at for c in calls]
    assert created == sorted(created)  # type: ignore[type-var]
    # The move shifted the later pages back by one: at most the call at the next page
    # boundary is on no page (what offset paging cannot give; the README says so).
    assert len({sid(n) for n in range(60)} - set(ids)) <= 1


@pytest.mark.parametrize(
    "order",
    [
        {"w": "soon"},
        {"seen": [["CA1"]]},
        {"hold": 5},
        {"held": ["not a record"]},
        {"held": [{"Status": "completed"}]},
        {"ring": 7},
    ],
)
def test_a_tampered_order_state_is_refused_before_sending(
    api: Both, server: FakeRestcomm, order: dict[str, object]
) -> None:
    cursor = encode_cursor("restcomm", {"page": 1, "size": 2, "f": {}, "o": order})
    with pytest.raises(telephony.ValidationError) as info:
        api.get_page(cursor=cursor)
    assert info.value.field == "cursor"
    assert server.requests == []
