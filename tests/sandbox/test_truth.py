"""End to end over the sandbox: reports built from each vendor's listing equal what really
happened to the calls (the sandbox keeps the timelines), and the merged stream of both
vendors is in creation order.

This is where an adapter that counts a Restcomm ring-time ``Duration`` as talk time, or a
listing that repeats or drops a call, shows: attempts, answered, ASR and ACD would differ."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

import telephony
from telephony.report import merge, summarize
from telephony.sandbox import TEST_NUMBERS, CallTruth, Sandbox
from tests.sandbox.helpers import MakeSandbox

PROVIDERS = ("bandwidth", "restcomm")
STAYS_UP = "+15550100007"


def truth_figures(truth: list[CallTruth]) -> tuple[int, int, float | None, timedelta, timedelta]:
    """(attempts, answered, ASR, talk time, ACD) from the sandbox's own facts."""
    attempts = [t for t in truth if t.ended]
    answered = [t for t in attempts if t.answered]
    talks = [t.talk for t in answered if t.talk is not None]
    assert len(talks) == len(answered)
    talk_time = sum(talks, timedelta())
    return (
        len(attempts),
        len(answered),
        len(answered) / len(attempts) if attempts else None,
        talk_time,
        talk_time / len(talks),
    )


def place_every_outcome(sandbox: Sandbox) -> None:
    """One call to each test number on both vendors; the long one is hung up mid-call."""
    for provider in PROVIDERS:
        with telephony.connect(provider, **sandbox.settings(provider)) as client:
            placed = {
                number: client.create_call(
                    telephony.NewCall(
                        to=number, from_="+19195550100", answer_url="https://app.example/a"
                    )
                )
                for number in TEST_NUMBERS
            }
            sandbox.advance(40)  # every short call is over; the long one talks
            client.hangup(placed[STAYS_UP].id)
    sandbox.advance(120)  # Restcomm's no-answer rings 60 s


@pytest.fixture
def sandbox(make_sandbox: MakeSandbox) -> Sandbox:
    sandbox = make_sandbox(seed_calls=300)
    place_every_outcome(sandbox)
    return sandbox


@pytest.mark.parametrize("provider", PROVIDERS)
def test_summary_of_each_listing_equals_the_truth(sandbox: Sandbox, provider: str) -> None:
    truth = sandbox.truth(provider)
    assert all(t.ended for t in truth)
    with telephony.connect(provider, **sandbox.settings(provider)) as client:
        calls = list(client.list_calls(page_size=37))
    assert [c.id for c in calls] == [t.id for t in truth]  # each call once, oldest first
    figures = summarize(calls).overall
    attempts, answered, asr, talk_time, acd = truth_figures(truth)
    assert (figures.attempts, figures.answered) == (attempts, answered)
    assert figures.asr == asr
    assert figures.talk_time == talk_time
    assert figures.acd == acd
    assert 0 < answered < attempts  # the history holds both kinds, and so do the test calls
    by_id = {c.id: c for c in calls}
    for t in truth:  # call by call, not only in total
        call = by_id[t.id]
        assert (call.answered_at is not None) == t.answered, call
        if t.answered:
            assert call.duration == t.talk, call
        else:
            assert call.duration is None, call


@pytest.mark.parametrize("provider", PROVIDERS)
def test_async_listing_agrees(sandbox: Sandbox, provider: str) -> None:
    async def listed() -> list[telephony.Call]:
        async with telephony.connect_async(provider, **sandbox.settings(provider)) as client:
            return [call async for call in client.list_calls(page_size=41)]

    calls = asyncio.run(listed())
    figures = summarize(calls).overall
    attempts, answered, asr, _, acd = truth_figures(sandbox.truth(provider))
    assert (figures.attempts, figures.answered, figures.asr, figures.acd) == (
        attempts,
        answered,
        asr,
        acd,
    )


def test_merge_over_both_vendors_is_in_creation_order(sandbox: Sandbox) -> None:
    clients = [telephony.connect(p, **sandbox.settings(p)) for p in PROVIDERS]
    try:
        merged = list(merge(*(c.list_calls(page_size=50) for c in clients), names=PROVIDERS))
    finally:
        for client in clients:
            client.close()
    created = [c.created_at for c in merged]
    assert None not in created
    assert created == sorted(created)  # type: ignore[type-var]
    expected = sum(len(sandbox.truth(p)) for p in PROVIDERS)
    assert len(merged) == len({(c.provider, c.id) for c in merged}) == expected


def test_restcomm_numbers_stored_without_plus_are_found_by_e164(sandbox: Sandbox) -> None:
    with telephony.connect("restcomm", **sandbox.settings("restcomm")) as client:
        calls = list(client.list_calls(page_size=100))
        bare = next(c for c in calls if c.from_ and c.from_[0].isdigit())
        wanted = "+" + bare.from_  # type: ignore[operator]
        found = list(client.list_calls(from_=wanted))
    expected = [c.id for c in calls if c.from_ in (wanted, bare.from_)]
    assert [c.id for c in found] == expected
    assert bare.id in expected
    assert {c.from_ for c in found} == {wanted, bare.from_} & {c.from_ for c in calls}
