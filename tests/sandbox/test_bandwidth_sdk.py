"""Bandwidth's own client, the official ``bandwidth-sdk``, against the sandbox: every Calls
operation it has. The sandbox must take what the real server takes, and the SDK sends more
than the spec's prose allows (``redirectMethod`` / ``redirectFallbackMethod`` defaults on every
update, hang-ups with ``state: completed`` included)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import bandwidth  # type: ignore[import-untyped]  # the official SDK, in the test extra
import pytest

from telephony.sandbox import Sandbox
from tests.sandbox.helpers import MakeSandbox

_NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')
ANSWERS_AND_STAYS = "+15550100007"  # telephony.sandbox.TEST_NUMBERS


@pytest.fixture
def sdk(make_sandbox: MakeSandbox) -> Iterator[tuple[Any, Sandbox]]:
    sandbox = make_sandbox(seed_calls=25)
    settings = sandbox.settings("bandwidth")
    configuration = bandwidth.Configuration(
        host=settings["base_url"],
        username=settings["username"],
        password=settings["password"],
        ignore_operation_servers=True,  # else it calls the vendor's own host
    )
    with bandwidth.ApiClient(configuration) as api_client:
        yield bandwidth.CallsApi(api_client), sandbox


def test_the_official_sdk_drives_every_calls_operation(sdk: tuple[Any, Sandbox]) -> None:
    api, sandbox = sdk
    account = sandbox.settings("bandwidth")["account_id"]

    # create
    created = api.create_call(
        account,
        bandwidth.CreateCall(
            to=ANSWERS_AND_STAYS,
            var_from="+19195550100",
            application_id=sandbox.settings("bandwidth")["application_id"],
            answer_url="https://app.example/answer",
        ),
    )
    assert created.call_id.startswith("c-")
    assert created.account_id == account

    # list, page by page, following the Link header as the SDK's docs say
    listed: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        answer = api.list_calls_with_http_info(account, page_size=7, page_token=token)
        assert answer.status_code == 200
        listed.extend(state.call_id for state in answer.data)
        pages += 1
        found = _NEXT.search((answer.headers or {}).get("Link", ""))
        if found is None:
            break
        token = parse_qs(urlsplit(found.group(1)).query)["pageToken"][0]
    assert pages == 4  # 26 calls, 7 a page
    assert len(listed) == len(set(listed)) == 26
    assert listed[-1] == created.call_id  # oldest first: the new call comes last

    # get
    state = api.get_call_state(account, created.call_id)
    assert state.call_id == created.call_id
    assert state.state == "queued"

    sandbox.advance(10)  # answered after 2 s queued and 5 s ringing
    assert api.get_call_state(account, created.call_id).state == "answered"

    # redirect
    api.update_call(
        account,
        created.call_id,
        bandwidth.UpdateCall(redirect_url="https://app.example/next"),
    )
    # replace BXML
    api.update_call_bxml(
        account,
        created.call_id,
        '<?xml version="1.0" encoding="UTF-8"?><Bxml><SpeakSentence>Hi</SpeakSentence></Bxml>',
    )
    # hang up: the SDK sends redirectMethod/redirectFallbackMethod defaults with it
    api.update_call(account, created.call_id, bandwidth.UpdateCall(state="completed"))
    ended = api.get_call_state(account, created.call_id)
    assert (ended.state, ended.disconnect_cause) == ("disconnected", "hangup")

    # unknown call: the SDK's own typed 404
    with pytest.raises(bandwidth.exceptions.NotFoundException) as info:
        api.get_call_state(account, "c-00000000-0000-0000-0000-000000000000")
    assert info.value.status == 404


def test_the_sdk_hang_up_body_is_what_the_sandbox_now_takes(sdk: tuple[Any, Sandbox]) -> None:
    # What the SDK puts on the wire for a hang-up: the method defaults come along.
    body = bandwidth.UpdateCall(state="completed").to_dict()
    assert body["state"] == "completed"
    assert {"redirectMethod", "redirectFallbackMethod"} <= set(body)
