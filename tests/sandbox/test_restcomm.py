"""Restcomm side, on the wire: auth, XML, codes, mixed-case statuses, paging defects."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx
import pytest

from telephony.sandbox import Sandbox
from tests.sandbox.helpers import (
    ANSWER_URL,
    RFC2822,
    MakeSandbox,
    call_element,
    create_restcomm,
    restcomm_client,
    restcomm_page,
    text,
)

ISO = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}(Z|[+-][0-9]{2}:[0-9]{2})"
)
CALL_ELEMENTS = [
    "Sid", "DateCreated", "DateUpdated", "ParentCallSid", "AccountSid", "To", "From",
    "PhoneNumberSid", "Status", "StartTime", "EndTime", "Duration", "Price", "PriceUnit",
    "Direction", "AnsweredBy", "ApiVersion", "ForwardedFrom", "CallerName", "Uri",
    "SubresourceUris", "Ring_duration",
]  # fmt: skip


def all_pages(client: httpx.Client, size: int, **params: str) -> list[list[str]]:
    """Sids page by page, asking Page=0,1,2... until a short page or a 400."""
    pages: list[list[str]] = []
    for page in range(10_000):
        response = client.get("/Calls", params={"Page": page, "PageSize": size, **params})
        if response.status_code == 400 and page > 0:
            return pages
        _, calls = restcomm_page(response)
        pages.append([text(call, "Sid") for call in calls])
        if len(calls) < size:
            return pages
    raise AssertionError("the pages do not end")


# -- auth ------------------------------------------------------------------------------------


def test_bad_credentials_get_an_empty_401_with_a_challenge(sandbox: Sandbox) -> None:
    for auth in (None, (sandbox.settings("restcomm")["account_sid"], "wrong")):
        with restcomm_client(sandbox, auth=auth) as client:
            response = client.get("/Calls")
            assert response.status_code == 401
            assert response.content == b""
            assert response.headers["www-authenticate"] == 'Basic realm="Restcomm realm"'


def test_the_account_email_also_logs_in(sandbox: Sandbox) -> None:
    token = sandbox.settings("restcomm")["auth_token"]
    with restcomm_client(sandbox, auth=("sandbox@example.com", token)) as client:
        assert client.get("/Calls").status_code == 200


def test_another_account_is_forbidden(sandbox: Sandbox, restcomm: httpx.Client) -> None:
    other = restcomm.get(f"{sandbox.url}/restcomm/2012-04-24/Accounts/AC{'0' * 32}/Calls")
    assert other.status_code == 403


# -- create, get, modify ----------------------------------------------------------------------


def test_create_answers_200_with_the_call_under_an_odd_root(
    sandbox: Sandbox, restcomm: httpx.Client
) -> None:
    response = restcomm.post(
        "/Calls", data={"From": "+13055550000", "To": "+15550100001", "Url": ANSWER_URL}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    assert response.text.startswith(
        "<org.restcomm.connect.dao.entities.CallDetailRecord>\n  <Call>"
    )
    call = call_element(response)
    names = [child.tag for child in call]
    assert names == ["Sid", "InstanceId", *CALL_ELEMENTS[1:]]
    assert re.fullmatch(r"ID[0-9a-f]{32}-CA[0-9a-f]{32}", text(call, "Sid"))
    assert text(call, "Sid").startswith(text(call, "InstanceId") + "-CA")
    assert text(call, "Status") == "QUEUED"
    assert text(call, "Direction") == "outbound-api"
    assert text(call, "AccountSid") == sandbox.settings("restcomm")["account_sid"]
    assert RFC2822.fullmatch(text(call, "DateCreated"))
    # Set at creation (moved to the answer time if answered); no end or duration yet.
    assert text(call, "StartTime") == "2026-03-02T12:00:00.000Z"
    assert text(call, "EndTime") == ""
    assert text(call, "Duration") == ""
    assert text(call, "Price") == "0.00"
    assert text(call, "PriceUnit") == "USD"


@pytest.mark.parametrize("missing", ["From", "To", "Url"])
def test_create_needs_from_to_and_url(restcomm: httpx.Client, missing: str) -> None:
    form = {"From": "+13055550000", "To": "+15550100001", "Url": ANSWER_URL}
    del form[missing]
    response = restcomm.post("/Calls", data=form)
    assert response.status_code == 400
    assert response.text == f"{missing} can not be null."
    # An empty value passes: the server only checks that the key is there.
    assert restcomm.post("/Calls", data={**form, missing: ""}).status_code == 200


def test_a_timeout_that_is_not_a_number_is_a_server_error(restcomm: httpx.Client) -> None:
    form = {"From": "+13055550000", "To": "+15550100001", "Url": ANSWER_URL, "Timeout": "soon"}
    response = restcomm.post("/Calls", data=form)
    assert response.status_code == 500
    assert "soon" in response.text


def test_unknown_and_malformed_sids(restcomm: httpx.Client) -> None:
    unknown = "CA" + "0" * 32
    assert restcomm.get(f"/Calls/{unknown}").status_code == 404
    modify = restcomm.post(f"/Calls/{unknown}", data={"Status": "completed"})
    assert modify.status_code == 406
    assert modify.content == b""
    # The Sid constructor throws and nothing maps it: 500, on GET and POST alike.
    assert restcomm.get("/Calls/not-a-sid").status_code == 500
    assert restcomm.post("/Calls/not-a-sid", data={"Status": "completed"}).status_code == 500
    assert restcomm.get(f"/Calls/CA{'0' * 31}").status_code == 500
    # Letters and digits, not only hex, make a well-formed SID.
    assert restcomm.get(f"/Calls/CA{'Z' * 32}").status_code == 404
    assert restcomm.delete(f"/Calls/{unknown}").status_code == 405


def get_call(client: httpx.Client, sid: str) -> dict[str, str]:
    response = client.get(f"/Calls/{sid}")
    assert response.status_code == 200
    assert response.text.startswith("<RestcommResponse>\n  <Call>")
    return {child.tag: child.text or "" for child in call_element(response)}


def test_an_answered_call_as_restcomm_shows_it(sandbox: Sandbox, restcomm: httpx.Client) -> None:
    sid = text(create_restcomm(restcomm, "+15550100001"), "Sid")
    sandbox.advance(2.5)
    assert get_call(restcomm, sid)["Status"] == "RINGING"
    sandbox.advance(5)
    call = get_call(restcomm, sid)
    assert call["Status"] == "IN_PROGRESS"
    assert call["Duration"] == ""
    sandbox.advance(30)
    call = get_call(restcomm, sid)
    assert call["Status"] == "completed"
    assert call["Duration"] == "30"
    assert call["Ring_duration"] == "5"
    assert call["Price"] == "0.0130"
    assert ISO.fullmatch(call["StartTime"])
    assert ISO.fullmatch(call["EndTime"])
    assert RFC2822.fullmatch(call["DateUpdated"])


@pytest.mark.parametrize(
    ("number", "status"),
    [
        ("+15550100002", "BUSY"),
        ("+15550100003", "NO_ANSWER"),
        ("+15550100004", "BUSY"),
        ("+15550100005", "FAILED"),
        ("+15550100006", "canceled"),
        ("client:alice", "completed"),
    ],
)
def test_outcomes_in_the_servers_mixed_case(
    sandbox: Sandbox, restcomm: httpx.Client, number: str, status: str
) -> None:
    sid = text(create_restcomm(restcomm, number), "Sid")
    sandbox.advance(120)
    call = get_call(restcomm, sid)
    assert call["Status"] == status
    # The server stores the SIP user part of a client: or sip: address, numbers as dialed.
    assert call["To"] == {"client:alice": "alice"}.get(number, number)
    if status in ("BUSY", "NO_ANSWER", "FAILED"):
        assert (call["EndTime"], call["Duration"]) == ("", "")
    assert call["StartTime"] != ""


def test_start_time_is_moved_to_the_answer(sandbox: Sandbox, restcomm: httpx.Client) -> None:
    sid = text(create_restcomm(restcomm, "sip:bob@sip.example.com"), "Sid")
    created = get_call(restcomm, sid)
    assert created["To"] == "bob"
    sandbox.advance(8)  # queued 2 s, rings 5 s, answered at 7 s
    answered = get_call(restcomm, sid)
    assert answered["Status"] == "IN_PROGRESS"
    moved = datetime.fromisoformat(answered["StartTime"]) - datetime.fromisoformat(
        created["StartTime"]
    )
    assert moved.total_seconds() == 7


def test_no_answer_follows_the_timeout(sandbox: Sandbox, restcomm: httpx.Client) -> None:
    sid = text(create_restcomm(restcomm, "+15550100003", Timeout="20"), "Sid")
    sandbox.advance(2 + 19)
    assert get_call(restcomm, sid)["Status"] == "RINGING"
    sandbox.advance(2)
    assert get_call(restcomm, sid)["Status"] == "NO_ANSWER"


def test_modify_answers_with_the_call_before_the_change(
    sandbox: Sandbox, restcomm: httpx.Client
) -> None:
    sid = text(create_restcomm(restcomm, "+15550100007"), "Sid")
    sandbox.advance(10)
    redirected = restcomm.post(
        f"/Calls/{sid}", data={"Url": "https://app.example/next", "Method": "GET"}
    )
    assert redirected.status_code == 200
    assert text(call_element(redirected), "Status") == "IN_PROGRESS"
    sandbox.advance(60)
    hangup = restcomm.post(f"/Calls/{sid}", data={"Status": "completed"})
    assert hangup.status_code == 200
    assert hangup.text.startswith("<RestcommResponse>")
    assert text(call_element(hangup), "Status") == "IN_PROGRESS"  # as it was
    after = get_call(restcomm, sid)
    assert after["Status"] == "completed"
    assert after["Duration"] == "63"  # answered 7 s after creation, hung up at 70 s
    gone = restcomm.post(f"/Calls/{sid}", data={"Status": "completed"})
    assert gone.status_code == 410
    assert gone.text == "Call is already completed."


def test_cancel_a_ringing_call(sandbox: Sandbox, restcomm: httpx.Client) -> None:
    sid = text(create_restcomm(restcomm, "+15550100003"), "Sid")
    sandbox.advance(4)
    answer = restcomm.post(f"/Calls/{sid}", data={"Status": "canceled"})
    assert text(call_element(answer), "Status") == "RINGING"
    call = get_call(restcomm, sid)
    assert call["Status"] == "canceled"
    # Duration is end - StartTime, and StartTime (the creation) never moved: the ring time.
    assert call["Duration"] == "4"
    assert call["StartTime"] == call["EndTime"].replace(":04.000", ":00.000")


def test_canceling_an_answered_call_does_nothing(sandbox: Sandbox, restcomm: httpx.Client) -> None:
    sid = text(create_restcomm(restcomm, "+15550100007"), "Sid")
    sandbox.advance(10)
    assert restcomm.post(f"/Calls/{sid}", data={"Status": "canceled"}).status_code == 200
    assert get_call(restcomm, sid)["Status"] == "IN_PROGRESS"


def test_a_redirect_to_a_relative_url_fails_like_the_server(
    sandbox: Sandbox, restcomm: httpx.Client
) -> None:
    sid = text(create_restcomm(restcomm, "+15550100007"), "Sid")
    sandbox.advance(10)
    response = restcomm.post(f"/Calls/{sid}", data={"Url": "next.xml"})
    assert response.status_code == 500
    assert "no protocol" in response.text


# -- paging ----------------------------------------------------------------------------------


def test_paging_with_the_servers_defects(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=120)
    with restcomm_client(sandbox) as client:
        attributes, calls = restcomm_page(client.get("/Calls", params={"PageSize": 50}))
        path = f"/2012-04-24/Accounts/{sandbox.settings('restcomm')['account_sid']}/Calls"
        assert attributes == {
            "page": "0",
            "numpages": "2",  # floor(120 / 50)
            "pagesize": "50",
            "total": "2",  # written from the page count, not the 120 records
            "start": "0",
            "end": "49",
            "uri": path,
            "firstpageuri": f"{path}?Page=0&PageSize=50",
            "previouspageuri": "null",
            "nextpageuri": f"{path}?Page=1&PageSize=50&AfterSid={text(calls[-1], 'Sid')}",
            "lastpageuri": f"{path}?Page=2&PageSize=50",
        }
        last, calls = restcomm_page(client.get("/Calls", params={"PageSize": 50, "Page": 2}))
        assert len(calls) == 20
        assert last["nextpageuri"] == "null"
        assert last["end"] == "120"
        past = client.get("/Calls", params={"PageSize": 50, "Page": 3})
        assert past.status_code == 400
        assert past.content == b""
        pages = all_pages(client, 50)
    assert [len(page) for page in pages] == [50, 50, 20]
    assert len({sid for page in pages for sid in page}) == 120


def test_an_exact_multiple_links_an_empty_last_page(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=100)
    with restcomm_client(sandbox) as client:
        first, _ = restcomm_page(client.get("/Calls", params={"PageSize": 50, "Page": 1}))
        assert first["numpages"] == "2"
        assert first["nextpageuri"] != "null"
        empty, calls = restcomm_page(client.get("/Calls", params={"PageSize": 50, "Page": 2}))
        assert calls == []
        assert empty["nextpageuri"] == "null"
        assert client.get("/Calls", params={"PageSize": 50, "Page": 3}).status_code == 400
        nothing, calls = restcomm_page(client.get("/Calls", params={"To": "nobody"}))
        assert calls == []
        assert nothing["numpages"] == "0"


def test_page_uris_drop_the_filters_and_defaults_apply(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=400)
    with restcomm_client(sandbox) as client:
        attributes, calls = restcomm_page(
            client.get("/Calls", params={"Status": "completed", "PageSize": 10})
        )
        assert all(text(call, "Status") == "completed" for call in calls)
        assert "Status" not in attributes["nextpageuri"]
        default, calls = restcomm_page(client.get("/Calls"))
        assert default["pagesize"] == "50"
        assert len(calls) == 50


@pytest.mark.parametrize(
    ("params", "status"),
    [({"PageSize": "0"}, 500), ({"PageSize": "ten"}, 500), ({"StartTime": "yesterday"}, 400)],
)
def test_bad_paging_parameters(restcomm: httpx.Client, params: dict[str, str], status: int) -> None:
    assert restcomm.get("/Calls", params=params).status_code == status


def test_filters(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=1500)
    with restcomm_client(sandbox) as client:
        _, calls = restcomm_page(client.get("/Calls", params={"PageSize": 1500}))
        records = [{child.tag: child.text or "" for child in call} for call in calls]

        def listed(**params: str) -> list[str]:
            return [sid for page in all_pages(client, 100, **params) for sid in page]

        def sids(keep: object) -> list[str]:
            return [r["Sid"] for r in records if keep(r)]  # type: ignore[operator]

        number = next(r["To"] for r in records if r["Direction"] == "inbound")
        suffix = number[-7:]
        assert listed(To=suffix) == sids(lambda r: r["To"].endswith(suffix))
        sender = next(r["From"] for r in records if r["Direction"] == "outbound-api")
        assert listed(From=sender) == sids(lambda r: r["From"].endswith(sender))
        # LIKE is case-sensitive: BUSY (calls Restcomm placed) and busy (inbound) differ.
        upper, lower = listed(Status="BUSY"), listed(Status="busy")
        assert upper == sids(lambda r: r["Status"] == "BUSY")
        assert lower == sids(lambda r: r["Status"] == "busy")
        assert upper
        assert lower
        day = records[700]["StartTime"][:10]
        since = listed(StartTime=day)
        assert since == sids(lambda r: r["StartTime"][:10] >= day)
        until = listed(EndTime=day)
        # Busy, no-answer and failed legs have no EndTime: the filter never takes them.
        assert until == sids(lambda r: r["EndTime"] != "" and r["EndTime"][:10] <= day)
        leg = next(r for r in records if r["ParentCallSid"])
        assert listed(ParentCallSid=leg["ParentCallSid"]) == [leg["Sid"]]


def test_the_seeded_history_has_every_shape(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=3000)
    with restcomm_client(sandbox) as client:
        _, calls = restcomm_page(client.get("/Calls", params={"PageSize": 3000}))
    records = [{child.tag: child.text or "" for child in call} for call in calls]
    statuses = {r["Status"] for r in records}
    assert {"completed", "canceled", "BUSY", "FAILED", "NO_ANSWER", "busy", "failed"} <= statuses
    assert "not-found" in statuses  # an internal value the server lets out
    directions = {r["Direction"] for r in records}
    # The server writes outbound-api on every leg it places, <Dial> legs included.
    assert directions == {"inbound", "outbound-api", "Client-To-Client"}
    short = [r for r in records if re.fullmatch(r"CA[0-9a-f]{32}", r["Sid"])]
    long = [r for r in records if re.fullmatch(r"ID[0-9a-f]{32}-CA[0-9a-f]{32}", r["Sid"])]
    assert short
    assert long
    assert len(short) + len(long) == 3000
    assert all("InstanceId" not in r for r in short)
    by_sid = {r["Sid"]: r for r in records}
    for leg in (r for r in records if r["ParentCallSid"]):
        assert leg["Direction"] == "outbound-api"
        parent = by_sid[leg["ParentCallSid"]]
        assert parent["StartTime"] < leg["StartTime"] < parent["EndTime"]
    prices = {r["Price"] for r in records}
    assert "0.00" in prices
    assert len(prices) > 5
    assert all(RFC2822.fullmatch(r["DateCreated"]) for r in records)
    assert all(ISO.fullmatch(r["StartTime"]) for r in records)
    created = [parsedate_to_datetime(r["DateCreated"]) for r in records]
    assert created == sorted(created, reverse=True)  # newest first by default
    for r in records:
        answered = r["Status"] in ("completed", "IN_PROGRESS", "in-progress")
        # EndTime and Duration only on legs that connected or were canceled.
        assert (r["EndTime"] != "") == (answered or r["Status"] == "canceled"), r
        assert (r["Duration"] != "") == (r["EndTime"] != ""), r
        assert parsedate_to_datetime(r["DateCreated"]) <= datetime.fromisoformat(r["StartTime"])
    no_plus = [r for r in records if r["Direction"] == "inbound" and not r["From"].startswith("+")]
    assert no_plus  # some trunks deliver numbers without the plus


def test_the_server_zone_shows_in_both_date_formats(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(seed_calls=5, restcomm_utc_offset_minutes=180)
    with restcomm_client(sandbox) as client:
        _, calls = restcomm_page(client.get("/Calls"))
    assert text(calls[0], "DateCreated").endswith(" +0300")
    assert text(calls[0], "StartTime").endswith("+03:00")
