"""``Client`` and ``AsyncClient``: thin drivers of the adapters' sans-IO flows.

Everything but the send loop is written once, in ``_BaseClient`` and ``_Listing``: argument
checks, the flow each operation runs, listing and ``limit`` bookkeeping, retry decisions, the
retry budget and their log lines. The two clients only send, sleep and iterate.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar, Unpack

import attrs
import httpx

from telephony._adapter import Adapter, Flow
from telephony._body import ACCEPT_ENCODING, aread_body, read_body
from telephony._checks import check_call_id, check_method, check_number, check_url, check_whole
from telephony._errors import TransportError, ValidationError
from telephony._filters import CallFilter, FilterArgs
from telephony._models import Call, Capabilities, NewCall, Page
from telephony._retry import Retry, RetryBudget, RetryPolicy

__all__ = ["AsyncClient", "Client", "RetryNotice"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("telephony")
retry_log = logging.getLogger("telephony.retry")

DEFAULT_TIMEOUT = 30.0
USER_AGENT = "telephony-python/0.1"
MAX_RETRIES = 100
_NO_FILTER = CallFilter()


@attrs.frozen(kw_only=True)
class RetryNotice:
    """What a retry log record carries (``record.telephony_retry``), for progress displays:
    the request (its URL without credentials), why it is sent again, after how long."""

    method: str
    url: str
    reason: str
    wait: float
    retry: int
    max_retries: int


def _shown(url: httpx.URL) -> httpx.URL:
    """The URL as it may appear in logs and errors: never with user:password in it."""
    return url.copy_with(username=None, password=None) if url.userinfo else url


def _transport_error(exc: httpx.TransportError, request: httpx.Request) -> TransportError:
    # Built from text only and raised outside the ``except``: httpx's exception keeps the
    # request, whose headers hold the credentials, so it must not ride along as a cause.
    url = _shown(request.url)
    return TransportError(f"{request.method} {url} failed: {type(exc).__name__}: {exc}")


def _check_timeout(timeout: object) -> None:
    if isinstance(timeout, httpx.Timeout):
        for name in ("connect", "read", "write", "pool"):
            check_number(getattr(timeout, name), f"timeout.{name}", low=0, high=1e6, low_open=True)
        return
    check_number(timeout, "timeout", low=0, high=1e6, low_open=True)


def _same_doc(original: Callable[..., Any]) -> Callable[[F], F]:
    """Give an ``AsyncClient`` method the docstring of its ``Client`` twin."""

    def apply(method: F) -> F:
        method.__doc__ = original.__doc__
        return method

    return apply


class _Listing:
    """Where a ``list_calls`` iteration is: the flow of the next page, and how many calls
    ``limit`` still lets through."""

    def __init__(self, adapter: Adapter, first: Flow[Page[Call]], limit: int | None) -> None:
        self._adapter = adapter
        self._flow: Flow[Page[Call]] | None = first if limit != 0 else None
        self._left = limit

    def next_flow(self) -> Flow[Page[Call]] | None:
        flow, self._flow = self._flow, None
        return flow

    def take(self, page: Page[Call]) -> Sequence[Call]:
        """The calls of ``page`` to yield; prepares the flow of the page after it."""
        items = page.items if self._left is None else page.items[: self._left]
        if self._left is not None:
            self._left -= len(items)
        if page.next_cursor is not None and self._left != 0:
            self._flow = self._adapter.get_page(
                cursor=page.next_cursor, page_size=None, filters=_NO_FILTER
            )
        return items


class _BaseClient:
    def __init__(
        self,
        adapter: Adapter,
        *,
        timeout: object,
        max_retries: int,
        backoff: float,
        max_retry_wait: float | None,
    ) -> None:
        _check_timeout(timeout)
        check_whole(max_retries, "max_retries", low=0, high=MAX_RETRIES, optional=False)
        check_number(backoff, "backoff", low=0, high=3600, optional=False)
        check_number(max_retry_wait, "max_retry_wait", low=0, high=1e9)
        self.adapter = adapter
        self.retry = RetryPolicy(
            max_retries=max_retries,
            backoff=float(backoff),
            max_retry_wait=None if max_retry_wait is None else float(max_retry_wait),
        )

    @property
    def provider(self) -> str:
        return self.adapter.name

    @property
    def capabilities(self) -> Capabilities:
        return self.adapter.capabilities

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.adapter!r})"

    # -- the flow of each operation, arguments checked before anything is sent -----------------

    def _get_flow(self, call_id: str) -> Flow[Call]:
        return self.adapter.get_call(check_call_id(call_id))

    def _hangup_flow(self, call_id: str) -> Flow[None]:
        return self.adapter.hangup(check_call_id(call_id))

    def _redirect_flow(self, call_id: str, url: str, method: str) -> Flow[None]:
        check_call_id(call_id)
        check_url(url, "url", required=True)
        check_method(method, "method", required=True)
        return self.adapter.redirect(call_id, url, method=method)

    def _bxml_flow(self, call_id: str, bxml: str) -> Flow[None]:
        return self.adapter.replace_bxml(check_call_id(call_id), bxml)

    def _page_flow(
        self, cursor: str | None, page_size: int | None, filters: FilterArgs
    ) -> Flow[Page[Call]]:
        built = CallFilter.from_args(filters)
        if cursor is not None and not built.is_empty:
            raise ValidationError(
                "a cursor carries its own filters: pass either cursor or filters", field="cursor"
            )
        # Each adapter checks the size against its own range; with a cursor some only compare
        # it with the cursor's, so its type is checked here for every one.
        check_whole(page_size, "page_size", low=1, high=10**9)
        return self.adapter.get_page(cursor=cursor, page_size=page_size, filters=built)

    def _listing(self, page_size: int | None, limit: int | None, filters: FilterArgs) -> _Listing:
        first = self._page_flow(None, page_size, filters)
        check_whole(limit, "limit", low=0, high=2**63)
        return _Listing(self.adapter, first, limit)

    # -- retries -------------------------------------------------------------------------------

    def _log_send(self, request: httpx.Request) -> None:
        log.debug("%s %s", request.method, _shown(request.url))

    def _granted(
        self, request: httpx.Request, retry: Retry | None, attempt: int, budget: RetryBudget
    ) -> Retry | None:
        """``retry`` if the budget allows its wait (which it then spends), logged; else None."""
        if retry is None:
            return None
        url = str(_shown(request.url))
        if not budget.allows(retry.wait):
            retry_log.info(
                "not retrying %s %s after %s: waiting %.2f s would pass max_retry_wait "
                "(%.2f s left)",
                request.method,
                url,
                retry.reason,
                retry.wait,
                budget.left,
            )
            return None
        budget.spend(retry.wait)
        notice = RetryNotice(
            method=request.method,
            url=url,
            reason=retry.reason,
            wait=retry.wait,
            retry=attempt + 1,
            max_retries=self.retry.max_retries,
        )
        retry_log.info(
            "retrying %s %s in %.2f s after %s (retry %d of %d)",
            request.method,
            url,
            retry.wait,
            retry.reason,
            notice.retry,
            notice.max_retries,
            extra={"telephony_retry": notice},
        )
        return retry

    def _retry_response(
        self, request: httpx.Request, response: httpx.Response, attempt: int, budget: RetryBudget
    ) -> Retry | None:
        retry = self.retry.retry_response(request, response, attempt)
        return self._granted(request, retry, attempt, budget)

    def _retry_error(
        self, request: httpx.Request, error: httpx.TransportError, attempt: int, budget: RetryBudget
    ) -> Retry | None:
        retry = self.retry.retry_error(request, error, attempt)
        return self._granted(request, retry, attempt, budget)


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
                failure = exc  # raised from below, outside this block: see _transport_error
                retry = self._retry_error(request, failure, attempt, budget)
            if retry is None:
                raise _transport_error(failure, request)
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

    def _iterate(self, listing: _Listing) -> Iterator[Call]:
        budget = self.retry.budget()
        while (flow := listing.next_flow()) is not None:
            yield from listing.take(self._run(flow, budget))


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
                failure = exc  # raised from below, outside this block: see _transport_error
                retry = self._retry_error(request, failure, attempt, budget)
            if retry is None:
                raise _transport_error(failure, request)
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

    @_same_doc(Client.run)
    async def run(self, flow: Flow[T]) -> T:
        return await self._run(flow, self.retry.budget())

    @_same_doc(Client.create_call)
    async def create_call(self, new_call: NewCall) -> Call:
        return await self.run(self.adapter.create_call(new_call))

    @_same_doc(Client.get_call)
    async def get_call(self, call_id: str) -> Call:
        return await self.run(self._get_flow(call_id))

    @_same_doc(Client.hangup)
    async def hangup(self, call_id: str) -> None:
        await self.run(self._hangup_flow(call_id))

    @_same_doc(Client.redirect)
    async def redirect(self, call_id: str, url: str, *, method: str = "POST") -> None:
        await self.run(self._redirect_flow(call_id, url, method))

    @_same_doc(Client.replace_bxml)
    async def replace_bxml(self, call_id: str, bxml: str) -> None:
        await self.run(self._bxml_flow(call_id, bxml))

    @_same_doc(Client.get_page)
    async def get_page(
        self,
        cursor: str | None = None,
        *,
        page_size: int | None = None,
        **filters: Unpack[FilterArgs],
    ) -> Page[Call]:
        return await self.run(self._page_flow(cursor, page_size, filters))

    @_same_doc(Client.list_calls)
    def list_calls(
        self,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        **filters: Unpack[FilterArgs],
    ) -> AsyncIterator[Call]:
        return self._iterate(self._listing(page_size, limit, filters))

    async def _iterate(self, listing: _Listing) -> AsyncIterator[Call]:
        budget = self.retry.budget()
        while (flow := listing.next_flow()) is not None:
            for call in listing.take(await self._run(flow, budget)):
                yield call
