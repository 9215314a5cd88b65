"""The sans-IO contract between the neutral clients and a provider adapter.

An adapter never owns a connection. Each operation is a *flow*: a generator that yields the
``httpx.Request`` to send next, receives its ``httpx.Response``, and finally returns a neutral
result (or raises a neutral error). ``Client`` and ``AsyncClient`` drive the same flows; only
their send loops differ. Bad input must raise ``ValidationError`` before the first ``yield``.
"""

from __future__ import annotations

import abc
from collections.abc import Generator
from typing import Any, ClassVar, Protocol, Self, TypeVar

import httpx

from telephony._errors import UnsupportedOperationError, ValidationError
from telephony._filters import CallFilter
from telephony._models import Call, Capabilities, NewCall, Page

__all__ = ["Adapter", "AsyncRunner", "Flow", "Runner"]

T = TypeVar("T")
Flow = Generator[httpx.Request, httpx.Response, T]


class Adapter(abc.ABC):
    """One provider. Subclasses set ``name`` and ``capabilities`` and implement the flows."""

    name: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()

    base_url: httpx.URL
    """Where requests go; credentials are only ever sent to this origin."""

    auth: httpx.Auth | None = None

    @classmethod
    def from_settings(cls, **settings: Any) -> Self:
        """Build from ``connect``'s keyword arguments; unknown ones are a ValidationError."""
        try:
            return cls(**settings)
        except TypeError as exc:
            raise ValidationError(f"{cls.name}: {exc}", field="settings") from None

    @abc.abstractmethod
    def create_call(self, new_call: NewCall) -> Flow[Call]: ...

    @abc.abstractmethod
    def get_call(self, call_id: str) -> Flow[Call]: ...

    @abc.abstractmethod
    def get_page(
        self, *, cursor: str | None, page_size: int | None, filters: CallFilter
    ) -> Flow[Page[Call]]:
        """One page: the first (``cursor`` None) with ``filters`` and ``page_size``, or the
        one ``cursor`` names, which carries its own filters and page size."""

    @abc.abstractmethod
    def hangup(self, call_id: str) -> Flow[None]: ...

    @abc.abstractmethod
    def redirect(self, call_id: str, url: str, *, method: str = "POST") -> Flow[None]: ...

    def replace_bxml(self, call_id: str, bxml: str) -> Flow[None]:
        """Vendor-only (Bandwidth). Others raise UnsupportedOperationError."""
        raise UnsupportedOperationError(f"{self.name} has no replace_bxml operation")
        yield  # pragma: no cover - makes this a generator like the real ones

    def default_transport(self) -> httpx.MockTransport | None:
        """The transport a client uses when given none (the fake provider's in-memory one)."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release what the adapter holds (nothing by default)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self.base_url)!r})"


class Runner(Protocol):
    """What a vendor-only operation needs from a sync client: the adapter it holds, and
    ``run`` to drive a flow on the client's connection, with its retries (``telephony.Client``
    is one)."""

    @property
    def adapter(self) -> Adapter: ...

    def run(self, flow: Flow[T], /) -> T: ...


class AsyncRunner(Protocol):
    """``Runner`` for async clients (``telephony.AsyncClient`` is one)."""

    @property
    def adapter(self) -> Adapter: ...

    async def run(self, flow: Flow[T], /) -> T: ...
