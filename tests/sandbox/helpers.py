"""Raw httpx clients for each vendor side of a sandbox (no adapter involved) and small
helpers to read their answers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from telephony.sandbox import Sandbox

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
FROZEN = 1e-9  # a clock speed at which sandbox time only moves through advance()
ANSWER_URL = "https://app.example/answer"
MakeSandbox = Callable[..., Sandbox]

RFC2822 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [1-9][0-9]? "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
    r"[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}"
)
ISO_MILLIS_Z = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")


def bandwidth_client(sandbox: Sandbox, **options: Any) -> httpx.Client:
    settings = sandbox.settings("bandwidth")
    base = f"{settings['base_url']}/accounts/{settings['account_id']}"
    options.setdefault("auth", (settings["username"], settings["password"]))
    return httpx.Client(base_url=base, timeout=10, **options)


def restcomm_client(sandbox: Sandbox, **options: Any) -> httpx.Client:
    settings = sandbox.settings("restcomm")
    sid = settings["account_sid"]
    base = f"{settings['base_url']}/2012-04-24/Accounts/{sid}"
    options.setdefault("auth", (sid, settings["auth_token"]))
    return httpx.Client(base_url=base, timeout=10, **options)


def create_bandwidth(
    client: httpx.Client, sandbox: Sandbox, to: str, **fields: Any
) -> dict[str, Any]:
    body = {
        "to": to,
        "from": "+19195554321",
        "applicationId": sandbox.settings("bandwidth")["application_id"],
        "answerUrl": ANSWER_URL,
        **fields,
    }
    response = client.post("/calls", json=body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def create_restcomm(client: httpx.Client, to: str, **fields: str) -> ElementTree.Element:
    response = client.post(
        "/Calls", data={"From": "+13055550000", "To": to, "Url": ANSWER_URL, **fields}
    )
    assert response.status_code == 200, response.text
    return call_element(response)


def call_element(response: httpx.Response) -> ElementTree.Element:
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own server
    call = root if root.tag == "Call" else root.find(".//Call")
    assert call is not None, response.text
    return call


def text(call: ElementTree.Element, name: str) -> str:
    return call.findtext(name) or ""


def restcomm_page(response: httpx.Response) -> tuple[dict[str, str], list[ElementTree.Element]]:
    assert response.status_code == 200, response.text
    calls = ElementTree.fromstring(response.content).find("Calls")  # noqa: S314
    assert calls is not None
    return dict(calls.attrib), calls.findall("Call")


def follow_bandwidth(client: httpx.Client, **params: Any) -> list[list[dict[str, Any]]]:
    """Every page of a Bandwidth listing, following Link headers."""
    pages = []
    response = client.get("/calls", params=params)
    for _ in range(10_000):
        assert response.status_code == 200, response.text
        pages.append(response.json())
        following = response.links.get("next", {}).get("url")
        if following is None:
            return pages
        response = client.get(following)
    raise AssertionError("the Link chain does not end")
