"""The listing contestants: each lists every call the page server holds, record by record.

A contestant is built once (client, connection pool, converters: set-up is not timed) and
then called once per round; it returns how many calls it saw. All of them keep one
keep-alive connection, follow the server's paging the way their vendor documents, and hand
each record to the same counting loop, so the only difference is what they do per page and
per record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.etree import ElementTree

import httpx
import xmltodict  # type: ignore[import-untyped]

from benchmarks.pages import (
    ACCOUNT_ID,
    ACCOUNT_SID,
    BANDWIDTH_LISTING_CAP,
    BANDWIDTH_PATH,
    RESTCOMM_PATH,
)
from benchmarks.server import BANDWIDTH_PASSWORD, BANDWIDTH_USER, RESTCOMM_TOKEN

__all__ = [
    "SDK_INSTALL_HINT",
    "Contestant",
    "bandwidth_contestants",
    "restcomm_contestants",
]

SDK_INSTALL_HINT = "pip install bandwidth-sdk==23.3.1"
_NEXT_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')


@dataclass
class Contestant:
    name: str
    run: Callable[[], int]
    close: Callable[[], None]


def _count(items: Iterator[Any], most: int) -> int:
    seen = 0
    for _ in items:
        seen += 1
        if seen > most:  # a contestant that pages forever must not hang the run
            raise RuntimeError(f"listed more than {most} calls")
    return seen


# -- Bandwidth ---------------------------------------------------------------------------------
# Bandwidth answers at most 10,000 calls per query. Past that, a listing asks again with
# minStartTime at the last start time seen; the calls seen at that instant come back and are
# skipped. Raw and SDK do the least that lists every call once (start times are distinct here).


def _raw_bandwidth(http: httpx.Client, calls_url: str, page_size: int) -> Iterator[Any]:
    """The practical limit: GET, json.loads, follow ``Link rel="next"``; nothing else."""
    query = urlencode({"pageSize": page_size})
    skip: set[str] = set()
    while True:
        url: str | None = f"{calls_url}?{query}"
        listed, last = 0, None
        while url:
            response = http.get(url)
            response.raise_for_status()
            records = json.loads(response.content)
            listed += len(records)
            last = records[-1] if records else last
            if skip:
                records = [r for r in records if r["callId"] not in skip]
                skip = set()
            yield from records
            url = response.links.get("next", {}).get("url")
        if listed < BANDWIDTH_LISTING_CAP or last is None:
            return
        query = urlencode({"pageSize": page_size, "minStartTime": last["startTime"]})
        skip = {last["callId"]}


def _sdk_bandwidth(api: Any, page_size: int) -> Iterator[Any]:
    """bandwidth-sdk's own way: ``list_calls_with_http_info``, page token from the Link."""
    since: str | None = None
    skip: set[str] = set()
    while True:
        token: str | None = None
        listed, last = 0, None
        while True:
            answer = api.list_calls_with_http_info(
                ACCOUNT_ID, page_size=page_size, page_token=token, min_start_time=since
            )
            calls = answer.data
            listed += len(calls)
            last = calls[-1] if calls else last
            if skip:
                calls = [c for c in calls if c.call_id not in skip]
                skip = set()
            yield from calls
            found = _NEXT_LINK.search((answer.headers or {}).get("Link", ""))
            if not found:
                break
            token = parse_qs(urlsplit(found.group(1)).query)["pageToken"][0]
        if listed < BANDWIDTH_LISTING_CAP or last is None:
            return
        since = last.start_time.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        skip = {last.call_id}


def bandwidth_contestants(
    origin: str, *, page_size: int, calls: int
) -> tuple[list[Contestant], list[str]]:
    """raw, telephony and (when installed) bandwidth-sdk; and notes on what was left out."""
    import telephony

    notes: list[str] = []
    calls_url = f"{origin}{BANDWIDTH_PATH}"
    most = 2 * calls + 10
    raw_http = httpx.Client(
        auth=(BANDWIDTH_USER, BANDWIDTH_PASSWORD), headers={"Accept": "application/json"}
    )
    client = telephony.connect(
        "bandwidth",
        account_id=ACCOUNT_ID,
        username=BANDWIDTH_USER,
        password=BANDWIDTH_PASSWORD,
        base_url=f"{origin}/api/v2",
        max_retries=0,
    )
    contestants = [
        Contestant(
            "raw httpx+json",
            lambda: _count(_raw_bandwidth(raw_http, calls_url, page_size), most),
            raw_http.close,
        ),
        Contestant(
            "telephony",
            lambda: _count(client.list_calls(page_size=page_size), most),
            client.close,
        ),
    ]
    try:
        import bandwidth  # type: ignore[import-untyped]
    except ImportError:
        notes.append(f"bandwidth-sdk is not installed, left out ({SDK_INSTALL_HINT})")
    else:
        version = getattr(bandwidth, "__version__", "?")
        if version != "23.3.1":
            notes.append(f"bandwidth-sdk is {version}, not the 23.3.1 the targets refer to")
        configuration = bandwidth.Configuration(
            host=f"{origin}/api/v2",
            username=BANDWIDTH_USER,
            password=BANDWIDTH_PASSWORD,
            ignore_operation_servers=True,  # else it calls the vendor's own host
        )
        api_client = bandwidth.ApiClient(configuration)
        api = bandwidth.CallsApi(api_client)
        contestants.append(
            Contestant(
                "bandwidth-sdk",
                lambda: _count(_sdk_bandwidth(api, page_size), most),
                api_client.close if hasattr(api_client, "close") else lambda: None,
            )
        )
    return contestants, notes


# -- Restcomm ----------------------------------------------------------------------------------


def _raw_restcomm(http: httpx.Client, url: str, page_size: int) -> Iterator[Any]:
    """The limit for xmltodict: ask Page=0,1,... and stop at a short page or a 400, as the
    adapter does; parse with ``force_list=("Call",)``; nothing else."""
    number = 0
    while True:
        response = http.get(url, params={"Page": str(number), "PageSize": str(page_size)})
        if response.status_code == 400 and number > 0:
            return
        response.raise_for_status()
        document = xmltodict.parse(response.content, force_list=("Call",))
        calls = (document["RestcommResponse"]["Calls"] or {}).get("Call", [])
        yield from calls
        if len(calls) < page_size:
            return
        number += 1


def _raw_restcomm_etree(http: httpx.Client, url: str, page_size: int) -> Iterator[Any]:
    """The second reference: the same requests, parsed with ``ElementTree`` (C), each Call
    as a dict of its children's text; no safety checks, no normalization."""
    number = 0
    while True:
        response = http.get(url, params={"Page": str(number), "PageSize": str(page_size)})
        if response.status_code == 400 and number > 0:
            return
        response.raise_for_status()
        container = ElementTree.fromstring(response.content).find("Calls")
        calls = [] if container is None else container.findall("Call")
        for call in calls:
            yield {child.tag: child.text for child in call}
        if len(calls) < page_size:
            return
        number += 1


def restcomm_contestants(
    origin: str, *, page_size: int, calls: int
) -> tuple[list[Contestant], list[str]]:
    import telephony

    notes: list[str] = []
    raw_http = httpx.Client(
        auth=(ACCOUNT_SID, RESTCOMM_TOKEN), headers={"Accept": "application/xml"}
    )
    url = f"{origin}{RESTCOMM_PATH}"
    most = 2 * calls + 10
    contestants = [
        Contestant(
            "raw httpx+xmltodict",
            lambda: _count(_raw_restcomm(raw_http, url, page_size), most),
            raw_http.close,
        ),
        Contestant(
            "raw httpx+ElementTree",
            lambda: _count(_raw_restcomm_etree(raw_http, url, page_size), most),
            lambda: None,  # shares raw_http with the xmltodict row
        ),
    ]
    try:
        client = telephony.connect(
            "restcomm",
            base_url=f"{origin}/restcomm",
            account_sid=ACCOUNT_SID,
            auth_token=RESTCOMM_TOKEN,
            max_retries=0,
        )
    except (ImportError, telephony.ValidationError) as exc:
        notes.append(f"telephony's Restcomm adapter is not available yet, left out ({exc})")
    else:
        contestants.append(
            Contestant(
                "telephony",
                lambda: _count(client.list_calls(page_size=page_size), most),
                client.close,
            )
        )
    return contestants, notes
