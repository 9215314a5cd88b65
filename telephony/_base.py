"""What ``Client`` and ``AsyncClient`` share: everything but the send loop.

Argument checks and the flow each operation runs (``BaseClient``), listing and ``limit``
bookkeeping (``Listing``), retry decisions, the retry budget and their log lines. The two
clients in ``telephony._client`` only send, sleep and iterate.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import httpx

from telephony._adapter import Adapter, Flow
from telephony._body import ACCEPT_ENCODING
from telephony._checks import check_call_id, check_method, check_number, check_url, check_whole
from telephony._errors import TransportError, ValidationError
from telephony._filters import CallFilter, FilterArgs
from telephony._models import Call, Capabilities, NextPage, Page
from telephony._retry import Retry, RetryBudget, RetryPolicy

if TYPE_CHECKING:
    from telephony._wait import Until, Waiter

__all__ = [
    "DEFAULT_TIMEOUT",
    "BaseClient",
    "Listing",
    "RetryNotice",
    "http_kwargs",
    "same_doc",
    "transport_error",
]

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("telephony")
retry_log = logging.getLogger("telephony.retry")

DEFAULT_TIMEOUT = 30.0
USER_AGENT = "telephony-python/0.1"
MAX_RETRIES = 100
_NO_FILTER = CallFilter()


class RetryNotice(NamedTuple):  # not attrs: built by every `import telephony` (see _retry)
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


def transport_error(exc: httpx.TransportError, request: httpx.Request) -> TransportError:
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


def same_doc(original: Callable[..., Any]) -> Callable[[F], F]:
    """Give an ``AsyncClient`` method the docstring of its ``Client`` twin."""

    def apply(method: F) -> F:
        method.__doc__ = original.__doc__
        return method

    return apply


class Listing:
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
        following = page.next_page
        if following is not None and self._left != 0:
            if isinstance(following, NextPage):
                self._flow = following.follow()  # no cursor string made and read back
            else:
                self._flow = self._adapter.get_page(
                    cursor=following, page_size=None, filters=_NO_FILTER
                )
        return items


class BaseClient:
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

    def _waiter(
        self, call_id: str, timeout: float, until: Until, interval: float, max_interval: float
    ) -> Waiter:
        from telephony._wait import Waiter  # only wait_for_call needs it

        return Waiter(
            call_id,
            timeout=timeout,
            until=until,
            interval=interval,
            max_interval=max_interval,
            now=time.monotonic(),
        )

    def _listing(self, page_size: int | None, limit: int | None, filters: FilterArgs) -> Listing:
        first = self._page_flow(None, page_size, filters)
        check_whole(limit, "limit", low=0, high=2**63)
        return Listing(self.adapter, first, limit)

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


def http_kwargs(adapter: Adapter, timeout: float | httpx.Timeout | None) -> dict[str, Any]:
    return {
        "auth": adapter.auth,
        "timeout": timeout,
        "follow_redirects": False,  # a redirect could carry our credentials elsewhere
        "headers": {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
    }
