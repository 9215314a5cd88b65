"""The error tree. Every error this library raises is a ``TelephonyError``.

::

    TelephonyError
    ├── ValidationError            bad input, raised before any request is sent (also a ValueError)
    ├── TransportError             the request could not be completed (connect, read, timeout)
    ├── ProviderError              the vendor answered with an error status
    │   ├── InvalidRequestError        400, 405, 415 and the like
    │   ├── AuthenticationError        401
    │   ├── PermissionDeniedError      403
    │   ├── NotFoundError              404 (and Restcomm's 406 for an unknown call)
    │   ├── ConflictError              409 (and Restcomm's 410 "already completed")
    │   ├── RateLimitedError           429, with ``retry_after`` in seconds
    │   └── ProviderServerError        5xx
    ├── MalformedResponseError     the vendor answered 2xx with something we cannot read
    │   ├── ResponseTooLargeError      ... or with more than the answer's size cap
    │   └── ListingLoopError           ... or with pages that never end (repeats, loops)
    ├── UnsupportedOperationError  the provider has no such operation
    ├── UnsafeRedirectError        a paging link points at another origin than the configured one
    ├── WaitTimeoutError           ``wait_for_call`` ran out of time
    ├── StoreError                 the call store's file cannot be opened, read or written
    └── InvalidCallbackError       a status callback that cannot be read or fails authentication

Messages never contain credentials: the request URL is kept without its userinfo and no header
is ever copied into an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telephony._models import Call

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "InvalidCallbackError",
    "InvalidRequestError",
    "ListingLoopError",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProviderError",
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
]


class TelephonyError(Exception):
    """Base class of every error raised by telephony."""


class ValidationError(TelephonyError, ValueError):
    """Input that no vendor would accept; raised before anything is sent.

    ``field`` names the offending argument (e.g. ``"to"``, ``"ring_timeout"``).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class TransportError(TelephonyError):
    """The request failed below HTTP: connection refused, timeout, broken connection."""


class ProviderError(TelephonyError):
    """The vendor answered with an error status.

    ``code`` is the vendor's own error code or type when it sent one, ``message`` its text,
    ``body`` the raw answer (text, truncated to a few KiB), ``request_id`` the vendor's
    error or request id when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status_code: int,
        code: str | None = None,
        body: str = "",
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{provider} answered {status_code}: {message}")
        self.provider = provider
        self.status_code = status_code
        self.code = code
        self.message = message
        self.body = body
        self.request_id = request_id


class InvalidRequestError(ProviderError):
    """The vendor refused the request as malformed (400, 405, 415, ...)."""


class AuthenticationError(ProviderError):
    """The vendor did not accept the credentials (401)."""


class PermissionDeniedError(ProviderError):
    """The credentials are valid but not allowed to do this (403)."""


class NotFoundError(ProviderError):
    """No such call (404; Restcomm answers 406 for an unknown call)."""


class ConflictError(ProviderError):
    """The call cannot be changed in its current state (409; Restcomm's 410)."""


class RateLimitedError(ProviderError):
    """Too many requests (429). ``retry_after`` is the vendor's wait in seconds, if it said."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status_code: int,
        code: str | None = None,
        body: str = "",
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message,
            provider=provider,
            status_code=status_code,
            code=code,
            body=body,
            request_id=request_id,
        )
        self.retry_after = retry_after


class ProviderServerError(ProviderError):
    """The vendor failed (5xx)."""


class MalformedResponseError(TelephonyError):
    """A successful status with a body we cannot read. ``body`` keeps what was received."""

    def __init__(
        self, message: str, *, provider: str, status_code: int | None = None, body: str = ""
    ) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.status_code = status_code
        self.body = body


class ResponseTooLargeError(MalformedResponseError):
    """A successful answer longer than its cap (``limit`` bytes, counted after decompression).
    Reading stopped there: the rest was never received. ``body`` holds the start."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        limit: int,
        status_code: int | None = None,
        body: str = "",
    ) -> None:
        super().__init__(message, provider=provider, status_code=status_code, body=body)
        self.limit = limit


class ListingLoopError(MalformedResponseError):
    """A listing's server made no progress: it answered a page already read, linked back to
    one, or cannot get past its per-query cap. The listing stops here instead of looping."""


class UnsupportedOperationError(TelephonyError):
    """The provider has no such operation (see ``client.capabilities``)."""


class UnsafeRedirectError(TelephonyError):
    """A next-page link points at another origin; it is refused so credentials stay home."""


class InvalidCallbackError(TelephonyError):
    """A status callback (webhook) that cannot be read, or that fails authentication.

    ``provider`` is the vendor it claimed to come from; ``unauthenticated`` is True when it was
    refused for its credentials (the receiver then answers what that vendor expects, e.g. a
    ``401`` challenge), False when it could not be read. The message never quotes a credential.
    """

    def __init__(self, message: str, *, provider: str, unauthenticated: bool = False) -> None:
        super().__init__(f"{provider} callback: {message}")
        self.provider = provider
        self.unauthenticated = unauthenticated


class WaitTimeoutError(TelephonyError):
    """``wait_for_call`` ran out of time. ``call`` is the last state read (None: the call was
    never found)."""

    def __init__(self, message: str, *, call: Call | None = None) -> None:
        super().__init__(message)
        self.call = call


class StoreError(TelephonyError):
    """The call store's SQLite file cannot be opened, read or written: not a database (or a
    folder), no permission, locked by another writer past the timeout, disk full. ``path``
    names the file, ``reason`` says what SQLite said; a sync can run again and go on from the
    last saved page."""

    def __init__(self, reason: str, *, path: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
