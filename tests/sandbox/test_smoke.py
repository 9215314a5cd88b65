from __future__ import annotations

import httpx

from telephony.sandbox import Sandbox


def test_both_vendors_answer_with_their_own_formats(
    sandbox: Sandbox, bandwidth: httpx.Client, restcomm: httpx.Client
) -> None:
    listed = bandwidth.get("/calls")
    assert listed.status_code == 200
    assert listed.headers["content-type"] == "application/json"
    assert listed.json() == []
    page = restcomm.get("/Calls")
    assert page.status_code == 200
    assert page.headers["content-type"] == "application/xml"
    assert page.text.startswith("<RestcommResponse>")
