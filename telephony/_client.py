"""``Client`` and ``AsyncClient``: thin drivers of the adapters' sans-IO flows."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from telephony._adapter import Adapter, Flow
from telephony._body import ACCEPT_ENCODING, aread_body, read_body
from telephony._errors import TransportError, ValidationError
from telephony._filters import CallFilter, StatusArg
from telephony._models import Call, Capabilities, NewCall, Page
from telephony._retry import RetryPolicy

__all__ = ["AsyncClient", "Client"]

T = TypeVar("T")
log = logging.getLogger("telephony")

DEFAULT_TIMEOUT = 30.0
USER_AGENT = "telephony-python/0.1"


def _check_limit(limit: int | None) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValidationError("must be a whole number >= 0", field="limit")


def _check_id(call_id: str) -> str:
    if not isinstance(call_id, str) or not call_id.strip() or "/" in call_id:
        raise ValidationError("must be a non-empty call id without '/'", field="call_id")
    return call_id


def _shown(url: httpx.URL) -> httpx.URL:
    """The URL as it may appear in logs and errors: never with user:password in it."""
    return url.copy_with(username=None, password=None) if url.userinfo else url


def _transport_error(exc: httpx.TransportError, request: httpx.Request) -> TransportError:
    # Headers (credentials) are never included.
    url = _shown(request.url)
    return TransportError(f"{request.method} {url} failed: {type(exc).__name__}: {exc}")


_NO_FILTER = CallFilter()


class _BaseClient:
    def __init__(self, adapter: Adapter, *, max_retries: int, backoff: float) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValidationError("must be a whole number >= 0", field="max_retries")
        self.adapter = adapter
        self.retry = RetryPolicy(max_retries=max_retries, backoff=backoff)

    @property
    def provider(self) -> str:
        return self.adapter.name

    @property
    def capabilities(self) -> Capabilities:
        return self.adapter.capabilities

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.adapter!r})"

    @staticmethod
    def _filters(
        to: str | None,
        from_: str | None,
        status: StatusArg,
        started_after: datetime | None,
        started_before: datetime | None,
        parent_id: str | None,
    ) -> CallFilter:
        return CallFilter.build(
            to=to,
            from_=from_,
            status=status,
            started_after=started_after,
            started_before=started_before,
            parent_id=parent_id,
        )

    def _following(self, page: Page[Call]) -> Flow[Page[Call]] | None:
        """The flow for the page after ``page``, or None after the last one."""
        if page.next_cursor is None:
            return None
        return self.adapter.get_page(cursor=page.next_cursor, page_size=None, filters=_NO_FILTER)

    def _page_flow(
        self, cursor: str | None, page_size: int | None, filters: CallFilter
    ) -> Flow[Page[Call]]:
        if cursor is not None and not filters.is_empty:
            raise ValidationError(
                "a cursor carries its own filters: pass either cursor or filters", field="cursor"
            )
        return self.adapter.get_page(cursor=cursor, page_size=page_size, filters=filters)


def _http_kwargs(adapter: Adapter, timeout: float | httpx.Timeout | None) -> dict[str, Any]:
    return {
        "auth": adapter.auth,
        "timeout": timeout,
        "follow_redirects": False,  # a redirect could carry our credentials elsewhere
        "headers": {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
    }


class Client(_BaseClient):
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
    ) -> None:
        super().__init__(adapter, max_retries=max_retries, backoff=backoff)
        transport = transport or adapter.default_transport()
        self._http = httpx.Client(transport=transport, **_http_kwargs(adapter, timeout))

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
        self._http.close()
        self.adapter.close()

    def _send(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            log.debug("%s %s", request.method, _shown(request.url))
            try:
                # Streamed, so the body is read with a size cap (telephony._body).
                response = self._http.send(request, stream=True)
                wait = self.retry.after_response(request, response, attempt)
                if wait is None:
                    return read_body(response, provider=self.provider)
                response.close()
            except httpx.TransportError as exc:
                wait = self.retry.after_error(request, exc, attempt)
                if wait is None:
                    raise _transport_error(exc, request) from exc
            log.info("retrying %s %s in %.2fs", request.method, _shown(request.url), wait)
            time.sleep(wait)
            attempt += 1

    def run(self, flow: Flow[T]) -> T:
        """Drive an adapter flow to its result: how vendor-only operations (e.g.
        ``telephony.adapters.restcomm.modify_call``) run on this client's connection and retries."""
        try:
            request = next(flow)
            while True:
                request = flow.send(self._send(request))
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    def create_call(self, new_call: NewCall) -> Call:
        """Place a call. Never resent once the request may have reached the vendor."""
        return self.run(self.adapter.create_call(new_call))

    def get_call(self, call_id: str) -> Call:
        return self.run(self.adapter.get_call(_check_id(call_id)))

    def hangup(self, call_id: str) -> None:
        """End the call (cancel it if it was not answered yet)."""
        self.run(self.adapter.hangup(_check_id(call_id)))

    def redirect(self, call_id: str, url: str, *, method: str = "POST") -> None:
        """Make the call fetch new instructions from ``url``."""
        self.run(self.adapter.redirect(_check_id(call_id), url, method=method))

    def replace_bxml(self, call_id: str, bxml: str) -> None:
        """Bandwidth only: replace the running BXML document."""
        self.run(self.adapter.replace_bxml(_check_id(call_id), bxml))

    def get_page(
        self,
        cursor: str | None = None,
        *,
        page_size: int | None = None,
        to: str | None = None,
        from_: str | None = None,
        status: StatusArg = None,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        parent_id: str | None = None,
    ) -> Page[Call]:
        """One page of calls. Pass ``page.next_cursor`` back (even in another process) for
        the next one; a cursor carries the filters and page size it was made with."""
        filters = self._filters(to, from_, status, started_after, started_before, parent_id)
        return self.run(self._page_flow(cursor, page_size, filters))

    def list_calls(
        self,
        *,
        to: str | None = None,
        from_: str | None = None,
        status: StatusArg = None,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        parent_id: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> Iterator[Call]:
        """Every matching call, oldest first, fetching each page only when it is reached."""
        filters = self._filters(to, from_, status, started_after, started_before, parent_id)
        _check_limit(limit)
        first = self._page_flow(None, page_size, filters)  # validates before iteration
        return self._iterate(first, limit)

    def _iterate(self, flow: Flow[Page[Call]] | None, limit: int | None) -> Iterator[Call]:
        left = limit
        while flow is not None and left != 0:
            page = self.run(flow)
            items = page.items if left is None else page.items[:left]
            yield from items
            if left is not None:
                left -= len(items)
            flow = self._following(page)


async def _async_sleep(seconds: float) -> None:
    import anyio  # asyncio or trio, whichever runs us; imported only by async users

    await anyio.sleep(seconds)


class AsyncClient(_BaseClient):
    """The asyncio (and trio) client: the same operations, awaited."""

    def __init__(
        self,
        adapter: Adapter,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        backoff: float = 0.5,
    ) -> None:
        super().__init__(adapter, max_retries=max_retries, backoff=backoff)
        transport = transport or adapter.default_transport()
        self._http = httpx.AsyncClient(transport=transport, **_http_kwargs(adapter, timeout))

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
        await self._http.aclose()
        self.adapter.close()

    async def _send(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            log.debug("%s %s", request.method, _shown(request.url))
            try:
                # Streamed, so the body is read with a size cap (telephony._body).
                response = await self._http.send(request, stream=True)
                wait = self.retry.after_response(request, response, attempt)
                if wait is None:
                    return await aread_body(response, provider=self.provider)
                await response.aclose()
            except httpx.TransportError as exc:
                wait = self.retry.after_error(request, exc, attempt)
                if wait is None:
                    raise _transport_error(exc, request) from exc
            log.info("retrying %s %s in %.2fs", request.method, _shown(request.url), wait)
            await _async_sleep(wait)
            attempt += 1

    async def run(self, flow: Flow[T]) -> T:
        """Drive an adapter flow to its result (see ``Client.run``)."""
        try:
            request = next(flow)
            while True:
                request = flow.send(await self._send(request))
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    async def create_call(self, new_call: NewCall) -> Call:
        return await self.run(self.adapter.create_call(new_call))

    async def get_call(self, call_id: str) -> Call:
        return await self.run(self.adapter.get_call(_check_id(call_id)))

    async def hangup(self, call_id: str) -> None:
        await self.run(self.adapter.hangup(_check_id(call_id)))

    async def redirect(self, call_id: str, url: str, *, method: str = "POST") -> None:
        await self.run(self.adapter.redirect(_check_id(call_id), url, method=method))

    async def replace_bxml(self, call_id: str, bxml: str) -> None:
        await self.run(self.adapter.replace_bxml(_check_id(call_id), bxml))

    async def get_page(
        self,
        cursor: str | None = None,
        *,
        page_size: int | None = None,
        to: str | None = None,
        from_: str | None = None,
        status: StatusArg = None,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        parent_id: str | None = None,
    ) -> Page[Call]:
        filters = self._filters(to, from_, status, started_after, started_before, parent_id)
        return await self.run(self._page_flow(cursor, page_size, filters))

    def list_calls(
        self,
        *,
        to: str | None = None,
        from_: str | None = None,
        status: StatusArg = None,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        parent_id: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Call]:
        """``async for call in client.list_calls(...)``: lazy, page by page."""
        filters = self._filters(to, from_, status, started_after, started_before, parent_id)
        _check_limit(limit)
        first = self._page_flow(None, page_size, filters)
        return self._iterate(first, limit)

    async def _iterate(
        self, flow: Flow[Page[Call]] | None, limit: int | None
    ) -> AsyncIterator[Call]:
        left = limit
        while flow is not None and left != 0:
            page = await self.run(flow)
            items = page.items if left is None else page.items[:left]
            for call in items:
                yield call
            if left is not None:
                left -= len(items)
            flow = self._following(page)
