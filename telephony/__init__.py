"""telephony: one provider-neutral call API in front of telephony vendors.

``telephony.connect("bandwidth", ...)`` or ``telephony.connect("restcomm", ...)`` gives a
``Client``; ``connect_async`` an ``AsyncClient``. Submodules ``report``, ``sandbox`` and
``testing`` load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from telephony._adapter import Adapter, Flow
from telephony._client import AsyncClient, Client
from telephony._connect import connect, connect_async
from telephony._errors import (
    AuthenticationError,
    ConflictError,
    InvalidCallbackError,
    InvalidRequestError,
    ListingLoopError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    ProviderServerError,
    RateLimitedError,
    ResponseTooLargeError,
    StoreError,
    TelephonyError,
    TransportError,
    UnsafeRedirectError,
    UnsupportedOperationError,
    ValidationError,
    WaitTimeoutError,
)
from telephony._filters import CallFilter, FilterArgs
from telephony._models import Call, CallStatus, Capabilities, Direction, NewCall, Page
from telephony._registry import adapter_class, describe, providers

__version__ = "0.1.0"

__all__ = [
    "Adapter",
    "AsyncClient",
    "AuthenticationError",
    "Call",
    "CallEvent",
    "CallFilter",
    "CallStatus",
    "Capabilities",
    "Client",
    "ConflictError",
    "Direction",
    "FilterArgs",
    "Flow",
    "InvalidCallbackError",
    "InvalidRequestError",
    "ListingLoopError",
    "MalformedResponseError",
    "NewCall",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "ProviderError",
    "ProviderInfo",
    "ProviderServerError",
    "RateLimitedError",
    "ResponseTooLargeError",
    "StoreError",
    "TelephonyError",
    "TransportError",
    "UnsafeRedirectError",
    "UnsupportedOperationError",
    "ValidationError",
    "WaitTimeoutError",
    "adapter_class",
    "connect",
    "connect_async",
    "describe",
    "parse_callback",
    "providers",
]

_LAZY_SUBMODULES = frozenset({"report", "sandbox", "testing", "cli", "toolkit"})


if TYPE_CHECKING:
    from telephony._callbacks import CallEvent, parse_callback
    from telephony._provider import ProviderInfo

# Webhook parsing is for receivers only, provider descriptions for adapter authors and the
# command line: loaded on first use, like the submodules below.
_LAZY_NAMES = {
    "CallEvent": "telephony._callbacks",
    "ProviderInfo": "telephony._provider",
    "parse_callback": "telephony._callbacks",
}


def __getattr__(name: str) -> Any:
    # Keep `import telephony` cheap: these pull in servers, pytest hooks, CSV writers...
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"telephony.{name}")
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    raise AttributeError(f"module 'telephony' has no attribute {name!r}")
