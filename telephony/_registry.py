"""Which adapter serves which provider name, imported only when first asked for."""

from __future__ import annotations

import importlib
from typing import Any

import httpx

from telephony._adapter import Adapter
from telephony._client import DEFAULT_TIMEOUT, AsyncClient, Client
from telephony._errors import ValidationError

__all__ = ["adapter_class", "connect", "connect_async", "providers"]

ENTRY_POINT_GROUP = "telephony.adapters"

_BUILTIN = {
    "bandwidth": "telephony.adapters.bandwidth:BandwidthAdapter",
    "restcomm": "telephony.adapters.restcomm:RestcommAdapter",
    "fake": "telephony.testing.fake:FakeAdapter",
}


def _entry_points(group: str) -> list[Any]:
    # importlib.metadata costs several ms to import: only pay it when asked.
    from importlib.metadata import entry_points

    return list(entry_points(group=group))


def providers() -> list[str]:
    """Every provider name ``connect`` knows: built in, and installed entry points."""
    names = set(_BUILTIN) | {ep.name for ep in _entry_points(ENTRY_POINT_GROUP)}
    return sorted(names)


def adapter_class(provider: str) -> type[Adapter]:
    if not isinstance(provider, str):
        raise ValidationError("must be a provider name", field="provider")
    target = _BUILTIN.get(provider)
    if target is None:
        found = [ep for ep in _entry_points(ENTRY_POINT_GROUP) if ep.name == provider]
        if not found:
            known = ", ".join(providers())
            raise ValidationError(
                f"unknown provider {provider!r} (known: {known})", field="provider"
            )
        cls = found[0].load()
    else:
        module, _, name = target.partition(":")
        cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise TypeError(f"{target or provider} is not a telephony Adapter")
    return cls


def connect(
    provider: str,
    /,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
    max_retries: int = 2,
    backoff: float = 0.5,
    **settings: Any,
) -> Client:
    """A ``Client`` for ``provider``; ``settings`` are that adapter's (ids, credentials,
    ``base_url``...). Raises ValidationError for missing or unknown settings."""
    adapter = adapter_class(provider).from_settings(**settings)
    return Client(
        adapter, transport=transport, timeout=timeout, max_retries=max_retries, backoff=backoff
    )


def connect_async(
    provider: str,
    /,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
    max_retries: int = 2,
    backoff: float = 0.5,
    **settings: Any,
) -> AsyncClient:
    """The ``AsyncClient`` twin of ``connect``."""
    adapter = adapter_class(provider).from_settings(**settings)
    return AsyncClient(
        adapter, transport=transport, timeout=timeout, max_retries=max_retries, backoff=backoff
    )
