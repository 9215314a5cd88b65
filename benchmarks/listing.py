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
from urllib.parse import parse_qs, urlsplit

import httpx
import xmltodict  # type: ignore[import-untyped]

from benchmarks.pages import ACCOUNT_ID, ACCOUNT_SID, BANDWIDTH_PATH, RESTCOMM_PATH
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


def _count(items: Iterator[Any]) -> int:
    seen = 0
    for _ in items:
        seen += 1
    return seen


# -- Bandwidth ---------------------------------------------------------------------------------


def _raw_bandwidth(http: httpx.Client, first_url: str) -> Iterator[Any]:
    """The practical limit: GET, json.loads, follow ``Link rel="next"``; nothing else."""
    url: str | None = first_url
    while url:
        response = http.get(url)
        response.raise_for_status()
        yield from json.loads(response.content)
        url = response.links.get("next", {}).get("url")


def _sdk_bandwidth(api: Any, page_size: int) -> Iterator[Any]:
    """bandwidth-sdk's own way: ``list_calls_with_http_info``, page token from the Link."""
    token: str | None = None
    while True:
        answer = api.list_calls_with_http_info(ACCOUNT_ID, page_size=page_size, page_token=token)
        yield from answer.data
        found = _NEXT_LINK.search((answer.headers or {}).get("Link", ""))
        if not found:
            return
        token = parse_qs(urlsplit(found.group(1)).query)["pageToken"][0]


def bandwidth_contestants(origin: str, *, page_size: int) -> tuple[list[Contestant], list[str]]:
    """raw, telephony and (when installed) bandwidth-sdk; and notes on what was left out."""
    import telephony

    notes: list[str] = []
    first_url = f"{origin}{BANDWIDTH_PATH}?pageSize={page_size}"
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
            lambda: _count(_raw_bandwidth(raw_http, first_url)),
            raw_http.close,
        ),
        Contestant(
            "telephony",
            lambda: _count(client.list_calls(page_size=page_size)),
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
                lambda: _count(_sdk_bandwidth(api, page_size)),
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


def restcomm_contestants(origin: str, *, page_size: int) -> tuple[list[Contestant], list[str]]:
    import telephony

    notes: list[str] = []
    raw_http = httpx.Client(
        auth=(ACCOUNT_SID, RESTCOMM_TOKEN), headers={"Accept": "application/xml"}
    )
    url = f"{origin}{RESTCOMM_PATH}"
    contestants = [
        Contestant(
            "raw httpx+xmltodict",
            lambda: _count(_raw_restcomm(raw_http, url, page_size)),
            raw_http.close,
        )
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
                lambda: _count(client.list_calls(page_size=page_size)),
                client.close,
            )
        )
    return contestants, notes
