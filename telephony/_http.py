"""Small HTTP helpers shared by the adapters: error mapping and origin checks."""

from __future__ import annotations

import httpx

from telephony._errors import (
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    ProviderServerError,
    RateLimitedError,
    UnsafeRedirectError,
)
from telephony._retry import parse_retry_after

__all__ = ["body_text", "provider_error", "same_origin", "status_error_class"]

_BODY_LIMIT = 4096

_BY_STATUS: dict[int, type[ProviderError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: InvalidRequestError,
    409: ConflictError,
    415: InvalidRequestError,
    422: InvalidRequestError,
    429: RateLimitedError,
}


def status_error_class(status_code: int) -> type[ProviderError]:
    if status_code >= 500:
        return ProviderServerError
    return _BY_STATUS.get(status_code, ProviderError)


def body_text(response: httpx.Response) -> str:
    """The answer as text, cut to a size fit for an exception."""
    return response.content[:_BODY_LIMIT].decode("utf-8", "replace")


def provider_error(
    response: httpx.Response,
    *,
    provider: str,
    message: str | None = None,
    code: str | None = None,
    request_id: str | None = None,
    error_class: type[ProviderError] | None = None,
) -> ProviderError:
    """The neutral error for an error answer. ``message`` falls back to the body or reason."""
    status = response.status_code
    body = body_text(response)
    if not message:
        message = body.strip()[:300] or response.reason_phrase or f"HTTP {status}"
    cls = error_class or status_error_class(status)
    if cls is RateLimitedError:
        return RateLimitedError(
            message,
            provider=provider,
            status_code=status,
            code=code,
            body=body,
            request_id=request_id,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    return cls(
        message,
        provider=provider,
        status_code=status,
        code=code,
        body=body,
        request_id=request_id,
    )


def same_origin(url: httpx.URL, base_url: httpx.URL) -> httpx.URL:
    """``url`` if it has the configured scheme, host and port; UnsafeRedirectError otherwise."""
    if (url.scheme, url.host, url.port) != (base_url.scheme, base_url.host, base_url.port):
        raise UnsafeRedirectError(
            f"refusing to follow a link to {url.scheme}://{url.host}"
            f"{':' + str(url.port) if url.port else ''}: it is not the configured origin "
            f"{base_url.scheme}://{base_url.host}; credentials are only sent there"
        )
    return url
