"""``Client`` and ``AsyncClient``: thin drivers of the adapters' sans-IO flows.

Everything but the send loop is written once, in ``telephony._base`` (``BaseClient``,
``Listing``): argument checks, the flow each operation runs, listing and ``limit``
bookkeeping, retry decisions, the retry budget and their log lines. The two clients here only
send, sleep and iterate.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar, Unpack

import httpx

from telephony._adapter import Adapter, Flow
from telephony._base import (
    DEFAULT_TIMEOUT,
    BaseClient,
    Listing,
    RetryNotice,
    http_kwargs,
    same_doc,
    transport_error,
)
from telephony._body import aread_body, read_body
from telephony._errors import NotFoundError, ValidationError
from telephony._filters import FilterArgs
from telephony._models import Call, NewCall, Page
from telephony._retry import RetryBudget

if TYPE_CHECKING:
    from telephony._wait import Until

__all__ = ["DEFAULT_TIMEOUT", "AsyncClient", "Client", "RetryNotice"]

T = TypeVar("T")


class Client(BaseClient):
    """The synchronous client. Make one with ``telephony.connect(...)``; use it as a context
    manager or call ``close()``."""

    def __init__(
        self,
        adapter: Adapter,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        backoff: float = 0.5,
        max_retry_wait: float | None = None,
    ) -> None:
        super().__init__(
            adapter,
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
            max_retry_wait=max_retry_wait,
        )
        if transport is not None and not isinstance(transport, httpx.BaseTransport):
            raise ValidationError(
                "must be an httpx transport (httpx.BaseTransport)", field="transport"
            )
        transport = transport or adapter.default_transport()
        self._http = httpx.Client(transport=transport, **http_kwargs(adapter, timeout))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections (``with`` does it for you)."""
        self._http.close()
        self.adapter.close()

    def _send(self, request: httpx.Request, budget: RetryBudget) -> httpx.Response:
        attempt = 0
        while True:
            self._log_send(request)
            try:
                # Streamed, so the body is read with a size cap (telephony._body).
                response = self._http.send(request, stream=True)
                retry = self._retry_response(request, response, attempt, budget)
                if retry is None:
                    return read_body(response, provider=self.provider)
                response.close()
            except httpx.TransportError as exc:
                failure = exc  # raised from below, outside this block: see transport_error
                retry = self._retry_error(request, failure, attempt, budget)
            if retry is None:
                raise transport_error(failure, request)
            time.sleep(retry.wait)
            attempt += 1

    def _run(self, flow: Flow[T], budget: RetryBudget) -> T:
        try:
            request = next(flow)
            while True:
                request = flow.send(self._send(request, budget))
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        finally:
            flow.close()  # a failed send leaves the flow suspended: let it clean up

    def run(self, flow: Flow[T]) -> T:
        """Drive an adapter flow to its result: how vendor-only operations (e.g.
        ``telephony.adapters.restcomm.modify_call``) run on this client's connection and
        retries. The flow is closed when a send fails."""
        return self._run(flow, self.retry.budget())

    def create_call(self, new_call: NewCall) -> Call:
        """Place a call. Never resent once the request may have reached the vendor."""
        return self.run(self.adapter.create_call(new_call))

    def get_call(self, call_id: str) -> Call:
        """The call's current state."""
        return self.run(self._get_flow(call_id))

    def hangup(self, call_id: str) -> None:
        """End the call (cancel it if it was not answered yet)."""
        self.run(self._hangup_flow(call_id))

    def redirect(self, call_id: str, url: str, *, method: str = "POST") -> None:
        """Make the call fetch new instructions from ``url``."""
        self.run(self._redirect_flow(call_id, url, method))

    def replace_bxml(self, call_id: str, bxml: str) -> None:
        """Bandwidth only: replace the running BXML document."""
        self.run(self._bxml_flow(call_id, bxml))

    def wait_for_call(
        self,
        call_id: str,
        *,
        timeout: float,
        until: Until = None,
        interval: float = 0.5,
        max_interval: float = 10.0,
    ) -> Call:
        """Read the call until ``until`` holds (default: it has ended) and return it; without
        webhooks, how to know a call is over. ``until`` is a ``CallStatus``, several, or a
        function of the ``Call``. Reads back off from ``interval`` to ``max_interval`` seconds;
        a call not found yet is waited for (a near-real-time API answers 404 for a call made
        moments ago), one that disappears after being seen raises ``NotFoundError``.
        ``WaitTimeoutError`` (with the last ``call`` read) after ``timeout`` seconds."""
        waiter = self._waiter(call_id, timeout, until, interval, max_interval)
        while True:
            read: Call | NotFoundError
            try:
                read = self.get_call(call_id)
            except NotFoundError as error:
                read = error
            step = waiter.step(read, time.monotonic())
            if isinstance(step, Call):
                return step
            time.sleep(step)

    def get_page(
        self,
        cursor: str | None = None,
        *,
        page_size: int | None = None,
        **filters: Unpack[FilterArgs],
    ) -> Page[Call]:
        """One page of calls. Pass ``page.next_cursor`` back (even in another process) for
        the next one; a cursor carries the filters and page size it was made with. Filters
        (``to``, ``from_``, ``status``, ``started_after``, ``started_before``, ``parent_id``)
        are those of ``list_calls``."""
        return self.run(self._page_flow(cursor, page_size, filters))

    def list_calls(
        self,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        **filters: Unpack[FilterArgs],
    ) -> Iterator[Call]:
        """Every matching call, oldest first, fetching each page only when it is reached.

        Filters: ``to`` / ``from_`` (exact), ``status`` (a ``CallStatus`` or several),
        ``started_after`` / ``started_before`` (timezone-aware, inclusive), ``parent_id``.
        ``limit`` stops after that many calls. Arguments are checked here, before the first
        request; ``max_retry_wait`` bounds the waiting of the whole listing."""
        return self._iterate(self._listing(page_size, limit, filters))

    def _iterate(self, listing: Listing) -> Iterator[Call]:
        budget = self.retry.budget()
        while (flow := listing.next_flow()) is not None:
            yield from listing.take(self._run(flow, budget))


async def _async_sleep(seconds: float) -> None:
    import anyio  # asyncio or trio, whichever runs us; imported only by async users

    await anyio.sleep(seconds)


class AsyncClient(BaseClient):
    """The asyncio (and trio) client: the same operations, awaited."""

    def __init__(
        self,
        adapter: Adapter,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        backoff: float = 0.5,
        max_retry_wait: float | None = None,
    ) -> None:
        super().__init__(
            adapter,
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
            max_retry_wait=max_retry_wait,
        )
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise ValidationError(
                "must be an httpx async transport (httpx.AsyncBaseTransport)", field="transport"
            )
        transport = transport or adapter.default_transport()
        self._http = httpx.AsyncClient(transport=transport, **http_kwargs(adapter, timeout))

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (``async with`` does it for you)."""
        await self._http.aclose()
        self.adapter.close()

    async def _send(self, request: httpx.Request, budget: RetryBudget) -> httpx.Response:
        attempt = 0
        while True:
            self._log_send(request)
            try:
                # Streamed, so the body is read with a size cap (telephony._body).
                response = await self._http.send(request, stream=True)
                retry = self._retry_response(request, response, attempt, budget)
                if retry is None:
                    return await aread_body(response, provider=self.provider)
                await response.aclose()
            except httpx.TransportError as exc:
                failure = exc  # raised from below, outside this block: see transport_error
                retry = self._retry_error(request, failure, attempt, budget)
            if retry is None:
                raise transport_error(failure, request)
            await _async_sleep(retry.wait)
            attempt += 1

    async def _run(self, flow: Flow[T], budget: RetryBudget) -> T:
        try:
            request = next(flow)
            while True:
                request = flow.send(await self._send(request, budget))
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        finally:
            flow.close()

    @same_doc(Client.run)
    async def run(self, flow: Flow[T]) -> T:
        return await self._run(flow, self.retry.budget())

    @same_doc(Client.create_call)
    async def create_call(self, new_call: NewCall) -> Call:
        return await self.run(self.adapter.create_call(new_call))

    @same_doc(Client.get_call)
    async def get_call(self, call_id: str) -> Call:
        return await self.run(self._get_flow(call_id))

    @same_doc(Client.hangup)
    async def hangup(self, call_id: str) -> None:
        await self.run(self._hangup_flow(call_id))

    @same_doc(Client.redirect)
    async def redirect(self, call_id: str, url: str, *, method: str = "POST") -> None:
        await self.run(self._redirect_flow(call_id, url, method))

    @same_doc(Client.replace_bxml)
    async def replace_bxml(self, call_id: str, bxml: str) -> None:
        await self.run(self._bxml_flow(call_id, bxml))

    @same_doc(Client.wait_for_call)
    async def wait_for_call(
        self,
        call_id: str,
        *,
        timeout: float,
        until: Until = None,
        interval: float = 0.5,
        max_interval: float = 10.0,
    ) -> Call:
        waiter = self._waiter(call_id, timeout, until, interval, max_interval)
        while True:
            read: Call | NotFoundError
            try:
                read = await self.get_call(call_id)
            except NotFoundError as error:
                read = error
            step = waiter.step(read, time.monotonic())
            if isinstance(step, Call):
                return step
            await _async_sleep(step)

    @same_doc(Client.get_page)
    async def get_page(
        self,
        cursor: str | None = None,
        *,
        page_size: int | None = None,
        **filters: Unpack[FilterArgs],
    ) -> Page[Call]:
        return await self.run(self._page_flow(cursor, page_size, filters))

    @same_doc(Client.list_calls)
    def list_calls(
        self,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        **filters: Unpack[FilterArgs],
    ) -> AsyncIterator[Call]:
        return self._iterate(self._listing(page_size, limit, filters))

    async def _iterate(self, listing: Listing) -> AsyncIterator[Call]:
        budget = self.retry.budget()
        while (flow := listing.next_flow()) is not None:
            for call in listing.take(await self._run(flow, budget)):
                yield call
