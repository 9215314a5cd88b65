"""The contract every adapter passes, as a pytest class to subclass (fsspec-style).

::

    from telephony.testing.contract import AdapterContract, ContractSetup

    class TestMyProvider(AdapterContract):
        @pytest.fixture
        def setup(self) -> Iterator[ContractSetup]:
            with my_test_server() as server:
                yield ContractSetup(provider="mine", settings=server.settings(), ...)

Every test runs once with ``Client`` and once with ``AsyncClient``. The server behind
``settings`` must hold at least six calls already, and ``answering_to`` must be a destination
whose calls answer and stay up until hung up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import attrs
import pytest

import telephony
from telephony._models import Call, CallStatus, Direction, NewCall

__all__ = ["AdapterContract", "ContractSetup"]


@attrs.frozen(kw_only=True)
class ContractSetup:
    provider: str
    settings: dict[str, Any]
    from_number: str
    answering_to: str
    invalid_to: str = "not a number"
    unknown_call_id: str = "no-such-call-0000"
    answer_url: str = "https://app.example/answer"
    wait_seconds: float = 10.0
    """How long a live call may take to be answered or to end (the server's clock)."""
    answer: Callable[[str], None] | None = None
    """Make the call answer now (a fake's hook); None polls until the server answers it."""
    options: object | None = None


class _Runner:
    """One interface over Client and AsyncClient, so each test runs against both."""

    def __init__(self, mode: str, setup: ContractSetup) -> None:
        self.mode = mode
        self.setup = setup
        settings = {"max_retries": 0, **setup.settings}
        if mode == "sync":
            self.client: Any = telephony.connect(setup.provider, **settings)
        else:
            self.loop = asyncio.new_event_loop()
            self.client = telephony.connect_async(setup.provider, **settings)

    def do(self, name: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.client, name)(*args, **kwargs)
        return result if self.mode == "sync" else self.loop.run_until_complete(result)

    def calls(self, **kwargs: Any) -> list[Call]:
        if self.mode == "sync":
            return list(self.client.list_calls(**kwargs))

        async def collect() -> list[Call]:
            return [call async for call in self.client.list_calls(**kwargs)]

        return self.loop.run_until_complete(collect())

    def close(self) -> None:
        if self.mode == "sync":
            self.client.close()
        else:
            self.loop.run_until_complete(self.client.aclose())
            self.loop.close()

    def new_call(self, **overrides: Any) -> NewCall:
        fields = {
            "to": self.setup.answering_to,
            "from_": self.setup.from_number,
            "answer_url": self.setup.answer_url,
            "options": self.setup.options,
        }
        return NewCall(**{**fields, **overrides})

    def wait_for(self, call_id: str, done: Callable[[Call], bool]) -> Call:
        deadline = time.monotonic() + self.setup.wait_seconds
        while True:
            call: Call = self.do("get_call", call_id)
            if done(call) or time.monotonic() > deadline:
                return call
            time.sleep(0.02)

    def answered_call(self) -> Call:
        call: Call = self.do("create_call", self.new_call())
        if self.setup.answer is not None:
            self.setup.answer(call.id)
        live = self.wait_for(call.id, lambda c: c.status is CallStatus.IN_PROGRESS)
        assert live.status is CallStatus.IN_PROGRESS, live
        return live


def _aware(moment: datetime | None) -> bool:
    return moment is None or moment.utcoffset() is not None


class AdapterContract:
    """Subclass and provide a ``setup`` fixture returning a ``ContractSetup``."""

    @pytest.fixture
    def setup(self) -> ContractSetup:
        raise NotImplementedError("subclass AdapterContract and provide a `setup` fixture")

    @pytest.fixture(params=["sync", "async"])
    def api(self, request: pytest.FixtureRequest, setup: ContractSetup) -> Iterator[_Runner]:
        runner = _Runner(request.param, setup)
        yield runner
        runner.close()

    def test_create_call_returns_a_live_outbound_call(self, api: _Runner) -> None:
        call = api.do("create_call", api.new_call())
        assert call.provider == api.setup.provider
        assert call.id
        assert call.status in (CallStatus.QUEUED, CallStatus.RINGING, CallStatus.IN_PROGRESS)
        assert call.direction is Direction.OUTBOUND_API
        assert call.to == api.setup.answering_to
        assert _aware(call.created_at)

    def test_get_call_returns_the_created_call(self, api: _Runner) -> None:
        created = api.do("create_call", api.new_call())
        fetched = api.wait_for(created.id, lambda c: True)
        assert (fetched.id, fetched.to, fetched.provider) == (
            created.id,
            created.to,
            api.setup.provider,
        )
        assert isinstance(fetched.status, CallStatus)

    def test_unknown_call_is_not_found(self, api: _Runner) -> None:
        with pytest.raises(telephony.NotFoundError) as info:
            api.do("get_call", api.setup.unknown_call_id)
        assert info.value.provider == api.setup.provider

    def test_invalid_destination_is_refused_before_sending(self, api: _Runner) -> None:
        with pytest.raises(telephony.ValidationError) as info:
            api.do("create_call", api.new_call(to=api.setup.invalid_to))
        assert info.value.field == "to"

    def test_listing_is_typed_and_oldest_first(self, api: _Runner) -> None:
        calls = api.calls(limit=20)
        assert 6 <= len(calls) <= 20
        created = [c.created_at for c in calls if c.created_at is not None]
        assert created == sorted(created)
        for call in calls:
            assert call.provider == api.setup.provider
            assert isinstance(call.status, CallStatus)
            assert isinstance(call.direction, Direction)
            for moment in (call.created_at, call.started_at, call.answered_at, call.ended_at):
                assert _aware(moment)
            assert call.duration is None or call.duration.total_seconds() >= 0

    def test_pages_chain_through_cursors(self, api: _Runner) -> None:
        first = api.do("get_page", page_size=3)
        assert len(first.items) <= 3
        assert isinstance(first.next_cursor, str)
        second = api.do("get_page", first.next_cursor)
        paged = [c.id for c in [*first.items, *second.items]]
        listed = [c.id for c in api.calls(page_size=3, limit=len(paged))]
        assert paged == listed
        assert len(set(paged)) == len(paged)

    def test_limit_is_exact(self, api: _Runner) -> None:
        assert len(api.calls(page_size=2, limit=5)) == 5

    def test_status_filter_keeps_only_that_status(self, api: _Runner) -> None:
        calls = api.calls(status=CallStatus.COMPLETED, limit=10)
        assert all(call.status is CallStatus.COMPLETED for call in calls)

    def test_naive_datetimes_are_refused(self, api: _Runner) -> None:
        with pytest.raises(telephony.ValidationError):
            api.calls(started_after=datetime(2024, 1, 1))

    def test_a_cursor_from_another_provider_is_refused(self, api: _Runner) -> None:
        from telephony.toolkit import encode_cursor

        foreign = encode_cursor("someone-else", {"o": 0})
        with pytest.raises(telephony.ValidationError):
            api.do("get_page", foreign)

    def test_hangup_ends_a_live_call(self, api: _Runner) -> None:
        call = api.answered_call()
        assert api.do("hangup", call.id) is None
        ended = api.wait_for(call.id, lambda c: c.status.is_terminal)
        assert ended.status is CallStatus.COMPLETED

    def test_redirect_a_live_call(self, api: _Runner) -> None:
        call = api.answered_call()
        assert api.do("redirect", call.id, "https://app.example/next", method="POST") is None
        api.do("hangup", call.id)

    def test_replace_bxml_follows_capabilities(self, api: _Runner) -> None:
        bxml = "<?xml version='1.0' encoding='UTF-8'?><Bxml><Hangup/></Bxml>"
        if api.client.capabilities.replace_bxml:
            call = api.answered_call()
            assert api.do("replace_bxml", call.id, bxml) is None
        else:
            with pytest.raises(telephony.UnsupportedOperationError):
                api.do("replace_bxml", "any-call", bxml)
