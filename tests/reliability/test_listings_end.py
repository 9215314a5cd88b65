"""Listings always end: a server that repeats pages, links back to a page already read, or
cannot get past Bandwidth's per-query cap ends the listing in a ListingLoopError after a
bounded number of requests. An honest server's long listing is never taken for a loop."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import telephony
from tests.bandwidth.fake_server import BASE
from tests.bandwidth.fake_server import SETTINGS as BANDWIDTH
from tests.bandwidth.fake_server import record as bandwidth_record
from tests.restcomm.fake_server import SETTINGS as RESTCOMM
from tests.restcomm.fake_server import record as restcomm_record
from tests.restcomm.fake_server import render_call, xml

# Each example here is a whole listing (up to ~40 requests): a sixth of the profile's count.
FEWER = settings(max_examples=max(30, settings.default.max_examples // 6))


def eventually_periodic(prefix: int, cycle: int) -> Callable[[int], int]:
    """The content the server shows for the n-th page asked: ``prefix`` distinct pages, then
    ``cycle`` pages over and over (cycle 0: every page distinct, an honest server)."""

    def content(n: int) -> int:
        if cycle == 0 or n < prefix:
            return n
        return prefix + (n - prefix) % cycle

    return content


class BandwidthPages:
    """Pages of ``size`` calls; page k links to page ``following(k)``: a link back makes
    the loop. Content is a function of the page shown, so a revisit repeats it exactly."""

    def __init__(self, size: int, following: Callable[[int], int | None]) -> None:
        self.size = size
        self.following = following
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        assert self.requests <= 500, "the listing did not end"
        shown = int(request.url.params.get("pageToken", "0"))
        records = []
        for k in range(self.size):
            n = shown * self.size + k
            seconds = f"{n % 60:02d}.{n // 60 % 1000:03d}"
            record = bandwidth_record(n, callId=f"c-{shown}-{k}")
            record["enqueuedTime"] = record["startTime"] = f"2022-06-16T13:00:{seconds}Z"
            records.append(record)
        headers = {}
        target = self.following(shown)
        if target is not None:
            headers["Link"] = f'<{BASE}?pageToken={target}>; rel="next"'
        return httpx.Response(200, content=json.dumps(records).encode(), headers=headers)


def bandwidth_client(handler: Any) -> telephony.Client:
    return telephony.connect(
        "bandwidth", transport=httpx.MockTransport(handler), max_retries=0, **BANDWIDTH
    )


def restcomm_client(handler: Any) -> telephony.Client:
    return telephony.connect(
        "restcomm", transport=httpx.MockTransport(handler), max_retries=0, **RESTCOMM
    )


def test_bandwidth_a_page_linking_to_itself_ends_at_once() -> None:
    server = BandwidthPages(3, lambda shown: shown)
    with bandwidth_client(server) as client, pytest.raises(telephony.ListingLoopError) as caught:
        list(client.list_calls())
    assert server.requests == 2
    assert "already read" in str(caught.value)


@FEWER
@given(prefix=st.integers(0, 10), cycle=st.integers(1, 10), size=st.integers(1, 4))
def test_bandwidth_links_back_to_any_earlier_page_end_in_bounded_requests(
    prefix: int, cycle: int, size: int
) -> None:
    # Page k links to k+1 until prefix+cycle-1, which links back to page ``prefix``.
    last = prefix + cycle - 1
    server = BandwidthPages(size, lambda shown: shown + 1 if shown < last else prefix)
    with bandwidth_client(server) as client, pytest.raises(telephony.ListingLoopError):
        list(client.list_calls())
    assert server.requests <= 3 * (prefix + cycle) + 2


@FEWER
@given(pages=st.integers(1, 40), size=st.integers(1, 3))
def test_bandwidth_an_honest_long_listing_is_never_taken_for_a_loop(pages: int, size: int) -> None:
    server = BandwidthPages(size, lambda shown: shown + 1 if shown + 1 < pages else None)
    with bandwidth_client(server) as client:
        calls = list(client.list_calls())
    assert len(calls) == len({call.id for call in calls}) == pages * size


def test_bandwidth_more_than_the_cap_in_one_query_ends() -> None:
    # Distinct pages that link on for ever: more than Bandwidth ever answers to one query.
    server = BandwidthPages(5, lambda shown: shown + 1)
    with bandwidth_client(server) as client:
        client.adapter.listing_cap = 40  # type: ignore[attr-defined]
        with pytest.raises(telephony.ListingLoopError) as caught:
            list(client.list_calls())
    assert server.requests == 40 // 5 + 1
    assert "more than 40 calls for one query" in str(caught.value)


def test_bandwidth_no_progress_past_the_cap_ends() -> None:
    # More calls created at one instant than one query answers: the query past the cap
    # starts at that instant again and would answer more of the same for ever.
    requests = []

    def server(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        assert len(requests) <= 50, "the listing did not end"
        records = [
            bandwidth_record(len(requests), callId=f"c-{len(requests)}-{k}") for k in range(4)
        ]
        for record in records:
            record["enqueuedTime"] = record["startTime"] = "2022-06-16T13:00:00.000Z"
        headers = {}
        if "pageToken" not in request.url.params:
            headers["Link"] = f'<{request.url.copy_add_param("pageToken", "2")}>; rel="next"'
        return httpx.Response(200, content=json.dumps(records).encode(), headers=headers)

    with bandwidth_client(server) as client:
        client.adapter.listing_cap = 8  # type: ignore[attr-defined]
        with pytest.raises(telephony.ListingLoopError) as caught:
            list(client.list_calls())
    assert len(requests) == 4  # two queries of two pages
    assert "cannot list past" in str(caught.value)


class RestcommPages:
    """Full pages, whose content for the n-th page asked is ``content(n)``."""

    def __init__(self, content: Callable[[int], int]) -> None:
        self.content = content
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        assert self.requests <= 500, "the listing did not end"
        size = int(request.url.params["PageSize"])
        shown = self.content(int(request.url.params["Page"]))
        calls = "".join(
            render_call(restcomm_record(shown * size + k, Sid=f"CA{shown:016d}{k:016d}"))
            for k in range(size)
        )
        return xml(f"<RestcommResponse><Calls>{calls}</Calls></RestcommResponse>")


def test_restcomm_a_server_that_ignores_the_page_number_ends_at_once() -> None:
    server = RestcommPages(lambda n: 0)
    with restcomm_client(server) as client, pytest.raises(telephony.ListingLoopError):
        list(client.list_calls(page_size=5))
    assert server.requests == 2


@FEWER
@given(prefix=st.integers(0, 10), cycle=st.integers(1, 10), size=st.integers(1, 4))
def test_restcomm_pages_that_come_round_again_end_in_bounded_requests(
    prefix: int, cycle: int, size: int
) -> None:
    server = RestcommPages(eventually_periodic(prefix, cycle))
    with restcomm_client(server) as client, pytest.raises(telephony.ListingLoopError):
        list(client.list_calls(page_size=size))
    assert server.requests <= 3 * (prefix + cycle) + 2


def test_restcomm_the_loop_check_survives_a_stored_cursor() -> None:
    # Resuming from a stored cursor (another process) keeps the check going.
    server = RestcommPages(eventually_periodic(2, 3))
    with restcomm_client(server) as client:
        cursor = client.get_page(page_size=2).next_cursor
        with pytest.raises(telephony.ListingLoopError):  # noqa: PT012 - a page at a time
            while cursor is not None:
                with restcomm_client(server) as later:
                    cursor = later.get_page(cursor=cursor).next_cursor
    assert server.requests <= 3 * 5 + 2


def test_bandwidth_an_id_with_a_lone_surrogate_is_read_not_an_encoding_error() -> None:
    # JSON may carry "\ud800"; the loop check hashes every id a page holds.
    body = (
        b'[{"callId":"c-\\ud800","accountId":"9900000","state":"answered",'
        b'"direction":"outbound","startTime":"2024-01-01T00:00:00Z"}]'
    )

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    with telephony.connect(
        "bandwidth",
        account_id="9900000",
        username="u",
        password="p",
        transport=httpx.MockTransport(answer),
        max_retries=0,
    ) as client:
        page = client.get_page(page_size=1)
    assert [call.id for call in page.items] == ["c-\ud800"]
